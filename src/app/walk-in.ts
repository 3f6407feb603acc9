// Registering a resident at the service window, for someone without Telegram (no smartphone, or no account):
// the clerk types what the bot's registration asks (the same rules: checkRegistration in households.ts),
// reads the consent text to the resident and ticks that they agreed; the record has no Telegram id and the
// consent names the clerk. The same conflict rule as the bot: an ID number already registered is not
// registered twice — the clerk is sent to that resident's household file instead. Department staff register
// residents of their district's communities, community workers of their own community, admins anywhere.
// Every registration is audited with the clerk; a refusal too.
import { z } from 'zod';
import { parseIdNumber } from '../domain/id-number.ts';
import { maskIdNumber, maskPhone } from '../domain/mask.ts';
import { parsePersonName, parseRoom } from '../domain/person.ts';
import { parsePhone } from '../domain/phone.ts';
import { fail, ok, type Result } from '../domain/result.ts';
import { createScope, type Scope, type ScopeDeps } from './console/scope.ts';
import {
  checkRegistration,
  type HouseholdStore,
  householdOfConflict,
  type ReferenceLookup,
} from './households.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';
import type { PrivacyService } from './privacy.ts';
import type { BuildingOption, NamedOption } from './reference.ts';
import type { StaffStore } from './staff/ports.ts';

/** A community the clerk may register residents of, with its buildings (for the form). */
export interface WalkInCommunity extends NamedOption {
  buildings: BuildingOption[];
}

export type WalkInError =
  /** Not staff, worker or admin; or a community not theirs. */
  'not_allowed' | 'invalid' | 'no_consent' | 'unknown_building';

export interface WalkInStore {
  /** The household file of the resident registered with this ID number (its hashes under every key). */
  householdOfIdNumber(idNumberHashes: Uint8Array[]): Promise<string | null>;
}

export interface WalkInDeps extends ScopeDeps {
  store: WalkInStore;
  households: Pick<HouseholdStore, 'create' | 'findByResidentId'>;
  reference: ReferenceLookup & {
    listCommunities(): Promise<(NamedOption & { districtCode: string })[]>;
    listBuildings(communityCode: string): Promise<BuildingOption[]>;
  };
  staff: ScopeDeps['staff'] & Pick<StaffStore, 'department'>;
  cipher: PiiCipher;
  /** The erasure /deleteme makes, for a resident without Telegram (src/app/privacy.ts). */
  privacy: Pick<PrivacyService, 'eraseWithoutTelegram'>;
}

/** The form's fields, as posted (strings; the consent box is present only when ticked). */
const formSchema = z.object({
  communityCode: z.string().max(64),
  buildingId: z.string().max(64),
  unit: z.string().max(8),
  room: z.string().max(200),
  name: z.string().max(200),
  phone: z.string().max(200),
  idNumber: z.string().max(200),
  consent: z.boolean(),
});
export type WalkInInput = z.infer<typeof formSchema>;

/** A field typed wrong and why, in the bot's words for it (`registration:errors.<field>.<code>`). */
export interface FieldProblem {
  field: 'room' | 'name' | 'phone' | 'idNumber' | 'unit';
  code: string;
}

/** Which fields are wrong, by the same domain rules checkRegistration applies. */
export function fieldProblems(form: WalkInInput, today: Date): FieldProblem[] {
  const checks = [
    ['room', parseRoom(form.room)],
    ['name', parsePersonName(form.name)],
    ['phone', parsePhone(form.phone)],
    ['idNumber', parseIdNumber(form.idNumber, today)],
  ] as const;
  const problems: FieldProblem[] = checks.flatMap(([field, r]) => (r.ok ? [] : [{ field, code: r.error }]));
  if (!/^\d{1,2}$/.test(form.unit)) problems.unshift({ field: 'unit', code: 'invalid' });
  return problems;
}

/** A resident just registered, as the confirmation shows them (masked). */
export interface RegisteredResident {
  residentId: string;
  householdId: string;
  name: string;
  phoneMasked: string;
  idNumberMasked: string;
  onTelegram: boolean;
  address: {
    community: NamedOption;
    building: NamedOption;
    unit: string;
    room: string;
  };
}

export type WalkInOutcome =
  | { kind: 'registered'; residentId: string; householdId: string }
  /** The ID number is a registered resident's already: their household file (null if it went meanwhile). */
  | { kind: 'already_registered'; householdId: string | null };

