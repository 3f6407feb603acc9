// The notice sender: one per bot instance; any number of instances share the work through PostgreSQL. What it
// promises — recipients fixed when a notice starts, claims with FOR UPDATE SKIP LOCKED, one shared pacer for
// NOTICE_RATE and one message a second per chat, how a 429 / 403 / 5xx / time-out is taken, `sending` before
// each request so that nothing is ever sent twice (in flight when an instance dies: `uncertain`), the
// author's progress and report — is described once, in README.md ("Community notices", "Sending …"); the
// code below follows it step by step. Telegram is behind the NoticeTransport and NoticeReporter ports
// (src/bot/notice-transport.ts), storage behind SenderStore (src/db/repositories/notice-deliveries.ts).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  audienceDay,
  DEFAULT_NOTICE_RATE,
  estimatedFinish,
  MAX_NOTICE_RATE,
  MAX_SEND_ATTEMPTS,
  PER_CHAT_INTERVAL_MS,
  remaining,
  retryDelayMs,
  totalOf,
} from '../../domain/notice.ts';
import type { Logger } from '../../logger.ts';
import type {
  DeliveryRow,
  NoticeContent,
  NoticeReporter,
  NoticeTransport,
  ReportState,
  SenderStore,
} from './notice-sender-ports.ts';

export type * from './notice-sender-ports.ts';

export interface SenderOptions {
  store: SenderStore;
  transport: NoticeTransport;
  reporter: NoticeReporter;
  logger: Logger;
  /** The administrators (ADMIN_TELEGRAM_IDS): they may send to every community. */
  adminTelegramIds: readonly number[];
  /** Messages a second, all instances together; default 25, at most 30. */
  rate?: number;
  /** Recipients claimed at once (default: about a second's worth). */
  batchSize?: number;
  /** Requests in flight at once (Telegram answers in 50–300 ms). */
  maxInFlight?: number;
  /** How long a claimed recipient stays this instance's if it dies before sending. */
  claimLeaseMs?: number;
  /** How long a request may take before a recipient in flight counts as uncertain (> the HTTP timeout). */
  sendLeaseMs?: number;
  /** Sleep when there is nothing to send. */
  idleMs?: number;
  /** Start due notices, recover dead instances' work, report progress: this often. */
  maintenanceMs?: number;
  /** At most one edit of the author's message per this long. */
  progressEveryMs?: number;
  /** Wait before the next request after a 5xx or network error (default: 2 s, 4 s, 8 s … a minute). */
  retryDelay?: (attempt: number) => number;
  now?: () => Date;
}

export interface NoticeSender {
  start(): void;
  /**
   * Stops at a safe point: claims no more, gives back what it claimed and has not sent, and waits (at most
   * `graceMs`, default 5 s) for the requests in flight to be answered and recorded. One still unanswered
   * then becomes uncertain when its lease ends, as after a crash.
   */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** One round of the housekeeping (start due notices, recover, report); the loop runs it on its own. */
  maintain(): Promise<void>;
}

const REPORT_HOLD_MS = 30_000;
/** A tenth of a second more than Telegram's one second per chat, for the network's jitter. */
const PER_CHAT_GAP_MS = PER_CHAT_INTERVAL_MS + 100;

/**
 * Admits at most `perSecond` callers in any one second, in the order they ask (a caller waits, through
 * `wait`, until the one `perSecond` places before it is a second old).
 */
function windowGuard(
  perSecond: number,
  wait: (ms: number) => Promise<unknown>,
  stopped: () => boolean,
): () => Promise<void> {
  const admitted: number[] = [];
  let queue: Promise<void> = Promise.resolve();
  return () => {
    const turn = queue.then(async () => {
      const earlier = admitted[admitted.length - perSecond];
      // A timer may fire a millisecond early by the wall clock: wait until the second has really passed.
      while (earlier !== undefined && !stopped() && Date.now() < earlier + 1000) {
        await wait(earlier + 1000 - Date.now());
      }
      admitted.push(Date.now());
      if (admitted.length > perSecond * 2) admitted.splice(0, admitted.length - perSecond);
    });
    queue = turn.catch(() => undefined);
    return turn;
  };
}

