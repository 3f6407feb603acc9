// Registration conflicts: someone registered with an ID number that was already registered. Whoever came
// first may be the person, or someone who knew their number; the bot cannot tell, so it discloses nothing:
// the second registrant is asked to bring their ID card to the community service window (src/app/
// households.ts keeps the conflict), and the first registrant is told nothing. An administrator, once the
// window has checked the ID card, moves the registration to the second person — the first registration is
// ended as /deleteme ends one, and its holder told in plain words that the community ended it after an ID
// card check — or dismisses the conflict. Both are audited (no personal data in the audit rows); the
// conflict row, which holds the second registration encrypted, is deleted either way.
import { maskIdNumber, maskPhone } from '../domain/mask.ts';
import { fail, ok, type Result } from '../domain/result.ts';
import type { NewAudit, NewNotification } from './case-store.ts';
import { type ConflictRegistration, type HouseholdStore, householdOfConflict } from './households.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';

export interface ConflictRecord {
  id: string;
  createdAt: Date;
  telegramId: bigint;
  idNumberHash: Uint8Array;
  communityCode: string;
  registrationCipher: Uint8Array;
}

/** Storage of the conflicts (src/db/repositories/registration-conflicts.ts). */
export interface ConflictStore {
  /** The open conflicts, oldest first. */
  list(limit: number): Promise<ConflictRecord[]>;
  byId(id: string): Promise<ConflictRecord | null>;
  /** The Telegram id of the resident registered with this ID number (its keyed hashes), or null. */
  holderOf(idNumberHashes: Uint8Array[]): Promise<bigint | null>;
  /** The resident registered at the window (no Telegram id) with this ID number, or null. */
  windowHolderOf(idNumberHashes: Uint8Array[]): Promise<string | null>;
  /** Deletes the conflict with its audit row and notifications, in one transaction; false: already gone. */
  close(id: string, audit: NewAudit, notifications: NewNotification[]): Promise<boolean>;
  audit(audit: NewAudit): Promise<void>;
}

export interface ConflictDeps {
  conflicts: ConflictStore;
  households: Pick<HouseholdStore, 'create' | 'findByTelegramId'>;
  /** Whether the caller is an administrator; a refusal is audited (src/app/admin.ts checkAdmin). */
  checkAdmin(telegramId: number, attempted: string): Promise<boolean>;
  /** Ends a person's registration and everything held about them, as /deleteme does (src/app/privacy.ts). */
  eraseRegistration(telegramId: number): Promise<unknown>;
  /** The same for a resident registered at the window without Telegram (src/app/privacy.ts). */
  eraseWindowRegistration(residentId: string): Promise<unknown>;
  cipher: PiiCipher;
}

/** A conflict as the administrator sees it: who is waiting for the check, masked. */
export interface ConflictView {
  id: string;
  createdAt: string;
  communityCode: string;
  name: string;
  idNumberMasked: string;
  phoneMasked: string;
}

/** How many conflicts /conflicts shows at once (oldest first). */
export const CONFLICT_LIST_LIMIT = 20;

/** Notification kinds (rendered in src/bot/notification-render.ts, no case attached). */
export const REGISTRATION_ENDED = 'registration.ended';
export const REGISTRATION_CONFIRMED = 'registration.confirmed';
export const REGISTRATION_NOT_CONFIRMED = 'registration.not_confirmed';

export type ConflictError = 'not_allowed' | 'not_found' | 'conflict';

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);

