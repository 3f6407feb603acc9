// Two instances in webhook mode behind one database: two real processes (`node dist/main.mjs`,
// BOT_MODE=webhook, their own ports, one DATABASE_URL and PII_KEY) talking to a fake Bot API server over
// HTTP (test/support/fake-bot-api.ts, Telegram's limits lifted). Residents register over the webhook, their
// updates spread over both instances, and one update in four posted to both at the same moment, as a
// redelivery racing the first delivery would be. Every POST is delivered again after a 5xx, as Telegram does
// (a copy arriving while the other instance holds its chat is answered 200 "queued" at once, one arriving
// after it was handled "duplicate"). First the same
// with one instance, for comparison. Counted after each: households in the database, receipts, and every
// sendMessage the fake Bot API received, per chat, against what one resident gets with each update
// delivered once.
import os from 'node:os';
import type { Update } from 'grammy/types';
import { waitFor } from '../test/e2e/support.ts';
import {
  deliver,
  HookResident,
  postUpdate,
  registrationScript,
  startWebhookInstance,
  stepUpdate,
  type WebhookInstance,
} from '../test/e2e/webhook-support.ts';
import { type FakeBotApi, startFakeBotApi } from '../test/support/fake-bot-api.ts';
import { type BenchDatabase, query } from './support/postgres.ts';
import { idNumberFor } from './support/residents.ts';
import type { BenchContext } from './support/runner.ts';
import { machineBusy, ms, percentile, pool, rate, table } from './support/stats.ts';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const RESIDENTS = Math.round(1_000 * SCALE);
const CONCURRENCY = 100;
const STEPS = registrationScript('').length;
const BOTH_EVERY = 4; // one update in four goes to both instances at once
const REDELIVERY_PAUSE_MS = 50;

interface Phase {
  label: string;
  residents: number;
  updates: number;
  posts: number;
  seconds: number;
  latencies: number[];
  outcomes: Map<string, number>;
  cpuSeconds: number[];
  /** Share of the machine's cores busy during the phase (everything on it, not only ours). */
  busy: number;
}

