// A centre's opening hours: open now or not, lunch, closed days, holidays, make-up working days, the next
// opening, and the week in short — all in Beijing time whatever the machine's time zone.
import { describe, expect, it } from 'vitest';
import {
  dayHoursSchema,
  hoursOn,
  openingState,
  sessionsOn,
  type WeekHours,
  weekHoursSchema,
  weekStretches,
} from '../../src/domain/opening-hours.ts';

const weekday = { open: '08:30', close: '17:30', lunch: { from: '12:00', to: '14:00' } };
const HOURS: WeekHours = {
  mon: weekday,
  tue: weekday,
  wed: weekday,
  thu: weekday,
  fri: weekday,
  sat: { open: '09:00', close: '12:00' },
  sun: null,
};
/** 2026-12-07 is a Monday. */
const bj = (wall: string) => new Date(`${wall.replace(' ', 'T')}:00+08:00`);
const iso = (wall: string) => bj(wall).toISOString();
const NO_EXCEPTIONS = { exceptions: new Map<string, 'holiday' | 'workday'>() };
const calendar = (entries: [string, 'holiday' | 'workday'][]) => ({ exceptions: new Map(entries) });

describe('opening state', () => {
  it('is open in the morning until the lunch break, and in the afternoon until closing time', () => {
    expect(openingState(HOURS, bj('2026-12-07 10:00'), NO_EXCEPTIONS)).toEqual({
      open: true,
      until: iso('2026-12-07 12:00'),
      lunch: true,
    });
    expect(openingState(HOURS, bj('2026-12-07 15:00'), NO_EXCEPTIONS)).toEqual({
      open: true,
      until: iso('2026-12-07 17:30'),
      lunch: false,
    });
  });

  it('opening and closing minutes: open at 08:30 sharp, closed at 17:30 sharp', () => {
    expect(openingState(HOURS, bj('2026-12-07 08:30'), NO_EXCEPTIONS).open).toBe(true);
    expect(openingState(HOURS, bj('2026-12-07 08:29'), NO_EXCEPTIONS)).toEqual({
      open: false,
      why: 'not_yet',
      nextOpen: iso('2026-12-07 08:30'),
    });
    expect(openingState(HOURS, bj('2026-12-07 17:30'), NO_EXCEPTIONS)).toEqual({
      open: false,
      why: 'after_hours',
      nextOpen: iso('2026-12-08 08:30'),
    });
  });

  it('the lunch break is closed, and says when it opens again the same day', () => {
    expect(openingState(HOURS, bj('2026-12-07 12:00'), NO_EXCEPTIONS)).toEqual({
      open: false,
      why: 'lunch',
      nextOpen: iso('2026-12-07 14:00'),
    });
    expect(openingState(HOURS, bj('2026-12-07 13:59'), NO_EXCEPTIONS).open).toBe(false);
    expect(openingState(HOURS, bj('2026-12-07 14:00'), NO_EXCEPTIONS).open).toBe(true);
  });

  it('Saturday morning only (no lunch break), Sunday closed: the next opening is Monday', () => {
    expect(openingState(HOURS, bj('2026-12-12 11:00'), NO_EXCEPTIONS)).toEqual({
      open: true,
      until: iso('2026-12-12 12:00'),
      lunch: false,
    });
    expect(openingState(HOURS, bj('2026-12-12 15:00'), NO_EXCEPTIONS)).toEqual({
      open: false,
      why: 'after_hours',
      nextOpen: iso('2026-12-14 08:30'),
    });
    expect(openingState(HOURS, bj('2026-12-13 10:00'), NO_EXCEPTIONS)).toEqual({
      open: false,
      why: 'closed_day',
      nextOpen: iso('2026-12-14 08:30'),
    });
  });

  it('a public holiday closes the centre, and the next opening skips the whole holiday', () => {
    // National Day 2026: 1–7 October (Thursday to Wednesday); Saturday 10 October is a make-up working day.
    const golden = calendar([
      ...['01', '02', '03', '04', '05', '06', '07'].map((d): [string, 'holiday'] => [
        `2026-10-${d}`,
        'holiday',
      ]),
      ['2026-10-10', 'workday'],
    ]);
    expect(openingState(HOURS, bj('2026-10-01 10:00'), golden)).toEqual({
      open: false,
      why: 'holiday',
      nextOpen: iso('2026-10-08 08:30'),
    });
    // The evening before the holiday: "after hours", next opening after it.
    expect(openingState(HOURS, bj('2026-09-30 18:00'), golden)).toEqual({
      open: false,
      why: 'after_hours',
      nextOpen: iso('2026-10-08 08:30'),
    });
  });

  it("a make-up working day on a weekend keeps Monday's hours (lunch break included)", () => {
    const makeUp = calendar([['2026-10-10', 'workday']]);
    expect(hoursOn(HOURS, '2026-10-10', makeUp)).toEqual(weekday);
    expect(openingState(HOURS, bj('2026-10-10 15:00'), makeUp)).toEqual({
      open: true,
      until: iso('2026-10-10 17:30'),
      lunch: false,
    });
    // Without the exception it is an ordinary Saturday: closed after noon.
    expect(openingState(HOURS, bj('2026-10-10 15:00'), NO_EXCEPTIONS).open).toBe(false);
  });

  it('a week with no open day has no next opening', () => {
    const never = { ...HOURS, mon: null, tue: null, wed: null, thu: null, fri: null, sat: null };
    expect(openingState(never, bj('2026-12-07 10:00'), NO_EXCEPTIONS)).toEqual({
      open: false,
      why: 'closed_day',
      nextOpen: null,
    });
  });

  it('sessions are Beijing times whatever the day (two with a lunch break, one without, none closed)', () => {
    expect(sessionsOn(HOURS, '2026-12-07', NO_EXCEPTIONS)).toEqual([
      { from: bj('2026-12-07 08:30'), to: bj('2026-12-07 12:00') },
      { from: bj('2026-12-07 14:00'), to: bj('2026-12-07 17:30') },
    ]);
    expect(sessionsOn(HOURS, '2026-12-12', NO_EXCEPTIONS)).toHaveLength(1);
    expect(sessionsOn(HOURS, '2026-12-13', NO_EXCEPTIONS)).toEqual([]);
  });
});

