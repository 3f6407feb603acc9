// The department's queue as staff see it, and taking a case. Taking is the one staff action that is not a
// plain status transition: `/next` must hand two people pressing it at the same moment two different cases,
// so the next case is chosen and locked (FOR UPDATE SKIP LOCKED) and assigned in one SQL statement, with its
// event, the resident's notification, the group-post refresh and the audit row: one round trip, one commit.
import type {
  QueueNarrowing,
  QueueRow,
  StaffCaseStore,
  TakeEffects,
  TakenCase,
} from '../../app/staff/ports.ts';
import { OPEN_STATUSES } from '../../domain/case-status.ts';
import type { QueueFilter } from '../../domain/staff-work.ts';
import { type Db, hotQuery } from '../client.ts';
import { Prisma } from '../generated/client.ts';
import { GROUP_POST_KIND, GROUP_REFRESH_KIND, type NewAudit, writeAudit } from './cases.ts';

/**
 * The take, after a `me` CTE (the taker's staff id) and a `pick` CTE (the case, locked) — all of it one
 * statement, so one round trip and one commit (in a Prisma interactive transaction the same writes were
 * nine statements and most of a claim's cost was this process's CPU). Parameters $1–$8 are the tail's
 * (see takeParams); the head's start at $9. What the old per-row writes did, row for row:
 * - the case: accepted, the taker's, its first response stamped once;
 * - its "taken" event;
 * - the notifications: the resident's (if the case has a Telegram id), then an edit of each of the case's
 *   department-group posts, in post order. All sub-statements see one snapshot, taken when the statement
 *   starts: a group post committed after that but before `pick` locked the case (the deadline watcher
 *   holds the case row locked while it writes one) is not seen here; the dispatcher renders a post from the
 *   case as it is when sent, so only a post sent within that sub-millisecond gap could stay unedited;
 * - the audit row, its detail with the taker's id added.
 * The final SELECT always answers one row: `staffId` null when `me` found nobody, `id` null when nothing
 * was taken.
 */
const TAKE_TAIL = `,
taken as (
  update "case" c
     set status = 'accepted', assignee_id = me.id,
         first_response_at = coalesce(c.first_response_at, $1::timestamp), updated_at = $1::timestamp
    from pick, me
   where c.id = pick.id
  returning c.id, c.number, c.telegram_id, me.id as staff_id
),
event as (
  insert into case_event (case_id, actor_kind, actor_id, kind, from_status, to_status, at)
  select id, 'staff'::actor_kind, staff_id::text, 'taken', 'submitted'::case_status, 'accepted'::case_status,
         $1::timestamp
    from taken
),
notifications as (
  insert into notification (telegram_id, kind, payload, case_id, created_at, next_attempt_at)
  select n.telegram_id, n.kind, n.payload, taken.id, $2::timestamp, $2::timestamp
    from taken
         cross join lateral (
           select taken.telegram_id, $3::text as kind, $4::jsonb as payload, 0::bigint as post
            where taken.telegram_id is not null
           union all
           select p.telegram_id, '${GROUP_REFRESH_KIND}', jsonb_build_object('postId', p.id::text), p.id
             from notification p
            where p.case_id = taken.id and p.kind = '${GROUP_POST_KIND}'
         ) n
   order by n.post
),
audit as (
  insert into audit_log (at, actor_telegram_id, action, case_id, subject, detail)
  select $2::timestamp, $5::bigint, $6::text, id, $7::text,
         coalesce($8::jsonb, '{}'::jsonb) || jsonb_build_object('staffId', staff_id)
    from taken
)
select (select id from me) as "staffId", taken.id, taken.number, taken.telegram_id as "telegramId"
  from (values (1)) as one (x) left join taken on true`;

/**
 * /next: `me` is the caller's department staff membership — active, role staff, with a department, the
 * earliest if several, as member() in src/app/staff/access.ts — locked FOR SHARE, so that a removal (which
 * updates the row, then releases the member's open cases in a later statement) either waits for this take
 * and then releases the case too, or commits first and this take finds nobody. `pick` is the department's next
 * unassigned case in queue order (urgent first, then the earliest due; the "queue order" index), skipping
 * cases someone is taking right now; a case taken and committed meanwhile is re-checked and passed over.
 * The status is a sub-select, not a constant, on purpose: with a constant the planner may prove the
 * partial index case_open_queue_idx usable and, its pages being fewer, prefer it, but there the queue's
 * next case comes after every open case already taken that is more urgent or due earlier (all of them, as
 * /next works through a queue), skipped one by one on every claim: 8 ms a claim after 10,000 claims,
 * instead of the "queue order" index's first entry.
 */
