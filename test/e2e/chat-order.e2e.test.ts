// A chat's updates in order across instances: two real bot processes in webhook mode on one database, fed as
// Telegram feeds them (POST with the secret, again until a 2xx), with residents who answer the moment the
// bot's reply reaches them. What must hold:
// - every update of 20 instant responders delivered to both instances at once: every registration finishes,
//   each resident gets exactly the messages one delivery gives, nothing is stored twice;
// - an instance killed with a chat's update in hand (and the resident's next update already queued behind
//   it on the other instance): the other takes the chat over once the lease runs out — without Telegram
//   delivering anything again — and handles both, in order;
// - an album of 5 photos sent at once, each photo to both instances: all 5 reach the case, acknowledged once;
// - an update that keeps failing is set aside, and only then is the chat's next update (which arrived at the
//   other instance meanwhile) handled.
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type FakeBotApi, type Injection, startFakeBotApi } from '../support/fake-bot-api.ts';
import { makeIdNumber } from '../support/fixtures.ts';
import { waitFor } from './support.ts';
import {
  deliver,
  HookResident,
  postUpdate,
  registrationScript,
  sqlRows,
  startWebhookInstance,
  stepUpdate,
  type WebhookInstance,
} from './webhook-support.ts';

const LEASE_SECONDS = 5;

let api: FakeBotApi;
let db: TestDatabase;
let a: WebhookInstance;
let b: WebhookInstance;
/** `${method}:${chatId}` → what to answer the next calls with, in order (then normally). */
const plans = new Map<string, Injection[]>();

const start = () =>
  startWebhookInstance({
    apiRoot: api.url,
    databaseUrl: db.url,
    env: { UPDATE_LEASE_SECONDS: String(LEASE_SECONDS) },
  });

beforeAll(async () => {
  [api, db] = await Promise.all([
    startFakeBotApi({
      perSecond: 1_000_000,
      perChatIntervalMs: 0,
      inject: ({ method, chatId }) => plans.get(`${method}:${chatId}`)?.shift() ?? 'ok',
    }),
    createTestDatabase(),
  ]);
  a = await start();
  b = await start();
}, 120_000);

afterEach(({ task }) => {
  if (task.result?.state === 'fail') for (const i of [a, b]) if (i) console.error(i.process.output());
});

afterAll(async () => {
  for (const instance of [a, b]) {
    if (instance?.process.running) {
      instance.process.child.kill('SIGTERM');
      await instance.process.exited;
    }
  }
  await api?.close();
  await db?.drop();
});

const sql = <T extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
  sqlRows<T>(db.url, text, values);

type Step = ReturnType<typeof registrationScript>[number];

/** Resolves once the bot has answered far enough that `next` can be taken (its button is there, or a new message). */
function readyFor(u: HookResident, before: number, next: Step | undefined, timeoutMs = 20_000) {
  return waitFor(
    `the bot's answer in chat ${u.id} (before: ${u.texts().at(-1)})`,
    () => {
      const fresh = u.messages().slice(before);
      if (next && 'tap' in next)
        return fresh.some((m) => m.buttons.some((x) => x.text === next.tap)) || undefined;
      return fresh.length > 0 || undefined;
    },
    timeoutMs,
  );
}

/** Steps through `steps`, each update to every instance at once, the next as soon as the bot has answered. */
async function instantly(u: HookResident, steps: Step[], instances: WebhookInstance[]): Promise<string[][]> {
  const deliveries: Promise<string[]>[] = [];
  for (const [i, step] of steps.entries()) {
    const before = u.messages().length;
    const update = stepUpdate(u, step);
    for (const instance of instances) deliveries.push(deliver(instance.url, update, 20));
    await readyFor(u, before, steps[i + 1]);
  }
  return Promise.all(deliveries);
}

