import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../src/domain/mask.ts';
import { parsePhone } from '../../src/domain/phone.ts';

describe('parsePhone: accepted', () => {
  it.each([
    ['plain', '13812345678'],
    ['+86', '+8613812345678'],
    ['+86 with a space', '+86 138 1234 5678'],
    ['+86 with hyphens', '+86-138-1234-5678'],
    ['0086', '008613812345678'],
    ['86 prefix (Telegram contact without +)', '8613812345678'],
    ['spaces', '138 1234 5678'],
    ['hyphens', '138-1234-5678'],
    ['parentheses', '(+86) 138 1234 5678'],
    ['full-width digits', '１３８１２３４５６７８'],
    ['full-width +86 and Chinese parentheses', '（＋８６）１３８－１２３４－５６７８'],
    ['ideographic spaces and surrounding whitespace', '\u3000138\u30001234\u30005678 \n'],
  ])('%s', (_label, input) => {
    expect(parsePhone(input)).toEqual({ ok: true, value: '13812345678' });
  });

  it.each(['13000000000', '14912345678', '15812345678', '16612345678', '17012345678', '19912345678'])(
    'prefix range 13-19: %s',
    (input) => {
      expect(parsePhone(input)).toEqual({ ok: true, value: input });
    },
  );

  it('a number starting with 86 is not mistaken for a country code', () => {
    // 11 digits starting with 86 are not a mobile number; the prefix is not stripped either.
    expect(parsePhone('86123456789')).toEqual({ ok: false, error: 'format' });
  });
});

describe('parsePhone: rejected', () => {
  it.each([
    ['empty', '', 'empty'],
    ['only spaces', '   ', 'empty'],
    ['landline with area code', '0851-5221234', 'not_mobile'],
    ['landline with 4-digit area code and 8 digits', '0856 52212345', 'not_mobile'],
    ['local landline, 8 digits', '52212345', 'not_mobile'],
    ['local landline, 7 digits', '5221234', 'not_mobile'],
    ['12 digits', '138123456789', 'format'],
    ['10 digits', '1381234567', 'format'],
    ['starts with 12', '12812345678', 'format'],
    ['starts with 11', '11812345678', 'format'],
    ['starts with 10', '10812345678', 'format'],
    ['letters', '138abcd5678', 'format'],
    ['another country code', '+447911123456', 'format'],
    ['+86 with too few digits', '+86138123456', 'format'],
    ['0086 with too many digits', '0086138123456789', 'format'],
    ['dots as separators', '138.1234.5678', 'format'],
    ['5,000 characters', '1'.repeat(5000), 'format'],
  ])('%s → %s', (_label, input, error) => {
    expect(parsePhone(input)).toEqual({ ok: false, error });
  });
});

describe('maskPhone', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['1381234', '*******'],
    ['', ''],
  ])('%s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});
