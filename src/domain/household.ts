// Rules of the household file that do not depend on storage or Telegram.
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
