// Households, their registered resident and the other members. Personal fields arrive already encrypted
// (ciphertext + keyed hash); this repository never sees a plaintext ID number or phone.
import type { NewAudit } from '../../app/case-store.ts';
import type {
  HouseholdRecord,
  HouseholdStore,
  MemberData,
  NewConflict,
  NewHousehold,
  ResidentHousehold,
} from '../../app/households.ts';
import type { Db } from '../client.ts';
import { writeAudit } from './cases.ts';
import { bytes, fromDate, MEMBER_ORDER, MEMBER_SELECT, RESIDENT_SELECT, toDate } from './shared.ts';

type CreateHouseholdResult = Awaited<ReturnType<HouseholdStore['create']>>;

/** A member's columns, as both adding and editing write them. */
function memberColumns(member: MemberData) {
  return {
    name: member.name,
    relation: member.relation,
    sex: member.sex,
    birthDate: toDate(member.birthDate),
    idNumberCipher: member.idNumberCipher ? bytes(member.idNumberCipher) : null,
    idNumberHash: member.idNumberHash ? bytes(member.idNumberHash) : null,
  };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

export function createHouseholdRepository(db: Db): HouseholdStore {
  async function classifyConflict(telegramId: number | null, idNumberHashes: Uint8Array[]) {
    const byTelegram =
      telegramId === null ? 0 : await db.resident.count({ where: { telegramId: BigInt(telegramId) } });
    if (byTelegram > 0) return 'already_registered' as const;
    const byId = await db.resident.count({ where: { idNumberHash: { in: idNumberHashes.map(bytes) } } });
    return byId > 0 ? ('id_in_use' as const) : null;
  }

  /** A resident's household file, found by their Telegram id or their resident id. */
  async function findResident(
    where: { telegramId: bigint } | { id: string },
  ): Promise<HouseholdRecord | null> {
    const resident = await db.resident.findUnique({
      where,
      select: {
        ...RESIDENT_SELECT,
        household: {
          select: {
            id: true,
            unit: true,
            room: true,
            community: { select: { code: true, nameZh: true, nameEn: true, districtCode: true } },
            building: { select: { code: true, nameZh: true, nameEn: true } },
            members: { select: MEMBER_SELECT, orderBy: MEMBER_ORDER },
          },
        },
      },
    });
    if (!resident) return null;
    const { household: h, ...own } = resident;
    return {
      ...h,
      resident: { ...own, birthDate: fromDate(own.birthDate) },
      members: h.members.map((m) => ({ ...m, birthDate: fromDate(m.birthDate) })),
    };
  }

  return {
    async findByTelegramId(telegramId: number): Promise<HouseholdRecord | null> {
      return findResident({ telegramId: BigInt(telegramId) });
    },

    async findByResidentId(residentId: string): Promise<ResidentHousehold | null> {
      const household = await findResident({ id: residentId });
      if (!household) return null;
      const row = await db.resident.findUnique({ where: { id: residentId }, select: { telegramId: true } });
      return row ? { household, telegramId: row.telegramId } : null;
    },

    async create(input: NewHousehold): Promise<CreateHouseholdResult> {
      const conflict = await classifyConflict(input.telegramId, input.resident.idNumberHashes);
      if (conflict) return { ok: false, error: conflict };
      try {
        return await db.$transaction(async (tx) => {
          const household = await tx.household.create({
            data: {
              communityCode: input.communityCode,
              buildingId: input.buildingId,
              unit: input.unit,
              room: input.room,
            },
            select: { id: true },
          });
          const r = input.resident;
          const resident = await tx.resident.create({
            data: {
              id: input.resident.id,
              telegramId: input.telegramId === null ? null : BigInt(input.telegramId),
              householdId: household.id,
              name: r.name,
              phoneCipher: bytes(r.phoneCipher),
              phoneHash: bytes(r.phoneHash),
              idNumberCipher: bytes(r.idNumberCipher),
              idNumberHash: bytes(r.idNumberHash),
              birthDate: toDate(r.birthDate),
              sex: r.sex,
              consentVersion: r.consentVersion,
              consentAt: r.consentAt,
              consentRecordedBy:
                r.consentRecordedBy === undefined || r.consentRecordedBy === null
                  ? null
                  : BigInt(r.consentRecordedBy),
            },
            select: { id: true },
          });
          return { ok: true as const, householdId: household.id, residentId: resident.id };
        });
      } catch (err) {
        // Lost a race with a concurrent registration: report it the same way as the pre-check would.
        if (isUniqueViolation(err)) {
          const again = await classifyConflict(input.telegramId, input.resident.idNumberHashes);
          if (again) return { ok: false, error: again };
        }
        throw err;
      }
    },

    async attachTelegram(idNumberHashes, name, telegramId, consent, audit) {
      return db.$transaction(async (tx) => {
        const resident = await tx.resident.findFirst({
          where: { idNumberHash: { in: idNumberHashes.map(bytes) }, telegramId: null, name },
          select: { id: true, householdId: true },
        });
        if (!resident) return null;
        const { count } = await tx.resident.updateMany({
          where: { id: resident.id, telegramId: null },
          data: {
            telegramId: BigInt(telegramId),
            consentVersion: consent.version,
            consentAt: consent.at,
            consentRecordedBy: null,
          },
        });
        if (count !== 1) return null;
        // Their cases filed at the window: from now on told through Telegram (not anonymised ones).
        await tx.case.updateMany({
          where: { residentId: resident.id, telegramId: null, anonymisedAt: null },
          data: { telegramId: BigInt(telegramId) },
        });
        await writeAudit(tx, null, { ...audit, subject: `resident:${resident.id}` });
        return { householdId: resident.householdId, residentId: resident.id };
      });
    },

    /** Returns false when the same person (by ID number) is already in this household. */
    async addMember(
      householdId: string,
      member: MemberData,
    ): Promise<{ ok: true; id: string } | { ok: false }> {
      try {
        const row = await db.householdMember.create({
          data: { id: member.id, householdId, ...memberColumns(member) },
          select: { id: true },
        });
        return { ok: true, id: row.id };
      } catch (err) {
        if (isUniqueViolation(err)) return { ok: false };
        throw err;
      }
    },

    /** Updates a member of this household only; 'not_found' for anyone else's. */
    async updateMember(
      householdId: string,
      memberId: string,
      member: MemberData,
    ): Promise<'updated' | 'not_found' | 'duplicate'> {
      try {
        const { count } = await db.householdMember.updateMany({
          where: { id: memberId, householdId },
          data: memberColumns(member),
        });
        return count === 1 ? 'updated' : 'not_found';
      } catch (err) {
        if (isUniqueViolation(err)) return 'duplicate';
        throw err;
      }
    },

    async removeMember(householdId: string, memberId: string): Promise<boolean> {
      const { count } = await db.householdMember.deleteMany({ where: { id: memberId, householdId } });
      return count === 1;
    },

    async idHashBelongsToResident(idNumberHashes: Uint8Array[]): Promise<boolean> {
      return (await db.resident.count({ where: { idNumberHash: { in: idNumberHashes.map(bytes) } } })) > 0;
    },

    async setEmployment(person, status, { caseId, ...audit }): Promise<boolean> {
      return db.$transaction(async (tx) => {
        const where = { id: person.id };
        const data = { employmentStatus: status };
        const { count } =
          person.kind === 'resident'
            ? await tx.resident.updateMany({ where, data })
            : await tx.householdMember.updateMany({ where, data });
        if (count !== 1) return false;
        await writeAudit(tx, caseId ?? null, audit);
        return true;
      });
    },

    async recordConflict(conflict: NewConflict, audit: NewAudit): Promise<string> {
      return db.$transaction(async (tx) => {
        const data = {
          createdAt: new Date(),
          idNumberHash: bytes(conflict.idNumberHash),
          communityCode: conflict.communityCode,
          registrationCipher: bytes(conflict.registrationCipher),
        };
        const row = await tx.registrationConflict.upsert({
          where: { telegramId: BigInt(conflict.telegramId) },
          create: { telegramId: BigInt(conflict.telegramId), ...data },
          update: data,
          select: { id: true },
        });
        await writeAudit(tx, null, { ...audit, subject: `conflict:${row.id}` });
        return row.id;
      });
    },
  };
}
