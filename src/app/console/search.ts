// The console's search and "one household, one file". Who may see what, decided here (the web layer only
// shows it): department staff find their department's cases and the households that have one; a community
// worker finds the households of their community and their cases; an admin finds everything. An ID number
// or a phone is looked up by its keyed hash (under every key of the ring, as registration does), never
// compared in clear; what is found is masked. Every search, every household file opened and every full
// number shown is written to the audit log; a hit the searcher may not see is left out of the page and
// audited as a refusal, and a household file of someone else's is "not found" (audited).
import { z } from 'zod';
import { parseCaseNumber } from '../../domain/case-number.ts';
import type { CaseStatus } from '../../domain/case-status.ts';
import type { Relation } from '../../domain/household.ts';
import { ageOn, parseIdNumber, type Sex } from '../../domain/id-number.ts';
import { maskIdNumber, maskPhone } from '../../domain/mask.ts';
import { parsePhone } from '../../domain/phone.ts';
import { fail, ok, type Result } from '../../domain/result.ts';
import { type PiiCipher, piiAt } from '../pii-cipher.ts';
import type { StaffStore } from '../staff/ports.ts';
import type { CaseRow, HouseholdPlaceRow, LookupStore, PersonRow } from './lookup-ports.ts';
import { createScope, type Scope } from './scope.ts';

export const SEARCH_MAX_LENGTH = 64;
/** People a search lists at most; cases at most. */
export const SEARCH_PEOPLE_LIMIT = 20;
export const SEARCH_CASES_LIMIT = 30;
const FILE_CASES_LIMIT = 50;
const FILE_NOTICES_LIMIT = 30;

export type SearchBy = 'case' | 'id' | 'phone' | 'name';
/**
 * empty: nothing typed; too_long; bad_id: 15 or 18 characters of digits that are not a valid ID number;
 * bad_number: digits that are neither a mobile number nor an ID number; bad_name: neither a name nor a
 * number (a name has at least two letters).
 */
export type SearchError = 'empty' | 'too_long' | 'bad_id' | 'bad_number' | 'bad_name';

/** What a search box's text is taken as (the value normalised: the ID number's 18 characters, the 11 digits). */
export function classifyQuery(
  raw: string,
  today: Date,
): Result<{ by: SearchBy; value: string }, SearchError> {
  const text = raw.normalize('NFKC').trim();
  if (text === '') return fail('empty');
  if ([...text].length > SEARCH_MAX_LENGTH) return fail('too_long');
  const number = parseCaseNumber(text);
  if (number) return ok({ by: 'case', value: number });
  if (/^[\d\s+\-()xX]+$/.test(text) && /\d/.test(text)) {
    const phone = parsePhone(text);
    if (phone.ok) return ok({ by: 'phone', value: phone.value });
    const id = parseIdNumber(text, today);
    if (id.ok) return ok({ by: 'id', value: id.value.idNumber });
    const digits = text.replace(/[^\dxX]/g, '').length;
    return fail(digits === 15 || digits === 18 ? 'bad_id' : 'bad_number');
  }
  const name = text.replace(/\s+/g, ' ');
  if (/^[\p{L}\p{M}·.' -]+$/u.test(name) && [...name.replace(/[\s·.'-]/g, '')].length >= 2)
    return ok({ by: 'name', value: name });
  return fail('bad_name');
}

type Named = { code: string; nameZh: string; nameEn: string };

export interface Address {
  community: Named;
  building: Named;
  unit: string;
  room: string;
}

export interface CaseLine {
  id: string;
  number: string;
  serviceCode: string;
  status: CaseStatus;
  department: Named;
  submittedAt: string;
  /** The viewer is staff of its department: the case page opens for them. */
  canOpen: boolean;
}

export interface FoundPerson {
  kind: 'resident' | 'member';
  /** The resident's or member's row id. */
  id: string;
  name: string;
  relation: Relation | null;
  age: number;
  idNumberMasked: string | null;
  phoneMasked: string | null;
  householdId: string;
  address: Address;
}

