// The console's PhotoUploader over the bot's own Bot API client: sendPhoto to the author's private chat with
// a caption saying what it is ("the picture of your notice"), and Telegram's file id of its largest size.
// The author's chat refusing it (blocked, gone) is 'unreachable'; anything else is 'failed'.
import { type Api, InputFile } from 'grammy';
import type { PhotoUploader } from '../app/console/notice-photo.ts';
import { fail, ok } from '../domain/result.ts';
import { resolveLocale, type Translator } from './i18n.ts';
import { classifyTelegramError } from './telegram-outcome.ts';

export function telegramPhotoUploader(api: Api, translator: Translator): PhotoUploader {
  return {
    async upload(chatId, locale, photo) {
      const t = translator.t(resolveLocale(locale, 'zh-CN'));
      try {
        const sent = await api.sendPhoto(chatId, new InputFile(photo.bytes, `notice.${photo.type}`), {
          caption: t('console:notice_photo.caption'),
        });
        const largest = sent.photo?.at(-1);
        return largest ? ok(largest.file_id) : fail('failed');
      } catch (err) {
        return fail(classifyTelegramError(err, 'retry').kind === 'unreachable' ? 'unreachable' : 'failed');
      }
    },
  };
}