const TAKE_NEXT_SQL = `with me as materialized (
  select id, department_code from staff_member
   where telegram_id = $9::bigint and active and role = 'staff' and department_code is not null
   order by created_at
   limit 1
   for share
),
pick as materialized (
  select c.id from "case" c
   where c.department_code = (select department_code from me)
     and c.status = (select 'submitted'::case_status) and c.assignee_id is null
   order by c.priority desc, c.due_at asc, c.submitted_at asc, c.id asc
   limit 1
   for update of c skip locked
)${TAKE_TAIL}`;

/**
 * One given case (from its card, `/open <number>`, or a group post), if it is still unassigned in the
 * department (waits for a take in progress, then re-checks). `me` is the taker's membership, still active
 * department staff of that department, locked FOR SHARE as in /next: the caller was checked before this
 * statement, and a removal committed since then (or in progress: the take waits for it) must not leave the
 * case held by a removed member, so the take then finds nobody and takes nothing.
 */
const TAKE_BY_ID_SQL = `with me as materialized (
  select id, department_code from staff_member
   where id = $11::uuid and active and role = 'staff' and department_code = $10::text
   for share
),
pick as materialized (
  select c.id from "case" c
   where c.id = $9::uuid and c.department_code = (select department_code from me)
     and c.status = 'submitted' and c.assignee_id is null
   for update of c
)${TAKE_TAIL}`;

interface TakeRow {
  staffId: string | null;
  id: string | null;
  number: string | null;
  /** int8 comes from pg as text. */
  telegramId: string | null;
}

/**
 * $1–$8 of TAKE_TAIL, as pg sends them (the statement goes straight through pg, see hotQuery): times as UTC
 * ISO text (a `timestamp` column keeps the UTC wall clock, as Prisma writes it), ids as text. Notifications
 * and audit rows are stamped with this clock, as writeAudit does.
 */
function takeParams(at: Date, effects: TakeEffects): unknown[] {
  const { audit, residentNotification } = effects;
  const written = new Date();
  return [
    at.toISOString(),
    written.toISOString(),
    residentNotification.kind,
    JSON.stringify(residentNotification.payload),
    audit.actorTelegramId === undefined || audit.actorTelegramId === null
      ? null
      : String(audit.actorTelegramId),
    audit.action,
    audit.subject ?? null,
    audit.detail ? JSON.stringify(audit.detail) : null,
  ];
}

function takenOf(row: TakeRow | undefined): TakenCase | null {
  return row?.id && row.number !== null
    ? { id: row.id, number: row.number, telegramId: row.telegramId === null ? null : BigInt(row.telegramId) }
    : null;
}

/**
 * The queue's condition in SQL, the statuses as case_status constants. Written by hand, not as Prisma's
 * `status: { in: [...] }`: Prisma sends each status as `CAST($n::text AS case_status)`, an expression the
 * planner cannot match against a partial index's predicate, so the "open cases" page could not use
 * case_open_queue_idx (the open cases in the page's order) and read every open case of the department to
 * sort them. A `$n::case_status[]` parameter arrives as a constant, and the index is used.
 */
function queueWhere(
  departmentCode: string,
  filter: QueueFilter,
  staffId: string,
  narrow: QueueNarrowing = {},
): Prisma.Sql {
  let where = Prisma.sql`department_code = ${departmentCode}`;
  if (narrow.urgent) where = Prisma.sql`${where} and priority = 'urgent'`;
  if (narrow.overdueAt) where = Prisma.sql`${where} and due_at < ${narrow.overdueAt}`;
  if (narrow.serviceCode) where = Prisma.sql`${where} and service_code = ${narrow.serviceCode}`;
  if (filter === 'unassigned') return Prisma.sql`${where} and status = 'submitted' and assignee_id is null`;
  if (filter === 'waiting') return Prisma.sql`${where} and status = 'waiting_resident'`;
  const open = Prisma.sql`${where} and status = any(${[...OPEN_STATUSES]}::case_status[])`;
  if (filter === 'mine') return Prisma.sql`${open} and assignee_id = ${staffId}::uuid`;
  return open;
}

