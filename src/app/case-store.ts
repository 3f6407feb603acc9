// The ports the case use cases (the resident's, src/app/cases.ts, and the staff's, src/app/staff/) need from
// storage, and the records and inputs that cross them. src/db/repositories/cases.ts implements CaseStore
// (`createCaseRepository(db): CaseStore`), src/db/repositories/routing.ts RoutingLookup. Every change of a
// case is one transaction there: the case row (guarded by its current status), its event, its attachments,
// notifications and audit row commit together or not at all.

import type { CaseStatus } from '../domain/case-status.ts';
import type { DepartmentKind } from '../domain/catalogue/index.ts';
import type { CourseInfo } from '../domain/course.ts';
import type { InboundCandidate } from '../domain/inbound.ts';

/** Kind of a department group's post of a case that waits to be taken (src/db writes and refreshes them). */
export const GROUP_POST_KIND = 'group.new_case';

/** What a change writes beside the case itself (the repository writes them in the same transaction). */
export interface NewNotification {
  telegramId: number | bigint;
  kind: string;
  payload: Record<string, unknown>;
  /** Add the id of the event written in the same transition to the payload (`eventId`, as a string). */
  withEventId?: boolean;
}

/**
 * Something a resident without Telegram must be told by phone or at the window (src/app/resident-tell.ts),
 * written where a notification would be. `kind` is the notification's; the event of the change is linked.
 */
export interface NewTell {
  residentId: string;
  kind: string;
  params: Record<string, string>;
}

export interface NewAttachment {
  stepId?: string | null;
  kind: 'photo' | 'voice' | 'document';
  fileId: string;
  fileUniqueId: string;
  mimeType?: string | null;
  sizeBytes?: number | null;
}

export interface NewEvent {
  actorKind: 'resident' | 'staff' | 'system';
  actorId?: string | null;
  kind: string;
  noteCipher?: Uint8Array | null;
  visibleToResident?: boolean;
  /** The Telegram album a resident's addition came with (its later parts join this event). */
  mediaGroupId?: string | null;
}

export interface NewAudit {
  actorTelegramId?: number | bigint | null;
  action: string;
  subject?: string | null;
  detail?: Record<string, unknown> | null;
}

export interface NewCase {
  /** Made by the use case: the case's answers are encrypted bound to it before the row is written. */
  id: string;
  serviceCode: string;
  departmentCode: string;
  casePrefix: string;
  year: number;
  residentId: string;
  /** The resident's Telegram id; null: a resident without Telegram (filed for them at the window). */
  telegramId: number | null;
  priority: 'normal' | 'urgent';
  anonymous: boolean;
  answersCipher: Uint8Array;
  dueAt: Date;
  submissionKey: string;
  /** The definition the case is filed under (src/domain/catalogue: `version`, content `hash`). */
  serviceVersion?: number;
  serviceHash?: string;
  /**
   * The skills-training course the case takes a seat of (a reference step of source `courses`): written
   * only while the course has a seat, checked in the transaction that writes the case.
   */
  courseCode?: string | null;
  attachments: NewAttachment[];
  /** Notifications to write with the case (e.g. the on-duty staff alert for an urgent case). */
  notifications: NewNotification[];
  /**
   * Filed for the resident by a staff member (a clerk at the window, a community worker on a visit): the
   * case records who and how, its first event is theirs (kind `filed_at_window` / `filed_by_proxy`, with
   * `note` as its internal note: the documents seen on paper), and `audit` is written with it.
   */
  filedBy?: { staffId: string; via: FiledVia; noteCipher: Uint8Array | null; audit: NewAudit };
}

/** How a case was filed: by the resident in the bot, at the window by a clerk, by a community worker. */
export type FiledVia = 'bot' | 'window' | 'proxy';

/** The first event of a case filed for the resident, by how it was filed. */
export const FILED_EVENT_KIND = { window: 'filed_at_window', proxy: 'filed_by_proxy' } as const;

/**
 * A resident's limits for a new case: refused when they already have `openPerService` open cases of the
 * service, or (for an urgent case) `urgentPerDay` urgent cases submitted since `urgentSince`.
 */
export interface CaseLimits {
  openPerService: number;
  urgentPerDay: number;
  urgentSince: Date;
}

/** Why a case was not written: one of NewCase's limits, or its course has no seat left. */
export type CaseLimitRefusal = 'too_many_open' | 'too_many_urgent' | 'course_full';

export interface CaseRecord {
  id: string;
  number: string;
  serviceCode: string;
  departmentCode: string;
  residentId: string | null;
  telegramId: bigint | null;
  status: CaseStatus;
  priority: 'normal' | 'urgent';
  anonymous: boolean;
  answersCipher: Uint8Array;
  assigneeId: string | null;
  dueAt: Date;
  submittedAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  rating: number | null;
  /** The rating's comment, encrypted (free text). */
  commentCipher: Uint8Array | null;
}

export interface CaseEventRecord {
  id: bigint;
  at: Date;
  actorKind: 'resident' | 'staff' | 'system';
  actorId: string | null;
  kind: string;
  fromStatus: CaseStatus | null;
  toStatus: CaseStatus | null;
  noteCipher: Uint8Array | null;
  visibleToResident: boolean;
}

