import { describe, expect, it } from 'vitest';
import { parseIdNumber } from '../../src/domain/id-number.ts';
import { maskIdNumber, maskName } from '../../src/domain/mask.ts';
import {
  checkMemberIdMatches,
  idNumberRequiredFor,
  parseBirthDate,
  parsePersonName,
  parseRoom,
} from '../../src/domain/person.ts';
import { adultMan, child, elder, minorityName } from '../support/fixtures.ts';

/** 2025-06-15 11:00 in Asia/Shanghai. */
const TODAY = new Date('2025-06-15T03:00:00Z');

describe('parsePersonName: accepted', () => {
  it.each([
    ['Chinese', '张三丰', '张三丰'],
    ['one character', '张', '张'],
    ['surrounding spaces', '  王小梅 ', '王小梅'],
    ['middle dot', '阿依古丽·买买提', '阿依古丽·买买提'],
    ['bullet normalised to middle dot', '阿依古丽•买买提', '阿依古丽·买买提'],
    ['ASCII dot normalised', '阿依古丽.买买提', '阿依古丽·买买提'],
    ['full-width dot normalised', '阿依古丽．买买提', '阿依古丽·买买提'],
    ['katakana middle dot normalised', '阿依古丽・买买提', '阿依古丽·买买提'],
    ['spaces around the dot dropped', '阿依古丽 · 买买提', '阿依古丽·买买提'],
    ['English with a space', 'Li Wei', 'Li Wei'],
    ['inner spaces collapsed', 'Li   Wei', 'Li Wei'],
    ['ideographic space collapsed', 'Li\u3000Wei', 'Li Wei'],
    ['hyphen', 'Anne-Marie Dupont', 'Anne-Marie Dupont'],
    ['accented Latin', 'José Müller', 'José Müller'],
    ['combining accent', 'Jose\u0301', 'Jose\u0301'],
    ['Uyghur (Arabic script)', 'ئەخمەت', 'ئەخمەت'],
    ['30 characters', '张'.repeat(30), '张'.repeat(30)],
  ])('%s', (_label, input, value) => {
    expect(parsePersonName(input)).toEqual({ ok: true, value });
  });

  it('counts characters, not UTF-16 units (30 supplementary-plane letters pass)', () => {
    expect(parsePersonName('𠀀'.repeat(30)).ok).toBe(true);
    expect(parsePersonName('𠀀'.repeat(31))).toEqual({ ok: false, error: 'too_long' });
  });
});

describe('parsePersonName: rejected', () => {
  it.each([
    ['empty', '', 'empty'],
    ['only spaces', '    ', 'empty'],
    ['only ideographic spaces', '\u3000\u3000', 'empty'],
    ['31 characters', '张'.repeat(31), 'too_long'],
    ['5,000 characters', '张'.repeat(5000), 'too_long'],
    ['emoji', '张三😀', 'invalid_chars'],
    ['emoji with variation selector', '张三❤️', 'invalid_chars'],
    ['digits', '张三2', 'invalid_chars'],
    ['full-width digits', '张三２', 'invalid_chars'],
    ['symbols', '张三!', 'invalid_chars'],
    ['Chinese punctuation', '张三，李四', 'invalid_chars'],
    ['control character', '张\u0000三', 'invalid_chars'],
    ['zero-width joiner', '张\u200d三', 'invalid_chars'],
    ['bell control character', '张\u0007三', 'invalid_chars'],
    ['only a dot', '·', 'invalid_chars'],
    ['leading dot', '·买买提', 'invalid_chars'],
    ['trailing hyphen', 'Anne-', 'invalid_chars'],
    ['double dot', '阿依古丽··买买提', 'invalid_chars'],
    ['apostrophe', "O'Brien", 'invalid_chars'],
    ['HTML', '<b>张三</b>', 'invalid_chars'],
  ])('%s → %s', (_label, input, error) => {
    expect(parsePersonName(input)).toEqual({ ok: false, error });
  });
});

