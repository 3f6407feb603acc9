// Rules of the household file that do not depend on storage or Telegram.
import { ageOn } from './id-number.ts';
export const RELATIONS = [
  'spouse',
  'child',
  'parent',
  'grandchild',
  'grandparent',
  'sibling',
  'other',
] as const;
export type Relation = (typeof RELATIONS)[number];

export const SEXES = ['male', 'female'] as const;

/** Bump when the wording of the personal-information consent changes; stored with each resident. */
export const CONSENT_VERSION = '2026-11-v1';

/** A household file holds at most this many other members: a guard against runaway input, not a policy. */
export const MAX_MEMBERS = 20;

/** A spouse in the household file is at least this old (a child "spouse" is a wrong button, not a family). */
export const SPOUSE_MIN_AGE = 18;
/** A parent is at least this many years older than their child (step-parents and adoption included). */
export const GENERATION_GAP_YEARS = 12;

/**
 * Why a household member's relation to the resident cannot be right given both birth dates, or null:
 * - `spouse_too_young`: a spouse under SPOUSE_MIN_AGE;
 * - `child_too_old` / `grandchild_too_old`: not at least one / two generation gaps younger than the resident;
 * - `parent_too_young` / `grandparent_too_young`: not at least one / two generation gaps older.
 * Siblings and "other" may be any age. Dates are `YYYY-MM-DD` (Beijing calendar dates).
 */
export type RelationAgeProblem =
  | 'spouse_too_young'
  | 'child_too_old'
  | 'grandchild_too_old'
  | 'parent_too_young'
  | 'grandparent_too_young';

export const RELATION_AGE_PROBLEMS: readonly RelationAgeProblem[] = [
  'spouse_too_young',
  'child_too_old',
  'grandchild_too_old',
  'parent_too_young',
  'grandparent_too_young',
];

/** The date `years` later (29 February becomes 1 March in a common year, as for birthdays). */
function yearsAfter(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const at = new Date(Date.UTC(y + years, m - 1, d));
  return at.toISOString().slice(0, 10);
}

export function relationAgeProblem(
  relation: string,
  memberBirthDate: string,
  residentBirthDate: string,
  today: Date,
): RelationAgeProblem | null {
  const gap = (generations: number) => GENERATION_GAP_YEARS * generations;
  switch (relation) {
    case 'spouse':
      return ageOn(memberBirthDate, today) < SPOUSE_MIN_AGE ? 'spouse_too_young' : null;
    case 'child':
      return memberBirthDate < yearsAfter(residentBirthDate, gap(1)) ? 'child_too_old' : null;
    case 'grandchild':
      return memberBirthDate < yearsAfter(residentBirthDate, gap(2)) ? 'grandchild_too_old' : null;
    case 'parent':
      return yearsAfter(memberBirthDate, gap(1)) > residentBirthDate ? 'parent_too_young' : null;
    case 'grandparent':
      return yearsAfter(memberBirthDate, gap(2)) > residentBirthDate ? 'grandparent_too_young' : null;
    default:
      return null;
  }
}
