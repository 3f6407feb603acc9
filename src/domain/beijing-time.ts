// Beijing time, the one clock of the service: residents, staff, due times and notices all live in
// Asia/Shanghai (UTC+8, no daylight saving since 1991), whatever time zone the server runs in. Every
// conversion between an instant and a Beijing calendar date or wall-clock time goes through this file.
export const BEIJING_OFFSET_MS = 8 * 3600_000;

export interface CalendarDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

const shifted = (instant: Date) => new Date(instant.getTime() + BEIJING_OFFSET_MS);

/** The Beijing calendar date at `instant`, as YYYY-MM-DD. */
export function beijingDateString(instant: Date): string {
  return shifted(instant).toISOString().slice(0, 10);
}

/** The Beijing calendar date at `instant`. */
export function beijingDate(instant: Date): CalendarDate {
  const d = shifted(instant);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The instant `hour`:00 Beijing time on `date` (YYYY-MM-DD); hours may be fractional or 24. */
export function beijingInstant(date: string, hour: number): Date {
  return new Date(new Date(`${date}T00:00:00Z`).getTime() + hour * 3600_000 - BEIJING_OFFSET_MS);
}

/** The Beijing wall-clock time at `at`, to the minute: "YYYY-MM-DD HH:MM". */
export function beijingMinute(at: Date): string {
  return shifted(at).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * Part of the day, the way people say it in Chinese: 凌晨 before 6, 上午 until noon, 中午 from 12 to 1,
 * 下午 until 7 pm, 晚上 after that; exactly 00:00 is "midnight" (the end of the day before).
 */
export type DayPart = 'midnight' | 'early_morning' | 'morning' | 'noon' | 'afternoon' | 'evening';

/** An instant as people say it: which day (today, tomorrow, or a date with its weekday), part of day, time. */
export interface SpokenTime {
  date: CalendarDate;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Relative to `now`: today or tomorrow, else null (the date is said). */
  relative: 'today' | 'tomorrow' | null;
  /** Whether the year must be said (not the year of `now`). */
  withYear: boolean;
  part: DayPart;
  /** 0–23 */
  hour: number;
  /** 1–12, the hour as it is said ("下午6点", "6 pm"; midnight and noon are 12). */
  hour12: number;
  minute: number;
}

function dayPart(hour: number, minute: number): DayPart {
  if (hour === 0 && minute === 0) return 'midnight';
  if (hour < 6) return 'early_morning';
  if (hour < 12) return 'morning';
  if (hour < 13) return 'noon';
  if (hour < 19) return 'afternoon';
  return 'evening';
}

const dayNumber = (d: CalendarDate) => Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;

/**
 * `at` as people say it, seen from `now` (both instants; Beijing time). Exactly midnight belongs to the day
 * that ends then ("by midnight on Thursday", not "by 0:00 on Friday").
 */
export function spokenTime(at: Date, now: Date): SpokenTime {
  const wall = shifted(at);
  const hour = wall.getUTCHours();
  const minute = wall.getUTCMinutes();
  const part = dayPart(hour, minute);
  const day = part === 'midnight' ? new Date(wall.getTime() - 60_000) : wall;
  const date = { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() };
  const today = beijingDate(now);
  const ahead = dayNumber(date) - dayNumber(today);
  return {
    date,
    weekday: day.getUTCDay(),
    relative: ahead === 0 ? 'today' : ahead === 1 ? 'tomorrow' : null,
    withYear: date.year !== today.year,
    part,
    hour,
    hour12: hour % 12 === 0 ? 12 : hour % 12,
    minute,
  };
}

/** Whole hours from `now` to `at`, rounded (at least 1): "within 2 hours". */
export function hoursUntil(at: Date, now: Date): number {
  return Math.max(1, Math.round((at.getTime() - now.getTime()) / 3600_000));
}
