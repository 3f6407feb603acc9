import { describe, expect, it } from 'vitest';
import { beijingDate } from '../../src/domain/beijing-time.ts';
import { ageOn, idCheckChar, isRealDate, parseIdNumber } from '../../src/domain/id-number.ts';
import { adultMan, adultWoman, child, elder, makeIdNumber } from '../support/fixtures.ts';

/** 2025-06-15 11:00 in Asia/Shanghai. */
const TODAY = new Date('2025-06-15T03:00:00Z');

describe('idCheckChar', () => {
  // Expected values computed independently (the two examples are from the GB 11643-1999 text itself).
  it.each([
    ['11010519491231002', 'X'],
    ['44052418800101001', '4'],
    ['52220119850308123', '4'],
    ['52220119800308101', '9'],
    ['52220120240229001', 'X'],
  ])('%s → %s', (first17, check) => {
    expect(idCheckChar(first17)).toBe(check);
  });

  it('throws on anything but 17 ASCII digits (programmer error, not user input)', () => {
    expect(() => idCheckChar('1234')).toThrow(RangeError);
    expect(() => idCheckChar('5222011985030812X')).toThrow(RangeError);
  });
});

describe('parseIdNumber: accepted', () => {
  it.each([
    ['plain 18 digits', '522201198503081234', '522201198503081234', '1985-03-08', 'male'],
    ['check character X', '11010519491231002X', '11010519491231002X', '1949-12-31', 'female'],
    ['lower-case x', '11010519491231002x', '11010519491231002X', '1949-12-31', 'female'],
    ['full-width digits', '５２２２０１１９８５０３０８１２３４', '522201198503081234', '1985-03-08', 'male'],
    ['full-width Ｘ', '１１０１０５１９４９１２３１００２Ｘ', '11010519491231002X', '1949-12-31', 'female'],
    ['full-width ｘ', '11010519491231002ｘ', '11010519491231002X', '1949-12-31', 'female'],
    ['spaces inside', '522201 19850308 1234', '522201198503081234', '1985-03-08', 'male'],
    ['hyphens inside', '522201-19850308-1234', '522201198503081234', '1985-03-08', 'male'],
    [
      'surrounding whitespace and ideographic space',
      ' \t522201\u300019850308 1234\n',
      '522201198503081234',
      '1985-03-08',
      'male',
    ],
    ['even 17th digit is female', '522201198503082122', '522201198503082122', '1985-03-08', 'female'],
    ['29 February in a leap year', '52220120240229001X', '52220120240229001X', '2024-02-29', 'male'],
    ['29 February 2000 (divisible by 400)', '522201200002290011', '522201200002290011', '2000-02-29', 'male'],
    ['born 1 January 1900', '522201190001010018', '522201190001010018', '1900-01-01', 'male'],
    ['born today', '522201202506150011', '522201202506150011', '2025-06-15', 'male'],
    ['15-digit old form', '522201800308101', '522201198003081019', '1980-03-08', 'male'],
    ['15-digit old form, female', '522201480516462', '522201194805164627', '1948-05-16', 'female'],
    ['15-digit old form with spaces', '522201 800308 101', '522201198003081019', '1980-03-08', 'male'],
  ])('%s', (_label, input, idNumber, birthDate, sex) => {
    expect(parseIdNumber(input, TODAY)).toEqual({ ok: true, value: { idNumber, birthDate, sex } });
  });
});

describe('parseIdNumber: rejected', () => {
  it.each([
    ['empty', '', 'empty'],
    ['only spaces', '   \u3000 ', 'empty'],
    ['bad check character', '522201198503081235', 'checksum'],
    ['check character X where a digit is due', '52220119850308123X', 'checksum'],
    ['one digit mistyped', '522201198503081334', 'checksum'],
    ['30 February', '522201201902300013', 'birth_date'],
    ['29 February in a common year', '522201202302290012', 'birth_date'],
    ['29 February 1900 (not a leap year)', '522201190002290015', 'birth_date'],
    ['29 February 1990', '522201199002290016', 'birth_date'],
    ['month 13', '522201201913010011', 'birth_date'],
    ['day 00', '522201201901000019', 'birth_date'],
    ['15-digit with 30 February', '522201800230101', 'birth_date'],
    ['born tomorrow', '522201202506160017', 'future'],
    ['born 2030', makeIdNumber({ birthDate: '2030-01-01' }), 'future'],
    ['born 1899', '522201189912310013', 'too_old'],
    ['born 1880 (GB 11643 example)', '440524188001010014', 'too_old'],
    ['17 characters', '52220119850308123', 'format'],
    ['19 characters', '5222011985030812345', 'format'],
    ['16 digits', '5222011985030812', 'format'],
    ['14 digits', '52220180030810', 'format'],
    ['X in the middle', '5222011985X3081234', 'format'],
    ['letters', 'ABCDEFGHIJKLMNOPQR', 'format'],
    ['15 digits ending in X', '52220180030810X', 'format'],
    ['area code starting with 0', '022201198503081234', 'format'],
    ['Chinese label pasted in', '身份证522201198503081234', 'format'],
    ['dots as separators', '522201.19850308.1234', 'format'],
    ['5,000 characters', '5'.repeat(5000), 'format'],
    ['5,000 spaces', ' '.repeat(5000), 'format'],
  ])('%s → %s', (_label, input, error) => {
    expect(parseIdNumber(input, TODAY)).toEqual({ ok: false, error });
  });

  it('never throws on odd input', () => {
    for (const input of ['\u0000', '😀'.repeat(18), '１'.repeat(18), 'x'.repeat(18), '-'.repeat(40)]) {
      expect(() => parseIdNumber(input, TODAY)).not.toThrow();
      expect(parseIdNumber(input, TODAY).ok).toBe(false);
    }
  });
});

