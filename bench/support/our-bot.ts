// The bot as main.ts builds it — compose(), createBot() with the production Bot API client (retrying
// fetch) over a fake `fetch`, metrics, and the update gate over PostgreSQL receipts — for benchmarks that
// drive it in-process. Only Telegram is simulated.
import path from 'node:path';
import { createPiiCipher } from '../../src/app/pii-cipher.ts';
import { createBot } from '../../src/bot/create-bot.ts';
import { telegramClient } from '../../src/bot/telegram-client.ts';
import { createUpdateGate } from '../../src/bot/update-gate.ts';
import { compose } from '../../src/compose.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { loadReferenceData, readReferenceData } from '../../src/db/reference-data.ts';
import { createUpdateReceiptRepository } from '../../src/db/repositories/update-receipts.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { BENCH_BOT, BENCH_TOKEN, type FakeBotApi } from './residents.ts';

export const REFERENCE_FILE = path.resolve(import.meta.dirname, '../../reference/tongren.json');
export const BENCH_KEY = Buffer.alloc(32, 7);

export async function loadReference(db: Db): Promise<void> {
  await loadReferenceData(db, await readReferenceData(REFERENCE_FILE));
}

/** Our bot over `databaseUrl` (reference data must be loaded), talking to `api`. */
export function ourBot(
  databaseUrl: string,
  api: FakeBotApi,
  opts: { poolSize?: number; flood?: { limit: number; windowMs: number } } = {},
) {
  const db = createDb(databaseUrl, { poolSize: opts.poolSize });
  const cipher = createPiiCipher(BENCH_KEY);
  const logger = createLogger('silent');
  const { deps, conversationState } = compose({
    db,
    cipher,
    logger,
    defaultLocale: 'zh-CN',
    adminTelegramIds: [],
    referenceDataFile: REFERENCE_FILE,
  });
  const metrics = createMetrics();
  const bot = createBot({
    token: BENCH_TOKEN,
    deps,
    conversationState,
    cipher,
    metrics,
    botInfo: BENCH_BOT,
    client: telegramClient({ fetch: api.fetch, metrics }),
    flood: opts.flood,
  });
  const gate = createUpdateGate({
    bot,
    deps,
    inbox: createUpdateReceiptRepository(db),
    cipher,
    metrics,
  });
  return { db, bot, gate, deps, metrics, close: () => db.$disconnect() };
}
