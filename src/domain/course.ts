// Skills-training courses (reference data) as a sign-up form offers them: a course is open until the day it
// starts, and while it has seats. A seat is taken by a sign-up case that is open or was resolved (a resolved
// case that was then closed still holds it); a withdrawn or rejected sign-up frees it.
import type { CaseStatus } from './case-status.ts';
import { OPEN_STATUSES } from './case-status.ts';

export interface CourseInfo {
  code: string;
  nameZh: string;
  nameEn: string;
  placeZh: string;
  placeEn: string;
  /** The first and last day, YYYY-MM-DD (Beijing). */
  start: string;
  end: string;
  seats: number;
  /** Seats taken by sign-up cases (SEAT_STATUSES). */
  taken: number;
}

/** The statuses of a case that hold its course seat (and a closed case that had been resolved). */
export const SEAT_STATUSES: readonly CaseStatus[] = [...OPEN_STATUSES, 'resolved'];

/** Started (or over) on `today` (YYYY-MM-DD, Beijing): no longer open for sign-up. */
export const courseStarted = (c: Pick<CourseInfo, 'start'>, today: string): boolean => c.start <= today;

export const seatsLeft = (c: Pick<CourseInfo, 'seats' | 'taken'>): number => Math.max(0, c.seats - c.taken);

/** The courses a resident may sign up for today: not started, with a seat left; soonest first. */
export function offeredCourses<C extends CourseInfo>(list: readonly C[], today: string): C[] {
  return list
    .filter((c) => !courseStarted(c, today) && seatsLeft(c) > 0)
    .sort((a, b) => a.start.localeCompare(b.start) || a.code.localeCompare(b.code));
}
