// A photo for a notice composed in the console. Telegram needs a file id to send a photo; a browser has only
// the file. So the picture is checked here (by its bytes: JPEG, PNG or WebP, Telegram's size limits), then
// sent ONCE to the author's own chat with the bot (they have one: they signed in through /console), which
// gives its file id; the notice then carries that file id exactly as one composed with /notice does, and the
// notice sender sends it to every recipient with sendPhoto (no second way of sending).
// Between the preview and "send" the browser holds the photo as a reference: its file id and a keyed hash of
// (author, file id). A reference the server did not give this author is refused, so no file id typed into a
// form (someone's ID card from a case, say) can reach residents, and the preview streams only the
// author's own upload through the server (FileSource: never a Telegram address in the page).
import { timingSafeEqual } from 'node:crypto';
import { checkPhoto, type ImageProblem, type ImageType } from '../../domain/image-check.ts';
import { fail, ok, type Result } from '../../domain/result.ts';
import type { PiiCipher } from '../pii-cipher.ts';
import type { FileSource, FileSourceError } from './file-source.ts';

/** unreachable: the author's chat refused it (they blocked the bot); failed: Telegram could not be reached. */
export type PhotoUploadError = 'unreachable' | 'failed';

/** Sends a photo to a chat through the bot (src/bot/telegram-photo-upload.ts). */
export interface PhotoUploader {
  /** Telegram's file id of the photo as sent (its largest size). */
  upload(
    chatId: number,
    locale: string,
    photo: { bytes: Uint8Array; type: ImageType },
  ): Promise<Result<string, PhotoUploadError>>;
}

export type NoticePhotoError = ImageProblem | PhotoUploadError;

export interface NoticePhotoDeps {
  uploader: PhotoUploader;
  files: FileSource;
  cipher: Pick<PiiCipher, 'hash' | 'hashes'>;
}

/** Telegram's file ids are URL-safe base64. */
const FILE_ID = /^[A-Za-z0-9_-]{1,256}$/;
/** The preview never needs more than Telegram's largest photo (a 10 MB upload comes back smaller). */
const PREVIEW_MAX_BYTES = 20 * 1024 * 1024;

export function createNoticePhotos(deps: NoticePhotoDeps) {
  const { uploader, files, cipher } = deps;
  const purpose = (telegramId: number, fileId: string) =>
    `bianmin/console/notice-photo:${telegramId}:${fileId}`;

  /** The file id a reference stands for, when the server gave it to this author; null otherwise. */
  function fileIdOf(telegramId: number, ref: string): string | null {
    const dot = ref.lastIndexOf('.');
    const fileId = ref.slice(0, dot);
    if (dot < 1 || !FILE_ID.test(fileId)) return null;
    const sent = Buffer.from(ref.slice(dot + 1), 'base64url');
    return cipher
      .hashes(purpose(telegramId, fileId))
      .some((h) => h.length === sent.length && timingSafeEqual(h, sent))
      ? fileId
      : null;
  }

  return {
    /** Checks the picture and sends it to the author's own chat once; a reference for the form. */
    async attach(
      author: { telegramId: number; locale: string },
      bytes: Uint8Array,
    ): Promise<Result<string, NoticePhotoError>> {
      const checked = checkPhoto(bytes);
      if (!checked.ok) return checked;
      const sent = await uploader.upload(author.telegramId, author.locale, {
        bytes,
        type: checked.value.type,
      });
      if (!sent.ok) return sent;
      const fileId = sent.value;
      if (!FILE_ID.test(fileId)) return fail('failed');
      return ok(`${fileId}.${cipher.hash(purpose(author.telegramId, fileId)).toString('base64url')}`);
    },

    fileIdOf,

    /** The photo's bytes for the author's preview; 'not_found' for a reference that is not theirs. */
    async open(telegramId: number, ref: string) {
      const fileId = fileIdOf(telegramId, ref);
      if (!fileId) return { ok: false as const, error: 'not_found' as FileSourceError };
      return files.open(fileId, PREVIEW_MAX_BYTES);
    },
  };
}

export type NoticePhotos = ReturnType<typeof createNoticePhotos>;
