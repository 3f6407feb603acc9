// What a community notice looks like in Telegram: the residents' message (the sender and the preview use the
// same function, so the preview is exactly what residents get), and the author's progress and report.
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { NoticeContent, ReportState } from '../app/jobs/notice-sender.ts';
import { beijingMinute } from '../domain/beijing-time.ts';
import type { Audience } from '../domain/notice.ts';
import {
  minutesLeft,
  noticeTitle,
  percent,
  progressBar,
  remaining,
  totalOf,
  versionFor,
} from '../domain/notice.ts';
import { communityNoticeButtons } from './buttons.ts';
import type { TFunction } from './i18n.ts';

export interface RenderedNotice {
  text: string;
  photoFileId: string | null;
  replyMarkup: InlineKeyboardMarkup | undefined;
}

/** The message a resident with `locale` gets. `preview`: the button only says it is a preview. */
export function renderNotice(
  t: TFunction,
  locale: string,
  notice: NoticeContent,
  opts: { preview?: boolean } = {},
): RenderedNotice {
  const community = locale === 'en' ? notice.community.nameEn : notice.community.nameZh;
  const header = t(notice.important ? 'notices:resident.header_important' : 'notices:resident.header', {
    community,
  });
  const body = versionFor(locale, notice.textZh, notice.textEn);
  const parts = [header, body];
  if (notice.important) parts.push(t('notices:resident.read_hint'));
  return {
    text: parts.join('\n\n'),
    photoFileId: notice.photoFileId,
    replyMarkup: notice.important
      ? {
          inline_keyboard: [
            [
              {
                text: t('notices:resident.read_button'),
                callback_data: opts.preview
                  ? communityNoticeButtons.preview.pack({})
                  : communityNoticeButtons.read.pack({ noticeId: notice.id }),
              },
            ],
          ],
        }
      : undefined,
  };
}

/** `HH:MM` Beijing time. */
function clock(at: Date): string {
  return beijingMinute(at).slice(11);
}

export function renderProgress(t: TFunction, s: ReportState, finish: Date, now: Date): string {
  const total = Math.max(totalOf(s.counts), s.recipientCount);
  const left = remaining(s.counts);
  const done = total - left;
  return t('notices:report.progress', {
    title: noticeTitle(s.textZh),
    bar: progressBar(done, total),
    percent: percent(done, total),
    delivered: s.counts.delivered,
    left,
    unreachable: s.counts.unreachable,
    failed: s.counts.failed,
    finish: clock(finish),
    minutes: minutesLeft(finish, now),
  });
}

export function renderProgressDone(t: TFunction, s: ReportState): string {
  return t('notices:report.progress_done', { title: noticeTitle(s.textZh), bar: progressBar(1, 1) });
}

export function renderFinal(t: TFunction, s: ReportState): string {
  const c = s.counts;
  const lines = [
    t('notices:report.final', {
      title: noticeTitle(s.textZh),
      total: totalOf(c),
      delivered: c.delivered,
      unreachable: c.unreachable,
      failed: c.failed,
    }),
  ];
  if (c.uncertain > 0) lines.push(t('notices:report.final_uncertain', { count: c.uncertain }));
  if (s.important) lines.push(t('notices:report.final_reads', { count: s.readCount }));
  if (s.startedAt && s.finishedAt) {
    const seconds = Math.max(0, Math.round((s.finishedAt.getTime() - s.startedAt.getTime()) / 1000));
    lines.push(
      seconds < 60
        ? t('notices:report.duration_seconds', { seconds })
        : t('notices:report.duration_minutes', { minutes: Math.floor(seconds / 60), seconds: seconds % 60 }),
    );
  }
  return lines.join('\n');
}

/** "the whole community", "3栋、5栋", "households with children aged 6–15" … */
export function audienceLabel(
  t: TFunction,
  audience: Audience,
  buildingNames: (ids: string[]) => string[],
): string {
  switch (audience.kind) {
    case 'buildings':
      return t('notices:audience_label.buildings', {
        list: buildingNames(audience.buildingIds).join(t('form:list_separator')),
      });
    case 'open_case':
      return t('notices:audience_label.open_case', { service: t(`services:${audience.serviceCode}.name`) });
    default:
      return t(`notices:audience_label.${audience.kind}`);
  }
}
