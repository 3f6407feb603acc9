// The ports the staff's use cases (src/app/staff/) need from storage, and the records that cross them.
// src/db/repositories/staff.ts implements StaffStore (it also serves the admin's use cases, so it states
// `satisfies StaffStore` and keeps its wider type); src/db/repositories/staff-cases.ts implements
// StaffCaseStore (`createStaffCaseRepository(db): StaffCaseStore`). Cases themselves go through CaseStore
// (src/app/case-store.ts).
import type { CaseStatus } from '../../domain/case-status.ts';
import type { QueueFilter } from '../../domain/staff-work.ts';
import type { NewAudit } from '../case-store.ts';

export type StaffRole = 'staff' | 'worker';

export interface StaffRecord {
  id: string;
  telegramId: bigint;
  role: StaffRole;
  departmentCode: string | null;
  communityCode: string | null;
  displayName: string;
  onDuty: boolean;
  active: boolean;
}

export interface DepartmentRecord {
  code: string;
  nameZh: string;
  nameEn: string;
  districtCode: string;
}

/** Staff members, their departments and canned replies, and the audit rows of what they try. */
export interface StaffStore {
  /** The person's active memberships (a person may be department staff and a community worker). */
  activeMemberships(telegramId: number | bigint): Promise<StaffRecord[]>;
  /** Staff ids → display names. */
  names(ids: readonly string[]): Promise<Map<string, string>>;
  audit(caseId: string | null, audit: NewAudit): Promise<void>;
  /** Audit rows of `action` by this person since `since` (refusal rows, for their per-sender limit). */
  countAudit(actorTelegramId: number, action: string, since: Date): Promise<number>;
  setOnDuty(staffId: string, onDuty: boolean): Promise<void>;
  /** Active departments. */
  departments(): Promise<DepartmentRecord[]>;
  /** An active department, or null. */
  department(code: string): Promise<DepartmentRecord | null>;
  cannedReplies(departmentCode: string): Promise<{ id: string; title: string; text: string }[]>;
  cannedReply(
    id: string,
  ): Promise<{ id: string; title: string; text: string; departmentCode: string } | null>;
}

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

/** What a take writes beside the case and its "taken" event. */
export interface TakeEffects {
  /** To the case's resident: not written when the case has no Telegram id (its resident was erased). */
  residentNotification: { kind: string; payload: Record<string, unknown> };
  /** The audit row of the case; its detail also names the taker (`staffId`). */
  audit: NewAudit;
}

/** Narrows a queue further (the console's filters): urgent cases, cases due before `overdueAt`, one service. */
export interface QueueNarrowing {
  urgent?: boolean;
  overdueAt?: Date;
  serviceCode?: string;
}

/** The department's queue, taking a case (one statement, see the repository) and internal notes. */
export interface StaffCaseStore {
  queue(
    departmentCode: string,
    filter: QueueFilter,
    staffId: string,
    page: number,
    pageSize: number,
    narrow?: QueueNarrowing,
  ): Promise<{ rows: QueueRow[]; total: number }>;
  /**
   * The caller (a Telegram id) takes their department's next unassigned case: urgent first, then the
   * earliest due. Null when the caller is not active department staff; `taken` null when the queue is empty.
   */
  takeNext(
    telegramId: number | bigint,
    at: Date,
    effects: TakeEffects,
  ): Promise<{ staffId: string; taken: TakenCase | null } | null>;
  /**
   * Takes one given case, if it is still unassigned in this department ('conflict' otherwise) and the taker
   * is still active staff of it ('not_staff' otherwise: removed since they were checked).
   */
  takeById(
    caseId: string,
    departmentCode: string,
    staffId: string,
    at: Date,
    effects: TakeEffects,
  ): Promise<TakenCase | 'conflict' | 'not_staff'>;
  /** An internal note: an event only the staff see; the case's status stays as it is. */
  addNote(
    caseId: string,
    staffId: string,
    noteCipher: Uint8Array,
    at: Date,
    audit: NewAudit,
  ): Promise<'ok' | 'gone'>;
  caseExists(caseId: string): Promise<boolean>;
  /**
   * The resident's other cases filed under their name, newest first (never an anonymous suggestion: it is
   * not tied to its resident for staff), at most `limit`.
   */
  otherNamedCases(residentId: string, exceptCaseId: string, limit: number): Promise<ResidentCaseRow[]>;
}

/** One of a resident's cases, as the case page lists it beside the case. */
export interface ResidentCaseRow {
  id: string;
  number: string;
  serviceCode: string;
  status: CaseStatus;
  departmentCode: string;
  submittedAt: Date;
}
