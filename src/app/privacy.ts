// Residents' rights over their data: a copy of everything held about them (/mydata), erasure (/deleteme),
// and the retention rule that strips personal data from closed cases after a configured period.
// The copy is decrypted here for its owner only; every export is written to the audit log. What each one
// covers, table by table, is proved by test/integration/erasure-complete.test.ts (it searches every table
// of the schema for the person).
import type { Catalogue } from '../domain/catalogue/index.ts';
import type { Job } from '../domain/employment.ts';
import { describeStored, readStoredAnswers } from './case-answers.ts';
import type { ConflictRegistration, HouseholdRecord } from './households.ts';
import { type PiiCipher, type PiiContext, piiAt } from './pii-cipher.ts';

/** What the app needs from storage (src/db/repositories/privacy.ts). Personal fields are ciphertext. */
export interface PrivacyStore {
  collect(telegramId: number, conversationKey: string): Promise<HeldData>;
  erase(telegramId: number, conversationKey: string, now: Date): Promise<{ cases: number } | null>;
  /**
   * Erases a resident registered at the window (no Telegram id) as `erase` does a Telegram user's
   * registration: their cases anonymised, the record (and the household when nobody else holds it) deleted,
   * the audit rows about them redacted. Null when there is no such resident without Telegram.
   */
  eraseWithoutTelegram(residentId: string, now: Date): Promise<{ cases: number } | null>;
  /** Writes the export's audit row; returns it as the copy lists it. */
  recordExport(telegramId: number): Promise<AuditFigures<Date>>;
  anonymiseClosedBefore(cutoff: Date, now: Date, batch: number): Promise<number>;
}

/** A case's own figures; dates as `D` (a Date as held, an ISO string in the copy). */
interface CaseFigures<D> {
  number: string;
  serviceCode: string;
  status: string;
  anonymous: boolean;
  submittedAt: D;
  dueAt: D;
  resolvedAt: D | null;
  closedAt: D | null;
  rating: number | null;
  ratingComment: string | null;
}

interface NotificationFigures<D> {
  kind: string;
  status: string;
  createdAt: D;
  sentAt: D | null;
}

/** A community notice sent to the person (broadcast_delivery), with their "I have read this" press. */
interface NoticeFigures<D> {
  /** When the notice was set to start. */
  at: D;
  important: boolean;
  /** The version they were sent (their language's, or the one for everyone). */
  text: string | null;
  status: string;
  sentAt: D | null;
  readAt: D | null;
}

/**
 * An audit row about the person: what was done with or seen of their data, and by whom. `by` is 'you' (the
 * person's own export or refused attempt), 'staff' (with the staff member's display name when known: the
 * README's personal-data section allows staff names), or 'system'.
 */
export interface AuditFigures<D> {
  at: D;
  action: string;
  caseNumber: string | null;
  by: 'you' | 'staff' | 'system';
  staffName: string | null;
  /** Which personal data was seen (pii.view: `idNumber`, `phone`, `attachments`), when the row says. */
  fields: string[];
}

/** Where the household lives and who is in it; dates as `D`, a member's ID number as `Id`. */
interface HouseholdFigures<D, Id> {
  community: { nameZh: string; nameEn: string };
  building: { nameZh: string; nameEn: string };
  unit: string;
  room: string;
  createdAt: D;
  members: ({
    name: string;
    relation: string;
    sex: string;
    birthDate: string;
    employmentStatus: string | null;
  } & Id)[];
}

export interface HeldData {
  account: {
    telegramId: string;
    languageCode: string | null;
    locale: string | null;
    unreachable: boolean;
    firstSeenAt: Date;
  } | null;
  resident:
    | (HouseholdRecord['resident'] & { consentVersion: string; consentAt: Date; createdAt: Date })
    | null;
  household: HouseholdFigures<Date, { id: string; idNumberCipher: Uint8Array | null }> | null;
  cases: (Omit<CaseFigures<Date>, 'ratingComment'> & {
    id: string;
    commentCipher: Uint8Array | null;
    priority: string;
    answersCipher: Uint8Array;
    events: { at: Date; kind: string; toStatus: string | null; noteCipher: Uint8Array | null }[];
    attachments: { kind: string; mimeType: string | null; sizeBytes: number | null; createdAt: Date }[];
    /** Jobs recommended on the case (src/app/job-offers.ts), encrypted. */
    jobs: { id: string; position: number; jobCipher: Uint8Array; interestedAt: Date | null }[];
  })[];
  notifications: NotificationFigures<Date>[];
  notices: NoticeFigures<Date>[];
  /** Set when the person turned ordinary notices off (`/notices off`). */
  noticesMutedAt: Date | null;
  /** A registration waiting for the window's ID-card check (its ID number was registered before). */
  pendingRegistration: { submittedAt: Date; registrationCipher: Uint8Array } | null;
  audit: AuditFigures<Date>[];
  formInProgress: boolean;
  /** A form put aside to be resumed (kept a week). */
  formDraftKept: boolean;
}

