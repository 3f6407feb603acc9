// What a resident feels through `npm start`: the bot as a black box — the built bot process exactly as
// `npm start` runs it, talking to a fake Telegram over HTTP on 127.0.0.1 (bench/support/fake-telegram.ts:
// getUpdates long polling, or webhook POSTs as Telegram sends them, and every other Bot API method),
// residents who register by watching the Bot API calls the bot makes for their chat
// (bench/support/blackbox-residents.ts). Nothing inside the bot is read except /proc for its CPU time and,
// once, a CPU profile.
//   1. Polling, one instance, no DATABASE_URL (its own embedded PostgreSQL under a scratch DATA_DIR): 1,000
//      residents registering at once, each sending its next update as soon as the reply came (closed loop).
//   2. The same process, updates offered at a fixed 250 a second (open loop): the latency at that rate.
//   3. A second process under `node --cpu-prof`: where its time goes, by package, during a closed loop.
//   4. Webhook mode: one instance, then two on one PostgreSQL, updates delivered as Telegram delivers them.
//   5. The naive peer (bench/naive-peer/main.ts) on the same harness, polling.
//   6. State growth (in-process, bench/support/our-bot.ts): the CPU of an update at the ID-number step after
//      0, 50 and 150 wrong answers there.
import fs from 'node:fs/promises';
import path from 'node:path';
import { startCommand } from '../scripts/build.mjs';
import { E2E_TOKEN, WEBHOOK_SECRET, type WebhookInstance } from '../test/e2e/webhook-support.ts';
import { NAIVE_TABLES } from './naive-peer/client.ts';
import {
  type PollingBot,
  Started,
  startNaivePeer,
  startPollingBot,
  startWebhookBot,
} from './support/blackbox-bots.ts';
import { type Figures, figuresOf, limitedBy, measure, type Phase } from './support/blackbox-figures.ts';
import {
  GROWTH_MEASURED,
  GROWTH_PROFILED,
  type GrowthPoint,
  NONSENSE,
  stateGrowth,
} from './support/blackbox-growth.ts';
import { closedLoop, openLoop, Resident, residentScript } from './support/blackbox-residents.ts';
import {
  COST_HEAD,
  cores,
  costRow,
  LATENCY_HEAD,
  latencyRow,
  methodsLine,
  n,
  profileTable,
  stalledLine,
  topOf,
} from './support/blackbox-tables.ts';
import { type FakeTelegram, startFakeTelegram } from './support/fake-telegram.ts';
import { type BenchDatabase, query } from './support/postgres.ts';
import { hrtimeUs, type ProfileSummary, readCpuProfile, summariseProfile } from './support/profile.ts';
import { idNumberFor, registrationSteps } from './support/residents.ts';
import type { BenchContext } from './support/runner.ts';
import { ms, percentile, table, verdict } from './support/stats.ts';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const RESIDENTS = Math.max(10, Math.round(1_000 * SCALE));
const WARMUP_RESIDENTS = Math.max(10, Math.round(RESIDENTS / 20));
const PROFILED_RESIDENTS = Math.max(10, Math.round(RESIDENTS * 0.3));
const STEPS = registrationSteps('').length;
/** A resident who waits this long for a reply has stalled (and stops). */
const STALL_MS = 30_000;
const OPEN_RATE = 250;
const OPEN_SECONDS = Math.max(4, Math.round(20 * SCALE));
/** setWebhook's max_connections: Telegram allows 1–100 (default 40). */
const MAX_CONNECTIONS = 100;
const GROWTH_RESIDENTS = Math.max(5, Math.round(10 * SCALE));
const RETRY_PAUSE_MS = 50;
const GOAL_RATE = 500;
const GOAL_SPEEDUP = 1.6;
const GOAL_P95_MS = 1_000;

const START_LINE = await (async () => {
  const start = await startCommand();
  const env = Object.entries(start.env).map(([k, v]) => `${k}=${v} `);
  return `${env.join('')}node ${[...start.nodeArgs, start.script].join(' ')}`;
})();

