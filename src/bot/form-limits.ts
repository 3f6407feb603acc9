// How much one form may keep in the conversation state, and what happens past it.
//
// The conversations plugin keeps, for a form in progress, every update it received and every Bot API and
// database result it got, and replays them all at each new update: the stored state and the work per update
// grow with every step. The form engine already leaves wrong answers out of that log (forms/engine.ts,
// `discard`); what is left — answers, "back", "change", photos — is bounded here, for every conversation
// alike: the storage adapter (conversation-storage.ts) checks the state it reads, for an update that came
// through the update gate or not, and a state over the limits is deleted instead of being replayed; the
// middleware below then tells the resident, and the update goes to no form.
import type { ConversationData } from '@grammyjs/conversations';
import type { Context, MiddlewareFn } from 'grammy';
import type { BotContext } from './context.ts';
import { mainMenuKeyboard, menuEntryOf } from './menu-labels.ts';

export interface FormStateLimits {
  /** Updates recorded in the state's replay logs (answers, button presses, photos …). */
  maxUpdates: number;
  /** The stored state: its encrypted JSON, in bytes. */
  maxBytes: number;
}

/**
 * The limits, from measurement (test/bot/form-limits.test.ts drives these forms through the real bot and the
 * update gate; sizes as stored, December 2026):
 * - The longest honest forms of the catalogue, each with "back", a warning chosen again, wrong answers and
 *   several "change"s from the summary: registration 24 updates, 59 KB; a dibao application for a
 *   household of seven with both 500-character explanations, 8 photos with 1,024-character captions and
 *   four changes 32 updates, 95 KB; a school enrolment adding two children on the spot, 6 photos and two
 *   changes 39 updates, 81 KB; a community notice of 3,000 characters in Chinese and 2,900 in English,
 *   8 buildings chosen one by one, a scheduled time, then rewritten three times 33 updates, 182 KB (its
 *   preview echoes the whole text: about 9 KB per rewrite).
 * - A resident going back and forth stores 1.9–3.7 KB per update (the building list is the heaviest).
 * - 120 updates is 3 times the longest form (nearly 4 times an application) and leaves room for some 40
 *   more "back"s; 512 KiB is 2.8 times the long notice and 5 times any resident's form. A resident's form
 *   reaches 120 updates at 235–446 KB, so for residents the count binds; the bytes bind for long texts.
 * - Cost: the state is decrypted, parsed, replayed, serialised and encrypted again at every update. With
 *   the test harness on this 2-core machine (three forms going back and forth, three runs each), the first
 *   updates of a form cost 3–8 ms of CPU each and the last ones before the cap 13–47 ms (4 to 9 times as
 *   much); unbounded, 100 wrong 4,096-character names had made the state 1.3 MB and each update 46 ms,
 *   500 of them 6.6 MB and 344 ms.
 */
export const FORM_STATE_LIMITS: FormStateLimits = { maxUpdates: 120, maxBytes: 512 * 1024 };

/** Updates recorded in the replay logs of every conversation in `data`. */
export function recordedUpdates(data: ConversationData | undefined): number {
  let count = 0;
  for (const states of Object.values(data ?? {})) {
    for (const state of states) {
      for (const op of state.replay?.receive ?? []) {
        const value = op.returnValue;
        // An update is the only value in the log with an update_id (results are wrapped: { ok, res | ret }).
        if (typeof value === 'object' && value !== null && 'update_id' in value) count++;
      }
    }
  }
  return count;
}

/**
 * Whether a state read for an update is at its limits: it already holds `maxUpdates` (this update would be
 * one more), or its stored bytes are over `maxBytes`. Stored states thus hold at most `maxUpdates` updates,
 * and at most `maxBytes` plus what one update adds.
 */
export function atFormLimits(
  data: ConversationData | undefined,
  storedBytes: number,
  limits: FormStateLimits,
): { updates: number; bytes: number } | null {
  const updates = recordedUpdates(data);
  return updates >= limits.maxUpdates || storedBytes > limits.maxBytes
    ? { updates, bytes: storedBytes }
    : null;
}

const ended = new WeakMap<Context, string[]>();

/** Called by the storage adapter: this update found these forms at their limits (their state is deleted). */
export function markFormsEnded(ctx: Context, forms: string[]): void {
  ended.set(ctx, forms);
}

/** The forms this update found at their limits and ended, if any. */
export function formsEnded(ctx: Context): readonly string[] | undefined {
  return ended.get(ctx);
}

/**
 * Right after conversations(): when this update ended a form at its limits, tell the resident in plain
 * words, with the way back in to that form (`wayBackIn`, a command). The update itself was meant for the
 * form, so it goes no further — unless it is a command (/services, /start …) or a main-menu label, which
 * starts something new; /cancel is answered by the message itself.
 */
export function endedFormReply(wayBackIn: (form: string) => string): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const forms = formsEnded(ctx);
    if (!forms) return next();
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    // A registered resident gets the main menu back (the form may have shown "share my number" instead).
    await ctx.reply(ctx.t('form:ended_too_long', { command: wayBackIn(forms[0] ?? '') }), {
      reply_markup: ctx.registered ? mainMenuKeyboard(ctx.t) : { remove_keyboard: true },
    });
    const text = ctx.message?.text;
    const command = text?.startsWith('/') ? text.slice(1).split(/[\s@]/, 1)[0] : undefined;
    if ((command && command !== 'cancel') || menuEntryOf(text)) await next();
  };
}