describe('the week in short', () => {
  it('groups consecutive days with the same hours, Monday first', () => {
    expect(weekStretches(HOURS)).toEqual([
      { from: 'mon', to: 'fri', hours: weekday },
      { from: 'sat', to: 'sat', hours: { open: '09:00', close: '12:00' } },
      { from: 'sun', to: 'sun', hours: null },
    ]);
  });
});

describe('validation of opening hours', () => {
  const problems = (value: unknown) => {
    const r = dayHoursSchema.safeParse(value);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts a day with and without a lunch break', () => {
    expect(problems(weekday)).toEqual([]);
    expect(problems({ open: '09:00', close: '12:00' })).toEqual([]);
  });

  it('refuses a time that is not HH:MM', () => {
    expect(problems({ open: '8:30', close: '17:30' })[0]).toMatch(/^open: .*HH:MM/);
    expect(problems({ open: '08:30', close: '24:00' })[0]).toMatch(/^close: .*HH:MM/);
    expect(problems({ open: '08:60', close: '17:30' })[0]).toMatch(/^open: /);
    expect(problems({ open: 830, close: '17:30' })[0]).toMatch(/^open: /);
  });

  it('refuses closing before opening, and a lunch break outside the hours or backwards', () => {
    expect(problems({ open: '17:30', close: '08:30' })).toEqual([
      'close: closes (08:30) before it opens (17:30)',
    ]);
    expect(problems({ open: '08:30', close: '08:30' })).toHaveLength(1);
    expect(problems({ open: '08:30', close: '17:30', lunch: { from: '07:00', to: '09:00' } })).toEqual([
      'lunch: the lunch break 07:00–09:00 is not inside the opening hours 08:30–17:30',
    ]);
    expect(problems({ open: '08:30', close: '17:30', lunch: { from: '12:00', to: '18:00' } })[0]).toMatch(
      /not inside/,
    );
    expect(problems({ open: '08:30', close: '17:30', lunch: { from: '14:00', to: '12:00' } })).toEqual([
      'lunch: the lunch break ends (12:00) before it starts (14:00)',
    ]);
  });

  it('a week must name every day (null for closed) and nothing else', () => {
    expect(weekHoursSchema.safeParse(HOURS).success).toBe(true);
    const { sun: _sun, ...noSunday } = HOURS;
    expect(weekHoursSchema.safeParse(noSunday).success).toBe(false);
    expect(weekHoursSchema.safeParse({ ...HOURS, holiday: null }).success).toBe(false);
  });
});
