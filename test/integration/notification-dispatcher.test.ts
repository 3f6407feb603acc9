// The notification dispatcher against a fake Bot API that fails: 429 with retry_after, 5xx, network errors
// and timeouts, 403 and "chat not found". Every notification is delivered once it can be, none is lost when
// a dispatcher dies after claiming, none is sent twice by dispatchers running at once, and a change that is
// rolled back notifies nobody.
import { Api } from 'grammy';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNotificationDispatcher, retryDelayMs } from '../../src/app/jobs/notification-dispatcher.ts';
import { createNotificationSource } from '../../src/app/notification-content.ts';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { createNotificationSender } from '../../src/bot/notification-render.ts';
import { composeCaseWorkers } from '../../src/compose.ts';
import { createCaseRepository } from '../../src/db/repositories/cases.ts';
import { createNotificationRepository } from '../../src/db/repositories/notifications.ts';
import { createLogger } from '../../src/logger.ts';
import {
  type ApiCall,
  createHarness,
  type FailCall,
  fakeTelegram,
  type Harness,
  TEST_TOKEN,
} from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { chatMember, fileSuggestion, makeStaff } from '../support/staff-scene.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());
// Each test looks at its own notifications only: what an earlier test left pending is put aside.
beforeEach(async () => {
  await h.db.notification.updateMany({ where: { status: 'pending' }, data: { status: 'failed' } });
});

/** A dispatcher over its own fake Telegram; `clock` is what it believes the time is. */
function dispatcherWith(opts: {
  fail?: FailCall;
  fetch?: typeof globalThis.fetch;
  clock?: { now: Date };
  timeoutSeconds?: number;
  leaseMs?: number;
  batchSize?: number;
  maxAttempts?: number;
}) {
  const telegram = fakeTelegram({ fail: opts.fail });
  const api = new Api(TEST_TOKEN, {
    fetch: opts.fetch ?? telegram.fetch,
    timeoutSeconds: opts.timeoutSeconds ?? 5,
  });
  const { dispatcher } = composeCaseWorkers({
    db: h.db,
    cipher: h.cipher,
    deps: h.deps,
    api,
    now: opts.clock ? () => opts.clock?.now as Date : undefined,
    dispatcher: {
      minIntervalMs: 0,
      pollMs: 10,
      leaseMs: opts.leaseMs,
      batchSize: opts.batchSize,
      maxAttempts: opts.maxAttempts,
      requestTimeoutMs: (opts.timeoutSeconds ?? 5) * 1000,
    },
  });
  return { dispatcher, calls: telegram.calls };
}

let staffSeq = 73_000;
/**
 * `n` digests queued for a staff member; a new one first writes to the bot (so their language is known —
 * and writing to the bot shows they can be reached, so a known one does not write again).
 */
async function queueDigests(n: number, tag: string, known?: number): Promise<number> {
  const telegramId = known ?? staffSeq++;
  if (known === undefined) await h.user(telegramId).text('/help');
  await h.db.notification.createMany({
    data: Array.from({ length: n }, (_, i) => ({
      telegramId: BigInt(telegramId),
      kind: 'staff.digest',
      payload: {
        period: '2026-11-23',
        mineOverdue: 1,
        mineToday: 0,
        queueOverdue: 0,
        queueToday: 0,
        numbers: [`${tag}-${i}`],
      },
      nextAttemptAt: new Date(),
      createdAt: new Date(),
    })),
  });
  return telegramId;
}

const sends = (calls: ApiCall[]) => calls.filter((c) => c.method === 'sendMessage');
const statusOf = async (telegramId: number) =>
  (
    await h.db.notification.findMany({ where: { telegramId: BigInt(telegramId) }, orderBy: { id: 'asc' } })
  ).map((n) => n.status);

