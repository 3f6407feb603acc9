// Long polling: each getUpdates batch is written to the inbox in one statement (update-gate.ts), and the next
// getUpdates — which is what confirms the batch to Telegram — goes out as soon as it is: a kill after that
// loses nothing, since the inbox holds the updates and the next start takes them up. The updates are then
// handled in the background, each chat in order, many chats at once. While more than `maxInHand` updates
// wait to be handled here, no more are fetched: a burst waits at Telegram rather than in this process.
// A poller is the only consumer of its bot's updates, so at start it takes over every chat a predecessor held.
import { createUpdateFetcher } from '@grammyjs/runner';
import type { Bot } from 'grammy';
import type { Logger } from '../logger.ts';
import type { BotContext } from './context.ts';
import type { UpdateGate } from './update-gate.ts';

export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

export interface PollingOptions {
  bot: Bot<BotContext>;
  gate: UpdateGate;
  logger: Logger;
  /** Long-poll time in seconds (Telegram holds getUpdates open this long when there is nothing). */
  pollSeconds?: number;
  /** Updates waiting to be handled here before fetching pauses. */
  maxInHand?: number;
}

export interface Poller {
  stop(): Promise<void>;
  isRunning(): boolean;
}

export async function startPolling(opts: PollingOptions): Promise<Poller> {
  const { bot, gate, logger } = opts;
  const maxInHand = opts.maxInHand ?? 1_000;
  const fetchUpdates = createUpdateFetcher(bot, {
    fetch: { timeout: opts.pollSeconds ?? 30, allowed_updates: [...ALLOWED_UPDATES] },
    retryInterval: 'exponential',
    maxRetryTime: Number.POSITIVE_INFINITY,
    silent: true,
  });
  await gate.recover({ all: true });
  const controller = new AbortController();
  let running = true;

  const loop = async () => {
    while (!controller.signal.aborted) {
      while (gate.inFlight() >= maxInHand && !controller.signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (controller.signal.aborted) break;
      let updates: Awaited<ReturnType<typeof fetchUpdates>>;
      try {
        // The runner types its signal with the abort-controller package's class; at run time it is Node's own.
        updates = await fetchUpdates(100, controller.signal as Parameters<typeof fetchUpdates>[1]);
      } catch (err) {
        if (controller.signal.aborted) break;
        logger.error({ err }, 'getUpdates failed for good; trying again');
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        continue;
      }
      // The fetcher confirms this batch with the next getUpdates: it must be in the inbox before that.
      for (let pause = 100; updates.length > 0; pause = Math.min(pause * 2, 10_000)) {
        try {
          await gate.accept(updates);
          break;
        } catch (err) {
          logger.error({ err }, 'polled updates could not be written to the inbox; trying again');
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
    }
  };
  const task = loop().finally(() => {
    running = false;
  });
  return {
    async stop() {
      controller.abort();
      await task;
    },
    isRunning: () => running,
  };
}
