// Figures of one phase of the black-box benchmark: the residents' samples (rate, latencies), who finished
// or stalled, the Bot API calls the fake Telegram received, and the CPU every party spent meanwhile (the bot
// processes, PostgreSQL, this harness, the whole machine), plus how late this harness's own event loop ran
// (a late harness would stamp replies late and offer updates late).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Resident, Walked } from './blackbox-residents.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { type CpuSpent, cpuSnapshot, cpuSpent } from './proc-cpu.ts';
import { ms, percentile } from './stats.ts';

/** Calls that are not answers to a resident: the bot asking for updates, or who it is. */
const NOT_ANSWERS = new Set(['getUpdates', 'getMe']);

export interface Phase {
  label: string;
  walked: Walked;
  cpu: CpuSpent;
  /** Bot API calls during the phase, by method (getUpdates included). */
  methods: Map<string, number>;
  /** getUpdates during the phase: requests, those that carried updates, updates handed out. */
  polling: { requests: number; batches: number; updates: number };
  /** Webhook POSTs during the phase, and their answers. */
  posts: number;
  answers: Map<string, number>;
  /** This process's event loop: how late its timers ran (ms). */
  loopDelay: { p99: number; max: number };
  /** The bots' database pools, read from their /metrics twice a second: requests queued for a connection. */
  poolWaiting: number[];
  /** TCP connections the bots opened to the Bot API during the phase. */
  connections: number;
}