describe('one chat, one update at a time, in order, across two instances', () => {
  it('20 residents answering instantly, every update delivered to both instances: all finish, nothing twice', async () => {
    // What one resident sees with each update delivered once, to one instance.
    const single = new HookResident(api, 830_000);
    await instantly(single, registrationScript(makeIdNumber({ birthDate: '1980-02-02', seq: 21 })), [a]);
    expect(single.count('登记好了')).toBe(1);

    const residents = Array.from({ length: 20 }, (_, i) => new HookResident(api, 830_001 + i));
    const answers = await Promise.all(
      residents.map((u, i) =>
        instantly(u, registrationScript(makeIdNumber({ birthDate: '1981-03-03', seq: 30 + i })), [a, b]),
      ),
    );
    const outcomes = answers.flat(2);
    // Every copy was answered 200: handled, queued behind the chat's holder, or found done. (An update the
    // holder took from the inbox before either copy's call came back is handled without being "handled" to a
    // caller, so the count of that answer is at most one per update.)
    expect(outcomes.filter((o) => !/^200 (handled|queued|duplicate)$/.test(o))).toEqual([]);
    expect(outcomes.filter((o) => o === '200 handled').length).toBeLessThanOrEqual(20 * 11);
    // Each was handled once, at the first attempt: nothing handled again, nothing set aside.
    const receipts = await sql<{ status: string; attempts: number; n: number }>(
      `select status::text, attempts, count(*)::int as n from update_receipt r
        where chat_key::bigint between 830001 and 830020 group by 1, 2`,
    );
    expect(receipts).toEqual([{ status: 'done', attempts: 1, n: 20 * 11 }]);
    for (const u of residents) {
      expect(u.texts()).toEqual(single.texts().map((t) => expect.stringContaining(t.slice(0, 6))));
      expect(u.count('登记好了')).toBe(1);
    }
    const rows = await sql<{ n: number }>(
      `select count(*)::int as n from resident where telegram_id between 830001 and 830020`,
    );
    expect(rows[0]?.n).toBe(20);
    const open = await sql('select 1 from update_receipt where finished_at is null');
    expect(open).toEqual([]);
  }, 120_000);

  it('an instance killed with a chat in hand: the other takes the chat over after the lease, and handles both updates in order', async () => {
    const u = new HookResident(api, 831_001);
    const script = registrationScript(makeIdNumber({ birthDate: '1979-04-04', seq: 41 }));
    const room = script.findIndex((s) => 'text' in s && s.text === '302');
    await instantly(u, script.slice(0, room), [a]);

    // The room number reaches A, whose reply to it never gets through: A is in the middle of the update.
    plans.set(`sendMessage:${u.id}`, ['hang']);
    const roomUpdate = stepUpdate(u, script[room] as Step);
    void postUpdate(a.url, roomUpdate).catch(() => undefined);
    await waitFor(
      'A in the middle of the update',
      () => api.requests.some((r) => r.chatId === u.id && r.status === 'hung') || undefined,
    );
    // The resident types their name at once; it reaches B, which finds the chat held and queues it.
    const nameUpdate = stepUpdate(u, script[room + 1] as Step);
    expect(await postUpdate(b.url, nameUpdate)).toEqual({ status: 200, body: 'queued' });

    a.process.child.kill('SIGKILL');
    await a.process.exited;
    const killedAt = Date.now();
    // Nothing is delivered again: B's sweeper takes the chat once A's lease has run out.
    await waitFor(
      'the phone question',
      () => u.count('手机号') > 0 || undefined,
      (LEASE_SECONDS + 10) * 1000,
    );
    expect(Date.now() - killedAt).toBeLessThan((LEASE_SECONDS + 3) * 1000);
    const texts = u.texts();
    const nameQuestion = texts.findIndex((t) => t.includes('名字'));
    expect(nameQuestion).toBeGreaterThan(-1);
    expect(texts.findIndex((t) => t.includes('手机号'))).toBeGreaterThan(nameQuestion);
    expect(u.count('名字')).toBe(1);

    await instantly(u, script.slice(room + 2), [b]);
    expect(u.count('登记好了')).toBe(1);
    const rows = await sql<{ room: string; name: string }>(
      `select h.room, r.name from resident r join household h on h.id = r.household_id where r.telegram_id = $1`,
      [u.id],
    );
    expect(rows).toEqual([{ room: '302', name: '杨光明' }]);
    const receipts = await sql<{ status: string; attempts: number }>(
      'select status::text, attempts from update_receipt where update_id = $1',
      [roomUpdate.update_id],
    );
    expect(receipts).toEqual([{ status: 'done', attempts: 2 }]);

    a = await start(); // for the tests after this one
  }, 120_000);

  it('an album of 5 photos, each photo posted to both instances at once: all 5 reach the case, acknowledged once', async () => {
    const u = new HookResident(api, 832_001);
    await instantly(u, registrationScript(makeIdNumber({ birthDate: '1970-05-05', seq: 51 })), [a, b]);
    await instantly(
      u,
      [
        { text: '/services' },
        { tap: '💰 申请低保' },
        { tap: '对，家里只有我' },
        { text: '800' },
        { tap: '生病' },
        { tap: '都没有' },
        { tap: '✅ 同意核对' },
      ],
      [a, b],
    );
    expect(u.texts().at(-1)).toContain('户口本');
    const before = u.messages().length;
    const album = Array.from({ length: 5 }, (_, i) => u.photo(`album-photo-${i}`, 'album-832001'));
    const outcomes = await Promise.all(album.flatMap((p) => [deliver(a.url, p, 20), deliver(b.url, p, 20)]));
    expect(outcomes.flat().every((o) => /^200 (handled|queued|duplicate)$/.test(o))).toBe(true);
    await readyFor(u, before, { tap: '✅ 好了' });
    await instantly(u, [{ tap: '✅ 好了' }], [a, b]);
    expect(u.texts().at(-1)).toContain('5 张照片');
    expect(u.texts().filter((t) => t.includes('收到照片'))).toHaveLength(1);
    await instantly(u, [{ tap: '✅ 对的，提交' }], [a, b]);
    await waitFor(
      'the case number',
      () => u.texts().some((t) => /编号：CIV-\d{4}-\d{6}/.test(t)) || undefined,
    );
    const rows = await sql<{ n: number }>(
      `select count(*)::int as n from case_attachment ca join "case" c on c.id = ca.case_id where c.telegram_id = $1`,
      [u.id],
    );
    expect(rows[0]?.n).toBe(5);
  }, 120_000);

  it("an update that keeps failing is set aside first; the chat's next update, queued on the other instance, comes after", async () => {
    const u = new HookResident(api, 833_001);
    // The answer to /help fails with 502 on every try of three attempts (3 tries a call): the update is set
    // aside, and the apology after it goes through.
    const badGateway: Injection = { status: 502, description: 'Bad Gateway' };
    plans.set(
      `sendMessage:${u.id}`,
      Array.from({ length: 9 }, () => badGateway),
    );
    const first = u.text('/help');
    const failing = postUpdate(a.url, first);
    await waitFor(
      'the first update in the inbox',
      async () =>
        (await sql('select 1 from update_receipt where update_id = $1', [first.update_id])).length > 0 ||
        undefined,
    );
    // The resident's next message reaches the other instance while the first is still failing.
    const next = u.text('/household');
    expect(await postUpdate(b.url, next)).toEqual({ status: 200, body: 'queued' });
    expect(await failing).toEqual({ status: 200, body: 'set_aside' });
    await waitFor(
      'the answer to /household',
      () => u.texts().some((t) => t.includes('还没有登记')) || undefined,
    );
    expect(u.texts()).toEqual([expect.stringContaining('对不起'), expect.stringContaining('还没有登记')]);
    const receipts = await sql<{ update_id: string; status: string; attempts: number }>(
      'select update_id::text, status::text, attempts from update_receipt where update_id = any($1) order by update_id',
      [[first.update_id, next.update_id]],
    );
    expect(receipts).toEqual([
      { update_id: String(first.update_id), status: 'set_aside', attempts: 3 },
      { update_id: String(next.update_id), status: 'done', attempts: 1 },
    ]);
  }, 120_000);
});
