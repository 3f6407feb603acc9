// The figures' calendar and the charts' axis: weeks run Monday to Sunday in Beijing time (UTC+8), whatever
// the machine's time zone; an axis tops at a round number.
import { describe, expect, it } from 'vitest';
import { weekOf } from '../../src/app/console/figures.ts';
import { niceMax } from '../../src/http/console/charts.tsx';

describe('weekOf', () => {
  it("gives the Monday of the Beijing week, across UTC's day line", () => {
    // Sunday 23:59 in Beijing (15:59 UTC): that week's Monday.
    expect(weekOf(new Date('2026-12-06T15:59:00Z'))).toBe('2026-11-30');
    // Monday 00:00 in Beijing is still Sunday 16:00 in UTC: the new week.
    expect(weekOf(new Date('2026-12-06T16:00:00Z'))).toBe('2026-12-07');
    expect(weekOf(new Date('2026-12-09T04:00:00Z'))).toBe('2026-12-07');
    // Across a month and a year.
    expect(weekOf(new Date('2027-01-01T12:00:00Z'))).toBe('2026-12-28');
  });
});

describe('niceMax', () => {
  it('rounds the largest value up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 10, 11, 23, 51, 0.3].map(niceMax)).toEqual([1, 1, 5, 10, 10, 20, 50, 100, 0.5]);
  });
});
