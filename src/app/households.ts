// Use cases of the household file: register, view (masked), add / edit / remove members.
// Input from any front end is validated again here with the domain rules; errors are codes that each
// front end turns into its own words.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EMPLOYMENT_STATUSES, type EmploymentStatus } from '../domain/employment.ts';
import {
  CONSENT_VERSION,
  MAX_MEMBERS,
  RELATIONS,
  type Relation,
  relationAgeProblem,
  SEXES,
} from '../domain/household.ts';
import { parseIdNumber, type Sex } from '../domain/id-number.ts';
import { maskIdNumber, maskPhone } from '../domain/mask.ts';
import {
  checkMemberIdMatches,
  idNumberRequiredFor,
  parseBirthDate,
  parsePersonName,
  parseRoom,
} from '../domain/person.ts';
import { parsePhone } from '../domain/phone.ts';
import type { Result } from '../domain/result.ts';
import type { NewAudit } from './case-store.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';

/** A new household file with its registered resident; personal fields already encrypted. */
export interface NewHousehold {
  /** Null: registered at the service window by a clerk, without Telegram. */
  telegramId: number | null;
  communityCode: string;
  buildingId: string;
  unit: string;
  room: string;
  resident: {
    /** Made here (the row key its ciphertexts are bound to). */
    id: string;
    name: string;
    phoneCipher: Uint8Array;
    /** The phone's keyed hash: the console's search by phone. */
    phoneHash: Uint8Array;
    idNumberCipher: Uint8Array;
    idNumberHash: Uint8Array;
    /** The ID number's hash under every key of the ring: "already registered" is looked up under each. */
    idNumberHashes: Uint8Array[];
    birthDate: string;
    sex: Sex;
    consentVersion: string;
    consentAt: Date;
    /** At the window: the clerk who read the consent to the resident and recorded their agreement. */
    consentRecordedBy?: number | null;
  };
}

/**
 * A registration naming an ID number that is already registered (src/app/registration-conflicts.ts): the
 * second registrant's whole registration, encrypted, and the ID number's keyed hash.
 */
export interface NewConflict {
  telegramId: number;
  idNumberHash: Uint8Array;
  communityCode: string;
  registrationCipher: Uint8Array;
}

/** What a conflict keeps of the second registration (encrypted as one JSON value). */
export interface ConflictRegistration {
  communityCode: string;
  buildingId: string;
  unit: string;
  room: string;
  name: string;
  phone: string;
  idNumber: string;
  birthDate: string;
  sex: Sex;
  consentVersion: string;
  consentAt: string;
}

/** The household file a conflict's registration makes, its personal fields encrypted. */
export function householdOfConflict(
  telegramId: number | null,
  r: ConflictRegistration,
  cipher: PiiCipher,
): NewHousehold {
  const residentId = randomUUID();
  return {
    telegramId,
    communityCode: r.communityCode,
    buildingId: r.buildingId,
    unit: r.unit,
    room: r.room,
    resident: {
      id: residentId,
      name: r.name,
      phoneCipher: cipher.encrypt(r.phone, piiAt.residentPhone(residentId)),
      phoneHash: cipher.hash(r.phone),
      idNumberCipher: cipher.encrypt(r.idNumber, piiAt.residentIdNumber(residentId)),
      idNumberHash: cipher.hash(r.idNumber),
      idNumberHashes: cipher.hashes(r.idNumber),
      birthDate: r.birthDate,
      sex: r.sex,
      consentVersion: r.consentVersion,
      consentAt: new Date(r.consentAt),
    },
  };
}

/** A household member as stored (the ID number only as ciphertext and keyed hash). */
export interface MemberData {
  /** The member's row key (made here for a new member): its ciphertext is bound to it. */
  id: string;
  name: string;
  relation: Relation;
  sex: Sex;
  birthDate: string;
  idNumberCipher: Uint8Array | null;
  idNumberHash: Uint8Array | null;
}

/** Where a household lives: the same in the stored record and in the view. */
export interface HouseholdPlace {
  id: string;
  community: { code: string; nameZh: string; nameEn: string; districtCode: string };
  building: { code: string; nameZh: string; nameEn: string };
  unit: string;
  room: string;
}