export interface CaseAttachmentRecord {
  id: string;
  eventId: bigint | null;
  stepId: string | null;
  kind: 'photo' | 'voice' | 'document';
  fileId: string;
  fileUniqueId: string;
  mimeType: string | null;
  sizeBytes: number | null;
}

/** A row of a resident's list of their cases. */
export type CaseListRow = Pick<
  CaseRecord,
  'id' | 'number' | 'serviceCode' | 'status' | 'submittedAt' | 'dueAt'
>;

export interface TransitionInput {
  caseId: string;
  /** The statuses the case may be in for this change; anything else is a conflict. */
  from: readonly CaseStatus[];
  to: CaseStatus;
  /** Extra guard, e.g. "still assigned to me" for staff actions. */
  assigneeId?: string | null;
  patch?: Partial<{
    assigneeId: string | null;
    departmentCode: string;
    dueAt: Date;
    firstResponseAt: Date;
    resolvedAt: Date | null;
    closedAt: Date | null;
    rating: number;
    commentCipher: Uint8Array | null;
  }>;
  event: NewEvent;
  attachments?: NewAttachment[];
  notifications?: NewNotification[];
  /** For a resident without Telegram, instead of the notification: what to tell them (with this event). */
  tells?: NewTell[];
  audit?: NewAudit;
  /** The case left the queue or came back to it: edit its posts in department groups. */
  refreshGroupPosts?: boolean;
  /**
   * In the same transaction, an earlier event (of any case) changes its kind: a resident's addition that
   * went to the wrong case is marked as moved. A conflict when that event is not (any more) of `from`.
   */
  relabel?: { caseId: string; eventId: bigint; from: readonly string[]; to: string };
}

export interface CaseStore {
  /**
   * Creates a case with the next number of its department and year. Idempotent on `submissionKey`: a
   * second call (double tap, repeated update, two instances) returns the first case, `created: false`.
   */
  create(input: NewCase): Promise<{ id: string; number: string; created: boolean }>;
  /**
   * create() within the resident's limits, checked in the transaction that writes the case with the
   * resident's submissions taken one at a time: two at once cannot both pass. `refused`: nothing written.
   */
  createWithinLimits(
    input: NewCase,
    limits: CaseLimits,
  ): Promise<{ id: string; number: string; created: boolean } | { refused: CaseLimitRefusal }>;
  findById(caseId: string): Promise<CaseRecord | null>;
  findByNumber(number: string): Promise<CaseRecord | null>;
  /** A resident's cases, newest first. */
  listByResident(
    residentId: string,
    page: number,
    pageSize: number,
  ): Promise<{ rows: CaseListRow[]; total: number }>;
  /** The case's events, oldest first. */
  events(caseId: string): Promise<CaseEventRecord[]>;
  /** The case's photos, voice messages and documents, oldest first. */
  attachments(caseId: string): Promise<CaseAttachmentRecord[]>;
  /**
   * Moves a case from one of `from` to `to` with its event, attachments, notifications and audit row, in
   * one transaction. 'conflict' when the case is not (any more) in an allowed status or not held by the
   * expected assignee — somebody else acted first.
   */
  transition(input: TransitionInput): Promise<'ok' | 'conflict'>;
  /**
   * The resident's open cases, each with its latest event of `staffKinds` shown to the resident and its
   * latest event of `residentKinds` written by the resident (src/domain/inbound.ts chooses among them).
   */
  inboundCandidates(
    residentId: string,
    kinds: { staff: readonly string[]; resident: readonly string[] },
  ): Promise<InboundCandidate[]>;
  /** The id of the resident's event on the case that came with this Telegram album, if any. */
  albumEvent(caseId: string, mediaGroupId: string): Promise<bigint | null>;
  /** Adds files to an existing event of the case (an album's later parts). */
  appendAttachments(caseId: string, eventId: bigint, list: readonly NewAttachment[]): Promise<void>;
}

/** What submission needs to route a case (src/db/repositories/routing.ts). */
export interface RoutingLookup {
  /** The department for a district and kind; its Telegram group, if it has one (urgent cases go there at once). */
  department(
    districtCode: string,
    kind: DepartmentKind,
  ): Promise<{ code: string; casePrefix: string; telegramGroupId?: bigint | null } | null>;
  calendarExceptions(): Promise<Map<string, 'holiday' | 'workday'>>;
  /** Telegram ids of the department's active, on-duty staff (alerted at once for an urgent case). */
  onDutyStaff(departmentCode: string): Promise<bigint[]>;
  staffTelegramId(staffId: string): Promise<bigint | null>;
  schools(districtCode: string, stage: 'kindergarten' | 'primary' | 'junior'): Promise<{ code: string }[]>;
  hospitals(districtCode: string): Promise<{ code: string }[]>;
  /** The district's skills-training courses, started or not, with their seats taken. */
  courses(districtCode: string): Promise<CourseInfo[]>;
}
