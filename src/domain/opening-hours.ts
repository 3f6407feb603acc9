// A community service centre's opening hours: by weekday, each day open from `open` to `close` with an
// optional lunch break inside; a public holiday closes the centre; a make-up working day (调休, a weekend
// day worked) keeps Monday's hours. All times are Beijing wall-clock times.
import { z } from 'zod';
import { beijingDateString, beijingInstant } from './beijing-time.ts';
import type { WorkCalendar } from './working-days.ts';

/** Weekday keys, in the order of `Date.getUTCDay()` (Sunday first). */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** The order people read a week in (Monday first). */
export const WEEK_ORDER: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (00:00 to 23:59)');

/** Minutes since midnight of an `HH:MM` time. */
export function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export const dayHoursSchema = z
  .object({
    open: clock,
    close: clock,
    lunch: z.object({ from: clock, to: clock }).strict().optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (minutesOf(d.open) >= minutesOf(d.close)) {
      ctx.addIssue({
        code: 'custom',
        path: ['close'],
        message: `closes (${d.close}) before it opens (${d.open})`,
      });
    }
    if (!d.lunch) return;
    const { from, to } = d.lunch;
    if (minutesOf(from) >= minutesOf(to)) {
      ctx.addIssue({
        code: 'custom',
        path: ['lunch'],
        message: `the lunch break ends (${to}) before it starts (${from})`,
      });
    } else if (minutesOf(from) <= minutesOf(d.open) || minutesOf(to) >= minutesOf(d.close)) {
      ctx.addIssue({
        code: 'custom',
        path: ['lunch'],
        message: `the lunch break ${from}–${to} is not inside the opening hours ${d.open}–${d.close}`,
      });
    }
  });

export type DayHours = z.infer<typeof dayHoursSchema>;

/** Every weekday, `null` for a closed day. */
export const weekHoursSchema = z
  .object(
    Object.fromEntries(WEEKDAYS.map((d) => [d, dayHoursSchema.nullable()])) as Record<
      Weekday,
      z.ZodNullable<typeof dayHoursSchema>
    >,
  )
  .strict();

export type WeekHours = z.infer<typeof weekHoursSchema>;

/** A stretch of a day when the centre is open, as instants. */
export interface Session {
  from: Date;
  to: Date;
}

const weekdayOf = (date: string): Weekday => WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] as Weekday;

/** The hours that apply on `date` (YYYY-MM-DD, Beijing): null when closed (holiday or closed weekday). */
export function hoursOn(hours: WeekHours, date: string, calendar: WorkCalendar): DayHours | null {
  const exception = calendar.exceptions.get(date);
  if (exception === 'holiday') return null;
  // A weekend worked as a weekday: the hours of the first open weekday (Monday's, as a rule).
  if (exception === 'workday')
    return hours.mon ?? hours.tue ?? hours.wed ?? hours.thu ?? hours.fri ?? hours[weekdayOf(date)];
  return hours[weekdayOf(date)];
}

/** Whether `date` is a public holiday (the centre is closed whatever its weekday hours say). */
export const isHoliday = (date: string, calendar: WorkCalendar): boolean =>
  calendar.exceptions.get(date) === 'holiday';

function sessionsOf(day: DayHours, date: string): Session[] {
  const at = (hhmm: string) => beijingInstant(date, minutesOf(hhmm) / 60);
  if (!day.lunch) return [{ from: at(day.open), to: at(day.close) }];
  return [
    { from: at(day.open), to: at(day.lunch.from) },
    { from: at(day.lunch.to), to: at(day.close) },
  ];
}

/** The open stretches of `date`, in order; none on a closed day. */
export function sessionsOn(hours: WeekHours, date: string, calendar: WorkCalendar): Session[] {
  const day = hoursOn(hours, date, calendar);
  return day ? sessionsOf(day, date) : [];
}

const nextDate = (date: string) =>
  new Date(new Date(`${date}T00:00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10);

/** How far ahead the next opening is looked for: past a long holiday with weekends around it. */
const LOOK_AHEAD_DAYS = 21;

/**
 * Whether the centre is open at `now`, and what comes next:
 * - open: until when, and whether that is the lunch break (it opens again the same day) or closing time;
 * - closed: why (lunch, not open yet today, closed for the day, a closed weekday, a holiday) and when it
 *   next opens (null when it does not open in the next three weeks: the hours list no open day at all).
 */
export type OpeningState =
  | { open: true; until: string; lunch: boolean }
  | {
      open: false;
      why: 'lunch' | 'not_yet' | 'after_hours' | 'closed_day' | 'holiday';
      nextOpen: string | null;
    };

export function openingState(hours: WeekHours, now: Date, calendar: WorkCalendar): OpeningState {
  const today = beijingDateString(now);
  const t = now.getTime();
  const todays = sessionsOn(hours, today, calendar);
  const current = todays.findIndex((s) => s.from.getTime() <= t && t < s.to.getTime());
  if (current >= 0) {
    const session = todays[current] as Session;
    return { open: true, until: session.to.toISOString(), lunch: current < todays.length - 1 };
  }
  const later = todays.find((s) => s.from.getTime() > t);
  if (later) {
    const why = todays[0] && todays[0].from.getTime() > t ? 'not_yet' : 'lunch';
    return { open: false, why, nextOpen: later.from.toISOString() };
  }
  const why = isHoliday(today, calendar) ? 'holiday' : todays.length === 0 ? 'closed_day' : 'after_hours';
  let date = today;
  for (let i = 0; i < LOOK_AHEAD_DAYS; i++) {
    date = nextDate(date);
    const first = sessionsOn(hours, date, calendar)[0];
    if (first) return { open: false, why, nextOpen: first.from.toISOString() };
  }
  return { open: false, why, nextOpen: null };
}

/** Consecutive weekdays (Monday first) with the same hours, for a short summary: Mon–Fri, Sat, Sun. */
export interface WeekStretch {
  from: Weekday;
  to: Weekday;
  hours: DayHours | null;
}

const sameHours = (a: DayHours | null, b: DayHours | null) => JSON.stringify(a) === JSON.stringify(b);

export function weekStretches(hours: WeekHours): WeekStretch[] {
  const out: WeekStretch[] = [];
  for (const day of WEEK_ORDER) {
    const last = out[out.length - 1];
    if (last && sameHours(last.hours, hours[day])) last.to = day;
    else out.push({ from: day, to: day, hours: hours[day] });
  }
  return out;
}
