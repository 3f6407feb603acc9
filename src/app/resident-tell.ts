// "To tell": what a resident without Telegram must hear about their case (an answer, a question, the case
// resolved, rejected, transferred) — written by the staff use cases where a notification would be
// (residentTells in src/app/staff/case-actions.ts). The window clerk sees the list of their department's
// cases (staff) or their community's residents (worker; admins all), oldest first, with the resident's phone
// masked (the full number on request, audited as every full-number view), and marks an item told by phone or
// at the window (audited). The case page shows the same items as a banner.
import { z } from 'zod';
import { maskPhone } from '../domain/mask.ts';
import { fail, ok, type Result } from '../domain/result.ts';
import { createScope, type Scope, type ScopeDeps } from './console/scope.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';

export const TELL_HOWS = ['phone', 'window'] as const;
export type TellHow = (typeof TELL_HOWS)[number];
export const TELL_LIST_LIMIT = 200;

export interface TellRow {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  eventId: bigint | null;
  createdAt: Date;
  case: { id: string; number: string; serviceCode: string; departmentCode: string };
  resident: { id: string; name: string; phoneCipher: Uint8Array; communityCode: string };
}

export interface TellStore {
  /** Items not told yet, oldest first, of a department's cases / a community's residents / all. */
  open(
    filter: { departmentCode: string | null; communityCode: string | null },
    limit: number,
  ): Promise<TellRow[]>;
  openOfCase(caseId: string): Promise<TellRow[]>;
  byId(id: string): Promise<TellRow | null>;
  /** Marks it told (once) with its audit row, together; false: told already (or gone). */
  markTold(
    id: string,
    told: { at: Date; by: number; how: TellHow },
    audit: { actorTelegramId: number; action: string; subject: string; caseId: string; detail: object },
  ): Promise<boolean>;
  /** The note staff wrote with the event (encrypted), for the clerk to read out. */
  eventNote(caseId: string, eventId: bigint): Promise<Uint8Array | null>;
}

/** An item as the clerk sees it. */
export interface TellItem {
  id: string;
  /** What happened: the notification's kind without `resident.` (reply, info_requested, resolved …). */
  what: string;
  params: Record<string, string>;
  createdAt: string;
  caseId: string;
  caseNumber: string;
  serviceCode: string;
  residentName: string;
  phoneMasked: string;
  /** What staff said to the resident (the reply, the question, the answer), to read out. */
  note: string | null;
}

export type TellError = 'not_allowed' | 'not_found' | 'invalid' | 'already_told';

export interface TellDeps extends ScopeDeps {
  store: TellStore;
  cipher: Pick<PiiCipher, 'decrypt'>;
}

const idSchema = z.uuid();

export function createTellService(deps: TellDeps) {
  const { store, cipher, now } = deps;
  const scope = createScope(deps);

  const mayTell = (s: Scope, r: TellRow) =>
    s.admin || r.case.departmentCode === s.department || r.resident.communityCode === s.community;

  async function item(r: TellRow): Promise<TellItem> {
    const note = r.eventId === null ? null : await store.eventNote(r.case.id, r.eventId);
    const params = Object.fromEntries(
      Object.entries(r.params).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
    );
    return {
      id: r.id,
      what: r.kind.replace(/^resident\./, ''),
      params,
      createdAt: r.createdAt.toISOString(),
      caseId: r.case.id,
      caseNumber: r.case.number,
      serviceCode: r.case.serviceCode,
      residentName: r.resident.name,
      phoneMasked: maskPhone(cipher.decrypt(r.resident.phoneCipher, piiAt.residentPhone(r.resident.id))),
      note: note ? cipher.decrypt(note, piiAt.caseEventNote(r.case.id)) : null,
    };
  }

  /** One item the caller may handle, or why not (a refusal audited). */
  async function one(telegramId: number, tellId: string, attempted: string) {
    const s = await scope.of(telegramId);
    const row = idSchema.safeParse(tellId).success ? await store.byId(tellId) : null;
    if (!s || !row || !mayTell(s, row)) {
      await scope.refuse(telegramId, row?.case.id ?? null, {
        action: 'access.denied',
        detail: { attempted, reason: !s ? 'not_staff' : !row ? 'no_such_item' : 'out_of_scope' },
      });
      return fail(s ? ('not_found' as const) : ('not_allowed' as const));
    }
    return ok(row);
  }

  return {
    /** The caller's list, oldest first (department staff: their department's cases; workers: their community). */
    async list(telegramId: number): Promise<Result<TellItem[], 'not_allowed'>> {
      const s = await scope.of(telegramId);
      if (!s) {
        await scope.refuse(telegramId, null, {
          action: 'access.denied',
          detail: { attempted: 'tell_list', reason: 'not_staff' },
        });
        return fail('not_allowed');
      }
      const rows = s.admin
        ? await store.open({ departmentCode: null, communityCode: null }, TELL_LIST_LIMIT)
        : await store.open({ departmentCode: s.department, communityCode: s.community }, TELL_LIST_LIMIT);
      return ok(await Promise.all(rows.filter((r) => mayTell(s, r)).map(item)));
    },

    /**
     * The items of one case not told yet, for its page's banner: only for someone who may see the case page
     * (the caller checked that with the staff card) and handle these items.
     */
    async ofCase(telegramId: number, caseId: string): Promise<TellItem[]> {
      const s = await scope.of(telegramId);
      if (!s || !idSchema.safeParse(caseId).success) return [];
      const rows = await store.openOfCase(caseId);
      return Promise.all(rows.filter((r) => mayTell(s, r)).map(item));
    },

    /** Marks an item told, by phone or at the window; audited as `tell.told` with who and how. */
    async markTold(
      telegramId: number,
      tellId: string,
      how: unknown,
    ): Promise<Result<{ caseId: string }, TellError>> {
      const parsedHow = z.enum(TELL_HOWS).safeParse(how);
      if (!parsedHow.success) return fail('invalid');
      const found = await one(telegramId, tellId, 'tell_mark');
      if (!found.ok) return found;
      const row = found.value;
      const done = await store.markTold(
        row.id,
        { at: now(), by: telegramId, how: parsedHow.data },
        {
          actorTelegramId: telegramId,
          action: 'tell.told',
          subject: `resident:${row.resident.id}`,
          caseId: row.case.id,
          detail: { how: parsedHow.data, what: row.kind, item: row.id },
        },
      );
      return done ? ok({ caseId: row.case.id }) : fail('already_told');
    },

    /** The resident's full phone number for an item, audited as every full-number view ('pii.view'). */
    async revealPhone(telegramId: number, tellId: string): Promise<Result<string, TellError>> {
      const found = await one(telegramId, tellId, 'tell_phone');
      if (!found.ok) return found;
      const r = found.value;
      await deps.staff.audit(r.case.id, {
        actorTelegramId: telegramId,
        action: 'pii.view',
        subject: `resident:${r.resident.id}`,
        detail: { via: 'console', fields: ['phone'], for: 'tell' },
      });
      return ok(cipher.decrypt(r.resident.phoneCipher, piiAt.residentPhone(r.resident.id)));
    },
  };
}

export type TellService = ReturnType<typeof createTellService>;
