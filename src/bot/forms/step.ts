// Asking one step until it gets a valid answer (or "back"): the question and its buttons, the buttons
// pressed (one choice, several choices, pages, skip, keep, back, done), the warning, and the step's `after`.
// Typed and sent input (text, contact, files, voice) is read in ./input.ts. The rules all of it keeps
// (deterministic replay, wrong input discarded) are told at the top of ./engine.ts.
import type { InlineKeyboardButton, Message } from 'grammy/types';
import type { FormContext } from '../context.ts';
import { onMessage } from './input.ts';
import { choiceKeyboard, PAGE_SIZE, parseFormCallback, truncate, twoWay } from './keyboards.ts';
import type { FormSession } from './session.ts';
import type { Answer, Asked, Choice, FileRef, FormStep } from './types.ts';

/** What reading the input of one asking of a step needs (shared with ./input.ts). */
export interface StepRun {
  s: FormSession;
  step: FormStep;
  seq: number;
  choices: Choice[];
  optional: boolean;
  keepable: boolean;
  canGoBack: boolean;
  perPage: number;
  /** The question's buttons, showing this page of the choices. */
  keyboard(page: number): InlineKeyboardButton[][];
  /** Multi-choice: the places chosen so far. */
  chosen: Set<number> | undefined;
  /** Files collected so far (file steps), and the album the last one came with. */
  collected: FileRef[];
  lastAlbum: string | undefined;
  sendPrompt(): Promise<unknown>;
  /** Replace the question's buttons by the answer, so the chat shows what was picked. */
  markChosen(c: FormContext, label: string, text?: string): Promise<void>;
  removeReplyKeyboard(c: FormContext): Promise<void>;
  /** Checks, warns, runs the step's `after`; null means "ask this step again". */
  settle(c: FormContext, answer: Answer): Promise<Asked | null>;
}

export async function ask(s: FormSession, index: number, canGoBack: boolean): Promise<Asked> {
  const { t, today, spec } = s;
  const step = spec.steps[index] as FormStep;
  const seq = s.nextSeq();
  const choose = step.choices;
  const choices = choose ? await s.conversation.external((outer) => choose(outer, s.answers, s.locale)) : [];
  const visibleIdx = spec.steps.map((_, i) => i).filter(s.visible);
  const counter = t('form:step', { n: visibleIdx.indexOf(index) + 1, total: visibleIdx.length });
  // Where a voice message is an answer, the question says so (one wording for every such step).
  const voiceHint = step.voice && step.text ? `\n${t('form:voice_hint')}` : '';
  const promptText = `${step.prompt(t, s.answers, today, choices)}${voiceHint}\n${counter}`;
  const optional = step.optional?.(s.answers, today) ?? false;
  const keepable = (step.keepable?.(s.answers) ?? false) && s.answers[step.id] !== undefined;
  let prompt: Message.TextMessage | undefined;

  const run: StepRun = {
    s,
    step,
    seq,
    choices,
    optional,
    keepable,
    canGoBack,
    perPage: step.multi?.perPage ?? PAGE_SIZE,
    keyboard: (page) =>
      choiceKeyboard({
        t,
        seq,
        choices,
        page,
        perPage: run.perPage,
        columns: step.columns ?? 1,
        chosen: run.chosen,
        keep: keepable,
        skip: optional ? t(step.files ? 'form:no_files' : 'form:skip') : null,
        back: canGoBack,
      }),
    chosen: step.multi ? new Set() : undefined,
    collected: [],
    lastAlbum: undefined,
    async sendPrompt() {
      const kb = run.keyboard(0);
      if (!step.contact) {
        // The answer, once given, is shown on the latest copy of the question (markChosen) that the replay
        // knows of: a copy sent again for an update that is discarded is not among them.
        prompt = await s.ctx.reply(
          promptText,
          kb.length ? { reply_markup: { inline_keyboard: kb } } : undefined,
        );
        return prompt;
      }
      // A reply keyboard (share my number) and inline buttons cannot share one message.
      const sent = await s.ctx.reply(promptText, {
        reply_markup: {
          keyboard: [[{ text: t(`${spec.keys}share_phone`), request_contact: true }]],
          resize_keyboard: true,
          one_time_keyboard: true,
          is_persistent: true,
        },
      });
      if (kb.length) await s.ctx.reply(t('form:back_hint'), { reply_markup: { inline_keyboard: kb } });
      prompt = sent;
      return sent;
    },
    async markChosen(c, label, text) {
      if (!prompt) return;
      const shown = text ?? `${step.prompt(t, s.answers, today, choices)}\n👉 ${truncate(label, 200)}`;
      await c.api.editMessageText(prompt.chat.id, prompt.message_id, shown).catch(() => undefined);
    },
    async removeReplyKeyboard(c) {
      if (step.contact) await c.reply(t('form:received'), { reply_markup: { remove_keyboard: true } });
    },
    async settle(c, answer) {
      if (answer.value !== null && step.stopOn?.includes(answer.value))
        return { kind: 'stop', value: answer.value };
      if (!(await confirmWarning(s, step, c, answer))) return null;
      const after = step.after ? await step.after(answer, s.answers) : answer;
      if (after && 'redo' in after) return { kind: 'redo', stepId: after.redo };
      return after ? { kind: 'answer', answer: after } : null;
    },
  };
  await run.sendPrompt();

  for (;;) {
    const u = await s.next(run.sendPrompt);
    const outcome = u.callbackQuery ? await onButton(run, u) : await onMessage(run, u);
    if (outcome) return outcome;
  }
}

