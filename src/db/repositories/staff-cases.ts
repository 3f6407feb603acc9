// The department's queue as staff see it, and taking a case. Taking is the one staff action that is not a
// plain status transition: `/next` must hand two people pressing it at the same moment two different cases,
// so the next case is chosen and locked in one statement (FOR UPDATE SKIP LOCKED) and assigned in the same
// transaction, with its event, the resident's notification, the group-post refresh and the audit row.
import type { CaseStatus } from '../../domain/case-status.ts';
import { OPEN_STATUSES } from '../../domain/case-status.ts';
import type { QueueFilter } from '../../domain/staff-work.ts';
import type { Db } from '../client.ts';
import { Prisma } from '../generated/client.ts';
import {
  type NewAudit,
  type NewNotification,
  refreshGroupPosts,
  writeAudit,
  writeNotifications,
} from './cases.ts';

export interface QueueRow {
  id: string;
  number: string;
  serviceCode: string;
  status: CaseStatus;
  priority: 'normal' | 'urgent';
  dueAt: Date;
  submittedAt: Date;
  assigneeId: string | null;
}

export interface TakenCase {
  id: string;
  number: string;
  telegramId: bigint | null;
}

/** What the caller writes with a take: built from the case that was taken. */
export type TakeEffects = (taken: TakenCase) => { notifications: NewNotification[]; audit: NewAudit };

/**
 * The queue's condition in SQL, the statuses as case_status constants. Written by hand, not as Prisma's
 * `status: { in: [...] }`: Prisma sends each status as `CAST($n::text AS case_status)`, an expression the
 * planner cannot match against a partial index's predicate, so the "open cases" page could not use
 * case_open_queue_idx (the open cases in the page's order) and read every open case of the department to
 * sort them. A `$n::case_status[]` parameter arrives as a constant, and the index is used.
 */
function queueWhere(departmentCode: string, filter: QueueFilter, staffId: string): Prisma.Sql {
  const where = Prisma.sql`department_code = ${departmentCode}`;
  if (filter === 'unassigned') return Prisma.sql`${where} and status = 'submitted' and assignee_id is null`;
  if (filter === 'waiting') return Prisma.sql`${where} and status = 'waiting_resident'`;
  const open = Prisma.sql`${where} and status = any(${[...OPEN_STATUSES]}::case_status[])`;
  if (filter === 'mine') return Prisma.sql`${open} and assignee_id = ${staffId}::uuid`;
  return open;
}

export function createStaffCaseRepository(db: Db) {
  /** Assigns a locked, still-unassigned case; the rest of the take's writes follow in the same transaction. */
  async function assign(
    tx: Prisma.TransactionClient,
    row: TakenCase,
    staffId: string,
    at: Date,
    effects: TakeEffects,
  ): Promise<void> {
    await tx.$executeRaw`update "case" set status = 'accepted', assignee_id = ${staffId}::uuid,
        first_response_at = coalesce(first_response_at, ${at}), updated_at = ${at}
      where id = ${row.id}::uuid`;
    const event = await tx.caseEvent.create({
      data: {
        caseId: row.id,
        actorKind: 'staff',
        actorId: staffId,
        kind: 'taken',
        fromStatus: 'submitted',
        toStatus: 'accepted',
        at,
      },
      select: { id: true },
    });
    const { notifications, audit } = effects(row);
    await writeNotifications(tx, row.id, notifications, event.id);
    await refreshGroupPosts(tx, row.id);
    await writeAudit(tx, row.id, audit);
  }

  return {
    async queue(
      departmentCode: string,
      filter: QueueFilter,
      staffId: string,
      page: number,
      pageSize: number,
    ): Promise<{ rows: QueueRow[]; total: number }> {
      const where = queueWhere(departmentCode, filter, staffId);
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
     * Takes the department's next unassigned case: urgent first, then the earliest due. Cases another
     * transaction has locked (someone taking them right now) are skipped, not waited for. Null when the
     * queue is empty.
     */
    async takeNext(
      departmentCode: string,
      staffId: string,
      at: Date,
      effects: TakeEffects,
    ): Promise<TakenCase | null> {
      return db.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<TakenCase[]>`
          select id, number, telegram_id as "telegramId" from "case"
           where department_code = ${departmentCode} and status = 'submitted' and assignee_id is null
           order by priority desc, due_at asc, submitted_at asc, id asc
           limit 1
           for update skip locked`;
        if (!row) return null;
        await assign(tx, row, staffId, at, effects);
        return row;
      });
    },

    /** Takes one given case, if it is still unassigned in this department ('conflict' otherwise). */
    async takeById(
      caseId: string,
      departmentCode: string,
      staffId: string,
      at: Date,
      effects: TakeEffects,
    ): Promise<TakenCase | 'conflict'> {
      return db.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<TakenCase[]>`
          select id, number, telegram_id as "telegramId" from "case"
           where id = ${caseId}::uuid and department_code = ${departmentCode}
             and status = 'submitted' and assignee_id is null
           for update`;
        if (!row) return 'conflict' as const;
        await assign(tx, row, staffId, at, effects);
        return row;
      });
    },

    /** An internal note: an event only the staff see; the case's status stays as it is. */
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
  };
}

export type StaffCaseRepository = ReturnType<typeof createStaffCaseRepository>;
