// The notification dispatcher: sends what the outbox holds (written in the same transaction as each change)
// and records the outcome. One per bot instance; any number may run at once over one database:
// - rows are claimed in small batches (FOR UPDATE SKIP LOCKED) with a lease and a claim token: no two
//   dispatchers hold a row at the same time, and only the current holder records its outcome;
// - a dispatcher that dies mid-batch loses nothing: its rows are claimed again when the lease ends. The one
//   request it may have had in flight is then sent again (Telegram cannot tell us whether it arrived):
//   at-least-once for that single message, never a loss;
// - 429: tried again after `retry_after` (not counted as an attempt); 5xx, network errors and timeouts: tried
//   again with exponential backoff, at most `maxAttempts` times; 403 and "chat not found": the recipient is
//   marked unreachable (a later `my_chat_member` "member" update queues their notifications again);
// - before each request the dispatcher checks its lease still has room for it, and hands the rest of the
//   batch back otherwise.
// Waking up: it polls every `pollMs` while idle; `wake()` is a hint to look at once.

import type { Logger } from '../../logger.ts';
import type { NotificationSource, PreparedNotification } from '../notification-content.ts';

/** An outbox row this dispatcher holds (claimed with a lease and a token). */
export interface ClaimedNotification {
  id: bigint;
  telegramId: bigint;
  kind: string;
  payload: Record<string, unknown>;
  caseId: string | null;
  /** Attempts so far, this one included. */
  attempts: number;
  claimToken: string;
}

/**
 * The outbox as the dispatcher needs it (src/db/repositories/notifications.ts implements it). Every write
 * takes the claim token: only the current holder of a row records its outcome (false otherwise).
 */
export interface OutboxStore {
  /** Claims up to `limit` rows that are due, oldest first, for `leaseMs`. */
  claim(limit: number, leaseMs: number, now: Date): Promise<ClaimedNotification[]>;
  markSent(id: bigint, token: string, at: Date, messageId: number | null): Promise<boolean>;
  /** Tries again at `at`; a rate limit (429) does not count as an attempt. */
  reschedule(id: bigint, token: string, at: Date, error: string, countsAsAttempt: boolean): Promise<boolean>;
  markFailed(id: bigint, token: string, error: string): Promise<boolean>;
  /** The recipient blocked the bot or is gone: this row and the person are marked unreachable. */
  markUnreachable(id: bigint, token: string, telegramId: bigint, error: string): Promise<boolean>;
}

export type SendOutcome =
  | { kind: 'sent'; messageId: number | null }
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  | { kind: 'transient'; reason: string }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'failed'; reason: string };

/** Renders and sends one notification; never throws (every failure is an outcome). */
export type NotificationSender = (notification: PreparedNotification) => Promise<SendOutcome>;

export interface DispatcherOptions {
  store: OutboxStore;
  source: NotificationSource;
  send: NotificationSender;
  logger: Logger;
  now?: () => Date;
  batchSize?: number;
  leaseMs?: number;
  /** The longest a single Bot API request may take (the Api's own timeout). */
  requestTimeoutMs?: number;
  maxAttempts?: number;
  pollMs?: number;
  /** Pause between two requests of this dispatcher (Telegram allows about 30 messages a second). */
  minIntervalMs?: number;
  /**
   * Runs after a notification's outcome was recorded (e.g. tells a resident that their urgent case reached
   * the staff on duty: src/app/urgent-alerts.ts). Its failure is logged; the outcome stands.
   */
  afterRecorded?: (n: ClaimedNotification) => Promise<unknown>;
}

export interface DispatchCounts {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  unreachable: number;
  skipped: number;
  handedBack: number;
}

export const DEFAULT_MAX_ATTEMPTS = 20;
const RETRY_BASE_MS = 10_000;
const RETRY_CAP_MS = 3600_000;

/** Backoff after the n-th failed attempt: 10 s, 20 s, 40 s … at most an hour, with ±20 % jitter. */
export function retryDelayMs(attempt: number, jitter = Math.random()): number {
  const base = Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1), RETRY_CAP_MS);
  return Math.round(base * (0.8 + 0.4 * jitter));
}