export interface HouseholdRecord extends HouseholdPlace {
  resident: {
    id: string;
    name: string;
    phoneCipher: Uint8Array;
    idNumberCipher: Uint8Array;
    birthDate: string;
    sex: Sex;
    employmentStatus: EmploymentStatus | null;
  };
  members: ({ id: string; employmentStatus: EmploymentStatus | null } & Omit<MemberData, 'idNumberHash'>)[];
}

/** Someone of a household file: its registered resident, or one of its other members (by row id). */
export type HouseholdPerson = { kind: 'resident' | 'member'; id: string };

/** Who changed an employment status: the resident in /household, staff, or a service's case (the system). */
export type EmploymentSetBy =
  | { kind: 'resident'; telegramId: number }
  | { kind: 'staff'; telegramId: number }
  | { kind: 'service'; serviceCode: string; caseId: string; telegramId: number };

/** What the household use cases need from storage (src/db/repositories/households.ts implements it). */
/** A resident's household file and their Telegram id (null: a resident without Telegram). */
export interface ResidentHousehold {
  household: HouseholdRecord;
  telegramId: bigint | null;
}

export interface HouseholdStore {
  findByTelegramId(telegramId: number): Promise<HouseholdRecord | null>;
  findByResidentId(residentId: string): Promise<ResidentHousehold | null>;
  create(
    input: NewHousehold,
  ): Promise<
    | { ok: true; householdId: string; residentId: string }
    | { ok: false; error: 'already_registered' | 'id_in_use' }
  >;
  addMember(householdId: string, member: MemberData): Promise<{ ok: true; id: string } | { ok: false }>;
  updateMember(
    householdId: string,
    memberId: string,
    member: MemberData,
  ): Promise<'updated' | 'not_found' | 'duplicate'>;
  removeMember(householdId: string, memberId: string): Promise<boolean>;
  /**
   * A resident registered at the window (no Telegram id) with this ID number and this name gets the Telegram
   * account (and their cases filed at the window with it), with its audit row; null when there is none.
   */
  attachTelegram(
    idNumberHashes: Uint8Array[],
    name: string,
    telegramId: number,
    consent: { version: string; at: Date },
    audit: NewAudit,
  ): Promise<{ householdId: string; residentId: string } | null>;
  /** Whether a resident holds the ID number (its hashes under every key of the ring). */
  idHashBelongsToResident(idNumberHashes: Uint8Array[]): Promise<boolean>;
  /**
   * Keeps a registration conflict (replacing this account's earlier one) and its audit row (the repository
   * names the conflict in it: `conflict:<id>`); returns the conflict's id.
   */
  recordConflict(conflict: NewConflict, audit: NewAudit): Promise<string>;
  /** Sets one person's employment status and writes its audit row, together; false when there is no such person. */
  setEmployment(
    person: HouseholdPerson,
    status: EmploymentStatus,
    audit: NewAudit & { caseId?: string },
  ): Promise<boolean>;
}

export interface ReferenceLookup {
  findBuilding(communityCode: string, buildingId: string): Promise<{ id: string; units: number } | null>;
}

export interface HouseholdView extends HouseholdPlace {
  resident: {
    id: string;
    name: string;
    phoneMasked: string;
    idNumberMasked: string;
    birthDate: string;
    sex: Sex;
    employmentStatus: EmploymentStatus | null;
  };
  members: MemberView[];
}

export interface MemberView {
  id: string;
  name: string;
  relation: Relation;
  sex: Sex;
  birthDate: string;
  idNumberMasked: string | null;
  employmentStatus: EmploymentStatus | null;
}

/**
 * needs_check: the ID number is already registered; the registration waits for a check of the ID card at
 * the community service window (a registration conflict). The person is not told that anyone else used it.
 */
export type RegistrationError =
  | 'invalid'
  | 'no_consent'
  | 'unknown_building'
  | 'already_registered'
  | 'needs_check';
export type MemberError =
  | 'invalid'
  | 'not_registered'
  | 'not_found'
  | 'duplicate'
  | 'is_resident'
  | 'too_many'
  | 'id_required'
  | 'birth_date_mismatch'
  /** The relation cannot be right at these ages (src/domain/household.ts `relationAgeProblem`). */
  | 'relation_age';