/** A pressed button; null: keep waiting for this step's answer. */
async function onButton(run: StepRun, u: FormContext): Promise<Asked | null> {
  const { s, step, choices, chosen, perPage } = run;
  const { t } = s;
  const cb = parseFormCallback(u.callbackQuery?.data);
  if (!cb || cb.seq !== run.seq) return s.stale(u);
  if (cb.action === 'choose') {
    const choice = choices[cb.n];
    if (!choice) return s.stale(u);
    await u.answerCallbackQuery();
    if (chosen) {
      // A toggle changes the form (it is kept); the page shown is the one the button was on.
      if (chosen.has(cb.n)) chosen.delete(cb.n);
      else chosen.add(cb.n);
      const page = Math.floor(cb.n / perPage);
      await u
        .editMessageReplyMarkup({ reply_markup: { inline_keyboard: run.keyboard(page) } })
        .catch(() => undefined);
      return null;
    }
    await run.markChosen(u, choice.label);
    const settled = await run.settle(u, { value: choice.value, label: choice.label });
    if (!settled) await run.sendPrompt();
    return settled;
  }
  if (cb.action === 'page' && cb.n * perPage < choices.length) {
    // Another page of buttons changes the message, not the form (a button's number is its place in the
    // whole list): nothing to keep.
    await u.answerCallbackQuery();
    await u
      .editMessageReplyMarkup({ reply_markup: { inline_keyboard: run.keyboard(cb.n) } })
      .catch(() => undefined);
    return s.discard();
  }
  if (cb.action === 'back' && run.canGoBack) {
    await u.answerCallbackQuery();
    await run.removeReplyKeyboard(u);
    return { kind: 'back' };
  }
  if (cb.action === 'skip' && run.optional) {
    await u.answerCallbackQuery();
    await run.removeReplyKeyboard(u);
    await run.markChosen(u, t(step.files ? 'form:no_files' : 'form:skip'));
    return { kind: 'answer', answer: { value: null, label: '—' } };
  }
  if (cb.action === 'keep' && run.keepable) {
    await u.answerCallbackQuery();
    await run.removeReplyKeyboard(u);
    await run.markChosen(u, t('form:keep'));
    return { kind: 'answer', answer: s.answers[step.id] };
  }
  if (cb.action === 'done' && chosen && step.multi) return multiDone(run, u, step.multi);
  if (cb.action === 'done' && step.files && run.collected.length > 0) {
    await u.answerCallbackQuery();
    const label = t('form:files_label', { count: run.collected.length });
    return { kind: 'answer', answer: { value: null, label, files: [...run.collected] } };
  }
  return s.stale(u);
}

/** "Done" on a multi-choice step: too few is said in plain words; enough becomes the answer. */
async function multiDone(
  run: StepRun,
  u: FormContext,
  multi: NonNullable<FormStep['multi']>,
): Promise<Asked | null> {
  const { s, step } = run;
  const places = [...(run.chosen ?? [])].sort((a, b) => a - b);
  if (places.length < multi.min) {
    const text = s.t([`${s.spec.keys}errors.${step.id}.too_few`, 'form:too_few'], { min: multi.min });
    await u.answerCallbackQuery({ text, show_alert: true });
    return s.discard();
  }
  await u.answerCallbackQuery();
  const picked = places.map((i) => run.choices[i] as { value: string; label: string });
  const values = picked.map((c) => c.value);
  const answer: Answer = {
    value: values.join(','),
    values,
    label: picked.map((c) => c.label).join(s.t('form:list_separator')),
  };
  await run.markChosen(u, answer.label, multi.chosen?.(s.t, answer));
  const settled = await run.settle(u, answer);
  if (!settled) await run.sendPrompt();
  return settled;
}

/** A warning the resident may accept ("keep it") or not ("choose again"). */
async function confirmWarning(
  s: FormSession,
  step: FormStep,
  c: FormContext,
  answer: Answer,
): Promise<boolean> {
  const warning = step.warn?.(answer, s.answers, s.today);
  if (!warning) return true;
  const seq = s.nextSeq();
  const send = () =>
    c.reply(warning, {
      reply_markup: twoWay(seq, [s.t('form:keep_anyway'), 'k'], [s.t('form:choose_again'), 'w']),
    });
  await send();
  return (await s.oneOf(seq, send, ['keep', 'rechoose'])) === 'keep';
}
