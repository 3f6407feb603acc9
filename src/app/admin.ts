// What administrators do: invite staff and community workers (single-use codes that expire, stored only as
// a keyed hash), list and remove them, manage canned replies, see the figures, export the cases. The
// administrators are the Telegram ids in the configuration; every call checks the caller against them.
// Joining with a code is open to anyone, throttled per person (wrong codes are counted in the audit log).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { MAX_REFUSAL_AUDIT_ROWS_PER_HOUR } from '../domain/abuse-limits.ts';
import { toCsv } from '../domain/csv.ts';
import type { Result } from '../domain/result.ts';
import {
  formatInviteCode,
  INVITE_TTL_HOURS,
  inviteCodeFromBytes,
  JOIN_ATTEMPTS_PER_HOUR,
  normalizeInviteCode,
} from '../domain/staff-work.ts';
import { type ExportRow, exportTable } from './case-export.ts';
import type { NewAudit } from './case-store.ts';
import type { PiiCipher } from './pii-cipher.ts';
import type { StaffRecord, StaffRole } from './staff/ports.ts';

export type { StaffRecord };

const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

export const STATS_DAYS = 30;
/**
 * The notification that tells an admin their invite code was used (written with the redeem; rendered in
 * src/bot/notification-render.ts). Its payload is the new member's staff id only.
 */
export const INVITE_USED_KIND = 'admin.invite_used';
const HOUR_MS = 3600_000;
const DAY_MS = 86_400_000;

/** A new invite code, stored only as its keyed hash. */
export interface NewInvite {
  codeHash: Uint8Array;
  role: StaffRole;
  departmentCode: string | null;
  communityCode: string | null;
  createdBy: number;
  expiresAt: Date;
}

export type RedeemOutcome =
  | { kind: 'joined'; staff: StaffRecord }
  | { kind: 'invalid' }
  | { kind: 'already_member'; staff: StaffRecord };

export interface Unit {
  code: string;
  nameZh: string;
  nameEn: string;
}

/** What administration needs from storage (src/db/repositories/staff.ts implements it). */
export interface AdminStore {
  byId(staffId: string): Promise<StaffRecord | null>;
  listActive(): Promise<StaffRecord[]>;
  /**
   * Inactive from now on; their open cases go back to the queue; a worker's scheduled notices are cancelled
   * (unless they are one of `admins`). Null when no active member has this id.
   */
  remove(
    staffId: string,
    at: Date,
    audit: NewAudit,
    admins: readonly number[],
  ): Promise<{ removed: StaffRecord; released: number; cancelledNotices: number } | null>;
  /** Resolves to the invite's id. */
  createInvite(invite: NewInvite, audit: NewAudit): Promise<string>;
  /** Withdraws an unused, unexpired invite ('used': someone joined with it; 'gone': expired, withdrawn, none). */
  revokeInvite(inviteId: string, at: Date, audit: NewAudit): Promise<'revoked' | 'used' | 'gone'>;
  redeemInvite(input: {
    codeHash: Uint8Array;
    telegramId: number;
    displayName: string;
    at: Date;
    audit: NewAudit;
  }): Promise<RedeemOutcome>;
  countAudit(actorTelegramId: number, action: string, since: Date): Promise<number>;
  audit(caseId: string | null, audit: NewAudit): Promise<void>;
  departments(): Promise<(Unit & { districtCode: string })[]>;
  department(code: string): Promise<(Unit & { districtCode: string }) | null>;
  communities(): Promise<Unit[]>;
  cannedReplies(departmentCode: string): Promise<{ id: string; title: string; text: string }[]>;
  addCannedReply(
    input: { departmentCode: string; title: string; text: string },
    audit: NewAudit,
  ): Promise<string>;
  removeCannedReply(id: string, audit: NewAudit): Promise<boolean>;
}

export interface DepartmentFigures {
  code: string;
  nameZh: string;
  nameEn: string;
  received: number;
  open: number;
  overdue: number;
  medianFirstResponseSeconds: number | null;
  medianResolutionSeconds: number | null;
  averageRating: number | null;
  ratings: number;
}