async function cpuSeconds(instance: WebhookInstance): Promise<number> {
  const text = await (await fetch(instance.metricsUrl ?? `http://127.0.0.1:${instance.port}/metrics`)).text();
  return Number(/^bianmin_process_cpu_seconds_total (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

let nextResident = 900_000_000;

async function phase(
  label: string,
  api: FakeBotApi,
  instances: WebhookInstance[],
  residents: number,
): Promise<{ phase: Phase; chats: HookResident[] }> {
  const latencies: number[] = [];
  const outcomes = new Map<string, number>();
  let posts = 0;
  let sent = 0;
  const tally = (answers: string[]) => {
    posts += answers.length;
    for (const a of answers) outcomes.set(a, (outcomes.get(a) ?? 0) + 1);
  };
  const post = async (url: string, update: Update) => {
    const started = performance.now();
    const answers = await deliver(url, update, REDELIVERY_PAUSE_MS);
    latencies.push(performance.now() - started);
    tally(answers);
  };
  const chats = Array.from({ length: residents }, () => new HookResident(api, nextResident++));
  const cpuBefore = await Promise.all(instances.map(cpuSeconds));
  const cpus = os.cpus();
  const started = performance.now();
  await pool(chats, CONCURRENCY, async (u) => {
    const script = registrationScript(idNumberFor(u.id - 900_000_000 + 100_000));
    for (const [i, step] of script.entries()) {
      const update = stepUpdate(u, step);
      const next = script[i + 1];
      const n = sent++;
      const before = u.messages().length;
      if (instances.length > 1 && n % BOTH_EVERY === 0) {
        await Promise.all(instances.map((i) => post(i.url, update)));
      } else {
        await post((instances[n % instances.length] as WebhookInstance).url, update);
      }
      // A POST answered "queued" (the other instance holds the chat) comes back before the reply: the
      // resident goes on once the bot has answered, as a person would.
      await waitFor(
        `the answer in chat ${u.id}`,
        () => {
          const fresh = u.messages().slice(before);
          if (next && 'tap' in next)
            return fresh.some((m) => m.buttons.some((b) => b.text === next.tap)) || undefined;
          return fresh.length > 0 || undefined;
        },
        30_000,
      );
    }
  });
  const seconds = (performance.now() - started) / 1000;
  const busy = machineBusy(cpus, os.cpus());
  const cpuAfter = await Promise.all(instances.map(cpuSeconds));
  return {
    phase: {
      label,
      residents,
      updates: residents * STEPS,
      posts,
      seconds,
      latencies,
      outcomes,
      cpuSeconds: cpuAfter.map((c, i) => c - (cpuBefore[i] ?? 0)),
      busy,
    },
    chats,
  };
}

interface Check {
  households: number;
  receipts: string;
  sends: number;
  /** Chats whose messages differ in number from a resident whose updates came once each. */
  wrongChats: number;
  registeredTwice: number;
}

async function check(database: BenchDatabase, chats: HookResident[], expected: number): Promise<Check> {
  const ids = chats.map((c) => c.id);
  const households = Number(
    (
      await query(
        database.url,
        'select count(*)::int as n from household h join resident r on r.household_id = h.id where r.telegram_id = any($1::bigint[])',
        [ids],
      )
    ).rows[0].n,
  );
  const receipts = (
    await query(
      database.url,
      'select status::text as s, count(*)::int as n from update_receipt group by 1 order by 1',
    )
  ).rows
    .map((r) => `${r.n} ${r.s}`)
    .join(', ');
  return {
    households,
    receipts,
    sends: chats.reduce((s, c) => s + c.texts().length, 0),
    wrongChats: chats.filter((c) => c.texts().length !== expected).length,
    registeredTwice: chats.filter((c) => c.count('登记好了') !== 1).length,
  };
}

export async function run(ctx: BenchContext): Promise<string> {
  const server = await ctx.server();
  const database = await server.createDatabase();
  const api = await startFakeBotApi({ perSecond: 1_000_000_000, perChatIntervalMs: 0 });
  const instances: WebhookInstance[] = [];
  try {
    ctx.log('webhook: starting two instances');
    instances.push(await startWebhookInstance({ apiRoot: api.url, databaseUrl: database.url }));
    instances.push(await startWebhookInstance({ apiRoot: api.url, databaseUrl: database.url }));
    const [a] = instances as [WebhookInstance, WebhookInstance];

    // What one resident gets when each update arrives once: the reference for every chat.
    const reference = new HookResident(api, 899_999_999);
    for (const step of registrationScript(idNumberFor(99_999))) {
      const { status } = await postUpdate(a.url, stepUpdate(reference, step));
      if (status !== 200) throw new Error(`warm-up update answered ${status}`);
    }
    const expected = reference.texts().length;
    ctx.log('webhook: warming up both instances');
    await phase('warm-up', api, instances, Math.max(20, RESIDENTS / 20));

    ctx.log(`webhook: ${RESIDENTS} residents through one instance`);
    const one = await phase('one instance, each update once', api, [a], RESIDENTS);
    const oneCheck = await check(database, one.chats, expected);
    ctx.log(`webhook: ${rate(one.phase.updates, one.phase.seconds)} updates/s; now through both`);
    const two = await phase(
      `two instances, spread, 1 in ${BOTH_EVERY} to both at once`,
      api,
      instances,
      RESIDENTS,
    );
    const twoCheck = await check(database, two.chats, expected);
    ctx.log(`webhook: ${rate(two.phase.updates, two.phase.seconds)} updates/s`);

    const errors = instances.flatMap((i) => i.process.logs().filter((l) => l.level >= 50));
    const row = (p: Phase, c: Check) => [
      p.label,
      `**${rate(p.updates, p.seconds)}**`,
      `${p.updates.toLocaleString('en')} / ${p.posts.toLocaleString('en')}`,
      ms(percentile(p.latencies, 50)),
      ms(percentile(p.latencies, 95)),
      [...p.outcomes]
        .sort((x, y) => y[1] - x[1])
        .map(([o, n]) => `${n.toLocaleString('en')} × ${o}`)
        .join(', '),
      p.cpuSeconds.map((s) => `${((s * 1000) / p.updates).toFixed(1)}`).join(' + '),
      `${(p.busy * 100).toFixed(0)} %`,
      `${c.households} / ${p.residents}`,
      `${c.sends.toLocaleString('en')} (${(p.residents * expected).toLocaleString('en')})`,
      `${c.wrongChats} chats, ${c.registeredTwice} "registered" twice`,
    ];
    const duplicated = twoCheck.households - RESIDENTS + twoCheck.wrongChats + twoCheck.registeredTwice;
    return [
      `${RESIDENTS.toLocaleString('en')} residents registering over the webhook, ${CONCURRENCY} at a time, each ` +
        `update POSTed with the secret once the previous one was answered; ${STEPS} updates per resident. ` +
        `Both processes, PostgreSQL, the fake Bot API and the driver share the machine's two cores. A 5xx ` +
        `answer is delivered again after ${REDELIVERY_PAUSE_MS} ms.`,
      '',
      table(
        [
          '',
          'updates/s',
          'updates / POSTs',
          'POST p50',
          'POST p95',
          'answers',
          'ms CPU per update (per instance)',
          'machine busy',
          'households',
          'sendMessage received (expected)',
          'chats off',
        ],
        [row(one.phase, oneCheck), row(two.phase, twoCheck)],
      ),
      '',
      `Receipts at the end (warm-up included): ${twoCheck.receipts}. Errors logged by the instances: ${errors.length}.`,
      '',
      `Duplicated effects with two instances: **${duplicated}** (households beyond one per resident, chats whose ` +
        `message count differs from a resident whose updates came once each, "registered" messages not exactly once).`,
      '',
      `Total rate with two instances: **${rate(two.phase.updates, two.phase.seconds)} updates/s** ` +
        `(${rate(one.phase.updates, one.phase.seconds)} with one). One instance is one Node thread: it can use ` +
        'one core; two instances use both, and share them with PostgreSQL, the fake Bot API and the driver ' +
        '("machine busy" counts everything on the machine, other engineers\' work included).',
    ].join('\n');
  } finally {
    for (const instance of instances) {
      if (instance.process.running) {
        instance.process.child.kill('SIGTERM');
        await instance.process.exited;
      }
    }
    await api.close();
    await database.drop();
  }
}
