// The department's queue as staff see it, and taking a case. Taking is the one staff action that is not a
// plain status transition: `/next` must hand two people pressing it at the same moment two different cases,
// so the next case is chosen and locked in one statement (FOR UPDATE SKIP LOCKED) and assigned in the same
// transaction, with its event, the resident's notification, the group-post refresh and the audit row.
import type { CaseStatus } from '../../domain/case-status.ts';
import { OPEN_STATUSES } from '../../domain/case-status.ts';
import type { QueueFilter } from '../../domain/staff-work.ts';
import type { Db } from '../client.ts';
import type { Prisma } from '../generated/client.ts';
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

function queueWhere(departmentCode: string, filter: QueueFilter, staffId: string): Prisma.CaseWhereInput {
  const where: Prisma.CaseWhereInput = { departmentCode, status: { in: [...OPEN_STATUSES] } };
  if (filter === 'unassigned') return { ...where, status: 'submitted', assigneeId: null };
  if (filter === 'mine') return { ...where, assigneeId: staffId };
  if (filter === 'waiting') return { ...where, status: 'waiting_resident' };
  return where;
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
      const [rows, total] = await Promise.all([
        db.case.findMany({
          where,
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
          // Urgent first (the enum is declared normal, urgent), then the nearest due time.
          orderBy: [{ priority: 'desc' }, { dueAt: 'asc' }, { submittedAt: 'asc' }, { id: 'asc' }],
          skip: page * pageSize,
          take: pageSize,
        }),
        db.case.count({ where }),
      ]);
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