export function createStaffCaseRepository(db: Db): StaffCaseStore {
  return {
    async queue(
      departmentCode: string,
      filter: QueueFilter,
      staffId: string,
      page: number,
      pageSize: number,
      narrow?: QueueNarrowing,
    ): Promise<{ rows: QueueRow[]; total: number }> {
      const where = queueWhere(departmentCode, filter, staffId, narrow);
      const [rows, [count]] = await Promise.all([
        // Urgent first (the enum is declared normal, urgent), then the nearest due time. The order names the
        // table's columns (c.), not the text the select turns them into, or the enum would sort as text.
        db.$queryRaw<QueueRow[]>`
          select c.id, c.number, c.service_code as "serviceCode", c.status::text as status,
                 c.priority::text as priority, c.due_at as "dueAt", c.submitted_at as "submittedAt",
                 c.assignee_id as "assigneeId"
            from "case" c
           where ${where}
           order by c.priority desc, c.due_at asc, c.submitted_at asc, c.id asc
           limit ${pageSize} offset ${page * pageSize}`,
        db.$queryRaw<{ total: number }[]>`select count(*)::int as total from "case" where ${where}`,
      ]);
      const total = count?.total ?? 0;
      return { rows, total };
    },

    /**
     * Cases another transaction has locked (someone taking them right now) are skipped, not waited for.
     */
    async takeNext(
      telegramId: number | bigint,
      at: Date,
      effects: TakeEffects,
    ): Promise<{ staffId: string; taken: TakenCase | null } | null> {
      // A named statement through pg: parsed and planned once per connection. Sent unnamed through Prisma, its
      // planning (0.35 ms) cost more than its execution (0.27 ms), on every claim.
      const { rows } = await hotQuery<TakeRow>(db, 'staff-take-next', TAKE_NEXT_SQL, [
        ...takeParams(at, effects),
        String(telegramId),
      ]);
      const row = rows[0];
      return row?.staffId ? { staffId: row.staffId, taken: takenOf(row) } : null;
    },

    async takeById(
      caseId: string,
      departmentCode: string,
      staffId: string,
      at: Date,
      effects: TakeEffects,
    ): Promise<TakenCase | 'conflict' | 'not_staff'> {
      const { rows } = await hotQuery<TakeRow>(db, 'staff-take-by-id', TAKE_BY_ID_SQL, [
        ...takeParams(at, effects),
        caseId,
        departmentCode,
        staffId,
      ]);
      const row = rows[0];
      if (!row?.staffId) return 'not_staff';
      return takenOf(row) ?? 'conflict';
    },

    async addNote(
      caseId: string,
      staffId: string,
      noteCipher: Uint8Array,
      at: Date,
      audit: NewAudit,
    ): Promise<'ok' | 'gone'> {
      return db.$transaction(async (tx) => {
        const current = await tx.case.findUnique({ where: { id: caseId }, select: { status: true } });
        if (!current) return 'gone' as const;
        await tx.caseEvent.create({
          data: {
            caseId,
            actorKind: 'staff',
            actorId: staffId,
            kind: 'note',
            fromStatus: current.status,
            toStatus: current.status,
            noteCipher: new Uint8Array(noteCipher),
            visibleToResident: false,
            at,
          },
        });
        await writeAudit(tx, caseId, audit);
        return 'ok' as const;
      });
    },

    async caseExists(caseId: string): Promise<boolean> {
      return (await db.case.count({ where: { id: caseId } })) === 1;
    },

    async otherNamedCases(residentId: string, exceptCaseId: string, limit: number) {
      return db.case.findMany({
        where: { residentId, anonymous: false, id: { not: exceptCaseId } },
        select: {
          id: true,
          number: true,
          serviceCode: true,
          status: true,
          departmentCode: true,
          submittedAt: true,
        },
        orderBy: [{ submittedAt: 'desc' }, { id: 'desc' }],
        take: limit,
      });
    },
  };
}