const text = z.string().max(4096);
export const registrationInputSchema = z.object({
  communityCode: z.string().min(1).max(64),
  buildingId: z.uuid(),
  unit: z.string().regex(/^\d{1,2}$/),
  room: text,
  name: text,
  phone: text,
  idNumber: text,
  consent: z.literal(true),
});
export type RegistrationInput = z.infer<typeof registrationInputSchema>;

export const memberInputSchema = z.object({
  name: text,
  relation: z.enum(RELATIONS),
  sex: z.enum(SEXES).optional(),
  birthDate: text,
  idNumber: text.nullable(),
  /** Editing: keep the member's stored ID number (the front end never holds it in clear). */
  keepIdNumber: z.boolean().optional(),
});
export type MemberInput = z.infer<typeof memberInputSchema>;

export interface HouseholdDeps {
  store: HouseholdStore;
  reference: ReferenceLookup;
  cipher: PiiCipher;
  now: () => Date;
}

export function createHouseholdService(deps: HouseholdDeps) {
  const { store, reference, cipher, now } = deps;

  function toView(h: HouseholdRecord): HouseholdView {
    return {
      id: h.id,
      community: h.community,
      building: h.building,
      unit: h.unit,
      room: h.room,
      resident: {
        id: h.resident.id,
        name: h.resident.name,
        phoneMasked: maskPhone(cipher.decrypt(h.resident.phoneCipher, piiAt.residentPhone(h.resident.id))),
        idNumberMasked: maskIdNumber(
          cipher.decrypt(h.resident.idNumberCipher, piiAt.residentIdNumber(h.resident.id)),
        ),
        birthDate: h.resident.birthDate,
        sex: h.resident.sex,
        employmentStatus: h.resident.employmentStatus,
      },
      members: h.members.map((m) => ({
        id: m.id,
        name: m.name,
        relation: m.relation,
        sex: m.sex,
        birthDate: m.birthDate,
        idNumberMasked: m.idNumberCipher
          ? maskIdNumber(cipher.decrypt(m.idNumberCipher, piiAt.memberIdNumber(m.id)))
          : null,
        employmentStatus: m.employmentStatus,
      })),
    };
  }

  /** Validates a member against the rules; returns the row to store (ID encrypted) or an error code. */
  function buildMemberData(
    input: unknown,
    memberId: string,
    residentBirthDate: string,
    storedIdCipher: Uint8Array | null = null,
  ): Result<MemberData & { idNumberHashes: Uint8Array[] }, MemberError> {
    const parsed = memberInputSchema.safeParse(input);
    if (!parsed.success) return { ok: false, error: 'invalid' };
    if (parsed.data.keepIdNumber) {
      parsed.data.idNumber = storedIdCipher
        ? cipher.decrypt(storedIdCipher, piiAt.memberIdNumber(memberId))
        : null;
    }
    const today = now();
    const name = parsePersonName(parsed.data.name);
    const birth = parseBirthDate(parsed.data.birthDate, today);
    if (!name.ok || !birth.ok) return { ok: false, error: 'invalid' };
    if (relationAgeProblem(parsed.data.relation, birth.value, residentBirthDate, today))
      return { ok: false, error: 'relation_age' };
    let id: { idNumber: string; birthDate: string; sex: Sex } | null = null;
    if (parsed.data.idNumber !== null) {
      const idResult = parseIdNumber(parsed.data.idNumber, today);
      if (!idResult.ok) return { ok: false, error: 'invalid' };
      id = idResult.value;
    } else if (idNumberRequiredFor(birth.value, today)) {
      return { ok: false, error: 'id_required' };
    }
    if (!checkMemberIdMatches(id, birth.value).ok) return { ok: false, error: 'birth_date_mismatch' };
    const sex = id?.sex ?? parsed.data.sex;
    if (!sex) return { ok: false, error: 'invalid' };
    return {
      ok: true,
      value: {
        id: memberId,
        name: name.value,
        relation: parsed.data.relation,
        sex,
        birthDate: birth.value,
        idNumberCipher: id ? cipher.encrypt(id.idNumber, piiAt.memberIdNumber(memberId)) : null,
        idNumberHash: id ? cipher.hash(id.idNumber) : null,
        idNumberHashes: id ? cipher.hashes(id.idNumber) : [],
      },
    };
  }

  return {
    async getHousehold(telegramId: number): Promise<HouseholdView | null> {
      const h = await store.findByTelegramId(telegramId);
      return h ? toView(h) : null;
    },

    async register(
      telegramId: number,
      input: unknown,
    ): Promise<Result<{ householdId: string; attached?: true }, RegistrationError>> {
      const checked = await checkRegistration(input, reference, now());
      if (!checked.ok) return checked;
      const registration = checked.value;
      const household = householdOfConflict(telegramId, registration, cipher);
      const created = await store.create(household);
      if (created.ok) return { ok: true, value: { householdId: created.householdId } };
      if (created.error === 'already_registered') return { ok: false, error: 'already_registered' };
      // Registered at the window without Telegram: the same person (ID number and name) gets this account.
      const attached = await store.attachTelegram(
        household.resident.idNumberHashes,
        registration.name,
        telegramId,
        { version: registration.consentVersion, at: new Date(registration.consentAt) },
        {
          actorTelegramId: telegramId,
          action: 'registration.attached',
          detail: { community: registration.communityCode },
        },
      );
      if (attached) return { ok: true, value: { householdId: attached.householdId, attached: true } };
      // Someone registered this ID number first. Kept for the window's check; the person is told only that
      // their registration needs it.
      await store.recordConflict(
        {
          telegramId,
          idNumberHash: household.resident.idNumberHash,
          communityCode: registration.communityCode,
          registrationCipher: cipher.encryptJson(registration, piiAt.conflictRegistration(telegramId)),
        },
        {
          actorTelegramId: telegramId,
          action: 'registration.conflict',
          detail: { community: registration.communityCode },
        },
      );
      return { ok: false, error: 'needs_check' };
    },

    async addMember(telegramId: number, input: unknown): Promise<Result<{ memberId: string }, MemberError>> {
      const household = await store.findByTelegramId(telegramId);
      if (!household) return { ok: false, error: 'not_registered' };
      if (household.members.length >= MAX_MEMBERS) return { ok: false, error: 'too_many' };
      const row = buildMemberData(input, randomUUID(), household.resident.birthDate);
      if (!row.ok) return row;
      const idHashes = row.value.idNumberHashes;
      if (idHashes.length > 0 && (await store.idHashBelongsToResident(idHashes))) {
        const own = cipher.hash(
          cipher.decrypt(household.resident.idNumberCipher, piiAt.residentIdNumber(household.resident.id)),
        );
        if (Buffer.compare(own, Buffer.from(row.value.idNumberHash as Uint8Array)) === 0)
          return { ok: false, error: 'is_resident' };
      }
      const added = await store.addMember(household.id, row.value);
      return added.ok ? { ok: true, value: { memberId: added.id } } : { ok: false, error: 'duplicate' };
    },

    async updateMember(
      telegramId: number,
      memberId: string,
      input: unknown,
    ): Promise<Result<null, MemberError>> {
      const household = await store.findByTelegramId(telegramId);
      if (!household) return { ok: false, error: 'not_registered' };
      const existing = household.members.find((m) => m.id === memberId);
      if (!existing) return { ok: false, error: 'not_found' };
      const row = buildMemberData(input, existing.id, household.resident.birthDate, existing.idNumberCipher);
      if (!row.ok) return row;
      const outcome = await store.updateMember(household.id, memberId, row.value);
      if (outcome === 'updated') return { ok: true, value: null };
      return { ok: false, error: outcome };
    },

    /** One member of the resident's own household, masked; null for anyone else's. */
    async getMember(telegramId: number, memberId: string): Promise<MemberView | null> {
      const household = await store.findByTelegramId(telegramId);
      const member = household?.members.find((m) => m.id === memberId);
      return household && member ? (toView(household).members.find((m) => m.id === member.id) ?? null) : null;
    },

    /**
     * The resident sets the employment status of someone of their own household (`personId`: their own
     * resident id or a member's); anyone else's is 'not_found'.
     */
    async setOwnEmployment(
      telegramId: number,
      personId: string,
      status: unknown,
    ): Promise<Result<{ name: string; status: EmploymentStatus }, MemberError>> {
      const household = await store.findByTelegramId(telegramId);
      if (!household) return { ok: false, error: 'not_registered' };
      const parsed = employmentSchema.safeParse(status);
      if (!parsed.success) return { ok: false, error: 'invalid' };
      const person: HouseholdPerson | null =
        household.resident.id === personId
          ? { kind: 'resident', id: personId }
          : household.members.some((m) => m.id === personId)
            ? { kind: 'member', id: personId }
            : null;
      if (!person) return { ok: false, error: 'not_found' };
      const done = await setEmploymentStatus(store, person, parsed.data, { kind: 'resident', telegramId });
      if (!done) return { ok: false, error: 'not_found' };
      const name =
        person.kind === 'resident'
          ? household.resident.name
          : (household.members.find((m) => m.id === personId)?.name ?? '');
      return { ok: true, value: { name, status: parsed.data } };
    },

    async removeMember(telegramId: number, memberId: string): Promise<Result<null, MemberError>> {
      const household = await store.findByTelegramId(telegramId);
      if (!household) return { ok: false, error: 'not_registered' };
      if (!z.uuid().safeParse(memberId).success) return { ok: false, error: 'not_found' };
      return (await store.removeMember(household.id, memberId))
        ? { ok: true, value: null }
        : { ok: false, error: 'not_found' };
    },
  };
}

