// Community notices: 3,000 recipients through a fake Bot API server that enforces Telegram's limits (30
// messages a second for the bot, one a second per chat, 429 with retry_after) and fails on purpose (403
// blocked, 400 chat not found, 5xx and dropped connections on a first attempt). The sender runs as a
// process of its own (bench/notice-child.ts, built like main.ts builds it): once undisturbed, once
// SIGKILLed half-way and started again. Measured: the send rate against the configured one, duplicates
// and lost recipients (from what the fake server accepted), and the reconciliation of the delivery table.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createNoticeService } from '../src/app/notices.ts';
import { createDb, type Db } from '../src/db/client.ts';
import { loadReferenceData, readReferenceData } from '../src/db/reference-data.ts';
import { createNoticeRepository } from '../src/db/repositories/notices.ts';
import { createCatalogue, DEFAULT_SERVICES } from '../src/domain/catalogue/index.ts';
import { DEFAULT_NOTICE_RATE, type DeliveryCounts, emptyCounts } from '../src/domain/notice.ts';
import { type FakeBotApi, type Injection, startFakeBotApi } from '../test/support/fake-bot-api.ts';
import { buildingsOf, seedResidents } from '../test/support/seed-residents.ts';
import type { BenchContext } from './support/runner.ts';
import { table, verdict } from './support/stats.ts';

const RECIPIENTS = 3000;
const FIRST_ID = 500_000;
const AUTHOR = 499_999;
const COMMUNITY = 'wanshan-wangjia';
const RATE = DEFAULT_NOTICE_RATE;
const root = path.resolve(import.meta.dirname, '..');

/** Which residents Telegram refuses, and which requests fail once (the same in both runs). */
const blocked = (n: number) => n % 100 === 7; // 30: 403 blocked
const notFound = (n: number) => n % 300 === 11; // 10: 400 chat not found
const fails5xx = (n: number) => n % 50 === 3; // 60: 502 on the first attempt
const drops = (n: number) => n % 100 === 29; // 30: connection dropped on the first attempt
const reachable = (n: number) => !blocked(n) && !notFound(n);

function inject({ chatId, attempt }: { chatId: number; attempt: number }): Injection {
  const n = chatId - FIRST_ID;
  if (n < 0 || attempt > 1) return 'ok';
  if (fails5xx(n)) return { status: 502, description: 'Bad Gateway' };
  if (drops(n)) return 'drop';
  return 'ok';
}

type Mode = 'undisturbed' | 'killed' | 'killed-in-flight';
const MODE_NAMES: Record<Mode, string> = {
  undisturbed: 'undisturbed',
  killed: 'SIGKILL half-way (between requests, as it fell), then a new sender',
  'killed-in-flight': 'SIGKILL half-way while a request is in flight, then a new sender',
};

interface Run {
  name: string;
  counts: DeliveryCounts;
  recipients: number;
  duplicates: number;
  lost: number;
  /** Send requests Telegram processed (not refused with 429), per second of sending. */
  requestRate: number;
  deliveredRate: number;
  tooMany: number;
  sendingSeconds: number;
  wallSeconds: number;
  killedAt?: number;
}

function child(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/notice-child.ts')], {
    cwd: root,
    // The notice's author is an administrator: the sender re-checks the author when the notice starts.
    env: { ...process.env, ADMIN_TELEGRAM_IDS: String(AUTHOR), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

const exited = (p: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) resolve(p.exitCode);
    else p.once('exit', (code) => resolve(code));
  });

async function prepare(
  ctx: BenchContext,
): Promise<{ db: Db; url: string; drop(): Promise<void>; id: string }> {
  const database = await (await ctx.server()).createDatabase();
  const db = createDb(database.url, { poolSize: 4 });
  await loadReferenceData(db, await readReferenceData(path.join(root, 'reference/tongren.json')));
  const buildings = await buildingsOf(db, COMMUNITY);
  await seedResidents(
    db,
    COMMUNITY,
    Array.from({ length: RECIPIENTS }, (_, n) => ({
      telegramId: FIRST_ID + n,
      buildingId: (buildings[n % buildings.length] as { id: string }).id,
      locale: n % 10 === 0 ? ('en' as const) : null,
    })),
  );
  const service = createNoticeService({
    store: createNoticeRepository(db),
    catalogue: createCatalogue(DEFAULT_SERVICES),
    adminTelegramIds: [AUTHOR],
    now: () => new Date(),
  });
  const created = await service.create(
    { telegramId: AUTHOR, chatId: AUTHOR, locale: 'zh-CN' },
    {
      communityCode: COMMUNITY,
      textZh: '明天上午 9 点到 11 点全社区停水，请提前接好水。',
      textEn: 'No water in the whole community tomorrow 9–11 am. Please store some water.',
      photoFileId: null,
      audience: { kind: 'community' },
      important: true,
      scheduledAt: null,
    },
    `bench:${Date.now()}`,
  );
  if (!created.ok) throw new Error(`could not create the notice: ${created.error}`);
  return {
    db,
    url: database.url,
    id: created.value.id,
    async drop() {
      await db.$disconnect();
      await database.drop();
    },
  };
}