const POLLING_TOKEN = '123456789:AAblackbox-token-for-the-polling-bot-x';
const NAIVE_TOKEN = '123456789:AAblackbox-token-for-the-naive-peer-xx';

let nextResident = 700_000_000;
const makeResident = (tg: FakeTelegram) => {
  const id = nextResident++;
  return new Resident(tg, id, residentScript(idNumberFor(id - 700_000_000)));
};
const residents = (tg: FakeTelegram, n: number) => Array.from({ length: n }, () => makeResident(tg));
const pidOf = (p: { child: { pid?: number } }) => p.child.pid ?? 0;

/** How many of the residents of `phases` who were told they are registered have their registration stored. */
async function stored(url: string, sql: string, phases: Phase[]): Promise<number> {
  const ids = phases.flatMap((p) => p.walked.residents.filter((r) => r.finished).map((r) => r.id));
  return Number((await query(url, sql, [ids])).rows[0].n);
}
const HOUSEHOLDS = 'select count(*)::int as n from resident where telegram_id = any($1::bigint[])';
const REGISTRATIONS =
  'select count(distinct chat_id)::int as n from registration where chat_id = any($1::bigint[])';

interface PollingResult {
  startSeconds: number;
  closed: Phase;
  open: Phase;
  profiled: Phase;
  profile: ProfileSummary;
  storedCount: number;
  unknown: string[];
}

async function pollingRuns(
  ctx: BenchContext,
  started: Started,
  fakes: FakeTelegram[],
): Promise<PollingResult> {
  const tg = await startFakeTelegram(POLLING_TOKEN);
  fakes.push(tg);
  const dataDir = await started.folder('bianmin-blackbox-data-');
  ctx.log('blackbox: npm start, polling, no DATABASE_URL (initdb, migrations, reference data)');
  const t0 = performance.now();
  const bot: PollingBot = await startPollingBot(started, { apiRoot: tg.url, token: POLLING_TOKEN, dataDir });
  const startSeconds = (performance.now() - t0) / 1000;
  const pids = [pidOf(bot.process)];
  await closedLoop(residents(tg, WARMUP_RESIDENTS), STALL_MS);
  ctx.log(`blackbox: polling, ${RESIDENTS} residents at once`);
  const bots = { pids, metricsUrls: [bot.metricsUrl] };
  const closed = await measure('polling', tg, bots, () => closedLoop(residents(tg, RESIDENTS), STALL_MS));
  ctx.log(`blackbox: polling, ${figuresOf(closed).rate.toFixed(0)} updates/s; now ${OPEN_RATE}/s offered`);
  const open = await measure('open', tg, bots, () =>
    openLoop({
      rate: OPEN_RATE,
      durationMs: OPEN_SECONDS * 1000,
      stallMs: STALL_MS,
      newResident: () => makeResident(tg),
    }),
  );
  const storedCount = await stored(bot.databaseUrl(), HOUSEHOLDS, [closed, open]);
  await started.stop(bot.process);

  ctx.log('blackbox: polling again, under the CPU profiler');
  const profDir = await started.folder('bianmin-blackbox-prof-');
  const profiledBot = await startPollingBot(started, {
    apiRoot: tg.url,
    token: POLLING_TOKEN,
    dataDir,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
  });
  await closedLoop(residents(tg, WARMUP_RESIDENTS), STALL_MS);
  const from = hrtimeUs();
  const profiled = await measure('profiled', tg, { pids: [pidOf(profiledBot.process)] }, () =>
    closedLoop(residents(tg, PROFILED_RESIDENTS), STALL_MS),
  );
  const to = hrtimeUs();
  await started.stop(profiledBot.process);
  const file = (await fs.readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`the profiled bot wrote no profile into ${profDir}`);
  // BENCH_KEEP_PROFILE=<folder>: keep the profile there for a closer look (Chrome DevTools opens it).
  if (process.env.BENCH_KEEP_PROFILE) {
    await fs.cp(
      path.join(profDir, file),
      path.join(process.env.BENCH_KEEP_PROFILE, 'blackbox-polling.cpuprofile'),
    );
  }
  const profile = summariseProfile(readCpuProfile(path.join(profDir, file)), { from, to });
  return { startSeconds, closed, open, profiled, profile, storedCount, unknown: [...tg.unknown] };
}

