// The console's search, household file and audit-log reads (src/app/console/lookup-ports.ts). Personal
// fields leave as ciphertexts; ID numbers and phones are found by their keyed hashes (indexed).
import type {
  AuditFilter,
  AuditRow,
  CaseRow,
  HouseholdPersonRow,
  HouseholdPlaceRow,
  LookupStore,
  NameScope,
  NoticeRow,
  PersonRow,
} from '../../app/console/lookup-ports.ts';
import type { Db } from '../client.ts';
import type { Prisma } from '../generated/client.ts';
import { bytes, fromDate, MEMBER_ORDER } from './shared.ts';

const NAMED = { select: { code: true, nameZh: true, nameEn: true } } as const;

const CASE_SELECT = {
  id: true,
  number: true,
  serviceCode: true,
  status: true,
  submittedAt: true,
  anonymous: true,
  department: NAMED,
  resident: { select: { householdId: true, household: { select: { communityCode: true } } } },
} as const;

type CaseSelected = Prisma.CaseGetPayload<{ select: typeof CASE_SELECT }>;

const toCaseRow = (c: CaseSelected): CaseRow => ({
  id: c.id,
  number: c.number,
  serviceCode: c.serviceCode,
  status: c.status,
  department: c.department,
  submittedAt: c.submittedAt,
  // An anonymous suggestion is nobody's: never tied to a household here (the staff card hides its resident too).
  householdId: c.anonymous ? null : (c.resident?.householdId ?? null),
  communityCode: c.anonymous ? null : (c.resident?.household.communityCode ?? null),
});

const RESIDENT_PERSON = {
  id: true,
  householdId: true,
  name: true,
  birthDate: true,
  idNumberCipher: true,
  phoneCipher: true,
} as const;
const MEMBER_PERSON = {
  id: true,
  householdId: true,
  name: true,
  relation: true,
  birthDate: true,
  idNumberCipher: true,
} as const;

type ResidentPerson = Prisma.ResidentGetPayload<{ select: typeof RESIDENT_PERSON }>;
type MemberPerson = Prisma.HouseholdMemberGetPayload<{ select: typeof MEMBER_PERSON }>;

const residentRow = (r: ResidentPerson): PersonRow => ({
  kind: 'resident',
  id: r.id,
  householdId: r.householdId,
  name: r.name,
  relation: null,
  birthDate: fromDate(r.birthDate),
  idNumberCipher: r.idNumberCipher,
  phoneCipher: r.phoneCipher,
});
const memberRow = (m: MemberPerson): PersonRow => ({
  kind: 'member',
  id: m.id,
  householdId: m.householdId,
  name: m.name,
  relation: m.relation,
  birthDate: fromDate(m.birthDate),
  idNumberCipher: m.idNumberCipher,
  phoneCipher: null,
});

/** Households the name search may reach: of the community, or with a case of the department. */
function householdScope(scope: NameScope): Prisma.HouseholdWhereInput | null {
  if (scope.all) return null;
  const or: Prisma.HouseholdWhereInput[] = [];
  if (scope.communityCode) or.push({ communityCode: scope.communityCode });
  if (scope.departmentCode)
    or.push({
      residents: { some: { cases: { some: { departmentCode: scope.departmentCode, anonymous: false } } } },
    });
  return { OR: or.length > 0 ? or : [{ id: { in: [] } }] };
}

