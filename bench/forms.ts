// Form steps per second through the real registration: createBot() as main.ts builds it (compose, the
// update gate with its PostgreSQL inbox and chat leases, the flood limit, the Telegram user record,
// the encrypted conversation state in PostgreSQL, the retrying Bot API client), driven in-process by many
// simulated residents at once, each walking the whole registration one update after the other through the
// gate (`bot.handleUpdate` underneath) with a fake `client.fetch`. Side by side, in the same run and on the
// same PostgreSQL server, the naive peer (bench/naive-peer/bot.ts).
//   1. Capacity: 200 residents at once who answer instantly (closed loop); rounds alternate between the two
//      bots so that a busy moment on the shared machine does not fall on one of them only.
//   2. Latency under a load both can carry: residents who take 1–3 s per answer, as many as make half of
//      Bianmin's capacity, the same for both.
//   3. Where the time goes: one more capacity round of each under the CPU profiler, and pg_stat_statements.
import os from 'node:os';
import type { Update } from 'grammy/types';
import { createNaiveBot } from './naive-peer/bot.ts';
import { NAIVE_TABLES, naiveClient } from './naive-peer/client.ts';
import { loadReference, ourBot } from './support/our-bot.ts';
import { type BenchDatabase, query } from './support/postgres.ts';
import { type ProbeFigures, probeCommits } from './support/probe.ts';
import { type ProfileSummary, profile } from './support/profile.ts';
import {
  BENCH_BOT,
  BENCH_TOKEN,
  type FakeBotApi,
  fakeBotApi,
  idNumberFor,
  REGISTERED_TEXT,
  registrationSteps,
  walk,
} from './support/residents.ts';
import type { BenchContext } from './support/runner.ts';
import {
  resetStatements,
  type StatementFigure,
  statementsOf,
  statementTotals,
} from './support/statements.ts';
import { machineBusy, ms, percentile, pool, rate, table, verdict } from './support/stats.ts';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const CONCURRENCY = 200;
const RESIDENTS_PER_ROUND = Math.round(1_000 * SCALE);
const ROUNDS = 3;
const WARMUP_RESIDENTS = 100;
const POOL_SIZE = 10; // createDb's default, what main.ts runs with
const STEPS = registrationSteps('').length;
const THINK_MS = () => 1_000 + Math.random() * 2_000;
const PACED_WINDOW_MS = 40_000;

interface Peer {
  name: string;
  database: BenchDatabase;
  api: FakeBotApi;
  handle(update: Update): Promise<unknown>;
  /** Finished registrations stored. */
  stored(): Promise<number>;
  close(): Promise<void>;
}

interface Round {
  updates: number;
  seconds: number;
  latencies: number[];
  completed: number;
  residents: number;
  dbCalls: number;
  dbMs: number;
  cpuMs: number;
  /** Share of the machine's cores busy (everything on it). */
  busy: number;
}

let nextUser = 10_000_000;

