// What the deadline watcher does on each tick, every job in its own transaction. Several bot instances may
// tick at the same moment: each job first takes a transaction-level advisory lock (the other instances skip
// it this time) and marks its work in the same transaction (a group post is a notification row, an
// escalation a case event, a digest a job_run row), so nothing is done twice. Cases are locked with SKIP
// LOCKED: a case someone is taking right now is left for the next tick instead of being waited for.
import type { DeadlineStore } from '../../app/jobs/deadline-watcher.ts';
import type { Db } from '../client.ts';
import type { Prisma } from '../generated/client.ts';
import { GROUP_POST_KIND, type NewNotification, writeNotifications } from './cases.ts';
import { systemTransition } from './shared.ts';

type Tx = Prisma.TransactionClient;

const BATCH = 200;

/** Runs `work` if no other instance runs the same job right now; null when it was skipped. */
async function exclusively<T>(db: Db, job: string, work: (tx: Tx) => Promise<T>): Promise<T | null> {
  return db.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ ok: boolean }[]>`
        select pg_try_advisory_xact_lock(hashtext(${`bianmin:${job}`})) as ok`;
      if (!lock?.ok) return null;
      return work(tx);
    },
    { timeout: 60_000 },
  );
}

interface DigestRow {
  staffId: string;
  telegramId: bigint;
  departmentCode: string;
  mineOverdue: number;
  mineToday: number;
  queueOverdue: number;
  queueToday: number;
  /** Numbers of the staff member's own overdue and due-today cases, most urgent first (at most 10). */
  numbers: string[];
}

