// A case's answers as they cross the use cases: the shape a front end must send (checked with zod before
// the catalogue's own rules, src/domain/case-rules.ts, are applied), the files they carry as attachments,
// the household as the form sees it, and the answers read back for staff.
import { z } from 'zod';
import type {
  Catalogue,
  FileRef,
  ServiceAnswers,
  ServiceDefinition,
  ServiceStep,
  StepContext,
} from '../domain/catalogue/index.ts';
import type { Relation } from '../domain/household.ts';
import type { CaseRecord, NewAttachment } from './case-store.ts';
import type { HouseholdRecord } from './households.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';

export const fileRefSchema = z.object({
  kind: z.enum(['photo', 'voice', 'document']),
  fileId: z.string().min(1).max(256),
  fileUniqueId: z.string().min(1).max(256),
  mimeType: z.string().max(100).optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  durationSeconds: z.number().int().nonnegative().optional(),
});

export const answersSchema = z.record(
  z.string().max(64),
  z.object({
    value: z.string().max(4096).nullable(),
    label: z.string().max(4096),
    files: z.array(fileRefSchema).max(20).optional(),
  }),
);

/** A file the resident sent, as the attachment row to write (`stepId` null: not a form step's). */
export function newAttachment(file: FileRef, stepId: string | null): NewAttachment {
  return {
    stepId,
    kind: file.kind,
    fileId: file.fileId,
    fileUniqueId: file.fileUniqueId,
    mimeType: file.mimeType ?? null,
    sizeBytes: file.sizeBytes ?? null,
  };
}

/** Every file of the answers, as attachments of their steps. */
export function answerAttachments(answers: ServiceAnswers): NewAttachment[] {
  return Object.entries(answers).flatMap(([stepId, a]) =>
    (a?.files ?? []).map((f) => newAttachment(f, stepId)),
  );
}

/** Everyone of the household the forms may name: the resident first (a stored record or its view). */
export function householdPeople(h: {
  resident: Pick<HouseholdRecord['resident'], 'id' | 'name' | 'birthDate'>;
  members: readonly Pick<HouseholdRecord['members'][number], 'id' | 'name' | 'birthDate' | 'relation'>[];
}): StepContext['people'] {
  return [
    { id: h.resident.id, name: h.resident.name, birthDate: h.resident.birthDate, self: true },
    ...h.members.map((m) => ({
      id: m.id,
      name: m.name,
      birthDate: m.birthDate,
      self: false,
      relation: m.relation,
    })),
  ];
}

/** Someone of the household as they were when the case was filed (the applicant is `self`). */
export interface PersonSnapshot {
  id: string;
  name: string;
  relation: 'self' | Relation;
  birthDate: string;
}

/**
 * What a case's `answers_cipher` holds (one encrypted JSON value, bound to the case): the answers, and a
 * snapshot of the people they name — the household the resident confirmed (dibao: civil affairs counts
 * income per person), and the person of each person step (a child, a patient), so that staff see names and
 * ages as they were when the case was filed, whatever happens to the household file later. Erasure and
 * retention blank the whole value; cases filed before the snapshot have only `answers`.
 */
export interface StoredAnswers {
  v: 1;
  answers: ServiceAnswers;
  people?: PersonSnapshot[];
  /** `people` is the whole household, as the resident confirmed it before the form. */
  household?: boolean;
  /** The definition the case was filed under (absent for cases filed before definitions had versions). */
  definition?: { version: number; hash: string };
}

/** The snapshot a new case keeps: everyone for a service that confirms the household, else who is named. */
export function snapshotPeople(
  service: ServiceDefinition,
  answers: ServiceAnswers,
  h: HouseholdRecord,
): Pick<StoredAnswers, 'people' | 'household'> {
  const everyone: PersonSnapshot[] = [
    { id: h.resident.id, name: h.resident.name, relation: 'self', birthDate: h.resident.birthDate },
    ...h.members.map((m) => ({ id: m.id, name: m.name, relation: m.relation, birthDate: m.birthDate })),
  ];
  if (service.needsHousehold === 'confirm_alone') return { people: everyone, household: true };
  const named = new Set(
    service.steps.filter((s) => s.kind === 'person').flatMap((s) => (answers[s.id]?.value ?? '').split(',')),
  );
  const people = everyone.filter((p) => named.has(p.id));
  return people.length > 0 ? { people } : {};
}

export function readStoredAnswers(
  record: Pick<CaseRecord, 'id' | 'answersCipher'>,
  cipher: PiiCipher,
): StoredAnswers {
  return cipher.decryptJson<StoredAnswers>(record.answersCipher, piiAt.caseAnswers(record.id));
}

/**
 * One answer of a case, as stored: the step's kind and value, so that a reader rebuilds the words in its own
 * language (a choice's option, a school's name, a sum of money); `label` is how the resident saw it when
 * they answered (their language then), kept for what cannot be rebuilt (free text, an old case).
 */
export interface DescribedAnswer {
  stepId: string;
  kind: ServiceStep['kind'] | 'unknown';
  value: string | null;
  label: string;
  files: FileRef[];
  /** For a person step: who, from the case's snapshot. */
  person?: PersonSnapshot;
}

/**
 * A case's answers, decrypted, in the catalogue's order of steps. Anonymous cases never carry the
 * resident's identity in their answers (the suggestion form asks none), and the resident link itself is
 * not part of this view.
 */
export function describeAnswers(
  record: Pick<CaseRecord, 'id' | 'answersCipher' | 'serviceCode'>,
  cipher: PiiCipher,
  catalogue: Catalogue,
): DescribedAnswer[] {
  const stored = readStoredAnswers(record, cipher);
  return describeStored(stored, catalogue.version(record.serviceCode, stored.definition?.hash));
}

export function describeStored(
  stored: StoredAnswers,
  service: ServiceDefinition | undefined,
): DescribedAnswer[] {
  const order = service?.steps.map((s) => s.id) ?? Object.keys(stored.answers);
  return order.flatMap((id) => {
    const a = stored.answers[id];
    if (a === undefined) return [];
    const step = service?.steps.find((s) => s.id === id);
    const person = step?.kind === 'person' ? stored.people?.find((p) => p.id === a.value) : undefined;
    return [
      {
        stepId: id,
        kind: step?.kind ?? 'unknown',
        value: a.value,
        label: a.label,
        files: a.files ?? [],
        ...(person ? { person } : {}),
      },
    ];
  });
}