async function round(
  peer: Peer,
  residents: number,
  opts: { concurrency?: number; adminUrl?: string; arrivalWindowMs?: number },
): Promise<Round> {
  const users = Array.from({ length: residents }, () => nextUser++);
  const latencies: number[] = [];
  if (opts.adminUrl) await resetStatements(opts.adminUrl);
  const walkOne = (id: number, thinkMs?: () => number) =>
    walk(id, registrationSteps(idNumberFor(id - 10_000_000)), peer.api, peer.handle, latencies, thinkMs);
  const cpu = process.cpuUsage();
  const cpus = os.cpus();
  const started = performance.now();
  const window = opts.arrivalWindowMs;
  if (window === undefined) {
    await pool(users, opts.concurrency ?? CONCURRENCY, (id) => walkOne(id));
  } else {
    // Residents arrive at random moments over the window and take 1–3 s per answer.
    await Promise.all(
      users.map(async (id) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * window));
        await walkOne(id, THINK_MS);
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const busy = machineBusy(cpus, os.cpus());
  const totals = opts.adminUrl
    ? await statementTotals(opts.adminUrl, peer.database.name)
    : { calls: 0, ms: 0 };
  const completed = users.filter((id) => peer.api.chats.get(id)?.lastText.includes(REGISTERED_TEXT)).length;
  return {
    updates: latencies.length,
    seconds,
    latencies,
    completed,
    residents,
    dbCalls: totals.calls,
    dbMs: totals.ms,
    cpuMs: (used.user + used.system) / 1000,
    busy,
  };
}

async function ours(database: BenchDatabase): Promise<Peer> {
  const api = fakeBotApi();
  const bot = ourBot(database.url, api, { poolSize: POOL_SIZE });
  await loadReference(bot.db);
  return {
    name: 'Bianmin',
    database,
    api,
    handle: (update) => bot.gate.process(update),
    stored: async () => Number((await query(database.url, 'select count(*) as n from household')).rows[0].n),
    close: () => bot.close(),
  };
}

async function naive(database: BenchDatabase): Promise<Peer> {
  await query(database.url, NAIVE_TABLES);
  const api = fakeBotApi();
  const prisma = await naiveClient(database.url, POOL_SIZE);
  const bot = createNaiveBot({
    token: BENCH_TOKEN,
    botInfo: BENCH_BOT,
    client: { fetch: api.fetch },
    prisma,
  });
  return {
    name: 'naive peer',
    database,
    api,
    handle: (update) => bot.handleUpdate(update),
    stored: async () =>
      Number((await query(database.url, 'select count(*) as n from registration')).rows[0].n),
    close: () => prisma.$disconnect(),
  };
}

function summary(rounds: Round[]) {
  const updates = rounds.reduce((s, r) => s + r.updates, 0);
  const seconds = rounds.reduce((s, r) => s + r.seconds, 0);
  const latencies = rounds.flatMap((r) => r.latencies);
  return {
    updates,
    rate: rate(updates, seconds),
    rounds: rounds.map((r) => rate(r.updates, r.seconds)),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    completed: rounds.reduce((s, r) => s + r.completed, 0),
    residents: rounds.reduce((s, r) => s + r.residents, 0),
    dbPerUpdate: rounds.reduce((s, r) => s + r.dbCalls, 0) / updates,
    dbMsPerUpdate: rounds.reduce((s, r) => s + r.dbMs, 0) / updates,
    cpuMsPerUpdate: rounds.reduce((s, r) => s + r.cpuMs, 0) / updates,
    nodeShare: rounds.reduce((s, r) => s + r.cpuMs, 0) / 1000 / rounds.reduce((s, r) => s + r.seconds, 0),
    busy: rounds.reduce((s, r) => s + r.busy * r.seconds, 0) / rounds.reduce((s, r) => s + r.seconds, 0),
  };
}
type Summary = ReturnType<typeof summary>;

const cell = (s: string) => s.replaceAll('|', '\\|');

function statementsTable(rows: StatementFigure[]): string {
  return table(
    ['calls', 'total', 'mean', 'statement'],
    rows.map((s) => [s.calls, ms(s.totalMs, 0), ms(s.meanMs, 3), `\`${cell(s.query)}\``]),
  );
}

function profileTable(names: string[], profiles: ProfileSummary[], updates: number[]): string {
  const top = new Set(profiles.flatMap((p) => p.rows.slice(0, 12).map((r) => r.what)));
  return table(
    ['where (self time)', ...names.map((n) => `${n}: ms per update (share)`)],
    [...top].map((what) => [
      what,
      ...profiles.map((p, i) => {
        const row = p.rows.find((r) => r.what === what);
        return row ? `${(row.ms / (updates[i] ?? 1)).toFixed(2)} (${(row.share * 100).toFixed(0)} %)` : '–';
      }),
    ]),
  );
}

/** What limits the rate and the latency, read from the figures of this run. */
function limits(
  a: Summary,
  b: Summary,
  paced: Summary,
  probe: ProbeFigures | undefined,
  prof: ProfileSummary | undefined,
  profUpdates: number,
): string {
  const top = (prof?.rows ?? [])
    .filter((r) => !r.what.startsWith('idle'))
    .slice(0, 4)
    .map((r) => `${r.what} ${(r.ms / profUpdates).toFixed(2)} ms`)
    .join(', ');
  return (
    `**What limits it.** The bot is one Node thread, and it was ${(a.nodeShare * 100).toFixed(0)} % busy at ` +
    `capacity: the rate is about 1 s ÷ its CPU per update, ${ms(a.cpuMsPerUpdate, 2)} against the peer's ` +
    `${ms(b.cpuMsPerUpdate, 2)} (1 s ÷ ${ms(a.cpuMsPerUpdate, 2)} ≈ ${Math.round(1000 / a.cpuMsPerUpdate)}/s). ` +
    `PostgreSQL is not the bottleneck (${ms(a.dbMsPerUpdate, 2)} of execution per update), but every statement ` +
    `costs the Node side its round trip: ${a.dbPerUpdate.toFixed(1)} statements per update against ` +
    `${b.dbPerUpdate.toFixed(1)}. Largest self times per update in the profile: ${top}. The latency at half ` +
    `capacity (p95 ${ms(paced.p95)}) is that CPU per update plus waiting: for the other updates in hand on the ` +
    `same thread, and for commits${probe ? ` (a lone commit took ${ms(probe.p95)} at p95 and up to ${ms(probe.max, 0)} meanwhile)` : ''}.`
  );
}

export async function run(ctx: BenchContext): Promise<string> {
  const server = await ctx.server();
  const peers = [
    await ours(await server.createDatabase()),
    await naive(await server.createDatabase({ migrated: false })),
  ];
  const [bianmin, peer] = peers as [Peer, Peer];
  const adminUrl = server.statements ? server.adminUrl : undefined;
  try {
    ctx.log(`forms: warming up (${WARMUP_RESIDENTS} residents each)`);
    for (const p of peers) await round(p, WARMUP_RESIDENTS, {});

    const capacity = new Map<Peer, Round[]>(peers.map((p) => [p, []]));
    const statements = new Map<Peer, StatementFigure[]>();
    for (let r = 0; r < ROUNDS; r++) {
      for (const p of r % 2 === 0 ? peers : [...peers].reverse()) {
        const result = await round(p, RESIDENTS_PER_ROUND, { adminUrl });
        capacity.get(p)?.push(result);
        if (adminUrl) statements.set(p, await statementsOf(adminUrl, p.database.name, 8));
        ctx.log(
          `forms: capacity round ${r + 1}, ${p.name}: ${rate(result.updates, result.seconds)} updates/s`,
        );
      }
    }
    const [a, b] = peers.map((p) => summary(capacity.get(p) ?? [])) as [Summary, Summary];

    // Latency at half of Bianmin's capacity: residents arrive over a window, 11 steps each.
    const target = Math.max(20, Math.round(a.rate / 2));
    const paced = Math.round((target / STEPS) * (PACED_WINDOW_MS / 1000));
    const latency = new Map<Peer, Summary>();
    const probes = new Map<Peer, ProbeFigures>();
    for (const p of peers) {
      const { result, probe } = await probeCommits(p.database.url, () =>
        round(p, paced, { arrivalWindowMs: PACED_WINDOW_MS }),
      );
      latency.set(p, summary([result]));
      probes.set(p, probe);
      ctx.log(`forms: paced, ${p.name}: p95 ${ms(percentile(result.latencies, 95))}`);
    }
    const la = latency.get(bianmin) as Summary;
    const lb = latency.get(peer) as Summary;

    const profiled: ProfileSummary[] = [];
    const profiledUpdates: number[] = [];
    for (const p of peers) {
      const { result, summary: s } = await profile(() =>
        round(p, Math.max(100, RESIDENTS_PER_ROUND / 2), {}),
      );
      profiled.push(s);
      profiledUpdates.push(result.updates);
      ctx.log(`forms: profiled round, ${p.name}`);
    }

    const stored = await Promise.all(peers.map((p) => p.stored()));
    const apiCalls = peers.map((p) => [...p.api.methods.values()].reduce((s, n) => s + n, 0));
    const allUpdates = peers.map((p) => p.api.chats.size * STEPS);

    const lines = [
      `**Capacity.** ${CONCURRENCY} simulated residents at once who answer instantly, ` +
        `${RESIDENTS_PER_ROUND.toLocaleString('en')} residents per round (${(RESIDENTS_PER_ROUND * STEPS).toLocaleString('en')} ` +
        'updates: /start, the register button, community, building, unit, room, name, phone, ID number, confirm, ' +
        `consent), ${ROUNDS} rounds each, alternating, after a warm-up of ${WARMUP_RESIDENTS} residents each. A ` +
        'resident sends the next update when the previous one was handled. One Node process drives both bots ' +
        `(the driver's work is in the CPU figure); each bot has a pool of ${POOL_SIZE} connections. With every ` +
        "resident always waiting, the latency here is mostly queueing: p50 ≈ 200 residents ÷ rate (Little's law).",
      '',
      table(
        [
          '',
          'updates/s (per round)',
          'p50',
          'p95',
          'finished',
          'SQL statements / update',
          'PostgreSQL time / update',
          'Node CPU / update',
          'Node process busy',
          'machine busy',
        ],
        [a, b].map((s, i) => [
          peers[i]?.name ?? '',
          `**${s.rate}** (${s.rounds.join(', ')})`,
          ms(s.p50),
          ms(s.p95),
          `${s.completed} / ${s.residents}`,
          adminUrl ? s.dbPerUpdate.toFixed(1) : 'n/a',
          adminUrl ? ms(s.dbMsPerUpdate, 2) : 'n/a',
          ms(s.cpuMsPerUpdate, 2),
          `${(s.nodeShare * 100).toFixed(0)} % of a core`,
          `${(s.busy * 100).toFixed(0)} % of ${os.cpus().length} cores`,
        ]),
      ),
      '',
      `**Latency.** ${paced} residents arriving at random over ${PACED_WINDOW_MS / 1000} s, each taking 1–3 s per ` +
        `answer: about ${target} updates/s offered at the peak (half of Bianmin's capacity), the same for both. ` +
        'The rate shown is over the whole run, ramp-up and ramp-down included.',
      '',
      table(
        ['', 'updates/s', 'p50', 'p95', 'p99', 'finished', 'one commit meanwhile: p50 / p95 / max'],
        [la, lb].map((s, i) => {
          const probe = probes.get(peers[i] as Peer);
          return [
            peers[i]?.name ?? '',
            s.rate,
            ms(s.p50),
            `**${ms(s.p95)}**`,
            ms(s.p99),
            `${s.completed} / ${s.residents}`,
            probe ? `${ms(probe.p50)} / ${ms(probe.p95)} / ${ms(probe.max, 0)}` : '',
          ];
        }),
      ),
      '',
      'The last column is a probe on a connection of its own: one row inserted and committed every 50 ms ' +
        'while the residents were answering. Each commit waits for the WAL to reach the disk. Bianmin commits ' +
        'twice per update (the update written to the inbox, its chat taken and the update claimed, in the same ' +
        'statement as the Telegram user record touched and the form state read; the form state written, in the ' +
        'same statement as the update finished and its chat given up), the peer once (its session), so slow ' +
        'commits reach its updates twice as often.',
      '',
      `Stored at the end: ${stored[0]} households (Bianmin), ${stored[1]} registrations (naive peer), one per ` +
        `resident. Bot API calls per update: ${((apiCalls[0] ?? 0) / (allUpdates[0] ?? 1)).toFixed(2)} (Bianmin), ` +
        `${((apiCalls[1] ?? 0) / (allUpdates[1] ?? 1)).toFixed(2)} (naive peer).`,
      '',
      'Goals:',
      `- at least the naive peer's rate: ${a.rate} vs ${b.rate} updates/s — ${verdict(a.rate, b.rate, 'updates/s')}`,
      `- at least 500 updates/s: ${a.rate} — ${verdict(a.rate, 500, 'updates/s')}`,
      `- p95 under 50 ms (at ${target} updates/s offered): ${ms(la.p95)} — ${verdict(la.p95, 50, 'ms', true)}; ` +
        `at capacity (200 residents always waiting): ${ms(a.p95)} — ${verdict(a.p95, 50, 'ms', true)}`,
      '',
      limits(a, b, la, probes.get(bianmin), profiled[0], profiledUpdates[0] ?? 1),
      '',
      'What Bianmin does per update that the peer does not: the update gate (each update written to an inbox ' +
        "in PostgreSQL, encrypted, and handled under its chat's lease: each update once and each chat in " +
        'order across instances), the flood limit, the ' +
        'Telegram user record (language, registered?), AES-256-GCM on the conversation state, choices read ' +
        'from the reference tables, the chosen answer edited into the question, texts through i18next, the ' +
        'ID-number message deleted and echoed masked, the household written with encrypted and hashed personal ' +
        'fields.',
      '',
      "**Where the time goes** — one more capacity round of each under the CPU profiler (the inspector's " +
        'sampling profiler, as `node --cpu-prof`; self time by package, ms of this process per update):',
      '',
      profileTable(
        peers.map((p) => p.name),
        profiled,
        profiledUpdates,
      ),
    ];
    if (adminUrl) {
      lines.push('', 'Statements of the last capacity round (pg_stat_statements), most time first:', '');
      for (const p of peers) lines.push(`${p.name}:`, '', statementsTable(statements.get(p) ?? []), '');
    }
    return lines.join('\n');
  } finally {
    for (const p of peers) {
      await p.close();
      await p.database.drop();
    }
  }
}
