// The queue page and /mycases with 1,000,000 cases in the database: the use cases themselves
// (createStaffService(...).queue and createCaseService(...).listMine, built through compose() as main.ts
// builds them), called one at a time, p50/p95 per call; then the statements each one sent, with
// EXPLAIN (ANALYZE, BUFFERS) of exactly that SQL and its parameters. The data is written with
// generate_series (bench/support/bulk.ts): 200,000 registered residents, 1,000,000 cases spread over every
// department and three years (mostly closed, 3.5 % open), and 10 residents with 1,000 cases more each.

import os from 'node:os';
import { MY_CASES_PAGE_SIZE } from '../src/app/cases.ts';
import { createPiiCipher } from '../src/app/pii-cipher.ts';
import { compose } from '../src/compose.ts';
import { createDb } from '../src/db/client.ts';
import { QUEUE_PAGE_SIZE, type QueueFilter } from '../src/domain/staff-work.ts';
import { createLogger } from '../src/logger.ts';
import {
  departments,
  loadCases,
  loadResidents,
  loadStaff,
  residentTelegramId,
  staffTelegramId,
  withClient,
} from './support/bulk.ts';
import { captureQueries, explainAnalyze, oneLine } from './support/explain.ts';
import { BENCH_KEY, loadReference, REFERENCE_FILE } from './support/our-bot.ts';
import type { BenchContext } from './support/runner.ts';
import { ms, percentile, table, verdict } from './support/stats.ts';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const CASES = Math.round(1_000_000 * SCALE);
const RESIDENTS = Math.round(200_000 * SCALE);
const HEAVY_RESIDENTS = 10;
const HEAVY_CASES_EACH = 1_000;
const STAFF_PER_DEPARTMENT = 8;
const CALLS = 500;
const WARMUP_CALLS = 50;
const GOAL_MS = 10;

interface Measured {
  name: string;
  latencies: number[];
  /** What the call returned, in a few words (to show it did real work). */
  shape: string;
  plans: { sql: string; plan: string }[];
  /** The machine's 1-minute load average when the calls were done (os.loadavg). */
  load: number;
}

async function measure(
  name: string,
  databaseUrl: string,
  call: (i: number) => Promise<string>,
): Promise<Measured> {
  for (let i = 0; i < WARMUP_CALLS; i++) await call(i);
  const latencies: number[] = [];
  let shape = '';
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    shape = await call(i);
    latencies.push(performance.now() - started);
  }
  const load = os.loadavg()[0] ?? 0;
  const { queries } = await captureQueries(() => call(0));
  const plans = [];
  for (const query of queries) {
    plans.push({ sql: oneLine(query), plan: await explainAnalyze(databaseUrl, query) });
  }
  return { name, latencies, shape, plans, load };
}

/**
 * Where a page's p95 went, from its plans (EXPLAIN ANALYZE, run again after the measurements): the
 * statements' execution time in PostgreSQL, the slowest of them and what it read; the remainder of the p95
 * is outside PostgreSQL's executor. Planning times are left out: each EXPLAIN runs on a fresh connection,
 * whose cold catalogue caches make planning slower than on the use case's pooled connections.
 */
