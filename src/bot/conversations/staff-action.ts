// A staff member's short guided step on a case: reply to the resident, ask for more information, leave an
// internal note, resolve with the answer, reject with the reason, or transfer to another department with a
// reason. One question, the text (typed, or a canned reply of the department), a preview to confirm, done.
// The use case checks the permission when the step starts and again when it is carried out: a member
// removed in between, or a case someone else moved, is refused at the end.
import { InlineKeyboard } from 'grammy';
import type { StaffError } from '../../app/staff.ts';
import { STAFF_TEXT_MAX } from '../../domain/staff-work.ts';
import {
  type BotContext,
  type BotConversation,
  type BotDeps,
  type FormContext,
  localeName,
} from '../context.ts';
import type { TFunction } from '../i18n.ts';
import { conversationLocale } from './locale.ts';

export const STAFF_ACTION = 'staff_action';
export type StaffActionKind = 'reply' | 'ask_info' | 'note' | 'resolve' | 'reject' | 'transfer';

const WITH_CANNED: readonly StaffActionKind[] = ['reply', 'ask_info', 'resolve', 'reject'];

type Outcome = { ok: true; value: { number: string } } | { ok: false; error: StaffError };

function errorText(t: TFunction, error: StaffError): string {
  return t(`staff:errors.${error}`);
}

/** Runs the use case for the step (outside the replay: its result is stored in the replay log). */
function carryOut(
  outer: BotContext,
  caseId: string,
  kind: StaffActionKind,
  text: string,
  department: string,
): Promise<Outcome> {
  const id = outer.from?.id ?? 0;
  const staff = outer.deps.staff;
  switch (kind) {
    case 'reply':
      return staff.reply(id, caseId, text);
    case 'ask_info':
      return staff.askInfo(id, caseId, text);
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
  const check = await conversation.external((outer: BotContext) =>
    kind === 'note'
      ? outer.deps.staff.canNote(outer.from?.id ?? 0, caseId)
      : outer.deps.staff.canChange(outer.from?.id ?? 0, caseId, kind),
  );
  if (!check.ok) {
    await ctx.reply(errorText(t, check.error));
    return;
  }
  const number = check.value.number;

  let department = '';
  if (kind === 'transfer') {
    const targets = await conversation.external((outer: BotContext) =>
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
    for (const d of targets.value) kb.text(localeName(locale, d), `sa:dept:${d.code}`).row();
    kb.text(t('staff:action.cancel'), 'sa:cancel');
    await ctx.reply(t('staff:action.transfer.choose', { number }), { reply_markup: kb });
    for (;;) {
      const u = await conversation.wait();
      const data = u.callbackQuery?.data;
      if (data === 'sa:cancel') {
        await u.answerCallbackQuery();
        await u.reply(t('staff:action.cancelled'));
        return;
      }
      const code = data?.startsWith('sa:dept:') ? data.slice('sa:dept:'.length) : null;
      if (code && targets.value.some((d) => d.code === code)) {
        await u.answerCallbackQuery();
        department = code;
        break;
      }
      if (u.callbackQuery) await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
      else await u.reply(t('staff:action.use_buttons'));
    }
  }

  const canned = WITH_CANNED.includes(kind)
    ? await conversation.external(async (outer: BotContext) => {
        const list = await outer.deps.staff.cannedReplies(outer.from?.id ?? 0);
        return list.ok ? list.value : [];
      })
    : [];
  const promptKeyboard = () => {
    const kb = new InlineKeyboard();
    for (const c of canned.slice(0, 10)) kb.text(`📋 ${c.title}`, `sa:canned:${c.id}`).row();
    return kb.text(t('staff:action.cancel'), 'sa:cancel');
  };
  await ctx.reply(t(`staff:action.${kind}.prompt`, { number, max: STAFF_TEXT_MAX }), {
    reply_markup: promptKeyboard(),
  });

  for (;;) {
    // The text: typed, or a canned reply.
    let text: string | null = null;
    while (text === null) {
      const u = await conversation.wait();
      const data = u.callbackQuery?.data;
      if (data === 'sa:cancel') {
        await u.answerCallbackQuery();
        await u.reply(t('staff:action.cancelled'));
        return;
      }
      if (data?.startsWith('sa:canned:') && canned.some((c) => `sa:canned:${c.id}` === data)) {
        await u.answerCallbackQuery();
        const cannedId = data.slice('sa:canned:'.length);
        const found = await conversation.external((outer: BotContext) =>
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
      const typed = u.message?.text;
      if (typed === undefined) {
        await u.reply(t('staff:action.text_only'));
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

    await ctx.reply(t(`staff:action.${kind}.preview`, { number, text }), {
      reply_markup: new InlineKeyboard()
        .text(t('staff:action.send'), 'sa:send')
        .text(t('staff:action.rewrite'), 'sa:rewrite')
        .row()
        .text(t('staff:action.cancel'), 'sa:cancel'),
    });
    let decision: 'send' | 'rewrite' | 'cancel' | null = null;
    while (decision === null) {
      const u = await conversation.wait();
      const data = u.callbackQuery?.data;
      if (data === 'sa:send' || data === 'sa:rewrite' || data === 'sa:cancel') {
        await u.answerCallbackQuery();
        decision = data === 'sa:send' ? 'send' : data === 'sa:rewrite' ? 'rewrite' : 'cancel';
      } else if (u.callbackQuery) {
        await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
      } else {
        await u.reply(t('staff:action.use_buttons'));
      }
    }
    if (decision === 'cancel') {
      await ctx.reply(t('staff:action.cancelled'));
      return;
    }
    if (decision === 'rewrite') {
      await ctx.reply(t(`staff:action.${kind}.prompt`, { number, max: STAFF_TEXT_MAX }), {
        reply_markup: promptKeyboard(),
      });
      continue;
    }
    const finalText = text;
    const outcome = await conversation.external((outer: BotContext) => {
      const result = carryOut(outer, caseId, kind, finalText, department);
      return result.then((r) => {
        if (r.ok) outer.deps.wakeDispatcher?.();
        return r;
      });
    });
    if (outcome.ok) {
      await ctx.reply(t(`staff:action.${kind}.done`, { number }), {
        reply_markup: new InlineKeyboard()
          .text(t('staff:buttons.open_again'), `st:open:${caseId}`)
          .text(t('staff:buttons.queue'), 'sq:open:0'),
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
