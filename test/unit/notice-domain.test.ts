// Community notices, the pure rules: start times typed by a worker, what a draft may contain, which
// version a resident gets, retry delays, and the figures of a progress message.
import { describe, expect, it } from 'vitest';
import { beijingMinute } from '../../src/domain/beijing-time.ts';
import {
  emptyCounts,
  estimatedFinish,
  isComplete,
  MAX_SEND_ATTEMPTS,
  minutesLeft,
  type NoticeDraft,
  noticeProblems,
  noticeTitle,
  parseScheduleTime,
  percent,
  progressBar,
  remaining,
  retryDelayMs,
  textLimit,
  totalOf,
  versionFor,
} from '../../src/domain/notice.ts';

// 2026-11-23 14:00 Beijing time.
const NOW = new Date('2026-11-23T06:00:00Z');
const at = (text: string) => {
  const r = parseScheduleTime(text, NOW);
  return r.ok ? beijingMinute(r.value) : r.error;
};

describe('parseScheduleTime (Beijing time)', () => {
  it('reads a time today, or tomorrow when it has passed', () => {
    expect(at('18:30')).toBe('2026-11-23 18:30');
    expect(at('8:05')).toBe('2026-11-24 08:05');
    expect(at('14:00')).toBe('2026-11-24 14:00'); // exactly now has passed
  });

  it('reads a date with or without the year, in the ways people write it', () => {
    expect(at('12-01 09:00')).toBe('2026-12-01 09:00');
    expect(at('2026-12-01 09:00')).toBe('2026-12-01 09:00');
    expect(at('12/1 9:00')).toBe('2026-12-01 09:00');
    expect(at('12月1日 9:00')).toBe('2026-12-01 09:00');
    expect(at('2026年12月1日 09:00')).toBe('2026-12-01 09:00');
    expect(at('１２－０１　０９：００'.replace('－', '-'))).toBe('2026-12-01 09:00');
    expect(at('11.30 7:15')).toBe('2026-11-30 07:15');
  });

  it('a day-month already past this year means next year (then usually too far)', () => {
    expect(at('11-23 13:00')).toBe('too_far'); // 2027-11-23
    expect(at('01-05 09:00')).toBe('too_far');
    const late = new Date('2026-12-20T02:00:00Z');
    const r = parseScheduleTime('01-05 09:00', late);
    expect(r.ok && beijingMinute(r.value)).toBe('2027-01-05 09:00');
  });

  it('refuses what is not a time, a time in the past, and more than 30 days ahead', () => {
    for (const bad of ['', 'tomorrow', '下午三点', '25:00', '12:60', '2026-02-30 09:00', '13-01 09:00'])
      expect(at(bad)).toBe('format');
    expect(at('2026-11-23 13:59')).toBe('past');
    expect(at('2025-12-01 09:00')).toBe('past');
    expect(at('2026-12-23 14:00')).toBe('2026-12-23 14:00');
    expect(at('2026-12-23 14:01')).toBe('too_far');
  });
});

function draft(patch: Partial<NoticeDraft> = {}): NoticeDraft {
  return {
    communityCode: 'c',
    textZh: '停水通知',
    textEn: null,
    photoFileId: null,
    audience: { kind: 'community' },
    important: false,
    scheduledAt: null,
    ...patch,
  };
}

describe('noticeProblems', () => {
  it('accepts a plain draft and lists every problem of a bad one', () => {
    expect(noticeProblems(draft(), NOW)).toEqual([]);
    expect(noticeProblems(draft({ textZh: '  ' }), NOW)).toEqual(['text_empty']);
    expect(noticeProblems(draft({ textEn: '' }), NOW)).toEqual(['text_empty']);
    expect(noticeProblems(draft({ textZh: 'x'.repeat(3001) }), NOW)).toEqual(['text_too_long']);
    expect(noticeProblems(draft({ audience: { kind: 'buildings', buildingIds: [] } }), NOW)).toEqual([
      'no_buildings',
    ]);
    expect(noticeProblems(draft({ scheduledAt: new Date(NOW.getTime() - 1) }), NOW)).toEqual([
      'schedule_past',
    ]);
    expect(noticeProblems(draft({ scheduledAt: new Date(NOW.getTime() + 31 * 86_400_000) }), NOW)).toEqual([
      'schedule_too_far',
    ]);
  });

  it('with a photo the text is a caption: 900 characters at most, in either version', () => {
    expect(textLimit(true)).toBe(900);
    expect(textLimit(false)).toBe(3000);
    expect(noticeProblems(draft({ photoFileId: 'f', textZh: 'x'.repeat(900) }), NOW)).toEqual([]);
    expect(noticeProblems(draft({ photoFileId: 'f', textEn: 'x'.repeat(901) }), NOW)).toEqual([
      'caption_too_long',
    ]);
  });
});

describe('versions and titles', () => {
  it('an English resident gets the English version when there is one, everyone else the Chinese one', () => {
    expect(versionFor('en', '中文', 'English')).toBe('English');
    expect(versionFor('zh-CN', '中文', 'English')).toBe('中文');
    expect(versionFor('en', '中文', null)).toBe('中文');
  });

  it('a title is the first line, cut short', () => {
    expect(noticeTitle('停水通知\n明天上午')).toBe('停水通知');
    expect(noticeTitle('一二三四五六七八九十', 5)).toBe('一二三四…');
  });
});

describe('sending arithmetic', () => {
  it('retries wait longer each time, up to a minute, with a little spread', () => {
    expect(retryDelayMs(1, 0)).toBe(2000);
    expect(retryDelayMs(2, 0)).toBe(4000);
    expect(retryDelayMs(3, 1)).toBe(9600);
    expect(retryDelayMs(10, 0)).toBe(60_000);
    expect(MAX_SEND_ATTEMPTS).toBeGreaterThan(1);
  });

  it('counts reconcile: delivered + unreachable + failed + uncertain = recipients, nothing left', () => {
    const c = { ...emptyCounts(), delivered: 7, unreachable: 1, failed: 1, uncertain: 1 };
    expect(totalOf(c)).toBe(10);
    expect(isComplete(c, 10)).toBe(true);
    expect(isComplete(c, 11)).toBe(false);
    expect(isComplete({ ...c, pending: 1 }, 11)).toBe(false);
    expect(remaining({ ...c, pending: 2, claimed: 3, sending: 1 })).toBe(6);
  });

  it('progress: a bar, a percentage, and when it should be done', () => {
    expect(progressBar(0, 10)).toBe('░░░░░░░░░░');
    expect(progressBar(5, 10)).toBe('▓▓▓▓▓░░░░░');
    expect(progressBar(10, 10)).toBe('▓▓▓▓▓▓▓▓▓▓');
    expect(percent(1, 3)).toBe(33);
    expect(percent(0, 0)).toBe(100);
    const finish = estimatedFinish(1500, 25, NOW);
    expect(finish.getTime() - NOW.getTime()).toBe(60_000);
    expect(minutesLeft(finish, NOW)).toBe(1);
    expect(minutesLeft(new Date(NOW.getTime() + 61_000), NOW)).toBe(2);
  });
});
