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
