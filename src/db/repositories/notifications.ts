// The notification outbox as the dispatcher sees it. Rows are claimed in batches with FOR UPDATE SKIP
// LOCKED and a lease (locked_until) plus a claim token: several dispatchers (bot instances) never hold the
// same row at once, a dispatcher that died mid-batch gives its rows back when the lease ends, and only the
// holder of the current claim may record an outcome.
import { randomUUID } from 'node:crypto';
import type { ExpiringRows } from '../../app/jobs/housekeeping.ts';
import type { ClaimedNotification, OutboxStore } from '../../app/jobs/notification-dispatcher.ts';
import type {
  CaseSummary,
  JoinedMember,
  NotificationContentStore,
  NotificationFile,
} from '../../app/notification-content.ts';
import type { ReachabilityStore } from '../../app/reachability.ts';
import type { AlertState, UrgentAlertStore } from '../../app/urgent-alerts.ts';
import type { Db } from '../client.ts';
import type { Prisma } from '../generated/client.ts';
import { writeNotifications } from './cases.ts';

export function createNotificationRepository(
  db: Db,
): OutboxStore & NotificationContentStore & ReachabilityStore & ExpiringRows & UrgentAlertStore {
  const mine = (id: bigint, token: string): Prisma.NotificationWhereInput => ({
    id,
    claimToken: token,
    status: 'pending',
  });

  return {
    /**
     * Messages about no case (an invite used, a registration ended or confirmed) are deleted once done and
     * older than `cutoff`: their Telegram id would otherwise outlive a person's erasure.
     */
    async deleteOlderThan(cutoff: Date): Promise<number> {
      const { count } = await db.notification.deleteMany({
        where: { caseId: null, status: { in: ['sent', 'failed', 'unreachable'] }, createdAt: { lt: cutoff } },
      });
      return count;
    },

    /** Claims up to `limit` rows that are due, oldest first, for `leaseMs`. */
    async claim(limit: number, leaseMs: number, now: Date): Promise<ClaimedNotification[]> {
      const token = randomUUID();
      const lockedUntil = new Date(now.getTime() + leaseMs);
      const rows = await db.$queryRaw<
        {
          id: bigint;
          telegram_id: bigint;
          kind: string;
          payload: unknown;
          case_id: string | null;
          attempts: number;
        }[]
      >`update notification n
           set locked_until = ${lockedUntil}, claim_token = ${token}::uuid, attempts = n.attempts + 1
         where n.id in (
           select id from notification
            where status = 'pending' and next_attempt_at <= ${now}
              and (locked_until is null or locked_until < ${now})
            order by next_attempt_at, id
            limit ${limit}
            for update skip locked)
        returning n.id, n.telegram_id, n.kind, n.payload, n.case_id, n.attempts`;
      return rows
        .map((r) => ({
          id: r.id,
          telegramId: r.telegram_id,
          kind: r.kind,
          payload: (typeof r.payload === 'object' && r.payload !== null ? r.payload : {}) as Record<
            string,
            unknown
          >,
          caseId: r.case_id,
          attempts: Number(r.attempts),
          claimToken: token,
        }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async markSent(id: bigint, token: string, at: Date, messageId: number | null): Promise<boolean> {
      const { count } = await db.notification.updateMany({
        where: mine(id, token),
        data: { status: 'sent', sentAt: at, messageId, lockedUntil: null, claimToken: null, lastError: null },
      });
      return count === 1;
    },

    /** Tries again at `at`. A rate limit (429) does not count as an attempt. */
    async reschedule(
      id: bigint,
      token: string,
      at: Date,
      error: string,
      countsAsAttempt: boolean,
    ): Promise<boolean> {
      const { count } = await db.notification.updateMany({
        where: mine(id, token),
        data: {
          nextAttemptAt: at,
          lockedUntil: null,
          claimToken: null,
          lastError: error.slice(0, 500),
          ...(countsAsAttempt ? {} : { attempts: { decrement: 1 } }),
        },
      });
      return count === 1;
    },

    async markFailed(id: bigint, token: string, error: string): Promise<boolean> {
      const { count } = await db.notification.updateMany({
        where: mine(id, token),
        data: { status: 'failed', lockedUntil: null, claimToken: null, lastError: error.slice(0, 500) },
      });
      return count === 1;
    },

    /** The recipient blocked the bot or is gone: this row and the person are marked unreachable. */
    async markUnreachable(id: bigint, token: string, telegramId: bigint, error: string): Promise<boolean> {
      return db.$transaction(async (tx) => {
        const { count } = await tx.notification.updateMany({
          where: mine(id, token),
          data: {
            status: 'unreachable',
            lockedUntil: null,
            claimToken: null,
            lastError: error.slice(0, 500),
          },
        });
        if (count === 1) {
          await tx.telegramUser.updateMany({ where: { telegramId }, data: { unreachable: true } });
        }
        return count === 1;
      });
    },

    /** Language and reachability of a private-chat recipient (null for a group or someone never seen). */
    async recipient(
      telegramId: bigint,
    ): Promise<{ locale: string | null; languageCode: string | null; unreachable: boolean } | null> {
      return db.telegramUser.findUnique({
        where: { telegramId },
        select: { locale: true, languageCode: true, unreachable: true },
      });
    },

    /**
     * The person can be reached again (they unblocked the bot): clear the mark and queue again what could
     * not be delivered to them since `since`. Returns how many notifications were queued again.
     */
    async markReachable(telegramId: number, since: Date, now: Date): Promise<number> {
      return db.$transaction(async (tx) => {
        await tx.telegramUser.updateMany({
          where: { telegramId: BigInt(telegramId) },
          data: { unreachable: false },
        });
        const { count } = await tx.notification.updateMany({
          where: { telegramId: BigInt(telegramId), status: 'unreachable', createdAt: { gte: since } },
          data: { status: 'pending', nextAttemptAt: now, attempts: 0, lockedUntil: null, claimToken: null },
        });
        return count;
      });
    },

    async markUnreachableUser(telegramId: number): Promise<void> {
      await db.telegramUser.updateMany({
        where: { telegramId: BigInt(telegramId) },
        data: { unreachable: true },
      });
    },

    /** A sent group post (for its refresh): where it is and which message. */
    async post(postId: bigint): Promise<{ chatId: bigint; messageId: number | null; status: string } | null> {
      const row = await db.notification.findUnique({
        where: { id: postId },
        select: { telegramId: true, messageId: true, status: true },
      });
      return row ? { chatId: row.telegramId, messageId: row.messageId, status: row.status } : null;
    },

    /** What a notification about a case needs to be written (read at send time, never stored in it). */
    async caseSummary(caseId: string): Promise<CaseSummary | null> {
      return db.case.findUnique({
        where: { id: caseId },
        select: {
          id: true,
          number: true,
          serviceCode: true,
          status: true,
          priority: true,
          dueAt: true,
          assigneeId: true,
          anonymisedAt: true,
          rating: true,
          department: { select: { code: true, nameZh: true, nameEn: true, telegramGroupId: true } },
          assignee: { select: { displayName: true } },
        },
      });
    },

    async member(staffId: string): Promise<JoinedMember | null> {
      const s = await db.staffMember.findUnique({
        where: { id: staffId },
        select: { displayName: true, role: true, departmentCode: true, communityCode: true },
      });
      if (!s) return null;
      const unit =
        s.role === 'staff'
          ? await db.department.findUnique({
              where: { code: s.departmentCode ?? '' },
              select: { nameZh: true, nameEn: true },
            })
          : await db.community.findUnique({
              where: { code: s.communityCode ?? '' },
              select: { nameZh: true, nameEn: true },
            });
      return { displayName: s.displayName, role: s.role, unit };
    },

    /**
     * An urgent case's alerts. "Sent" means Telegram took the message (it has a message id); a row marked
     * done without one was skipped (nothing was sent) and counts as not delivered.
     */
    async urgentAlerts(caseId: string, kinds: readonly string[]) {
      const c = await db.case.findUnique({ where: { id: caseId }, select: { priority: true, status: true } });
      if (!c) return null;
      const rows = await db.notification.findMany({
        where: { caseId, kind: { in: [...kinds] } },
        select: { status: true, attempts: true, messageId: true },
      });
      const alerts: AlertState[] = rows.map((r) => ({
        status: r.status === 'sent' && r.messageId === null ? 'failed' : r.status,
        attempts: r.attempts,
      }));
      return { priority: c.priority, status: c.status, alerts };
    },

    async tellResidentOnce(caseId: string, kind: string, unless: readonly string[]): Promise<boolean> {
      return db.$transaction(async (tx) => {
        const [c] = await tx.$queryRaw<{ telegram_id: bigint | null }[]>`
          select telegram_id from "case" where id = ${caseId}::uuid for no key update`;
        if (!c || c.telegram_id === null) return false;
        const told = await tx.notification.count({ where: { caseId, kind: { in: [kind, ...unless] } } });
        if (told > 0) return false;
        await writeNotifications(tx, caseId, [{ telegramId: c.telegram_id, kind, payload: {} }]);
        return true;
      });
    },

    async eventNote(
      caseId: string,
      eventId: bigint,
    ): Promise<{ kind: string; noteCipher: Uint8Array | null } | null> {
      return db.caseEvent.findFirst({
        where: { id: eventId, caseId },
        select: { kind: true, noteCipher: true },
      });
    },

    async eventFile(caseId: string, eventId: bigint): Promise<NotificationFile | null> {
      const file = await db.caseAttachment.findFirst({
        where: { caseId, eventId, kind: { in: ['voice', 'photo'] } },
        orderBy: { createdAt: 'asc' },
        select: { kind: true, fileId: true },
      });
      return file && (file.kind === 'voice' || file.kind === 'photo')
        ? { kind: file.kind, fileId: file.fileId }
        : null;
    },
  };
}
