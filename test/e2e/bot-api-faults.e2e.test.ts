// The real bot process (webhook mode) against a fake Bot API server over HTTP that answers 429 with
// retry_after, 5xx, or not at all. What the resident sees is each reply once, and the form goes on:
// - a short 429 is waited for inside the call; a 429 longer than the bot will wait fails the attempt, and the
//   update gate tries the update again after a pause — without waiting for Telegram to deliver it again;
// - a 5xx is retried inside the call; 5xx on every attempt fails the attempt, and the gate's next one replies;
// - a call that never answers times out (15 s): an edit is tried again at once; a send is not (it may have
//   arrived), so the attempt fails and the gate's next attempt sends it — once, since the first never arrived.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type FakeBotApi, type Injection, startFakeBotApi } from '../support/fake-bot-api.ts';
import {
  deliver,
  HookResident,
  postUpdate,
  startWebhookInstance,
  type WebhookInstance,
} from './webhook-support.ts';

let api: FakeBotApi;
let db: TestDatabase;
let bot: WebhookInstance;
/** `${method}:${chatId}` → what to answer the next calls with, in order (then normally). */
const plans = new Map<string, Injection[]>();

beforeAll(async () => {
  [api, db] = await Promise.all([
    startFakeBotApi({
      perSecond: 1_000_000,
      perChatIntervalMs: 0,
      inject: ({ method, chatId }) => plans.get(`${method}:${chatId}`)?.shift() ?? 'ok',
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
    bot.process.child.kill('SIGTERM');
    await bot.process.exited;
  }
  await api?.close();
  await db?.drop();
});

const GREETING = '登记我家'; // the register button's label: the greeting /start gets
const tooMany = (seconds: number): Injection => ({
  status: 429,
  description: `Too Many Requests: retry after ${seconds}`,
  retryAfter: seconds,
});
const badGateway: Injection = { status: 502, description: 'Bad Gateway' };

function answers(chatId: number, method: string): (number | string)[] {
  return api.requests.filter((r) => r.chatId === chatId && r.method === method).map((r) => r.status);
}

async function receipt(updateId: number): Promise<{ status: string; attempts: number } | undefined> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ status: string; attempts: number }>(
      'select status::text, attempts from update_receipt where update_id = $1',
      [updateId],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

const greeted = (u: HookResident) =>
  u.messages().filter((m) => m.buttons.some((b) => b.text.includes(GREETING))).length;

describe('the Bot API answering 429, 5xx or not at all', () => {
  it('a 429 with a short retry_after is waited for: one delivery, one reply', async () => {
    const u = new HookResident(api, 820_001);
    plans.set(`sendMessage:${u.id}`, [tooMany(1)]);
    const update = u.text('/start');
    expect(await postUpdate(bot.url, update)).toEqual({ status: 200, body: 'handled' });
    expect(answers(u.id, 'sendMessage')).toEqual([429, 200]);
    expect(greeted(u)).toBe(1);
    expect(await receipt(update.update_id)).toEqual({ status: 'done', attempts: 1 });
  });

  it('a 429 longer than the bot waits fails the attempt; the gate tries again and replies once', async () => {
    const u = new HookResident(api, 820_002);
    plans.set(`sendMessage:${u.id}`, [tooMany(30)]);
    const update = u.text('/start');
    expect(await postUpdate(bot.url, update)).toEqual({ status: 200, body: 'handled' });
    expect(await deliver(bot.url, update)).toEqual(['200 duplicate']);
    expect(answers(u.id, 'sendMessage')).toEqual([429, 200]);
    expect(greeted(u)).toBe(1);
    expect(await receipt(update.update_id)).toEqual({ status: 'done', attempts: 2 });
  });

  it('5xx answers are tried again inside the call: one delivery, one reply', async () => {
    const u = new HookResident(api, 820_003);
    plans.set(`sendMessage:${u.id}`, [badGateway, badGateway]);
    const update = u.text('/start');
    expect(await postUpdate(bot.url, update)).toEqual({ status: 200, body: 'handled' });
    expect(answers(u.id, 'sendMessage')).toEqual([502, 502, 200]);
    expect(greeted(u)).toBe(1);
  });

  it('5xx on every try of a call fails the attempt; the gate tries again and replies once', async () => {
    const u = new HookResident(api, 820_004);
    plans.set(`sendMessage:${u.id}`, [badGateway, badGateway, badGateway]);
    const update = u.text('/start');
    expect(await postUpdate(bot.url, update)).toEqual({ status: 200, body: 'handled' });
    expect(await deliver(bot.url, update)).toEqual(['200 duplicate']);
    expect(answers(u.id, 'sendMessage')).toEqual([502, 502, 502, 200]);
    expect(greeted(u)).toBe(1);
    expect(await receipt(update.update_id)).toEqual({ status: 'done', attempts: 2 });
  });

  it('calls that never answer time out: an edit is tried again, a send fails the attempt and is sent once by the next', async () => {
    // An edit: a tap on the register button, then on a community (the bot edits the question to show the
    // choice). The edit hangs once.
    const edit = new HookResident(api, 820_005);
    expect((await postUpdate(bot.url, edit.text('/start'))).status).toBe(200);
    expect((await postUpdate(bot.url, edit.tap('📝 登记我家'))).status).toBe(200);
    plans.set(`editMessageText:${edit.id}`, ['hang']);
    const tap = edit.tap('旺家社区');

    // A send: the greeting hangs once.
    const send = new HookResident(api, 820_006);
    plans.set(`sendMessage:${send.id}`, ['hang']);
    const start = send.text('/start');

    // Both at once, so the test waits for one timeout rather than two.
    const [tapped, started] = await Promise.all([postUpdate(bot.url, tap), postUpdate(bot.url, start)]);
    expect(tapped).toEqual({ status: 200, body: 'handled' });
    expect(answers(edit.id, 'editMessageText')).toEqual(['hung', 200]);
    expect(
      edit
        .messages()
        .at(-1)
        ?.buttons.some((b) => b.text === '3栋'),
    ).toBe(true);

    // The hung send never arrived; the gate's second attempt sent it, once.
    expect(started).toEqual({ status: 200, body: 'handled' });
    expect(answers(send.id, 'sendMessage')).toEqual(['hung', 200]);
    expect(await receipt(start.update_id)).toEqual({ status: 'done', attempts: 2 });
    expect(greeted(send)).toBe(1);
  }, 90_000);
});
