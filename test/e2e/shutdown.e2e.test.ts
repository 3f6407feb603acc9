// SIGTERM while an update is in flight, against the real bot process in webhook mode: the update in hand
// is finished (its reply sent, its receipt marked done, its webhook call answered 200), an update arriving
// meanwhile is refused with 503 (Telegram delivers it again, to another instance or after the restart), and
// the process exits with code 0. main.ts gives shutdown 10 s and exits with code 1 past that, so code 0 is
// also the proof that it was in time.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type FakeBotApi, type Injection, startFakeBotApi } from '../support/fake-bot-api.ts';
import { waitFor } from './support.ts';
import { HookResident, postUpdate, startWebhookInstance, type WebhookInstance } from './webhook-support.ts';

let api: FakeBotApi;
let db: TestDatabase;
let bot: WebhookInstance;
const SLOW_CHAT = 830_001;

beforeAll(async () => {
  [api, db] = await Promise.all([
    startFakeBotApi({
      perSecond: 1_000_000,
      perChatIntervalMs: 0,
      // The reply to SLOW_CHAT takes 3 s to be answered: its update is in flight for that long.
      inject: ({ method, chatId }): Injection =>
        method === 'sendMessage' && chatId === SLOW_CHAT ? { delayMs: 3_000 } : 'ok',
    }),
    createTestDatabase(),
  ]);
  bot = await startWebhookInstance({ apiRoot: api.url, databaseUrl: db.url });
}, 120_000);

afterEach(({ task }) => {
  if (task.result?.state === 'fail') console.error(bot?.process.output());
});

afterAll(async () => {
  if (bot?.process.running) {
    bot.process.child.kill('SIGKILL');
    await bot.process.exited;
  }
  await api?.close();
  await db?.drop();
});

describe('SIGTERM with an update in flight', () => {
  it('finishes the update, refuses new ones with 503, and exits with code 0', async () => {
    const slow = new HookResident(api, SLOW_CHAT);
    const update = slow.text('/start');
    const inFlight = postUpdate(bot.url, update);
    // The bot is waiting for Telegram's answer to its reply.
    await waitFor('the reply to reach the Bot API', () =>
      api.requests.some((r) => r.chatId === SLOW_CHAT && r.method === 'sendMessage') ? true : undefined,
    );
    bot.process.child.kill('SIGTERM');
    await bot.process.waitForLog('shutting down', 5_000);

    const late = new HookResident(api, 830_002);
    const lateUpdate = late.text('/start');
    expect(await postUpdate(bot.url, lateUpdate)).toEqual({ status: 503, body: 'shutting down' });

    expect(await inFlight).toEqual({ status: 200, body: 'handled' });
    const exit = await Promise.race([
      bot.process.exited,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 20_000).unref()),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });

    expect(slow.texts()).toHaveLength(1);
    expect(late.texts()).toEqual([]);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ update_id: string; status: string }>(
        'select update_id::text, status::text from update_receipt order by update_id',
      );
      // The finished update is marked done; the refused one was never claimed.
      expect(rows).toEqual([{ update_id: String(update.update_id), status: 'done' }]);
    } finally {
      await client.end();
    }
    expect(bot.process.logs().filter((l) => l.level >= 50)).toEqual([]);
  }, 60_000);
});
