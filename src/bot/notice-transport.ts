// The broadcast sender's Telegram side: send one notice to one resident and say what happened, and keep the
// author's progress message and report up to date. It uses an Api of its own (no auto-retry transformer:
// the sender decides about every retry itself, and a 429 pauses every instance, not one request).
import { type Api, GrammyError, HttpError } from 'grammy';
import type {
  NoticeContent,
  NoticeReporter,
  NoticeTransport,
  ReportState,
  SendOutcome,
} from '../app/jobs/broadcast-sender.ts';
import type { Locale } from '../config.ts';
import type { Translator } from './i18n.ts';
import { renderFinal, renderNotice, renderProgress, renderProgressDone } from './notice-render.ts';

const UNREACHABLE_400 = /chat not found|user not found|peer_id_invalid|chat_id is empty/i;

/** What a failed Bot API call means for the sender. */
export function classifySendError(err: unknown): Exclude<SendOutcome, { kind: 'delivered' }> {
  if (err instanceof GrammyError) {
    const reason = `${err.error_code} ${err.description}`.slice(0, 300);
    if (err.error_code === 429)
      return { kind: 'rate_limited', retryAfterSeconds: Math.max(1, err.parameters.retry_after ?? 1) };
    // 403: "bot was blocked by the user", "user is deactivated", "bot can't initiate conversation".
    if (err.error_code === 403) return { kind: 'unreachable', reason };
    if (err.error_code === 400 && UNREACHABLE_400.test(err.description))
      return { kind: 'unreachable', reason };
    if (err.error_code >= 500) return { kind: 'transient', reason };
    return { kind: 'failed', reason };
  }
  if (err instanceof HttpError) {
    const cause = err.error instanceof Error ? err.error.message : String(err.error);
    const reason = `network: ${cause}`.slice(0, 300);
    // grammY gave up waiting: the request went out and Telegram may have shown it. Retrying could show it
    // twice, so it is recorded as uncertain. A connection that failed is retried.
    if (/timed out after/i.test(cause)) return { kind: 'uncertain', reason };
    return { kind: 'transient', reason };
  }
  return { kind: 'failed', reason: (err instanceof Error ? err.message : String(err)).slice(0, 300) };
}

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
        return classifySendError(err);
      }
    },
  };
}

const NOT_MODIFIED = /message is not modified/i;
const EDIT_TARGET_GONE = /message to edit not found|message can't be edited/i;

export function createNoticeReporter(api: Api, translator: Translator, now: () => Date = () => new Date()) {
  /** Sends a message to the author: its id, or 0 when the author cannot be reached. */
  async function send(chatId: bigint, text: string): Promise<number> {
    try {
      return (await api.sendMessage(Number(chatId), text)).message_id;
    } catch (err) {
      if (classifySendError(err).kind === 'unreachable') return 0;
      throw err;
    }
  }

  /** Edits a message; false when it is gone (deleted by the author), true otherwise. */
  async function edit(chatId: bigint, messageId: number, text: string): Promise<boolean> {
    try {
      await api.editMessageText(Number(chatId), messageId, text);
      return true;
    } catch (err) {
      if (err instanceof GrammyError && NOT_MODIFIED.test(err.description)) return true;
      if (err instanceof GrammyError && EDIT_TARGET_GONE.test(err.description)) return false;
      if (classifySendError(err).kind === 'unreachable') return true;
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