interface WebhookResult {
  one: Phase;
  two: Phase;
  storedCount: number;
  errors: number;
}

async function webhookRuns(
  ctx: BenchContext,
  started: Started,
  fakes: FakeTelegram[],
  database: BenchDatabase,
): Promise<WebhookResult> {
  const tg = await startFakeTelegram(E2E_TOKEN);
  fakes.push(tg);
  ctx.log('blackbox: two webhook instances on one database');
  const a = await startWebhookBot(started, { apiRoot: tg.url, databaseUrl: database.url });
  const b = await startWebhookBot(started, { apiRoot: tg.url, databaseUrl: database.url });
  const deliverTo = (instances: WebhookInstance[]) =>
    tg.deliverByWebhook({
      urls: instances.map((i) => i.url),
      secret: WEBHOOK_SECRET,
      maxConnections: MAX_CONNECTIONS,
      retryPauseMs: RETRY_PAUSE_MS,
    });
  deliverTo([a, b]);
  await closedLoop(residents(tg, WARMUP_RESIDENTS), STALL_MS);
  deliverTo([a]);
  ctx.log(`blackbox: webhook, one instance, ${RESIDENTS} residents at once`);
  const metrics = (i: WebhookInstance) => i.metricsUrl ?? `http://127.0.0.1:${i.port}/metrics`;
  const one = await measure('one', tg, { pids: [pidOf(a.process)], metricsUrls: [metrics(a)] }, () =>
    closedLoop(residents(tg, RESIDENTS), STALL_MS),
  );
  deliverTo([a, b]);
  ctx.log(`blackbox: webhook, ${figuresOf(one).rate.toFixed(0)} updates/s; now two instances`);
  const both = { pids: [pidOf(a.process), pidOf(b.process)], metricsUrls: [metrics(a), metrics(b)] };
  const two = await measure('two', tg, both, () => closedLoop(residents(tg, RESIDENTS), STALL_MS));
  const storedCount = await stored(database.url, HOUSEHOLDS, [one, two]);
  const errors = [a, b].flatMap((i) => i.process.logs().filter((l) => l.level >= 50)).length;
  for (const i of [a, b]) await started.stop(i.process);
  return { one, two, storedCount, errors };
}

async function naiveRun(
  ctx: BenchContext,
  started: Started,
  fakes: FakeTelegram[],
  database: BenchDatabase,
): Promise<{ phase: Phase; storedCount: number }> {
  await query(database.url, NAIVE_TABLES);
  const tg = await startFakeTelegram(NAIVE_TOKEN);
  fakes.push(tg);
  ctx.log('blackbox: the naive peer, polling');
  const peer = await startNaivePeer(started, {
    apiRoot: tg.url,
    token: NAIVE_TOKEN,
    databaseUrl: database.url,
  });
  await closedLoop(residents(tg, WARMUP_RESIDENTS), STALL_MS);
  const phase = await measure('naive', tg, { pids: [pidOf(peer)] }, () =>
    closedLoop(residents(tg, RESIDENTS), STALL_MS),
  );
  const storedCount = await stored(database.url, REGISTRATIONS, [phase]);
  await started.stop(peer);
  return { phase, storedCount };
}

