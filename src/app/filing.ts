// Filing a request for a resident who cannot (or would rather not) use the bot: a clerk at the window files
// it for the resident standing there (found by the ID number on their card), or a community worker files it
// for a registered resident of their community (a home visit). The form is the catalogue's, read by
// ./filing-form.ts; the case is filed by the same use case as the bot's (cases.submitFor): the same checks,
// limits, routing, urgent alerts; the case records who filed it, the resident on Telegram is told.
//
// Who may file for whom, decided here: department staff for any registered resident (the resident stands
// at their window with the ID card; an exact ID number finds them), a community worker only for the
// registered residents of their own community. Anyone else, and anyone else's resident: 'not_found',
// audited as a refusal. Every look-up, every filing and every slip shown is audited.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Catalogue, DepartmentKind, ServiceDefinition } from '../domain/catalogue/index.ts';
import type { Relation } from '../domain/household.ts';
import { ageOn, parseIdNumber } from '../domain/id-number.ts';
import { maskIdNumber, maskPhone } from '../domain/mask.ts';
import { fail, ok, type Result } from '../domain/result.ts';
import { householdPeople } from './case-answers.ts';
import type { CaseStore, NewAudit } from './case-store.ts';
import type { CaseService, MyCaseView, SubmitError, SubmitResult } from './cases.ts';
import type { LookupStore } from './console/lookup-ports.ts';
import { auditRefusal } from './console/scope.ts';
import { type FormWords, type RawForm, readWebForm, type WebForm } from './filing-form.ts';
import type { HouseholdRecord, HouseholdStore } from './households.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';
import type { CommunityContact, NamedOption } from './reference.ts';
import type { StaffStore } from './staff/ports.ts';

/** How many residents a look-up by ID number lists (one, unless the number is a household member's). */
const FOUND_LIMIT = 10;

export interface FilingDeps {
  catalogue: Catalogue;
  cases: Pick<CaseService, 'submitFor'>;
  caseStore: Pick<CaseStore, 'findById' | 'events'>;
  households: Pick<HouseholdStore, 'findByResidentId'>;
  lookup: Pick<LookupStore, 'peopleByIdHash' | 'places'>;
  staff: Pick<StaffStore, 'activeMemberships' | 'audit' | 'countAudit'>;
  reference: {
    hospitals(districtCode: string): Promise<NamedOption[]>;
    schools(districtCode: string, stage: 'kindergarten' | 'primary' | 'junior'): Promise<NamedOption[]>;
    offeredCourses(districtCode: string): Promise<NamedOption[]>;
    contactOfCommunity(
      place: { code: string; districtCode: string },
      kind: DepartmentKind | null,
    ): Promise<CommunityContact>;
  };
  cipher: Pick<PiiCipher, 'hashes' | 'decrypt'>;
  now: () => Date;
}

/** The filer: a clerk of a department (files at the window) or a community worker (files by proxy). */
interface Filer {
  staffId: string;
  telegramId: number;
  via: 'window' | 'proxy';
  departmentCode: string | null;
  communityCode: string | null;
}

/** The resident a filing is for, as the clerk sees them (masked). */
export interface FilingResident {
  id: string;
  name: string;
  idNumberMasked: string;
  phoneMasked: string;
  onTelegram: boolean;
  householdId: string;
  community: { code: string; nameZh: string; nameEn: string };
  address: { buildingZh: string; buildingEn: string; unit: string; room: string };
  /** The household's other members (the dibao counts them). */
  members: { name: string; relation: Relation; birthDate: string; age: number }[];
}

export interface FoundResident {
  id: string;
  name: string;
  idNumberMasked: string;
  community: { code: string; nameZh: string; nameEn: string };
  /** The number typed is a household member's: the resident of that household is offered. */
  viaMember: boolean;
}

export type FindError = 'empty' | 'bad_id' | 'not_allowed';

/** A filing that could not be made: the form's problems (shown next to the fields), or the use case's. */
export type FileError =
  | { kind: 'form'; form: WebForm }
  | { kind: 'household_not_confirmed'; form: WebForm }
  | { kind: 'no_members'; form: WebForm }
  | { kind: 'refused'; error: SubmitError };