/** The figures and the export (src/db/repositories/case-stats.ts implements it). */
export interface CaseStatsStore {
  /** Per active department: received since `since`; open and overdue now; medians and ratings. */
  departmentFigures(since: Date, now: Date): Promise<DepartmentFigures[]>;
  /** The cases submitted in [from, to) (of one department, or all), a page at a time. */
  exportRows(
    from: Date,
    to: Date,
    withPersonalData: boolean,
    departmentCode?: string | null,
  ): AsyncGenerator<ExportRow[]>;
}

export interface AdminDeps {
  adminTelegramIds: readonly number[];
  staff: AdminStore;
  stats: CaseStatsStore;
  cipher: PiiCipher;
  now: () => Date;
  /** Random bytes for invite codes (tests may fix them). */
  random?: (n: number) => Uint8Array;
}

export type InviteTarget =
  | { role: 'staff'; departmentCode: string }
  | { role: 'worker'; communityCode: string };

export interface StaffListItem {
  id: string;
  role: 'staff' | 'worker';
  displayName: string;
  departmentCode: string | null;
  communityCode: string | null;
  onDuty: boolean;
}

export type JoinError = 'throttled' | 'invalid' | 'already_member';

const cannedSchema = z.object({
  title: z.string().trim().min(1).max(40),
  text: z.string().trim().min(1).max(2000),
});

export type ExportActor = { telegramId: number } | { commandLine: string };