// MyData mirrors HeldData field by field (decrypted, dates as ISO strings): the likeness is the point.
/** Everything held about one person, in clear, for that person. Dates as ISO strings. */
export interface MyData {
  generatedAt: string;
  account: {
    telegramId: string;
    languageCode: string | null;
    locale: string | null;
    reachable: boolean;
    firstSeenAt: string;
  } | null;
  resident: {
    name: string;
    phone: string;
    idNumber: string;
    birthDate: string;
    sex: string;
    employmentStatus: string | null;
    consentVersion: string;
    consentAt: string;
    registeredAt: string;
  } | null;
  household: HouseholdFigures<string, { idNumber: string | null }> | null;
  cases: (CaseFigures<string> & {
    urgent: boolean;
    answers: { stepId: string; answer: string; files: number }[];
    /** The people the case keeps a snapshot of (the household confirmed for dibao, a child, a patient). */
    people: { name: string; relation: string; birthDate: string }[];
    history: { at: string; kind: string; toStatus: string | null; note: string | null }[];
    attachments: { kind: string; mimeType: string | null; sizeBytes: number | null; at: string }[];
    jobs: (Job & { position: number; interestedAt: string | null })[];
  })[];
  notifications: NotificationFigures<string>[];
  notices: NoticeFigures<string>[];
  noticesMutedAt: string | null;
  pendingRegistration: (ConflictRegistration & { submittedAt: string }) | null;
  audit: AuditFigures<string>[];
  formInProgress: boolean;
  /** A form put aside to be resumed (kept a week). */
  formDraftKept: boolean;
}

