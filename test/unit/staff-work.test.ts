// Pure rules of the staff side: overdue and due-today across weekends and holidays, the digest's window,
// invite codes as people type them, CSV safe for Excel, and the texts of every notification kind.
import { describe, expect, it } from 'vitest';
import type { PreparedNotification } from '../../src/app/notification-content.ts';
import { exportPeriod, formatDuration } from '../../src/bot/features/manage.ts';
import { chunks } from '../../src/bot/features/staff.ts';
import { createTranslator } from '../../src/bot/i18n.ts';
import { KNOWN_NOTIFICATION_KINDS, renderNotification } from '../../src/bot/notification-render.ts';
import { beijingInstant } from '../../src/domain/beijing-time.ts';
import { csvCell, toCsv } from '../../src/domain/csv.ts';
import {
  digestPeriod,
  formatInviteCode,
  INVITE_ALPHABET,
  INVITE_LENGTH,
  inviteCodeFromBytes,
  isDueToday,
  isOverdue,
  normalizeInviteCode,
} from '../../src/domain/staff-work.ts';
import { addWorkingDays, type WorkCalendar } from '../../src/domain/working-days.ts';

// 2026: National Day holidays 1–7 October, Saturday 10 October a make-up working day.
const calendar: WorkCalendar = {
  exceptions: new Map<string, 'holiday' | 'workday'>([
    ...['01', '02', '03', '04', '05', '06', '07'].map(
      (d) => [`2026-10-${d}`, 'holiday'] as [string, 'holiday'],
    ),
    ['2026-10-10', 'workday'],
  ]),
};
const beijing = (date: string, hour: number) => beijingInstant(date, hour);

describe('deadlines', () => {
  it('a case filed before National Day is due after it, and is not overdue during the holiday', () => {
    const due = addWorkingDays(beijing('2026-09-29', 10), 3, calendar);
    expect(due).toEqual(beijing('2026-10-09', 18)); // 30 Sep, 8 Oct, 9 Oct: the holiday does not count
    expect(isOverdue('in_progress', due, beijing('2026-10-05', 12))).toBe(false);
    expect(isDueToday('in_progress', due, beijing('2026-10-08', 9))).toBe(false);
    expect(isDueToday('in_progress', due, beijing('2026-10-09', 9))).toBe(true);
    expect(isOverdue('in_progress', due, beijing('2026-10-09', 18.01))).toBe(true);
    // Closed cases are never overdue.
    expect(isOverdue('resolved', due, beijing('2026-12-01', 9))).toBe(false);
    expect(isDueToday('withdrawn', due, beijing('2026-10-09', 9))).toBe(false);
  });

  it('over a weekend: Friday + 1 working day is Monday', () => {
    const due = addWorkingDays(beijing('2026-11-27', 16), 1, calendar);
    expect(due).toEqual(beijing('2026-11-30', 18));
    expect(isDueToday('accepted', due, beijing('2026-11-28', 9))).toBe(false);
    expect(isDueToday('accepted', due, beijing('2026-11-30', 9))).toBe(true);
  });

  it('the digest: working days (make-up days too) from 08:00 to 12:00 Beijing time', () => {
    expect(digestPeriod(beijing('2026-11-24', 7.99), calendar)).toBeNull();
    expect(digestPeriod(beijing('2026-11-24', 8), calendar)).toBe('2026-11-24');
    expect(digestPeriod(beijing('2026-11-24', 11.99), calendar)).toBe('2026-11-24');
    expect(digestPeriod(beijing('2026-11-24', 12), calendar)).toBeNull();
    expect(digestPeriod(beijing('2026-11-28', 9), calendar)).toBeNull(); // Saturday
    expect(digestPeriod(beijing('2026-10-02', 9), calendar)).toBeNull(); // holiday
    expect(digestPeriod(beijing('2026-10-10', 9), calendar)).toBe('2026-10-10'); // make-up Saturday
    // 00:30 UTC is 08:30 in Beijing: the date is Beijing's.
    expect(digestPeriod(new Date('2026-11-24T00:30:00Z'), calendar)).toBe('2026-11-24');
  });
});

describe('invite codes', () => {
  it('are 12 characters without look-alikes, every character equally likely', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => (i * 37) % 256);
    const code = inviteCodeFromBytes(bytes) as string;
    expect(code).toHaveLength(INVITE_LENGTH);
    expect([...code].every((c) => INVITE_ALPHABET.includes(c))).toBe(true);
    expect(INVITE_ALPHABET).not.toMatch(/[01OIL]/);
    // Bytes past the largest multiple of the alphabet's size are skipped (no bias), and too few give null.
    expect(inviteCodeFromBytes(new Uint8Array(32).fill(255))).toBeNull();
    expect(formatInviteCode('ABCDEFGHJKMN')).toBe('ABCD-EFGH-JKMN');
  });

  it('are read the way people type them', () => {
    expect(normalizeInviteCode('abcd-efgh-jkmn')).toBe('ABCDEFGHJKMN');
    expect(normalizeInviteCode(' ABCD EFGH JKMN ')).toBe('ABCDEFGHJKMN');
    expect(normalizeInviteCode('ＡＢＣＤ－ＥＦＧＨ－ＪＫＭＮ')).toBe('ABCDEFGHJKMN');
    expect(normalizeInviteCode('ABCD-EFGH-JKM')).toBeNull();
    expect(normalizeInviteCode('ABCD-EFGH-JKM0')).toBeNull(); // 0 is not in the alphabet
    expect(normalizeInviteCode('')).toBeNull();
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+86 138')).toBe("'+86 138");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-3)).toBe('-3'); // numbers are numbers
    expect(csvCell(null)).toBe('');
    expect(toCsv(['a', 'b'], [['杨光明', 5]])).toBe('\uFEFFa,b\r\n杨光明,5\r\n');
  });
});

