// What a resident does on one of their cases after filing it: answer the staff's question, rate the
// answer, ask to reopen. Each re-checks ownership and status in the use case (src/app/cases.ts).

import { MAX_FILE_BYTES, MAX_VOICE_SECONDS } from '../../domain/file-size.ts';
import type { BotConversation, BotDeps, FormContext } from '../context.ts';
import { waitInForm } from '../forms/aside.ts';
import {
  type Answers,
  backToMenu,
  declareForm,
  type FormStep,
  fileOf,
  runWholeForm,
  type TextResult,
} from '../forms/engine.ts';
import type { TFunction } from '../i18n.ts';
import { conversationLocale } from './locale.ts';

export const CASE_ANSWER = 'case_answer';
export const CASE_RATE = 'case_rate';
export const CASE_REOPEN = 'case_reopen';
const NOTE_MAX = 500;

const note = (input: string): TextResult => {
  const text = input.trim();
  if (!text) return { ok: false, error: 'empty' };
  return text.length > NOTE_MAX ? { ok: false, error: 'too_long' } : { ok: true, value: text };
};

/** The answer to a resident's action on a case: done, or why not (someone else's case reads "not found"). */
function outcomeText(result: { ok: boolean; error?: string } | null, doneKey: string, t: TFunction): string {
  if (result?.ok) return t(doneKey);
  return t(result?.error === 'not_found' ? 'mycases:not_found' : 'mycases:not_allowed');
}

/** The staff's latest question on the case, to show above the answer prompt. */
function latestQuestion(history: { kind: string; note: string | null }[]): string | null {
  return history.filter((h) => h.kind === 'ask_info' && h.note).at(-1)?.note ?? null;
}

export async function caseAnswer(
  conversation: BotConversation,
  ctx: FormContext,
  deps: BotDeps,
  caseId: string,
) {
  const { t } = await conversationLocale(conversation, deps.translator);
  declareForm(conversation, {
    form: CASE_ANSWER,
    args: [caseId],
    name: t('aside:forms.case_answer'),
    wayBack: '/mycases',
    keepDraft: false,
  });
  const view = await conversation.external((outer) =>
    outer.from ? outer.deps.cases.getMine(outer.from.id, caseId) : null,
  );
  if (!view?.ok) {
    await ctx.reply(t('mycases:not_found'));
    return;
  }
  if (!view.value.can.answer) {
    await ctx.reply(t('mycases:not_allowed'));
    return;
  }
  const question = latestQuestion(view.value.history);
  const ask = () =>
    ctx.reply(question ? t('mycases:answer.prompt', { question }) : t('mycases:answer.prompt_no_question'));
  await ask();
  // A wrong input is answered and then dropped from the replay log (as in the form engine): it changes
  // nothing here, and a 4,096-character one kept would be stored and replayed at every later update.
  const discard = (): Promise<never> => conversation.skip({ next: false });
  for (;;) {
    // A command, a main-menu label or another button puts this answer aside (forms/aside.ts).
    const u = await waitInForm(conversation, t);
    if (u.callbackQuery) {
      await u.answerCallbackQuery({ text: t('aside:stale_alert'), show_alert: true });
      await ask();
      return discard();
    }
    const msg = u.message;
    if (!msg) return discard();
    if (msg.text?.startsWith('/')) {
      await u.reply(t('form:command_in_form'));
      return discard();
    }
    const file = fileOf(msg);
    if (file && (file.sizeBytes ?? 0) > MAX_FILE_BYTES) {
      await u.reply(t('form:file_too_big'));
      return discard();
    }
    if (file?.kind === 'voice' && (file.durationSeconds ?? 0) > MAX_VOICE_SECONDS) {
      await u.reply(t('form:voice_too_long', { minutes: MAX_VOICE_SECONDS / 60 }));
      return discard();
    }
    const text = msg.text ?? msg.caption ?? null;
    if (!file && text === null) {
      await u.reply(t('mycases:answer.only_one'));
      return discard();
    }
    if (text !== null && text.trim().length > 2000) {
      await u.reply(t('services:errors.too_long', { max: 2000 }));
      return discard();
    }
    const answer = { text: text?.trim() ? text.trim() : null, files: file ? [file] : [] };
    const result = await conversation.external((outer) =>
      outer.from ? outer.deps.cases.answerInfo(outer.from.id, caseId, answer) : null,
    );
    if (result?.ok) {
      await u.reply(t('mycases:answer.sent'), { reply_markup: backToMenu(t) });
    } else if (result && !result.ok && result.error === 'invalid') {
      await u.reply(t('mycases:answer.failed'));
      continue;
    } else {
      await u.reply(t('mycases:not_allowed'), { reply_markup: backToMenu(t) });
    }
    return;
  }
}

