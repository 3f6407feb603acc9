/**
 * Names, birth dates and rooms as residents type them, and the rules that tie a household member's
 * birth date to their ID number. Dates are Asia/Shanghai calendar dates (see id-number.ts).
 */
import { ageOn, checkBirthDate, type DateError, type IdNumber, type Parsed } from './id-number.ts';

export type NameError = 'empty' | 'too_long' | 'invalid_chars';
export type BirthDateError = 'empty' | 'format' | DateError;
export type RoomError = 'empty' | 'too_long' | 'invalid_chars';

const MAX_NAME_LENGTH = 30;
const MAX_ROOM_LENGTH = 10;
/** Children under this age may be registered without an ID number. */
const ID_REQUIRED_FROM_AGE = 16;
/** Longer inputs are rejected before any regular expression runs over them. */
const MAX_RAW_LENGTH = 200;

const MIDDLE_DOT = '·';
/** Dots people type in transliterated names (阿依古丽·买买提): bullet, ASCII/full-width/katakana dots. */
const DOT_VARIANTS = /[•.．・‧∙⋅]/g;
/**
 * A name: letters of any script (with their combining marks, but not emoji variation selectors),
 * separated by single spaces, hyphens or middle dots; it starts with a letter and ends with a letter.
 */
const LETTER = String.raw`(?:\p{L}(?:(?![\uFE00-\uFE0F])[\p{Mn}\p{Mc}])*)`;
const NAME = new RegExp(String.raw`^${LETTER}+(?:[ \-·]${LETTER}+)*$`, 'u');

/** Value: the tidied name (trimmed, inner spaces collapsed, dots normalised to `·`). */
export function parsePersonName(input: string): Parsed<string, NameError> {
  if (input.length > MAX_RAW_LENGTH) return { ok: false, error: 'too_long' };
  const name = input
    .replace(/[\s\u3000]+/g, ' ')
    .trim()
    .replace(DOT_VARIANTS, MIDDLE_DOT)
    .replace(/ ?· ?/g, MIDDLE_DOT);
  if (name === '') return { ok: false, error: 'empty' };
  if ([...name].length > MAX_NAME_LENGTH) return { ok: false, error: 'too_long' };
  if (!NAME.test(name)) return { ok: false, error: 'invalid_chars' };
  return { ok: true, value: name };
}

/**
 * Accepts `2015-03-08`, `2015/3/8`, `2015.3.8`, `20150308`, `2015年3月8日` (or …号), with full-width
 * digits or spaces. The date must be real, not before 1900 and not after today. Value: YYYY-MM-DD.
 */
export function parseBirthDate(input: string, today: Date): Parsed<string, BirthDateError> {
  if (input.length > MAX_RAW_LENGTH) return { ok: false, error: 'format' };
  const text = toHalfWidth(input).replace(/\s+/g, '');
  if (text === '') return { ok: false, error: 'empty' };
  const match =
    /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(text) ??
    /^(\d{4})(年)(\d{1,2})月(\d{1,2})[日号]?$/.exec(text) ??
    /^(\d{4})()(\d{2})(\d{2})$/.exec(text);
  if (!match) return { ok: false, error: 'format' };
  return checkBirthDate(Number(match[1]), Number(match[3]), Number(match[4]), today);
}

/**
 * A room within a building: `302`, `12-3`, `B301`. Full-width characters are normalised, spaces
 * dropped, letters upper-cased and a trailing 室/号 dropped. Value: e.g. `B301`.
 */
export function parseRoom(input: string): Parsed<string, RoomError> {
  if (input.length > MAX_RAW_LENGTH) return { ok: false, error: 'too_long' };
  const room = toHalfWidth(input)
    .replace(/\s+/g, '')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[室号]$/, '')
    .toUpperCase();
  if (room === '') return { ok: false, error: 'empty' };
  if (room.length > MAX_ROOM_LENGTH) return { ok: false, error: 'too_long' };
  if (!/^[0-9A-Z]+(?:-[0-9A-Z]+)*$/.test(room)) return { ok: false, error: 'invalid_chars' };
  return { ok: true, value: room };
}

/** An ID number is required for everyone except children under 16 (on `today`, Asia/Shanghai). */
export function idNumberRequiredFor(birthDate: string, today: Date): boolean {
  return ageOn(birthDate, today) >= ID_REQUIRED_FROM_AGE;
}

/**
 * When a member gives both an ID number and a birth date, the date inside the ID must be that date.
 * Either one missing is fine (a young child without an ID).
 */
export function checkMemberIdMatches(
  idValue: Pick<IdNumber, 'birthDate'> | null | undefined,
  birthDate: string | null | undefined,
): Parsed<null, 'birth_date_mismatch'> {
  if (idValue && birthDate && idValue.birthDate !== birthDate) {
    return { ok: false, error: 'birth_date_mismatch' };
  }
  return { ok: true, value: null };
}

/** Full-width ASCII (０-９, Ａ-Ｚ, －, ／, ．) to ASCII, ideographic space to a space. */
function toHalfWidth(text: string): string {
  return text
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}