describe('chat helpers', () => {
  it('split long texts at line breaks, within the limit', () => {
    const text = Array.from({ length: 300 }, (_, i) => `第 ${i} 行：${'字'.repeat(20)}`).join('\n');
    const parts = chunks(text, 1000);
    expect(parts.every((p) => p.length <= 1000)).toBe(true);
    expect(parts.join('\n')).toBe(text);
    expect(chunks('短', 1000)).toEqual(['短']);
  });

  it('export periods: the last 30 days by default, both dates included', () => {
    const now = beijing('2026-11-23', 10);
    expect(exportPeriod('', now)).toEqual({ from: '20261025', to: '20261124' });
    expect(exportPeriod('2026-10-01 2026-10-31', now)).toEqual({ from: '20261001', to: '20261101' });
    expect(exportPeriod('2026-10-01', now)).toEqual({ from: '20261001', to: '20261124' });
    expect(exportPeriod('2026-11-01 2026-10-01', now)).toBeNull();
    expect(exportPeriod('yesterday', now)).toBeNull();
    expect(exportPeriod('2026-10-01 2026-10-02 2026-10-03', now)).toBeNull();
  });

  it('durations in words', () => {
    const t = createTranslator().t('zh-CN');
    expect(formatDuration(t, null)).toBe('—');
    expect(formatDuration(t, 25 * 60)).toBe('25 分钟');
    expect(formatDuration(t, 3 * 3600 + 20 * 60)).toBe('3 小时 20 分');
    expect(formatDuration(t, 2 * 86_400 + 4 * 3600)).toBe('2 天 4 小时');
  });
});

describe('notification texts', () => {
  const translator = createTranslator();
  const base = (
    kind: string,
    chatId: bigint,
    language: PreparedNotification['language'],
  ): PreparedNotification => ({
    kind,
    chatId,
    language,
    note: '请带户口本来窗口',
    payload: {
      period: '2026-11-24',
      mineOverdue: 1,
      mineToday: 2,
      queueOverdue: 0,
      queueToday: 3,
      numbers: ['EDU-2026-000001'],
    },
    editMessageId: null,
    case: {
      id: '5f0c6a36-3a39-4a89-8a59-0b9d3f3f2f11',
      number: 'EDU-2026-000001',
      serviceCode: 'school_enrolment',
      status: 'submitted',
      priority: 'urgent',
      dueAt: '2026-11-30T10:00:00.000Z',
      department: {
        code: 'wanshan-education',
        nameZh: '万山区教育局',
        nameEn: 'Wanshan District Education Bureau',
        telegramGroupId: -100n,
      },
      assignee: null,
      rating: 4,
    },
  });

  it('every kind has words in both languages, with no key showing', () => {
    for (const kind of [...KNOWN_NOTIFICATION_KINDS, 'resident.something_new', 'staff.something_new']) {
      for (const locale of ['zh-CN', 'en'] as const) {
        const chatId = kind.startsWith('group.') ? -100n : 42n;
        const r = renderNotification(translator, 'zh-CN', base(kind, chatId, { locale, languageCode: null }));
        expect(r?.text, `${kind} ${locale}`).toBeTruthy();
        expect(r?.text, `${kind} ${locale}`).not.toMatch(/notify:|staff:|services:|\{\{/);
        // The digest and the registration notices (after an ID-card check) are about no case.
        if (kind !== 'staff.digest' && !kind.startsWith('registration.'))
          expect(r?.text, kind).toContain('EDU-2026-000001');
      }
    }
  });

  it('residents get short, plain words and the right button; group posts carry no personal data', () => {
    const asked = renderNotification(translator, 'zh-CN', base('resident.info_requested', 42n, null));
    expect(asked?.text).toContain('工作人员问：“请带户口本来窗口”');
    expect(JSON.stringify(asked?.keyboard)).toContain('mc:ans:');
    const resolved = renderNotification(
      translator,
      'zh-CN',
      base('resident.resolved', 42n, { locale: 'en', languageCode: 'zh-hans' }),
    );
    expect(resolved?.text).toContain('Your request is done');
    expect(JSON.stringify(resolved?.keyboard)).toContain('mc:rate:');
    const post = renderNotification(translator, 'zh-CN', base('group.new_case', -100n, null));
    expect(post?.text).toContain('🆕 新的事（急）');
    expect(post?.text).not.toContain('户口本');
    expect(JSON.stringify(post?.keyboard)).toContain('gp:take:');
    const digest = renderNotification(translator, 'zh-CN', base('staff.digest', 42n, null));
    expect(digest?.text).toContain('已超期 1 件，今天到期 2 件');
  });
});
