// A small form engine on top of @grammyjs/conversations: one question at a time, buttons for finite
// choices (one, or several), a re-ask in plain words on wrong input, "back", a summary to confirm (the
// engine's, or the form's own), and "change one answer". Forms (registration, a household member, the
// service requests, a community notice) are lists of steps; src/bot/forms is the only place that knows how
// a step is asked and answered. This file drives a form from step to step; the rest lives beside it:
// types.ts (steps, answers, hooks), session.ts (one run: clock, waiting, the stale-draft question),
// step.ts (asking one step), input.ts (text, contact, files, voice), summary.ts, keyboards.ts, aside.ts (an
// update meant for something else puts the form aside) and drafts.ts (a form put aside, kept to go on with).
//
// Everything here runs inside a conversation and is replayed on each update: it must be deterministic.
// Data from the database comes through `conversation.external` (stored in the replay log), time through
// `conversation.now()`. Answers end up in the conversation state, which is stored encrypted.
//
// A wrong input (a sticker, 4,096 characters where a name is wanted, a stale button) is answered and then
// dropped from the replay log (`discard`): it leaves the form exactly as it was, so it need not be kept,
// and keeping it would make every later step of the form store and replay it again. What the log does
// keep is bounded by the conversation storage (FORM_STATE_LIMITS in ../form-limits.ts).
import type { Locale } from '../../config.ts';
import type { BotConversation, FormContext } from '../context.ts';
import type { TFunction } from '../i18n.ts';
import { frameOf } from './aside.ts';
import { createSession, RestartSignal } from './session.ts';
import { ask } from './step.ts';
import { summary } from './summary.ts';
import type { FormOutcome, FormSpec, FormStep } from './types.ts';

export { backToMenu, declareForm, type FormFrame, plainName } from './aside.ts';
export type { DraftStore, FormDraft } from './drafts.ts';
export { fileOf, voiceLabel } from './input.ts';
export { parseFormCallback } from './keyboards.ts';
export { STALE_AFTER_MS } from './session.ts';
export type {
  AfterResult,
  Answer,
  Answers,
  Choice,
  FileRef,
  FormOutcome,
  FormSpec,
  FormStep,
  SummaryHook,
  SummaryView,
  TextResult,
} from './types.ts';

export async function runForm(
  conversation: BotConversation,
  ctx: FormContext,
  spec: FormSpec,
  t: TFunction,
  locale: Locale,
): Promise<FormOutcome> {
  const { steps } = spec;
  const s = await createSession(conversation, ctx, spec, t, locale);
  const indexOf = (id: string) => steps.findIndex((step) => step.id === id);
  /** A step answered before the form started (`spec.prefilled`): not asked going forward, changeable. */
  const prefilled = (index: number) => {
    const id = (steps[index] as FormStep).id;
    return (spec.prefilled?.includes(id) ?? false) && s.answers[id] !== undefined;
  };
  /** A step and those its change asks again (`resets`), as the queue of steps to ask before the summary. */
  const changing = (index: number) => [
    index,
    ...(steps[index]?.resets ?? []).map(indexOf).filter((i) => i >= 0),
  ];
  const frame = spec.draft ? frameOf(conversation) : undefined;
  if (frame) frame.answers = () => s.answers;
  try {
    // Going forward, `index` is the next step and `history` the steps answered; while changing answers from
    // the summary, `editQueue` holds the steps still to ask.
    const history: number[] = [];
    let index = 0;
    let editQueue: number[] | null = null;
    if (spec.resume) {
      // A draft goes on where it was left: past the steps it answered (a step shown or hidden by them
      // is decided again on the way).
      for (; index < steps.length; index++) {
        if (!s.visible(index)) continue;
        if (s.answers[(steps[index] as FormStep).id] === undefined) break;
        history.push(index);
      }
    }
    for (;;) {
      if (editQueue === null) {
        while (index < steps.length && (!s.visible(index) || prefilled(index))) index++;
      } else {
        // Passed over only when their turn comes: a step the new answer makes visible is still asked.
        while (editQueue.length > 0 && !s.visible(editQueue[0] as number)) editQueue.shift();
      }
      const atSummary = editQueue === null ? index >= steps.length : editQueue.length === 0;
      if (atSummary) {
        if (spec.summary === false) return { status: 'done', answers: s.answers };
        const choice = await summary(s);
        if (choice.kind === 'confirm') return { status: 'done', answers: s.answers };
        if (choice.kind === 'cancel') return { status: 'cancelled' };
        if (choice.kind === 'end') return { status: 'cancelled', ended: true };
        if (choice.kind === 'change') editQueue = changing(choice.index);
        if (choice.kind === 'ask') editQueue = [choice.index];
        continue;
      }
      const current = editQueue === null ? index : (editQueue[0] as number);
      const outcome = await ask(s, current, editQueue === null && history.length > 0);
      if (outcome.kind === 'back') {
        index = history.pop() ?? 0;
        continue;
      }
      if (outcome.kind === 'redo') {
        // Back to an earlier step (the step's `after` has said why).
        const target = indexOf(outcome.stepId);
        if (target < 0) continue; // not a step of this form: ask this one again
        if (editQueue !== null) editQueue = changing(target);
        else if (history.includes(target)) while (index !== target) index = history.pop() ?? target;
        continue;
      }
      if (outcome.kind === 'stop')
        return { status: 'stopped', stepId: (steps[current] as FormStep).id, value: outcome.value };
      s.answers = { ...s.answers, [(steps[current] as FormStep).id]: outcome.answer };
      if (editQueue !== null) {
        editQueue.shift();
      } else {
        history.push(index);
        index++;
      }
    }
  } catch (err) {
    if (err instanceof RestartSignal) return { status: 'restart' };
    throw err;
  }
}

/** runForm, started again from the beginning when the resident chose "start over" on a stale draft. */
export async function runWholeForm(
  conversation: BotConversation,
  ctx: FormContext,
  spec: FormSpec,
  t: TFunction,
  locale: Locale,
): Promise<Exclude<FormOutcome, { status: 'restart' }>> {
  let run = spec;
  for (;;) {
    const outcome = await runForm(conversation, ctx, run, t, locale);
    if (outcome.status !== 'restart') return outcome;
    await ctx.reply(t('form:restarting'));
    // Starting over a resumed draft starts from nothing.
    if (run.resume) run = { ...run, initial: undefined, resume: false };
  }
}
