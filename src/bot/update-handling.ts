// One update the gate took from the inbox for a chat it holds (see update-gate.ts): read it (from this
// instance's hands, or decrypted from the inbox), run it through the bot with the state claimed with it, and
// record what came of it in the same statement as the form state it left — done, set aside after
// `maxAttempts`, set aside because the database went away (the resident was asked to send it again), or
// failed and tried again after a pause. The gate decides which chat and which update; this decides what an
// attempt's end means. Failures the resident must hear about are told without the database.
import { type Bot, BotError, Context } from 'grammy';
import type { Update } from 'grammy/types';
import { type PiiCipher, piiAt } from '../app/pii-cipher.ts';
import type { BotContext, BotDeps } from './context.ts';
import { conversationKey } from './conversation-storage.ts';
import { resolveLocale } from './i18n.ts';
import type { UpdateOutcome } from './update-gate.ts';
import type { ChatClaim, UpdateInbox } from './update-inbox.ts';
import { type Prefetched, withPrefetched } from './update-prefetch.ts';

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

/** A chat this instance holds: its lease token and the updates accepted here that it will handle. */
export interface Drain {
  chatKey: string;
  token: string;
  members: Set<number>;
}

export interface UpdateHandlingOptions {
  bot: Bot<BotContext>;
  deps: Pick<BotDeps, 'translator' | 'defaultLocale' | 'logger' | 'isStorageUnavailable'>;
  inbox: UpdateInbox;
  cipher: Pick<PiiCipher, 'decryptJson'>;
  maxAttempts: number;
  /** Pause before a failed update is tried again (doubled each time). */
  retryPauseMs: number;
  /** The shortest gap between two "try again in a minute" messages to one chat. */
  replyGapMs: number;
  /** The update, when it was accepted by this instance (then it need not be decrypted). */
  inHand(updateId: number): Update | undefined;
  /** Gives an update accepted here its outcome. */
  settle(updateId: number, outcome: UpdateOutcome): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createUpdateHandling(opts: UpdateHandlingOptions) {
  const { bot, deps, inbox, cipher, maxAttempts, retryPauseMs, replyGapMs, settle } = opts;
  const logger = deps.logger;
  const isDatabaseUnavailable = deps.isStorageUnavailable;
  const lastApology = new Map<number, number>();
  const botId = () => bot.botInfo.id;

  /** Tells the resident, without the database (so without their stored choice), in the deployment's language. */
  async function tell(update: Update, key: 'errors.try_again_soon' | 'errors.generic'): Promise<void> {
    const chat = update.message?.chat ?? update.callback_query?.message?.chat;
    const t = deps.translator.t(resolveLocale(null, deps.defaultLocale));
    try {
      if (update.callback_query) {
        await bot.api.answerCallbackQuery(update.callback_query.id, { text: t(key) });
      } else if (chat?.type === 'private') {
        if (key === 'errors.try_again_soon') {
          const now = Date.now();
          if (now - (lastApology.get(chat.id) ?? 0) < replyGapMs) return;
          lastApology.set(chat.id, now);
          if (lastApology.size > 10_000) lastApology.clear(); // a bound, not a cache: an outage is short
        }
        await bot.api.sendMessage(chat.id, t(key));
      }
    } catch (err) {
      logger.warn({ updateId: update.update_id, err }, 'could not tell the resident about a failure');
    }
  }

  /** Handles one claimed update; says whether the chat was given up with it, or whether to stop. */
  async function handleClaimed(
    drain: Drain,
    claim: Extract<ChatClaim, { kind: 'claimed' }>,
  ): Promise<'next' | 'stop'> {
    const { chatKey, token } = drain;
    const updateId = claim.updateId;
    const ref = { updateId, chatKey };
    const finish = async (status: 'done' | 'set_aside', pending?: Prefetched['pending']) => {
      const r = await inbox.finish(botId(), ref, token, status, claim.knocks, pending);
      drain.members.delete(updateId);
      settle(updateId, status === 'done' ? 'handled' : 'set_aside');
      return r.released ? 'stop' : 'next';
    };

    let update = opts.inHand(updateId);
    if (!update) {
      try {
        if (!claim.payload) throw new Error('no content kept');
        update = cipher.decryptJson<Update>(claim.payload, piiAt.updatePayload(botId(), updateId));
      } catch {
        logger.error({ updateId }, 'an update in the inbox cannot be read; set aside');
        return finish('set_aside');
      }
    }
    const kind = updateKind(update);
    if (claim.attempt > maxAttempts) {
      // Its last attempt never finished (the process died in it, again and again): do not try it once more.
      logger.error({ updateId, kind, attempts: claim.attempt }, 'update set aside after repeated crashes');
      await tell(update, 'errors.generic');
      return finish('set_aside');
    }

    const ctx = new Context(update, bot.api, bot.botInfo);
    const stateKey = claim.user ? conversationKey(ctx) : undefined;
    const pre: Prefetched =
      stateKey === chatKey ? { user: claim.user, stateKey, state: claim.state } : { user: claim.user };
    const attempt: Attempt = { final: claim.attempt >= maxAttempts };
    attempts.set(update, attempt);
    let thrown: unknown;
    try {
      await withPrefetched(update, pre, () => bot.handleUpdate(update));
    } catch (err) {
      thrown = err instanceof BotError ? err.error : err;
    } finally {
      attempts.delete(update);
    }
    const failure = thrown ?? attempt.failure;

    try {
      if (failure === undefined) return await finish('done', pre.pending);
      if (isDatabaseUnavailable(failure)) {
        logger.warn({ updateId, kind }, 'database unreachable while handling an update');
        if (thrown !== undefined) await tell(update, 'errors.try_again_soon');
        // The resident was asked to send it again: this copy is finished, so that theirs is the one handled.
        const r = await inbox.finish(botId(), ref, token, 'set_aside', claim.knocks, pre.pending);
        drain.members.delete(updateId);
        settle(updateId, 'db_unavailable');
        return r.released ? 'stop' : 'next';
      }
      if (attempt.final) {
        // Logged without content: the update type and id only.
        logger.error(
          { updateId, kind, attempts: claim.attempt, err: failure },
          'update set aside after repeated failures',
        );
        if (thrown !== undefined) await tell(update, 'errors.generic'); // the boundary never saw it
        return await finish('set_aside', pre.pending);
      }
      logger.warn(
        { updateId, kind, attempt: claim.attempt, maxAttempts, err: failure },
        'update handling failed; it will be retried',
      );
      await inbox.fail(botId(), updateId, token, pre.pending);
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      // The outcome could not be recorded: the lease runs out and the update is handled again then.
      logger.warn(
        { updateId, kind },
        'database unreachable when recording an update; its lease will run out',
      );
      if (pre.pending) await tell(update, 'errors.try_again_soon');
      settle(updateId, 'db_unavailable');
      drain.members.delete(updateId);
      return 'stop';
    }
    await sleep(retryPauseMs * 2 ** (claim.attempt - 1));
    return 'next';
  }

  return { tell, handleClaimed };
}

/** The kind of an update (message, callback_query …): safe to log, unlike its content. */
export function updateKind(update: Update): string {
  return Object.keys(update).find((k) => k !== 'update_id') ?? 'unknown';
}
