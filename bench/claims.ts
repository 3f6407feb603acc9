// `/next` claims per second: 8 staff of one department at once, each calling the staff use case
// (createStaffService(...).next, built through compose() as main.ts builds it: src/db/repositories/
// staff-cases.ts `takeNext`, one SQL statement that looks the staff member up, chooses and locks the next
// case with FOR UPDATE SKIP LOCKED and assigns it, and writes its event, the resident's notification, the
// group-post refresh and the audit row in data-modifying CTEs) until the queue of 10,000 is empty. Then
// counted in the database: every case taken once, by one person, with one "taken" event. The queue is
// written with generate_series.
import os from 'node:os';
import { createPiiCipher } from '../src/app/pii-cipher.ts';
import { compose } from '../src/compose.ts';
import { createDb } from '../src/db/client.ts';
import { createLogger } from '../src/logger.ts';
import {
  departments,
  loadCases,
  loadResidents,
  loadStaff,
  staffTelegramId,
  withClient,
} from './support/bulk.ts';
import { captureQueries, explainAnalyze, oneLine } from './support/explain.ts';
import { BENCH_KEY, loadReference, REFERENCE_FILE } from './support/our-bot.ts';
import { profile } from './support/profile.ts';
import type { BenchContext } from './support/runner.ts';
import { resetStatements, statementsOf, statementTotals } from './support/statements.ts';
import { machineBusy, ms, percentile, rate, table, verdict } from './support/stats.ts';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const QUEUED = Math.round(10_000 * SCALE);
const STAFF = 8;
const DEPARTMENT = 'wanshan-education';
const WARMUP_DEPARTMENT = 'bijiang-education';
const PROFILED_DEPARTMENT = 'bijiang-health';
const WHAT_IF_DEPARTMENT = 'songtao-education';
// What-if only, in the scratch database (not in prisma/schema.prisma): an index in the claim's own order,
// over the rows it may take, so that the next case is the first entry instead of the result of a sort.
const WHAT_IF_INDEX = `create index bench_what_if_claim_order on "case"
  (department_code, priority desc, due_at, submitted_at, id) where status = 'submitted' and assignee_id is null`;
const SIDE_QUEUE = Math.max(400, Math.round(2_000 * SCALE));
const GOAL = 1_000;

type Deps = ReturnType<typeof compose>['deps'];

/** The claim's statement in pg_stat_statements (its text cut short): the one that starts with its `me` CTE. */
const isClaimStatement = (query: string) => query.startsWith('with me as');

/** 8 staff of `department` calling /next until it answers "nothing left"; every case id taken, in order. */
async function drain(deps: Deps, deptIndex: number, latencies: number[]) {
  const taken: { caseId: string; by: number }[] = [];
  await Promise.all(
    Array.from({ length: STAFF }, async (_, k) => {
      const telegramId = staffTelegramId(deptIndex, k);
      for (;;) {
        const started = performance.now();
        const r = await deps.staff.next(telegramId);
        latencies.push(performance.now() - started);
        if (!r.ok) throw new Error(`next: ${r.error}`);
        if (!r.value) return;
        taken.push({ caseId: r.value.caseId, by: k });
      }
    }),
  );
  return taken;
}

