import { describe, expect, it } from 'vitest';
import { beijingDateString } from '../../src/domain/beijing-time.ts';
import { formatCaseNumber, parseCaseNumber } from '../../src/domain/case-number.ts';
import { CASE_ACTIONS, CASE_STATUSES, canReopen, isOpen, nextStatus } from '../../src/domain/case-status.ts';
import { addHours, addWorkingDays, isWorkingDay, type WorkCalendar } from '../../src/domain/working-days.ts';

// The 2026 schedule as in reference/tongren.json (only the parts these tests touch).
const calendar: WorkCalendar = {
  exceptions: new Map<string, 'holiday' | 'workday'>([
    ...['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'].map(
      (d) => [d, 'holiday'] as [string, 'holiday'],
    ),
    ['2026-09-20', 'workday'],
    ['2026-10-10', 'workday'],
    ...[
      '2026-02-15',
      '2026-02-16',
      '2026-02-17',
      '2026-02-18',
      '2026-02-19',
      '2026-02-20',
      '2026-02-21',
      '2026-02-22',
      '2026-02-23',
    ].map((d) => [d, 'holiday'] as [string, 'holiday']),
    ['2026-02-14', 'workday'],
    ['2026-02-28', 'workday'],
  ]),
};
const beijing = (iso: string) => new Date(`${iso}+08:00`);

describe('working days', () => {
  it('skip weekends', () => {
    // Monday 2026-11-23, 5 working days → Monday 2026-11-30, 18:00 Beijing time.
    expect(addWorkingDays(beijing('2026-11-23T10:00:00'), 5, calendar)).toEqual(
      beijing('2026-11-30T18:00:00'),
    );
    // Filed on a Saturday: the count starts on Monday.
    expect(addWorkingDays(beijing('2026-11-28T09:00:00'), 1, calendar)).toEqual(
      beijing('2026-11-30T18:00:00'),
    );
  });

  it('a case filed on the Friday before the National Day week', () => {
    // Fri 2026-09-25 (Mid-autumn is the 25th–27th in the calendar file; here only October is listed):
    // Mon 28, Tue 29, Wed 30 count; 1–7 October are holidays; Thu 8, Fri 9 count → due Fri 9 October.
    expect(addWorkingDays(beijing('2026-09-25T16:00:00'), 5, calendar)).toEqual(
      beijing('2026-10-09T18:00:00'),
    );
    // Seven working days: Sat 10 October is a make-up working day.
    expect(addWorkingDays(beijing('2026-09-25T16:00:00'), 6, calendar)).toEqual(
      beijing('2026-10-10T18:00:00'),
    );
  });

  it('Spring Festival with its make-up Saturdays', () => {
    // Fri 2026-02-13 → Sat 14 is a working day; 15–23 holidays; Tue 24 …
    expect(addWorkingDays(beijing('2026-02-13T11:00:00'), 1, calendar)).toEqual(
      beijing('2026-02-14T18:00:00'),
    );
    expect(addWorkingDays(beijing('2026-02-13T11:00:00'), 2, calendar)).toEqual(
      beijing('2026-02-24T18:00:00'),
    );
    expect(isWorkingDay('2026-02-28', calendar)).toBe(true);
    expect(isWorkingDay('2026-02-23', calendar)).toBe(false);
  });

  it('count in Beijing time whatever the server clock says', () => {
    // 23:30 UTC on Sunday is already Monday 07:30 in Beijing.
    expect(beijingDateString(new Date('2026-11-22T23:30:00Z'))).toBe('2026-11-23');
    expect(addWorkingDays(new Date('2026-11-22T23:30:00Z'), 1, calendar)).toEqual(
      beijing('2026-11-24T18:00:00'),
    );
  });

  it('urgent cases are due in hours, and bad input is refused', () => {
    expect(addHours(beijing('2026-11-23T10:00:00'), 2)).toEqual(beijing('2026-11-23T12:00:00'));
    expect(() => addWorkingDays(new Date(), 0, calendar)).toThrow(RangeError);
    expect(() => addWorkingDays(new Date(), 1.5, calendar)).toThrow(RangeError);
  });
});

describe('case status', () => {
  it('follows the life of a case', () => {
    expect(nextStatus('submitted', 'take')).toBe('accepted');
    expect(nextStatus('accepted', 'ask_info')).toBe('waiting_resident');
    expect(nextStatus('waiting_resident', 'answer_info')).toBe('in_progress');
    expect(nextStatus('in_progress', 'resolve')).toBe('resolved');
    expect(nextStatus('resolved', 'close')).toBe('closed');
    expect(nextStatus('resolved', 'reopen')).toBe('in_progress');
    expect(nextStatus('in_progress', 'transfer')).toBe('submitted');
  });

  it('refuses what does not make sense', () => {
    expect(nextStatus('submitted', 'resolve')).toBeNull(); // nobody took it yet
    expect(nextStatus('accepted', 'take')).toBeNull(); // never taken twice
    expect(nextStatus('closed', 'withdraw')).toBeNull();
    expect(nextStatus('withdrawn', 'reopen')).toBeNull();
    expect(nextStatus('rejected', 'reopen')).toBeNull();
    expect(nextStatus('in_progress', 'answer_info')).toBeNull();
    // No action leads out of a final status except close.
    for (const action of CASE_ACTIONS) {
      for (const from of ['closed', 'withdrawn'] as const) expect(nextStatus(from, action)).toBeNull();
    }
    expect(CASE_STATUSES.filter(isOpen)).toEqual([
      'submitted',
      'accepted',
      'in_progress',
      'waiting_resident',
    ]);
  });

  it('reopening is possible for seven days after resolution', () => {
    const resolved = new Date('2026-11-01T10:00:00Z');
    expect(canReopen('resolved', resolved, new Date('2026-11-08T10:00:00Z'))).toBe(true);
    expect(canReopen('resolved', resolved, new Date('2026-11-08T10:00:01Z'))).toBe(false);
    expect(canReopen('closed', resolved, new Date('2026-11-02T10:00:00Z'))).toBe(false);
    expect(canReopen('resolved', null, new Date())).toBe(false);
  });
});

describe('case numbers', () => {
  it('are formatted for reading aloud and parsed from what people type', () => {
    expect(formatCaseNumber('EDU', 2026, 42)).toBe('EDU-2026-000042');
    expect(formatCaseNumber('MED', 2026, 1234567)).toBe('MED-2026-1234567');
    expect(parseCaseNumber(' edu-2026-000042 ')).toBe('EDU-2026-000042');
    expect(parseCaseNumber('ＥＤＵ－２０２６－０００４２')).toBe(null); // five digits: not a number we issue
    expect(parseCaseNumber('ＥＤＵ 2026 000042')).toBe('EDU-2026-000042');
    expect(parseCaseNumber('EDU2026000042')).toBeNull();
    expect(parseCaseNumber('')).toBeNull();
    expect(parseCaseNumber('x'.repeat(5000))).toBeNull();
  });
});
