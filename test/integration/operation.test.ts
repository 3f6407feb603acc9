// The same behaviour over both ways updates arrive — long polling (batches written to the update inbox) and
// the webhook HTTP server — with the production Bot API client (retrying fetch) in front of a fake Telegram
// that can answer 429 and 5xx. Then what only the webhook has: the secret, malformed / oversized /
// unknown updates, /healthz, and /readyz and /metrics on a listener of their own (not on the webhook's).
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiiCipher } from '../../src/app/pii-cipher.ts';
import { createBot } from '../../src/bot/create-bot.ts';
import { startPolling } from '../../src/bot/polling.ts';
import { telegramClient } from '../../src/bot/telegram-client.ts';
import { createUpdateGate, type UpdateGate, type UpdateOutcome } from '../../src/bot/update-gate.ts';
import { compose } from '../../src/compose.ts';
import { createDb, type Db, poolStats } from '../../src/db/client.ts';
import { pendingMigrations } from '../../src/db/migrate.ts';
import { loadReferenceData, readReferenceData } from '../../src/db/reference-data.ts';
import { createOpsStatsRepository } from '../../src/db/repositories/ops-stats.ts';
import { createUpdateReceiptRepository } from '../../src/db/repositories/update-receipts.ts';
import { type HttpServer, MAX_UPDATE_BYTES, readinessCheck, startHttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics, observeDatabase } from '../../src/metrics.ts';
import {
  type ApiCall,
  BOT_INFO,
  fakeTelegram,
  type Harness,
  REFERENCE_FILE,
  SimUser,
  sentTexts,
  TEST_KEY,
  TEST_TOKEN,
} from '../support/bot-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { adultMan } from '../support/fixtures.ts';
import { registerResident } from '../support/flows.ts';

const SECRET = 'test-secret-0123456789abcdef';
type Mode = 'polling' | 'webhook';

interface Stack {
  user(id: number): SimUser;
  calls: ApiCall[];
  db: Db;
  /** Makes the next calls of `method` fail with this answer. */
  failNext(
    method: string,
    times: number,
    answer: { error_code: number; description: string; retry_after?: number },
  ): void;
  /** Delivers a raw update the way this mode does; resolves once it was handled. */
  deliver(update: Update): Promise<unknown>;
  restart(): void;
  /** The public listener: the webhook and /healthz. */
  http?: HttpServer;
  /** The metrics listener (METRICS_PORT): /healthz, /readyz and /metrics. */
  opsHttp?: HttpServer;
  close(): Promise<void>;
}