describe('parseBirthDate', () => {
  it.each([
    ['2015-03-08', '2015-03-08'],
    ['2015-3-8', '2015-03-08'],
    ['2015/3/8', '2015-03-08'],
    ['2015/03/08', '2015-03-08'],
    ['2015.3.8', '2015-03-08'],
    ['20150308', '2015-03-08'],
    ['2015年3月8日', '2015-03-08'],
    ['2015年03月08日', '2015-03-08'],
    ['2015年3月8号', '2015-03-08'],
    ['2015年3月8', '2015-03-08'],
    ['２０１５年３月８日', '2015-03-08'],
    ['２０１５－０３－０８', '2015-03-08'],
    ['２０１５／３／８', '2015-03-08'],
    ['２０１５．３．８', '2015-03-08'],
    ['２０１５０３０８', '2015-03-08'],
    [' 2015 年 3 月 8 日 ', '2015-03-08'],
    ['2024-02-29', '2024-02-29'],
    ['1900-01-01', '1900-01-01'],
    ['2025-06-15', '2025-06-15'],
  ])('%s → %s', (input, value) => {
    expect(parseBirthDate(input, TODAY)).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['2015-3/8', 'format'],
    ['15-03-08', 'format'],
    ['2015-03', 'format'],
    ['2015308', 'format'],
    ['201538', 'format'],
    ['2015-003-08', 'format'],
    ['08/03/2015', 'format'],
    ['March 8, 2015', 'format'],
    ['2015年3月', 'format'],
    ['二〇一五年三月八日', 'format'],
    ['2015-03-08T00:00', 'format'],
    ['1'.repeat(5000), 'format'],
    ['2015-02-30', 'invalid_date'],
    ['2023-02-29', 'invalid_date'],
    ['1900-02-29', 'invalid_date'],
    ['2015-13-01', 'invalid_date'],
    ['2015-00-10', 'invalid_date'],
    ['2015-04-31', 'invalid_date'],
    ['20150230', 'invalid_date'],
    ['2025-06-16', 'future'],
    ['2099年1月1日', 'future'],
    ['1899-12-31', 'too_old'],
    ['1066-10-14', 'too_old'],
  ])('%s → %s', (input, error) => {
    expect(parseBirthDate(input, TODAY)).toEqual({ ok: false, error });
  });

  it('uses the Shanghai calendar for "today"', () => {
    expect(parseBirthDate('2025-06-15', new Date('2025-06-14T16:30:00Z')).ok).toBe(true);
    expect(parseBirthDate('2025-06-15', new Date('2025-06-14T15:30:00Z'))).toEqual({
      ok: false,
      error: 'future',
    });
  });
});

describe('parseRoom', () => {
  it.each([
    ['302', '302'],
    ['12-3', '12-3'],
    ['B301', 'B301'],
    ['b301', 'B301'],
    [' 302 ', '302'],
    ['３０２', '302'],
    ['Ｂ３０１', 'B301'],
    ['12－3', '12-3'],
    ['12—3', '12-3'],
    ['302室', '302'],
    ['12-3号', '12-3'],
    ['1-2-301', '1-2-301'],
    ['1234567890', '1234567890'],
  ])('%s → %s', (input, value) => {
    expect(parseRoom(input)).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'empty'],
    ['  ', 'empty'],
    ['室', 'empty'],
    ['12345678901', 'too_long'],
    ['1'.repeat(5000), 'too_long'],
    ['三零二', 'invalid_chars'],
    ['302!', 'invalid_chars'],
    ['-302', 'invalid_chars'],
    ['302-', 'invalid_chars'],
    ['12--3', 'invalid_chars'],
    ['12/3', 'invalid_chars'],
    ['😀', 'invalid_chars'],
  ])('%s → %s', (input, error) => {
    expect(parseRoom(input)).toEqual({ ok: false, error });
  });
});

describe('idNumberRequiredFor', () => {
  it.each([
    ['2019-06-15', false], // 6
    ['2009-06-16', false], // 15, turns 16 tomorrow
    ['2009-06-15', true], // 16 today
    ['1985-03-08', true],
    ['1948-05-16', true],
    ['2025-06-15', false], // born today
  ])('born %s → %s', (birthDate, required) => {
    expect(idNumberRequiredFor(birthDate, TODAY)).toBe(required);
  });

  it('fixtures: the child needs none, adults and the elder do', () => {
    const now = new Date();
    expect(idNumberRequiredFor(child.birthDate, now)).toBe(false);
    expect(idNumberRequiredFor(adultMan.birthDate, now)).toBe(true);
    expect(idNumberRequiredFor(elder.birthDate, now)).toBe(true);
  });
});

describe('checkMemberIdMatches', () => {
  const parsed = parseIdNumber(adultMan.idNumber, TODAY);
  if (!parsed.ok) throw new Error('fixture ID must parse');
  const id = parsed.value;

  it.each([
    ['same date', id, '1985-03-08', { ok: true, value: null }],
    ['different date', id, '1985-03-09', { ok: false, error: 'birth_date_mismatch' }],
    ['no ID', null, '1985-03-09', { ok: true, value: null }],
    ['no birth date', id, undefined, { ok: true, value: null }],
    ['neither', undefined, null, { ok: true, value: null }],
  ])('%s', (_label, idValue, birthDate, expected) => {
    expect(checkMemberIdMatches(idValue, birthDate)).toEqual(expected);
  });
});

describe('maskIdNumber', () => {
  it.each([
    ['522201198503081234', '522*************34'],
    ['11010519491231002X', '110*************2X'],
    ['12345', '*****'],
    ['', ''],
  ])('%s → %s', (id, masked) => {
    expect(maskIdNumber(id)).toBe(masked);
    expect(maskIdNumber(id)).toHaveLength(id.length);
  });
});

describe('maskName', () => {
  it.each([
    ['张', '*'],
    ['张三', '张*'],
    ['张三丰', '张**'],
    ['欧阳', '欧*'],
    ['欧阳修', '欧阳*'],
    ['欧阳娜娜', '欧阳**'],
    ['司马光明', '司马**'],
    [minorityName, '阿***·***'],
    ['Li Wei', 'L* ***'],
    ['Anne-Marie', 'A***-*****'],
    ['𠀀𠀁', '𠀀*'],
    ['', ''],
  ])('%s → %s', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });
});
