// The kinds of input a step may take besides its buttons: text, the resident's own contact, photos and
// documents (collected until "done"), voice. Anything else is answered in plain words and discarded (why:
// the top of ./engine.ts).
import type { Message } from 'grammy/types';
import { MAX_FILE_BYTES, MAX_VOICE_SECONDS, voiceDuration } from '../../domain/file-size.ts';
import type { FormContext } from '../context.ts';
import type { TFunction } from '../i18n.ts';
import { data } from './keyboards.ts';
import type { StepRun } from './step.ts';
import type { Asked, FileRef } from './types.ts';

const DOCUMENT_TYPES = /^(image\/|application\/pdf$)/;

type Media = { file_id: string; file_unique_id: string; mime_type?: string; file_size?: number };
const media = (kind: 'document' | 'voice', m: Media): FileRef => ({
  kind,
  fileId: m.file_id,
  fileUniqueId: m.file_unique_id,
  mimeType: m.mime_type,
  sizeBytes: m.file_size,
});

/** A file in a message, if the step can take it (photos and documents; voice for voice steps). */
export function fileOf(msg: Message): FileRef | null {
  if (msg.photo && msg.photo.length > 0) {
    const p = msg.photo[msg.photo.length - 1] as NonNullable<Message['photo']>[number];
    return { kind: 'photo', fileId: p.file_id, fileUniqueId: p.file_unique_id, sizeBytes: p.file_size };
  }
  if (msg.document) return media('document', msg.document);
  if (msg.voice) return { ...media('voice', msg.voice), durationSeconds: msg.voice.duration };
  return null;
}

/** How a voice answer reads in a summary and on the staff's card: "🎤 语音 0:12". */
export function voiceLabel(t: TFunction, file: FileRef): string {
  return t('form:voice_label', { duration: voiceDuration(file.durationSeconds ?? 0) });
}

/** A message sent to a step; null: keep waiting for this step's answer. */
export async function onMessage(run: StepRun, u: FormContext): Promise<Asked | null> {
  const { s, step } = run;
  const { t } = s;
  const msg = u.message;
  if (!msg) return s.discard(); // edited messages, reactions …: nothing to answer
  const file = fileOf(msg);
  if (file && (file.sizeBytes ?? 0) > MAX_FILE_BYTES) {
    await u.reply(t('form:file_too_big'));
    return s.discard();
  }
  if (file && step.files && file.kind !== 'voice') return collect(run, u, msg, file, step.files.max);
  if (file?.kind === 'voice' && step.voice) {
    if ((file.durationSeconds ?? 0) > MAX_VOICE_SECONDS) {
      await u.reply(t('form:voice_too_long', { minutes: MAX_VOICE_SECONDS / 60 }));
      return s.discard();
    }
    // A caption (forwarded voice messages may carry one) is kept as the typed part of the answer.
    const words = msg.caption?.trim();
    if (!words || !step.text)
      return run.settle(u, { value: null, label: voiceLabel(t, file), files: [file] });
    const parsed = step.text(words, s.answers, s.today);
    if (!parsed.ok) {
      await u.reply(s.errorText(step.id, parsed.error, parsed.params));
      return s.discard();
    }
    const label = `${voiceLabel(t, file)} ${parsed.label ?? parsed.value}`;
    return run.settle(u, { value: parsed.value, label, files: [file] });
  }
  if (msg.contact && step.contact && step.text) {
    if (msg.contact.user_id !== u.from?.id) {
      await u.reply(t(`${s.spec.keys}contact_not_own`));
      return s.discard();
    }
    const parsed = step.text(msg.contact.phone_number, s.answers, s.today);
    if (parsed.ok) {
      await run.removeReplyKeyboard(u);
      return { kind: 'answer', answer: { value: parsed.value, label: parsed.label ?? parsed.value } };
    }
    await u.reply(s.errorText(step.id, parsed.error, parsed.params));
    return s.discard();
  }
  if (msg.text !== undefined) return typed(run, u, msg, msg.text);
  // A sticker, a location, a voice message where only text is wanted, an album part on a text step …
  if (step.files) await u.reply(t('form:send_files'));
  else if (step.text && step.voice && (msg.video_note || msg.video)) await u.reply(t('form:no_video'));
  else if (step.text) await u.reply(t(step.voice ? 'form:text_or_voice' : 'form:no_media'));
  // A voice message or a picture where a button is wanted: the question comes again with its buttons.
  else return s.useButtons(u);
  return s.discard();
}

/** A typed answer: a command is not one, a choice step wants its buttons, a text step checks it. */
async function typed(run: StepRun, u: FormContext, msg: Message, text: string): Promise<Asked | null> {
  const { s, step } = run;
  if (text.startsWith('/')) {
    await u.reply(s.t('form:command_in_form'));
    return s.discard();
  }
  if (!step.text) {
    if (!step.files) return s.useButtons(u);
    await u.reply(s.t('form:send_files'));
    await s.askAgain();
    return s.discard();
  }
  const parsed = step.text(text, s.answers, s.today);
  if (!parsed.ok) {
    await u.reply(s.errorText(step.id, parsed.error, parsed.params));
    return s.discard();
  }
  const answer = { value: parsed.value, label: parsed.label ?? parsed.value };
  if (step.sensitiveEcho) {
    // Bots may delete incoming messages in private chats; the number should not sit in the history.
    await u.api.deleteMessage(msg.chat.id, msg.message_id).catch(() => undefined);
    await u.reply(step.sensitiveEcho(s.t, answer));
  }
  await run.removeReplyKeyboard(u);
  return run.settle(u, answer);
}

/** A photo or document for a file step: collected (up to `max`) until the resident taps "done". */
async function collect(run: StepRun, u: FormContext, msg: Message, file: FileRef, max: number) {
  const { s } = run;
  if (file.kind === 'document' && !DOCUMENT_TYPES.test(file.mimeType ?? '')) {
    await u.reply(s.t('form:file_type'));
    return s.discard();
  }
  const firstOfAlbum = !msg.media_group_id || msg.media_group_id !== run.lastAlbum;
  // Which album was last answered is kept in the log: it is what makes an album one message, not one a photo.
  run.lastAlbum = msg.media_group_id;
  if (run.collected.length >= max) {
    // Parts of one album beyond the limit are dropped with one message.
    if (firstOfAlbum) await u.reply(s.t('form:too_many_files', { max }));
    return null;
  }
  run.collected.push(file);
  if (firstOfAlbum) {
    await u.reply(s.t('form:file_received'), {
      reply_markup: {
        inline_keyboard: [[{ text: s.t('form:files_done'), callback_data: data(run.seq, 'd') }]],
      },
    });
  }
  return null;
}
