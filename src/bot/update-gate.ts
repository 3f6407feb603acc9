// The gate every update passes on its way into the bot, in both modes (webhook and long polling): each
// `update_id` is handled once, however often and on however many instances it arrives.
//
// The guarantee, and why this one. The ideal — a unique key written in the same transaction as the
// update's effects — cannot cover a Telegram bot: its main effects are Bot API calls (messages sent), which
// no database transaction can roll back, and its database effects are spread over the conversation
// plugin's storage and several use cases. So:
// - an update is *claimed* (a receipt row, one atomic INSERT … ON CONFLICT) before it is handled, and marked
//   done after: a finished update is never handled again, whether it comes back one after the other or
//   at the same moment on two instances (the loser sees "busy" and the webhook answers 503, so Telegram
//   comes back later and then finds it done);
// - the claim is a lease (UPDATE_LEASE_SECONDS): when an instance dies between "claimed" and "done", the
//   update is handled again once the lease has run out (a poller takes it over at once). That is
//   at-least-once for an update interrupted by a crash — never lost, possibly handled twice — and the
//   effects that must never happen twice are idempotent on their own unique keys, in the same transaction
//   as the effect (a case's submission key, one household per Telegram account, one resident per ID
//   number);
// - a failed attempt gives the claim back and the update is retried (the webhook answers 500, so Telegram
//   delivers it again; the poller retries it after a short pause). After `maxAttempts` failures the update
//   is set aside: logged without its content, the resident gets an apology, and it is answered 2xx so that
//   it cannot hold up the rest of that resident's chat.
// - when the database itself is unreachable, nothing can be recorded: the resident is told to try again
//   in a minute (at most once every few seconds per chat), and the update is answered 2xx.
//
// Cost. Every update pays for this gate, so it costs two statements (two round trips, two commits): the claim
// also touches the sender's record and reads their conversation state, and the finish also writes the state
// the update left. For the state read early to be right, the gate hands a chat's updates to the bot one at a
// time, in the order they came (what `sequentialize` does inside the bot, moved in front of the claim).
import { type Bot, BotError, Context } from 'grammy';
import type { Update } from 'grammy/types';
import { isDatabaseUnavailable } from '../db/errors.ts';
import type { ClaimOptions, ClaimResult, StateWrite } from '../db/repositories/update-receipts.ts';
import type { Metrics } from '../metrics.ts';
import type { BotContext, BotDeps } from './context.ts';
import { conversationKey } from './conversation-storage.ts';
import { resolveLocale } from './i18n.ts';
import { type Prefetched, withPrefetched } from './update-prefetch.ts';

export type UpdateOutcome =
  /** Handled now. */
  | 'handled'
  /** Handled before (a redelivery, or another instance's copy). */
  | 'duplicate'
  /** Another instance is handling it right now: ask the sender to come back later. */
  | 'busy'
  /** This attempt failed; it may be retried. */
  | 'failed'
  /** Failed too often: set aside for good. */
  | 'set_aside'
  /** The database is unreachable: the resident was asked to try again in a minute. */
  | 'db_unavailable'
  /** The gate is closing (shutdown): not taken. */
  | 'refused';

export interface ReceiptStore {
  claim(botId: number, updateId: number, opts: ClaimOptions): Promise<ClaimResult>;
  finish(
    botId: number,
    updateId: number,
    token: string,
    status: 'done' | 'set_aside',
    state?: StateWrite,
  ): Promise<boolean>;
  release(botId: number, updateId: number, token: string, state?: StateWrite): Promise<boolean>;
}

/** What the error boundary needs to know about the attempt in hand (see create-bot.ts). */
export interface Attempt {
  /** The last attempt the update gets: the boundary answers the resident instead of failing. */
  final: boolean;
  /** Set by the boundary when it answered a failure itself. */
  failure?: unknown;
}

const attempts = new WeakMap<Update, Attempt>();

/** The gate's attempt for this update, if it came through a gate (tests may call handleUpdate directly). */
export function attemptOf(update: Update): Attempt | undefined {
  return attempts.get(update);
}

