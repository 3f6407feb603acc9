/**
 * Sums of money as residents type them: `1500`, `1,500`, `3000元`, `1500块`, `¥1500`, full-width digits,
 * and Chinese numerals the way people say them — `一千五` (1500), `1千5`, `一千五百`, `两千`, `1.5万`,
 * `一万二` (12000), `三百五` (350), `一千零五十`, financial numerals (`壹仟伍佰`). "没有" / "无" is 0.
 * Whole yuan only.
 */
import type { Parsed } from './id-number.ts';

/**
 * - `empty`: nothing written;
 * - `range`: two amounts ("1000-2000", "一千到两千"): one number is needed;
 * - `fraction`: not whole yuan (1500.5);
 * - `not_number`: anything else that is not an amount (words, a negative sign, several numbers).
 */
export type MoneyError = 'empty' | 'range' | 'fraction' | 'not_number';

const MAX_INPUT_LENGTH = 40;

const DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  壹: 1,
  二: 2,
  贰: 2,
  两: 2,
  三: 3,
  叁: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};

const UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const WAN = new Set(['万', '萬']);
const NOTHING = new Set(['没有', '无', '没', '零', '没收入', '没有收入', '无收入']);

/** A decimal number as an exact fraction: `1.5` is 15/10. */
interface Exact {
  num: number;
  den: number;
}

type Token = { kind: 'number'; n: Exact; single: boolean } | { kind: 'unit'; u: number } | { kind: 'zero' };

function tokenize(text: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const arabic = /^\d+(?:\.\d+)?/.exec(rest);
    if (arabic) {
      const [whole, fraction = ''] = arabic[0].split('.');
      const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '');
      if (digits.length > 12) return null;
      tokens.push({
        kind: 'number',
        n: { num: Number(digits), den: 10 ** fraction.length },
        single: arabic[0].length === 1,
      });
      i += arabic[0].length;
      continue;
    }
    const ch = rest[0] as string;
    if (ch === '零' || ch === '〇') {
      // A zero between digits ("一千零五") only says a place is empty.
      tokens.push({ kind: 'zero' });
    } else if (ch in DIGITS) {
      tokens.push({ kind: 'number', n: { num: DIGITS[ch] as number, den: 1 }, single: true });
    } else if (ch in UNITS) {
      tokens.push({ kind: 'unit', u: UNITS[ch] as number });
    } else if (WAN.has(ch)) {
      tokens.push({ kind: 'unit', u: 10_000 });
    } else {
      return null;
    }
    i += 1;
  }
  return tokens;
}

const times = (a: Exact, k: number): Exact => ({ num: a.num * k, den: a.den });
const plus = (a: Exact, b: Exact): Exact =>
  a.den === b.den
    ? { num: a.num + b.num, den: a.den }
    : { num: a.num * b.den + b.num * a.den, den: a.den * b.den };

/** The amount of a run of tokens, or null when they are not one number. */
function evaluate(tokens: Token[]): Exact | null {
  let total: Exact = { num: 0, den: 1 };
  let section: Exact = { num: 0, den: 1 };
  let pending: Token & { kind: 'number' } = { kind: 'number', n: { num: 0, den: 1 }, single: false };
  let hasPending = false;
  let lastUnit: number | null = null;
  let zeroSince = false;
  let seenWan = false;
  for (const token of tokens) {
    if (token.kind === 'zero') {
      if (hasPending) return null; // "五零" is not how anyone writes a number
      zeroSince = true;
      continue;
    }
    if (token.kind === 'number') {
      if (hasPending) return null; // two numbers in a row: "一五", "1 5"
      pending = token;
      hasPending = true;
      continue;
    }
    if (token.u === 10_000) {
      if (seenWan) return null;
      const head = hasPending ? plus(section, pending.n) : section;
      if (head.num === 0) return null;
      total = times(head, 10_000);
      section = { num: 0, den: 1 };
      seenWan = true;
    } else {
      if (lastUnit !== null && lastUnit !== 10_000 && token.u >= lastUnit) return null; // "百千"
      // "十五" is fifteen: a leading 十 stands for 一十.
      const count = hasPending ? pending.n : token.u === 10 ? { num: 1, den: 1 } : null;
      if (count === null) return null;
      section = plus(section, times(count, token.u));
    }
    lastUnit = token.u;
    hasPending = false;
    zeroSince = false;
  }
  if (hasPending) {
    // "一千五" is 1500 and "一万二" 12000: a last single digit right after a unit counts in the next unit
    // down — unless a zero came between ("一千零五" is 1005).
    const step = lastUnit !== null && lastUnit > 10 && !zeroSince && pending.single ? lastUnit / 10 : 1;
    section = plus(section, times(pending.n, step));
  }
  return plus(total, section);
}

/** Value: whole yuan, e.g. 1500. */
export function parseMoney(input: string): Parsed<number, MoneyError> {
  if (input.length > MAX_INPUT_LENGTH) return { ok: false, error: 'not_number' };
  let text = input
    .normalize('NFKC')
    .replace(/[\s,，'’_]/g, '')
    .replace(/。$/, '');
  if (text === '') return { ok: false, error: 'empty' };
  text = text
    .replace(/^(每个?月|一个月|月收入|收入|大概|大约|约|共|一共|总共|全家|¥|￥|rmb|RMB)+/i, '')
    .replace(/(人民币|块钱|块|元钱|元|圆|钱|左右|上下|多|一个月|每月|\/月)+$/i, '');
  if (NOTHING.has(text)) return { ok: true, value: 0 };
  if (text === '') return { ok: false, error: 'not_number' };
  if (/[-~～—–到至或]/.test(text) && /[\d一二两三四五六七八九十百千万]/.test(text)) {
    const parts = text.split(/[-~～—–到至或]+/).filter((p) => p !== '');
    if (parts.length >= 2) return { ok: false, error: 'range' };
    return { ok: false, error: 'not_number' };
  }
  const tokens = tokenize(text);
  if (!tokens || tokens.length === 0) return { ok: false, error: 'not_number' };
  const amount = evaluate(tokens);
  if (!amount) return { ok: false, error: 'not_number' };
  if (amount.num % amount.den !== 0) return { ok: false, error: 'fraction' };
  const yuan = amount.num / amount.den;
  if (!Number.isSafeInteger(yuan)) return { ok: false, error: 'not_number' };
  return { ok: true, value: yuan };
}
