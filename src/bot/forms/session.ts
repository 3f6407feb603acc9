// One run of a form: its clock, the answers so far, the buttons' sequence numbers, and waiting for the next
// update — with the "continue or start over?" question for a resident back after a day, and `discard` for
// input that changed nothing. Why discarding is right, and why all of it must be deterministic: ./engine.ts.
import type { Locale } from '../../config.ts';
import type { BotConversation, FormContext } from '../context.ts';
import type { TFunction } from '../i18n.ts';
import { type Action, parseFormCallback, twoWay } from './keyboards.ts';
import type { Answers, FormSpec } from './types.ts';

/** A form left alone this long asks "continue or start over?" when the resident comes back. */
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
  /** The next update; `resume` shows the current question again after "continue" on a stale draft. */
  next(resume: () => Promise<unknown>): Promise<FormContext>;
  /**
   * Ends the handling of an update that changed nothing in the form (a wrong input, once re-asked): the
   * plugin's `skip` takes it out of the replay log, as if it had never come, and hands it to nobody else.
   * Only where nothing the replay depends on was changed by it; the messages already sent stay sent.
   */
  discard(): Promise<never>;
  /** Answers a button that is not (or no longer) one of the current question's, and discards it. */
  stale(u: FormContext): Promise<never>;
  /** Answers a message where a button is wanted, and discards it. */
  useButtons(u: FormContext): Promise<never>;
  errorText(stepId: string, code: string, params?: Record<string, string>): string;
  /** The answer to a question with two buttons carrying `seq` (`send` shows it again after a stale draft). */
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
    async stale(u) {
      await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
      return s.discard();
    },
    async useButtons(u) {
      if (u.callbackQuery) return s.stale(u);
      if (u.message)
        await u.reply(u.message.text?.startsWith('/') ? t('form:command_in_form') : t('form:use_buttons'));
      return s.discard();
    },
    errorText(stepId, code, params) {
      const fallback = spec.errorFallback ? [`${spec.errorFallback}${code}`] : [];
      return t([`${spec.keys}errors.${stepId}.${code}`, ...fallback], { ...params });
    },
    async next(resume) {
      for (;;) {
        const u = await conversation.wait();
        const at = await conversation.now();
        const stale = at - lastActivity > STALE_AFTER_MS;
        lastActivity = at;
        if (!stale) return u;
        if (u.callbackQuery) await u.answerCallbackQuery();
        const mySeq = s.nextSeq();
        await u.reply(t('form:stale_draft'), {
          reply_markup: twoWay(mySeq, [t('form:continue'), 'go'], [t('form:start_over'), 'rs']),
        });
        // The answer to "continue?" comes through a plain wait: it is never itself stale.
        const chosen = await waitTwoWay(s, mySeq, () => conversation.wait(), ['continue', 'restart']);
        lastActivity = await conversation.now();
        if (chosen === 'restart') throw new RestartSignal();
        await resume();
      }
    },

    oneOf: (mySeq, send, actions) => waitTwoWay(s, mySeq, () => s.next(send), actions),
  };
  return s;
}

async function waitTwoWay<A extends Action>(
  s: FormSession,
  seq: number,
  wait: () => Promise<FormContext>,
  actions: [A, A],
): Promise<A> {
  const v = await wait();
  const cb = v.callbackQuery ? parseFormCallback(v.callbackQuery.data) : null;
  if (cb?.seq === seq && (actions as Action[]).includes(cb.action)) {
    await v.answerCallbackQuery();
    return cb.action as A;
  }
  if (v.callbackQuery) return s.stale(v);
  if (v.message) await v.reply(s.t('form:use_buttons'));
  return s.discard();
}