export async function run(ctx: BenchContext): Promise<string> {
  const started = new Started();
  const fakes: FakeTelegram[] = [];
  const databases: BenchDatabase[] = [];
  try {
    const polling = await pollingRuns(ctx, started, fakes);
    const server = await ctx.server();
    const hookDb = await server.createDatabase();
    databases.push(hookDb);
    const hooks = await webhookRuns(ctx, started, fakes, hookDb);
    const naiveDb = await server.createDatabase({ migrated: false });
    databases.push(naiveDb);
    const naive = await naiveRun(ctx, started, fakes, naiveDb);
    const growthDb = await server.createDatabase();
    databases.push(growthDb);
    const growth = await stateGrowth(ctx, growthDb, GROWTH_RESIDENTS);
    return report(polling, hooks, naive, growth);
  } finally {
    await started.cleanUp();
    for (const tg of fakes) await tg.close();
    for (const d of databases) await d.drop();
  }
}

function report(
  polling: PollingResult,
  hooks: WebhookResult,
  naive: { phase: Phase; storedCount: number },
  growth: { points: GrowthPoint[]; finished: number },
): string {
  const closed = figuresOf(polling.closed);
  const open = figuresOf(polling.open);
  const profiled = figuresOf(polling.profiled);
  const one = figuresOf(hooks.one);
  const two = figuresOf(hooks.two);
  const peer = figuresOf(naive.phase);
  const labelled: [string, Figures][] = [
    ['polling', closed],
    [`${OPEN_RATE}/s offered`, open],
    ['profiled', profiled],
    ['one webhook instance', one],
    ['two webhook instances', two],
    ['naive peer', peer],
  ];
  const stalled = labelled.reduce((s, [, f]) => s + f.stalled.length, 0);
  const bianminFinished = closed.finished + open.finished;
  const lost =
    bianminFinished -
    polling.storedCount +
    (one.finished + two.finished - hooks.storedCount) +
    (peer.finished - naive.storedCount);
  const speedup = two.rate / one.rate;
  const openP95 = percentile(open.first, 95);
  const answers = [...hooks.one.answers, ...hooks.two.answers].reduce(
    (m, [k, v]) => m.set(k, (m.get(k) ?? 0) + v),
    new Map<string, number>(),
  );
  const g0 = growth.points[0] as GrowthPoint;
  const gLast = growth.points.at(-1) as GrowthPoint;
  const loops = [polling.closed, polling.open, hooks.one, hooks.two, naive.phase];
  const worstLoop = Math.max(...loops.map((p) => p.loopDelay.p99));
  const batch = polling.closed.polling;

  return [
    ...(SCALE === 1
      ? []
      : [
          `**BENCH_SCALE=${SCALE}**: ${n(RESIDENTS)} residents instead of 1,000, a try at a smaller size.`,
          '',
        ]),
    `The bot as \`npm start\` runs it (\`${START_LINE}\`, after the build of scripts/build.mjs; flags and ` +
      'environment read from package.json), against a fake Telegram over HTTP on 127.0.0.1 ' +
      '(bench/support/fake-telegram.ts): getUpdates long polling (offset confirms, `timeout` held, at most 100 a ' +
      "batch) or webhook delivery as Telegram does it (the secret header; a chat's next update only after its " +
      `previous one was answered 2xx; anything else delivered again after ${RETRY_PAUSE_MS} ms; at most ` +
      `${MAX_CONNECTIONS} requests at once — setWebhook's max_connections — spread over the instances in turn), ` +
      'every other method answered at once, no rate limits. Simulated residents (bench/support/blackbox-residents.ts) ' +
      `register, ${STEPS} updates each (/start, taps, texts), each sent as soon as the reply that makes the next ` +
      "button or question available has reached the fake Bot API; they never look at a webhook's HTTP answer.",
    '',
    '**First answer**: from the moment an update is offered (queued for getUpdates, or handed to the webhook ' +
      "deliverer) to the bot's first Bot API call for that chat after the update reached it (a spinner stopped, " +
      'a message). **Next question**: to the call that lets the resident go on. **Waiting for delivery**: offered → ' +
      'returned by getUpdates or POSTed; **delivered → first answer**: the rest. CPU from /proc (user + system): the ' +
      'bot process itself, PostgreSQL (every postgres process below the benchmark), the harness (this process: the ' +
      'fake Telegram and the residents). DB requests waiting: the bot\'s `bianmin_db_pool_connections{state="waiting"}`, ' +
      'read from its /metrics twice a second.',
    '',
    `**Capacity: ${n(RESIDENTS)} residents registering at once** (closed loop), after a warm-up of ` +
      `${WARMUP_RESIDENTS}. Polling: no DATABASE_URL, so the bot runs its own embedded PostgreSQL under a scratch ` +
      `DATA_DIR (start to "long polling started": ${polling.startSeconds.toFixed(1)} s, initdb and migrations ` +
      'included); METRICS_PORT set for /metrics. Webhook: two processes (BOT_MODE=webhook, own ports, one PostgreSQL — the ' +
      "benchmark server's — one PII_KEY), first one alone, then both. The naive peer (bench/naive-peer: grammY, the " +
      'conversations plugin, its state through @grammyjs/storage-prisma, `run(bot)` of @grammyjs/runner with ' +
      "`sequentialize` by chat; bundled and run with npm start's flags) polls a fake Telegram of its own, its " +
      'tables on the benchmark server.',
    '',
    table(LATENCY_HEAD, [
      latencyRow('Bianmin, polling (npm start)', closed),
      latencyRow('Bianmin, webhook, one instance', one),
      latencyRow('Bianmin, webhook, two instances', two),
      latencyRow('naive peer, polling', peer),
    ]),
    '',
    table(COST_HEAD, [
      costRow('Bianmin, polling (npm start)', closed),
      costRow('Bianmin, webhook, one instance', one),
      costRow('Bianmin, webhook, two instances', two),
      costRow('naive peer, polling', peer),
    ]),
    '',
    `**Latency at ${OPEN_RATE} updates/s offered** (open loop, the same polling process after the capacity run): ` +
      `for ${OPEN_SECONDS} s an update every ${(1000 / OPEN_RATE).toFixed(0)} ms, each from the resident whose ` +
      'reply came longest ago, or from a new resident when none is waiting, so the rate offered does not depend ' +
      `on how fast the bot answers (${(polling.open.walked.offeredRate ?? 0).toFixed(0)}/s offered); then the ` +
      'answers to all of it awaited. The rate is over that whole time.',
    '',
    table(LATENCY_HEAD, [latencyRow(`${OPEN_RATE}/s offered`, open, `${open.rate.toFixed(0)}`)]),
    '',
    table(COST_HEAD, [costRow(`${OPEN_RATE}/s offered`, open)]),
    '',
    `**Where the bot's time goes** — a second polling process on the same data folder, started the same way ` +
      `with \`--cpu-prof\` added, ${n(PROFILED_RESIDENTS)} residents at once; self time of the samples taken ` +
      `while they registered (${n(profiled.updates)} updates at ${profiled.rate.toFixed(0)}/s, ` +
      `${profiled.botMs[0]?.toFixed(2)} ms of CPU per update with the profiler on), by package, by folder of ` +
      "src/ (found by the bundle's `// src/…` markers) and the VM's own entries:",
    '',
    profileTable(polling.profile, profiled.updates),
    '',
    `**State growth** (in-process, like bench/forms.ts: the bot built as main.ts builds it over the benchmark ` +
      `server, a fake \`fetch\`; the flood limit lifted): ${GROWTH_RESIDENTS} residents at the ID-number step, ` +
      `the CPU of ${GROWTH_MEASURED} more wrong answers each (a ${NONSENSE.length}-character text) after 0, 50 ` +
      'and 150 wrong answers at that step. The CPU is all of this process (the bot and its fake Bot API); the ' +
      `largest self times are from ${GROWTH_PROFILED} more wrong answers each under the profiler.`,
    '',
    table(
      [
        'wrong answers before',
        'CPU ms / update',
        'time p50',
        'stored form state per resident',
        'largest self times, ms / update',
      ],
      growth.points.map((p) => [
        p.wrong,
        `**${p.cpuMs.toFixed(2)}**`,
        ms(p.p50),
        `${(p.stateBytes / 1024).toFixed(1)} KB`,
        topOf(p.profile, p.profiledUpdates),
      ]),
    ),
    '',
    `After ${gLast.wrong} wrong answers an update costs ${(gLast.cpuMs / g0.cpuMs).toFixed(1)}× the CPU it cost ` +
      `after none (${ms(g0.cpuMs, 2)} → ${ms(gLast.cpuMs, 2)}): the whole state is read, decrypted, replayed, ` +
      `encrypted and written at every update. ${growth.finished} of ${GROWTH_RESIDENTS} then finished the ` +
      'registration with a valid number.',
    '',
    'Goals:',
    `- at least ${GOAL_RATE} updates/s through npm start, one instance, polling: ${closed.rate.toFixed(0)} — ` +
      verdict(closed.rate, GOAL_RATE, 'updates/s'),
    `- two webhook instances at least ${GOAL_SPEEDUP}× one: ${two.rate.toFixed(0)} vs ${one.rate.toFixed(0)} ` +
      `updates/s = ${speedup.toFixed(2)}× — ${verdict(speedup, GOAL_SPEEDUP, '×')}`,
    `- first answer p95 under ${GOAL_P95_MS / 1000} s at ${OPEN_RATE} updates/s offered: ${ms(openP95, 0)} — ` +
      verdict(openP95, GOAL_P95_MS, 'ms', true),
    `- nobody lost or stalled: ${stalled} stalled, ${lost} finished without their registration stored — ` +
      (stalled === 0 && lost === 0 ? '**met**' : '**missed**'),
    ...labelled.flatMap(([label, f]) => stalledLine(label, f, STALL_MS)),
    '',
    'What limits each figure (CPU over the phase, as a share of one core):',
    `- polling: ${limitedBy(closed, cores)}. The poller writes each batch to the inbox and asks for the next ` +
      `at once (${n(batch.requests)} getUpdates, ${(batch.updates / Math.max(1, batch.batches)).toFixed(0)} ` +
      'updates a batch on average); waiting for delivery is the time its one busy thread takes to get back to ' +
      'the answer of the long poll.',
    `- ${OPEN_RATE}/s offered: ${limitedBy(open, cores)}.`,
    `- one webhook instance: ${limitedBy(one, cores)}. Waiting for delivery: a chat's next update waits for the ` +
      '2xx to its previous one, which comes after the statement that finishes it (the reply has gone out before ' +
      'that), and for a free connection.',
    `- two webhook instances: ${limitedBy(two, cores)}.`,
    `- naive peer: ${limitedBy(peer, cores)}. Its runner fetches while it handles, so updates wait in the ` +
      'process rather than at Telegram.',
    `- the harness: its event loop ran at most ${ms(worstLoop)} late (p99, worst phase) — the error of its time ` +
      "stamps; its CPU is in the tables. Everything shares the machine's cores: the bots, PostgreSQL, the " +
      "harness, and other engineers' work.",
    '',
    `Bot API calls per update (polling): ${methodsLine(polling.closed, closed.updates)}. Webhook answers: ` +
      `${[...answers].map(([k, v]) => `${n(v)} × ${k}`).join(', ')}. Methods the fake does not know: ` +
      `${polling.unknown.length > 0 ? polling.unknown.join(', ') : 'none'}. Errors logged by the webhook ` +
      `instances: ${hooks.errors}. Registrations stored, of the residents told they were registered: ` +
      `${polling.storedCount} of ${bianminFinished} (polling), ${hooks.storedCount} of ` +
      `${one.finished + two.finished} (webhook), ${naive.storedCount} of ${peer.finished} (naive peer).`,
  ].join('\n');
}
