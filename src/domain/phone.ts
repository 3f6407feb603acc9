/**
 * Mainland China mobile numbers, as typed by a resident or as Telegram's shared contact gives them
 * (`phone_number` is digits with the country code, with or without a leading `+`: `8613812345678`).
 */
import type { Parsed } from './id-number.ts';

/**
 * - `empty`: nothing but spaces;
 * - `not_mobile`: looks like a landline (starts with an area code 0… but not 00, or 7-8 digits);
 * - `format`: anything else that is not an 11-digit mobile number starting with 13-19
 *   (letters, wrong length, a 12… number, a foreign country code).
 */
export type PhoneError = 'empty' | 'format' | 'not_mobile';

const MAX_INPUT_LENGTH = 40;
const MOBILE = /^1[3-9]\d{9}$/;

/** Value: the 11-digit number, e.g. `13812345678`. */
export function parsePhone(input: string): Parsed<string, PhoneError> {
  if (input.length > MAX_INPUT_LENGTH) return { ok: false, error: 'format' };
  const text = toHalfWidth(input).replace(/[\s\-\u2010-\u2015\u2212()]/g, '');
  if (text === '') return { ok: false, error: 'empty' };

  const digits = stripCountryCode(text);
  if (digits === undefined || !/^\d+$/.test(digits)) return { ok: false, error: 'format' };
  if (MOBILE.test(digits)) return { ok: true, value: digits };
  const areaCode = digits.startsWith('0') && !digits.startsWith('00');
  if (areaCode || digits.length === 7 || digits.length === 8) {
    return { ok: false, error: 'not_mobile' };
  }
  return { ok: false, error: 'format' };
}

/**
 * `+86…` always drops the prefix; `0086…` and a bare `86…` only when 11 digits remain (so a number
 * that merely starts with 86 is left alone). Any other `+` country code is not mainland: undefined.
 */
function stripCountryCode(text: string): string | undefined {
  if (text.startsWith('+')) return text.startsWith('+86') ? text.slice(3) : undefined;
  if (/^0086\d{11}$/.test(text)) return text.slice(4);
  if (/^86\d{11}$/.test(text)) return text.slice(2);
  return text;
}

/** Full-width ASCII (０-９, ＋, （ ）, －, …) to ASCII, ideographic space to a space. */
function toHalfWidth(text: string): string {
  return text
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}