export function createWalkInService(deps: WalkInDeps) {
  const { store, households, reference, staff, cipher, now } = deps;
  const scope = createScope(deps);

  async function communitiesOf(s: Scope): Promise<(NamedOption & { districtCode: string })[]> {
    const all = await reference.listCommunities();
    if (s.admin) return all;
    const district = s.department ? (await staff.department(s.department))?.districtCode : undefined;
    return all.filter(
      (c) => c.code === s.community || (district !== undefined && c.districtCode === district),
    );
  }

  /** A resident of the caller's communities (as the form offers them); null, audited, for anyone else. */
  async function residentInScope(telegramId: number, residentId: string, attempted: string) {
    const s = await scope.of(telegramId);
    const found =
      s && z.uuid().safeParse(residentId).success ? await households.findByResidentId(residentId) : null;
    const mine =
      s && found ? (await communitiesOf(s)).some((c) => c.code === found.household.community.code) : false;
    if (found && mine) return found;
    await scope.refuse(telegramId, null, {
      action: 'access.denied',
      detail: { attempted, reason: !s ? 'not_staff' : !found ? 'no_such_resident' : 'other_community' },
    });
    return null;
  }

  return {
    /** The communities (with their buildings) this person may register residents of; not_allowed: none. */
    async form(telegramId: number): Promise<Result<WalkInCommunity[], 'not_allowed'>> {
      const s = await scope.of(telegramId);
      const list = s ? await communitiesOf(s) : [];
      if (list.length === 0) {
        await scope.refuse(telegramId, null, {
          action: 'access.denied',
          detail: { attempted: 'walk_in', reason: s ? 'no_community' : 'not_staff' },
        });
        return fail('not_allowed');
      }
      return ok(
        await Promise.all(
          list.map(async (c) => ({
            code: c.code,
            nameZh: c.nameZh,
            nameEn: c.nameEn,
            buildings: await reference.listBuildings(c.code),
          })),
        ),
      );
    },

    /**
     * A resident of the caller's communities (as the form offers them), masked, for the confirmation after
     * registering: 'not_found' for anyone else (audited). Audited as a household view.
     */
    async registered(
      telegramId: number,
      residentId: string,
    ): Promise<Result<RegisteredResident, 'not_found'>> {
      const found = await residentInScope(telegramId, residentId, 'walk_in_view');
      if (!found) return fail('not_found');
      const h = found.household;
      await staff.audit(null, {
        actorTelegramId: telegramId,
        action: 'household.view',
        subject: `resident:${h.resident.id}`,
        detail: { via: 'walk_in' },
      });
      return ok({
        residentId: h.resident.id,
        householdId: h.id,
        name: h.resident.name,
        phoneMasked: maskPhone(cipher.decrypt(h.resident.phoneCipher, piiAt.residentPhone(h.resident.id))),
        idNumberMasked: maskIdNumber(
          cipher.decrypt(h.resident.idNumberCipher, piiAt.residentIdNumber(h.resident.id)),
        ),
        onTelegram: found.telegramId !== null,
        address: { community: h.community, building: h.building, unit: h.unit, room: h.room },
      });
    },

    /**
     * Erases a resident without Telegram at their request (they cannot send /deleteme): the same erasure,
     * by a clerk of their community (as registering); audited with the clerk (`resident.erased_at_window`,
     * no personal data). A resident on Telegram erases themselves: 'on_telegram'.
     */
    async erase(
      telegramId: number,
      residentId: string,
    ): Promise<Result<{ cases: number }, 'not_found' | 'on_telegram'>> {
      const found = await residentInScope(telegramId, residentId, 'walk_in_erase');
      if (!found) return fail('not_found');
      if (found.telegramId !== null) return fail('on_telegram');
      const erased = await deps.privacy.eraseWithoutTelegram(residentId);
      if (!erased) return fail('not_found');
      await staff.audit(null, {
        actorTelegramId: telegramId,
        action: 'resident.erased_at_window',
        detail: { community: found.household.community.code, cases: erased.cases },
      });
      return ok(erased);
    },

    /**
     * Registers the resident standing at the window. The input is checked as the bot's registration checks
     * it; the clerk must have ticked the consent. Audited as `resident.registered_at_window` (who, which
     * community; no personal data).
     */
    async register(
      telegramId: number,
      input: unknown,
    ): Promise<Result<WalkInOutcome, WalkInError> & { problems?: FieldProblem[] }> {
      const parsed = formSchema.safeParse(input);
      if (!parsed.success) return fail('invalid');
      const form = parsed.data;
      const s = await scope.of(telegramId);
      const mine = s ? (await communitiesOf(s)).some((c) => c.code === form.communityCode) : false;
      if (!mine) {
        await scope.refuse(telegramId, null, {
          action: 'access.denied',
          detail: { attempted: 'walk_in', reason: s ? 'other_community' : 'not_staff' },
        });
        return fail('not_allowed');
      }
      const today = now();
      const checked = await checkRegistration(
        { ...form, consent: form.consent ? true : undefined },
        reference,
        today,
      );
      if (!checked.ok)
        return checked.error === 'invalid' ? { ...checked, problems: fieldProblems(form, today) } : checked;
      const household = householdOfConflict(null, checked.value, cipher);
      household.resident.consentRecordedBy = telegramId;
      const created = await households.create(household);
      if (!created.ok) {
        const holder = await store.householdOfIdNumber(household.resident.idNumberHashes);
        await staff.audit(null, {
          actorTelegramId: telegramId,
          action: 'resident.window_duplicate',
          detail: { community: form.communityCode },
        });
        return ok({ kind: 'already_registered', householdId: holder });
      }
      await staff.audit(null, {
        actorTelegramId: telegramId,
        action: 'resident.registered_at_window',
        subject: `resident:${created.residentId}`,
        detail: { community: form.communityCode, consentVersion: household.resident.consentVersion },
      });
      return ok({ kind: 'registered', residentId: created.residentId, householdId: created.householdId });
    },
  };
}

export type WalkInService = ReturnType<typeof createWalkInService>;