describe('Asia/Shanghai dates', () => {
  it('judges "future" by the Shanghai calendar, not UTC or the process time zone', () => {
    // 2025-06-14 16:30 UTC is already 2025-06-15 00:30 in Shanghai.
    const justAfterMidnight = new Date('2025-06-14T16:30:00Z');
    expect(parseIdNumber('522201202506150011', justAfterMidnight).ok).toBe(true);
    // 15:59 UTC is still 2025-06-14 23:59 in Shanghai.
    const justBeforeMidnight = new Date('2025-06-14T15:59:00Z');
    expect(parseIdNumber('522201202506150011', justBeforeMidnight)).toEqual({ ok: false, error: 'future' });
  });

  it('beijingDate shifts by +8 h', () => {
    expect(beijingDate(new Date('2025-12-31T16:00:00Z'))).toEqual({ year: 2026, month: 1, day: 1 });
    expect(beijingDate(new Date('2025-12-31T15:59:59Z'))).toEqual({ year: 2025, month: 12, day: 31 });
  });

  it.each([
    [2024, 2, 29, true],
    [2023, 2, 29, false],
    [2000, 2, 29, true],
    [1900, 2, 29, false],
    [2025, 4, 31, false],
    [2025, 12, 31, true],
    [2025, 0, 1, false],
    [2025, 1, 0, false],
  ])('isRealDate(%i, %i, %i) = %s', (y, m, d, real) => {
    expect(isRealDate(y, m, d)).toBe(real);
  });
});

describe('ageOn', () => {
  it.each([
    ['1985-03-08', '2025-03-07T12:00:00Z', 39],
    ['1985-03-08', '2025-03-07T16:00:00Z', 40], // already 8 March in Shanghai
    ['1985-03-08', '2025-03-08T03:00:00Z', 40],
    ['2009-06-15', '2025-06-14T03:00:00Z', 15],
    ['2009-06-15', '2025-06-15T03:00:00Z', 16],
    ['2024-02-29', '2025-02-28T03:00:00Z', 0],
    ['2024-02-29', '2025-03-01T03:00:00Z', 1],
    ['2025-06-15', '2025-06-15T03:00:00Z', 0],
    ['1948-05-16', '2025-06-15T03:00:00Z', 77],
  ])('born %s, on %s → %i', (birthDate, today, age) => {
    expect(ageOn(birthDate, new Date(today))).toBe(age);
  });

  it('throws on a malformed birth date (programmer error)', () => {
    expect(() => ageOn('8/3/1985', TODAY)).toThrow(RangeError);
  });
});

describe('fixtures', () => {
  it.each([adultMan, adultWoman, child, elder])('$name has a valid ID matching birth date and sex', (p) => {
    expect(parseIdNumber(p.idNumber, new Date())).toEqual({
      ok: true,
      value: { idNumber: p.idNumber, birthDate: p.birthDate, sex: p.sex },
    });
  });

  it('the child is six and the elder was born in 1948', () => {
    expect(ageOn(child.birthDate, new Date())).toBe(6);
    expect(elder.birthDate.startsWith('1948-')).toBe(true);
  });

  it('makeIdNumber honours area, seq and sex', () => {
    expect(makeIdNumber({ birthDate: '1985-03-08', seq: 123 })).toBe('522201198503081234');
    expect(makeIdNumber({ area: '110105', birthDate: '1949-12-31', seq: 2 })).toBe('11010519491231002X');
    expect(makeIdNumber({ birthDate: '1985-03-08', seq: 123, sex: 'female' }).slice(14, 17)).toBe('122');
    expect(makeIdNumber({ birthDate: '1985-03-08', seq: 0, sex: 'male' }).slice(14, 17)).toBe('001');
  });
});