export interface UpdateGateOptions {
  bot: Bot<BotContext>;
  deps: Pick<BotDeps, 'translator' | 'defaultLocale' | 'logger'>;
  receipts: ReceiptStore;
  metrics?: Metrics;
  /** Attempts (deliveries or retries) before an update is set aside. */
  maxAttempts?: number;
  leaseMs?: number;
  /** True for a poller: an unfinished claim can only be a dead predecessor's. */
  stealClaims?: boolean;
  /** The shortest gap between two "try again in a minute" messages to one chat. */
  unavailableNoticeGapMs?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_LEASE_MS = 60_000;

export interface UpdateGate {
  process(update: Update): Promise<UpdateOutcome>;
  /** Stops taking updates; resolves when the ones in hand are finished. */
  close(): Promise<void>;
  /** How many updates are being handled right now. */
  inFlight(): number;
}

export function createUpdateGate(opts: UpdateGateOptions): UpdateGate {
  const { bot, receipts, metrics } = opts;
  const logger = opts.deps.logger;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const noticeGapMs = opts.unavailableNoticeGapMs ?? 20_000;
  const lastNotice = new Map<number, number>();
  const running = new Set<Promise<UpdateOutcome>>();
  // Update ids in hand here: a second copy arriving meanwhile is busy, even for a poller that may steal
  // claims (it steals from dead predecessors, never from itself).
  const inHand = new Set<number>();
  // The last update taken per chat: the next one of that chat starts when it ends.
  const chains = new Map<string, Promise<UpdateOutcome>>();
  let closing = false;

  const botId = () => bot.botInfo.id;

  /** Tells the resident, without the database, in the language their Telegram app uses. */
  async function tell(update: Update, key: 'errors.try_again_soon' | 'errors.generic'): Promise<void> {
    const from = update.message?.from ?? update.callback_query?.from;
    const chat = update.message?.chat ?? update.callback_query?.message?.chat;
    const t = opts.deps.translator.t(resolveLocale(null, from?.language_code, opts.deps.defaultLocale));
    try {
      if (update.callback_query) {
        await bot.api.answerCallbackQuery(update.callback_query.id, { text: t(key) });
      } else if (chat?.type === 'private') {
        if (key === 'errors.try_again_soon') {
          const now = Date.now();
          if (now - (lastNotice.get(chat.id) ?? 0) < noticeGapMs) return;
          lastNotice.set(chat.id, now);
          if (lastNotice.size > 10_000) lastNotice.clear(); // a bound, not a cache: an outage is short
        }
        await bot.api.sendMessage(chat.id, t(key));
      }
    } catch (err) {
      logger.warn({ updateId: update.update_id, err }, 'could not tell the resident about a failure');
    }
  }

  async function attempt(update: Update, ctx: Context): Promise<UpdateOutcome> {
    const updateId = update.update_id;
    // What the bot reads first for a private chat (create-bot.ts): the sender's record and the form state.
    const claimOpts: ClaimOptions = { leaseMs, steal: opts.stealClaims };
    if (ctx.chat?.type === 'private' && ctx.from) {
      claimOpts.user = { telegramId: ctx.from.id, chatId: ctx.chat.id, languageCode: ctx.from.language_code };
      claimOpts.stateKey = conversationKey(ctx);
    }
    let claim: ClaimResult;
    try {
      claim = await receipts.claim(botId(), updateId, claimOpts);
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      logger.warn({ updateId, err }, 'database unreachable; asked the resident to try again');
      await tell(update, 'errors.try_again_soon');
      return 'db_unavailable';
    }
    if (claim.kind === 'finished') return 'duplicate';
    if (claim.kind === 'busy') return 'busy';

    const state: Attempt = { final: claim.attempt >= maxAttempts };
    attempts.set(update, state);
    const pre: Prefetched = { user: claim.user, stateKey: claimOpts.stateKey, state: claim.state };
    let thrown: unknown;
    try {
      await withPrefetched(update, pre, () => bot.handleUpdate(update));
    } catch (err) {
      thrown = err instanceof BotError ? err.error : err;
    } finally {
      attempts.delete(update);
    }
    const failure = thrown ?? state.failure;
    const kind = updateKind(update);

    if (failure === undefined) {
      try {
        await receipts.finish(botId(), updateId, claim.token, 'done', pre.pending);
      } catch (err) {
        if (pre.pending && isDatabaseUnavailable(err)) {
          // The answer went out but the form's new state could not be kept: the resident's next answer meets
          // the step before. Tell them to try again in a minute, as for any update the database missed.
          logger.warn({ updateId, kind }, 'database unreachable when saving a form step');
          await tell(update, 'errors.try_again_soon');
          return 'db_unavailable';
        }
        // The update was handled; if the mark is lost, its lease runs out and a redelivery handles it again
        // (at-least-once). Nothing better can be done without the database.
        logger.warn({ updateId, err }, 'could not mark an update done');
      }
      return 'handled';
    }
    if (isDatabaseUnavailable(failure)) {
      if (thrown !== undefined) {
        logger.warn({ updateId, kind }, 'database unreachable while handling an update');
        await tell(update, 'errors.try_again_soon');
      }
      await receipts.release(botId(), updateId, claim.token, pre.pending).catch(() => undefined);
      return 'db_unavailable';
    }
    if (state.final) {
      // Logged without content: the update type and id only.
      logger.error(
        { updateId, kind, attempts: claim.attempt, err: failure },
        'update set aside after repeated failures',
      );
      if (thrown !== undefined) await tell(update, 'errors.generic'); // the boundary never saw it
      await receipts
        .finish(botId(), updateId, claim.token, 'set_aside', pre.pending)
        .catch((err: unknown) => {
          logger.warn({ updateId, err }, 'could not mark an update set aside');
        });
      return 'set_aside';
    }
    logger.warn(
      { updateId, kind, attempt: claim.attempt, maxAttempts, err: failure },
      'update handling failed; it will be retried',
    );
    await receipts.release(botId(), updateId, claim.token, pre.pending).catch((err: unknown) => {
      logger.warn({ updateId, err }, 'could not release a failed update; its lease will run out');
    });
    return 'failed';
  }

  return {
    process(update) {
      if (closing) return Promise.resolve('refused');
      if (inHand.has(update.update_id)) {
        metrics?.updates.inc({ outcome: 'busy' });
        return Promise.resolve('busy');
      }
      inHand.add(update.update_id);
      const started = performance.now();
      const ctx = new Context(update, bot.api, bot.botInfo);
      // One update per chat at a time, in order: the state read with the claim is the one the previous
      // update left.
      const chat = sequenceKey(ctx);
      const before = chat === undefined ? undefined : chains.get(chat);
      const run = () => attempt(update, ctx);
      const task = (before ? before.then(run, run) : run()).then(
        (outcome) => {
          metrics?.updates.inc({ outcome });
          metrics?.updateSeconds.observe({ outcome }, (performance.now() - started) / 1000);
          return outcome;
        },
        (err: unknown) => {
          metrics?.updates.inc({ outcome: 'error' });
          throw err;
        },
      );
      running.add(task);
      if (chat !== undefined) chains.set(chat, task);
      const forget = () => {
        running.delete(task);
        inHand.delete(update.update_id);
        if (chat !== undefined && chains.get(chat) === task) chains.delete(chat);
      };
      task.then(forget, forget);
      return task;
    },
    async close() {
      closing = true;
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    inFlight: () => running.size,
  };
}

/** Updates with the same key are handled one at a time, in order: the chat's (or, without one, the sender's). */
export function sequenceKey(ctx: Context): string | undefined {
  return (ctx.chat?.id ?? ctx.from?.id)?.toString();
}

/** The kind of an update (message, callback_query …): safe to log, unlike its content. */
export function updateKind(update: Update): string {
  return Object.keys(update).find((k) => k !== 'update_id') ?? 'unknown';
}
