/**
 * Resident identity numbers (GB 11643-1999) and the calendar-date rules shared by every birth date.
 *
 * Dates: the service runs for residents in Guizhou, so "today" is the calendar date in Asia/Shanghai.
 * China has used a fixed UTC+8 offset without daylight saving since 1991, so the date is read from
 * `today` shifted by +8 h with the UTC getters. This is pure (no Intl/ICU, no process TZ) and gives the
 * same answer on a server running in UTC, in Shanghai or anywhere else.
 */

/** Result of a parser: never throws on user input; `error` is a short code the bot maps to words. */
export type Parsed<T, E extends string> = { ok: true; value: T } | { ok: false; error: E };

export type Sex = 'male' | 'female';

export interface IdNumber {
  /** Canonical 18-character form: 17 digits + check character (0-9 or upper-case X). */
  idNumber: string;
  /** YYYY-MM-DD, taken from digits 7-14. */
  birthDate: string;
  /** From the 17th digit: odd = male, even = female. */
  sex: Sex;
}

export type IdNumberError = 'empty' | 'format' | 'checksum' | 'birth_date' | 'future' | 'too_old';

export type DateError = 'invalid_date' | 'future' | 'too_old';

/** ISO 7064 MOD 11-2 weights for the first 17 digits, and the check character for each remainder. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;

import { beijingDate, type CalendarDate } from './beijing-time.ts';

const CHECK_CHARS = '10X98765432';

/** Anything longer than this cannot be an ID number even with spaces; rejected before any work. */
const MAX_INPUT_LENGTH = 64;
const EARLIEST_BIRTH_YEAR = 1900;

/** The check character (0-9 or X) for the first 17 digits. Throws RangeError if not 17 ASCII digits. */
export function idCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('idCheckChar expects exactly 17 ASCII digits');
  let sum = 0;
  for (let i = 0; i < WEIGHTS.length; i++) sum += (first17.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS.charAt(sum % 11);
}

/**
 * Parses what a resident typed or pasted. Accepts the 18-character form and the old 15-digit form
 * (converted to 18 by inserting "19" before the two-digit year and computing the check character).
 * Spaces, hyphens, full-width digits and a lower-case or full-width x are tolerated.
 * Checks in order: format, check character (18-digit form only), then the birth date.
 */
export function parseIdNumber(input: string, today: Date): Parsed<IdNumber, IdNumberError> {
  if (input.length > MAX_INPUT_LENGTH) return { ok: false, error: 'format' };
  const text = normaliseIdInput(input);
  if (text === '') return { ok: false, error: 'empty' };

  let idNumber: string;
  if (/^[1-9]\d{16}[\dX]$/.test(text)) {
    if (idCheckChar(text.slice(0, 17)) !== text.charAt(17)) return { ok: false, error: 'checksum' };
    idNumber = text;
  } else if (/^[1-9]\d{14}$/.test(text)) {
    // Old form: 6-digit area + YYMMDD + 3-digit sequence, issued to people born in the 1900s.
    const first17 = `${text.slice(0, 6)}19${text.slice(6)}`;
    idNumber = first17 + idCheckChar(first17);
  } else {
    return { ok: false, error: 'format' };
  }

  const date = checkBirthDate(
    Number(idNumber.slice(6, 10)),
    Number(idNumber.slice(10, 12)),
    Number(idNumber.slice(12, 14)),
    today,
  );
  if (!date.ok) return { ok: false, error: date.error === 'invalid_date' ? 'birth_date' : date.error };

  const sex: Sex = (idNumber.charCodeAt(16) - 48) % 2 === 1 ? 'male' : 'female';
  return { ok: true, value: { idNumber, birthDate: date.value, sex } };
}

/**
 * Full years of age on `today` (Asia/Shanghai calendar). Someone born on 29 February turns a year
 * older on 1 March in common years. Negative if `birthDate` is after today.
 * Throws RangeError if `birthDate` is not YYYY-MM-DD: it comes from a parser, never from a resident.
 */
export function ageOn(birthDate: string, today: Date): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!match) throw new RangeError('ageOn expects a YYYY-MM-DD birth date');
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const now = beijingDate(today);
  const hadBirthday = now.month > month || (now.month === month && now.day >= day);
  return now.year - year - (hadBirthday ? 0 : 1);
}

/** True for a real Gregorian calendar date (30 February fails, 29 February only in leap years). */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/**
 * A birth date must be a real date, not before 1900 and not after today (Asia/Shanghai).
 * Value: YYYY-MM-DD.
 */
export function checkBirthDate(
  year: number,
  month: number,
  day: number,
  today: Date,
): Parsed<string, DateError> {
  if (!isRealDate(year, month, day)) return { ok: false, error: 'invalid_date' };
  if (year < EARLIEST_BIRTH_YEAR) return { ok: false, error: 'too_old' };
  const iso = formatDate({ year, month, day });
  if (iso > formatDate(beijingDate(today))) return { ok: false, error: 'future' };
  return { ok: true, value: iso };
}

/** YYYY-MM-DD (years 1000-9999 sort correctly as strings). */
export function formatDate(date: CalendarDate): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Drops whitespace and dashes, maps full-width digits to ASCII and every x (any width/case) to X. */
function normaliseIdInput(input: string): string {
  return input
    .replace(/[\s\-\u2010-\u2015\u2212\uFF0D]/g, '')
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[xX\uFF38\uFF58]/g, 'X');
}