export type HouseholdService = ReturnType<typeof createHouseholdService>;

/**
 * A registration's input checked with the domain rules (room, name, phone, ID number with its checksum;
 * birth date and sex from it; the building and unit in the reference data): what is stored, or why not.
 * The bot's registration and the window's (src/app/walk-in.ts) both use it.
 */
export async function checkRegistration(
  input: unknown,
  reference: ReferenceLookup,
  today: Date,
): Promise<Result<ConflictRegistration, 'invalid' | 'no_consent' | 'unknown_building'>> {
  const parsed = registrationInputSchema.safeParse(input);
  if (!parsed.success) {
    const consentMissing = parsed.error.issues.some((i) => i.path[0] === 'consent');
    return { ok: false, error: consentMissing ? 'no_consent' : 'invalid' };
  }
  const a = parsed.data;
  const room = parseRoom(a.room);
  const name = parsePersonName(a.name);
  const phone = parsePhone(a.phone);
  const id = parseIdNumber(a.idNumber, today);
  if (!room.ok || !name.ok || !phone.ok || !id.ok) return { ok: false, error: 'invalid' };
  const building = await reference.findBuilding(a.communityCode, a.buildingId);
  if (!building || Number(a.unit) < 1 || Number(a.unit) > building.units) {
    return { ok: false, error: 'unknown_building' };
  }
  return {
    ok: true,
    value: {
      communityCode: a.communityCode,
      buildingId: building.id,
      unit: a.unit,
      room: room.value,
      name: name.value,
      phone: phone.value,
      idNumber: id.value.idNumber,
      birthDate: id.value.birthDate,
      sex: id.value.sex,
      consentVersion: CONSENT_VERSION,
      consentAt: today.toISOString(),
    },
  };
}

const employmentSchema = z.enum(EMPLOYMENT_STATUSES);

/**
 * Sets the employment status of someone of a household file (the resident keeping it up to date, or a
 * service such as job seeking when its case is filed), audited as `employment.set` with who did it. The
 * status is checked again here, whatever the front end sent. False: no such person, or not a status.
 */
export async function setEmploymentStatus(
  store: Pick<HouseholdStore, 'setEmployment'>,
  person: HouseholdPerson,
  status: unknown,
  by: EmploymentSetBy,
): Promise<boolean> {
  const parsed = employmentSchema.safeParse(status);
  if (!parsed.success || !z.uuid().safeParse(person.id).success) return false;
  return store.setEmployment(person, parsed.data, {
    actorTelegramId: by.telegramId,
    action: 'employment.set',
    subject: `${person.kind}:${person.id}`,
    ...(by.kind === 'service' ? { caseId: by.caseId } : {}),
    detail: {
      status: parsed.data,
      person: person.kind,
      by: by.kind,
      ...(by.kind === 'service' ? { service: by.serviceCode } : {}),
    },
  });
}
