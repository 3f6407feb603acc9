// Dates and times the way people say them, in both languages: the part of the day (凌晨 / 上午 / 中午 /
// 下午 / 晚上, am / pm, noon, midnight), today and tomorrow, the weekday, the year only when it is not this
// year's, due times ("…前" / "by …") and urgent ones ("2小时内" / "within 2 hours"); the compact form of
// cards; and "Beijing time" said only where asked for. Everything in Beijing time, whatever the machine's zone.
import { describe, expect, it } from 'vitest';
import {
  birthDay,
  compactTime,
  dueBy,
  labelledTime,
  spokenAt,
  spokenClock,
  spokenDay,
} from '../../src/bot/format-time.ts';
import { createTranslator } from '../../src/bot/i18n.ts';
import { hoursUntil, spokenTime } from '../../src/domain/beijing-time.ts';

const translator = createTranslator();
const zh = translator.t('zh-CN');
const en = translator.t('en');
const bj = (wall: string) => new Date(`${wall.replace(' ', 'T')}:00+08:00`);
/** Monday 7 December 2026, 9:00 in the morning, Beijing. */
const NOW = bj('2026-12-07 09:00');

describe('the part of the day', () => {
  const cases: [string, string, string][] = [
    ['2026-12-07 03:15', '凌晨3点15分', '3:15 am'],
    ['2026-12-07 08:30', '上午8点半', '8:30 am'],
    ['2026-12-07 11:05', '上午11点05分', '11:05 am'],
    ['2026-12-07 12:00', '中午12点', 'noon'],
    ['2026-12-07 12:30', '中午12点半', '12:30 pm'],
    ['2026-12-07 14:00', '下午2点', '2 pm'],
    ['2026-12-07 18:00', '下午6点', '6 pm'],
    ['2026-12-07 19:30', '晚上7点半', '7:30 pm'],
    ['2026-12-07 23:59', '晚上11点59分', '11:59 pm'],
    ['2026-12-08 00:00', '夜里12点', 'midnight'],
    ['2026-12-08 00:30', '凌晨12点半', '12:30 am'],
  ];
  it.each(cases)('%s → %s / %s', (wall, chinese, english) => {
    expect(spokenClock(bj(wall), NOW, zh)).toBe(chinese);
    expect(spokenClock(bj(wall), NOW, en)).toBe(english);
  });
});

describe('the day', () => {
  it('today and tomorrow by name, other days with the date and weekday', () => {
    expect(spokenAt(bj('2026-12-07 18:00'), NOW, zh)).toBe('今天下午6点');
    expect(spokenAt(bj('2026-12-07 18:00'), NOW, en)).toBe('6 pm today');
    expect(spokenAt(bj('2026-12-08 10:00'), NOW, zh)).toBe('明天上午10点');
    expect(spokenAt(bj('2026-12-08 10:00'), NOW, en)).toBe('10 am tomorrow');
    expect(spokenAt(bj('2026-12-11 18:00'), NOW, zh)).toBe('12月11日（星期五）下午6点');
    expect(spokenAt(bj('2026-12-11 18:00'), NOW, en)).toBe('6 pm, Fri 11 Dec');
  });

  it('midnight belongs to the day that ends: 00:00 on Tuesday is "tonight, midnight" seen from Monday', () => {
    expect(spokenAt(bj('2026-12-08 00:00'), NOW, zh)).toBe('今天夜里12点');
    expect(spokenAt(bj('2026-12-08 00:00'), NOW, en)).toBe('midnight today');
    expect(spokenTime(bj('2026-12-12 00:00'), NOW)).toMatchObject({
      date: { year: 2026, month: 12, day: 11 },
      weekday: 5,
      part: 'midnight',
    });
  });

  it("the Beijing day, not the machine's: 23:30 UTC on Sunday is Monday morning in Beijing", () => {
    const at = new Date('2026-12-06T23:30:00Z');
    expect(spokenAt(at, NOW, zh)).toBe('今天上午7点半');
    expect(spokenDay(at, bj('2026-12-06 12:00'), en)).toBe('tomorrow');
  });

  it('the year is said only when it is not this year; the weekday always with a date', () => {
    expect(spokenAt(bj('2027-01-05 09:00'), NOW, zh)).toBe('2027年1月5日（星期二）上午9点');
    expect(spokenAt(bj('2027-01-05 09:00'), NOW, en)).toBe('9 am, Tue 5 Jan 2027');
    expect(spokenDay(bj('2026-12-07 09:00'), NOW, zh, { relative: false })).toBe('12月7日（星期一）');
    expect(spokenAt(bj('2026-11-30 16:00'), NOW, en)).toBe('4 pm, Mon 30 Nov');
  });
});

describe('due times', () => {
  it('a normal due time: "…前" / "by …"', () => {
    expect(dueBy(bj('2026-12-11 18:00'), NOW, zh)).toBe('12月11日（星期五）下午6点前');
    expect(dueBy(bj('2026-12-11 18:00'), NOW, en)).toBe('by 6 pm, Fri 11 Dec');
    expect(dueBy(bj('2026-12-07 18:00'), NOW, zh)).toBe('今天下午6点前');
    expect(dueBy(bj('2026-12-08 18:00'), NOW, en)).toBe('by 6 pm tomorrow');
  });

  it('an urgent one in hours from now: "2小时内" / "within 2 hours", "1小时内" / "within an hour"', () => {
    expect(dueBy(bj('2026-12-07 11:00'), NOW, zh, { urgent: true })).toBe('2小时内');
    expect(dueBy(bj('2026-12-07 11:00'), NOW, en, { urgent: true })).toBe('within 2 hours');
    expect(dueBy(bj('2026-12-07 09:50'), NOW, zh, { urgent: true })).toBe('1小时内');
    expect(dueBy(bj('2026-12-07 09:50'), NOW, en, { urgent: true })).toBe('within an hour');
    // Already past: never "0 hours".
    expect(hoursUntil(bj('2026-12-07 08:00'), NOW)).toBe(1);
  });
});

describe('compact form and the Beijing label', () => {
  it('cards and lists: "12月11日 18:00" / "11 Dec 18:00", the year when not this year\'s, no ISO', () => {
    expect(compactTime(bj('2026-12-11 18:00'), zh, NOW)).toBe('12月11日 18:00');
    expect(compactTime(bj('2026-12-11 18:00'), en, NOW)).toBe('11 Dec 18:00');
    expect(compactTime('2027-01-05T01:05:00.000Z', zh, NOW)).toBe('2027年1月5日 09:05');
    expect(compactTime('2027-01-05T01:05:00.000Z', en, NOW)).toBe('5 Jan 2027 09:05');
  });

  it('"Beijing time" is said only by labelledTime, once', () => {
    expect(labelledTime(bj('2026-12-11 18:00'), zh, NOW)).toBe('12月11日 18:00（北京时间）');
    expect(labelledTime(bj('2026-12-11 18:00'), en, NOW)).toBe('11 Dec 18:00 (Beijing time)');
    expect(spokenAt(bj('2026-12-11 18:00'), NOW, zh)).not.toContain('北京');
    expect(spokenAt(bj('2026-12-11 18:00'), NOW, en)).not.toContain('Beijing');
  });
});

describe('birth dates', () => {
  it('read as people write them, without a weekday; anything else is shown as it is', () => {
    expect(birthDay('1984-01-01', zh)).toBe('1984年1月1日');
    expect(birthDay('2017-10-07', en)).toBe('7 Oct 2017');
    expect(birthDay('not a date', zh)).toBe('not a date');
  });
});
