// Repositories and the household use cases against a real PostgreSQL (a fresh database for this file).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHouseholdService } from '../../src/app/households.ts';
import { createPiiCipher, piiAt } from '../../src/app/pii-cipher.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { loadReferenceData, type ReferenceData, readReferenceData } from '../../src/db/reference-data.ts';
import { createConversationStateRepository } from '../../src/db/repositories/conversation-state.ts';
import { createHouseholdRepository } from '../../src/db/repositories/households.ts';
import { createReferenceRepository } from '../../src/db/repositories/reference.ts';
import { createTelegramUserRepository } from '../../src/db/repositories/telegram-users.ts';
import { REFERENCE_FILE } from '../support/bot-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { adultMan, adultWoman, child, makeIdNumber } from '../support/fixtures.ts';

let database: TestDatabase;
let db: Db;
let reference: ReferenceData;
const cipher = createPiiCipher(Buffer.alloc(32, 3));

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { poolSize: 8 });
  reference = await readReferenceData(REFERENCE_FILE);
});
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

describe('reference data', () => {
  it('loads the demo set, and loading it twice changes nothing', async () => {
    const first = await loadReferenceData(db, reference);
    const counts = async () => ({
      districts: await db.district.count(),
      communities: await db.community.count(),
      buildings: await db.building.count(),
      departments: await db.department.count(),
      services: await db.service.count(),
      hospitals: await db.hospital.count(),
      schools: await db.school.count(),
      calendarDays: await db.calendarDay.count(),
      serviceCentres: await db.serviceCentre.count(),
      courses: await db.course.count(),
    });
    const afterFirst = await counts();
    expect(afterFirst).toEqual(first);
    const buildingIds = (await db.building.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map(
      (b) => b.id,
    );
    await loadReferenceData(db, reference);
    expect(await counts()).toEqual(afterFirst);
    // Buildings keep their ids (households point at them).
    const again = (await db.building.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map(
      (b) => b.id,
    );
    expect(again).toEqual(buildingIds);
    expect(afterFirst.departments).toBe(18);
    expect(afterFirst.courses).toBe(6);
    expect(afterFirst.calendarDays).toBeGreaterThan(30);
  });

  it('deactivates what disappeared from the file instead of deleting it, and updates names in place', async () => {
    const edited: ReferenceData = structuredClone(reference);
    const wangjia = edited.communities.find((c) => c.code === 'wanshan-wangjia');
    if (!wangjia) throw new Error('demo data changed');
    wangjia.nameZh = '旺家社区（新）';
    wangjia.buildings = wangjia.buildings.filter((b) => b.code !== '36');
    edited.communities = edited.communities.filter((c) => c.code !== 'songtao-shichang');
    await loadReferenceData(db, edited);
    const repo = createReferenceRepository(db);
    const communities = await repo.listCommunities();
    expect(communities.map((c) => c.code)).not.toContain('songtao-shichang');
    expect(communities.find((c) => c.code === 'wanshan-wangjia')?.nameZh).toBe('旺家社区（新）');
    expect(await db.community.findUnique({ where: { code: 'songtao-shichang' } })).toMatchObject({
      active: false,
    });
    const buildings = await repo.listBuildings('wanshan-wangjia');
    expect(buildings).toHaveLength(35);
    expect(buildings.map((b) => b.code).slice(0, 3)).toEqual(['1', '2', '3']); // numeric order, not "1, 10, 11"
    await loadReferenceData(db, reference);
    // The lists are kept for a while; a reload through the bot forgets them (compose's reloadReferenceData).
    expect(await repo.listBuildings('wanshan-wangjia')).toHaveLength(35);
    repo.invalidate();
    expect(await repo.listBuildings('wanshan-wangjia')).toHaveLength(36);
  });

  it('keeps the lists a form offers for a while, then reads them again', async () => {
    let clock = 1_000_000;
    const repo = createReferenceRepository(db, { cacheMs: 60_000, now: () => clock });
    const first = await repo.listBuildings('wanshan-wangjia');
    const building = first[0];
    if (!building) throw new Error('no buildings');
    await db.building.update({ where: { id: building.id }, data: { active: false } });
    try {
      expect(await repo.listBuildings('wanshan-wangjia')).toBe(first);
      clock += 59_000;
      expect(await repo.listBuildings('wanshan-wangjia')).toHaveLength(first.length);
      clock += 2_000;
      expect(await repo.listBuildings('wanshan-wangjia')).toHaveLength(first.length - 1);
    } finally {
      await db.building.update({ where: { id: building.id }, data: { active: true } });
    }
    const none = createReferenceRepository(db, { cacheMs: 0 });
    expect(await none.listBuildings('wanshan-wangjia')).toHaveLength(first.length);
  });

  it('reports every problem in a broken file by path', async () => {
    const { writeFile, mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'ref-'));
    const file = path.join(dir, 'bad.json');
    const broken = structuredClone(reference) as unknown as Record<string, unknown[]>;
    (broken.communities as { district: string }[])[0] = {
      ...(broken.communities?.[0] as object),
      district: 'atlantis',
    } as { district: string };
    (broken.schools as { stage: string }[])[0] = { ...(broken.schools?.[0] as object), stage: 'college' } as {
      stage: string;
    };
    await writeFile(file, JSON.stringify(broken));
    await expect(readReferenceData(file)).rejects.toThrow(
      /schools\.0\.stage[\s\S]*atlantis|atlantis[\s\S]*schools\.0\.stage/,
    );
  });
});

describe('personal data at rest', () => {
  const service = () =>
    createHouseholdService({
      store: createHouseholdRepository(db),
      reference: createReferenceRepository(db),
      cipher,
      now: () => new Date('2026-11-23T04:00:00Z'),
    });

  async function building() {
    const b = await db.building.findFirstOrThrow({ where: { communityCode: 'bijiang-aitun', code: '2' } });
    return { communityCode: 'bijiang-aitun', buildingId: b.id, unit: '1' };
  }

  it('stores ID numbers and phones only as ciphertext, finds them by keyed hash, and decrypts them back', async () => {
    await createTelegramUserRepository(db).touch(7001, 7001, 'zh-hans');
    const r = await service().register(7001, {
      ...(await building()),
      room: '201',
      name: adultMan.name,
      phone: adultMan.phone,
      idNumber: adultMan.idNumber,
      consent: true,
    });
    expect(r.ok).toBe(true);
    const raw = await db.$queryRawUnsafe<{ dump: string }[]>(
      `select r::text as dump from resident r where telegram_id = 7001`,
    );
    expect(raw[0]?.dump).not.toContain(adultMan.idNumber);
    expect(raw[0]?.dump).not.toContain(adultMan.phone);
    const found = await db.resident.findUnique({
      where: { idNumberHash: new Uint8Array(cipher.hash(adultMan.idNumber)) },
    });
    expect(found?.telegramId).toBe(7001n);
    expect(cipher.decrypt(found?.idNumberCipher as Uint8Array, piiAt.residentIdNumber(found?.id ?? ''))).toBe(
      adultMan.idNumber,
    );
    // Under another key, the same number hashes differently: the hash is not a plain digest.
    expect(createPiiCipher(Buffer.alloc(32, 4)).hash(adultMan.idNumber)).not.toEqual(
      cipher.hash(adultMan.idNumber),
    );

    const view = await service().getHousehold(7001);
    expect(view?.resident.idNumberMasked).toBe(`522${'*'.repeat(13)}${adultMan.idNumber.slice(-2)}`);
    expect(view?.resident.phoneMasked).toBe('138****0001');
  });

  it('checks every answer again in the use case, whatever the front end sent', async () => {
    await createTelegramUserRepository(db).touch(7002, 7002, 'zh-hans');
    const base = {
      ...(await building()),
      room: '202',
      name: adultWoman.name,
      phone: adultWoman.phone,
      idNumber: adultWoman.idNumber,
      consent: true,
    };
    const s = service();
    expect(await s.register(7002, { ...base, consent: false })).toEqual({ ok: false, error: 'no_consent' });
    const badCheck = adultWoman.idNumber.slice(0, 17) + (adultWoman.idNumber.endsWith('0') ? '1' : '0');
    expect(await s.register(7002, { ...base, idNumber: badCheck })).toEqual({ ok: false, error: 'invalid' });
    expect(await s.register(7002, { ...base, phone: '12345' })).toEqual({ ok: false, error: 'invalid' });
    expect(await s.register(7002, { ...base, unit: '9' })).toEqual({ ok: false, error: 'unknown_building' });
    expect(await s.register(7002, { ...base, communityCode: 'wanshan-wangjia' })).toEqual({
      ok: false,
      error: 'unknown_building',
    });
    expect(await s.register(7002, { ...base, name: 'x'.repeat(10_000) })).toEqual({
      ok: false,
      error: 'invalid',
    });
    expect(await s.register(7002, null)).toEqual({ ok: false, error: 'invalid' });
    expect(await db.resident.count({ where: { telegramId: 7002n } })).toBe(0);
    expect((await s.register(7002, base)).ok).toBe(true);
    expect(await s.register(7002, base)).toEqual({ ok: false, error: 'already_registered' });
  });

  it('two accounts registering the same ID number at the same moment: exactly one wins', async () => {
    const users = [7101, 7102, 7103, 7104];
    const repo = createTelegramUserRepository(db);
    for (const id of users) await repo.touch(id, id, 'zh-hans');
    const idNumber = makeIdNumber({ birthDate: '1988-08-18', seq: 808 });
    const b = await building();
    const results = await Promise.all(
      users.map((id) =>
        service().register(id, {
          ...b,
          room: '303',
          name: '并发',
          phone: '13800000303',
          idNumber,
          consent: true,
        }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    // The others wait for the window's ID-card check (a registration conflict each).
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error)).toEqual([
      'needs_check',
      'needs_check',
      'needs_check',
    ]);
    expect(await db.registrationConflict.count({ where: { telegramId: { in: users.map(BigInt) } } })).toBe(3);
    expect(await db.resident.count({ where: { idNumberHash: new Uint8Array(cipher.hash(idNumber)) } })).toBe(
      1,
    );
  });

  it('members: add, update, remove only within one\u2019s own household', async () => {
    const s = service();
    const added = await s.addMember(7001, {
      name: child.name,
      relation: 'child',
      sex: 'male',
      birthDate: child.birthDate,
      idNumber: null,
    });
    expect(added.ok).toBe(true);
    const memberId = added.ok ? added.value.memberId : '';
    expect(
      await s.updateMember(7002, memberId, {
        name: '别人',
        relation: 'child',
        sex: 'male',
        birthDate: child.birthDate,
        idNumber: null,
      }),
    ).toEqual({
      ok: false,
      error: 'not_found',
    });
    expect(await s.removeMember(7002, memberId)).toEqual({ ok: false, error: 'not_found' });
    expect(await s.removeMember(7001, 'not-a-uuid')).toEqual({ ok: false, error: 'not_found' });
    expect(
      await s.addMember(7001, {
        name: '成年人',
        relation: 'sibling',
        sex: 'male',
        birthDate: '1990-01-01',
        idNumber: null,
      }),
    ).toEqual({ ok: false, error: 'id_required' });
    expect(
      await s.addMember(7001, {
        name: '对不上',
        relation: 'sibling',
        birthDate: '1990-01-01',
        idNumber: makeIdNumber({ birthDate: '1991-01-01' }),
      }),
    ).toEqual({ ok: false, error: 'birth_date_mismatch' });
    const sibling = makeIdNumber({ birthDate: '1990-01-01', seq: 321 });
    expect(
      (
        await s.addMember(7001, {
          name: '周弟',
          relation: 'sibling',
          birthDate: '1990-01-01',
          idNumber: sibling,
        })
      ).ok,
    ).toBe(true);
    expect(
      await s.addMember(7001, {
        name: '周弟',
        relation: 'sibling',
        birthDate: '1990-01-01',
        idNumber: sibling,
      }),
    ).toEqual({
      ok: false,
      error: 'duplicate',
    });
    expect(
      (
        await s.updateMember(7001, memberId, {
          name: '周小宝',
          relation: 'child',
          sex: 'male',
          birthDate: child.birthDate,
          idNumber: null,
        })
      ).ok,
    ).toBe(true);
    const view = await s.getHousehold(7001);
    expect(view?.members.map((m) => m.name).sort()).toEqual(['周小宝', '周弟'].sort());
    expect(view?.members.find((m) => m.name === '周弟')?.idNumberMasked).toMatch(/^522\*+[\dX]{2}$/);
    expect((await s.removeMember(7001, memberId)).ok).toBe(true);
    expect((await s.getHousehold(7001))?.members).toHaveLength(1);
  });
});

describe('telegram users and conversation state', () => {
  it('remembers the language a user chose, and whether they registered', async () => {
    const users = createTelegramUserRepository(db);
    expect(await users.touch(8001, 8001, 'en')).toEqual({ locale: null, registered: false });
    await users.setLocale(8001, 'zh-CN');
    expect(await users.touch(8001, 8001, 'en')).toEqual({ locale: 'zh-CN', registered: false });
    expect((await users.touch(7001, 7001, 'zh')).registered).toBe(true);
  });

  it('stores, replaces, deletes and sweeps conversation state', async () => {
    const states = createConversationStateRepository(db);
    await states.write('42', new Uint8Array([1, 2, 3]));
    await states.write('42', new Uint8Array([4, 5]));
    expect(Array.from((await states.read('42')) ?? [])).toEqual([4, 5]);
    await states.delete('42');
    expect(await states.read('42')).toBeUndefined();
    await states.write('43', new Uint8Array([9]));
    expect(await states.deleteOlderThan(new Date(Date.now() - 60_000))).toBe(0);
    expect(await states.deleteOlderThan(new Date(Date.now() + 60_000))).toBe(1);
  });
});