async function countsOf(db: Db, noticeId: string): Promise<DeliveryCounts> {
  const rows = await db.noticeDelivery.groupBy({
    by: ['status'],
    where: { noticeId },
    _count: { _all: true },
  });
  const counts = emptyCounts();
  for (const r of rows) counts[r.status] = r._count._all;
  return counts;
}

/** Send requests to recipients that Telegram processed, by arrival time, in [from, to). */
function processed(api: FakeBotApi, from = 0, to = Number.POSITIVE_INFINITY) {
  return api.requests.filter(
    (r) => r.chatId !== AUTHOR && r.method === 'sendMessage' && r.status !== 429 && r.at >= from && r.at < to,
  );
}

function ratePerSecond(list: { at: number }[]): { rate: number; seconds: number } {
  if (list.length < 2) return { rate: 0, seconds: 0 };
  const first = list[0]?.at ?? 0;
  const last = list.at(-1)?.at ?? 0;
  const seconds = (last - first) / 1000;
  // n requests span n − 1 intervals.
  return { rate: (list.length - 1) / seconds, seconds };
}

async function measure(ctx: BenchContext, mode: Mode): Promise<Run> {
  const kill = mode !== 'undisturbed';
  // killed-in-flight: the server takes the half-way request, delivers it and never answers; the process is
  // killed while it waits for the answer.
  let sends = 0;
  let hung = false;
  const api = await startFakeBotApi({
    perSecond: 30,
    perChatIntervalMs: 1000,
    retryAfterSeconds: 1,
    blocked: Array.from({ length: RECIPIENTS }, (_, n) => n)
      .filter(blocked)
      .map((n) => FIRST_ID + n),
    notFound: Array.from({ length: RECIPIENTS }, (_, n) => n)
      .filter(notFound)
      .map((n) => FIRST_ID + n),
    inject: (req) => {
      const injected = inject(req);
      if (mode !== 'killed-in-flight' || req.method !== 'sendMessage' || req.chatId === AUTHOR)
        return injected;
      sends++;
      if (injected !== 'ok' || hung || sends < RECIPIENTS / 2 || !reachable(req.chatId - FIRST_ID))
        return injected;
      hung = true;
      return 'deliver-then-hang';
    },
  });
  const scene = await prepare(ctx);
  try {
    const env = { DATABASE_URL: scene.url, API_ROOT: api.url, NOTICE_ID: scene.id, RATE: String(RATE) };
    const started = Date.now();
    let killedAt: number | undefined;
    let restartedAt: number | undefined;
    let sender = child(env);
    if (kill) {
      while (mode === 'killed' ? processed(api).length < RECIPIENTS / 2 : !hung) {
        if (sender.exitCode !== null) throw new Error('the sender ended before it could be killed');
        await sleep(5);
      }
      sender.kill('SIGKILL');
      await exited(sender);
      killedAt = Date.now();
      ctx.log(`notice: SIGKILL after ${processed(api).length} requests; starting a new sender`);
      sender = child(env);
      restartedAt = Date.now();
    }
    const code = await exited(sender);
    if (code !== 0) throw new Error(`the sender exited with ${code}`);
    const wallSeconds = (Date.now() - started) / 1000;

    const counts = await countsOf(scene.db, scene.id);
    const notice = await scene.db.notice.findUniqueOrThrow({ where: { id: scene.id } });
    const got = (n: number) => api.accepted.get(FIRST_ID + n)?.length ?? 0;
    const all = Array.from({ length: RECIPIENTS }, (_, n) => n);
    const duplicates = all.filter((n) => got(n) > 1).length;
    const lost = all.filter((n) => reachable(n) && got(n) === 0).length;
    // The sending time of each process, without the gap between the kill and the new process's first send.
    const spans = kill
      ? [ratePerSecond(processed(api, 0, killedAt)), ratePerSecond(processed(api, restartedAt))]
      : [ratePerSecond(processed(api))];
    const requests = spans.reduce((sum, s) => sum + s.rate * s.seconds, 0);
    const seconds = spans.reduce((sum, s) => sum + s.seconds, 0);
    const delivered = counts.delivered;
    return {
      name: MODE_NAMES[mode],
      counts,
      recipients: notice.recipientCount,
      duplicates,
      lost,
      requestRate: requests / seconds,
      deliveredRate: delivered / seconds,
      tooMany: api.requests.filter((r) => r.status === 429 && r.chatId !== AUTHOR).length,
      sendingSeconds: seconds,
      wallSeconds,
      killedAt: killedAt === undefined ? undefined : (killedAt - started) / 1000,
    };
  } finally {
    await api.close();
    await scene.drop();
  }
}

