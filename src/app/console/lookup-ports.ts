// What the console's search, household file and audit-log view need from storage
// (src/db/repositories/console-lookup.ts implements it). Personal fields cross it as ciphertexts and keyed
// hashes only; the use cases (search.ts, audit-log.ts) decrypt, mask and decide who may see what.
import type { CaseStatus } from '../../domain/case-status.ts';
import type { Relation } from '../../domain/household.ts';
import type { Sex } from '../../domain/id-number.ts';

type Named = { code: string; nameZh: string; nameEn: string };

/** Where a household lives, and the departments that own one of its cases (who may open its file). */
export interface HouseholdPlaceRow {
  id: string;
  community: Named;
  building: Named;
  unit: string;
  room: string;
  caseDepartments: string[];
  /** Its registered residents (audit rows name them, `resident:<id>`: an erasure redacts those). */
  residentIds: string[];
}

/** A registered resident or a household member found by a search. */
export interface PersonRow {
  kind: 'resident' | 'member';
  id: string;
  householdId: string;
  name: string;
  relation: Relation | null;
  birthDate: string;
  idNumberCipher: Uint8Array | null;
  /** Residents only. */
  phoneCipher: Uint8Array | null;
}

export interface CaseRow {
  id: string;
  number: string;
  serviceCode: string;
  status: CaseStatus;
  department: Named;
  submittedAt: Date;
  /**
   * The household of the case's resident (null: an anonymous suggestion — never tied to anyone here — or
   * the resident erased themselves).
   */
  householdId: string | null;
  communityCode: string | null;
}

export interface HouseholdPersonRow {
  kind: 'resident' | 'member';
  id: string;
  name: string;
  relation: Relation | null;
  sex: Sex;
  birthDate: string;
  idNumberCipher: Uint8Array | null;
  phoneCipher: Uint8Array | null;
  /** Residents: their Telegram id (notices reach them there). */
  telegramId: bigint | null;
}

export interface NoticeRow {
  noticeId: string;
  telegramId: bigint;
  at: Date;
  textZh: string | null;
  textEn: string | null;
  important: boolean;
  status: string;
  readAt: Date | null;
}

/** The name search's reach: everyone (admins), or the households of a community / with a department's case. */
export interface NameScope {
  all: boolean;
  communityCode: string | null;
  departmentCode: string | null;
}

export interface AuditFilter {
  actorTelegramId?: bigint;
  /** The case's id (the view resolves the number first). */
  caseId?: string;
  /** Rows whose action starts with this. */
  actionPrefix?: string;
  /** Rows older than this row id (the next page). */
  beforeId?: bigint;
}

export interface AuditRow {
  id: bigint;
  at: Date;
  actorTelegramId: bigint | null;
  action: string;
  caseId: string | null;
  caseNumber: string | null;
  subject: string | null;
  detail: unknown;
}

export interface LookupStore {
  /** Residents and members whose ID number has one of these keyed hashes. */
  peopleByIdHash(hashes: Uint8Array[]): Promise<PersonRow[]>;
  /** Residents whose phone has one of these keyed hashes. */
  peopleByPhoneHash(hashes: Uint8Array[]): Promise<PersonRow[]>;
  /** Residents and members whose name starts with `prefix`, within `scope`, at most `limit`. */
  peopleByName(prefix: string, scope: NameScope, limit: number): Promise<PersonRow[]>;
  caseByNumber(number: string): Promise<CaseRow | null>;
  /** Cases of the residents of these households (anonymous ones never), newest first, at most `limit`. */
  casesOfHouseholds(householdIds: string[], limit: number): Promise<CaseRow[]>;
  places(householdIds: string[]): Promise<HouseholdPlaceRow[]>;
  /** The household's residents (registered people) and members, eldest first. */
  people(householdId: string): Promise<HouseholdPersonRow[]>;
  /** Notices sent to these Telegram ids, newest first, at most `limit`. */
  noticesTo(telegramIds: bigint[], limit: number): Promise<NoticeRow[]>;
  /** Residents registered before phones were hashed (by id, after `afterId`), and the hash's writing. */
  residentsWithoutPhoneHash(
    afterId: string | null,
    limit: number,
  ): Promise<{ id: string; phoneCipher: Uint8Array }[]>;
  setPhoneHash(residentId: string, phoneHash: Uint8Array): Promise<void>;
  caseIdByNumber(number: string): Promise<string | null>;
  /** Newest first; one more than `limit` tells there is a next page. */
  auditRows(filter: AuditFilter, limit: number): Promise<AuditRow[]>;
  /** Active staff members' display names by Telegram id. */
  staffNames(telegramIds: bigint[]): Promise<Map<bigint, string>>;
}
