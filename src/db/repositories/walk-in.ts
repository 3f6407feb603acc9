// Residents registered at the window (the household file itself is written by households.ts) and the "to
// tell" items of residents without Telegram (resident_tell). Personal fields stay ciphertext here.
import type { TellRow, TellStore } from '../../app/resident-tell.ts';
import type { WalkInStore } from '../../app/walk-in.ts';
import type { Db } from '../client.ts';
import type { Prisma } from '../generated/client.ts';
import { writeAudit } from './cases.ts';
import { bytes } from './shared.ts';

const TELL_SELECT = {
  id: true,
  kind: true,
  params: true,
  eventId: true,
  createdAt: true,
  case: { select: { id: true, number: true, serviceCode: true, departmentCode: true } },
  resident: {
    select: { id: true, name: true, phoneCipher: true, household: { select: { communityCode: true } } },
  },
} as const;

type TellSelected = Prisma.ResidentTellGetPayload<{ select: typeof TELL_SELECT }>;

const toRow = (t: TellSelected): TellRow => ({
  id: t.id,
  kind: t.kind,
  params: (t.params ?? {}) as Record<string, unknown>,
  eventId: t.eventId,
  createdAt: t.createdAt,
  case: t.case,
  resident: {
    id: t.resident.id,
    name: t.resident.name,
    phoneCipher: t.resident.phoneCipher,
    communityCode: t.resident.household.communityCode,
  },
});

export function createWalkInRepository(db: Db): WalkInStore & TellStore {
  return {
    async householdOfIdNumber(idNumberHashes) {
      const r = await db.resident.findFirst({
        where: { idNumberHash: { in: idNumberHashes.map(bytes) } },
        select: { householdId: true },
      });
      return r?.householdId ?? null;
    },

    async open(filter, limit) {
      const or: Prisma.ResidentTellWhereInput[] = [];
      if (filter.departmentCode) or.push({ case: { departmentCode: filter.departmentCode } });
      if (filter.communityCode) or.push({ resident: { household: { communityCode: filter.communityCode } } });
      const all = !filter.departmentCode && !filter.communityCode;
      const rows = await db.residentTell.findMany({
        where: { toldAt: null, case: { anonymisedAt: null }, ...(all ? {} : { OR: or }) },
        select: TELL_SELECT,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
      });
      return rows.map(toRow);
    },

    async openOfCase(caseId) {
      const rows = await db.residentTell.findMany({
        where: { caseId, toldAt: null, case: { anonymisedAt: null } },
        select: TELL_SELECT,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      return rows.map(toRow);
    },

    async byId(id) {
      const row = await db.residentTell.findUnique({ where: { id }, select: TELL_SELECT });
      return row ? toRow(row) : null;
    },

    async markTold(id, told, { caseId, ...audit }) {
      return db.$transaction(async (tx) => {
        const { count } = await tx.residentTell.updateMany({
          where: { id, toldAt: null },
          data: { toldAt: told.at, toldBy: BigInt(told.by), toldHow: told.how },
        });
        if (count !== 1) return false;
        await writeAudit(tx, caseId, { ...audit, detail: audit.detail as Record<string, unknown> });
        return true;
      });
    },

    async eventNote(caseId, eventId) {
      const e = await db.caseEvent.findFirst({
        where: { id: eventId, caseId },
        select: { noteCipher: true },
      });
      return e?.noteCipher ?? null;
    },
  };
}
