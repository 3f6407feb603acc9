// Community notices: what a notice may contain, who it is for, when it may start, and the
// arithmetic of its sending (backoff, progress, reconciliation). No Telegram, no database.

import { BEIJING_OFFSET_MS, beijingDateString } from './beijing-time.ts';
import { isRealDate } from './id-number.ts';

const MINUTE_MS = 60_000;

/** A text message may hold 4,096 characters and a photo caption 1,024; the header takes the rest. */
export const NOTICE_TEXT_MAX = 3000;
export const NOTICE_CAPTION_TEXT_MAX = 900;
/** A notice may be scheduled at most this far ahead. */
export const MAX_SCHEDULE_DAYS = 30;
/** "Households with school-age children": a member aged 6 to 15 (compulsory education) on the day it starts. */
export const SCHOOL_AGE = { min: 6, max: 15 } as const;
/** Telegram's bulk limit is about 30 messages a second; the default leaves room for replies to residents. */
export const DEFAULT_NOTICE_RATE = 25;
export const MAX_NOTICE_RATE = 30;
/** Telegram allows about one message a second to one chat. */
export const PER_CHAT_INTERVAL_MS = 1000;

export const AUDIENCE_KINDS = [
  'community',
  'buildings',
  'school_children',
  'open_case',
  'job_seekers',
  'no_one_employed',
] as const;
export type AudienceKind = (typeof AUDIENCE_KINDS)[number];

export type Audience =
  | { kind: 'community' }
  | { kind: 'buildings'; buildingIds: string[] }
  | { kind: 'school_children' }
  | { kind: 'open_case'; serviceCode: string }
  /** A reminder (from the console's follow-up): whoever has not yet read the important notice `noticeId`. */
  | { kind: 'unread'; noticeId: string }
  /** Households where someone is looking for work (src/domain/employment.ts); their resident gets it. */
  | { kind: 'job_seekers' }
  /** Households below the policy's red line: labour, and nobody employed (`belowRedLine`). */
  | { kind: 'no_one_employed' };

export interface NoticeDraft {
  communityCode: string;
  /** The Chinese version, or the only version (then everyone gets it, whatever their language). */
  textZh: string;
  /** The English version, for residents who use the bot in English. */
  textEn: string | null;
  photoFileId: string | null;
  audience: Audience;
  important: boolean;
  /** null: start now. */
  scheduledAt: Date | null;
}

export const NOTICE_PROBLEMS = [
  'text_empty',
  'text_too_long',
  'caption_too_long',
  'no_buildings',
  'schedule_past',
  'schedule_too_far',
] as const;
export type NoticeProblem = (typeof NOTICE_PROBLEMS)[number];

/** The longest a notice's text may be: shorter with a photo (it becomes the photo's caption). */
export function textLimit(withPhoto: boolean): number {
  return withPhoto ? NOTICE_CAPTION_TEXT_MAX : NOTICE_TEXT_MAX;
}

/** Everything wrong with a draft, in the order a worker would fix it; empty when it may be sent. */
export function noticeProblems(draft: NoticeDraft, now: Date): NoticeProblem[] {
  const problems: NoticeProblem[] = [];
  const texts = [draft.textZh, ...(draft.textEn === null ? [] : [draft.textEn])];
  if (texts.some((t) => t.trim().length === 0)) problems.push('text_empty');
  const longest = Math.max(...texts.map((t) => t.length));
  if (longest > NOTICE_TEXT_MAX) problems.push('text_too_long');
  else if (draft.photoFileId !== null && longest > NOTICE_CAPTION_TEXT_MAX) problems.push('caption_too_long');
  if (draft.audience.kind === 'buildings' && draft.audience.buildingIds.length === 0)
    problems.push('no_buildings');
  if (draft.scheduledAt !== null) {
    if (draft.scheduledAt.getTime() <= now.getTime()) problems.push('schedule_past');
    else if (draft.scheduledAt.getTime() > now.getTime() + MAX_SCHEDULE_DAYS * 86_400_000)
      problems.push('schedule_too_far');
  }
  return problems;
}

/** The version a resident gets: their language's when there is one, otherwise the only one. */
export function versionFor(locale: string, textZh: string, textEn: string | null): string {
  return locale === 'en' && textEn !== null ? textEn : textZh;
}

