// The gate every update passes on its way into the bot, in both modes (webhook and long polling), on any
// number of instances: each update is handled once, and a chat's updates one at a time, in `update_id` order,
// each after the previous one's form state is committed — whichever instance received them.
//
// The mechanism — the inbox in PostgreSQL (the UpdateInbox port in update-inbox.ts), the lease per chat and
// its "knock", retries, the sweep after a crash, what it costs per update — is described once, in README.md
// ("Running in production", "Each update is handled once …"); this file and update-handling.ts follow it.
// Why this one: a per-chat lease alone (without the inbox) would leave an update that found its chat busy
// nowhere to go but back to Telegram, whose redelivery comes seconds to minutes later; in-process ordering
// (grammY's sequentialize) holds only within one process.
//
// Here: accepting updates into the inbox, the chats this instance holds and working through them, the sweep
// for chats left behind, closing. What one attempt at one update does and means: update-handling.ts.
import { randomUUID } from 'node:crypto';
import { type Bot, Context } from 'grammy';
import type { Update } from 'grammy/types';
import { type PiiCipher, piiAt } from '../app/pii-cipher.ts';
import type { Metrics } from '../metrics.ts';
import type { BotContext, BotDeps } from './context.ts';
import { createUpdateHandling, type Drain } from './update-handling.ts';
import type { ChatClaim, InboxEntry, UpdateInbox } from './update-inbox.ts';

export type UpdateOutcome =
  /** Handled now, here. */
  | 'handled'
  /** Handled before (a redelivery, or another instance's copy). */
  | 'duplicate'
  /** Written to the inbox; another instance holds its chat and takes it next (or a copy is in hand here). */
  | 'queued'
  /** Failed too often: set aside for good. */
  | 'set_aside'
  /** The database is unreachable: the resident was asked to try again in a minute. */
  | 'db_unavailable'
  /** The gate is closing (shutdown): not taken. */
  | 'refused';