async function startStack(mode: Mode, database: TestDatabase): Promise<Stack> {
  const db = createDb(database.url, { poolSize: 4 });
  await loadReferenceData(db, await readReferenceData(REFERENCE_FILE));
  const logger = createLogger('silent');
  const cipher = createPiiCipher(TEST_KEY);
  const failures = new Map<
    string,
    { left: number; answer: { error_code: number; description: string; retry_after?: number } }
  >();
  const telegram = fakeTelegram({
    fail: (call) => {
      const f = failures.get(call.method);
      if (!f || f.left <= 0) return undefined;
      f.left--;
      const { retry_after, ...rest } = f.answer;
      return retry_after === undefined ? rest : ({ ...rest, parameters: { retry_after } } as never);
    },
  });
  // Telegram's side of long polling: a queue of updates, confirmed by the next getUpdates' offset.
  const queue: Update[] = [];
  let confirmedBelow = 0;
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (url.endsWith('/getUpdates')) {
      const { offset = 0 } = JSON.parse(String(init?.body ?? '{}')) as { offset?: number };
      confirmedBelow = Math.max(confirmedBelow, offset);
      for (let i = 0; i < 20 && !queue.some((u) => u.update_id >= offset); i++) {
        if (init?.signal?.aborted) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const result = queue.filter((u) => u.update_id >= offset).slice(0, 100);
      return new Response(JSON.stringify({ ok: true, result }));
    }
    return telegram.fetch(input, init);
  }) as typeof globalThis.fetch;

  const metrics = createMetrics({ defaultMetrics: false });
  const outcomes = new Map<number, ((o: UpdateOutcome) => void)[]>();
  let stopInput: () => Promise<void> = async () => undefined;
  let gateClose: () => Promise<void> = async () => undefined;
  let http: HttpServer | undefined;
  let opsHttp: HttpServer | undefined;
  let current: { process(u: Update): Promise<UpdateOutcome> } | undefined;

  const build = async () => {
    await stopInput();
    await gateClose();
    const { deps, conversationState } = compose({
      db,
      cipher,
      logger,
      defaultLocale: 'zh-CN',
      adminTelegramIds: [],
      referenceDataFile: REFERENCE_FILE,
    });
    const bot = createBot({
      token: TEST_TOKEN,
      deps,
      conversationState,
      cipher,
      botInfo: BOT_INFO,
      metrics,
      client: telegramClient({ fetch, metrics, maxWaitMs: 2_000 }),
      flood: { limit: 1_000, windowMs: 60_000 },
    });
    const gate = createUpdateGate({
      bot,
      deps,
      inbox: createUpdateReceiptRepository(db),
      cipher,
      metrics,
      retryPauseMs: 50,
    });
    gateClose = () => gate.close();
    // The gate, reporting each update's outcome to whoever delivered it.
    const reporting: UpdateGate = {
      ...gate,
      async accept(updates) {
        const outcomes_ = await gate.accept(updates);
        for (const [i, outcome] of outcomes_.entries()) {
          const id = updates[i]?.update_id ?? -1;
          // Refused while closing: not confirmed, so the next poller fetches it again and reports then.
          void outcome.then((o) => {
            if (o !== 'refused' || mode === 'webhook') outcomes.get(id)?.shift()?.(o);
          });
        }
        return outcomes_;
      },
      async process(update) {
        const [outcome] = await reporting.accept([update]);
        return (await outcome) ?? 'refused';
      },
    };
    current = reporting;
    if (mode === 'polling') {
      const poller = await startPolling({ bot, gate: reporting, logger, pollSeconds: 1 });
      stopInput = async () => {
        if (poller.isRunning()) await poller.stop();
      };
    }
  };
  await build();

  if (mode === 'webhook') {
    const ops = createOpsStatsRepository(db);
    observeDatabase(metrics, {
      pool: () => poolStats(db),
      notificationBacklog: () => ops.notificationBacklog(),
    });
    opsHttp = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      logger,
      ops: {
        registry: metrics.registry,
        ready: readinessCheck({
          ping: () => ops.ping(),
          pendingMigrations: () => pendingMigrations(database.url),
        }),
      },
    });
    http = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      logger,
      webhook: {
        path: '/telegram',
        secret: SECRET,
        process: (u) => (current as NonNullable<typeof current>).process(u),
      },
    });
  }

  const deliver = async (update: Update): Promise<unknown> => {
    if (mode === 'webhook') {
      const res = await fetchWebhook(http as HttpServer, JSON.stringify(update));
      return res.status;
    }
    const done = new Promise<UpdateOutcome>((resolve) => {
      const waiting = outcomes.get(update.update_id) ?? [];
      waiting.push(resolve);
      outcomes.set(update.update_id, waiting);
    });
    queue.push(update);
    return done;
  };

  const stack: Stack = {
    calls: telegram.calls,
    db,
    http,
    opsHttp,
    failNext(method, times, answer) {
      failures.set(method, { left: times, answer });
    },
    deliver,
    user(id) {
      const fakeHarness = { handle: deliver, calls: telegram.calls } as unknown as Harness;
      return new SimUser(fakeHarness, id);
    },
    restart() {
      void build();
    },
    async close() {
      await stopInput();
      await gateClose();
      await http?.close();
      await opsHttp?.close();
      await db.$disconnect();
    },
  };
  return stack;
}

function fetchWebhook(http: HttpServer, body: string, secret: string | null = SECRET) {
  return fetch(`${http.url}/telegram`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
    },
    body,
  });
}

let nextUser = 60_000;

describe.each(['polling', 'webhook'] as const)('the same behaviour over %s', (mode) => {
  let database: TestDatabase;
  let s: Stack;
  beforeAll(async () => {
    database = await createTestDatabase();
    s = await startStack(mode, database);
  });
  afterAll(async () => {
    await s.close();
    await database.drop();
  });

  it('registers a household from /start to consent', async () => {
    const u = s.user(nextUser++);
    await registerResident(u, adultMan);
    expect(await s.db.resident.count({ where: { telegramId: BigInt(u.id) } })).toBe(1);
  });

  it('the same update delivered twice, one after the other and at once, is answered once', async () => {
    const u = s.user(nextUser++);
    const update = u.message({ text: '/help', entities: [{ type: 'bot_command', offset: 0, length: 5 }] });
    const before = s.calls.length;
    // Polling: two copies in one batch (a poller gets an update again only while it is unconfirmed).
    await Promise.all([s.deliver(structuredClone(update)), s.deliver(structuredClone(update))]);
    if (mode === 'webhook') await s.deliver(structuredClone(update));
    expect(sentTexts(s.calls.slice(before))).toHaveLength(1);
  });

  it('a 429 from the Bot API costs its wait once and the answer arrives once', async () => {
    const u = s.user(nextUser++);
    s.failNext('sendMessage', 1, {
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      retry_after: 1,
    });
    const started = Date.now();
    const calls = await u.text('/help');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(calls.filter((c) => c.method === 'sendMessage')).toHaveLength(2); // refused, then sent once
  });

  it('5xx answers are retried and the answer arrives once', async () => {
    const u = s.user(nextUser++);
    s.failNext('sendMessage', 2, { error_code: 502, description: 'Bad Gateway' });
    const calls = await u.text('/help');
    expect(calls.filter((c) => c.method === 'sendMessage')).toHaveLength(3); // refused twice, then sent once
  });

  it('a stale button from before a restart gets a polite answer, and the form in hand survives', async () => {
    const u = s.user(nextUser++);
    await u.text('/start');
    const oldButton = u.findButton('📝 登记我家');
    await u.tap('📝 登记我家');
    await u.tap('旺家社区');
    s.restart();
    await new Promise((r) => setTimeout(r, 50));
    // The form goes on where it was …
    await u.tap('3栋');
    expect(u.lastText()).toContain('单元');
    // … and a button of a question already answered is refused kindly.
    const calls = await u.press('reg:community:xx', oldButton?.messageId);
    const answer = calls.find((c) => c.method === 'answerCallbackQuery');
    expect(answer).toBeDefined();
    expect(sentTexts(calls).join()).not.toContain('出了点问题');
  });
});

