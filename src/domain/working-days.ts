// Due times in working days: Monday–Friday, minus public holidays, plus the weekend days that China
// declares make-up working days (调休). The calendar comes from the reference data. All dates are
// Asia/Shanghai calendar dates (UTC+8, no daylight saving since 1991).
import { beijingDateString, beijingInstant } from './beijing-time.ts';

/** Office hours end: a case due "in 5 working days" is due at 18:00 Beijing time on the 5th working day. */
export const DUE_HOUR = 18;

export interface WorkCalendar {
  /** YYYY-MM-DD → holiday (no work on a weekday) or workday (work on a weekend day). */
  exceptions: ReadonlyMap<string, 'holiday' | 'workday'>;
}

export function isWorkingDay(date: string, calendar: WorkCalendar): boolean {
  const exception = calendar.exceptions.get(date);
  if (exception) return exception === 'workday';
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

function nextDate(date: string): string {
  return new Date(new Date(`${date}T00:00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10);
}

/**
 * The end of the `days`-th working day after `from` (the day of submission does not count, as at a
 * window: filed on Friday before a holiday week, the count starts on the first working day after it).
 */
export function addWorkingDays(from: Date, days: number, calendar: WorkCalendar): Date {
  if (!Number.isInteger(days) || days < 1)
    throw new RangeError(`days must be a positive integer, got ${days}`);
  let date = beijingDateString(from);
  let counted = 0;
  while (counted < days) {
    date = nextDate(date);
    if (isWorkingDay(date, calendar)) counted++;
  }
  return beijingInstant(date, DUE_HOUR);
}

export function addHours(from: Date, hours: number): Date {
  return new Date(from.getTime() + hours * 3600_000);
}