/**
 * A short form on the case (rate it, ask to reopen it), then the use case with the answers; says how it
 * went. Gives up with "cancelled" when the resident leaves the form.
 */
async function followUpForm(
  conversation: BotConversation,
  ctx: FormContext,
  deps: BotDeps,
  form: { id: string; caseId: string; keys: string; steps: (t: TFunction) => FormStep[]; doneKey: string },
  act: (
    cases: BotDeps['cases'],
    telegramId: number,
    answers: Answers,
  ) => Promise<{ ok: boolean; error?: string }>,
): Promise<void> {
  const { t, locale } = await conversationLocale(conversation, deps.translator);
  declareForm(conversation, {
    form: form.id,
    args: [form.caseId],
    name: t(`aside:forms.${form.id}`),
    wayBack: '/mycases',
    keepDraft: false,
  });
  const done = await runWholeForm(
    conversation,
    ctx,
    { keys: form.keys, summary: false, steps: form.steps(t) },
    t,
    locale,
  );
  if (done.status !== 'done') {
    await ctx.reply(t('form:cancelled'), { reply_markup: backToMenu(t) });
    return;
  }
  const answers = done.answers;
  const result = await conversation.external((outer) =>
    outer.from ? act(outer.deps.cases, outer.from.id, answers) : null,
  );
  await ctx.reply(outcomeText(result, form.doneKey, t), { reply_markup: backToMenu(t) });
}

export function caseRate(conversation: BotConversation, ctx: FormContext, deps: BotDeps, caseId: string) {
  return followUpForm(
    conversation,
    ctx,
    deps,
    {
      id: CASE_RATE,
      caseId,
      keys: 'mycases:rate.',
      doneKey: 'mycases:rate.thanks',
      steps: (t) => [
        {
          id: 'stars',
          prompt: (tt) => tt('mycases:rate.steps.stars.prompt'),
          choices: () =>
            ['5', '4', '3', '2', '1'].map((n) => ({ value: n, label: t(`mycases:rate.stars.${n}`) })),
        },
        {
          id: 'comment',
          prompt: (tt) => tt('mycases:rate.steps.comment.prompt'),
          text: note,
          voice: true,
          optional: () => true,
        },
      ],
    },
    (cases, telegramId, a) =>
      cases.rate(telegramId, caseId, Number(a.stars?.value), a.comment?.value ?? null, a.comment?.files),
  );
}

export function caseReopen(conversation: BotConversation, ctx: FormContext, deps: BotDeps, caseId: string) {
  return followUpForm(
    conversation,
    ctx,
    deps,
    {
      id: CASE_REOPEN,
      caseId,
      keys: 'mycases:reopen.',
      doneKey: 'mycases:reopen.done',
      steps: () => [
        { id: 'reason', prompt: (tt) => tt('mycases:reopen.steps.reason.prompt'), text: note, voice: true },
      ],
    },
    (cases, telegramId, a) => cases.reopen(telegramId, caseId, a.reason?.value ?? null, a.reason?.files),
  );
}
