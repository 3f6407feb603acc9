// The notice sender against a fake Bot API over HTTP that enforces Telegram's limits and fails on
// purpose: every recipient reached once, 429 pauses, 403 / chat not found, 5xx and dropped connections,
// a crash in the middle, two instances at once, a clean stop.
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_SEND_ATTEMPTS } from '../../src/domain/notice.ts';
import { type FakeBotApi, startFakeBotApi } from '../support/fake-bot-api.ts';
import {
  ADMIN,
  countsOf,
  createNotice,
  createScene,
  finished,
  freezable,
  makeSender,
  residents,
  type Scene,
  seed,
  waitFor,
} from '../support/notice-scene.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function scene(): Promise<Scene> {
  const s = await createScene();
  cleanups.push(() => s.close());
  return s;
}

async function server(opts: Parameters<typeof startFakeBotApi>[0] = {}): Promise<FakeBotApi> {
  const api = await startFakeBotApi(opts);
  cleanups.push(() => api.close());
  return api;
}

/** Chats of residents (not the author) that got the notice, and how many times. */
function receivedBy(api: FakeBotApi): Map<number, number> {
  return new Map(
    [...api.accepted].filter(([chat]) => chat !== ADMIN).map(([chat, list]) => [chat, list.length]),
  );
}

describe('notice sender', () => {
  it('reaches everyone once, in their language; records 403, chat not found, 5xx, dropped connections and other errors', async () => {
    const s = await scene();
    const first = 20_001;
    const id = (n: number) => first + n;
    // 0: 502 once · 1: 500 always · 2: connection dropped once · 3: 400 other error · 4: blocked
    // 5: deactivated · 6: chat not found · 7: already known unreachable · 8: turned notices off · 9: English
    await seed(
      s,
      residents(s, 30, first, (i) => ({
        unreachable: i === 7,
        locale: i === 9 ? 'en' : null,
        languageCode: i === 10 ? 'en-GB' : 'zh-hans',
      })),
    );
    await s.service.setNoticesOff(id(8), true);
    const api = await server({
      blocked: [id(4)],
      deactivated: [id(5)],
      notFound: [id(6)],
      inject: ({ chatId, attempt }) => {
        if (chatId === id(0) && attempt === 1) return { status: 502, description: 'Bad Gateway' };
        if (chatId === id(1)) return { status: 500, description: 'Internal Server Error' };
        if (chatId === id(2) && attempt === 1) return 'drop';
        if (chatId === id(3)) return { status: 400, description: 'Bad Request: message is too long' };
        return 'ok';
      },
    });
    const noticeId = await createNotice(s, {
      textEn: 'No water tomorrow 9–11 am. Please store some water.',
    });
    const sender = makeSender(s.db, api.url);
    sender.start();
    cleanups.push(() => sender.stop());
    const done = await finished(s.db, noticeId);

    expect(done.recipientCount).toBe(29); // everyone but the one who turned ordinary notices off
    const counts = await countsOf(s.db, noticeId);
    expect(counts).toMatchObject({ delivered: 23, unreachable: 4, failed: 2, uncertain: 0, pending: 0 });
    expect(counts.delivered + counts.unreachable + counts.failed + counts.uncertain).toBe(29);

    const got = receivedBy(api);
    expect([...got.values()].every((n) => n === 1)).toBe(true);
    expect(got.size).toBe(23);
    for (const n of [0, 2, 9, 10, 29]) expect(got.get(id(n))).toBe(1);
    for (const n of [1, 3, 4, 5, 6, 7, 8]) expect(got.has(id(n))).toBe(false);
    const sends = (chat: number) =>
      api.requests.filter((r) => r.chatId === chat && r.method === 'sendMessage');
    expect(sends(id(0))).toHaveLength(2);
    expect(sends(id(1))).toHaveLength(MAX_SEND_ATTEMPTS);
    expect(sends(id(3))).toHaveLength(1);
    expect(sends(id(7))).toHaveLength(0); // known unreachable: not tried again
    expect(sends(id(8))).toHaveLength(0);

    // Each in their language: a stored choice, else the deployment's (whatever Telegram's language).
    expect(api.accepted.get(id(9))?.[0]?.text).toMatch(
      /^📢 Notice from Wangjia Community\n\nNo water tomorrow/,
    );
    expect(api.accepted.get(id(10))?.[0]?.text).toMatch(/^📢 旺家社区通知\n\n明天上午 9 点到 11 点停水/);
    expect(api.accepted.get(id(11))?.[0]?.text).toMatch(/^📢 旺家社区通知\n\n明天上午 9 点到 11 点停水/);

    const rows = await s.db.noticeDelivery.findMany({
      where: { noticeId, telegramId: { in: [id(1), id(3), id(4), id(6)].map(BigInt) } },
      select: { telegramId: true, status: true, lastError: true, attempts: true },
      orderBy: { telegramId: 'asc' },
    });
    expect(rows.map((r) => [r.status, r.lastError?.slice(0, 3), r.attempts])).toEqual([
      ['failed', '500', MAX_SEND_ATTEMPTS],
      ['failed', '400', 1],
      ['unreachable', '403', 1],
      ['unreachable', '400', 1],
    ]);
    const unreachableUsers = await s.db.telegramUser.findMany({
      where: { unreachable: true },
      select: { telegramId: true },
      orderBy: { telegramId: 'asc' },
    });
    expect(unreachableUsers.map((u) => Number(u.telegramId))).toEqual([id(4), id(5), id(6), id(7)]);

    // The author: a progress message, then the final report with the figures.
    const toAuthor = api.accepted.get(ADMIN) ?? [];
    expect(toAuthor[0]?.text).toContain('正在发送通知');
    expect(toAuthor.at(-1)?.text).toContain('一共 29 人');
    expect(toAuthor.at(-1)?.text).toContain('已送到 23 人');
    expect(toAuthor.at(-1)?.text).toContain('联系不上 4 人');
    expect(toAuthor.at(-1)?.text).toContain('没发成 2 人');
    expect(toAuthor.at(-1)?.text).not.toContain('不确定');
  });

  it('on 429 every send waits for retry_after; nobody is lost or sent twice', async () => {
    const s = await scene();
    await seed(s, residents(s, 24, 21_001));
    const api = await server({ perSecond: 6, retryAfterSeconds: 2 });
    const noticeId = await createNotice(s);
    const sender = makeSender(s.db, api.url, { rate: 30, progressEveryMs: 60_000 });
    sender.start();
    cleanups.push(() => sender.stop());
    await finished(s.db, noticeId);

    expect(await countsOf(s.db, noticeId)).toMatchObject({ delivered: 24, failed: 0, uncertain: 0 });
    const got = receivedBy(api);
    expect(got.size).toBe(24);
    expect([...got.values()].every((n) => n === 1)).toBe(true);

    // Telegram said "wait 2 s": after the answer reached the sender (allow what was already on the way),
    // no message went out until the 2 s had passed.
    const sends = api.requests.filter((r) => r.method === 'sendMessage' && r.chatId !== ADMIN);
    const floods = sends.filter(
      (r, i) => r.status === 429 && !sends.slice(0, i).some((p) => p.status === 429 && r.at - p.at < 2000),
    );
    expect(floods.length).toBeGreaterThan(0);
    for (const flood of floods) {
      const during = sends.filter((r) => r.at > flood.at + 300 && r.at < flood.at + 2000 - 50);
      expect(during).toEqual([]);
    }
  });

  it('after a crash mid-sending, a new sender resumes: the one in flight is uncertain, nobody else is repeated or skipped', async () => {
    for (const variant of ['deliver-then-hang', 'hang'] as const) {
      const s = await scene();
      const first = variant === 'hang' ? 23_001 : 22_001;
      await seed(
        s,
        residents(s, 40, first, (i) => ({ unreachable: i === 39 })),
      );
      let crashed = false;
      const victim = first + 12;
      const api = await server({
        blocked: [first + 5],
        inject: ({ chatId }) => {
          if (chatId !== victim || crashed) return 'ok';
          crashed = true; // the process dies while this request is on its way
          return variant;
        },
      });
      const noticeId = await createNotice(s);
      const dead = makeSender(s.db, api.url, {
        rate: 25,
        wrap: ({ store, transport }) => ({ store: freezable(store, () => crashed), transport }),
      });
      dead.start();
      await waitFor('the crash', async () => crashed);
      // What the dead process left: its claimed recipients, and one in flight.
      const left = await countsOf(s.db, noticeId);
      expect(left.sending).toBe(1);

      const next = makeSender(s.db, api.url, { rate: 25 });
      next.start();
      cleanups.push(() => next.stop());
      const done = await finished(s.db, noticeId);

      const counts = await countsOf(s.db, noticeId);
      expect(counts).toMatchObject({
        uncertain: 1,
        unreachable: 2,
        failed: 0,
        pending: 0,
        claimed: 0,
        sending: 0,
      });
      expect(counts.delivered + counts.unreachable + counts.failed + counts.uncertain).toBe(
        done.recipientCount,
      );
      expect(done.recipientCount).toBe(40);
      const uncertain = await s.db.noticeDelivery.findFirstOrThrow({
        where: { noticeId, status: 'uncertain' },
        select: { telegramId: true },
      });
      expect(Number(uncertain.telegramId)).toBe(victim);

      const got = receivedBy(api);
      expect(api.duplicates().filter((c) => c !== ADMIN)).toEqual([]);
      // Everyone reachable got it once; the one in flight got it only if Telegram had taken it.
      expect(got.size).toBe(variant === 'hang' ? 37 : 38);
      expect(got.has(victim)).toBe(variant === 'deliver-then-hang');
      const report = api.accepted.get(ADMIN)?.at(-1)?.text ?? '';
      expect(report).toContain('不确定 1 人');
      await next.stop();
    }
  });

  it('two senders at once share the work and send nothing twice', async () => {
    const s = await scene();
    await seed(s, residents(s, 150, 24_001));
    const api = await server();
    const noticeId = await createNotice(s, { important: true });
    const sentBy = [0, 0];
    const senders = [0, 1].map((n) =>
      makeSender(s.db, api.url, {
        rate: 25,
        wrap: ({ store, transport }) => ({
          store,
          transport: {
            async send(chatId, locale, notice) {
              const outcome = await transport.send(chatId, locale, notice);
              if (outcome.kind === 'delivered') sentBy[n] = (sentBy[n] ?? 0) + 1;
              return outcome;
            },
          },
        }),
      }),
    );
    for (const sender of senders) sender.start();
    cleanups.push(() => Promise.all(senders.map((x) => x.stop())));
    const done = await finished(s.db, noticeId);

    expect(done.recipientCount).toBe(150);
    expect(await countsOf(s.db, noticeId)).toMatchObject({ delivered: 150, uncertain: 0, failed: 0 });
    const got = receivedBy(api);
    expect(got.size).toBe(150);
    expect([...got.values()].every((n) => n === 1)).toBe(true);
    expect((sentBy[0] ?? 0) + (sentBy[1] ?? 0)).toBe(150);
    expect(sentBy[0]).toBeGreaterThan(0);
    expect(sentBy[1]).toBeGreaterThan(0);
    // Important: every message carries the read button of this notice.
    const markup = api.accepted.get(24_001)?.[0]?.replyMarkup as {
      inline_keyboard: { callback_data: string }[][];
    };
    expect(markup.inline_keyboard[0]?.[0]?.callback_data).toBe(`nt:read:${noticeId}`);
  });

  it('a clean stop leaves nothing claimed or in flight, and another sender finishes without repeats', async () => {
    const s = await scene();
    await seed(s, residents(s, 60, 25_001));
    const api = await server();
    const noticeId = await createNotice(s);
    const first = makeSender(s.db, api.url, { rate: 25 });
    first.start();
    await waitFor('some deliveries', async () => (await countsOf(s.db, noticeId)).delivered >= 10);
    await first.stop();
    const atStop = await countsOf(s.db, noticeId);
    expect(atStop.claimed + atStop.sending).toBe(0);
    expect(atStop.pending).toBeGreaterThan(0);

    const second = makeSender(s.db, api.url, { rate: 25 });
    second.start();
    cleanups.push(() => second.stop());
    await finished(s.db, noticeId);
    expect(await countsOf(s.db, noticeId)).toMatchObject({ delivered: 60, uncertain: 0 });
    expect(receivedBy(api).size).toBe(60);
    expect(api.duplicates().filter((c) => c !== ADMIN)).toEqual([]);
  });

  it('a slow database does not turn into a burst: never more than the rate in any second', async () => {
    const s = await scene();
    await seed(s, residents(s, 70, 27_001));
    const api = await server();
    const noticeId = await createNotice(s);
    const started: number[] = [];
    let calls = 0;
    const sender = makeSender(s.db, api.url, {
      rate: 25,
      wrap: ({ store, transport }) => ({
        store: {
          ...store,
          // Every tenth recipient waits 600 ms for the database: the ones after it pile up behind.
          markSending: async (...args: Parameters<typeof store.markSending>) => {
            if (++calls % 10 === 0) await new Promise((r) => setTimeout(r, 600));
            return store.markSending(...args);
          },
        },
        transport: {
          send(chatId, locale, notice) {
            started.push(Date.now());
            return transport.send(chatId, locale, notice);
          },
        },
      }),
    });
    sender.start();
    cleanups.push(() => sender.stop());
    await finished(s.db, noticeId);
    expect(await countsOf(s.db, noticeId)).toMatchObject({ delivered: 70, uncertain: 0 });
    started.sort((a, b) => a - b);
    // Any 26 consecutive requests span at least a second (a millisecond of timer rounding allowed).
    for (let i = 0; i + 25 < started.length; i++)
      expect((started[i + 25] ?? 0) - (started[i] ?? 0)).toBeGreaterThanOrEqual(999);
  });

  it('two notices to the same people at once: never two messages to one chat within a second', async () => {
    const s = await scene();
    await seed(s, residents(s, 6, 26_001));
    const api = await server();
    const a = await createNotice(s, { textZh: '第一条通知' });
    const b = await createNotice(s, { textZh: '第二条通知' });
    const sender = makeSender(s.db, api.url, { rate: 25 });
    sender.start();
    cleanups.push(() => sender.stop());
    await finished(s.db, a);
    await finished(s.db, b);
    const rows = await s.db.noticeDelivery.findMany({
      where: { noticeId: { in: [a, b] } },
      select: { telegramId: true, sentAt: true, status: true },
    });
    expect(rows.every((r) => r.status === 'delivered')).toBe(true);
    for (let chat = 26_001; chat <= 26_006; chat++) {
      const list = api.accepted.get(chat) ?? [];
      expect(list.map((m) => m.text.split('\n\n')[1]).sort()).toEqual(['第一条通知', '第二条通知']);
      // When each request started, by the database's clock: a second apart at least.
      const [t1, t2] = rows
        .filter((r) => Number(r.telegramId) === chat)
        .map((r) => r.sentAt?.getTime() ?? 0)
        .sort((x, y) => x - y);
      expect((t2 ?? 0) - (t1 ?? 0)).toBeGreaterThanOrEqual(1000);
    }
  });
});