export interface PrivacyDeps {
  store: PrivacyStore;
  cipher: PiiCipher;
  catalogue: Catalogue;
  now: () => Date;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
/** The conversation plugin keeps a private chat's form under the chat id, which is the user id. */
export const conversationKeyOf = (telegramId: number) => String(telegramId);
/** A form put aside to be resumed (src/bot/forms/drafts.ts) is kept beside it, under this key. */
export const formDraftKeyOf = (conversationKey: string) => `draft:${conversationKey}`;

export function createPrivacyService(deps: PrivacyDeps) {
  const { store, cipher, catalogue, now } = deps;

  function decryptOrNull(bytes: Uint8Array | null, at: PiiContext): string | null {
    return bytes && bytes.length > 0 ? cipher.decrypt(bytes, at) : null;
  }

  return {
    /** A copy of everything held about this Telegram user; null when nothing at all is held. */
    async exportMine(telegramId: number): Promise<MyData | null> {
      const held = await store.collect(telegramId, conversationKeyOf(telegramId));
      const holdsAnything =
        held.account ||
        held.resident ||
        held.cases.length > 0 ||
        held.notices.length > 0 ||
        held.noticesMutedAt ||
        held.pendingRegistration ||
        held.audit.length > 0;
      if (!holdsAnything) return null;
      // The export's own audit row is about the person too: it is in the copy it records.
      const audit = [...held.audit, await store.recordExport(telegramId)];
      const r = held.resident;
      const h = held.household;
      return {
        generatedAt: now().toISOString(),
        account: held.account
          ? {
              telegramId: held.account.telegramId,
              languageCode: held.account.languageCode,
              locale: held.account.locale,
              reachable: !held.account.unreachable,
              firstSeenAt: held.account.firstSeenAt.toISOString(),
            }
          : null,
        resident: r
          ? {
              name: r.name,
              phone: cipher.decrypt(r.phoneCipher, piiAt.residentPhone(r.id)),
              idNumber: cipher.decrypt(r.idNumberCipher, piiAt.residentIdNumber(r.id)),
              birthDate: r.birthDate,
              sex: r.sex,
              employmentStatus: r.employmentStatus,
              consentVersion: r.consentVersion,
              consentAt: r.consentAt.toISOString(),
              registeredAt: r.createdAt.toISOString(),
            }
          : null,
        household: h
          ? {
              community: h.community,
              building: h.building,
              unit: h.unit,
              room: h.room,
              createdAt: h.createdAt.toISOString(),
              members: h.members.map((m) => ({
                name: m.name,
                relation: m.relation,
                sex: m.sex,
                birthDate: m.birthDate,
                employmentStatus: m.employmentStatus,
                idNumber: decryptOrNull(m.idNumberCipher, piiAt.memberIdNumber(m.id)),
              })),
            }
          : null,
        cases: held.cases.map((c) => {
          const stored = c.answersCipher.length > 0 ? readStoredAnswers(c, cipher) : null;
          return {
            number: c.number,
            serviceCode: c.serviceCode,
            status: c.status,
            urgent: c.priority === 'urgent',
            anonymous: c.anonymous,
            submittedAt: c.submittedAt.toISOString(),
            dueAt: c.dueAt.toISOString(),
            resolvedAt: iso(c.resolvedAt),
            closedAt: iso(c.closedAt),
            rating: c.rating,
            ratingComment: decryptOrNull(c.commentCipher, piiAt.caseRatingComment(c.id)),
            answers: stored
              ? describeStored(stored, catalogue.version(c.serviceCode, stored.definition?.hash)).map(
                  (a) => ({
                    stepId: a.stepId,
                    answer: a.label,
                    files: a.files.length,
                  }),
                )
              : [],
            people: (stored?.people ?? []).map((p) => ({
              name: p.name,
              relation: p.relation,
              birthDate: p.birthDate,
            })),
            history: c.events.map((e) => ({
              at: e.at.toISOString(),
              kind: e.kind,
              toStatus: e.toStatus,
              note: decryptOrNull(e.noteCipher, piiAt.caseEventNote(c.id)),
            })),
            attachments: c.attachments.map((a) => ({
              kind: a.kind,
              mimeType: a.mimeType,
              sizeBytes: a.sizeBytes,
              at: a.createdAt.toISOString(),
            })),
            jobs: c.jobs.map((j) => ({
              position: j.position,
              ...cipher.decryptJson<Job>(j.jobCipher, piiAt.jobRecommendation(j.id)),
              interestedAt: iso(j.interestedAt),
            })),
          };
        }),
        notifications: held.notifications.map((n) => ({
          kind: n.kind,
          status: n.status,
          createdAt: n.createdAt.toISOString(),
          sentAt: iso(n.sentAt),
        })),
        notices: held.notices.map((n) => ({
          at: n.at.toISOString(),
          important: n.important,
          text: n.text,
          status: n.status,
          sentAt: iso(n.sentAt),
          readAt: iso(n.readAt),
        })),
        noticesMutedAt: iso(held.noticesMutedAt),
        pendingRegistration: held.pendingRegistration
          ? {
              ...cipher.decryptJson<ConflictRegistration>(
                held.pendingRegistration.registrationCipher,
                piiAt.conflictRegistration(telegramId),
              ),
              submittedAt: held.pendingRegistration.submittedAt.toISOString(),
            }
          : null,
        audit: audit.map((a) => ({ ...a, at: a.at.toISOString() })),
        formInProgress: held.formInProgress,
        formDraftKept: held.formDraftKept,
      };
    },

    /** Erases this person's personal data; false when nothing was held. */
    /**
     * Erases a resident without Telegram at their request at the window (src/app/walk-in.ts checks who may
     * ask); the same erasure as /deleteme.
     */
    async eraseWithoutTelegram(residentId: string): Promise<{ cases: number } | null> {
      return store.eraseWithoutTelegram(residentId, now());
    },

    async eraseMine(telegramId: number): Promise<{ erased: boolean; cases: number }> {
      const result = await store.erase(telegramId, conversationKeyOf(telegramId), now());
      return result ? { erased: true, cases: result.cases } : { erased: false, cases: 0 };
    },

    /**
     * The retention rule: closed (or withdrawn) cases that ended more than `days` days ago lose their
     * personal data, in batches so that no transaction holds many rows for long. Returns the count.
     */
    async applyRetention(days: number, batch = 500): Promise<number> {
      const at = now();
      const cutoff = new Date(at.getTime() - days * 86_400_000);
      let total = 0;
      for (;;) {
        const n = await store.anonymiseClosedBefore(cutoff, at, batch);
        total += n;
        if (n < batch) return total;
      }
    },
  };
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;