/** A short title for lists and reports: the first line, cut to `max` characters. */
export function noticeTitle(text: string, max = 24): string {
  const first = (text.trim().split('\n')[0] ?? '').trim();
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

export const SCHEDULE_ERRORS = ['format', 'past', 'too_far'] as const;
export type ScheduleError = (typeof SCHEDULE_ERRORS)[number];

/**
 * A start time typed by a worker, in Beijing time: `HH:MM` (today, or tomorrow if that has passed),
 * `MM-DD HH:MM` or `YYYY-MM-DD HH:MM`. Full-width digits, `：`, `/`, `.` and 月/日 are accepted.
 */
export function parseScheduleTime(
  input: string,
  now: Date,
): { ok: true; value: Date } | { ok: false; error: ScheduleError } {
  const text = input
    .normalize('NFKC')
    .trim()
    .replace(/[年月/.]/g, '-')
    .replace(/[日号]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/-\s/g, '-')
    .trim();
  const m = /^(?:(?:(\d{4})-)?(\d{1,2})-(\d{1,2}) ?)?(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return { ok: false, error: 'format' };
  const [hour, minute] = [Number(m[4]), Number(m[5])];
  if (hour > 23 || minute > 59) return { ok: false, error: 'format' };
  const today = beijingDateString(now);
  let year = Number(m[1] ?? today.slice(0, 4));
  let month = Number(m[2] ?? today.slice(5, 7));
  let day = Number(m[3] ?? today.slice(8, 10));
  if (!isRealDate(year, month, day)) return { ok: false, error: 'format' };
  let at = beijingWallClock(year, month, day, hour, minute);
  if (m[2] === undefined && at.getTime() <= now.getTime()) {
    // "08:00" typed at 20:00 means tomorrow morning.
    const tomorrow = new Date(at.getTime() + 86_400_000 + BEIJING_OFFSET_MS);
    [year, month, day] = [tomorrow.getUTCFullYear(), tomorrow.getUTCMonth() + 1, tomorrow.getUTCDate()];
    at = beijingWallClock(year, month, day, hour, minute);
  } else if (m[1] === undefined && m[2] !== undefined && at.getTime() <= now.getTime()) {
    // "01-05 09:00" typed in December means next January.
    if (!isRealDate(year + 1, month, day)) return { ok: false, error: 'past' };
    at = beijingWallClock(year + 1, month, day, hour, minute);
  }
  if (at.getTime() <= now.getTime()) return { ok: false, error: 'past' };
  if (at.getTime() > now.getTime() + MAX_SCHEDULE_DAYS * 86_400_000) return { ok: false, error: 'too_far' };
  return { ok: true, value: at };
}

function beijingWallClock(year: number, month: number, day: number, hour: number, minute: number): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute) - BEIJING_OFFSET_MS);
}

/** `YYYY-MM-DD HH:MM` in Beijing time. */
/** The Beijing calendar date a notice's audience is computed for (ages of children). */
export function audienceDay(now: Date): string {
  return beijingDateString(now);
}

// ---------- sending ----------

/** After a 5xx or a network error: 2 s, 4 s, 8 s … up to a minute, with up to 20 % random spread. */
export function retryDelayMs(attempt: number, random: number): number {
  const base = Math.min(2 ** Math.max(1, attempt), 60) * 1000;
  return Math.round(base * (1 + 0.2 * Math.min(Math.max(random, 0), 1)));
}

/** Requests (not 429s) a recipient may cost before the notice is recorded as failed for them. */
export const MAX_SEND_ATTEMPTS = 5;

export const DELIVERY_STATUSES = [
  'pending',
  'claimed',
  'sending',
  'delivered',
  'unreachable',
  'failed',
  'uncertain',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export type DeliveryCounts = Record<DeliveryStatus, number>;

export function emptyCounts(): DeliveryCounts {
  return { pending: 0, claimed: 0, sending: 0, delivered: 0, unreachable: 0, failed: 0, uncertain: 0 };
}

/** Recipients still waiting for a (first or repeated) attempt, or in the middle of one. */
export function remaining(c: DeliveryCounts): number {
  return c.pending + c.claimed + c.sending;
}

export function totalOf(c: DeliveryCounts): number {
  return remaining(c) + c.delivered + c.unreachable + c.failed + c.uncertain;
}

/** Done: delivered + unreachable + failed + uncertain account for every recipient. */
export function isComplete(c: DeliveryCounts, recipients: number): boolean {
  return remaining(c) === 0 && c.delivered + c.unreachable + c.failed + c.uncertain === recipients;
}

/** A text progress bar: ▓ for done, ░ for the rest. */
export function progressBar(done: number, total: number, width = 10): string {
  const filled = total <= 0 ? width : Math.min(width, Math.floor((done / total) * width));
  return '▓'.repeat(filled) + '░'.repeat(width - filled);
}

export function percent(done: number, total: number): number {
  return total <= 0 ? 100 : Math.floor((done / total) * 100);
}

/** When the rest should be sent, at `rate` messages a second. */
export function estimatedFinish(left: number, rate: number, now: Date): Date {
  return new Date(now.getTime() + Math.ceil((left / Math.max(rate, 0.1)) * 1000));
}

/** Whole minutes, at least one: "about N minutes left". */
export function minutesLeft(finish: Date, now: Date): number {
  return Math.max(1, Math.ceil((finish.getTime() - now.getTime()) / MINUTE_MS));
}
