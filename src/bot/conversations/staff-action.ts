// A staff member's short guided step on a case: reply to the resident, ask for more information, leave an
// internal note, resolve with the answer, reject with the reason, or transfer to another department with a
// reason. One question, the text (typed, or a canned reply of the department), a preview to confirm, done.
// A reply or a question may also be a voice message or a photo (its caption the words, if any): the resident
// gets it as such, through the notification outbox.
// The use case checks the permission when the step starts and again when it is carried out: a member
// removed in between, or a case someone else moved, is refused at the end.
import { InlineKeyboard } from 'grammy';
import type { Message } from 'grammy/types';
import type { StaffError, StaffFile } from '../../app/staff.ts';
import { MAX_FILE_BYTES, MAX_VOICE_SECONDS, voiceDuration } from '../../domain/file-size.ts';
import { STAFF_CAPTION_MAX, STAFF_TEXT_MAX } from '../../domain/staff-work.ts';
import { queueButton, staffButtons, staffStepButtons } from '../buttons.ts';
import { type BotConversation, type BotDeps, type FormContext, localeName } from '../context.ts';
import { declareForm, waitInForm } from '../forms/aside.ts';
import type { TFunction } from '../i18n.ts';
import { conversationLocale } from './locale.ts';

export const STAFF_ACTION = 'staff_action';
export type StaffActionKind = 'reply' | 'ask_info' | 'note' | 'resolve' | 'reject' | 'transfer';

const WITH_CANNED: readonly StaffActionKind[] = ['reply', 'ask_info', 'resolve', 'reject'];
/** What may also be said with a voice message or shown with a photo. */
const WITH_MEDIA: readonly StaffActionKind[] = ['reply', 'ask_info'];

/** A voice message or a photo (its largest size) in a message, as the use case takes it. */
function staffFileOf(msg: Message): StaffFile | null {
  if (msg.voice) {
    const v = msg.voice;
    return {
      kind: 'voice',
      fileId: v.file_id,
      fileUniqueId: v.file_unique_id,
      mimeType: v.mime_type,
      sizeBytes: v.file_size,
      durationSeconds: v.duration,
    };
  }
  const p = msg.photo?.at(-1);
  return p
    ? { kind: 'photo', fileId: p.file_id, fileUniqueId: p.file_unique_id, sizeBytes: p.file_size }
    : null;
}

/** Why a voice message or photo cannot go to the resident (as the staff member is told), or null. */
function mediaRefusal(t: TFunction, file: StaffFile, words: string): string | null {
  if ((file.sizeBytes ?? 0) > MAX_FILE_BYTES) return t('media:staff.too_big');
  if (file.kind === 'voice' && (file.durationSeconds ?? 0) > MAX_VOICE_SECONDS)
    return t('media:staff.voice_too_long', { minutes: MAX_VOICE_SECONDS / 60 });
  if (words.length > STAFF_CAPTION_MAX)
    return t('media:staff.caption_too_long', { max: STAFF_CAPTION_MAX, length: words.length });
  return null;
}

type Outcome = { ok: true; value: { number: string } } | { ok: false; error: StaffError };

function errorText(t: TFunction, error: StaffError): string {
  return t(`staff:errors.${error}`);
}

/** Runs the use case for the step (outside the replay: its result is stored in the replay log). */
function carryOut(
  staff: BotDeps['staff'],
  id: number,
  caseId: string,
  kind: StaffActionKind,
  text: string | null,
  department: string,
  file: StaffFile | null,
): Promise<Outcome> {
  if (kind === 'reply' || kind === 'ask_info') {
    const act = kind === 'reply' ? staff.reply : staff.askInfo;
    return file ? act(id, caseId, text, file) : act(id, caseId, text);
  }
  if (text === null) return Promise.resolve({ ok: false, error: 'invalid' });
  switch (kind) {
    case 'note':
      return staff.note(id, caseId, text);
    case 'resolve':
      return staff.resolve(id, caseId, text);
    case 'reject':
      return staff.reject(id, caseId, text);
    case 'transfer':
      return staff.transfer(id, caseId, department, text);
  }
}