export interface SearchResult {
  by: SearchBy;
  people: FoundPerson[];
  cases: CaseLine[];
}

export interface FilePerson {
  kind: 'resident' | 'member';
  /** The resident's or member's row id. */
  id: string;
  name: string;
  relation: Relation | null;
  sex: Sex;
  age: number;
  /** Masked, or in full after "show the full numbers" (audited). */
  idNumber: string | null;
  phone: string | null;
  onTelegram: boolean;
}

export interface FileNotice {
  at: string;
  /** The notice as written (in one language or both). */
  textZh: string | null;
  textEn: string | null;
  important: boolean;
  /** Whether Telegram took it (delivered), could not (failed / unreachable), or it is still on its way. */
  delivery: 'delivered' | 'failed' | 'pending';
  /** Important notices only: when "I have read this" was tapped (null: not yet). */
  readAt: string | null;
  to: string;
}

export interface HouseholdFile {
  id: string;
  address: Address;
  people: FilePerson[];
  cases: CaseLine[];
  notices: FileNotice[];
  revealed: boolean;
}

export interface LookupDeps {
  store: LookupStore;
  staff: Pick<StaffStore, 'activeMemberships' | 'audit' | 'countAudit'>;
  adminTelegramIds: readonly number[];
  cipher: Pick<PiiCipher, 'hash' | 'hashes' | 'decrypt'>;
  now: () => Date;
  /**
   * The red-line list (src/app/labour.ts): a human-resources staff member may also open the file of a
   * household on their list (below the red line in their district), which has no case of their department.
   */
  redLine?: { opensHousehold(telegramId: number, householdId: string): Promise<boolean> };
}