export async function run(ctx: BenchContext): Promise<string> {
  const server = await ctx.server();
  const database = await server.createDatabase();
  const db = createDb(database.url);
  try {
    await loadReference(db);
    const depts = await withClient(database.url, async (client) => {
      const all = await departments(client);
      await loadStaff(client, STAFF);
      await loadResidents(client, 2_000);
      let first = 0;
      for (const [department, count] of [
        [DEPARTMENT, QUEUED + 1],
        [WARMUP_DEPARTMENT, SIDE_QUEUE],
        [PROFILED_DEPARTMENT, SIDE_QUEUE],
        [WHAT_IF_DEPARTMENT, QUEUED],
      ] as const) {
        await loadCases(client, {
          count,
          first,
          residents: 2_000,
          departments: [department],
          allQueued: true,
          staffPerDepartment: STAFF,
        });
        first += count;
      }
      await client.query('vacuum analyze "case"');
      return all;
    });
    const { deps } = compose({
      db,
      cipher: createPiiCipher(BENCH_KEY),
      logger: createLogger('silent'),
      defaultLocale: 'zh-CN',
      adminTelegramIds: [],
      referenceDataFile: REFERENCE_FILE,
    });
    const index = (code: string) => depts.indexOf(code);

    ctx.log('claims: warming up on another department');
    await drain(deps, index(WARMUP_DEPARTMENT), []);

    // One claim taken apart first: the statements it sends, and the plan of each with 10,000 queued.
    const { result: firstClaim, queries } = await captureQueries(() =>
      deps.staff.next(staffTelegramId(index(DEPARTMENT), 0)),
    );
    if (!firstClaim.ok || !firstClaim.value) throw new Error('the first claim found nothing');
    const plans: { sql: string; plan: string }[] = [];
    for (const q of queries) plans.push({ sql: oneLine(q), plan: await explainAnalyze(database.url, q) });

    ctx.log(`claims: ${STAFF} staff taking ${QUEUED.toLocaleString('en')} cases`);
    if (server.statements) await resetStatements(server.adminUrl);
    const latencies: number[] = [];
    const cpu = process.cpuUsage();
    const cpus = os.cpus();
    const started = performance.now();
    const taken = await drain(deps, index(DEPARTMENT), latencies);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const busy = machineBusy(cpus, os.cpus());
    const totals = server.statements ? await statementTotals(server.adminUrl, database.name) : undefined;
    const top = server.statements ? await statementsOf(server.adminUrl, database.name, 10) : [];
    ctx.log(`claims: ${rate(taken.length, seconds)} claims/s`);

    const check = await withClient(database.url, async (client) => {
      const one = async (sql: string) => Number((await client.query(sql, [DEPARTMENT])).rows[0].n);
      return {
        accepted: await one(
          `select count(*) as n from "case" where department_code = $1 and status = 'accepted' and assignee_id is not null`,
        ),
        stillQueued: await one(
          `select count(*) as n from "case" where department_code = $1 and status = 'submitted'`,
        ),
        events: await one(
          `select count(*) as n from case_event e join "case" c on c.id = e.case_id where c.department_code = $1 and e.kind = 'taken'`,
        ),
        twice: await one(
          `select count(*) as n from (select e.case_id from case_event e join "case" c on c.id = e.case_id
            where c.department_code = $1 and e.kind = 'taken' group by e.case_id having count(*) > 1) t`,
        ),
        notifications: await one(
          `select count(*) as n from notification n join "case" c on c.id = n.case_id
            where c.department_code = $1 and n.kind = 'resident.case_taken'`,
        ),
      };
    });
    const distinct = new Set(taken.map((t) => t.caseId)).size;
    const perStaff = Array.from({ length: STAFF }, (_, k) => taken.filter((t) => t.by === k).length);
    const doubles = taken.length - distinct + check.twice;

    ctx.log('claims: a profiled pass on a third department');
    const side = await profile(() => drain(deps, index(PROFILED_DEPARTMENT), []));

    // Does the claim sort the queue (no index in its order), or take an index's first entry? Only the part
    // of the plan that chooses the case counts (the statement's `pick` CTE; the staff look-up sorts too).
    const claimPlan = plans.find((p) => /skip locked/i.test(p.sql))?.plan ?? '';
    const pickPlan = /^ {2}CTE pick$[\s\S]*?(?=^ {2}\S)/m.exec(claimPlan)?.[0] ?? claimPlan;
    const sortsQueue = /Sort Key/.test(pickPlan);
    const claimSelect = top.find((t) => isClaimStatement(t.query));
    let whatIf: string | undefined;
    if (sortsQueue) {
      ctx.log("claims: what-if, with an index in the claim's order");
      await withClient(database.url, (client) => client.query(WHAT_IF_INDEX));
      if (server.statements) await resetStatements(server.adminUrl);
      const latencies: number[] = [];
      const cpus = os.cpus();
      const started = performance.now();
      const claims = await drain(deps, index(WHAT_IF_DEPARTMENT), latencies);
      const secs = (performance.now() - started) / 1000;
      const busyNow = machineBusy(cpus, os.cpus());
      const select = server.statements
        ? (await statementsOf(server.adminUrl, database.name, 20)).find((t) => isClaimStatement(t.query))
        : undefined;
      const doubled = claims.length - new Set(claims.map((t) => t.caseId)).size;
      whatIf =
        'What-if, in the scratch database only (not in prisma/schema.prisma): with ' +
        `\`${WHAT_IF_INDEX.replace(/\s+/g, ' ')}\`, the same ${QUEUED.toLocaleString('en')} claims in ` +
        `${WHAT_IF_DEPARTMENT}: **${rate(claims.length, secs)} claims/s**, p95 ${ms(percentile(latencies, 95))}, ` +
        `the claim statement ${select ? ms(select.meanMs, 3) : 'n/a'} on average, machine ${(busyNow * 100).toFixed(0)} % ` +
        `busy, ${doubled} double claims.`;
    }

    const claimsPerSecond = rate(taken.length, seconds);
    const cpuPerClaim = (used.user + used.system) / 1000 / taken.length;
    const lines = [
      `${QUEUED.toLocaleString('en')} submitted, unassigned cases in ${DEPARTMENT} (written with generate_series, ` +
        `then VACUUM ANALYZE), ${STAFF} of its staff calling \`/next\`'s use case at once, each as soon as the ` +
        'previous answer came, until it said the queue was empty; one Node process, a pool of 10 connections ' +
        `(createDb's default). Warmed up on ${SIDE_QUEUE.toLocaleString('en')} cases of another department first.`,
      '',
      table(
        ['claims/s', 'claims', 'p50', 'p95', 'p99', 'per staff member', 'Node CPU / claim', 'machine busy'],
        [
          [
            `**${claimsPerSecond}**`,
            taken.length.toLocaleString('en'),
            ms(percentile(latencies, 50)),
            ms(percentile(latencies, 95)),
            ms(percentile(latencies, 99)),
            perStaff.join(' / '),
            ms(cpuPerClaim, 2),
            `${(busy * 100).toFixed(0)} % of ${os.cpus().length} cores`,
          ],
        ],
      ),
      '',
      `Counted afterwards: ${check.accepted.toLocaleString('en')} cases accepted with an assignee, ` +
        `${check.stillQueued} still queued, ${check.events.toLocaleString('en')} "taken" events, ` +
        `${check.twice} cases with more than one, ${check.notifications.toLocaleString('en')} notifications to ` +
        `residents; ${distinct.toLocaleString('en')} distinct case ids handed out for ` +
        `${taken.length.toLocaleString('en')} claims. **Double claims: ${doubles}.**`,
      '',
      `Goal: at least ${GOAL} claims/s with zero double claims — ${claimsPerSecond}/s: ` +
        `${verdict(claimsPerSecond, GOAL, 'claims/s')}; double claims: ${doubles === 0 ? '**none**' : `**${doubles}**`}.`,
    ];
    if (totals) {
      lines.push(
        '',
        `PostgreSQL: ${(totals.calls / taken.length).toFixed(1)} statements and ${ms(totals.ms / taken.length, 2)} ` +
          'of execution per claim (pg_stat_statements, BEGIN and COMMIT included); most time first:',
        '',
        table(
          ['calls', 'total', 'mean', 'statement'],
          top.map((s) => [
            s.calls,
            ms(s.totalMs, 0),
            ms(s.meanMs, 3),
            `\`${s.query.replaceAll('|', '\\|')}\``,
          ]),
        ),
      );
    }
    const selectShare = claimSelect && totals ? claimSelect.totalMs / totals.ms : undefined;
    lines.push(
      '',
      sortsQueue
        ? "**What limits it.** The claim's SELECT … FOR UPDATE SKIP LOCKED reads and sorts every queued case of " +
            'the department on every claim (plan below: no index in its order — urgent first, then the earliest ' +
            `due — so no early stop)${selectShare === undefined ? '' : `: ${(selectShare * 100).toFixed(0)} % of PostgreSQL's time`}, ` +
            `with the machine's cores ${(busy * 100).toFixed(0)} % busy. ${whatIf ?? ''}`
        : '**What limits it.** A claim is one statement, one round trip and one commit: its FOR UPDATE SKIP ' +
            "LOCKED takes the first entry of an index in the queue's order (plan below)" +
            `${claimSelect ? `, and the whole statement executes in ${ms(claimSelect.meanMs, 3)} on average` : ''}; ` +
            `PostgreSQL spends ${totals ? ms(totals.ms / taken.length, 2) : 'n/a'} of execution per claim in ` +
            'all (pg_stat_statements leaves out parsing, planning and the commit). This process spends ' +
            `${ms(cpuPerClaim, 2)} of CPU per claim (profile below): ${((claimsPerSecond * cpuPerClaim) / 10).toFixed(0)} % ` +
            `of one core at this rate, on a machine ${(busy * 100).toFixed(0)} % busy — the rest of the ` +
            "machine's time is PostgreSQL's and whatever else runs on it.",
    );
    lines.push(
      '',
      `Where this process's time goes (the CPU profiler over the same drain of ${SIDE_QUEUE.toLocaleString('en')} ` +
        `cases in ${PROFILED_DEPARTMENT}; self time by package):`,
      '',
      table(
        ['where', 'share'],
        side.summary.rows.slice(0, 10).map((r) => [r.what, `${(r.share * 100).toFixed(0)} %`]),
      ),
      '',
      'The statements of one claim (the first, with the whole queue in front of it) and their plans, ' +
        'EXPLAIN (ANALYZE, BUFFERS) in a transaction rolled back:',
      '',
      '<details><summary>plans</summary>',
      '',
    );
    for (const p of plans) lines.push('```sql', p.sql, '```', '```', p.plan, '```');
    lines.push('', '</details>');
    return lines.join('\n');
  } finally {
    await db.$disconnect();
    await database.drop();
  }
}
