// The notice sender's Telegram side: send one notice to one resident and say what happened, and keep the
// author's progress message and report up to date. It uses an Api of its own (no auto-retry transformer:
// the sender decides about every retry itself, and a 429 pauses every instance, not one request).
import type { Api } from 'grammy';
import type {
  NoticeContent,
  NoticeReporter,
  NoticeTransport,
  ReportState,
  SendOutcome,
} from '../app/jobs/notice-sender.ts';
import type { Locale } from '../config.ts';
import type { Translator } from './i18n.ts';
import { renderFinal, renderNotice, renderProgress, renderProgressDone } from './notice-render.ts';
import { classifyTelegramError, isEditTargetGone, isNotModified, isUnreachable } from './telegram-outcome.ts';

const localeOf = (locale: string): Locale => (locale === 'en' ? 'en' : 'zh-CN');

export function createNoticeTransport(api: Api, translator: Translator): NoticeTransport {
  return {
    async send(chatId: bigint, locale: string, notice: NoticeContent): Promise<SendOutcome> {
      const m = renderNotice(translator.t(localeOf(locale)), locale, notice);
      try {
        const sent = m.photoFileId
          ? await api.sendPhoto(Number(chatId), m.photoFileId, {
              caption: m.text,
              reply_markup: m.replyMarkup,
            })
          : await api.sendMessage(Number(chatId), m.text, {
              reply_markup: m.replyMarkup,
              link_preview_options: { is_disabled: true },
            });
        const messageId = typeof sent === 'object' && sent !== null ? sent.message_id : undefined;
        return { kind: 'delivered', messageId: typeof messageId === 'number' ? messageId : undefined };
      } catch (err) {
        // A time-out may have shown the notice: the sender must not send it blindly again.
        return classifyTelegramError(err, 'uncertain');
      }
    },
  };
}

export function createNoticeReporter(api: Api, translator: Translator, now: () => Date = () => new Date()) {
  /** Sends a message to the author: its id, or 0 when the author cannot be reached. */
  async function send(chatId: bigint, text: string): Promise<number> {
    try {
      return (await api.sendMessage(Number(chatId), text)).message_id;
    } catch (err) {
      if (isUnreachable(err)) return 0;
      throw err;
    }
  }

  /** Edits a message; false when it is gone (deleted by the author), true otherwise. */
  async function edit(chatId: bigint, messageId: number, text: string): Promise<boolean> {
    try {
      await api.editMessageText(Number(chatId), messageId, text);
      return true;
    } catch (err) {
      if (isNotModified(err)) return true;
      if (isEditTargetGone(err)) return false;
      if (isUnreachable(err)) return true;
      throw err;
    }
  }

  const reporter: NoticeReporter = {
    async progress(s: ReportState, finish: Date): Promise<number> {
      const t = translator.t(localeOf(s.authorLocale));
      const text = renderProgress(t, s, finish, now());
      if (s.progressMessageId === 0) return 0;
      if (s.progressMessageId !== null && (await edit(s.authorChatId, s.progressMessageId, text)))
        return s.progressMessageId;
      return send(s.authorChatId, text);
    },

    async final(s: ReportState): Promise<number> {
      const t = translator.t(localeOf(s.authorLocale));
      if (s.progressMessageId) await edit(s.authorChatId, s.progressMessageId, renderProgressDone(t, s));
      // A new message (an edit makes no sound): the author learns that it is done.
      return send(s.authorChatId, renderFinal(t, s));
    },

    async reads(s: ReportState): Promise<number> {
      if (!s.reportMessageId) return 0;
      const t = translator.t(localeOf(s.authorLocale));
      await edit(s.authorChatId, s.reportMessageId, renderFinal(t, s));
      return s.reportMessageId;
    },
  };
  return reporter;
}
