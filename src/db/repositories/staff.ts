// Staff members and community workers, the invite codes that make them, canned replies, and the audit rows
// their administration writes. Invite codes arrive hashed: this repository never sees a code in clear.
import { type AdminStore, INVITE_USED_KIND, type NewInvite, type RedeemOutcome } from '../../app/admin.ts';
import type { StaffRecord, StaffRole, StaffStore } from '../../app/staff/ports.ts';
import type { StaffChatSource } from '../../bot/commands.ts';
import { OPEN_STATUSES } from '../../domain/case-status.ts';
import type { Db } from '../client.ts';
import { type NewAudit, refreshGroupPosts, writeAudit, writeSystemTransition } from './cases.ts';

export type { StaffRecord, StaffRole } from '../../app/staff/ports.ts';

const STAFF_SELECT = {
  id: true,
  telegramId: true,
  role: true,
  departmentCode: true,
  communityCode: true,
  displayName: true,
  onDuty: true,
  active: true,
} as const;

const bytes = (b: Uint8Array) => new Uint8Array(b);

export function createStaffRepository(db: Db): StaffStore & AdminStore & StaffChatSource {
  return {
    /** The person's active memberships (a person may be department staff and a community worker). */
    async activeMemberships(telegramId: number | bigint): Promise<StaffRecord[]> {
      return db.staffMember.findMany({
        where: { telegramId: BigInt(telegramId), active: true },
        select: STAFF_SELECT,
        orderBy: { createdAt: 'asc' },
      });
    },

    async byId(staffId: string): Promise<StaffRecord | null> {
      return db.staffMember.findUnique({ where: { id: staffId }, select: STAFF_SELECT });
    },

    async names(ids: readonly string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await db.staffMember.findMany({
        where: { id: { in: [...new Set(ids)] } },
        select: { id: true, displayName: true },
      });
      return new Map(rows.map((r) => [r.id, r.displayName]));
    },

    /** Every active member, department staff first, for the admin's list. */
    async listActive(): Promise<StaffRecord[]> {
      return db.staffMember.findMany({
        where: { active: true },
        select: STAFF_SELECT,
        orderBy: [{ role: 'asc' }, { departmentCode: 'asc' }, { communityCode: 'asc' }, { createdAt: 'asc' }],
      });
    },

    /** Every active department staff member's chat and language (their command menus are set at start). */
    async activeStaffChats(): Promise<
      { telegramId: bigint; locale: string | null; languageCode: string | null; labour: boolean }[]
    > {
      const rows = await db.staffMember.findMany({
        where: { role: 'staff', active: true },
        select: { telegramId: true },
        distinct: ['telegramId'],
      });
      // Human-resources staff also get /labour (the households below the red line of their district).
      const hr = await db.staffMember.findMany({
        where: { role: 'staff', active: true, department: { kind: 'human_resources', active: true } },
        select: { telegramId: true },
      });
      const users = await db.telegramUser.findMany({
        where: { telegramId: { in: rows.map((r) => r.telegramId) } },
        select: { telegramId: true, locale: true, languageCode: true },
      });
      return rows.map((r) => {
        const u = users.find((x) => x.telegramId === r.telegramId);
        return {
          telegramId: r.telegramId,
          locale: u?.locale ?? null,
          languageCode: u?.languageCode ?? null,
          labour: hr.some((x) => x.telegramId === r.telegramId),
        };
      });
    },

    async setOnDuty(staffId: string, onDuty: boolean): Promise<void> {
      await db.staffMember.update({ where: { id: staffId }, data: { onDuty } });
    },

    /**
     * Removes a member: inactive from now on, every open case they held goes back to its department's queue
     * (a system event each), and a community worker's notices to that community that have not started are
     * cancelled (an audit row each; not when the worker is also an administrator, one of `admins`, who may
     * send to every community) — in one transaction with the audit row. The staff row is updated first, then
     * the notices: the same order as a notice's start (notice-deliveries.ts), which checks its author.
     */
    async remove(
      staffId: string,
      at: Date,
      audit: NewAudit,
      admins: readonly number[],
    ): Promise<{ removed: StaffRecord; released: number; cancelledNotices: number } | null> {
      return db.$transaction(async (tx) => {
        const { count } = await tx.staffMember.updateMany({
          where: { id: staffId, active: true },
          data: { active: false, removedAt: at, onDuty: false },
        });
        if (count !== 1) return null;
        const removed = await tx.staffMember.findUniqueOrThrow({
          where: { id: staffId },
          select: STAFF_SELECT,
        });
        const held = await tx.case.findMany({
          where: { assigneeId: staffId, status: { in: [...OPEN_STATUSES] } },
          select: { id: true, status: true },
        });
        for (const c of held) {
          await writeSystemTransition(tx, c.id, {
            from: c.status,
            to: 'submitted',
            kind: 'released',
            patch: { assigneeId: null },
            visibleToResident: false,
          });
          await refreshGroupPosts(tx, c.id);
        }
        const cancelled =
          removed.role === 'worker' &&
          removed.communityCode !== null &&
          !admins.some((id) => BigInt(id) === removed.telegramId)
            ? await tx.notice.updateManyAndReturn({
                where: {
                  authorTelegramId: removed.telegramId,
                  communityCode: removed.communityCode,
                  status: 'scheduled',
                },
                data: { status: 'cancelled', cancelledAt: at },
                select: { id: true },
              })
            : [];
        for (const n of cancelled) {
          await writeAudit(tx, null, {
            actorTelegramId: audit.actorTelegramId,
            action: 'notice.cancelled',
            subject: `notice:${n.id}`,
            detail: { reason: 'author_removed', staffId },
          });
        }
        await writeAudit(tx, null, {
          ...audit,
          detail: { ...(audit.detail ?? {}), releasedCases: held.length, cancelledNotices: cancelled.length },
        });
        return { removed, released: held.length, cancelledNotices: cancelled.length };
      });
    },

    async createInvite(invite: NewInvite, audit: NewAudit): Promise<string> {
      return db.$transaction(async (tx) => {
        const row = await tx.inviteCode.create({
          data: {
            codeHash: bytes(invite.codeHash),
            role: invite.role,
            departmentCode: invite.departmentCode,
            communityCode: invite.communityCode,
            createdBy: BigInt(invite.createdBy),
            expiresAt: invite.expiresAt,
          },
          select: { id: true },
        });
        await writeAudit(tx, null, { ...audit, detail: { ...(audit.detail ?? {}), inviteId: row.id } });
        return row.id;
      });
    },

    /**
     * Withdraws an invite nobody has used: from then on it is refused like a wrong code. 'used' when
     * someone joined with it already, 'gone' when it does not exist, has expired or was withdrawn before.
     */
    async revokeInvite(inviteId: string, at: Date, audit: NewAudit): Promise<'revoked' | 'used' | 'gone'> {
      return db.$transaction(async (tx) => {
        // The same row lock as a redeem: a /join at this moment either comes first (used) or finds it revoked.
        const { count } = await tx.inviteCode.updateMany({
          where: { id: inviteId, usedAt: null, revokedAt: null, expiresAt: { gt: at } },
          data: { revokedAt: at },
        });
        if (count === 1) {
          await writeAudit(tx, null, {
            ...audit,
            detail: { ...(audit.detail ?? {}), inviteId },
          });
          return 'revoked' as const;
        }
        const row = await tx.inviteCode.findUnique({ where: { id: inviteId }, select: { usedAt: true } });
        return row?.usedAt ? ('used' as const) : ('gone' as const);
      });
    },

    /**
     * Uses an invite: valid only once, before it expires, unless it was withdrawn. The invite row is locked,
     * so two people sending the same code at once cannot both join. The person keeps an existing membership
     * of the same role. The admin who made the invite is told (a notification in the same transaction: it
     * holds only the new member's id; their name, role and unit are read when it is sent).
     */
    async redeemInvite(input: {
      codeHash: Uint8Array;
      telegramId: number;
      displayName: string;
      at: Date;
      audit: NewAudit;
    }): Promise<RedeemOutcome> {
      return db.$transaction(async (tx) => {
        const [invite] = await tx.$queryRaw<
          {
            id: string;
            role: StaffRole;
            department_code: string | null;
            community_code: string | null;
            created_by: bigint;
          }[]
        >`select id, role::text as role, department_code, community_code, created_by from invite_code
           where code_hash = ${bytes(input.codeHash)} and used_at is null and revoked_at is null
             and expires_at > ${input.at}
           for update`;
        if (!invite) return { kind: 'invalid' as const };
        const existing = await tx.staffMember.findFirst({
          where: { telegramId: BigInt(input.telegramId), active: true, role: invite.role },
          select: STAFF_SELECT,
        });
        if (existing) return { kind: 'already_member' as const, staff: existing };
        await tx.inviteCode.update({
          where: { id: invite.id },
          data: { usedAt: input.at, usedBy: BigInt(input.telegramId) },
        });
        const staff = await tx.staffMember.create({
          data: {
            telegramId: BigInt(input.telegramId),
            role: invite.role,
            departmentCode: invite.department_code,
            communityCode: invite.community_code,
            displayName: input.displayName,
          },
          select: STAFF_SELECT,
        });
        await writeAudit(tx, null, {
          ...input.audit,
          subject: `staff:${staff.id}`,
          detail: { ...(input.audit.detail ?? {}), inviteId: invite.id, role: invite.role },
        });
        await tx.notification.create({
          data: {
            telegramId: BigInt(invite.created_by),
            kind: INVITE_USED_KIND,
            payload: { staffId: staff.id },
          },
        });
        return { kind: 'joined' as const, staff };
      });
    },

    /** Audit rows of `action` by this person since `since` (wrong invite codes, for the throttle). */
    async countAudit(actorTelegramId: number, action: string, since: Date): Promise<number> {
      return db.auditLog.count({
        where: { actorTelegramId: BigInt(actorTelegramId), action, at: { gte: since } },
      });
    },

    async audit(caseId: string | null, audit: NewAudit): Promise<void> {
      await db.$transaction((tx) => writeAudit(tx, caseId, audit));
    },

    async departments(): Promise<{ code: string; nameZh: string; nameEn: string; districtCode: string }[]> {
      return db.department.findMany({
        where: { active: true },
        select: { code: true, nameZh: true, nameEn: true, districtCode: true },
        orderBy: [{ districtCode: 'asc' }, { code: 'asc' }],
      });
    },

    async department(code: string) {
      return db.department.findFirst({
        where: { code, active: true },
        select: { code: true, nameZh: true, nameEn: true, districtCode: true, telegramGroupId: true },
      });
    },

    async communities(): Promise<{ code: string; nameZh: string; nameEn: string }[]> {
      return db.community.findMany({
        where: { active: true },
        select: { code: true, nameZh: true, nameEn: true },
        orderBy: [{ districtCode: 'asc' }, { code: 'asc' }],
      });
    },

    async cannedReplies(departmentCode: string): Promise<{ id: string; title: string; text: string }[]> {
      return db.cannedReply.findMany({
        where: { departmentCode },
        select: { id: true, title: true, text: true },
        orderBy: [{ title: 'asc' }, { createdAt: 'asc' }],
      });
    },

    async cannedReply(id: string) {
      return db.cannedReply.findUnique({
        where: { id },
        select: { id: true, title: true, text: true, departmentCode: true },
      });
    },

    async addCannedReply(
      input: { departmentCode: string; title: string; text: string },
      audit: NewAudit,
    ): Promise<string> {
      return db.$transaction(async (tx) => {
        const row = await tx.cannedReply.create({ data: input, select: { id: true } });
        await writeAudit(tx, null, { ...audit, subject: `canned:${row.id}` });
        return row.id;
      });
    },

    async removeCannedReply(id: string, audit: NewAudit): Promise<boolean> {
      return db.$transaction(async (tx) => {
        const { count } = await tx.cannedReply.deleteMany({ where: { id } });
        if (count === 1) await writeAudit(tx, null, { ...audit, subject: `canned:${id}` });
        return count === 1;
      });
    },
  };
}

export type StaffRepository = ReturnType<typeof createStaffRepository>;
