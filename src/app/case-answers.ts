// A case's answers as they cross the use cases: the shape a front end must send (checked with zod before
// the catalogue's own rules, src/domain/case-rules.ts, are applied), the files they carry as attachments,
// the household as the form sees it, and the answers read back for staff.
import { z } from 'zod';
import type { Catalogue, FileRef, ServiceAnswers, StepContext } from '../domain/catalogue/index.ts';
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

/** Everyone of the household the forms may name: the resident first. */
export function householdPeople(h: HouseholdRecord): StepContext['people'] {
  return [
    { id: h.resident.id, name: h.resident.name, birthDate: h.resident.birthDate, self: true },
    ...h.members.map((m) => ({ id: m.id, name: m.name, birthDate: m.birthDate, self: false })),
  ];
}

/**
 * A case's answers for staff: each step's shown label and files, decrypted. Anonymous cases never carry
 * the resident's identity in their answers (the suggestion form asks none), and the resident link itself is
 * not part of this view.
 */
export function describeAnswers(
  record: Pick<CaseRecord, 'id' | 'answersCipher' | 'serviceCode'>,
  cipher: PiiCipher,
  catalogue: Catalogue,
): { stepId: string; label: string; files: FileRef[] }[] {
  const stored = cipher.decryptJson<{ v: number; answers: ServiceAnswers }>(
    record.answersCipher,
    piiAt.caseAnswers(record.id),
  );
  const order = catalogue.get(record.serviceCode)?.steps.map((s) => s.id) ?? Object.keys(stored.answers);
  return order
    .filter((id) => stored.answers[id] !== undefined)
    .map((id) => ({
      stepId: id,
      label: stored.answers[id]?.label ?? '',
      files: stored.answers[id]?.files ?? [],
    }));
}
