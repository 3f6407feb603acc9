// Long polling through @grammyjs/runner, with its batch sink rather than `run(bot)`'s concurrent one: the
// updates of one getUpdates batch are handled concurrently (one chat at a time, by sequentialize), and the
// next getUpdates — which is what confirms the batch to Telegram — is only sent once the whole batch is
// finished. A kill therefore loses nothing: Telegram sends the unconfirmed batch again, and the update
// receipts skip what was already done. (`run(bot)` confirms early; a kill there loses up to 100 updates.)
// Telegram does not deliver a failed update again to a poller, so the poller retries it itself, a few
// times with a pause, before the gate sets it aside.
import {
  createBatchSink,
  createRunner,
  createSource,
  createUpdateFetcher,
  type RunnerHandle,
} from '@grammyjs/runner';
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../logger.ts';
import type { BotContext } from './context.ts';
import type { UpdateGate, UpdateOutcome } from './update-gate.ts';

export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

export interface PollingOptions {
  bot: Bot<BotContext>;
  gate: UpdateGate;
  logger: Logger;
  /** Pause before retrying a failed update, doubled each time. */
  retryPauseMs?: number;
  /** Long-poll time in seconds (Telegram holds getUpdates open this long when there is nothing). */
  pollSeconds?: number;
}

/** Handles one polled update through the gate, retrying a failed attempt until the gate stops it. */
export async function processPolled(
  gate: UpdateGate,
  update: Update,
  retryPauseMs: number,
): Promise<UpdateOutcome> {
  for (let pause = retryPauseMs; ; pause *= 2) {
    const outcome = await gate.process(update);
    if (outcome !== 'failed') return outcome;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

export function startPolling(opts: PollingOptions): RunnerHandle {
  const { bot, gate, logger } = opts;
  const retryPauseMs = opts.retryPauseMs ?? 500;
  const fetchUpdates = createUpdateFetcher(bot, {
    fetch: { timeout: opts.pollSeconds ?? 30, allowed_updates: [...ALLOWED_UPDATES] },
    retryInterval: 'exponential',
    maxRetryTime: Number.POSITIVE_INFINITY,
    silent: true,
  });
  const source = createSource({ supply: (batchSize, signal) => fetchUpdates(batchSize, signal) });
  const sink = createBatchSink<Update>(
    { consume: (update) => processPolled(gate, update, retryPauseMs).then(() => undefined) },
    async (error) => {
      logger.error({ err: error }, 'polled update could not be processed');
    },
    { concurrency: 100 },
  );
  const runner = createRunner(source, sink);
  runner.start();
  return runner;
}
