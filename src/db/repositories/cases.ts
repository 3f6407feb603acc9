// Cases, their events, attachments, and the notifications (outbox) and audit rows that go with a change.
// Every change is one transaction: the case row (guarded by its current status, so two people cannot both
// move it), its event, its notifications and its audit row commit together or not at all. It implements
// CaseStore, the port the case use cases declare (src/app/case-store.ts, with the records and inputs).
import type {
  CaseAttachmentRecord,
  CaseEventRecord,
  CaseLimitRefusal,
  CaseLimits,
  CaseListRow,
  CaseRecord,
  CaseStore,
  NewAttachment,
  NewAudit,
  NewCase,
  NewNotification,
  NewTell,
  TransitionInput,
} from '../../app/case-store.ts';
import { FILED_EVENT_KIND, GROUP_POST_KIND } from '../../app/case-store.ts';
import { type CaseStatus, OPEN_STATUSES } from '../../domain/case-status.ts';
import type { InboundCandidate } from '../../domain/inbound.ts';
import type { Db } from '../client.ts';
import type { Prisma } from '../generated/client.ts';
import { seatLeft } from './courses.ts';

// The port's types, for the other repositories that write notifications and audit rows the same way.
export type { NewAttachment, NewAudit, NewEvent, NewNotification } from '../../app/case-store.ts';

type Tx = Prisma.TransactionClient;

/** Kind of a department group's post of a new case (declared with the port), and of the edit that refreshes it. */
export { GROUP_POST_KIND } from '../../app/case-store.ts';
export const GROUP_REFRESH_KIND = 'group.case_update';

const bytes = (b: Uint8Array) => new Uint8Array(b);

export const CASE_SELECT = {
  id: true,
  number: true,
  serviceCode: true,
  departmentCode: true,
  residentId: true,
  telegramId: true,
  status: true,
  priority: true,
  anonymous: true,
  answersCipher: true,
  assigneeId: true,
  dueAt: true,
  submittedAt: true,
  firstResponseAt: true,
  resolvedAt: true,
  closedAt: true,
  rating: true,
  commentCipher: true,
} as const;

/** A transition's patch as Prisma takes it (the comment's ciphertext as a plain Uint8Array). */
function withBytes(patch: TransitionInput['patch']) {
  if (!patch) return {};
  const { commentCipher, ...rest } = patch;
  return commentCipher === undefined
    ? rest
    : { ...rest, commentCipher: commentCipher && bytes(commentCipher) };
}

export async function writeNotifications(
  tx: Tx,
  caseId: string | null,
  list: readonly NewNotification[],
  eventId?: bigint,
): Promise<void> {
  if (list.length === 0) return;
  // Explicit times (UTC, from this clock): the column defaults use the database server's time zone.
  const now = new Date();
  await tx.notification.createMany({
    data: list.map((n) => ({
      createdAt: now,
      nextAttemptAt: now,
      telegramId: BigInt(n.telegramId),
      kind: n.kind,
      payload: (n.withEventId && eventId !== undefined
        ? { ...n.payload, eventId: eventId.toString() }
        : n.payload) as Prisma.InputJsonValue,
      caseId,
    })),
  });
}

/**
 * Queues an edit of every department-group post of the case. Call it after the case row was updated in the
 * same transaction: a post being written concurrently (the deadline watcher locks the case row) is then
 * either committed and seen here, or sees the case already out of the queue and is not written.
 */
export async function refreshGroupPosts(tx: Tx, caseId: string): Promise<void> {
  const posts = await tx.notification.findMany({
    where: { caseId, kind: GROUP_POST_KIND },
    select: { id: true, telegramId: true },
  });
  await writeNotifications(
    tx,
    caseId,
    posts.map((p) => ({
      telegramId: p.telegramId,
      kind: GROUP_REFRESH_KIND,
      payload: { postId: p.id.toString() },
    })),
  );
}

/**
 * A change of status the system makes inside a transaction of its own (a removed member's cases released,
 * a case closed or withdrawn): the case row, then its event.
 */