export async function run(ctx: BenchContext): Promise<string> {
  const runs: Run[] = [];
  for (const mode of ['undisturbed', 'killed', 'killed-in-flight'] as const) {
    ctx.log(`notice: ${RECIPIENTS} recipients, ${mode}`);
    runs.push(await measure(ctx, mode));
  }
  const f1 = (n: number) => n.toFixed(1);
  const rows = runs.map((r) => {
    const c = r.counts;
    const sum = c.delivered + c.unreachable + c.failed + c.uncertain;
    return [
      r.name,
      `${f1(r.requestRate)}/s of ${RATE}/s = ${(r.requestRate / RATE).toFixed(3)}`,
      `${f1(r.deliveredRate)}/s`,
      r.duplicates,
      r.lost,
      c.uncertain,
      `${c.delivered} + ${c.unreachable} + ${c.failed} + ${c.uncertain} = ${sum} of ${r.recipients}` +
        (c.pending + c.claimed + c.sending > 0 ? ` (${c.pending + c.claimed + c.sending} left!)` : ''),
      r.tooMany,
      `${f1(r.sendingSeconds)} s sending, ${f1(r.wallSeconds)} s in all${r.killedAt ? ` (killed at ${f1(r.killedAt)} s)` : ''}`,
    ];
  });
  const worst = Math.min(...runs.map((r) => r.requestRate / RATE));
  const dup = Math.max(...runs.map((r) => r.duplicates));
  const lost = Math.max(...runs.map((r) => r.lost));
  return [
    `${RECIPIENTS} recipients of one important notice (every tenth in English) through a local fake Bot API`,
    '(test/support/fake-bot-api.ts) that allows 30 messages in any one second and one a second per chat, and',
    'otherwise answers 429 with `retry_after: 1` and refuses everything for that second. It refuses 30 residents',
    'with 403 (blocked) and 10 with 400 (chat not found), answers 60 first attempts with 502 and drops the',
    'connection of 30 first attempts. The sender is bench/notice-child.ts, a process of its own built',
    'through compose.ts like main.ts builds it (production leases: a dead process\u2019s claimed recipients',
    'return after 60 s), at the default rate of 25 messages a second.',
    '',
    table(
      [
        'run',
        'send requests processed (configured limit)',
        'delivered',
        'duplicates',
        'lost',
        'uncertain',
        'delivered + unreachable + failed + uncertain',
        '429s',
        'time',
      ],
      rows,
    ),
    '',
    `- Rate: goal ≥ 0.95 of the configured limit — ${verdict(worst, 0.95, '')} (worst run ${worst.toFixed(3)}).`,
    '  Counted: requests to recipients that Telegram processed (5xx, 403 and 400 answers included: Telegram',
    '  counts them too), from the first to the last, per sender process (the restart gap is left out and',
    '  shown in the time column). "Delivered" is per second of the same span.',
    '- The processes: the first is killed once the fake server has processed 1,500 requests (then whatever was',
    '  in flight at that moment is uncertain: usually nothing, as a local request takes a millisecond of the',
    '  40 between two sends), or, in the third run, while the server holds the 1,500th request unanswered',
    '  (it was delivered): that recipient must end uncertain, and nobody may get it twice.',
    `- Duplicates (a resident who got it twice, by what the server accepted): goal 0 — ${verdict(dup, 0, '', true)}.`,
    `- Lost (a reachable resident who never got it): goal 0 — ${verdict(lost, 0, '', true)}. An uncertain`,
    '  recipient is one whose request was in flight when the process was killed: never sent again; it counts',
    '  as lost here only if the server had not received it.',
    '- 2 CPU cores, shared with the other engineers\u2019 test runs and builds while measured (see the load',
    '  average above): the fake server, PostgreSQL and the sender all run on them.',
  ].join('\n');
}
