// Registered residents in bulk, written straight into the tables (thousands in a second), for the notice
// tests and the notice benchmark. Personal fields are random bytes: nothing here is ever decrypted.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client.ts';

export interface SeedResident {
  telegramId: number;
  buildingId: string;
  /** The language chosen with /language (null: none chosen). */
  locale?: 'zh-CN' | 'en' | null;
  /** The Telegram app's language. */
  languageCode?: string | null;
  unreachable?: boolean;
  /** Other people in the household (children …), by birth date YYYY-MM-DD. */
  members?: { birthDate: string }[];
}

export interface Seeded {
  /** telegram id → resident id */
  residentIds: Map<number, string>;
}

const bytes = (n: number) => new Uint8Array(randomBytes(n));

export async function seedResidents(db: Db, communityCode: string, people: SeedResident[]): Promise<Seeded> {
  const residentIds = new Map<number, string>();
  const households = people.map(() => randomUUID());
  for (let start = 0; start < people.length; start += 1000) {
    const slice = people.slice(start, start + 1000);
    const ids = households.slice(start, start + 1000);
    await db.telegramUser.createMany({
      data: slice.map((p) => ({
        telegramId: BigInt(p.telegramId),
        chatId: BigInt(p.telegramId),
        locale: p.locale ?? null,
        languageCode: p.languageCode === undefined ? 'zh-hans' : p.languageCode,
        unreachable: p.unreachable ?? false,
      })),
    });
    await db.household.createMany({
      data: slice.map((p, i) => ({
        id: ids[i] as string,
        communityCode,
        buildingId: p.buildingId,
        unit: '1',
        room: String(101 + ((start + i) % 800)),
      })),
    });
    await db.resident.createMany({
      data: slice.map((p, i) => {
        const id = randomUUID();
        residentIds.set(p.telegramId, id);
        return {
          id,
          telegramId: BigInt(p.telegramId),
          householdId: ids[i] as string,
          name: `居民${p.telegramId}`,
          phoneCipher: bytes(40),
          idNumberCipher: bytes(48),
          idNumberHash: bytes(32),
          birthDate: new Date('1970-01-01T00:00:00Z'),
          sex: 'female' as const,
          consentVersion: 'test',
          consentAt: new Date(),
        };
      }),
    });
    const members = slice.flatMap((p, i) =>
      (p.members ?? []).map((m, j) => ({
        householdId: ids[i] as string,
        name: `家人${j}`,
        relation: 'child' as const,
        sex: 'male' as const,
        birthDate: new Date(`${m.birthDate}T00:00:00Z`),
      })),
    );
    if (members.length > 0) await db.householdMember.createMany({ data: members });
  }
  return { residentIds };
}

/** The community's buildings in the order people count them ("1", "2", … "10"). */
export async function buildingsOf(db: Db, communityCode: string): Promise<{ id: string; code: string }[]> {
  const rows = await db.building.findMany({ where: { communityCode }, select: { id: true, code: true } });
  return rows.sort((a, b) => a.code.localeCompare(b.code, 'zh-CN', { numeric: true }));
}

/** A community worker of `communityCode` (what an invite code and /join create). */
export async function addWorker(
  db: Db,
  telegramId: number,
  communityCode: string,
  opts: { active?: boolean } = {},
): Promise<string> {
  const row = await db.staffMember.create({
    data: {
      telegramId: BigInt(telegramId),
      role: 'worker',
      communityCode,
      displayName: `工作人员${telegramId}`,
      active: opts.active ?? true,
      removedAt: opts.active === false ? new Date() : null,
    },
    select: { id: true },
  });
  return row.id;
}