export async function writeSystemTransition(
  tx: Tx,
  caseId: string,
  change: {
    from: CaseStatus;
    to: CaseStatus;
    kind: string;
    patch?: Omit<Prisma.CaseUncheckedUpdateInput, 'status'>;
    visibleToResident?: boolean;
    at?: Date;
  },
): Promise<void> {
  const { from, to, kind, patch, visibleToResident, at } = change;
  await tx.case.update({ where: { id: caseId }, data: { status: to, ...patch } });
  await tx.caseEvent.create({
    data: { caseId, actorKind: 'system', kind, fromStatus: from, toStatus: to, visibleToResident, at },
  });
}

/** The "to tell" items of a change for a resident without Telegram (src/app/resident-tell.ts). */
export async function writeTells(
  tx: Tx,
  caseId: string,
  list: readonly NewTell[],
  eventId: bigint | null,
): Promise<void> {
  if (list.length === 0) return;
  const now = new Date();
  await tx.residentTell.createMany({
    data: list.map((t) => ({
      residentId: t.residentId,
      caseId,
      kind: t.kind,
      params: t.params,
      eventId,
      createdAt: now,
    })),
  });
}

export async function writeAudit(tx: Tx, caseId: string | null, audit: NewAudit): Promise<void> {
  await tx.auditLog.create({
    data: {
      at: new Date(),
      actorTelegramId:
        audit.actorTelegramId === undefined || audit.actorTelegramId === null
          ? null
          : BigInt(audit.actorTelegramId),
      action: audit.action,
      caseId,
      subject: audit.subject ?? null,
      detail: (audit.detail ?? undefined) as Prisma.InputJsonValue | undefined,
    },
  });
}

async function writeAttachments(
  tx: Tx,
  caseId: string,
  eventId: bigint | null,
  list: readonly NewAttachment[],
) {
  if (list.length === 0) return;
  await tx.caseAttachment.createMany({
    data: list.map((a) => ({
      caseId,
      eventId,
      stepId: a.stepId ?? null,
      kind: a.kind,
      fileId: a.fileId,
      fileUniqueId: a.fileUniqueId,
      mimeType: a.mimeType ?? null,
      sizeBytes: a.sizeBytes ?? null,
    })),
  });
}

/**
 * The resident's limits (NewCase.limits), checked inside the transaction that writes the case. The
 * resident's row is locked first (FOR NO KEY UPDATE: other submissions of theirs wait here, nothing else
 * does), so two submissions at once are counted one after the other. 'same_case': this very submission was
 * written meanwhile (a double tap that waited here).
 */