export function createAdminService(deps: AdminDeps) {
  const { staff, cipher, now } = deps;
  const random = deps.random ?? ((n: number) => randomBytes(n));
  const isAdmin = (telegramId: number) => deps.adminTelegramIds.includes(telegramId);

  async function refuse(telegramId: number, attempted: string): Promise<{ ok: false; error: 'not_allowed' }> {
    // Refusal rows are limited per sender (the refusal stands; only the row is left out).
    const since = new Date(now().getTime() - HOUR_MS);
    const recent = await staff.countAudit(telegramId, 'access.denied', since);
    if (recent >= MAX_REFUSAL_AUDIT_ROWS_PER_HOUR) return fail('not_allowed');
    await staff.audit(null, {
      actorTelegramId: telegramId,
      action: 'access.denied',
      detail: { attempted, reason: 'not_admin' },
    });
    return fail('not_allowed');
  }

  function newCode(): string {
    for (;;) {
      const code = inviteCodeFromBytes(random(32));
      if (code) return code;
    }
  }

  return {
    isAdmin,

    /** Whether the caller is an admin; a refusal is audited. */
    async checkAdmin(telegramId: number, attempted: string): Promise<boolean> {
      if (isAdmin(telegramId)) return true;
      await refuse(telegramId, attempted);
      return false;
    },

    async departments(telegramId: number) {
      if (!isAdmin(telegramId)) return refuse(telegramId, 'departments');
      return ok(await staff.departments());
    },

    async communities(telegramId: number) {
      if (!isAdmin(telegramId)) return refuse(telegramId, 'communities');
      return ok(await staff.communities());
    },

    /**
     * A new single-use code; only its keyed hash is stored. The code itself is shown once, to the admin, who
     * is told when it is used and may withdraw it until then (revokeInvite, by the invite's id).
     */
    async createInvite(
      telegramId: number,
      target: InviteTarget,
    ): Promise<
      Result<
        { id: string; code: string; expiresAt: string; unit: { nameZh: string; nameEn: string } },
        'not_allowed' | 'invalid'
      >
    > {
      if (!isAdmin(telegramId)) return refuse(telegramId, 'invite');
      const unit =
        target.role === 'staff'
          ? await staff.department(target.departmentCode)
          : (await staff.communities()).find((c) => c.code === target.communityCode);
      if (!unit) return fail('invalid');
      const code = newCode();
      const expiresAt = new Date(now().getTime() + INVITE_TTL_HOURS * HOUR_MS);
      const id = await staff.createInvite(
        {
          codeHash: cipher.hash(`invite:${code}`),
          role: target.role,
          departmentCode: target.role === 'staff' ? target.departmentCode : null,
          communityCode: target.role === 'worker' ? target.communityCode : null,
          createdBy: telegramId,
          expiresAt,
        },
        {
          actorTelegramId: telegramId,
          action: 'invite.created',
          subject:
            target.role === 'staff'
              ? `department:${target.departmentCode}`
              : `community:${target.communityCode}`,
          detail: { role: target.role, expiresAt: expiresAt.toISOString() },
        },
      );
      return ok({
        id,
        code: formatInviteCode(code),
        expiresAt: expiresAt.toISOString(),
        unit: { nameZh: unit.nameZh, nameEn: unit.nameEn },
      });
    },

    /** Withdraws an invite nobody has used yet (audited); afterwards `/join` refuses it like a wrong code. */
    async revokeInvite(
      telegramId: number,
      inviteId: string,
    ): Promise<Result<null, 'not_allowed' | 'not_found' | 'already_used'>> {
      if (!isAdmin(telegramId)) return refuse(telegramId, 'invite_revoke');
      if (!z.uuid().safeParse(inviteId).success) return fail('not_found');
      const r = await staff.revokeInvite(inviteId, now(), {
        actorTelegramId: telegramId,
        action: 'invite.revoked',
      });
      if (r === 'used') return fail('already_used');
      return r === 'revoked' ? ok(null) : fail('not_found');
    },

    /** `/join CODE`: binds the sender as staff or worker. Wrong codes are throttled per person. */
    async join(
      telegramId: number,
      typed: string,
      displayName: string,
    ): Promise<
      Result<{ role: 'staff' | 'worker'; unit: { code: string; nameZh: string; nameEn: string } }, JoinError>
    > {
      const at = now();
      const wrong = await staff.countAudit(telegramId, 'invite.rejected', new Date(at.getTime() - HOUR_MS));
      if (wrong >= JOIN_ATTEMPTS_PER_HOUR) {
        await staff.audit(null, { actorTelegramId: telegramId, action: 'invite.throttled' });
        return fail('throttled');
      }
      const code = normalizeInviteCode(typed);
      const name = displayName.trim().slice(0, 64) || String(telegramId);
      // Under every key of the ring: a code made before a key rotation keeps working (only its hash is
      // stored, so the rotation cannot move it to the new key).
      let outcome: RedeemOutcome = { kind: 'invalid' };
      for (const codeHash of code ? cipher.hashes(`invite:${code}`) : []) {
        outcome = await staff.redeemInvite({
          codeHash,
          telegramId,
          displayName: name,
          at,
          audit: { actorTelegramId: telegramId, action: 'invite.redeemed' },
        });
        if (outcome.kind !== 'invalid') break;
      }
      if (outcome.kind === 'invalid') {
        await staff.audit(null, { actorTelegramId: telegramId, action: 'invite.rejected' });
        return fail('invalid');
      }
      if (outcome.kind === 'already_member') return fail('already_member');
      const s = outcome.staff;
      const unit =
        s.role === 'staff'
          ? await staff.department(s.departmentCode ?? '')
          : (await staff.communities()).find((c) => c.code === s.communityCode);
      const unitCode = s.departmentCode ?? s.communityCode ?? '';
      return ok({
        role: s.role,
        unit: unit
          ? { code: unit.code, nameZh: unit.nameZh, nameEn: unit.nameEn }
          : { code: unitCode, nameZh: unitCode, nameEn: unitCode },
      });
    },

    async listStaff(telegramId: number): Promise<Result<StaffListItem[], 'not_allowed'>> {
      if (!isAdmin(telegramId)) return refuse(telegramId, 'staff_list');
      return ok((await staff.listActive()).map(toListItem));
    },

    /**
     * Removes a member at once (their open cases go back to the queue, a worker's notices that have not
     * started are cancelled); their next action is refused.
     */
    async removeStaff(
      telegramId: number,
      staffId: string,
    ): Promise<
      Result<
        { displayName: string; telegramId: bigint; released: number; cancelledNotices: number },
        'not_allowed' | 'not_found'
      >
    > {
      if (!isAdmin(telegramId)) return refuse(telegramId, 'staff_remove');
      if (!z.uuid().safeParse(staffId).success) return fail('not_found');
      const removed = await staff.remove(
        staffId,
        now(),
        { actorTelegramId: telegramId, action: 'staff.removed', subject: `staff:${staffId}` },
        deps.adminTelegramIds,
      );
      if (!removed) return fail('not_found');
      return ok({
        displayName: removed.removed.displayName,
        telegramId: removed.removed.telegramId,
        released: removed.released,
        cancelledNotices: removed.cancelledNotices,
      });
    },

    async staffMember(
      telegramId: number,
      staffId: string,
    ): Promise<Result<StaffListItem, 'not_allowed' | 'not_found'>> {
      if (!isAdmin(telegramId)) return refuse(telegramId, 'staff_list');
      const s = z.uuid().safeParse(staffId).success ? await staff.byId(staffId) : null;
      return s?.active ? ok(toListItem(s)) : fail('not_found');
    },

    async cannedReplies(telegramId: number, departmentCode: string) {
      if (!isAdmin(telegramId)) return refuse(telegramId, 'canned_list');
      if (!(await staff.department(departmentCode))) return fail('not_found' as const);
      return ok(await staff.cannedReplies(departmentCode));
    },

    async addCannedReply(
      telegramId: number,
      departmentCode: string,
      input: { title: string; text: string },
    ): Promise<Result<string, 'not_allowed' | 'not_found' | 'invalid'>> {
      if (!isAdmin(telegramId)) return refuse(telegramId, 'canned_add');
      if (!(await staff.department(departmentCode))) return fail('not_found');
      const parsed = cannedSchema.safeParse(input);
      if (!parsed.success) return fail('invalid');
      const id = await staff.addCannedReply(
        { departmentCode, ...parsed.data },
        { actorTelegramId: telegramId, action: 'canned.added', detail: { departmentCode } },
      );
      return ok(id);
    },

    async removeCannedReply(
      telegramId: number,
      id: string,
    ): Promise<Result<null, 'not_allowed' | 'not_found'>> {
      if (!isAdmin(telegramId)) return refuse(telegramId, 'canned_remove');
      if (!z.uuid().safeParse(id).success) return fail('not_found');
      const done = await staff.removeCannedReply(id, {
        actorTelegramId: telegramId,
        action: 'canned.removed',
      });
      return done ? ok(null) : fail('not_found');
    },

    /** Per department, the last STATS_DAYS days. */
    async stats(
      telegramId: number,
    ): Promise<Result<{ days: number; departments: DepartmentFigures[] }, 'not_allowed'>> {
      if (!isAdmin(telegramId)) return refuse(telegramId, 'stats');
      const at = now();
      return ok({
        days: STATS_DAYS,
        departments: await deps.stats.departmentFigures(new Date(at.getTime() - STATS_DAYS * DAY_MS), at),
      });
    },

    /**
     * The cases submitted in [from, to) as CSV. Without personal data unless asked for explicitly; either
     * way the export is audited (with personal data: as a view of personal data, 'pii.export').
     */
    async exportCases(
      actor: ExportActor,
      opts: { from: Date; to: Date; withPersonalData: boolean },
    ): Promise<Result<{ csv: string; rows: number }, 'not_allowed' | 'invalid'>> {
      if ('telegramId' in actor && !isAdmin(actor.telegramId)) return refuse(actor.telegramId, 'export');
      if (!(opts.from.getTime() < opts.to.getTime())) return fail('invalid');
      const { header, rows } = await exportTable(
        deps.stats.exportRows(opts.from, opts.to, opts.withPersonalData),
        { withPersonalData: opts.withPersonalData, at: now(), cipher },
      );
      await staff.audit(null, {
        actorTelegramId: 'telegramId' in actor ? actor.telegramId : null,
        action: opts.withPersonalData ? 'pii.export' : 'cases.export',
        subject: 'commandLine' in actor ? `cli:${actor.commandLine.slice(0, 60)}` : null,
        detail: {
          from: opts.from.toISOString(),
          to: opts.to.toISOString(),
          rows: rows.length,
          withPersonalData: opts.withPersonalData,
        },
      });
      return ok({ csv: toCsv(header, rows), rows: rows.length });
    },
  };
}

function toListItem({
  id,
  role,
  displayName,
  departmentCode,
  communityCode,
  onDuty,
}: StaffRecord): StaffListItem {
  return { id, role, displayName, departmentCode, communityCode, onDuty };
}

export type AdminService = ReturnType<typeof createAdminService>;
