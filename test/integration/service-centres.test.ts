// Community service centres in the reference data: checked when the file is read (times, lunch inside the
// hours, communities that exist and are served once), loaded idempotently, linked to their communities, and
// read back by the use case with whether they are open now.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceService } from '../../src/app/reference.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { loadReferenceData, type ReferenceData, readReferenceData } from '../../src/db/reference-data.ts';
import { createReferenceRepository } from '../../src/db/repositories/reference.ts';
import { createRoutingRepository } from '../../src/db/repositories/routing.ts';
import { REFERENCE_FILE } from '../support/bot-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let database: TestDatabase;
let db: Db;
let reference: ReferenceData;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { poolSize: 4 });
  reference = await readReferenceData(REFERENCE_FILE);
});
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

/** Writes `data` to a file and reads it back through the checks; resolves to the problems reported. */
async function problemsOf(data: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'centres-'));
  const file = path.join(dir, 'reference.json');
  await writeFile(file, JSON.stringify(data));
  try {
    await readReferenceData(file);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

describe('service centres in the reference file', () => {
  it('the demo file lists a centre for every community, each served once', () => {
    const served = reference.serviceCentres.flatMap((c) => c.communities);
    expect([...served].sort()).toEqual(reference.communities.map((c) => c.code).sort());
    for (const centre of reference.serviceCentres) {
      expect(centre.phone).toMatch(/^0856-\d{7}$/);
      expect(centre.hours.mon).not.toBeNull();
    }
  });

  it('reports a bad time, a lunch break outside the hours, closing before opening, by path', async () => {
    const broken = structuredClone(reference);
    const [first, second, third] = broken.serviceCentres;
    if (!first || !second || !third) throw new Error('demo data changed');
    (first.hours as Record<string, unknown>).mon = { open: '8:30', close: '17:30' };
    second.hours.tue = { open: '08:30', close: '17:30', lunch: { from: '17:00', to: '18:00' } };
    third.hours.wed = { open: '14:00', close: '09:00' };
    const message = await problemsOf(broken);
    expect(message).toContain('serviceCentres.0.hours.mon.open: a time of day as HH:MM');
    expect(message).toContain(
      'serviceCentres.1.hours.tue.lunch: the lunch break 17:00–18:00 is not inside the opening hours 08:30–17:30',
    );
    expect(message).toContain('serviceCentres.2.hours.wed.close: closes (09:00) before it opens (14:00)');
  });

  it('reports a missing weekday, an unknown community, a community served twice and a bad phone', async () => {
    const broken = structuredClone(reference) as unknown as { serviceCentres: Record<string, unknown>[] };
    const [first, second] = broken.serviceCentres;
    if (!first || !second) throw new Error('demo data changed');
    delete (first.hours as Record<string, unknown>).sun;
    first.communities = ['wanshan-wangjia', 'atlantis'];
    second.communities = ['wanshan-wangjia'];
    second.phone = 'call us';
    const message = await problemsOf(broken);
    expect(message).toContain('serviceCentres.0.hours.sun');
    expect(message).toContain('serviceCentres.0.communities.1: unknown community "atlantis"');
    expect(message).toContain(
      'serviceCentres.1.communities.0: community "wanshan-wangjia" is already served by "wangjia-centre"',
    );
    expect(message).toContain('serviceCentres.1.phone');
  });

  it('a file without centres is still valid (older files load as before)', async () => {
    const { serviceCentres: _none, ...older } = structuredClone(reference);
    expect(await problemsOf(older)).toBe('');
  });
});

describe('loading and reading centres', () => {
  it('loads them idempotently, links each community, and a removed centre is deactivated and unlinked', async () => {
    const first = await loadReferenceData(db, reference);
    expect(first.serviceCentres).toBe(4);
    await loadReferenceData(db, reference);
    expect(await db.serviceCentre.count()).toBe(4);
    expect(
      await db.community.findUnique({
        where: { code: 'bijiang-zhengguang' },
        select: { serviceCentreCode: true },
      }),
    ).toEqual({ serviceCentreCode: 'aitun-centre' });

    const edited = structuredClone(reference);
    edited.serviceCentres = edited.serviceCentres.filter((c) => c.code !== 'shichang-centre');
    await loadReferenceData(db, edited);
    expect(await db.serviceCentre.findUnique({ where: { code: 'shichang-centre' } })).toMatchObject({
      active: false,
    });
    expect(
      await db.community.findUnique({
        where: { code: 'songtao-shichang' },
        select: { serviceCentreCode: true },
      }),
    ).toEqual({ serviceCentreCode: null });
    const repo = createReferenceRepository(db, { cacheMs: 0 });
    expect((await repo.serviceCentres()).map((c) => c.code)).not.toContain('shichang-centre');
    await loadReferenceData(db, reference);
    expect((await repo.serviceCentres()).map((c) => c.code)).toContain('shichang-centre');
  });

  it('the use case gives a resident their centre, the window of a department, and whether it is open', async () => {
    await loadReferenceData(db, reference);
    const routing = createRoutingRepository(db);
    const service = createReferenceService({
      reference: createReferenceRepository(db, { cacheMs: 0 }),
      facilities: routing,
      contacts: {
        communityOf: async (id) =>
          id === 1 ? { code: 'bijiang-zhengguang', districtCode: 'bijiang' } : null,
        department: routing.department,
        calendarExceptions: routing.calendarExceptions,
        windows: routing.windows,
      },
      // Thursday 1 October 2026, 10:00 in Beijing: National Day.
      now: () => new Date('2026-10-01T02:00:00Z'),
    });
    const contact = await service.contactFor(1, 'civil_affairs');
    expect(contact?.community.nameZh).toBe('正光社区');
    expect(contact?.centre?.code).toBe('aitun-centre');
    expect(contact?.window).toMatchObject({ windowNo: '3', nameZh: '碧江区民政局' });
    expect(contact?.windows.map((w) => `${w.windowNo}:${w.kind}`)).toEqual([
      '1:education',
      '2:health',
      '3:civil_affairs',
      '4:human_resources',
      '5:public_security',
      '6:neighbourhood',
    ]);
    expect(contact?.centre?.opening).toEqual({
      open: false,
      why: 'holiday',
      nextOpen: '2026-10-08T00:30:00.000Z',
    });
    expect(await service.contactFor(2, null)).toBeNull();
    const all = await service.allCentres();
    expect(all.map((c) => c.code)).toEqual([
      'aitun-centre',
      'chongguangping-centre',
      'shichang-centre',
      'wangjia-centre',
    ]);
    expect(all.find((c) => c.code === 'aitun-centre')?.communities.map((c) => c.code)).toEqual([
      'bijiang-aitun',
      'bijiang-zhengguang',
    ]);
  });
});