export function createNoticeSender(opts: SenderOptions): NoticeSender {
  const { store, transport, reporter, logger } = opts;
  const rate = Math.min(Math.max(opts.rate ?? DEFAULT_NOTICE_RATE, 0.1), MAX_NOTICE_RATE);
  const intervalMs = 1000 / rate;
  const batchSize = opts.batchSize ?? Math.max(1, Math.ceil(rate));
  const maxInFlight = opts.maxInFlight ?? 16;
  const claimLeaseMs = opts.claimLeaseMs ?? 60_000;
  const sendLeaseMs = opts.sendLeaseMs ?? 60_000;
  const idleMs = opts.idleMs ?? 1000;
  const maintenanceMs = opts.maintenanceMs ?? 1000;
  const progressEveryMs = opts.progressEveryMs ?? 5000;
  const now = opts.now ?? (() => new Date());
  const retryDelay = opts.retryDelay ?? ((attempt: number) => retryDelayMs(attempt, Math.random()));

  let running = false;
  let loop: Promise<void> | undefined;
  const stopper = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const lastSentToChat = new Map<bigint, number>();
  const contents = new Map<string, NoticeContent | null>();
  /** Local copy of the pause after a 429; bumping `pauses` makes a batch stop and reserve again. */
  let pausedUntil = 0;
  let pauses = 0;

  const stopped = new Promise<void>((resolve) => stopper.signal.addEventListener('abort', () => resolve()));
  // Never more than `rate` requests in any second, whatever the pacer allowed: a process held up (a busy
  // CPU, a slow database) would otherwise send its late requests in a burst, and Telegram counts arrivals.
  // A turn is taken before a recipient is marked as being sent (so that the time a crash can catch it in
  // between stays a database write), and checked again just before the request, where it rarely waits.
  const perSecond = Math.max(1, Math.floor(rate));
  const turns = windowGuard(
    perSecond,
    (ms) => nap(ms),
    () => !running,
  );
  const requests = windowGuard(
    perSecond,
    (ms) => nap(ms),
    () => !running,
  );

  const nap = (ms: number) =>
    ms > 0 ? sleep(ms, undefined, { signal: stopper.signal }).catch(() => undefined) : Promise.resolve();

  async function contentOf(noticeId: string): Promise<NoticeContent | null> {
    if (!contents.has(noticeId)) contents.set(noticeId, await store.content(noticeId));
    return contents.get(noticeId) ?? null;
  }

  /** Writes an outcome, trying again through a short database hiccup (else the row would end uncertain). */
  async function record(what: string, write: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return;
      } catch (err) {
        if (attempt >= 4) {
          logger.error({ err, what }, 'could not record a notice delivery outcome');
          return;
        }
        await sleep(250 * 4 ** (attempt - 1));
      }
    }
  }

  async function sendOne(row: DeliveryRow, token: string): Promise<void> {
    const notice = await contentOf(row.noticeId);
    await turns();
    if (!running) {
      await store.release([row], token, 0); // stopped while waiting for its turn: back to the queue
      return;
    }
    if (!(await store.markSending(row, token, sendLeaseMs))) return; // the claim passed to someone else
    if (!notice) {
      await record('failed', () => store.finish(row, token, { status: 'failed', error: 'notice not found' }));
      return;
    }
    await requests();
    if (!running) {
      // Stopped while held back: nothing was sent; it goes back to the queue.
      await record('give back', () => store.retryLater(row, token, 0, { refundAttempt: true }));
      return;
    }
    lastSentToChat.set(row.chatId, Date.now());
    const outcome = await transport.send(row.chatId, row.locale, notice);
    const attempt = row.attempts + 1;
    switch (outcome.kind) {
      case 'delivered':
        await record('delivered', () =>
          store.finish(row, token, { status: 'delivered', messageId: outcome.messageId }),
        );
        return;
      case 'unreachable':
        await record('unreachable', async () => {
          await store.finish(row, token, { status: 'unreachable', error: outcome.reason });
          await store.markUserUnreachable(row.telegramId);
        });
        return;
      case 'rate_limited': {
        const waitMs = Math.max(1, outcome.retryAfterSeconds) * 1000;
        if (Date.now() + waitMs > pausedUntil) {
          pausedUntil = Date.now() + waitMs;
          pauses++;
          logger.warn({ retryAfter: outcome.retryAfterSeconds }, 'Telegram asked to slow down; pausing');
          await record('pause', () => store.pauseAll(waitMs));
        }
        await record('retry after 429', () =>
          store.retryLater(row, token, waitMs, { refundAttempt: true, error: '429 Too Many Requests' }),
        );
        return;
      }
      case 'transient':
        if (attempt >= MAX_SEND_ATTEMPTS) {
          await record('failed', () => store.finish(row, token, { status: 'failed', error: outcome.reason }));
        } else {
          await record('retry', () =>
            store.retryLater(row, token, retryDelay(attempt), {
              refundAttempt: false,
              error: outcome.reason,
            }),
          );
        }
        return;
      case 'uncertain':
        await record('uncertain', () =>
          store.finish(row, token, { status: 'uncertain', error: outcome.reason }),
        );
        return;
      case 'failed':
        await record('failed', () => store.finish(row, token, { status: 'failed', error: outcome.reason }));
        return;
    }
  }

  function track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => logger.error({ err }, 'sending a notice failed unexpectedly'));
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  }

  async function sendBatch(rows: DeliveryRow[], token: string): Promise<void> {
    let queue = rows;
    while (queue.length > 0) {
      if (!running) {
        await store.release(queue, token, 0);
        return;
      }
      await nap(pausedUntil - Date.now());
      if (!running) continue;
      const wait = await store.reserveSlots(queue.length, intervalMs);
      const start = Date.now() + wait;
      const epoch = pauses;
      let i = 0;
      for (; i < queue.length; i++) {
        await nap(start + i * intervalMs - Date.now());
        if (!running || pauses !== epoch) break;
        const row = queue[i] as DeliveryRow;
        const chatWait = (lastSentToChat.get(row.chatId) ?? 0) + PER_CHAT_GAP_MS - Date.now();
        if (chatWait > 0) {
          await store.release([row], token, chatWait); // the same chat again within a second: later
          continue;
        }
        while (running && inFlight.size >= maxInFlight) await Promise.race([...inFlight, stopped]);
        if (!running) break;
        track(sendOne(row, token));
      }
      queue = queue.slice(i);
    }
  }

  async function report(at: Date): Promise<void> {
    for (const id of await store.reportCandidates()) {
      await store.finishIfComplete(id, at);
      const state = await store.takeReportTurn(id, progressEveryMs, REPORT_HOLD_MS);
      if (!state) continue;
      try {
        if (state.status === 'sending') {
          const progressMessageId = await reporter.progress(state, finishEstimate(state, at));
          await store.saveReport(id, { progressMessageId });
        } else if (state.status === 'done' && state.reportMessageId === null) {
          const reportMessageId = await reporter.final(state);
          await store.saveReport(id, { reportMessageId, reportedReadCount: state.readCount });
          logger.info({ noticeId: id, ...state.counts }, 'notice sent');
        } else if (state.status === 'done' && state.readCount !== state.reportedReadCount) {
          if (state.reportMessageId) await reporter.reads(state);
          await store.saveReport(id, { reportedReadCount: state.readCount });
        } else {
          await store.saveReport(id, {});
        }
      } catch (err) {
        logger.warn({ err, noticeId: id }, 'could not update the author of a notice; trying again later');
        await store.saveReport(id, {});
      }
    }
  }

  /** From the pace so far when there is one, else from the configured rate. */
  function finishEstimate(state: ReportState, at: Date): Date {
    const total = totalOf(state.counts);
    const left = remaining(state.counts);
    const elapsed = state.startedAt ? (at.getTime() - state.startedAt.getTime()) / 1000 : 0;
    const done = total - left;
    const pace = elapsed >= 5 && done > 0 ? Math.min(done / elapsed, rate) : rate;
    return estimatedFinish(left, pace, at);
  }

  async function maintain(): Promise<void> {
    const at = now();
    const { started, cancelled } = await store.startDue(at, audienceDay(at), opts.adminTelegramIds);
    for (const id of started) logger.info({ noticeId: id }, 'notice started: recipients fixed');
    for (const id of cancelled)
      logger.warn({ noticeId: id }, 'notice cancelled at its start: its author may no longer send it');
    const recovered = await store.recoverExpired();
    if (recovered.requeued > 0 || recovered.uncertain > 0)
      logger.warn(recovered, 'took back the notice deliveries of a sender that stopped');
    // The author's messages count against the same limit: none while Telegram asks us to wait.
    if (pausedUntil <= Date.now()) await report(at);
    const cutoff = Date.now() - PER_CHAT_GAP_MS;
    for (const [chat, at2] of lastSentToChat) if (at2 < cutoff) lastSentToChat.delete(chat);
  }

  async function run(): Promise<void> {
    let lastMaintenance = 0;
    let failures = 0;
    while (running) {
      try {
        if (Date.now() - lastMaintenance >= maintenanceMs) {
          lastMaintenance = Date.now();
          await maintain();
        }
        if (pausedUntil > Date.now()) {
          await nap(Math.min(pausedUntil - Date.now(), maintenanceMs));
          continue;
        }
        const token = randomUUID();
        const rows = await store.claim(token, batchSize, claimLeaseMs);
        if (rows.length === 0) {
          await nap(idleMs);
        } else {
          await sendBatch(rows, token);
        }
        failures = 0;
      } catch (err) {
        failures++;
        logger.error({ err }, 'notice sender: a round failed; trying again');
        await nap(Math.min(30_000, 500 * 2 ** failures));
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop(stopOpts = {}) {
      running = false;
      stopper.abort();
      await loop;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        sleep(stopOpts.graceMs ?? 5000, undefined, { ref: false }),
      ]);
    },
    maintain,
  };
}