export async function staffAction(
  conversation: BotConversation,
  ctx: FormContext,
  deps: BotDeps,
  caseId: string,
  kind: StaffActionKind,
): Promise<void> {
  const { t, locale } = await conversationLocale(conversation, deps.translator);
  const check = await conversation.external((outer) =>
    kind === 'note'
      ? outer.deps.staff.canNote(outer.from?.id ?? 0, caseId)
      : outer.deps.staff.canChange(outer.from?.id ?? 0, caseId, kind),
  );
  if (!check.ok) {
    await ctx.reply(errorText(t, check.error));
    return;
  }
  const number = check.value.number;
  // A command or another button (the queue, another case) puts this step aside (forms/aside.ts).
  declareForm(conversation, {
    form: STAFF_ACTION,
    args: [caseId, kind],
    name: t('aside:forms.staff_action'),
    wayBack: '/queue',
    keepDraft: false,
    ownButton: (data) => Object.values(staffStepButtons).some((b) => b.is(data)),
  });
  const cancelData = staffStepButtons.cancel.pack({});
  /** The next update, or null when it is a press on "cancel" (answered: the step is over). */
  const nextUnlessCancelled = async () => {
    const u = await waitInForm(conversation, t);
    if (!staffStepButtons.cancel.is(u.callbackQuery?.data)) return u;
    await u.answerCallbackQuery();
    await u.reply(t('staff:action.cancelled'));
    return null;
  };

  let department = '';
  if (kind === 'transfer') {
    const targets = await conversation.external((outer) =>
      outer.deps.staff.transferTargets(outer.from?.id ?? 0, caseId),
    );
    if (!targets.ok) {
      await ctx.reply(errorText(t, targets.error));
      return;
    }
    if (targets.value.length === 0) {
      await ctx.reply(t('staff:action.transfer.no_targets'));
      return;
    }
    const kb = new InlineKeyboard();
    for (const d of targets.value)
      kb.text(localeName(locale, d), staffStepButtons.department.pack({ department: d.code })).row();
    kb.text(t('staff:action.cancel'), cancelData);
    await ctx.reply(t('staff:action.transfer.choose', { number }), { reply_markup: kb });
    for (;;) {
      const u = await nextUnlessCancelled();
      if (!u) return;
      const chosen = staffStepButtons.department.unpack(u.callbackQuery?.data)?.department;
      if (chosen && targets.value.some((d) => d.code === chosen)) {
        await u.answerCallbackQuery();
        department = chosen;
        break;
      }
      if (u.callbackQuery) await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
      else await u.reply(t('staff:action.use_buttons'));
    }
  }

  const canned = WITH_CANNED.includes(kind)
    ? await conversation.external(async (outer) => {
        const list = await outer.deps.staff.cannedReplies(outer.from?.id ?? 0);
        return list.ok ? list.value : [];
      })
    : [];
  const promptKeyboard = () => {
    const kb = new InlineKeyboard();
    for (const c of canned.slice(0, 10))
      kb.text(`📋 ${c.title}`, staffStepButtons.canned.pack({ cannedId: c.id })).row();
    return kb.text(t('staff:action.cancel'), cancelData);
  };
  const withMedia = WITH_MEDIA.includes(kind);
  const askText = () =>
    `${t(`staff:action.${kind}.prompt`, { number, max: STAFF_TEXT_MAX })}${
      withMedia ? `\n${t('media:staff.prompt_hint')}` : ''
    }`;
  await ctx.reply(askText(), { reply_markup: promptKeyboard() });

  for (;;) {
    // The text: typed, or a canned reply; for a reply or a question, a voice message or a photo instead.
    let text: string | null = null;
    let file: StaffFile | null = null;
    while (text === null && file === null) {
      const u = await nextUnlessCancelled();
      if (!u) return;
      const cannedId = staffStepButtons.canned.unpack(u.callbackQuery?.data)?.cannedId;
      if (cannedId && canned.some((c) => c.id === cannedId)) {
        await u.answerCallbackQuery();
        const found = await conversation.external((outer) =>
          outer.deps.staff.cannedReply(outer.from?.id ?? 0, cannedId),
        );
        if (found.ok) text = found.value;
        else await u.reply(t('staff:action.canned_gone'));
        continue;
      }
      if (u.callbackQuery) {
        await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
        continue;
      }
      const media = withMedia && u.message ? staffFileOf(u.message) : null;
      if (media) {
        const words = u.message?.caption?.trim() ?? '';
        const refusal = mediaRefusal(t, media, words);
        if (refusal) {
          await u.reply(refusal);
          continue;
        }
        file = media;
        // An empty (or blank) caption: the voice message or photo alone.
        text = words || null;
        continue;
      }
      const typed = u.message?.text;
      if (typed === undefined) {
        await u.reply(t(withMedia ? 'media:staff.media_only' : 'staff:action.text_only'));
        continue;
      }
      if (typed.startsWith('/')) {
        await u.reply(t('form:command_in_form'));
        continue;
      }
      const trimmed = typed.trim();
      if (!trimmed) {
        await u.reply(t('staff:action.text_only'));
        continue;
      }
      if (trimmed.length > STAFF_TEXT_MAX) {
        await u.reply(t('staff:action.too_long', { max: STAFF_TEXT_MAX, length: trimmed.length }));
        continue;
      }
      text = trimmed;
    }

    const shown = file
      ? [
          file.kind === 'voice'
            ? t('media:staff.preview_voice', { duration: voiceDuration(file.durationSeconds ?? 0) })
            : t('media:staff.preview_photo'),
          text ?? t('media:staff.no_words'),
        ].join('\n')
      : (text ?? '');
    await ctx.reply(t(`staff:action.${kind}.preview`, { number, text: shown }), {
      reply_markup: new InlineKeyboard()
        .text(t('staff:action.send'), staffStepButtons.send.pack({}))
        .text(t('staff:action.rewrite'), staffStepButtons.rewrite.pack({}))
        .row()
        .text(t('staff:action.cancel'), cancelData),
    });
    let decision: 'send' | 'rewrite' | null = null;
    while (decision === null) {
      const u = await nextUnlessCancelled();
      if (!u) return;
      const data = u.callbackQuery?.data;
      if (staffStepButtons.send.is(data) || staffStepButtons.rewrite.is(data)) {
        await u.answerCallbackQuery();
        decision = staffStepButtons.send.is(data) ? 'send' : 'rewrite';
      } else if (u.callbackQuery) {
        await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
      } else {
        await u.reply(t('staff:action.use_buttons'));
      }
    }
    if (decision === 'rewrite') {
      await ctx.reply(askText(), { reply_markup: promptKeyboard() });
      continue;
    }
    const finalText = text;
    const finalFile = file;
    const outcome = await conversation.external((outer) => {
      const result = carryOut(
        outer.deps.staff,
        outer.from?.id ?? 0,
        caseId,
        kind,
        finalText,
        department,
        finalFile,
      );
      return result.then((r) => {
        if (r.ok) outer.deps.wakeDispatcher?.();
        return r;
      });
    });
    if (outcome.ok) {
      await ctx.reply(t(`staff:action.${kind}.done`, { number }), {
        reply_markup: new InlineKeyboard()
          .text(t('staff:buttons.open_again'), staffButtons.open.pack({ caseId }))
          .text(t('staff:buttons.queue'), queueButton.pack({ filter: 'open', page: 0 })),
      });
      return;
    }
    if (outcome.error === 'invalid') {
      await ctx.reply(t('staff:action.invalid'));
      continue;
    }
    await ctx.reply(errorText(t, outcome.error));
    return;
  }
}
