// What several repositories share: how date-only columns and bytes cross to Prisma, the selection of a
// resident's own fields (personal ones still ciphertext), and the status changes the system itself makes.
import type { CaseStatus } from '../../domain/case-status.ts';
import type { Prisma } from '../generated/client.ts';

/** A date-only column ("2026-11-23") is stored as that day's midnight UTC. */
export const toDate = (isoDate: string) => new Date(`${isoDate}T00:00:00Z`);
export const fromDate = (d: Date) => d.toISOString().slice(0, 10);
/** Prisma takes a plain Uint8Array (not a Buffer view of a larger one). */
export const bytes = (b: Uint8Array) => new Uint8Array(b);

/** A resident's own fields, as the household file and the copy of one's data read them. */
export const RESIDENT_SELECT = {
  id: true,
  name: true,
  phoneCipher: true,
  idNumberCipher: true,
  birthDate: true,
  sex: true,
  employmentStatus: true,
} as const;

/** A household member's own fields, as the household file and the copy of one's data read them. */
export const MEMBER_SELECT = {
  id: true,
  name: true,
  relation: true,
  sex: true,
  birthDate: true,
  idNumberCipher: true,
  employmentStatus: true,
} as const;

/** A household's members, eldest first, then in the order they were added. */
export const MEMBER_ORDER: Prisma.HouseholdMemberOrderByWithRelationInput[] = [
  { birthDate: 'asc' },
  { createdAt: 'asc' },
];

/**
 * A change of status the system makes, not a person (closing answered cases, withdrawing an erased
 * person's open cases): the case's new status, with `data` beside it, and its event, in `tx`.
 */
export async function systemTransition(
  tx: Prisma.TransactionClient,
  c: { id: string; status: CaseStatus },
  change: {
    to: CaseStatus;
    kind: string;
    at?: Date;
    visibleToResident?: boolean;
    data?: Prisma.CaseUncheckedUpdateInput;
  },
): Promise<void> {
  await tx.case.update({ where: { id: c.id }, data: { ...change.data, status: change.to } });
  await tx.caseEvent.create({
    data: {
      caseId: c.id,
      actorKind: 'system',
      kind: change.kind,
      fromStatus: c.status,
      toStatus: change.to,
      at: change.at,
      visibleToResident: change.visibleToResident,
    },
  });
}
