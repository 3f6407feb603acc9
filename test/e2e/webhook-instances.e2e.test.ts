// Two real bot processes in webhook mode on one database, as a province runs them behind a load balancer:
// the same update posted to both at the same moment has one effect and one reply (one handles it; the other
// finds it in the inbox, queued behind the first or done); a call without the right
// X-Telegram-Bot-Api-Secret-Token gets 401 from either and touches nothing. The webhook's port serves the
// webhook and /healthz only; /readyz and /metrics only where METRICS_PORT asks for them (instance b).
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type FakeBotApi, startFakeBotApi } from '../support/fake-bot-api.ts';
import { makeIdNumber } from '../support/fixtures.ts';
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

let api: FakeBotApi;
let db: TestDatabase;
let a: WebhookInstance;
let b: WebhookInstance;

beforeAll(async () => {
  [api, db] = await Promise.all([
    startFakeBotApi({ perSecond: 1_000_000, perChatIntervalMs: 0 }),
    createTestDatabase(),
  ]);
  // One after the other: both apply migrations and reference data at start. `a` without METRICS_PORT.
  a = await startWebhookInstance({ apiRoot: api.url, databaseUrl: db.url, metrics: false });
  b = await startWebhookInstance({ apiRoot: api.url, databaseUrl: db.url });
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

describe('two instances in webhook mode on one database', () => {
  it('every update of a registration posted to both at the same moment: one effect and one reply each', async () => {
    // The same registration through one instance, each update once: what the resident should see.
    const single = new HookResident(api, 810_001);
    for (const step of registrationScript(makeIdNumber({ birthDate: '1980-02-02', seq: 11 }))) {
      expect((await postUpdate(a.url, stepUpdate(single, step))).status).toBe(200);
    }
    expect(single.count('登记好了')).toBe(1);

    const twice = new HookResident(api, 810_002);
    const outcomes: string[] = [];
    for (const step of registrationScript(makeIdNumber({ birthDate: '1980-02-02', seq: 13 }))) {
      const update = stepUpdate(twice, step);
      // Both copies at once; each instance is then delivered to again until it answers 2xx, as Telegram does.
      const answers = await Promise.all([deliver(a.url, update), deliver(b.url, update)]);
      outcomes.push(...answers.flat());
    }
    // Each update was handled by exactly one of the two; the other copy was queued behind it or found done.
    // (An update the chat's holder took from the inbox before either copy's call came back is handled without
    // being "handled" to a caller: exactly-once is read from the replies and the receipts below.)
    expect(outcomes.filter((o) => o === '200 handled').length).toBeLessThanOrEqual(11);
    expect(outcomes.filter((o) => o.startsWith('200 ')).length).toBe(22);
    expect(outcomes.every((o) => /^200 (handled|duplicate|queued)$/.test(o))).toBe(true);

    expect(twice.texts().length).toBe(single.texts().length);
    expect(twice.count('登记好了')).toBe(1);
    const households = await sql<{ telegram_id: string }>(
      'select r.telegram_id::text from household h join resident r on r.household_id = h.id order by 1',
    );
    expect(households.map((h) => h.telegram_id)).toEqual(['810001', '810002']);
    const receipts = await sql<{ status: string; n: number }>(
      'select status::text, count(*)::int as n from update_receipt group by status',
    );
    expect(receipts).toEqual([{ status: 'done', n: 22 }]);
  });

  it('the same consent tap on both at the same moment registers once and answers once', async () => {
    const u = new HookResident(api, 810_003);
    const script = registrationScript(makeIdNumber({ birthDate: '1981-03-03', seq: 15 }));
    for (const step of script.slice(0, -1)) {
      expect((await postUpdate(a.url, stepUpdate(u, step))).status).toBe(200);
    }
    const consent = stepUpdate(u, script.at(-1) as { tap: string });
    const first = await Promise.all([postUpdate(a.url, consent), postUpdate(b.url, consent)]);
    expect(first.map((r) => r.body).sort()).toContain('handled');
    // The other one was queued behind it, or found it done; either way answered 200 at once.
    expect(first.every((r) => r.status === 200)).toBe(true);
    for (const instance of [a, b]) expect(await deliver(instance.url, consent)).toEqual(['200 duplicate']);
    expect(u.count('登记好了')).toBe(1);
    const rows = await sql<{ n: number }>(
      'select count(*)::int as n from resident where telegram_id = $1',
      [810_003],
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('refuses a call without the right secret with 401 on either instance and touches nothing', async () => {
    const u = new HookResident(api, 810_004);
    const update = u.text('/start');
    for (const instance of [a, b]) {
      expect(await postUpdate(instance.url, update, null)).toMatchObject({ status: 401 });
      expect(await postUpdate(instance.url, update, 'not-the-secret-0123456789')).toMatchObject({
        status: 401,
      });
      expect(await postUpdate(instance.url, update, '')).toMatchObject({ status: 401 });
    }
    expect(u.texts()).toEqual([]);
    const receipts = await sql('select 1 from update_receipt where update_id = $1', [update.update_id]);
    expect(receipts).toEqual([]);
    const users = await sql('select 1 from telegram_user where telegram_id = $1', [810_004]);
    expect(users).toEqual([]);
    // The real secret still works: the same update is handled once.
    expect(await postUpdate(a.url, update)).toEqual({ status: 200, body: 'handled' });
    expect(u.texts()).toHaveLength(1);
  });

  it('the webhook port serves only the webhook and /healthz; METRICS_PORT serves /readyz and /metrics', async () => {
    for (const instance of [a, b]) {
      const base = `http://127.0.0.1:${instance.port}`;
      expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok');
      for (const path of ['/readyz', '/metrics']) expect((await fetch(`${base}${path}`)).status).toBe(404);
    }
    expect(a.metricsUrl).toBeUndefined();
    const metricsUrl = b.metricsUrl as string;
    const metrics = await fetch(metricsUrl);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('bianmin_updates_total');
    const ready = await fetch(new URL('/readyz', metricsUrl));
    expect({ status: ready.status, body: await ready.text() }).toEqual({ status: 200, body: 'ready' });
    expect(b.process.output()).toContain('metrics server started');
  });
});