/** Requests waiting for a database connection, summed over the bots (their /metrics), or NaN. */
async function poolWaiting(metricsUrls: string[]): Promise<number> {
  let sum = 0;
  for (const url of metricsUrls) {
    try {
      const text = await (await fetch(url, { signal: AbortSignal.timeout(2_000) })).text();
      sum += Number(/^bianmin_db_pool_connections\{state="waiting"\} (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
    } catch {
      return Number.NaN;
    }
  }
  return sum;
}

function diff(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of after) if (v - (before.get(k) ?? 0) > 0) out.set(k, v - (before.get(k) ?? 0));
  return out;
}

/** Runs `drive` and records what it cost everyone. */
export async function measure(
  label: string,
  tg: FakeTelegram,
  bots: { pids: number[]; metricsUrls?: string[] },
  drive: () => Promise<Walked>,
): Promise<Phase> {
  const botPids = bots.pids;
  const methods = new Map(tg.methods);
  const connections = tg.connections();
  const waiting: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling && bots.metricsUrls) {
      const w = await poolWaiting(bots.metricsUrls);
      if (!Number.isNaN(w)) waiting.push(w);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  const answers = new Map(tg.webhook.answers);
  const posts = tg.webhook.posts;
  const polling = { ...tg.polling };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const before = cpuSnapshot(botPids);
  let walked: Walked;
  try {
    walked = await drive();
  } finally {
    sampling = false;
  }
  const after = cpuSnapshot(botPids);
  loop.disable();
  await sampler;
  return {
    label,
    walked,
    cpu: cpuSpent(before, after),
    methods: diff(tg.methods, methods),
    polling: {
      requests: tg.polling.requests - polling.requests,
      batches: tg.polling.batches - polling.batches,
      updates: tg.polling.updates - polling.updates,
    },
    posts: tg.webhook.posts - posts,
    answers: diff(tg.webhook.answers, answers),
    loopDelay: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    poolWaiting: waiting,
    connections: tg.connections() - connections,
  };
}

export interface Figures {
  updates: number;
  seconds: number;
  rate: number;
  /** Offered → the bot's first call for the chat (what the resident first sees). */
  first: number[];
  /** Offered → the reply that lets the resident go on. */
  ready: number[];
  /** Offered → handed to the bot (getUpdates answered / POSTed): waiting at "Telegram". */
  waiting: number[];
  /** Handed to the bot → its first call for the chat. */
  handling: number[];
  residents: number;
  finished: number;
  stalled: Resident[];
  /** Neither finished nor stalled: stopped mid-form when the offering window closed (open loop). */
  midway: number;
  calls: number;
  callsPerUpdate: number;
  /** ms of CPU per update, per bot process. */
  botMs: number[];
  /** Share of one core, per bot process. */
  botBusy: number[];
  pgMs: number;
  pgBusy: number;
  harnessMs: number;
  harnessBusy: number;
  machine: number;
  /** Database requests queued for a pool connection (the bots' /metrics): mean and max of the samples. */
  poolWaiting: { mean: number; max: number } | undefined;
  connections: number;
}

export function figuresOf(p: Phase): Figures {
  const { samples, residents } = p.walked;
  const updates = samples.length;
  const seconds = Math.max(1e-3, (p.walked.endedAt - p.walked.startedAt) / 1000);
  const calls = [...p.methods].filter(([m]) => !NOT_ANSWERS.has(m)).reduce((s, [, n]) => s + n, 0);
  const per = (cpuSeconds: number) => (cpuSeconds * 1000) / Math.max(1, updates);
  const busy = (cpuSeconds: number) => cpuSeconds / p.cpu.wallSeconds;
  const finished = residents.filter((r) => r.finished).length;
  const stalled = residents.filter((r) => r.stalled);
  return {
    updates,
    seconds,
    rate: updates / seconds,
    first: samples.map((s) => s.firstAt - s.offeredAt),
    ready: samples.map((s) => s.readyAt - s.offeredAt),
    waiting: samples.map((s) => s.deliveredAt - s.offeredAt),
    handling: samples.map((s) => s.firstAt - s.deliveredAt),
    residents: residents.length,
    finished,
    stalled,
    midway: residents.length - finished - stalled.length,
    calls,
    callsPerUpdate: calls / Math.max(1, updates),
    botMs: p.cpu.bots.map(per),
    botBusy: p.cpu.bots.map(busy),
    pgMs: per(p.cpu.postgres),
    pgBusy: busy(p.cpu.postgres),
    harnessMs: per(p.cpu.harness),
    harnessBusy: busy(p.cpu.harness),
    machine: p.cpu.machine,
    poolWaiting:
      p.poolWaiting.length === 0
        ? undefined
        : {
            mean: p.poolWaiting.reduce((x, y) => x + y, 0) / p.poolWaiting.length,
            max: Math.max(...p.poolWaiting),
          },
    connections: p.connections,
  };
}

export const pct = (share: number) => `${(share * 100).toFixed(0)} %`;

export const p3 = (values: number[]) =>
  [50, 95, 99]
    .map((q) => ms(percentile(values, q), values.length && percentile(values, q) >= 100 ? 0 : 1))
    .join(' / ');

/** Which party held the rate back, read from who was busy. */
export function limitedBy(f: Figures, cores: number): string {
  const bot = Math.max(...f.botBusy);
  const parts = [
    `bot process${f.botBusy.length > 1 ? 'es' : ''} ${f.botBusy.map(pct).join(' + ')} of a core`,
    `PostgreSQL ${pct(f.pgBusy)}`,
    `harness ${pct(f.harnessBusy)}`,
    `machine ${pct(f.machine)} of ${cores} cores`,
  ].join(', ');
  const others = f.machine * cores - f.botBusy.reduce((s, b) => s + b, 0) - f.pgBusy - f.harnessBusy;
  let verdict: string;
  if (bot >= 0.85) verdict = `the bot's one thread (${pct(bot)} busy)`;
  else if (f.machine >= 0.9) verdict = `the machine's ${cores} cores (${pct(f.machine)} busy)`;
  else if (f.harnessBusy >= 0.85) verdict = `the harness (${pct(f.harnessBusy)} of a core)`;
  else if ((f.poolWaiting?.mean ?? 0) >= 5) verdict = 'no CPU ran full: the database pool (requests queued)';
  else verdict = 'no CPU ran full: waiting (for batches, round trips, commits)';
  const pool = f.poolWaiting
    ? `; database requests waiting for one of the pool's connections: ${f.poolWaiting.mean.toFixed(1)} on average, ${f.poolWaiting.max} at most`
    : '';
  return `${verdict} — ${parts}${others > 0.05 ? `; others on the machine ≈ ${pct(others)} of a core` : ''}${pool}`;
}