describe('notification dispatcher', () => {
  it('waits retry_after on a 429 (not counted as an attempt), then delivers', async () => {
    const clock = { now: new Date(0) };
    let limited = 1;
    const { dispatcher, calls } = dispatcherWith({
      clock,
      fail: () =>
        limited-- > 0
          ? {
              error_code: 429,
              description: 'Too Many Requests: retry after 7',
              parameters: { retry_after: 7 },
            }
          : undefined,
    });
    const who = await queueDigests(1, 'RL');
    clock.now = new Date();
    const first = await dispatcher.runOnce();
    expect(first).toMatchObject({ claimed: 1, retried: 1, sent: 0 });
    const row = await h.db.notification.findFirstOrThrow({ where: { telegramId: BigInt(who) } });
    expect(row.status).toBe('pending');
    expect(row.attempts).toBe(0);
    expect(row.nextAttemptAt.getTime() - clock.now.getTime()).toBe(7_000);
    expect((await dispatcher.runOnce()).claimed).toBe(0); // not before retry_after
    clock.now = new Date(clock.now.getTime() + 7_500);
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await statusOf(who)).toEqual(['sent']);
    expect(sends(calls)).toHaveLength(2);
  });

  it('retries 5xx with growing backoff, then delivers', async () => {
    const clock = { now: new Date(0) };
    let failures = 2;
    const { dispatcher, calls } = dispatcherWith({
      clock,
      fail: () => (failures-- > 0 ? { error_code: 502, description: 'Bad Gateway' } : undefined),
    });
    const who = await queueDigests(1, '5XX');
    clock.now = new Date();
    const start = clock.now.getTime();
    await dispatcher.runOnce();
    const afterFirst = await h.db.notification.findFirstOrThrow({ where: { telegramId: BigInt(who) } });
    const firstDelay = afterFirst.nextAttemptAt.getTime() - start;
    expect(firstDelay).toBeGreaterThanOrEqual(8_000);
    expect(firstDelay).toBeLessThanOrEqual(12_000);
    clock.now = afterFirst.nextAttemptAt;
    await dispatcher.runOnce();
    const afterSecond = await h.db.notification.findFirstOrThrow({ where: { telegramId: BigInt(who) } });
    const secondDelay = afterSecond.nextAttemptAt.getTime() - clock.now.getTime();
    expect(secondDelay).toBeGreaterThanOrEqual(16_000);
    expect(secondDelay).toBeLessThanOrEqual(24_000);
    expect(afterSecond.lastError).toContain('502');
    clock.now = afterSecond.nextAttemptAt;
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 1 });
    const done = await h.db.notification.findFirstOrThrow({ where: { telegramId: BigInt(who) } });
    expect(done).toMatchObject({ status: 'sent', attempts: 3 });
    expect(sends(calls)).toHaveLength(3);
  });

  it('retries network errors and timeouts, and gives up after maxAttempts', async () => {
    const clock = { now: new Date(0) };
    let mode: 'network' | 'hang' | 'ok' = 'network';
    const telegram = fakeTelegram();
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      if (mode === 'network') throw new TypeError('fetch failed: ECONNRESET');
      if (mode === 'hang') {
        return new Promise<Response>((_, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        );
      }
      return telegram.fetch(input, init);
    }) as typeof globalThis.fetch;
    const { dispatcher } = dispatcherWith({ clock, fetch, timeoutSeconds: 1, maxAttempts: 3 });
    const who = await queueDigests(1, 'NET');
    clock.now = new Date();
    await dispatcher.runOnce();
    let row = await h.db.notification.findFirstOrThrow({ where: { telegramId: BigInt(who) } });
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.lastError).toContain('network');
    mode = 'hang';
    clock.now = row.nextAttemptAt;
    await dispatcher.runOnce();
    row = await h.db.notification.findFirstOrThrow({ where: { telegramId: BigInt(who) } });
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    mode = 'ok';
    clock.now = row.nextAttemptAt;
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 1 });
    expect(sends(telegram.calls)).toHaveLength(1);

    // Always failing: given up after maxAttempts, recorded as failed.
    mode = 'network';
    const other = await queueDigests(1, 'DOWN');
    clock.now = new Date();
    for (let i = 0; i < 3; i++) {
      await dispatcher.runOnce();
      const r = await h.db.notification.findFirstOrThrow({ where: { telegramId: BigInt(other) } });
      clock.now = new Date(Math.max(clock.now.getTime(), r.nextAttemptAt.getTime()));
    }
    const given = await h.db.notification.findFirstOrThrow({ where: { telegramId: BigInt(other) } });
    expect(given).toMatchObject({ status: 'failed', attempts: 3 });
    expect(given.lastError).toContain('gave up after 3 attempts');
  });

  it('403 marks the person unreachable; unblocking the bot queues their notifications again', async () => {
    const blocked = new Set<number>();
    const { dispatcher, calls } = dispatcherWith({
      fail: (call) =>
        blocked.has(Number(call.payload.chat_id))
          ? { error_code: 403, description: 'Forbidden: bot was blocked by the user' }
          : undefined,
    });
    const who = await queueDigests(1, 'BLK');
    blocked.add(who);
    expect(await dispatcher.runOnce()).toMatchObject({ unreachable: 1 });
    expect(
      (await h.db.telegramUser.findUniqueOrThrow({ where: { telegramId: BigInt(who) } })).unreachable,
    ).toBe(true);
    // The next one is not even tried.
    await queueDigests(1, 'BLK2', who);
    const before = calls.length;
    expect(await dispatcher.runOnce()).toMatchObject({ unreachable: 1 });
    expect(calls.length).toBe(before);
    expect(await statusOf(who)).toEqual(['unreachable', 'unreachable']);

    // They unblock the bot: Telegram sends my_chat_member "member".
    blocked.delete(who);
    await chatMember(h, h.user(who), 'member');
    expect(
      (await h.db.telegramUser.findUniqueOrThrow({ where: { telegramId: BigInt(who) } })).unreachable,
    ).toBe(false);
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 2 });
    expect(await statusOf(who)).toEqual(['sent', 'sent']);
  });

  it('"chat not found" is unreachable too; "kicked" marks the person at once', async () => {
    const { dispatcher } = dispatcherWith({
      fail: () => ({ error_code: 400, description: 'Bad Request: chat not found' }),
    });
    const who = await queueDigests(1, 'CNF');
    expect(await dispatcher.runOnce()).toMatchObject({ unreachable: 1 });
    const other = staffSeq++;
    await h.user(other).text('/help');
    await chatMember(h, h.user(other), 'kicked');
    expect(
      (await h.db.telegramUser.findUniqueOrThrow({ where: { telegramId: BigInt(other) } })).unreachable,
    ).toBe(true);
    expect(await statusOf(who)).toEqual(['unreachable']);
  });

  it('a department group that kicked the bot is unreachable: its post is not retried', async () => {
    const group = -1_009_876_543;
    const resident = h.user(63_003);
    await registerResident(resident);
    const { caseId } = await fileSuggestion(h, resident);
    const { department } = await h.db.case.findUniqueOrThrow({
      where: { id: caseId },
      select: { department: { select: { code: true } } },
    });
    await h.db.department.update({
      where: { code: department.code },
      data: { telegramGroupId: BigInt(group) },
    });
    try {
      await h.db.notification.create({
        data: { telegramId: BigInt(group), kind: 'group.new_case', payload: {}, caseId },
      });
      const { dispatcher, calls } = dispatcherWith({
        fail: (call) =>
          Number(call.payload.chat_id) === group
            ? { error_code: 403, description: 'Forbidden: bot was kicked from the supergroup chat' }
            : undefined,
      });
      expect(await dispatcher.runOnce()).toMatchObject({ unreachable: 1, retried: 0, failed: 0 });
      const post = await h.db.notification.findFirstOrThrow({ where: { telegramId: BigInt(group) } });
      expect(post).toMatchObject({ status: 'unreachable', attempts: 1 });
      expect(post.lastError).toBe('403 Forbidden: bot was kicked from the supergroup chat');
      expect(sends(calls).filter((c) => Number(c.payload.chat_id) === group)).toHaveLength(1);
      // Nothing is left to try again, later either.
      expect((await dispatcher.runOnce()).claimed).toBe(0);
    } finally {
      await h.db.department.update({ where: { code: department.code }, data: { telegramGroupId: null } });
    }
  });

  it('a dispatcher that died after claiming loses nothing: the rows come back when its lease ends', async () => {
    const clock = { now: new Date(0) };
    const { dispatcher, calls } = dispatcherWith({ clock, leaseMs: 60_000 });
    const who = await queueDigests(3, 'CRASH');
    clock.now = new Date();
    // The dead one: claimed the rows, then nothing (no send, no outcome).
    const claimed = await createNotificationRepository(h.db).claim(10, 60_000, clock.now);
    expect(claimed.filter((n) => n.telegramId === BigInt(who))).toHaveLength(3);
    expect((await dispatcher.runOnce()).claimed).toBe(0); // still leased
    clock.now = new Date(clock.now.getTime() + 61_000);
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 3, sent: 3 });
    expect(await statusOf(who)).toEqual(['sent', 'sent', 'sent']);
    // The dead one's late outcome is refused: its claim is not the current one.
    const late = claimed.find((n) => n.telegramId === BigInt(who));
    expect(
      late && (await createNotificationRepository(h.db).markFailed(late.id, late.claimToken, 'late')),
    ).toBe(false);
    expect(sends(calls)).toHaveLength(3);
  });

  it('stopping hands the rest of a batch back at once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const telegram = fakeTelegram();
    let first = true;
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      if (first) {
        first = false;
        await gate;
      }
      return telegram.fetch(input, init);
    }) as typeof globalThis.fetch;
    const { dispatcher } = dispatcherWith({ fetch, batchSize: 5 });
    const who = await queueDigests(5, 'STOP');
    dispatcher.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopping = dispatcher.stop();
    release();
    await stopping;
    const rows = await h.db.notification.findMany({ where: { telegramId: BigInt(who) } });
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(1);
    const rest = rows.filter((r) => r.status === 'pending');
    expect(rest).toHaveLength(4);
    expect(rest.every((r) => r.lockedUntil === null && r.claimToken === null)).toBe(true);
    const { dispatcher: next } = dispatcherWith({});
    expect(await next.runOnce()).toMatchObject({ sent: 4 });
  });

  it('three dispatchers at once over 300 notifications: each sent exactly once', async () => {
    const telegram = fakeTelegram();
    const slowFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
      return telegram.fetch(input, init);
    }) as typeof globalThis.fetch;
    const recipients: number[] = [];
    for (let r = 0; r < 10; r++) recipients.push(await queueDigests(30, `MANY${r}`));
    const dispatchers = [0, 1, 2].map(() => dispatcherWith({ fetch: slowFetch, batchSize: 7 }).dispatcher);
    const started = performance.now();
    for (const d of dispatchers) d.start();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const left = await h.db.notification.count({
        where: { telegramId: { in: recipients.map(BigInt) }, status: 'pending' },
      });
      if (left === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all(dispatchers.map((d) => d.stop()));
    const seconds = (performance.now() - started) / 1000;
    const texts = sends(telegram.calls).map((c) => String(c.payload.text));
    const numbers = texts.map((t) => /MANY\d+-\d+/.exec(t)?.[0]).filter((n) => n !== undefined);
    expect(numbers).toHaveLength(300);
    expect(new Set(numbers).size).toBe(300);
    const rows = await h.db.notification.findMany({ where: { telegramId: { in: recipients.map(BigInt) } } });
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    console.warn(`[measure] 3 dispatchers sent 300 notifications in ${seconds.toFixed(2)} s, none twice`);
  });

  it('a change that is rolled back notifies nobody; a refused one neither', async () => {
    const resident = h.user(63_001);
    await registerResident(resident);
    const { caseId } = await fileSuggestion(h, resident);
    const before = await h.db.notification.count();
    // The audit row cannot be written: the whole change is rolled back.
    await expect(
      createCaseRepository(h.db).transition({
        caseId,
        from: ['submitted'],
        to: 'rejected',
        event: {
          actorKind: 'staff',
          kind: 'rejected',
          noteCipher: h.cipher.encrypt('不办', piiAt.caseEventNote(caseId)),
        },
        notifications: [
          { telegramId: resident.id, kind: 'resident.rejected', payload: {}, withEventId: true },
        ],
        // An audit row without an action violates NOT NULL, after the event and the notification were written.
        audit: { action: null as unknown as string },
      }),
    ).rejects.toThrow();
    expect(await h.db.notification.count()).toBe(before);
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('submitted');
    expect(await h.db.caseEvent.count({ where: { caseId, kind: 'rejected' } })).toBe(0);
    // A staff member who does not hold the case: refused, nothing written for the resident.
    await makeStaff(h, 73_900, 'wanshan-neighbourhood');
    expect(await h.deps.staff.reply(73_900, caseId, '你好')).toEqual({ ok: false, error: 'not_allowed' });
    expect(await h.db.notification.count()).toBe(before);
  });

  it('speaks the recipient’s language', async () => {
    const resident = h.user(63_002);
    await registerResident(resident);
    await resident.press('lang:en');
    const { caseId, number } = await fileSuggestion(h, resident);
    await makeStaff(h, 73_901, 'wanshan-neighbourhood');
    expect((await h.deps.staff.take(73_901, caseId)).ok).toBe(true);
    const { dispatcher, calls } = dispatcherWith({});
    await dispatcher.runOnce();
    const text = String(sends(calls).find((c) => Number(c.payload.chat_id) === resident.id)?.payload.text);
    expect(text).toContain('Someone is working on your request');
    expect(text).toContain(number);
  });

  it('a follow-up that fails is logged; the outcome stands and the batch goes on', async () => {
    const staffId = await queueDigests(2, 'follow');
    const telegram = fakeTelegram();
    const store = createNotificationRepository(h.db);
    const lines: string[] = [];
    const followed: string[] = [];
    const dispatcher = createNotificationDispatcher({
      store,
      source: createNotificationSource({ store, cipher: h.cipher }),
      send: createNotificationSender(
        new Api(TEST_TOKEN, { fetch: telegram.fetch }),
        h.deps.translator,
        'zh-CN',
      ),
      logger: createLogger('warn', { write: (line: string) => lines.push(line) }),
      minIntervalMs: 0,
      afterRecorded: async (n) => {
        followed.push(n.kind);
        throw new Error('follow-up down');
      },
    });
    const counts = await dispatcher.runOnce();
    expect(counts.sent).toBe(2);
    expect(followed).toEqual(['staff.digest', 'staff.digest']);
    expect(sends(telegram.calls).filter((c) => Number(c.payload.chat_id) === staffId)).toHaveLength(2);
    const rows = await h.db.notification.findMany({ where: { telegramId: BigInt(staffId) } });
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(lines.filter((l) => l.includes('follow-up of a notification failed'))).toHaveLength(2);
  });

  it('backoff grows and is capped', () => {
    expect(retryDelayMs(1, 0.5)).toBe(10_000);
    expect(retryDelayMs(2, 0.5)).toBe(20_000);
    expect(retryDelayMs(30, 0.5)).toBe(3_600_000);
    expect(retryDelayMs(1, 0)).toBe(8_000);
    expect(retryDelayMs(1, 1)).toBe(12_000);
  });
});