/** The slip: the case as the resident's own view shows it, what to bring, where, who it is for. */
export interface Slip
  extends Pick<MyCaseView, 'number' | 'serviceCode' | 'status' | 'priority' | 'submittedAt' | 'dueAt'> {
  caseId: string;
  documents: readonly string[];
  resident: { name: string; idNumberMasked: string } | null;
  contact: CommunityContact | null;
}

/** The extra fields the window's form has besides the service's steps. */
export interface FilingExtras {
  /** The clerk went through the household's people with the resident (a service that counts them). */
  householdConfirmed: boolean;
  /** Codes of the service's `documents` the clerk saw on paper. */
  documentsSeen: string[];
  /** Those documents in the clerk's words, kept as the filing event's note. */
  note: string | null;
}

export function createFilingService(deps: FilingDeps) {
  const { catalogue, staff, cipher, now } = deps;

  async function filerOf(telegramId: number): Promise<Filer | null> {
    const rows = await staff.activeMemberships(telegramId);
    const clerk = rows.find((r) => r.role === 'staff' && r.departmentCode);
    const worker = rows.find((r) => r.role === 'worker' && r.communityCode);
    const me = clerk ?? worker;
    if (!me) return null;
    return {
      staffId: me.id,
      telegramId,
      via: clerk ? 'window' : 'proxy',
      departmentCode: clerk?.departmentCode ?? null,
      communityCode: worker?.communityCode ?? null,
    };
  }

  /** Department staff: any resident; a community worker: their community's. */
  const mayFileFor = (f: Filer, communityCode: string) =>
    f.via === 'window' || f.communityCode === communityCode;

  /** A refusal's audit row, within the per-person limit of refusal rows an hour (as every refusal). */
  const refuse = (telegramId: number, audit: Omit<NewAudit, 'actorTelegramId' | 'action'>) =>
    auditRefusal({ staff, now }, telegramId, null, { ...audit, action: 'access.denied' });

  /** The filer and the resident's household, when they may file for them; refusals audited. */
  async function access(
    telegramId: number,
    residentId: string,
    attempted: string,
  ): Promise<Result<{ filer: Filer; household: HouseholdRecord; telegramId: bigint | null }, 'not_found'>> {
    const filer = await filerOf(telegramId);
    const valid = z.uuid().safeParse(residentId).success;
    const found = filer && valid ? await deps.households.findByResidentId(residentId) : null;
    if (!filer || !found || !mayFileFor(filer, found.household.community.code)) {
      const reason = !filer ? 'not_staff' : !found ? 'no_such_resident' : 'other_community';
      await refuse(telegramId, {
        subject: found ? `resident:${residentId}` : null,
        detail: { attempted, reason, ...(valid ? {} : { typedLength: residentId.length }) },
      });
      return fail('not_found');
    }
    return ok({ filer, household: found.household, telegramId: found.telegramId });
  }

  const residentOf = (h: HouseholdRecord, onTelegram: boolean): FilingResident => {
    const at = now();
    return {
      id: h.resident.id,
      name: h.resident.name,
      idNumberMasked: maskIdNumber(
        cipher.decrypt(h.resident.idNumberCipher, piiAt.residentIdNumber(h.resident.id)),
      ),
      phoneMasked: maskPhone(cipher.decrypt(h.resident.phoneCipher, piiAt.residentPhone(h.resident.id))),
      onTelegram,
      householdId: h.id,
      community: { code: h.community.code, nameZh: h.community.nameZh, nameEn: h.community.nameEn },
      address: { buildingZh: h.building.nameZh, buildingEn: h.building.nameEn, unit: h.unit, room: h.room },
      members: h.members.map((m) => ({
        name: m.name,
        relation: m.relation,
        birthDate: m.birthDate,
        age: ageOn(m.birthDate, at),
      })),
    };
  };

  /** The form as sent, read against the resident's household and district. */
  const formOf = (
    service: ServiceDefinition,
    h: HouseholdRecord,
    raw: RawForm,
    words: FormWords,
    required: boolean,
  ) => {
    const district = h.community.districtCode;
    return readWebForm(
      service,
      raw,
      {
        people: householdPeople(h),
        phoneMasked: maskPhone(cipher.decrypt(h.resident.phoneCipher, piiAt.residentPhone(h.resident.id))),
        hospitals: () => deps.reference.hospitals(district),
        schools: (stage) => deps.reference.schools(district, stage),
        courses: () => deps.reference.offeredCourses(district),
      },
      words,
      now(),
      { required },
    );
  };

  return {
    /** Whether this person files at the window, by proxy, or not at all (the console's menu). */
    async role(telegramId: number): Promise<'window' | 'proxy' | null> {
      return (await filerOf(telegramId))?.via ?? null;
    },

    /**
     * The registered residents an ID number finds (by its keyed hash, never in clear), that this person
     * may file for; a household member's number finds the household's resident. Audited like a search.
     */
    async findByIdNumber(telegramId: number, raw: string): Promise<Result<FoundResident[], FindError>> {
      const filer = await filerOf(telegramId);
      if (!filer) {
        await refuse(telegramId, { detail: { attempted: 'filing_search', reason: 'not_staff' } });
        return fail('not_allowed');
      }
      const text = raw.trim();
      if (text === '') return fail('empty');
      const id = parseIdNumber(text.slice(0, 64), now());
      if (!id.ok) return fail('bad_id');
      const rows = await deps.lookup.peopleByIdHash(cipher.hashes(id.value.idNumber));
      const places = await deps.lookup.places([...new Set(rows.map((r) => r.householdId))]);
      const found: FoundResident[] = [];
      let hidden = 0;
      for (const r of rows) {
        const place = places.find((p) => p.id === r.householdId);
        if (!place) continue;
        if (!mayFileFor(filer, place.community.code)) {
          hidden++;
          continue;
        }
        const residentIds = r.kind === 'resident' ? [r.id] : place.residentIds;
        for (const residentId of residentIds) {
          const h = (await deps.households.findByResidentId(residentId))?.household;
          if (!h || found.some((f) => f.id === residentId)) continue;
          found.push({
            id: residentId,
            name: h.resident.name,
            idNumberMasked: maskIdNumber(
              cipher.decrypt(h.resident.idNumberCipher, piiAt.residentIdNumber(residentId)),
            ),
            community: place.community,
            viaMember: r.kind === 'member',
          });
        }
      }
      if (hidden > 0)
        await refuse(telegramId, { detail: { attempted: 'filing_search', reason: 'out_of_scope', hidden } });
      await staff.audit(null, {
        actorTelegramId: telegramId,
        action: 'console.search',
        detail: { by: 'id', via: 'filing', people: found.length, hidden },
      });
      return ok(found.slice(0, FOUND_LIMIT));
    },

    /** The resident, for the "file a request for them" pages (opening them is audited). */
    async resident(telegramId: number, residentId: string): Promise<Result<FilingResident, 'not_found'>> {
      const a = await access(telegramId, residentId, 'filing');
      if (!a.ok) return a;
      await staff.audit(null, {
        actorTelegramId: telegramId,
        action: 'filing.open',
        subject: `resident:${residentId}`,
        detail: { via: a.value.filer.via },
      });
      return ok(residentOf(a.value.household, a.value.telegramId !== null));
    },

    /**
     * Which of these residents (each with their community's code) this person may file for: the links to
     * "file a request for them" beside a search result or a household's people. Not audited: the filing
     * pages themselves check again and audit.
     */
    async fileable(
      telegramId: number,
      residents: { id: string; communityCode: string }[],
    ): Promise<string[]> {
      if (residents.length === 0) return [];
      const filer = await filerOf(telegramId);
      return filer ? residents.filter((r) => mayFileFor(filer, r.communityCode)).map((r) => r.id) : [];
    },

    /** The services that can be filed (retired ones are not offered). */
    services: (): readonly ServiceDefinition[] => catalogue.list(),

    /**
     * The service's form for the resident, as sent so far (`required`: empty steps are errors too). Null
     * when the service is not offered.
     */
    async form(
      telegramId: number,
      residentId: string,
      serviceCode: string,
      raw: RawForm,
      words: FormWords,
      required: boolean,
    ): Promise<Result<{ resident: FilingResident; service: ServiceDefinition; form: WebForm }, 'not_found'>> {
      const service = catalogue.offered(serviceCode);
      const a = await access(telegramId, residentId, 'filing_form');
      if (!a.ok) return a;
      if (!service) return fail('not_found');
      const form = await formOf(service, a.value.household, raw, words, required);
      return ok({ resident: residentOf(a.value.household, a.value.telegramId !== null), service, form });
    },

    /**
     * Files the request: the form read again (all of it, as sent with the confirmation), the household
     * confirmed where the service counts it, then the bot's own submission (cases.submitFor). `clientKey`
     * is the form's own random key: a second post of the same form finds the case the first made.
     */
    async file(
      telegramId: number,
      residentId: string,
      serviceCode: string,
      raw: RawForm,
      words: FormWords,
      extras: FilingExtras,
      clientKey: string,
    ): Promise<Result<SubmitResult, FileError | 'not_found'>> {
      const service = catalogue.offered(serviceCode);
      const a = await access(telegramId, residentId, 'filing_submit');
      if (!a.ok) return a;
      if (!service) return fail('not_found');
      const { filer, household } = a.value;
      const form = await formOf(service, household, raw, words, true);
      if (!form.complete) return fail({ kind: 'form', form });
      if (service.needsHousehold === 'members' && household.members.length === 0)
        return fail({ kind: 'no_members', form });
      if (service.needsHousehold === 'confirm_alone' && !extras.householdConfirmed)
        return fail({ kind: 'household_not_confirmed', form });
      if (!/^[\w-]{8,40}$/.test(clientKey)) return fail({ kind: 'refused', error: 'invalid' });
      // The key is the filer's and the resident's: a key sent with another form finds nothing of theirs.
      const key = `${filer.via}:${filer.staffId}:${residentId.slice(0, 8)}:${clientKey}`;
      const filed = await deps.cases.submitFor(residentId, service.code, form.answers, key, {
        staffId: filer.staffId,
        telegramId: filer.telegramId,
        via: filer.via,
        documentsSeen: extras.documentsSeen,
        note: extras.note,
      });
      return filed.ok ? filed : fail({ kind: 'refused', error: filed.error });
    },

    /**
     * The slip of a resident's case, to print for them: for the one who filed it, the staff of its
     * department, the workers of the resident's community; an anonymous suggestion only for the one who
     * filed it, and without the resident's name. Viewing it is audited.
     */
    async slip(telegramId: number, caseId: string): Promise<Result<Slip, 'not_found'>> {
      const valid = z.uuid().safeParse(caseId).success;
      const record = valid ? await deps.caseStore.findById(caseId) : null;
      if (!record?.residentId) {
        await refuse(telegramId, { detail: { attempted: 'slip', reason: 'no_such_case' } });
        return fail('not_found');
      }
      const a = await access(telegramId, record.residentId, 'slip');
      if (!a.ok) return a;
      const { filer } = a.value;
      const [first] = await deps.caseStore.events(record.id);
      const filedByMe = first?.actorKind === 'staff' && first.actorId === filer.staffId;
      const ours = filer.via === 'window' ? record.departmentCode === filer.departmentCode : true;
      if (!filedByMe && (record.anonymous || !ours)) {
        await refuse(telegramId, {
          subject: `resident:${record.residentId}`,
          detail: { attempted: 'slip', reason: record.anonymous ? 'anonymous' : 'other_department' },
        });
        return fail('not_found');
      }
      const h = a.value.household;
      const service = catalogue.get(record.serviceCode);
      await staff.audit(record.id, {
        actorTelegramId: telegramId,
        action: 'filing.slip',
        subject: record.anonymous ? null : `resident:${h.resident.id}`,
      });
      let contact: CommunityContact | null = null;
      if (service) contact = await deps.reference.contactOfCommunity(h.community, service.departmentKind);
      return ok({
        caseId: record.id,
        number: record.number,
        serviceCode: record.serviceCode,
        status: record.status,
        priority: record.priority,
        submittedAt: record.submittedAt.toISOString(),
        dueAt: record.dueAt.toISOString(),
        documents: service?.documents ?? [],
        resident: record.anonymous
          ? null
          : {
              name: h.resident.name,
              idNumberMasked: maskIdNumber(
                cipher.decrypt(h.resident.idNumberCipher, piiAt.residentIdNumber(h.resident.id)),
              ),
            },
        contact,
      });
    },

    /** A fresh key for one form (kept in the form; see `file`). */
    newFormKey: () => randomUUID(),
  };
}

export type FilingService = ReturnType<typeof createFilingService>;
