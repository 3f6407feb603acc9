// Rules of the staff's side that need neither Telegram nor the database: queue filters, overdue marks,
// invite codes as people type them, the deadline timers (urgent cases not taken, the morning digest).

import { beijingDateString, beijingInstant } from './beijing-time.ts';
import { type CaseStatus, isOpen } from './case-status.ts';
import { isWorkingDay, type WorkCalendar } from './working-days.ts';

export const QUEUE_FILTERS = ['open', 'unassigned', 'mine', 'waiting'] as const;
export type QueueFilter = (typeof QUEUE_FILTERS)[number];
export const QUEUE_PAGE_SIZE = 8;

/** An urgent case nobody took within this many minutes alerts every staff member of its department. */
export const URGENT_TAKE_MINUTES = 15;
/** The morning digest goes out from this hour (Beijing time) on working days … */
export const DIGEST_HOUR = 8;
/** … until this one: a bot that was down all morning does not send a "morning" digest in the afternoon. */
export const DIGEST_UNTIL_HOUR = 12;
/** Resolved and rejected cases close by themselves after this many days (the resident's reopen window). */
export const AUTO_CLOSE_DAYS = 7;
/** How long an invite code stays valid. */
export const INVITE_TTL_HOURS = 48;
/** Wrong /join codes one person may send per hour before being told to wait. */
export const JOIN_ATTEMPTS_PER_HOUR = 5;
/** Longest reply, question, note, answer or reason a staff member may write. */
export const STAFF_TEXT_MAX = 2000;
/**
 * Longest words that go with a staff member's voice message or photo: they travel as its caption, which
 * Telegram keeps under 1,024 characters together with the case's header and the hint below them.
 */
export const STAFF_CAPTION_MAX = 800;

export function isQueueFilter(value: string): value is QueueFilter {
  return (QUEUE_FILTERS as readonly string[]).includes(value);
}

export function isOverdue(status: CaseStatus, dueAt: Date, now: Date): boolean {
  return isOpen(status) && dueAt.getTime() < now.getTime();
}

/** Due before the end of today (Beijing), not overdue yet. */
export function isDueToday(status: CaseStatus, dueAt: Date, now: Date): boolean {
  return (
    isOpen(status) && !isOverdue(status, dueAt, now) && dueAt.getTime() < endOfShanghaiDay(now).getTime()
  );
}

export function endOfShanghaiDay(now: Date): Date {
  return beijingInstant(beijingDateString(now), 24);
}

export function startOfShanghaiDay(now: Date): Date {
  return beijingInstant(beijingDateString(now), 0);
}

/** The digest's period (a Beijing date) when one is due now: a working day, DIGEST_HOUR to DIGEST_UNTIL_HOUR. */
export function digestPeriod(now: Date, calendar: WorkCalendar): string | null {
  const date = beijingDateString(now);
  if (!isWorkingDay(date, calendar)) return null;
  const t = now.getTime();
  return t >= beijingInstant(date, DIGEST_HOUR).getTime() &&
    t < beijingInstant(date, DIGEST_UNTIL_HOUR).getTime()
    ? date
    : null;
}

// Invite codes: 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown in groups of
// four. 31^12 ≈ 7.9 × 10^17 codes: with a few tries an hour, guessing is hopeless.
export const INVITE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const INVITE_LENGTH = 12;

/** Random bytes → a code in the alphabet (rejection sampling: every character equally likely). */
export function inviteCodeFromBytes(bytes: Uint8Array): string | null {
  const limit = 256 - (256 % INVITE_ALPHABET.length);
  let code = '';
  for (const b of bytes) {
    if (b >= limit) continue;
    code += INVITE_ALPHABET[b % INVITE_ALPHABET.length];
    if (code.length === INVITE_LENGTH) return code;
  }
  return null;
}

export function formatInviteCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

/** What a person typed (spaces, dashes, lower case, full-width letters) → the canonical code, or null. */
export function normalizeInviteCode(typed: string): string | null {
  const code = typed
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_.·—]/g, '');
  if (code.length !== INVITE_LENGTH) return null;
  return [...code].every((c) => INVITE_ALPHABET.includes(c)) ? code : null;
}