export function createDeadlineRepository(db: Db): DeadlineStore {
  return {
    /**
     * Posts the department's new, still unassigned cases (submitted, released or transferred in since
     * `since`) to the department's Telegram group, once per case and group: a group configured today is not
     * flooded with the old queue. Returns how many posts were queued.
     */
    async postNewCasesToGroups(since: Date): Promise<number | null> {
      return exclusively(db, 'group-posts', async (tx) => {
        const rows = await tx.$queryRaw<{ id: string; group_id: bigint }[]>`
          select c.id, d.telegram_group_id as group_id
            from "case" c join department d on d.code = c.department_code
           where d.telegram_group_id is not null and d.active
             and c.status = 'submitted' and c.assignee_id is null and c.updated_at >= ${since}
             and not exists (select 1 from notification n
                              where n.case_id = c.id and n.kind = ${GROUP_POST_KIND}
                                and n.telegram_id = d.telegram_group_id)
           order by c.submitted_at
           limit ${BATCH}
           for update of c skip locked`;
        for (const r of rows) {
          await writeNotifications(tx, r.id, [
            { telegramId: r.group_id, kind: GROUP_POST_KIND, payload: {} },
          ]);
        }
        return rows.length;
      });
    },

    /**
     * Urgent cases still not taken `submittedBefore`: each is escalated once (a system event marks it) to
     * every active staff member of its department and to its group. Returns how many cases were escalated.
     */
    async escalateUnclaimedUrgent(submittedBefore: Date, at: Date): Promise<number | null> {
      return exclusively(db, 'urgent-escalation', async (tx) => {
        const rows = await tx.$queryRaw<{ id: string; department_code: string; group_id: bigint | null }[]>`
          select c.id, c.department_code, d.telegram_group_id as group_id
            from "case" c join department d on d.code = c.department_code
           where c.priority = 'urgent' and c.status = 'submitted' and c.assignee_id is null
             and c.submitted_at <= ${submittedBefore}
             and not exists (select 1 from case_event e where e.case_id = c.id and e.kind = 'escalated')
           order by c.submitted_at
           limit ${BATCH}
           for update of c skip locked`;
        for (const r of rows) {
          const staff = await tx.staffMember.findMany({
            where: { departmentCode: r.department_code, role: 'staff', active: true },
            select: { telegramId: true },
          });
          const alerts: NewNotification[] = staff.map((s) => ({
            telegramId: s.telegramId,
            kind: 'staff.urgent_unclaimed',
            payload: {},
          }));
          if (r.group_id !== null)
            alerts.push({ telegramId: r.group_id, kind: 'group.urgent_unclaimed', payload: {} });
          await tx.caseEvent.create({
            data: {
              caseId: r.id,
              actorKind: 'system',
              kind: 'escalated',
              fromStatus: 'submitted',
              toStatus: 'submitted',
              visibleToResident: false,
              at,
            },
          });
          await writeNotifications(tx, r.id, alerts);
        }
        return rows.length;
      });
    },

    /**
     * The morning digest for `period` (a Beijing date), once: claims the period in job_run and writes one
     * notification per active staff member who has something overdue or due before `endOfDay`.
     * Null when the period was done already (by this instance or another).
     */
    async runDigest(period: string, now: Date, endOfDay: Date): Promise<number | null> {
      return db.$transaction(
        async (tx) => {
          const claimed = await tx.$queryRaw<{ job: string }[]>`
            insert into job_run (job, period, ran_at) values ('digest', ${period}, ${now})
            on conflict do nothing returning job`;
          if (claimed.length === 0) return null;
          const staff = await tx.staffMember.findMany({
            where: { role: 'staff', active: true, departmentCode: { not: null } },
            select: { id: true, telegramId: true, departmentCode: true },
          });
          const mine = await tx.$queryRaw<{ assignee_id: string; number: string; overdue: boolean }[]>`
            select assignee_id, number, due_at < ${now} as overdue from "case"
             where assignee_id is not null and status in ('accepted', 'in_progress', 'waiting_resident')
               and due_at < ${endOfDay}
             order by priority desc, due_at`;
          const queue = await tx.$queryRaw<{ department_code: string; overdue: number; today: number }[]>`
            select department_code,
                   count(*) filter (where due_at < ${now})::int as overdue,
                   count(*) filter (where due_at >= ${now})::int as today
              from "case"
             where status = 'submitted' and assignee_id is null and due_at < ${endOfDay}
             group by department_code`;
          const rows: DigestRow[] = staff.map((s) => {
            const own = mine.filter((m) => m.assignee_id === s.id);
            const q = queue.find((x) => x.department_code === s.departmentCode);
            return {
              staffId: s.id,
              telegramId: s.telegramId,
              departmentCode: s.departmentCode ?? '',
              mineOverdue: own.filter((m) => m.overdue).length,
              mineToday: own.filter((m) => !m.overdue).length,
              queueOverdue: q?.overdue ?? 0,
              queueToday: q?.today ?? 0,
              numbers: own.slice(0, 10).map((m) => m.number),
            };
          });
          const due = rows.filter((r) => r.mineOverdue + r.mineToday + r.queueOverdue + r.queueToday > 0);
          await writeNotifications(
            tx,
            null,
            due.map((r) => ({
              telegramId: r.telegramId,
              kind: 'staff.digest',
              payload: {
                period,
                mineOverdue: r.mineOverdue,
                mineToday: r.mineToday,
                queueOverdue: r.queueOverdue,
                queueToday: r.queueToday,
                numbers: r.numbers,
              },
            })),
          );
          return due.length;
        },
        { timeout: 60_000 },
      );
    },

    /**
     * Resolved and rejected cases whose answer is older than `answeredBefore` close by themselves (the
     * resident's window to reopen has passed). A rejected case cannot change any more, so its last update
     * is its rejection. Returns how many were closed.
     */
    async closeAnswered(answeredBefore: Date, at: Date): Promise<number | null> {
      return exclusively(db, 'auto-close', async (tx) => {
        const rows = await tx.$queryRaw<{ id: string; status: 'resolved' | 'rejected' }[]>`
          select c.id, c.status::text as status from "case" c
           where (c.status = 'resolved' and c.resolved_at < ${answeredBefore})
              or (c.status = 'rejected' and c.updated_at < ${answeredBefore})
           limit ${BATCH * 5}
           for update of c skip locked`;
        for (const r of rows) {
          await systemTransition(tx, r, { to: 'closed', kind: 'closed', at, data: { closedAt: at } });
        }
        return rows.length;
      });
    },
  };
}
