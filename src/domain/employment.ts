// Employment in the household file, and the relocation policy's red line: "at least one person employed in
// every household with labour". No Telegram, no database (the same rule is written as SQL in
// src/db/repositories/labour.ts; test/unit/employment.test.ts and the integration test keep them in step).
import { ageOn } from './id-number.ts';

export const EMPLOYMENT_STATUSES = [
  'employed_local',
  'employed_away',
  'looking',
  'not_in_labour_force',
  'student',
] as const;
export type EmploymentStatus = (typeof EMPLOYMENT_STATUSES)[number];

/** Working age as the policy counts labour: 16 to 60 years old, both included. */
export const WORKING_AGE = { min: 16, max: 60 } as const;

export const isEmployed = (status: EmploymentStatus | null): boolean =>
  status === 'employed_local' || status === 'employed_away';

/**
 * Whether a person counts as the household's labour: of working age, and neither a student nor out of the
 * labour force. Someone whose status nobody gave yet counts (the red line is there to find them).
 */
export function isLabour(person: { birthDate: string; employment: EmploymentStatus | null }, today: Date) {
  const age = ageOn(person.birthDate, today);
  if (age < WORKING_AGE.min || age > WORKING_AGE.max) return false;
  return person.employment !== 'student' && person.employment !== 'not_in_labour_force';
}

/**
 * The red line: the household has labour (someone `isLabour`) and nobody is employed, locally or away.
 * A household whose only employed person is over 60 is not below it: someone works.
 */
export function belowRedLine(
  people: readonly { birthDate: string; employment: EmploymentStatus | null }[],
  today: Date,
): boolean {
  return people.some((p) => isLabour(p, today)) && !people.some((p) => isEmployed(p.employment));
}

/**
 * Services whose cases the human-resources window may answer with job recommendations: those whose
 * definition declares `"recommendations": true` (reference/services/5-job_seeking.json). What a service does
 * to a person's employment status is declared beside it (`"sets": { "employment": … }`, the definition's
 * `setsEmployment`).
 */
export const isJobSeekingService = (service: { recommendations?: boolean } | undefined): boolean =>
  service?.recommendations === true;

// ---------- job recommendations ----------

export const MAX_JOBS_PER_ANSWER = 10;
export const JOB_FIELD_MAX = { employer: 60, pay: 40, place: 60, contact: 60 } as const;
export type JobField = keyof typeof JOB_FIELD_MAX;
export const JOB_FIELDS = Object.keys(JOB_FIELD_MAX) as JobField[];

export interface Job {
  employer: string;
  pay: string;
  place: string;
  contact: string;
}

export type JobFieldError = 'empty' | 'too_long';

/** One field of a job as staff type it: trimmed, inner whitespace collapsed, within its length. */
export function parseJobField(
  field: JobField,
  input: string,
): { ok: true; value: string } | { ok: false; error: JobFieldError } {
  if (input.length > 1000) return { ok: false, error: 'too_long' };
  const value = input.replace(/\s+/g, ' ').trim();
  if (value === '') return { ok: false, error: 'empty' };
  if ([...value].length > JOB_FIELD_MAX[field]) return { ok: false, error: 'too_long' };
  return { ok: true, value };
}