export function createNotificationDispatcher(opts: DispatcherOptions) {
  const { store, source, send, logger } = opts;
  const now = opts.now ?? (() => new Date());
  const batchSize = opts.batchSize ?? 10;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 20_000;
  const leaseMs = opts.leaseMs ?? batchSize * requestTimeoutMs + 30_000;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const pollMs = opts.pollMs ?? 1_000;
  const minIntervalMs = opts.minIntervalMs ?? 40;

  let stopping = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;

  async function record(
    n: ClaimedNotification,
    outcome: SendOutcome | { kind: 'skipped'; reason: string },
    counts: DispatchCounts,
  ) {
    const at = now();
    switch (outcome.kind) {
      case 'sent':
        await store.markSent(n.id, n.claimToken, at, outcome.messageId);
        counts.sent++;
        return;
      case 'skipped':
        await store.markSent(n.id, n.claimToken, at, null);
        counts.skipped++;
        return;
      case 'rate_limited':
        await store.reschedule(
          n.id,
          n.claimToken,
          new Date(at.getTime() + outcome.retryAfterSeconds * 1000),
          'rate limited (429)',
          false,
        );
        counts.retried++;
        return;
      case 'transient':
        if (n.attempts >= maxAttempts) {
          await store.markFailed(
            n.id,
            n.claimToken,
            `gave up after ${n.attempts} attempts: ${outcome.reason}`,
          );
          logger.warn(
            { notificationId: n.id.toString(), kind: n.kind, attempts: n.attempts },
            'notification given up',
          );
          counts.failed++;
        } else {
          await store.reschedule(
            n.id,
            n.claimToken,
            new Date(at.getTime() + retryDelayMs(n.attempts)),
            outcome.reason,
            true,
          );
          counts.retried++;
        }
        return;
      case 'unreachable':
        await store.markUnreachable(n.id, n.claimToken, n.telegramId, outcome.reason);
        counts.unreachable++;
        return;
      case 'failed':
        await store.markFailed(n.id, n.claimToken, outcome.reason);
        logger.warn(
          { notificationId: n.id.toString(), kind: n.kind, reason: outcome.reason },
          'notification failed',
        );
        counts.failed++;
        return;
    }
  }

  async function deliver(n: ClaimedNotification, counts: DispatchCounts): Promise<boolean> {
    let prepared: Awaited<ReturnType<NotificationSource['prepare']>>;
    try {
      prepared = await source.prepare(n);
    } catch (err) {
      // A bug or a database hiccup: try again later like a network error (bounded by maxAttempts).
      logger.error(
        { notificationId: n.id.toString(), kind: n.kind, err },
        'could not prepare a notification',
      );
      await record(
        n,
        // The stored reason names the error's type only: a message may carry a row key or a person's words.
        { kind: 'transient', reason: `prepare: ${err instanceof Error ? err.name : typeof err}` },
        counts,
      );
      return false;
    }
    if (prepared.kind === 'skip') {
      await record(n, { kind: 'skipped', reason: prepared.reason }, counts);
      return false;
    }
    if (prepared.kind === 'later') {
      await record(n, { kind: 'transient', reason: prepared.reason }, counts);
      return false;
    }
    if (prepared.kind === 'unreachable') {
      await record(n, { kind: 'unreachable', reason: 'recipient marked unreachable' }, counts);
      return false;
    }
    await record(n, await send(prepared.notification), counts);
    return true;
  }

  /** Claims one batch and works through it. */
  async function runOnce(): Promise<DispatchCounts> {
    const counts: DispatchCounts = {
      claimed: 0,
      sent: 0,
      retried: 0,
      failed: 0,
      unreachable: 0,
      skipped: 0,
      handedBack: 0,
    };
    const claimedAt = now().getTime();
    const batch = await store.claim(batchSize, leaseMs, new Date(claimedAt));
    counts.claimed = batch.length;
    for (let i = 0; i < batch.length; i++) {
      const n = batch[i] as ClaimedNotification;
      const leaseLeft = claimedAt + leaseMs - now().getTime();
      if (stopping || leaseLeft < requestTimeoutMs + 5_000) {
        // Hand the rest back at once rather than risk sending after another dispatcher took them over.
        for (const rest of batch.slice(i)) {
          await store.reschedule(rest.id, rest.claimToken, now(), 'handed back', false);
          counts.handedBack++;
        }
        break;
      }
      let requested = false;
      try {
        requested = await deliver(n, counts);
      } catch (err) {
        // Recording the outcome failed (the database went away): the lease runs out and the row comes back.
        logger.error({ notificationId: n.id.toString(), err }, 'could not record a notification outcome');
        continue;
      }
      try {
        await opts.afterRecorded?.(n);
      } catch (err) {
        logger.warn(
          { notificationId: n.id.toString(), kind: n.kind, err },
          'follow-up of a notification failed',
        );
      }
      if (requested && minIntervalMs > 0 && i < batch.length - 1) await sleep(minIntervalMs);
    }
    return counts;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  return {
    runOnce,

    /** Runs until stop(): a batch after another while there is work, a poll every `pollMs` when idle. */
    start(): void {
      if (loop) return;
      stopping = false;
      loop = (async () => {
        while (!stopping) {
          let claimed = 0;
          try {
            claimed = (await runOnce()).claimed;
          } catch (err) {
            logger.warn({ err }, 'notification dispatcher: claiming failed; trying again shortly');
          }
          if (!stopping && claimed < batchSize) await sleep(pollMs);
        }
      })();
    },

    /** A hint that there is something to send (e.g. right after a staff action in this process). */
    wake(): void {
      wakeUp?.();
    },

    /** Finishes the request in hand, hands the rest of the batch back, and stops. */
    async stop(): Promise<void> {
      stopping = true;
      wakeUp?.();
      await loop;
      loop = undefined;
    },
  };
}

export type NotificationDispatcher = ReturnType<typeof createNotificationDispatcher>;
