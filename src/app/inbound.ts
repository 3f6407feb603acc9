// What a resident sends outside a form, and documents they bring later (issue 11, point 4): a message goes
// to the open case a staff member recently wrote to them about (src/domain/inbound.ts chooses it), as their
// answer when the staff asked something (the same event and notification as "answer the staff",
// src/app/cases.ts) and as an addition otherwise; "add documents" puts photos and files on an open case.
// An album is one addition: its later parts join the first part's event. An addition the resident says
// went to the wrong case moves to another of their open cases (or is taken back for a suggestion). Every
// look-up checks the case is the asking resident's own and still open; anything else is 'not_found' or
// 'not_allowed', as in the other case use cases.
import { z } from 'zod';
import { isOpen } from '../domain/case-status.ts';
import type { FileRef } from '../domain/catalogue/index.ts';
import { anyFileTooLarge } from '../domain/file-size.ts';
import { pickInboundCase } from '../domain/inbound.ts';
import { fail, ok, type Result } from '../domain/result.ts';
import { fileRefSchema, newAttachment } from './case-answers.ts';
import type { CaseRecord, CaseStore, NewNotification, RoutingLookup } from './case-store.ts';
import type { HouseholdRecord } from './households.ts';
import { findOwnCase, type OwnCase } from './own-case.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';

/** Staff events that count as "a staff member wrote to the resident about this case". */
export const STAFF_CONTACT_KINDS = ['reply', 'ask_info'] as const;
/** The resident's own additions to a case (what "several messages in a row" continues). */
export const ADDITION_KINDS = ['info_answer', 'addition', 'documents_added'] as const;
/** What an addition that went to the wrong case becomes (kept in the history, for staff to see). */
export const MOVED_KIND = 'addition_moved';
/** At most this many files in one addition (an album has at most ten). */
export const MAX_ADDITION_FILES = 10;

export interface InboundDeps {
  households: { findByTelegramId(telegramId: number): Promise<HouseholdRecord | null> };
  routing: Pick<RoutingLookup, 'staffTelegramId'>;
  cases: Pick<
    CaseStore,
    | 'findById'
    | 'events'
    | 'attachments'
    | 'transition'
    | 'inboundCandidates'
    | 'albumEvent'
    | 'appendAttachments'
  >;
  cipher: PiiCipher;
  now: () => Date;
}

export type InboundError = 'not_registered' | 'not_found' | 'not_allowed' | 'invalid';

/** A case as the resident is told of it: its number and service. */
export interface CaseLabel {
  caseId: string;
  number: string;
  serviceCode: string;
}

export interface Addition {
  text?: string | null;
  files?: FileRef[];
  /** The Telegram album the message belongs to. */
  mediaGroupId?: string | null;
}

export interface Added extends CaseLabel {
  /** The event the addition was written as (for "not this one"). */
  eventId: string;
  /** An album's later part joined an earlier addition: nothing new to say. */
  joined: boolean;
}

const noteSchema = z.string().trim().min(1).max(2000);
const filesSchema = z.array(fileRefSchema).max(MAX_ADDITION_FILES);
const eventIdSchema = z.string().regex(/^\d{1,19}$/);

