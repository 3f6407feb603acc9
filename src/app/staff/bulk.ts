// Bulk take and bulk transfer (the console's queue): each case through the same use case as one take or one
// transfer — its access check, its audit row, its message to the resident — one after the other, and a count
// of what came of them. What is checked once for all (nothing ticked, too many, the department, the reason)
// is refused before any case is touched.
import { z } from 'zod';
import { fail, ok, type Result } from '../../domain/result.ts';
import { STAFF_TEXT_MAX } from '../../domain/staff-work.ts';
import type { StaffAccess, StaffDeps, StaffError } from './access.ts';

/** At most this many cases at once (a queue page shows 20). */
export const BULK_MAX = 50;

export type BulkAction = 'take' | 'transfer';

/** none_selected, too_many, bad_department, bad_reason: nothing was done. */
export type BulkError = 'not_found' | 'none_selected' | 'too_many' | 'bad_department' | 'bad_reason';

/** How the cases fared: done, someone else was first (conflict), not the caller's to change, not found. */
export interface BulkResult {
  done: number;
  conflict: number;
  notAllowed: number;
  notFound: number;
}

type One = (telegramId: number, caseId: string) => Promise<Result<unknown, StaffError>>;

const reasonSchema = z.string().trim().min(1).max(STAFF_TEXT_MAX);

export function createBulkActions(
  deps: Pick<StaffDeps, 'staff'>,
  gate: StaffAccess,
  single: {
    take(telegramId: number, caseId: string, via: 'console'): Promise<Result<unknown, StaffError>>;
    transfer(
      telegramId: number,
      caseId: string,
      departmentCode: string,
      reason: string,
    ): Promise<Result<unknown, StaffError>>;
  },
) {
  const { staff } = deps;

  /** The departments of the caller's district, other than their own: where their cases may go. */
  async function bulkTransferTargets(
    telegramId: number,
  ): Promise<Result<{ code: string; nameZh: string; nameEn: string }[], 'not_found'>> {
    const me = await gate.staffMember(telegramId, 'transfer');
    if (!me.ok) return me;
    const own = await staff.department(me.value.departmentCode);
    return ok(
      (await staff.departments())
        .filter((d) => d.code !== me.value.departmentCode && d.districtCode === own?.districtCode)
        .map(({ code, nameZh, nameEn }) => ({ code, nameZh, nameEn })),
    );
  }

  return {
    bulkTransferTargets,

    async bulk(
      telegramId: number,
      action: BulkAction,
      caseIds: readonly string[],
      transfer: { departmentCode?: string; reason?: string } = {},
    ): Promise<Result<BulkResult, BulkError>> {
      const me = await gate.staffMember(telegramId, action);
      if (!me.ok) return me;
      const ids = [...new Set(caseIds.map((id) => id.trim()).filter((id) => id !== ''))];
      if (ids.length === 0) return fail('none_selected');
      if (ids.length > BULK_MAX) return fail('too_many');
      let one: One;
      if (action === 'transfer') {
        const targets = await bulkTransferTargets(telegramId);
        const code = transfer.departmentCode ?? '';
        if (!targets.ok || !targets.value.some((d) => d.code === code)) return fail('bad_department');
        const reason = reasonSchema.safeParse(transfer.reason ?? '');
        if (!reason.success) return fail('bad_reason');
        one = (t, id) => single.transfer(t, id, code, reason.data);
      } else {
        one = (t, id) => single.take(t, id, 'console');
      }
      const result: BulkResult = { done: 0, conflict: 0, notAllowed: 0, notFound: 0 };
      // One at a time: each is its own transaction, as when done one by one.
      for (const id of ids) {
        const r = await one(telegramId, id);
        if (r.ok) result.done += 1;
        else if (r.error === 'conflict') result.conflict += 1;
        else if (r.error === 'not_found') result.notFound += 1;
        else result.notAllowed += 1;
      }
      return ok(result);
    },
  };
}