export function createConsoleLookup(deps: LookupDeps) {
  const { store, staff, cipher, now } = deps;
  const scope = createScope(deps);
  const scopeOf = scope.of;
  const refuse = scope.refuse;

  const mayOpenHousehold = (s: Scope, place: HouseholdPlaceRow) =>
    s.admin ||
    (s.community !== null && place.community.code === s.community) ||
    (s.department !== null && place.caseDepartments.includes(s.department));

  /** A case in a search: the department's own (staff), the community's (worker), any (admin). */
  const maySeeCase = (s: Scope, c: CaseRow) =>
    s.admin ||
    (s.department !== null && c.department.code === s.department) ||
    (s.community !== null && c.communityCode === s.community);

  const caseLine = (s: Scope, c: CaseRow): CaseLine => ({
    id: c.id,
    number: c.number,
    serviceCode: c.serviceCode,
    status: c.status,
    department: c.department,
    submittedAt: c.submittedAt.toISOString(),
    canOpen: s.department !== null && c.department.code === s.department,
  });

  /**
   * A household in an audit row: its registered residents (`resident:<id>`, as every audit row about a
   * person), never the household's own id — an erasure redacts exactly those (src/db/repositories/privacy.ts).
   */
  const aboutResidents = (p: HouseholdPlaceRow) =>
    p.residentIds.length > 0 ? p.residentIds.map((id) => `resident:${id}`).join(',') : null;

  const address = (p: HouseholdPlaceRow): Address => ({
    community: p.community,
    building: p.building,
    unit: p.unit,
    room: p.room,
  });

  const idOf = (kind: 'resident' | 'member', id: string, blob: Uint8Array | null) =>
    blob
      ? cipher.decrypt(blob, kind === 'resident' ? piiAt.residentIdNumber(id) : piiAt.memberIdNumber(id))
      : null;
  const phoneOf = (id: string, blob: Uint8Array | null) =>
    blob ? cipher.decrypt(blob, piiAt.residentPhone(id)) : null;

  async function people(by: SearchBy, value: string, s: Scope): Promise<PersonRow[]> {
    if (by === 'id') return store.peopleByIdHash(cipher.hashes(value));
    if (by === 'phone') return store.peopleByPhoneHash(cipher.hashes(value));
    return store.peopleByName(
      value,
      { all: s.admin, communityCode: s.community, departmentCode: s.department },
      SEARCH_PEOPLE_LIMIT,
    );
  }

  return {
    /**
     * Searches by case number, ID number, phone or name (`classifyQuery` decides which), within what the
     * caller may see. Audited ('console.search': how it searched and how many it found, never what was
     * typed); hits the caller may not see are counted in that row and refused ('access.denied').
     */
    async search(
      telegramId: number,
      raw: string,
    ): Promise<Result<SearchResult, SearchError | 'not_allowed'>> {
      const s = await scopeOf(telegramId);
      if (!s) {
        await refuse(telegramId, null, {
          action: 'access.denied',
          detail: { attempted: 'search', reason: 'not_staff' },
        });
        return fail('not_allowed');
      }
      const query = classifyQuery(raw, now());
      if (!query.ok) return query;
      const { by, value } = query.value;
      let hidden = 0;
      let found: FoundPerson[] = [];
      let cases: CaseLine[] = [];
      let caseId: string | null = null;
      if (by === 'case') {
        const c = await store.caseByNumber(value);
        if (c && maySeeCase(s, c)) {
          cases = [caseLine(s, c)];
          caseId = c.id;
        } else if (c) hidden++;
        if (c && !maySeeCase(s, c)) {
          await refuse(telegramId, c.id, {
            action: 'access.denied',
            subject: `case:${c.number}`,
            detail: { attempted: 'search', reason: s.department ? 'other_department' : 'other_community' },
          });
        }
      } else {
        const rows = await people(by, value, s);
        const places = new Map(
          (await store.places([...new Set(rows.map((r) => r.householdId))])).map((p) => [p.id, p]),
        );
        const at = now();
        for (const r of rows) {
          const place = places.get(r.householdId);
          if (!place || !mayOpenHousehold(s, place)) {
            hidden++;
            continue;
          }
          const id = idOf(r.kind, r.id, r.idNumberCipher);
          const phone = phoneOf(r.id, r.phoneCipher);
          found.push({
            kind: r.kind,
            id: r.id,
            name: r.name,
            relation: r.relation,
            age: ageOn(r.birthDate, at),
            idNumberMasked: id ? maskIdNumber(id) : null,
            phoneMasked: phone ? maskPhone(phone) : null,
            householdId: r.householdId,
            address: address(place),
          });
        }
        found = found.slice(0, SEARCH_PEOPLE_LIMIT);
        const households = [...new Set(found.map((p) => p.householdId))];
        if (households.length > 0) {
          const rowsOfCases = await store.casesOfHouseholds(households, SEARCH_CASES_LIMIT * 2);
          // Staff see their department's cases here; workers their community's, admins all (as by number).
          cases = rowsOfCases
            .filter((c) => maySeeCase(s, c))
            .slice(0, SEARCH_CASES_LIMIT)
            .map((c) => caseLine(s, c));
        }
        if (hidden > 0) {
          await refuse(telegramId, null, {
            action: 'access.denied',
            detail: { attempted: 'search', reason: 'out_of_scope', by, hidden },
          });
        }
      }
      await staff.audit(caseId, {
        actorTelegramId: telegramId,
        action: 'console.search',
        subject: by === 'case' ? `case:${value}` : null,
        detail: { by, people: found.length, cases: cases.length, hidden },
      });
      return ok({ by, people: found, cases });
    },

    /**
     * One household's file: the people (relation, age; ID numbers and phones masked, or in full with
     * `reveal`: audited as 'pii.view'), their cases, and the notices they got and whether they tapped
     * "read". For the community's workers, staff of a department that owns one of its cases, and admins;
     * anyone else gets 'not_found' (audited). Every opening is audited ('household.view').
     */
    async household(
      telegramId: number,
      householdId: string,
      opts: { reveal?: boolean } = {},
    ): Promise<Result<HouseholdFile, 'not_found'>> {
      const s = await scopeOf(telegramId);
      const valid = z.uuid().safeParse(householdId).success;
      const place = valid ? (await store.places([householdId]))[0] : undefined;
      const onList = async (id: string) => (await deps.redLine?.opensHousehold(telegramId, id)) ?? false;
      if (!s || !place || !(mayOpenHousehold(s, place) || (await onList(place.id)))) {
        const reason = !s
          ? 'not_staff'
          : !place
            ? 'no_such_household'
            : s.department && !s.community
              ? 'other_department'
              : 'other_community';
        await refuse(telegramId, null, {
          action: 'access.denied',
          subject: place ? aboutResidents(place) : null,
          detail: {
            attempted: opts.reveal ? 'household_reveal' : 'household',
            reason,
            ...(valid ? {} : { typedLength: householdId.length }),
          },
        });
        return fail('not_found');
      }
      const at = now();
      const rows = await store.people(place.id);
      const reveal = opts.reveal === true;
      const persons = rows.map((r): FilePerson => {
        const id = idOf(r.kind, r.id, r.idNumberCipher);
        const phone = phoneOf(r.id, r.phoneCipher);
        return {
          kind: r.kind,
          id: r.id,
          name: r.name,
          relation: r.relation,
          sex: r.sex,
          age: ageOn(r.birthDate, at),
          idNumber: id ? (reveal ? id : maskIdNumber(id)) : null,
          phone: phone ? (reveal ? phone : maskPhone(phone)) : null,
          onTelegram: r.telegramId !== null,
        };
      });
      const telegramIds = rows.flatMap((r) => (r.telegramId === null ? [] : [r.telegramId]));
      const names = new Map(rows.flatMap((r) => (r.telegramId === null ? [] : [[r.telegramId, r.name]])));
      const [caseRows, noticeRows] = await Promise.all([
        store.casesOfHouseholds([place.id], FILE_CASES_LIMIT),
        telegramIds.length > 0 ? store.noticesTo(telegramIds, FILE_NOTICES_LIMIT) : Promise.resolve([]),
      ]);
      await staff.audit(null, {
        actorTelegramId: telegramId,
        action: 'household.view',
        subject: aboutResidents(place),
        detail: { via: 'console' },
      });
      if (reveal) {
        await staff.audit(null, {
          actorTelegramId: telegramId,
          action: 'pii.view',
          subject: rows.map((r) => `${r.kind}:${r.id}`).join(','),
          detail: { via: 'console', fields: ['idNumber', 'phone'] },
        });
      }
      return ok({
        id: place.id,
        address: address(place),
        people: persons,
        cases: caseRows.map((c) => caseLine(s, c)),
        notices: noticeRows.map((n) => ({
          at: n.at.toISOString(),
          textZh: n.textZh,
          textEn: n.textEn,
          important: n.important,
          delivery:
            n.status === 'delivered'
              ? 'delivered'
              : n.status === 'failed' || n.status === 'unreachable'
                ? 'failed'
                : 'pending',
          readAt: n.important && n.readAt ? n.readAt.toISOString() : null,
          to: names.get(n.telegramId) ?? '',
        })),
        revealed: reveal,
      });
    },

    /**
     * Residents registered before phones were hashed get their phone's keyed hash (at start-up; a few
     * hundred a batch). Returns how many.
     */
    async fillPhoneHashes(): Promise<number> {
      let filled = 0;
      let after: string | null = null;
      for (;;) {
        const batch = await store.residentsWithoutPhoneHash(after, 200);
        if (batch.length === 0) return filled;
        for (const r of batch) {
          after = r.id;
          let phone: string;
          try {
            phone = cipher.decrypt(r.phoneCipher, piiAt.residentPhone(r.id));
          } catch {
            continue; // unreadable (the key check at start-up refuses a wrong key): left unsearchable by phone
          }
          await store.setPhoneHash(r.id, cipher.hash(phone));
          filled++;
        }
      }
    },
  };
}

export type ConsoleLookup = ReturnType<typeof createConsoleLookup>;
