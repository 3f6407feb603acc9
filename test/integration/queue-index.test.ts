// The staff queue's pages against a real PostgreSQL: the rows each filter returns, and the index the pages
// read (case_open_queue_idx: the open cases in the page's order, with the columns a page shows or filters on,
// so that "open", "unassigned" and "mine" are index-only scans). Plans only, no timings: the
// statements the repository really sends (captured from the pg driver) under EXPLAIN, sequential scans off
// so that a small table plans as a large one would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCases, loadResidents, loadStaff, withClient } from '../../bench/support/bulk.ts';
import { captureQueries, type SentQuery } from '../../bench/support/explain.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { loadReferenceData, readReferenceData } from '../../src/db/reference-data.ts';
import { createStaffCaseRepository } from '../../src/db/repositories/staff-cases.ts';
import { OPEN_STATUSES } from '../../src/domain/case-status.ts';
import { QUEUE_FILTERS, type QueueFilter } from '../../src/domain/staff-work.ts';
import { REFERENCE_FILE } from '../support/bot-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const DEPARTMENT = 'wanshan-education';
const PAGE_SIZE = 8;

let database: TestDatabase;
let db: Db;
let staffId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { poolSize: 4 });
  await loadReferenceData(db, await readReferenceData(REFERENCE_FILE));
  staffId = await withClient(database.url, async (client) => {
    await loadStaff(client, 2);
    await loadResidents(client, 200);
    // 3.5 % of these are open: about 100 open cases per department, among about 2,700 closed ones.
    await loadCases(client, { count: 50_000, residents: 200, staffPerDepartment: 2 });
    await client.query('vacuum analyze "case"');
    // A staff member with open cases of their own, for "mine".
    const { rows } = await client.query<{ id: string }>(
      `select assignee_id as id from "case"
        where department_code = $1 and status = 'in_progress' and assignee_id is not null limit 1`,
      [DEPARTMENT],
    );
    if (!rows[0]) throw new Error('the generated cases changed: no in-progress case in the department');
    return rows[0].id;
  });
});
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

/** The plan of a statement as the repository sent it (text and parameters), without running it. */
async function explain(query: SentQuery): Promise<string> {
  return withClient(database.url, async (client) => {
    await client.query('set enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain ${query.text}`, query.values);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

describe('the staff queue', () => {
  it('has the open-cases index, over exactly the open statuses', async () => {
    const [index] = await withClient(database.url, async (client) => {
      const { rows } = await client.query<{ columns: string; predicate: string }>(
        `select pg_get_indexdef(i.indexrelid) as columns, pg_get_expr(i.indpred, i.indrelid) as predicate
           from pg_index i join pg_class c on c.oid = i.indexrelid
          where c.relname = 'case_open_queue_idx'`,
      );
      return rows;
    });
    expect(index?.columns).toContain(
      '(department_code, priority DESC, due_at, submitted_at, id, status, assignee_id, number, service_code)',
    );
    const statuses = [...(index?.predicate ?? '').matchAll(/'(\w+)'::case_status/g)].map((m) => m[1]);
    expect(statuses.sort()).toEqual([...OPEN_STATUSES].sort());
  });

  /** The plans of the page and the count the repository sends for one queue page. */
  async function plans(filter: QueueFilter, page: number): Promise<{ page: string; count: string }> {
    const repo = createStaffCaseRepository(db);
    const { result, queries } = await captureQueries(() =>
      repo.queue(DEPARTMENT, filter, staffId, page, PAGE_SIZE),
    );
    expect(result.rows.length).toBeGreaterThan(0);
    const pageQuery = queries.find((q) => /order by/i.test(q.text));
    const countQuery = queries.find((q) => /count\(\*\)/i.test(q.text));
    if (!pageQuery || !countQuery)
      throw new Error(`the page and its count were not captured: ${queries.length} statements`);
    return { page: await explain(pageQuery), count: await explain(countQuery) };
  }

  it('reads the open-cases pages (first and last) from that index alone, in its order, without a sort', async () => {
    const total = (await createStaffCaseRepository(db).queue(DEPARTMENT, 'open', staffId, 0, PAGE_SIZE))
      .total;
    for (const page of [0, Math.ceil(total / PAGE_SIZE) - 1]) {
      const plan = await plans('open', page);
      expect(plan.page).toMatch(/Index Only Scan using case_open_queue_idx on "case"/);
      expect(plan.page).not.toMatch(/Sort|Filter:/); // every entry the scan reads is a row of the page, in order
      expect(plan.count).toMatch(/Index Only Scan using case_open_queue_idx on "case"/);
    }
  });

  it('filters "unassigned" and "mine" inside that index too: no case read from the table', async () => {
    for (const filter of ['unassigned', 'mine'] as const) {
      const plan = await plans(filter, 0);
      expect(plan.page).toMatch(/Index Only Scan using case_open_queue_idx on "case"/);
      expect(plan.page).not.toMatch(/Sort/);
      expect(plan.count).toMatch(/Index Only Scan using case_open_queue_idx on "case"/);
    }
  });

  it.each(QUEUE_FILTERS)(
    'returns what the filter "%s" asks for, in the queue order, and counts it',
    async (filter) => {
      const repo = createStaffCaseRepository(db);
      const expected = await db.case.findMany({
        where: {
          departmentCode: DEPARTMENT,
          status: { in: [...OPEN_STATUSES] },
          ...expectedWhere(filter),
        },
        select: {
          id: true,
          number: true,
          serviceCode: true,
          status: true,
          priority: true,
          dueAt: true,
          submittedAt: true,
          assigneeId: true,
        },
        orderBy: [{ priority: 'desc' }, { dueAt: 'asc' }, { submittedAt: 'asc' }, { id: 'asc' }],
      });
      expect(expected.length).toBeGreaterThan(PAGE_SIZE);
      const first = await repo.queue(DEPARTMENT, filter, staffId, 0, PAGE_SIZE);
      expect(first.total).toBe(expected.length);
      expect(first.rows).toEqual(expected.slice(0, PAGE_SIZE));
      const last = Math.ceil(expected.length / PAGE_SIZE) - 1;
      expect((await repo.queue(DEPARTMENT, filter, staffId, last, PAGE_SIZE)).rows).toEqual(
        expected.slice(last * PAGE_SIZE),
      );
    },
  );
});

function expectedWhere(filter: QueueFilter) {
  if (filter === 'unassigned') return { status: 'submitted' as const, assigneeId: null };
  if (filter === 'mine') return { assigneeId: staffId };
  if (filter === 'waiting') return { status: 'waiting_resident' as const };
  return {};
}