export function createRegistrationConflictService(deps: ConflictDeps) {
  const { conflicts, households, cipher } = deps;
  const registrationOf = (c: ConflictRecord) =>
    cipher.decryptJson<ConflictRegistration>(c.registrationCipher, piiAt.conflictRegistration(c.telegramId));

  async function find(telegramId: number, id: string, attempted: string) {
    if (!(await deps.checkAdmin(telegramId, attempted))) return fail('not_allowed' as const);
    const c = isUuid(id) ? await conflicts.byId(id) : null;
    return c ? ok(c) : fail('not_found' as const);
  }

  return {
    /** The open conflicts, the second registrant masked; looking is audited (it shows names). */
    async list(telegramId: number): Promise<Result<ConflictView[], 'not_allowed'>> {
      if (!(await deps.checkAdmin(telegramId, 'conflicts'))) return fail('not_allowed');
      const rows = await conflicts.list(CONFLICT_LIST_LIMIT);
      await conflicts.audit({
        actorTelegramId: telegramId,
        action: 'registration.conflicts_viewed',
        detail: { count: rows.length },
      });
      return ok(
        rows.map((c) => {
          const r = registrationOf(c);
          return {
            id: c.id,
            createdAt: c.createdAt.toISOString(),
            communityCode: c.communityCode,
            name: r.name,
            idNumberMasked: maskIdNumber(r.idNumber),
            phoneMasked: maskPhone(r.phone),
          };
        }),
      );
    },

    /** One conflict (for the confirmation question). */
    async get(
      telegramId: number,
      id: string,
      attempted: 'conflict_move' | 'conflict_dismiss' = 'conflict_move',
    ): Promise<Result<{ name: string }, ConflictError>> {
      const c = await find(telegramId, id, attempted);
      return c.ok ? ok({ name: registrationOf(c.value).name }) : c;
    },

    /**
     * After the window checked the ID card: the registration goes to the second registrant. The first one
     * (if still there) is ended as /deleteme ends it and its holder told so; the second is told their
     * registration is done. 'conflict': it cannot be done as things are now (the second registrant has a
     * registration of their own meanwhile, or the number was registered again in between).
     */
    async move(telegramId: number, id: string): Promise<Result<{ firstEnded: boolean }, ConflictError>> {
      const found = await find(telegramId, id, 'conflict_move');
      if (!found.ok) return found;
      const c = found.value;
      // Under every key's hash: the first registration may have been moved to a new key since.
      const hashes = cipher.hashes(registrationOf(c).idNumber);
      const holder = await conflicts.holderOf(hashes);
      // Registered at the window without Telegram (under another name): that record is the first one.
      const windowHolder = holder === null ? await conflicts.windowHolderOf(hashes) : null;
      const firstEnded = (holder !== null && holder !== c.telegramId) || windowHolder !== null;
      // Registered meanwhile with another number: nothing is ended; the administrator dismisses this.
      if (holder !== c.telegramId && (await households.findByTelegramId(Number(c.telegramId))))
        return fail('conflict');
      if (windowHolder !== null) await deps.eraseWindowRegistration(windowHolder);
      else if (firstEnded) await deps.eraseRegistration(Number(holder));
      if (holder !== c.telegramId) {
        const created = await households.create(
          householdOfConflict(Number(c.telegramId), registrationOf(c), cipher),
        );
        if (!created.ok) return fail('conflict');
      }
      const notifications: NewNotification[] = [
        { telegramId: c.telegramId, kind: REGISTRATION_CONFIRMED, payload: {} },
      ];
      if (firstEnded && holder !== null)
        notifications.push({ telegramId: holder, kind: REGISTRATION_ENDED, payload: {} });
      await conflicts.close(
        c.id,
        {
          actorTelegramId: telegramId,
          action: 'registration.conflict_moved',
          subject: `conflict:${c.id}`,
          detail: { firstEnded },
        },
        notifications,
      );
      return ok({ firstEnded });
    },

    /**
     * The nightly rule (jobs/housekeeping.ts): a conflict made before `cutoff` that nobody resolved is dropped,
     * and its registrant told as at a dismissal. Returns how many.
     */
    async expire(cutoff: Date): Promise<number> {
      const BATCH = 50;
      let expired = 0;
      for (;;) {
        const old = (await conflicts.list(BATCH)).filter((c) => c.createdAt < cutoff);
        for (const c of old) {
          const closed = await conflicts.close(
            c.id,
            { actorTelegramId: null, action: 'registration.conflict_expired', subject: `conflict:${c.id}` },
            [{ telegramId: c.telegramId, kind: REGISTRATION_NOT_CONFIRMED, payload: {} }],
          );
          if (closed) expired += 1;
        }
        if (old.length < BATCH) return expired;
      }
    },

    /** The check did not bear the second registrant out (or they never came): the conflict is dropped. */
    async dismiss(telegramId: number, id: string): Promise<Result<null, ConflictError>> {
      const found = await find(telegramId, id, 'conflict_dismiss');
      if (!found.ok) return found;
      const closed = await conflicts.close(
        found.value.id,
        {
          actorTelegramId: telegramId,
          action: 'registration.conflict_dismissed',
          subject: `conflict:${found.value.id}`,
        },
        [{ telegramId: found.value.telegramId, kind: REGISTRATION_NOT_CONFIRMED, payload: {} }],
      );
      return closed ? ok(null) : fail('not_found');
    },
  };
}

export type RegistrationConflictService = ReturnType<typeof createRegistrationConflictService>;