export function createInboundService(deps: InboundDeps) {
  const { households, routing, cases, cipher, now } = deps;

  const ownCase = (telegramId: number, caseId: string): Promise<Result<OwnCase, InboundError>> =>
    findOwnCase({ households, cases }, telegramId, caseId);

  async function assigneeNotification(record: CaseRecord, kind: string): Promise<NewNotification[]> {
    if (!record.assigneeId) return [];
    const telegramId = await routing.staffTelegramId(record.assigneeId);
    return telegramId ? [{ telegramId, kind, payload: { caseId: record.id } }] : [];
  }

  const label = (r: CaseRecord): CaseLabel => ({
    caseId: r.id,
    number: r.number,
    serviceCode: r.serviceCode,
  });

  /** The text and files checked as the use cases take them; null: not a valid addition. */
  function checked(addition: Addition): { note: string | null; files: FileRef[] } | null {
    const files = filesSchema.safeParse(addition.files ?? []);
    const text =
      addition.text === undefined || addition.text === null || addition.text.trim() === ''
        ? null
        : noteSchema.safeParse(addition.text);
    if (!files.success || (text && !text.success) || (!text && files.data.length === 0)) return null;
    if (anyFileTooLarge(files.data)) return null;
    return { note: text?.success ? text.data : null, files: files.data as FileRef[] };
  }

  /**
   * Writes an addition on an open case of the resident: the answer to the staff's question when the case
   * waits for the resident (as "answer the staff" does), an addition (or documents) otherwise. An album's
   * later part joins the event of its first part.
   */
  async function add(
    own: OwnCase,
    addition: Addition,
    kind: 'addition' | 'documents_added',
    relabel?: { caseId: string; eventId: bigint },
  ): Promise<Result<Added, InboundError>> {
    const { record, household } = own;
    if (!isOpen(record.status)) return fail('not_allowed');
    const content = checked(addition);
    if (!content) return fail('invalid');
    const attachments = content.files.map((f) => newAttachment(f, null));
    const album = addition.mediaGroupId ?? null;
    if (album && !relabel) {
      const earlier = await cases.albumEvent(record.id, album);
      if (earlier !== null) {
        await cases.appendAttachments(record.id, earlier, attachments);
        return ok({ ...label(record), eventId: earlier.toString(), joined: true });
      }
    }
    const answering = record.status === 'waiting_resident';
    const eventKind = answering ? 'info_answer' : kind;
    const notify = answering
      ? 'staff.info_answered'
      : kind === 'addition'
        ? 'staff.case_addition'
        : 'staff.documents_added';
    const outcome = await cases.transition({
      caseId: record.id,
      from: [record.status],
      to: answering ? 'in_progress' : record.status,
      event: {
        actorKind: 'resident',
        actorId: household.resident.id,
        kind: eventKind,
        noteCipher: content.note ? cipher.encrypt(content.note, piiAt.caseEventNote(record.id)) : null,
        mediaGroupId: album,
      },
      attachments,
      notifications: await assigneeNotification(record, notify),
      relabel: relabel && { ...relabel, from: ADDITION_KINDS, to: MOVED_KIND },
    });
    if (outcome !== 'ok') return fail('not_allowed');
    const written = (await cases.events(record.id)).filter(
      (e) => e.actorKind === 'resident' && e.kind === eventKind,
    );
    return ok({ ...label(record), eventId: (written.at(-1)?.id ?? 0n).toString(), joined: false });
  }

  /** The resident's own addition (an event of ADDITION_KINDS on their case), with what it carried. */
  async function ownAddition(
    telegramId: number,
    eventId: string,
  ): Promise<Result<{ own: OwnCase; eventId: bigint; note: string | null; files: FileRef[] }, InboundError>> {
    const household = await households.findByTelegramId(telegramId);
    if (!household) return fail('not_registered');
    if (!eventIdSchema.safeParse(eventId).success) return fail('not_found');
    const id = BigInt(eventId);
    const open = await cases.inboundCandidates(household.resident.id, {
      staff: STAFF_CONTACT_KINDS,
      resident: ADDITION_KINDS,
    });
    for (const candidate of open) {
      const event = (await cases.events(candidate.caseId)).find((e) => e.id === id);
      if (!event) continue;
      if (event.actorKind !== 'resident' || !(ADDITION_KINDS as readonly string[]).includes(event.kind))
        return fail('not_allowed');
      const record = await cases.findById(candidate.caseId);
      if (!record) return fail('not_found');
      const files = (await cases.attachments(record.id))
        .filter((a) => a.eventId === id)
        .map((a) => ({
          kind: a.kind,
          fileId: a.fileId,
          fileUniqueId: a.fileUniqueId,
          mimeType: a.mimeType ?? undefined,
          sizeBytes: a.sizeBytes ?? undefined,
        }));
      return ok({
        own: { record, household },
        eventId: id,
        note: event.noteCipher ? cipher.decrypt(event.noteCipher, piiAt.caseEventNote(record.id)) : null,
        files,
      });
    }
    // Not on an open case of theirs (another resident's, a closed case, no such event): nothing to move.
    return fail('not_found');
  }

  return {
    /**
     * The open case a message of the resident's goes to now (see src/domain/inbound.ts), and how many
     * other open cases they have; null when there is none, or the sender is not registered.
     */
    async target(telegramId: number): Promise<(CaseLabel & { otherOpen: number }) | null> {
      const household = await households.findByTelegramId(telegramId);
      if (!household) return null;
      const candidates = await cases.inboundCandidates(household.resident.id, {
        staff: STAFF_CONTACT_KINDS,
        resident: ADDITION_KINDS,
      });
      const chosen = pickInboundCase(candidates, now());
      if (!chosen) return null;
      return {
        caseId: chosen.caseId,
        number: chosen.number,
        serviceCode: chosen.serviceCode,
        otherOpen: candidates.length - 1,
      };
    },

    /** A message outside a form, on the case `target` chose (checked again here). */
    async addMessage(
      telegramId: number,
      caseId: string,
      addition: Addition,
    ): Promise<Result<Added, InboundError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      return add(own.value, addition, 'addition');
    },

    /** "Add documents": photos and files brought later, on an open case of the resident. */
    async addDocuments(
      telegramId: number,
      caseId: string,
      files: FileRef[],
    ): Promise<Result<Added, InboundError>> {
      const own = await ownCase(telegramId, caseId);
      if (!own.ok) return own;
      if (files.length === 0) return fail('invalid');
      return add(own.value, { files }, 'documents_added');
    },

    /** "Not this one": the resident's other open cases the addition could go to instead. */
    async otherCases(telegramId: number, eventId: string): Promise<Result<CaseLabel[], InboundError>> {
      const found = await ownAddition(telegramId, eventId);
      if (!found.ok) return found;
      const candidates = await cases.inboundCandidates(found.value.own.household.resident.id, {
        staff: STAFF_CONTACT_KINDS,
        resident: ADDITION_KINDS,
      });
      return ok(
        candidates
          .filter((c) => c.caseId !== found.value.own.record.id)
          .sort((a, b) => (a.number < b.number ? 1 : -1))
          .map((c) => ({ caseId: c.caseId, number: c.number, serviceCode: c.serviceCode })),
      );
    },

    /**
     * Moves the resident's addition to another open case of theirs: written there (its staff told), marked
     * as moved where it was — in one transaction, so a double tap moves it once.
     */
    async moveAddition(
      telegramId: number,
      eventId: string,
      toCaseId: string,
    ): Promise<Result<Added, InboundError>> {
      const found = await ownAddition(telegramId, eventId);
      if (!found.ok) return found;
      const target = await ownCase(telegramId, toCaseId);
      if (!target.ok) return target;
      if (target.value.record.id === found.value.own.record.id) return fail('not_allowed');
      return add(target.value, { text: found.value.note, files: found.value.files }, 'addition', {
        caseId: found.value.own.record.id,
        eventId: found.value.eventId,
      });
    },

    /**
     * Takes an addition back from the case it went to (the resident files it as a suggestion instead): it
     * is marked as moved, and its text or voice message is given back to prefill the suggestion.
     */
    async takeBack(
      telegramId: number,
      eventId: string,
    ): Promise<Result<{ text: string | null; voice: FileRef | null }, InboundError>> {
      const found = await ownAddition(telegramId, eventId);
      if (!found.ok) return found;
      const { own } = found.value;
      const outcome = await cases.transition({
        caseId: own.record.id,
        from: [own.record.status],
        to: own.record.status,
        event: {
          actorKind: 'resident',
          actorId: own.household.resident.id,
          kind: 'addition_taken_back',
          visibleToResident: false,
        },
        relabel: {
          caseId: own.record.id,
          eventId: found.value.eventId,
          from: ADDITION_KINDS,
          to: MOVED_KIND,
        },
      });
      if (outcome !== 'ok') return fail('not_allowed');
      return ok({
        text: found.value.note,
        voice: found.value.files.find((f) => f.kind === 'voice') ?? null,
      });
    },
  };
}

export type InboundService = ReturnType<typeof createInboundService>;
