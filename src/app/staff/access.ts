// Who may do what on the staff's side: every staff use case opens here. Permissions live in the use cases,
// not in the handlers: each call looks the caller up in the database (a removed member is refused on their
// very next action) and checks the department of what they touch. Someone who is not staff, staff of
// another department, a removed member and a forged id all get the same answer, 'not_found', and an audit
// row saying who tried what.
import { z } from 'zod';
import { auditedReference, MAX_REFUSAL_AUDIT_ROWS_PER_HOUR } from '../../domain/abuse-limits.ts';
import type { Catalogue } from '../../domain/catalogue/index.ts';
import { fail, ok, type Result } from '../../domain/result.ts';
import type { CaseRecord, CaseStore, NewAudit } from '../case-store.ts';
import type { HouseholdStore } from '../households.ts';
import type { PiiCipher } from '../pii-cipher.ts';
import type { FacilityStore } from '../reference.ts';
import type { StaffCaseStore, StaffRecord, StaffStore } from './ports.ts';

/**
 * not_found: no such case for this caller (also: not staff, another department, removed, forged);
 * not_allowed: the caller may see the case but not do this now (not theirs, wrong status);
 * conflict: someone else acted first; invalid: the text or choice was refused.
 */
export type StaffError = 'not_found' | 'not_allowed' | 'conflict' | 'invalid';

export type StaffAction =
  | 'queue'
  | 'next'
  | 'open'
  | 'view'
  | 'take'
  | 'reveal'
  | 'attachments'
  | 'reply'
  | 'ask_info'
  | 'note'
  | 'transfer'
  | 'resolve'
  | 'reject'
  | 'release'
  | 'duty'
  | 'canned';

/** The actions that change a case and need the case to be the caller's own. */
export type CaseChange = 'reply' | 'ask_info' | 'resolve' | 'reject' | 'release' | 'transfer';

export interface StaffDeps {
  staff: StaffStore;
  staffCases: StaffCaseStore;
  cases: Pick<CaseStore, 'findById' | 'findByNumber' | 'events' | 'attachments' | 'transition'>;
  households: Pick<HouseholdStore, 'findByTelegramId' | 'findByResidentId'>;
  onDutyStaff(departmentCode: string): Promise<bigint[]>;
  catalogue: Catalogue;
  /** The district's schools and hospitals: the card names them in the reader's language. */
  facilities: FacilityStore;
  cipher: PiiCipher;
  now: () => Date;
}

/** A department staff member: role staff, with a department. */
export type DepartmentStaff = StaffRecord & { departmentCode: string };

/** The caller, as staff of the department of the case they act on. */
export interface Access {
  me: DepartmentStaff;
  record: CaseRecord;
}

export const isUuid = (id: string) => z.uuid().safeParse(id).success;

const HOUR_MS = 3600_000;

export function createStaffAccess(deps: Pick<StaffDeps, 'staff' | 'cases' | 'now'>) {
  const { staff, cases, now } = deps;

  /**
   * Writes a refusal row ('access.denied') unless this sender already has MAX_REFUSAL_AUDIT_ROWS_PER_HOUR of
   * them in the last hour: the refusal itself stands either way, only the row is left out.
   */
  async function auditRefusal(caseId: string | null, audit: NewAudit & { actorTelegramId: number }) {
    const since = new Date(now().getTime() - HOUR_MS);
    const recent = await staff.countAudit(audit.actorTelegramId, 'access.denied', since);
    if (recent >= MAX_REFUSAL_AUDIT_ROWS_PER_HOUR) return;
    await staff.audit(caseId, audit);
  }

  /** The caller's department staff membership (active, role staff, with a department), or null. */
  async function member(telegramId: number): Promise<DepartmentStaff | null> {
    const rows = await staff.activeMemberships(telegramId);
    return rows.find((r): r is DepartmentStaff => r.role === 'staff' && r.departmentCode !== null) ?? null;
  }

  /**
   * Writes the audit row of a refusal. `rawRef`: what the caller sent, when it named nothing found — kept
   * only as a case number or id, or its length (auditedReference): typed text may hold personal data.
   */
  async function deny(
    telegramId: number,
    action: StaffAction,
    reason: string,
    caseId: string | null,
    rawRef?: { kind: 'case' | 'canned'; raw: string },
  ): Promise<void> {
    const ref = rawRef ? auditedReference(rawRef.kind, rawRef.raw) : { subject: null, detail: {} };
    await auditRefusal(caseId, {
      actorTelegramId: telegramId,
      action: 'access.denied',
      subject: ref.subject,
      detail: { attempted: action, reason, ...ref.detail },
    });
  }

  /** The caller as department staff, or a refusal (audited: 'not_staff'). */
  async function staffMember(
    telegramId: number,
    action: StaffAction,
  ): Promise<Result<DepartmentStaff, 'not_found'>> {
    const me = await member(telegramId);
    if (me) return ok(me);
    await deny(telegramId, action, 'not_staff', null);
    return fail('not_found');
  }

  /**
   * The caller and `thing` (a case, a canned reply) of their own department, or a refusal, audited with the
   * reason: not staff, `missing` (nothing found), or another department. `refusal` names the case and what
   * the caller sent, for the audit row.
   */
  async function ofDepartment<T extends { departmentCode: string }>(
    telegramId: number,
    action: StaffAction,
    thing: T | null,
    refusal: { missing: string; caseId: string | null; rawRef?: { kind: 'case' | 'canned'; raw: string } },
  ): Promise<Result<{ me: DepartmentStaff; thing: T }, 'not_found'>> {
    const me = await member(telegramId);
    if (me && thing && thing.departmentCode === me.departmentCode) return ok({ me, thing });
    const reason = !me ? 'not_staff' : !thing ? refusal.missing : 'other_department';
    await deny(telegramId, action, reason, refusal.caseId, refusal.rawRef);
    return fail('not_found');
  }

  /** The case as its department's staff see it, or a refusal (audited). */
  function caseOfDepartment(
    telegramId: number,
    action: StaffAction,
    record: CaseRecord | null,
    rawRef: string,
  ): Promise<Result<{ me: DepartmentStaff; thing: CaseRecord }, 'not_found'>> {
    return ofDepartment(telegramId, action, record, {
      missing: 'no_such_case',
      caseId: record?.id ?? null,
      rawRef: record ? undefined : { kind: 'case', raw: rawRef },
    });
  }

  /** The caller as staff of the case's department, or a refusal (audited). */
  async function access(
    telegramId: number,
    caseId: string,
    action: StaffAction,
  ): Promise<Result<Access, 'not_found'>> {
    const record = isUuid(caseId) ? await cases.findById(caseId) : null;
    const a = await caseOfDepartment(telegramId, action, record, caseId);
    return a.ok ? ok({ me: a.value.me, record: a.value.thing }) : a;
  }

  return { member, deny, auditRefusal, staffMember, ofDepartment, caseOfDepartment, access };
}

export type StaffAccess = ReturnType<typeof createStaffAccess>;