describe('the webhook endpoint', () => {
  let database: TestDatabase;
  let s: Stack;
  let http: HttpServer;
  let opsHttp: HttpServer;
  beforeAll(async () => {
    database = await createTestDatabase();
    s = await startStack('webhook', database);
    http = s.http as HttpServer;
    opsHttp = s.opsHttp as HttpServer;
  });
  afterAll(async () => {
    await s.close();
    await database.drop();
  });

  const receipts = () => s.db.updateReceipt.count();

  it('refuses a call without the right secret with 401 and touches nothing', async () => {
    const update = {
      update_id: 1,
      message: { message_id: 1, date: 0, chat: { id: 5, type: 'private' }, text: '/start' },
    };
    const before = { calls: s.calls.length, receipts: await receipts() };
    for (const secret of [null, 'wrong-secret-0123456789abcdef', `${SECRET}x`]) {
      const res = await fetchWebhook(http, JSON.stringify(update), secret);
      expect(res.status).toBe(401);
    }
    expect(s.calls.length).toBe(before.calls);
    expect(await receipts()).toBe(before.receipts);
    expect(await s.db.telegramUser.count({ where: { telegramId: 5n } })).toBe(0);
  });

  it('answers malformed bodies 400, oversized ones 413, and an unknown update type 200 without a word', async () => {
    const before = s.calls.length;
    expect((await fetchWebhook(http, '{not json')).status).toBe(400);
    expect((await fetchWebhook(http, '[1,2]')).status).toBe(400);
    expect((await fetchWebhook(http, '{"message":{}}')).status).toBe(400);
    expect((await fetchWebhook(http, '{"update_id":-1}')).status).toBe(400);
    expect(
      (await fetchWebhook(http, JSON.stringify({ update_id: 7, pad: 'x'.repeat(MAX_UPDATE_BYTES) }))).status,
    ).toBe(413);
    expect(
      (await fetchWebhook(http, JSON.stringify({ update_id: 8, some_future_kind: { id: 1 } }))).status,
    ).toBe(200);
    // A message without a sender or chat is handled (nothing to say to nobody), not a crash.
    expect(
      (await fetchWebhook(http, JSON.stringify({ update_id: 9, message: { message_id: 1, date: 0 } })))
        .status,
    ).toBe(200);
    expect(s.calls.length).toBe(before);
    // The server is still well.
    expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
  });

  it('the webhook port serves the webhook and /healthz only; /readyz and /metrics only on their own', async () => {
    expect(await (await fetch(`${http.url}/healthz`)).text()).toBe('ok');
    for (const path of ['/readyz', '/metrics']) expect((await fetch(`${http.url}${path}`)).status).toBe(404);
    // The metrics listener has no webhook.
    expect((await fetchWebhook(opsHttp, JSON.stringify({ update_id: 11 }))).status).toBe(404);
    expect(await (await fetch(`${opsHttp.url}/healthz`)).text()).toBe('ok');
    const ready = await fetch(`${opsHttp.url}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await fetch(`${opsHttp.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    for (const name of [
      'bianmin_updates_total',
      'bianmin_update_duration_seconds_bucket',
      'bianmin_db_pool_connections{state="total"}',
      'bianmin_notification_oldest_pending_seconds',
      'bianmin_rate_limited_total',
      'bianmin_telegram_retries_total',
    ]) {
      expect(text).toContain(name);
    }
    expect((await fetch(`${http.url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${opsHttp.url}/nowhere`)).status).toBe(404);
  });

  it('reports not ready when migrations are pending or the database does not answer', async () => {
    const pending = readinessCheck({
      ping: async () => undefined,
      pendingMigrations: async () => ['20990101_x'],
    });
    expect(await pending()).toEqual(['1 migration(s) pending']);
    const down = readinessCheck({
      ping: () => Promise.reject(new Error('ECONNREFUSED')),
      pendingMigrations: async () => [],
    });
    expect(await down()).toEqual(['database unreachable']);
    const hanging = readinessCheck({
      ping: () => new Promise(() => undefined),
      pendingMigrations: async () => [],
      timeoutMs: 50,
    });
    expect(await hanging()).toEqual(['database unreachable']);
  });

  it('while draining for shutdown: updates 503 (Telegram tries again elsewhere), not ready, still alive', async () => {
    http.drain();
    opsHttp.drain();
    const res = await fetchWebhook(http, JSON.stringify({ update_id: 10, some_future_kind: {} }));
    expect(res.status).toBe(503);
    expect((await fetch(`${opsHttp.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${opsHttp.url}/healthz`)).status).toBe(200);
  });
});