function slowest(r: Measured): string {
  const figures = r.plans.map((p) => ({
    ...p,
    ms: Number(/Execution Time: ([\d.]+) ms/.exec(p.plan)?.[1] ?? 0),
    heapBlocks: Number(/Heap Blocks: exact=(\d+)/.exec(p.plan)?.[1] ?? 0),
    sorted: /Sort Key/.test(p.plan),
    rows: /Bitmap Heap Scan on "case".*?rows=([\d.]+) loops/.exec(p.plan)?.[1],
  }));
  const worst = [...figures].sort((a, b) => b.ms - a.ms)[0];
  if (!worst) return 'no statements captured';
  const executing = figures.reduce((sum, f) => sum + f.ms, 0);
  const p95 = percentile(r.latencies, 95);
  const cores = os.availableParallelism();
  return (
    `p95 ${ms(p95, 2)} (p50 ${ms(percentile(r.latencies, 50), 2)}); its ${figures.length} statements ran ` +
    `${ms(executing, 2)} in PostgreSQL's executor together, the slowest ${ms(worst.ms, 2)} ` +
    `(\`${worst.sql.slice(0, 60)}…\`)` +
    (worst.rows ? `, reading ${Number(worst.rows).toLocaleString('en')} rows` : '') +
    (worst.heapBlocks ? ` from ${worst.heapBlocks.toLocaleString('en')} heap pages` : '') +
    (worst.sorted ? (worst.rows ? ' and sorting them for the page' : ', with a sort') : '') +
    `; the other ${ms(Math.max(0, p95 - executing), 2)} or so of the p95 went to planning, round trips, ` +
    'Prisma and this process' +
    (r.load > cores
      ? `, on a machine with more work than cores (load average ${r.load.toFixed(2)} on ${cores} cores when ` +
        'these calls were done).'
      : '.')
  );
}

