// Who a console user is for the pages that are not one department's queue (search, household files, the
// window's registration, the "to tell" list): their department (staff), their community (worker), or
// everything (admin); and a refusal's audit row, within the per-person limit of refusal rows an hour.
import { MAX_REFUSAL_AUDIT_ROWS_PER_HOUR } from '../../domain/abuse-limits.ts';
import type { NewAudit } from '../case-store.ts';
import type { StaffStore } from '../staff/ports.ts';

/** What one person may see: their department's cases, their community's households, everything (admin). */
export interface Scope {
  department: string | null;
  community: string | null;
  admin: boolean;
}

const HOUR_MS = 3600_000;

export interface ScopeDeps {
  staff: Pick<StaffStore, 'activeMemberships' | 'audit' | 'countAudit'>;
  adminTelegramIds: readonly number[];
  now: () => Date;
}

export function createScope(deps: ScopeDeps) {
  const { staff, now } = deps;
  return {
    /** Null: neither staff, worker nor admin. */
    async of(telegramId: number): Promise<Scope | null> {
      const rows = await staff.activeMemberships(telegramId);
      const department = rows.find((r) => r.role === 'staff' && r.departmentCode)?.departmentCode ?? null;
      const community = rows.find((r) => r.role === 'worker' && r.communityCode)?.communityCode ?? null;
      const admin = deps.adminTelegramIds.includes(telegramId);
      return department || community || admin ? { department, community, admin } : null;
    },

    /** A refusal's audit row (`access.denied`), unless this person already has the hour's most. */
    refuse: (telegramId: number, caseId: string | null, audit: Omit<NewAudit, 'actorTelegramId'>) =>
      auditRefusal({ staff, now }, telegramId, caseId, audit),
  };
}

/** A refusal's audit row, unless this person already has the hour's most `access.denied` rows. */
export async function auditRefusal(
  deps: Pick<ScopeDeps, 'staff' | 'now'>,
  telegramId: number,
  caseId: string | null,
  audit: Omit<NewAudit, 'actorTelegramId'>,
): Promise<void> {
  const since = new Date(deps.now().getTime() - HOUR_MS);
  if ((await deps.staff.countAudit(telegramId, 'access.denied', since)) >= MAX_REFUSAL_AUDIT_ROWS_PER_HOUR)
    return;
  await deps.staff.audit(caseId, { ...audit, actorTelegramId: telegramId });
}