export function createConsoleLookupRepository(db: Db): LookupStore {
  return {
    async peopleByIdHash(hashes: Uint8Array[]): Promise<PersonRow[]> {
      const list = hashes.map(bytes);
      const [residents, members] = await Promise.all([
        db.resident.findMany({ where: { idNumberHash: { in: list } }, select: RESIDENT_PERSON }),
        db.householdMember.findMany({ where: { idNumberHash: { in: list } }, select: MEMBER_PERSON }),
      ]);
      return [...residents.map(residentRow), ...members.map(memberRow)];
    },

    async peopleByPhoneHash(hashes: Uint8Array[]): Promise<PersonRow[]> {
      const rows = await db.resident.findMany({
        where: { phoneHash: { in: hashes.map(bytes) } },
        select: RESIDENT_PERSON,
        take: 50,
      });
      return rows.map(residentRow);
    },

    async peopleByName(prefix: string, scope: NameScope, limit: number): Promise<PersonRow[]> {
      const within = householdScope(scope);
      const where = {
        name: { startsWith: prefix, mode: 'insensitive' as const },
        ...(within ? { household: within } : {}),
      };
      const [residents, members] = await Promise.all([
        db.resident.findMany({
          where,
          select: RESIDENT_PERSON,
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
          take: limit,
        }),
        db.householdMember.findMany({
          where,
          select: MEMBER_PERSON,
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
          take: limit,
        }),
      ]);
      return [...residents.map(residentRow), ...members.map(memberRow)].slice(0, limit);
    },

    async caseByNumber(number: string): Promise<CaseRow | null> {
      const c = await db.case.findUnique({ where: { number }, select: CASE_SELECT });
      return c ? toCaseRow(c) : null;
    },

    async casesOfHouseholds(householdIds: string[], limit: number): Promise<CaseRow[]> {
      if (householdIds.length === 0) return [];
      const rows = await db.case.findMany({
        where: { resident: { householdId: { in: householdIds } }, anonymous: false },
        select: CASE_SELECT,
        orderBy: [{ submittedAt: 'desc' }, { id: 'asc' }],
        take: limit,
      });
      return rows.map(toCaseRow);
    },

    async places(householdIds: string[]): Promise<HouseholdPlaceRow[]> {
      if (householdIds.length === 0) return [];
      const rows = await db.household.findMany({
        where: { id: { in: householdIds } },
        select: {
          id: true,
          unit: true,
          room: true,
          community: NAMED,
          building: NAMED,
          residents: {
            select: {
              id: true,
              cases: {
                where: { anonymous: false },
                select: { departmentCode: true },
                distinct: ['departmentCode'],
              },
            },
          },
        },
      });
      return rows.map((h) => ({
        id: h.id,
        community: h.community,
        building: h.building,
        unit: h.unit,
        room: h.room,
        caseDepartments: [...new Set(h.residents.flatMap((r) => r.cases.map((c) => c.departmentCode)))],
        residentIds: h.residents.map((r) => r.id),
      }));
    },

    async people(householdId: string): Promise<HouseholdPersonRow[]> {
      const [residents, members] = await Promise.all([
        db.resident.findMany({
          where: { householdId },
          select: {
            id: true,
            name: true,
            sex: true,
            birthDate: true,
            idNumberCipher: true,
            phoneCipher: true,
            telegramId: true,
          },
          orderBy: { createdAt: 'asc' },
        }),
        db.householdMember.findMany({
          where: { householdId },
          select: { id: true, name: true, relation: true, sex: true, birthDate: true, idNumberCipher: true },
          orderBy: MEMBER_ORDER,
        }),
      ]);
      return [
        ...residents.map((r) => ({
          kind: 'resident' as const,
          id: r.id,
          name: r.name,
          relation: null,
          sex: r.sex,
          birthDate: fromDate(r.birthDate),
          idNumberCipher: r.idNumberCipher,
          phoneCipher: r.phoneCipher,
          telegramId: r.telegramId,
        })),
        ...members.map((m) => ({
          kind: 'member' as const,
          id: m.id,
          name: m.name,
          relation: m.relation,
          sex: m.sex,
          birthDate: fromDate(m.birthDate),
          idNumberCipher: m.idNumberCipher,
          phoneCipher: null,
          telegramId: null,
        })),
      ];
    },

    async noticesTo(telegramIds: bigint[], limit: number): Promise<NoticeRow[]> {
      const rows = await db.noticeDelivery.findMany({
        where: { telegramId: { in: telegramIds }, notice: { status: { not: 'cancelled' } } },
        select: {
          noticeId: true,
          telegramId: true,
          status: true,
          readAt: true,
          sentAt: true,
          nextAttemptAt: true,
          notice: { select: { textZh: true, textEn: true, important: true, scheduledAt: true } },
        },
        orderBy: [{ notice: { scheduledAt: 'desc' } }, { noticeId: 'asc' }],
        take: limit,
      });
      return rows.map((r) => ({
        noticeId: r.noticeId,
        telegramId: r.telegramId,
        at: r.sentAt ?? r.notice.scheduledAt,
        textZh: r.notice.textZh,
        textEn: r.notice.textEn,
        important: r.notice.important,
        status: r.status,
        readAt: r.readAt,
      }));
    },

    async residentsWithoutPhoneHash(afterId: string | null, limit: number) {
      return db.resident.findMany({
        where: { phoneHash: null, ...(afterId ? { id: { gt: afterId } } : {}) },
        select: { id: true, phoneCipher: true },
        orderBy: { id: 'asc' },
        take: limit,
      });
    },

    async setPhoneHash(residentId: string, phoneHash: Uint8Array): Promise<void> {
      await db.resident.updateMany({
        where: { id: residentId, phoneHash: null },
        data: { phoneHash: bytes(phoneHash) },
      });
    },

    async caseIdByNumber(number: string): Promise<string | null> {
      return (await db.case.findUnique({ where: { number }, select: { id: true } }))?.id ?? null;
    },

    async auditRows(filter: AuditFilter, limit: number): Promise<AuditRow[]> {
      const rows = await db.auditLog.findMany({
        where: {
          ...(filter.actorTelegramId !== undefined ? { actorTelegramId: filter.actorTelegramId } : {}),
          ...(filter.caseId ? { caseId: filter.caseId } : {}),
          ...(filter.actionPrefix ? { action: { startsWith: filter.actionPrefix } } : {}),
          ...(filter.beforeId !== undefined ? { id: { lt: filter.beforeId } } : {}),
        },
        orderBy: { id: 'desc' },
        take: limit,
      });
      const caseIds = [...new Set(rows.flatMap((r) => (r.caseId ? [r.caseId] : [])))];
      const numbers = new Map(
        caseIds.length === 0
          ? []
          : (
              await db.case.findMany({ where: { id: { in: caseIds } }, select: { id: true, number: true } })
            ).map((c) => [c.id, c.number]),
      );
      return rows.map((r) => ({
        id: r.id,
        at: r.at,
        actorTelegramId: r.actorTelegramId,
        action: r.action,
        caseId: r.caseId,
        caseNumber: r.caseId ? (numbers.get(r.caseId) ?? null) : null,
        subject: r.subject,
        detail: r.detail,
      }));
    },

    async staffNames(telegramIds: bigint[]): Promise<Map<bigint, string>> {
      if (telegramIds.length === 0) return new Map();
      const rows = await db.staffMember.findMany({
        where: { telegramId: { in: telegramIds }, active: true },
        select: { telegramId: true, displayName: true },
        orderBy: { createdAt: 'asc' },
      });
      const names = new Map<bigint, string>();
      for (const r of rows) if (!names.has(r.telegramId)) names.set(r.telegramId, r.displayName);
      return names;
    },
  };
}