async function checkLimits(
  tx: Tx,
  input: NewCase,
  limits: CaseLimits,
): Promise<CaseLimitRefusal | 'same_case' | null> {
  await tx.$queryRaw`select id from resident where id = ${input.residentId}::uuid for no key update`;
  const same = await tx.case.count({ where: { submissionKey: input.submissionKey } });
  if (same > 0) return 'same_case';
  const open = await tx.case.count({
    where: {
      residentId: input.residentId,
      serviceCode: input.serviceCode,
      status: { in: [...OPEN_STATUSES] },
    },
  });
  if (open >= limits.openPerService) return 'too_many_open';
  if (input.priority === 'urgent') {
    const urgent = await tx.case.count({
      where: { residentId: input.residentId, priority: 'urgent', submittedAt: { gte: limits.urgentSince } },
    });
    if (urgent >= limits.urgentPerDay) return 'too_many_urgent';
  }
  return null;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

export function createCaseRepository(db: Db): CaseStore {
  async function findBySubmissionKey(key: string) {
    return db.case.findUnique({ where: { submissionKey: key }, select: { id: true, number: true } });
  }

  async function insertCase(
    input: NewCase,
    limits: CaseLimits | null,
  ): Promise<{ id: string; number: string; created: boolean } | { refused: CaseLimitRefusal }> {
    const existing = await findBySubmissionKey(input.submissionKey);
    if (existing) return { ...existing, created: false };
    try {
      return await db.$transaction(async (tx) => {
        if (limits) {
          const refused = await checkLimits(tx, input, limits);
          if (refused === 'same_case') {
            const again = await tx.case.findUnique({
              where: { submissionKey: input.submissionKey },
              select: { id: true, number: true },
            });
            if (again) return { ...again, created: false };
          } else if (refused) return { refused };
        }
        if (input.courseCode && !(await seatLeft(tx, input.courseCode))) return { refused: 'course_full' };
        const [counter] = await tx.$queryRaw<{ value: number }[]>`
          insert into case_counter (prefix, year, value) values (${input.casePrefix}, ${input.year}, 1)
          on conflict (prefix, year) do update set value = case_counter.value + 1
          returning value`;
        const sequence = counter?.value ?? 1;
        const number = `${input.casePrefix}-${input.year}-${String(sequence).padStart(6, '0')}`;
        const row = await tx.case.create({
          data: {
            id: input.id,
            number,
            serviceCode: input.serviceCode,
            departmentCode: input.departmentCode,
            residentId: input.residentId,
            telegramId: input.telegramId === null ? null : BigInt(input.telegramId),
            priority: input.priority,
            anonymous: input.anonymous,
            answersCipher: bytes(input.answersCipher),
            dueAt: input.dueAt,
            submissionKey: input.submissionKey,
            serviceVersion: input.serviceVersion,
            serviceHash: input.serviceHash,
            courseCode: input.courseCode ?? null,
            filedByStaffId: input.filedBy?.staffId ?? null,
            filedVia: input.filedBy?.via ?? 'bot',
          },
          select: { id: true },
        });
        const filedBy = input.filedBy;
        const event = await tx.caseEvent.create({
          data: filedBy
            ? {
                caseId: row.id,
                actorKind: 'staff',
                actorId: filedBy.staffId,
                kind: filedBy.via === 'bot' ? 'submitted' : FILED_EVENT_KIND[filedBy.via],
                toStatus: 'submitted',
                noteCipher: filedBy.noteCipher && bytes(filedBy.noteCipher),
              }
            : {
                caseId: row.id,
                actorKind: 'resident',
                actorId: input.residentId,
                kind: 'submitted',
                toStatus: 'submitted',
              },
          select: { id: true },
        });
        await writeAttachments(tx, row.id, event.id, input.attachments);
        await writeNotifications(tx, row.id, input.notifications, event.id);
        if (filedBy) await writeAudit(tx, row.id, filedBy.audit);
        return { id: row.id, number, created: true };
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const again = await findBySubmissionKey(input.submissionKey);
        if (again) return { ...again, created: false };
      }
      throw err;
    }
  }

  return {
    async create(input: NewCase): Promise<{ id: string; number: string; created: boolean }> {
      const r = await insertCase(input, null);
      if ('refused' in r) throw new Error('a case without limits cannot be refused');
      return r;
    },

    createWithinLimits: insertCase,

    async findById(caseId: string): Promise<CaseRecord | null> {
      return db.case.findUnique({ where: { id: caseId }, select: CASE_SELECT });
    },

    async findByNumber(number: string): Promise<CaseRecord | null> {
      return db.case.findUnique({ where: { number }, select: CASE_SELECT });
    },

    async listByResident(
      residentId: string,
      page: number,
      pageSize: number,
    ): Promise<{ rows: CaseListRow[]; total: number }> {
      const [rows, total] = await Promise.all([
        db.case.findMany({
          where: { residentId },
          select: { id: true, number: true, serviceCode: true, status: true, submittedAt: true, dueAt: true },
          orderBy: [{ submittedAt: 'desc' }, { id: 'desc' }],
          skip: page * pageSize,
          take: pageSize,
        }),
        db.case.count({ where: { residentId } }),
      ]);
      return { rows, total };
    },

    async events(caseId: string): Promise<CaseEventRecord[]> {
      return db.caseEvent.findMany({
        where: { caseId },
        orderBy: [{ at: 'asc' }, { id: 'asc' }],
        select: {
          id: true,
          at: true,
          actorKind: true,
          actorId: true,
          kind: true,
          fromStatus: true,
          toStatus: true,
          noteCipher: true,
          visibleToResident: true,
        },
      });
    },

    async attachments(caseId: string): Promise<CaseAttachmentRecord[]> {
      return db.caseAttachment.findMany({
        where: { caseId },
        orderBy: { createdAt: 'asc' },
        select: {
          id: true,
          eventId: true,
          stepId: true,
          kind: true,
          fileId: true,
          fileUniqueId: true,
          mimeType: true,
          sizeBytes: true,
        },
      });
    },

    async transition(input: TransitionInput): Promise<'ok' | 'conflict'> {
      try {
        return await transitionOnce(input);
      } catch (err) {
        if (err instanceof RelabelConflict) return 'conflict';
        throw err;
      }
    },

    async inboundCandidates(residentId, kinds): Promise<InboundCandidate[]> {
      const open = await db.case.findMany({
        where: { residentId, status: { in: [...OPEN_STATUSES] } },
        select: { id: true, number: true, serviceCode: true, status: true },
      });
      if (open.length === 0) return [];
      const ids = open.map((c) => c.id);
      const [staff, mine] = await Promise.all([
        db.caseEvent.groupBy({
          by: ['caseId'],
          where: {
            caseId: { in: ids },
            actorKind: 'staff',
            visibleToResident: true,
            kind: { in: [...kinds.staff] },
          },
          _max: { at: true },
        }),
        db.caseEvent.groupBy({
          by: ['caseId'],
          where: { caseId: { in: ids }, actorKind: 'resident', kind: { in: [...kinds.resident] } },
          _max: { at: true },
        }),
      ]);
      const latest = (rows: typeof staff, caseId: string) =>
        rows.find((r) => r.caseId === caseId)?._max.at ?? null;
      return open.map((c) => ({
        caseId: c.id,
        number: c.number,
        serviceCode: c.serviceCode,
        status: c.status,
        lastStaffAt: latest(staff, c.id),
        lastResidentAt: latest(mine, c.id),
      }));
    },

    async albumEvent(caseId: string, mediaGroupId: string): Promise<bigint | null> {
      const row = await db.caseEvent.findFirst({
        where: { caseId, mediaGroupId, actorKind: 'resident' },
        orderBy: { id: 'desc' },
        select: { id: true },
      });
      return row?.id ?? null;
    },

    async appendAttachments(caseId: string, eventId: bigint, list: readonly NewAttachment[]) {
      await db.$transaction((tx) => writeAttachments(tx, caseId, eventId, list));
    },
  };

  function transitionOnce(input: TransitionInput): Promise<'ok' | 'conflict'> {
    return db.$transaction(async (tx) => {
      const where: Prisma.CaseWhereInput = { id: input.caseId, status: { in: [...input.from] } };
      if (input.assigneeId !== undefined) where.assigneeId = input.assigneeId;
      const current = await tx.case.findFirst({ where, select: { status: true } });
      if (!current) return 'conflict';
      const { count } = await tx.case.updateMany({
        where: { ...where, status: current.status },
        data: { ...withBytes(input.patch), status: input.to },
      });
      if (count !== 1) return 'conflict';
      const event = await tx.caseEvent.create({
        data: {
          caseId: input.caseId,
          actorKind: input.event.actorKind,
          actorId: input.event.actorId ?? null,
          kind: input.event.kind,
          fromStatus: current.status,
          toStatus: input.to,
          noteCipher: input.event.noteCipher ? bytes(input.event.noteCipher) : null,
          visibleToResident: input.event.visibleToResident ?? true,
          mediaGroupId: input.event.mediaGroupId ?? null,
        },
        select: { id: true },
      });
      if (input.relabel) {
        const { caseId, eventId, from, to } = input.relabel;
        const moved = await tx.caseEvent.updateMany({
          where: { id: eventId, caseId, kind: { in: [...from] } },
          data: { kind: to },
        });
        // Rolls the whole change back: the event was moved meanwhile (a double tap).
        if (moved.count !== 1) throw new RelabelConflict();
      }
      await writeAttachments(tx, input.caseId, event.id, input.attachments ?? []);
      await writeNotifications(tx, input.caseId, input.notifications ?? [], event.id);
      await writeTells(tx, input.caseId, input.tells ?? [], event.id);
      if (input.refreshGroupPosts) await refreshGroupPosts(tx, input.caseId);
      if (input.audit) await writeAudit(tx, input.caseId, input.audit);
      return 'ok';
    });
  }
}

/** Thrown inside a transition's transaction to roll it back when its relabel found nothing to move. */
class RelabelConflict extends Error {}