export async function run(ctx: BenchContext): Promise<string> {
  const server = await ctx.server();
  const database = await server.createDatabase();
  const db = createDb(database.url);
  try {
    await loadReference(db);
    const loadStarted = performance.now();
    ctx.log(
      `queries: writing ${CASES.toLocaleString('en')} cases for ${RESIDENTS.toLocaleString('en')} residents`,
    );
    const depts = await withClient(database.url, async (client) => {
      await loadStaff(client, STAFF_PER_DEPARTMENT);
      await loadResidents(client, RESIDENTS);
      await loadCases(client, {
        count: CASES,
        residents: RESIDENTS,
        staffPerDepartment: STAFF_PER_DEPARTMENT,
      });
      await loadCases(client, {
        count: HEAVY_RESIDENTS * HEAVY_CASES_EACH,
        first: CASES,
        residents: HEAVY_RESIDENTS,
        staffPerDepartment: STAFF_PER_DEPARTMENT,
      });
      // A steady state: statistics current and the visibility map set, as autovacuum leaves a table.
      await client.query('vacuum analyze "case"');
      await client.query('vacuum analyze resident');
      return departments(client);
    });
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const counts = await withClient(database.url, async (client) => {
      const { rows } = await client.query<{ total: string; open: string; size: string }>(
        `select count(*) as total,
                count(*) filter (where status in ('submitted', 'accepted', 'in_progress', 'waiting_resident')) as open,
                pg_size_pretty(pg_total_relation_size('case')) as size
           from "case"`,
      );
      return rows[0] as { total: string; open: string; size: string };
    });
    ctx.log(`queries: loaded in ${loadSeconds.toFixed(0)} s`);

    const { deps } = compose({
      db,
      cipher: createPiiCipher(BENCH_KEY),
      logger: createLogger('silent'),
      defaultLocale: 'zh-CN',
      adminTelegramIds: [],
      referenceDataFile: REFERENCE_FILE,
    });
    const deptIndex = depts.indexOf('wanshan-education');
    const staffId = staffTelegramId(deptIndex, 0);
    const department = depts[deptIndex];

    const queue = (filter: QueueFilter, page: (i: number) => number) => async (i: number) => {
      const r = await deps.staff.queue(staffId, filter, page(i));
      if (!r.ok) throw new Error(`queue: ${r.error}`);
      return `page ${r.value.page + 1} of ${r.value.pages}, ${r.value.items.length} of ${r.value.total} cases`;
    };
    const mine = (telegramId: (i: number) => number, page: (i: number) => number) => async (i: number) => {
      const r = await deps.cases.listMine(telegramId(i), page(i));
      if (!r.ok) throw new Error(`listMine: ${r.error}`);
      return `page ${r.value.page + 1} of ${r.value.pages}, ${r.value.items.length} of ${r.value.total} cases`;
    };
    const lastPage = async (filter: QueueFilter) => {
      const r = await deps.staff.queue(staffId, filter, 0);
      return r.ok ? r.value.pages - 1 : 0;
    };
    const openLast = await lastPage('open');
    const heavy = await deps.cases.listMine(residentTelegramId(0), 0);
    const heavyLast = heavy.ok ? heavy.value.pages - 1 : 0;
    // Residents spread over the table (a stride that visits different ones on every call).
    const someResident = (i: number) =>
      residentTelegramId(HEAVY_RESIDENTS + ((i * 7_919) % (RESIDENTS - HEAVY_RESIDENTS)));

    const results: Measured[] = [];
    const cases: [string, (i: number) => Promise<string>][] = [
      ['queue, open cases, first page', queue('open', () => 0)],
      ['queue, unassigned, first page', queue('unassigned', () => 0)],
      ['queue, mine, first page', queue('mine', () => 0)],
      ['queue, waiting for residents, first page', queue('waiting', () => 0)],
      [`queue, open cases, last page (${openLast + 1})`, queue('open', () => openLast)],
      ['/mycases, first page, a different resident each call', mine(someResident, () => 0)],
      [
        `/mycases of residents with ${HEAVY_CASES_EACH.toLocaleString('en')}+ cases, first page`,
        mine(
          (i) => residentTelegramId(i % HEAVY_RESIDENTS),
          () => 0,
        ),
      ],
      [
        `/mycases of residents with ${HEAVY_CASES_EACH.toLocaleString('en')}+ cases, last page (${heavyLast + 1})`,
        mine(
          (i) => residentTelegramId(i % HEAVY_RESIDENTS),
          () => heavyLast,
        ),
      ],
    ];
    for (const [name, call] of cases) {
      ctx.log(`queries: ${name}`);
      results.push(await measure(name, database.url, call));
    }

    const worst = Math.max(...results.map((r) => percentile(r.latencies, 95)));
    const lines = [
      `${Number(counts.total).toLocaleString('en')} cases (${Number(counts.open).toLocaleString('en')} open) in ` +
        `${depts.length} departments, ${counts.size} with indexes; ${RESIDENTS.toLocaleString('en')} registered ` +
        `residents; ${STAFF_PER_DEPARTMENT} staff per department. Written with generate_series in ` +
        `${loadSeconds.toFixed(0)} s, then VACUUM ANALYZE. Each use case called ${CALLS} times one after the ` +
        `other after ${WARMUP_CALLS} warm-up calls, through compose() as main.ts builds it (the staff member is ` +
        `looked up, the page and the count read, the items mapped): the latency is the use case's, in this ` +
        `process, Prisma included. The queue is ${department}'s (a staff member's view, ${QUEUE_PAGE_SIZE} a page); ` +
        `/mycases shows ${MY_CASES_PAGE_SIZE} a page.`,
      '',
      table(
        ['', 'p50', 'p95', 'p99', 'statements', 'returned'],
        results.map((r) => [
          r.name,
          ms(percentile(r.latencies, 50), 2),
          `**${ms(percentile(r.latencies, 95), 2)}**`,
          ms(percentile(r.latencies, 99), 2),
          r.plans.length,
          r.shape,
        ]),
      ),
      '',
      `Goal: p95 at most ${GOAL_MS} ms — worst p95 ${ms(worst, 2)}: ${verdict(worst, GOAL_MS, 'ms', true)}.`,
      ...results
        .filter((r) => percentile(r.latencies, 95) > GOAL_MS)
        .map((r) => `- ${r.name}: ${slowest(r)}`),
      '',
      "The plans: each statement the use case sent (Prisma's SQL, its parameters as sent), run again under " +
        'EXPLAIN (ANALYZE, BUFFERS) once the measurements were done.',
    ];
    for (const r of results) {
      lines.push('', `<details><summary>${r.name}</summary>`, '');
      for (const p of r.plans) lines.push('```sql', p.sql, '```', '```', p.plan, '```');
      lines.push('', '</details>');
    }
    return lines.join('\n');
  } finally {
    await db.$disconnect();
    await database.drop();
  }
}
