// What the resident of an urgent case hears about its alerts (src/app/urgent-alerts.ts): "received" as
// soon as one alert was sent; "nobody reached yet" only when none was sent and none is still on its way.
import { describe, expect, it } from 'vitest';
import { URGENT_TRIES_BEFORE_TELLING, urgentAlertOutcome } from '../../src/app/urgent-alerts.ts';

const pending = (attempts: number) => ({ status: 'pending' as const, attempts });

describe('urgentAlertOutcome', () => {
  it('one alert sent is enough, whatever became of the others', () => {
    expect(
      urgentAlertOutcome([
        { status: 'failed', attempts: 1 },
        { status: 'sent', attempts: 1 },
      ]),
    ).toBe('received');
    expect(urgentAlertOutcome([pending(0), { status: 'sent', attempts: 2 }])).toBe('received');
  });

  it('nobody reached: every alert failed for good, or kept failing', () => {
    expect(urgentAlertOutcome([{ status: 'unreachable', attempts: 1 }])).toBe('unreached');
    expect(
      urgentAlertOutcome([{ status: 'failed', attempts: 20 }, pending(URGENT_TRIES_BEFORE_TELLING)]),
    ).toBe('unreached');
  });

  it('nothing yet while an alert may still go soon, or when there were no alerts at all', () => {
    expect(urgentAlertOutcome([pending(0)])).toBeNull();
    expect(urgentAlertOutcome([{ status: 'unreachable', attempts: 1 }, pending(1)])).toBeNull();
    expect(urgentAlertOutcome([pending(URGENT_TRIES_BEFORE_TELLING - 1)])).toBeNull();
    // No alert at all is said at submission (nobody on duty, no group), not by the dispatcher.
    expect(urgentAlertOutcome([])).toBeNull();
  });
});
