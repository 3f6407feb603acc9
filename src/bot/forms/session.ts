// One run of a form: its clock, the answers so far, the buttons' sequence numbers, and waiting for the next
// update — which puts the form aside when it is meant for something else (./aside.ts), with the "continue,
// start over or stop?" question for a resident back after a day, the current question asked again after a
// stale button or a message where a button is wanted, and `discard` for input that changed nothing. Why
// discarding is right, and why all of it must be deterministic: ./engine.ts.
import type { Locale } from '../../config.ts';
import type { BotConversation, FormContext } from '../context.ts';
import type { TFunction } from '../i18n.ts';
import { frameOf, stopForm, waitInForm } from './aside.ts';
import { type Action, oneToARow, parseFormCallback } from './keyboards.ts';
import type { Answers, FormSpec } from './types.ts';

/** A form left alone this long asks "continue, start over or stop?" when the resident comes back. */
export const STALE_AFTER_MS = 24 * 3600_000;

/** Thrown when the resident chose "start over" on a stale draft; runForm turns it into `restart`. */
export class RestartSignal {}

export interface FormSession {
  conversation: BotConversation;
  /** The context the form was started with (its first messages are sent through it). */
  ctx: FormContext;
  spec: FormSpec;
  t: TFunction;
  locale: Locale;
  today: Date;
  answers: Answers;
  /** A new sequence number: the buttons of one question carry it, so an older question's buttons are stale. */
  nextSeq(): number;
  visible(index: number): boolean;
  /**
   * The next update for the current question; `resume` shows that question again (after "continue" on a
   * stale draft, a stale button, or a message where a button is wanted). An update meant for something else
   * (a command, another button, a main-menu label) puts the form aside (./aside.ts) and never returns.
   */
  next(resume: () => Promise<unknown>): Promise<FormContext>;
  /**
   * Ends the handling of an update that changed nothing in the form (a wrong input, once re-asked): the
   * plugin's `skip` takes it out of the replay log, as if it had never come, and hands it to nobody else.
   * Only where nothing the replay depends on was changed by it; the messages already sent stay sent.
   */
  discard(): Promise<never>;
  /**
   * A button that is not (or no longer) one of the current question's: an alert that stays until dismissed,
   * the current question again, and the press is discarded.
   */
  stale(u: FormContext): Promise<never>;
  /** A message where a button is wanted: said, the current question again, and the message discarded. */
  useButtons(u: FormContext): Promise<never>;
  /** Shows the current question again (the latest `resume` given to `next`). */
  askAgain(): Promise<unknown>;
  errorText(stepId: string, code: string, params?: Record<string, string>): string;
  /** The answer to a question with two buttons carrying `seq` (`send` shows it again). */
  oneOf<A extends Action>(seq: number, send: () => Promise<unknown>, actions: [A, A]): Promise<A>;
}

export async function createSession(
  conversation: BotConversation,
  ctx: FormContext,
  spec: FormSpec,
  t: TFunction,
  locale: Locale,
): Promise<FormSession> {
  const today = new Date(await conversation.now());
  let lastActivity = today.getTime();
  // Buttons carry a sequence number; starting each form at a random point keeps a button of an earlier form
  // in the same conversation from matching a question of this one.
  let seq = 1000 + Math.floor((await conversation.random()) * 90_000);
  let current: () => Promise<unknown> = async () => undefined;

  const s: FormSession = {
    conversation,
    ctx,
    spec,
    t,
    locale,
    today,
    answers: { ...(spec.initial ?? {}) },
    nextSeq: () => ++seq,
    visible: (i) => spec.steps[i]?.when?.(s.answers) ?? true,
    discard: () => conversation.skip({ next: false }),
    askAgain: () => current(),
    async stale(u) {
      await u.answerCallbackQuery({ text: t('aside:stale_alert'), show_alert: true });
      await current();
      return s.discard();
    },
    async useButtons(u) {
      if (u.callbackQuery) return s.stale(u);
      if (u.message) {
        await u.reply(t('form:use_buttons'));
        await current();
      }
      return s.discard();
    },
    errorText(stepId, code, params) {
      const fallback = spec.errorFallback ? [`${spec.errorFallback}${code}`] : [];
      return t([`${spec.keys}errors.${stepId}.${code}`, ...fallback], { ...params });
    },
    async next(resume) {
      current = resume;
      for (;;) {
        const u = await waitInForm(conversation, t);
        const at = await conversation.now();
        const stale = at - lastActivity > STALE_AFTER_MS;
        lastActivity = at;
        if (!stale) return u;
        if (u.callbackQuery) await u.answerCallbackQuery();
        const mySeq = s.nextSeq();
        const name = frameOf(conversation)?.name ?? t('aside:forms.other');
        const ask = () =>
          u.reply(t('aside:stale_draft', { form: name }), {
            reply_markup: oneToARow(mySeq, [
              [t('form:continue'), 'go'],
              [t('form:start_over'), 'rs'],
              [t('aside:stop'), 'st'],
            ]),
          });
        await ask();
        // The answer to "continue?" is never itself stale: it comes through a wait without the day's check.
        const chosen = await waitChoice(s, mySeq, () => waitInForm(conversation, t), ask, [
          'continue',
          'restart',
          'stop',
        ]);
        lastActivity = await conversation.now();
        if (chosen.action === 'restart') throw new RestartSignal();
        if (chosen.action === 'stop') return stopForm(conversation, chosen.u, t);
        await resume();
      }
    },

    oneOf: async (mySeq, send, actions) =>
      (await waitChoice(s, mySeq, () => s.next(send), send, actions)).action,
  };
  return s;
}

/** The button of question `seq` pressed among `actions`; anything else is answered and discarded. */
async function waitChoice<A extends Action>(
  s: FormSession,
  seq: number,
  wait: () => Promise<FormContext>,
  send: () => Promise<unknown>,
  actions: A[],
): Promise<{ action: A; u: FormContext }> {
  const v = await wait();
  const cb = v.callbackQuery ? parseFormCallback(v.callbackQuery.data) : null;
  if (cb?.seq === seq && (actions as Action[]).includes(cb.action)) {
    await v.answerCallbackQuery();
    return { action: cb.action as A, u: v };
  }
  if (v.callbackQuery) {
    await v.answerCallbackQuery({ text: s.t('aside:stale_alert'), show_alert: true });
    await send();
    return s.discard();
  }
  if (v.message) {
    await v.reply(s.t('form:use_buttons'));
    await send();
  }
  return s.discard();
}