export interface UpdateGateOptions {
  bot: Bot<BotContext>;
  deps: Pick<BotDeps, 'translator' | 'defaultLocale' | 'logger' | 'isStorageUnavailable'>;
  inbox: UpdateInbox;
  /** Encrypts the updates kept in the inbox until they are handled (they carry ID numbers and health). */
  cipher: Pick<PiiCipher, 'encryptJson' | 'decryptJson'>;
  metrics?: Metrics;
  /** Attempts before an update is set aside. */
  maxAttempts?: number;
  /** How long a chat's lease lasts without renewal: how long a dead instance can hold up a chat. */
  leaseMs?: number;
  /** Pause before a failed update is tried again (doubled each time). */
  retryPauseMs?: number;
  /** How often to look for chats a dead instance left behind; unset: never (tests drive it by hand). */
  sweepMs?: number;
  /** The shortest gap between two "try again in a minute" messages to one chat. */
  unavailableReplyGapMs?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_LEASE_MS = 15_000;

export interface UpdateGate {
  /**
   * Writes the updates to the inbox; resolves once they are durable (or refused), with each update's
   * outcome to come: handled here, or handed over ("queued"), or known before ("duplicate").
   */
  accept(updates: Update[]): Promise<Promise<UpdateOutcome>[]>;
  /** One update: accepted, then its outcome. */
  process(update: Update): Promise<UpdateOutcome>;
  /** Takes over chats nobody holds; `all` first gives up every lease of the bot (a poller's start). */
  recover(opts?: { all?: boolean }): Promise<void>;
  /** Stops taking updates; resolves when the ones in hand are finished and their chats given up. */
  close(): Promise<void>;
  /** Updates accepted here whose outcome is not known yet. */
  inFlight(): number;
}

interface Waiting {
  update: Update;
  started: number;
  resolve(outcome: UpdateOutcome): void;
  promise: Promise<UpdateOutcome>;
}

export function createUpdateGate(opts: UpdateGateOptions): UpdateGate {
  const { bot, inbox, metrics, cipher } = opts;
  const logger = opts.deps.logger;
  const isDatabaseUnavailable = opts.deps.isStorageUnavailable;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const retryPauseMs = opts.retryPauseMs ?? 500;
  const waiting = new Map<number, Waiting>();
  const drains = new Map<string, Drain>();
  const running = new Set<Promise<void>>();
  let closing = false;
  let sweeping = false;

  const botId = () => bot.botInfo.id;

  function settle(updateId: number, outcome: UpdateOutcome): void {
    const w = waiting.get(updateId);
    if (!w) return;
    waiting.delete(updateId);
    metrics?.updates.inc({ outcome });
    metrics?.updateSeconds.observe({ outcome }, (performance.now() - w.started) / 1000);
    w.resolve(outcome);
  }

  const { tell, handleClaimed } = createUpdateHandling({
    bot,
    deps: opts.deps,
    inbox,
    cipher,
    maxAttempts,
    retryPauseMs,
    replyGapMs: opts.unavailableReplyGapMs ?? 20_000,
    inHand: (updateId) => waiting.get(updateId)?.update,
    settle,
  });

  function startDrain(
    chatKey: string,
    token: string,
    first?: number,
    claimed?: Extract<ChatClaim, { kind: 'claimed' }>,
  ): Drain {
    const drain: Drain = { chatKey, token, members: new Set(first === undefined ? [] : [first]) };
    drains.set(chatKey, drain);
    const task = runDrain(drain, claimed)
      .catch((err: unknown) => logger.error({ err, chatKey }, 'a chat could not be worked through'))
      .finally(() => {
        if (drains.get(chatKey) === drain) drains.delete(chatKey);
        // Left unhandled here (lease lost, shutdown, database gone): in the inbox, for whoever holds the chat next.
        for (const id of drain.members) settle(id, 'queued');
        running.delete(task);
      });
    running.add(task);
    return drain;
  }

  /** Works through a chat's open updates, in order, while this instance holds its lease. */
  async function runDrain(drain: Drain, claimed?: Extract<ChatClaim, { kind: 'claimed' }>): Promise<void> {
    const { chatKey, token } = drain;
    const renew = setInterval(() => {
      inbox.renew(botId(), chatKey, token, leaseMs).catch((err: unknown) => {
        logger.warn({ err, chatKey }, 'could not renew a chat lease');
      });
    }, leaseMs / 3);
    renew.unref();
    try {
      if (claimed && (await handleClaimed(drain, claimed)) === 'stop') return;
      for (;;) {
        // Closing: the updates accepted here are finished (their senders wait for an answer); the rest of
        // the chat is left to whoever takes it next.
        if (closing && drain.members.size === 0) {
          await inbox.release(botId(), chatKey, token);
          return;
        }
        let claim: ChatClaim;
        try {
          claim = await inbox.claimNext(botId(), chatKey, token, leaseMs);
        } catch (err) {
          if (!isDatabaseUnavailable(err)) throw err;
          logger.warn({ chatKey }, 'database unreachable while taking a chat; its lease will run out');
          return;
        }
        if (claim.kind === 'lost') return;
        if (claim.kind === 'empty') {
          if (await inbox.release(botId(), chatKey, token, claim.knocks)) return;
          continue; // something knocked meanwhile: look again
        }
        const next = await handleClaimed(drain, claim);
        if (next === 'stop') return;
      }
    } finally {
      clearInterval(renew);
    }
  }

  /** Per chat, the statement writing its latest updates from here (see acceptNow). */
  const acceptChains = new Map<string, Promise<void>>();
  /** Accepts in progress: close() waits for them (an update accepted before closing is handled). */
  const accepting = new Set<Promise<unknown>>();

  function accept(updates: Update[]): Promise<Promise<UpdateOutcome>[]> {
    const task = acceptNow(updates);
    accepting.add(task);
    const forget = () => accepting.delete(task);
    task.then(forget, forget);
    return task;
  }

  async function acceptNow(updates: Update[]): Promise<Promise<UpdateOutcome>[]> {
    if (closing) {
      for (const _ of updates) metrics?.updates.inc({ outcome: 'refused' });
      return updates.map(() => Promise.resolve<UpdateOutcome>('refused'));
    }
    const results: Promise<UpdateOutcome>[] = [];
    const entries: InboxEntry[] = [];
    const tokens = new Map<string, string>();
    for (const update of updates) {
      const updateId = update.update_id;
      if (waiting.has(updateId)) {
        // A second copy while the first is in hand here: it is in the inbox already.
        metrics?.updates.inc({ outcome: 'queued' });
        results.push(Promise.resolve('queued'));
        continue;
      }
      const ctx = new Context(update, bot.api, bot.botInfo);
      const chatKey = sequenceKey(ctx) ?? `update:${updateId}`;
      let token = tokens.get(chatKey);
      if (token === undefined) {
        token = randomUUID();
        tokens.set(chatKey, token);
      }
      const isPrivate = ctx.chat?.type === 'private' && ctx.from !== undefined;
      entries.push({
        updateId,
        chatKey,
        sender: isPrivate && ctx.from ? ctx.from.id : null,
        lang: ctx.from?.language_code ?? null,
        payload: cipher.encryptJson(update, piiAt.updatePayload(botId(), updateId)),
        token,
      });
      let resolve: (o: UpdateOutcome) => void = () => undefined;
      const promise = new Promise<UpdateOutcome>((r) => {
        resolve = r;
      });
      // Registered before the statement: a drain of this instance may finish the update before it returns.
      waiting.set(updateId, { update, started: performance.now(), resolve, promise });
      results.push(promise);
    }

    // The statements writing one chat's updates go one after the other from this instance: the statement
    // that takes a free chat claims the lowest update of it that it can see, and one still being written by a
    // concurrent statement is not yet visible. (Across instances Telegram's own rule does it: a chat's next
    // update is sent only after the previous one was answered, by then in the inbox.)
    const keys = [...new Set(entries.map((e) => e.chatKey))];
    const before = keys.flatMap((k) => acceptChains.get(k) ?? []);
    let written: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      written = resolve;
    });
    for (const k of keys) acceptChains.set(k, mine);
    let rows: Awaited<ReturnType<UpdateInbox['enqueue']>>;
    try {
      if (before.length > 0) await Promise.all(before);
      // One statement writes them (a webhook call's one, or a getUpdates batch), takes the chats nobody
      // holds, and claims the first update of each chat it took.
      rows = await inbox.enqueue(botId(), entries, leaseMs);
    } catch (err) {
      for (const e of entries) {
        const w = waiting.get(e.updateId);
        if (!w) continue;
        if (isDatabaseUnavailable(err)) {
          logger.warn({ updateId: e.updateId }, 'database unreachable; asked the resident to try again');
          await tell(w.update, 'errors.try_again_soon');
          settle(e.updateId, 'db_unavailable');
        } else {
          waiting.delete(e.updateId);
        }
      }
      if (isDatabaseUnavailable(err)) return results;
      throw err;
    } finally {
      written();
      for (const k of keys) if (acceptChains.get(k) === mine) acceptChains.delete(k);
    }
    for (const [i, row] of rows.entries()) {
      const entry = entries[i];
      if (!entry || !waiting.has(row.updateId)) continue;
      const drain = drains.get(entry.chatKey);
      const ours = drain !== undefined && row.holder === drain.token;
      // This statement took the chat (nobody held it): this instance works through it, even when the update
      // itself turns out to be a copy of a finished one (the drain then finds nothing and gives the chat up).
      const won = !ours && row.holder !== null && row.holder === entry.token ? row.holder : null;
      if (!row.fresh && (row.status === 'done' || row.status === 'set_aside')) {
        settle(row.updateId, 'duplicate');
        if (won) startDrain(entry.chatKey, won);
      } else if (ours) {
        drain.members.add(row.updateId);
      } else if (won) {
        startDrain(entry.chatKey, won, row.updateId, row.claim);
      } else {
        // Held by another instance, which takes it after the update it has in hand.
        settle(row.updateId, 'queued');
      }
    }
    return results;
  }

  async function recover(recoverOpts: { all?: boolean } = {}): Promise<void> {
    if (recoverOpts.all) await inbox.releaseAll(botId());
    await sweep();
  }

  /** Takes over chats with open updates that nobody holds (their holder died, or never took them). */
  async function sweep(): Promise<void> {
    if (closing || sweeping) return;
    sweeping = true;
    try {
      for (const chatKey of await inbox.orphans(botId(), 100)) {
        if (!drains.has(chatKey) && !closing) startDrain(chatKey, randomUUID());
      }
    } catch (err) {
      logger.warn({ err }, 'could not look for chats left behind');
    } finally {
      sweeping = false;
    }
  }
  const sweeper = opts.sweepMs === undefined ? undefined : setInterval(() => void sweep(), opts.sweepMs);
  sweeper?.unref();

  return {
    accept,
    async process(update) {
      const [outcome] = await accept([update]);
      return (await outcome) ?? 'refused';
    },
    recover,
    async close() {
      closing = true;
      if (sweeper) clearInterval(sweeper);
      while (accepting.size > 0) await Promise.allSettled([...accepting]);
      while (running.size > 0) await Promise.allSettled([...running]);
      for (const id of [...waiting.keys()]) settle(id, 'queued');
    },
    inFlight: () => waiting.size,
  };
}

/** Updates with the same key are handled one at a time, in order: the chat's (or, without one, the sender's). */
export function sequenceKey(ctx: Context): string | undefined {
  return (ctx.chat?.id ?? ctx.from?.id)?.toString();
}
