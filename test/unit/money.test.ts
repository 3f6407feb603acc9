import { describe, expect, it } from 'vitest';
import { parseMoney } from '../../src/domain/money.ts';

describe('parseMoney: amounts as residents write them', () => {
  it.each([
    ['1500', 1500],
    ['1,500', 1500],
    ['1，500', 1500],
    [' 1500 ', 1500],
    ['１５００', 1500],
    ['3000元', 3000],
    ['3000 元', 3000],
    ['1500块', 1500],
    ['1500块钱', 1500],
    ['¥1500', 1500],
    ['￥1,500', 1500],
    ['1500元/月', 1500],
    ['每月1500元', 1500],
    ['一个月1500', 1500],
    ['大概1500左右', 1500],
    ['一千五', 1500],
    ['一千五百', 1500],
    ['一千五百元', 1500],
    ['1千5', 1500],
    ['1千5百', 1500],
    ['1千50', 1050],
    ['两千', 2000],
    ['二千', 2000],
    ['1.5万', 15_000],
    ['1.5千', 1500],
    ['一万二', 12_000],
    ['一万二千', 12_000],
    ['2万5', 25_000],
    ['十万', 100_000],
    ['二十万', 200_000],
    ['三百五', 350],
    ['十五', 15],
    ['二十五', 25],
    ['一千零五', 1005],
    ['一千零五十', 1050],
    ['壹仟伍佰', 1500],
    ['800', 800],
    ['1500.00', 1500],
    ['0', 0],
    ['零', 0],
    ['没有', 0],
    ['无', 0],
    ['0元', 0],
  ])('%s → %d', (input, yuan) => {
    expect(parseMoney(input)).toEqual({ ok: true, value: yuan });
  });
});

describe('parseMoney: what is wrong, exactly', () => {
  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['1000-2000', 'range'],
    ['1000~2000', 'range'],
    ['一千到两千', 'range'],
    ['1000或1500', 'range'],
    ['1500.5', 'fraction'],
    ['1.5555千', 'fraction'],
    ['abc', 'not_number'],
    ['不知道', 'not_number'],
    ['-500', 'not_number'],
    ['一五', 'not_number'],
    ['百千', 'not_number'],
    ['千百', 'not_number'],
    ['1.2.3', 'not_number'],
    ['一万二万', 'not_number'],
    ['元', 'not_number'],
    ['🙂', 'not_number'],
    ['1'.repeat(41), 'not_number'],
    ['9'.repeat(20), 'not_number'],
  ])('%j → %s', (input, error) => {
    expect(parseMoney(input)).toEqual({ ok: false, error });
  });
});
