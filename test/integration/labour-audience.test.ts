// The red line and the job seekers as SQL, against a real PostgreSQL: the notices' two new audiences count
// and fix exactly the households the domain rule (src/domain/employment.ts) picks, and the /labour list's
// query agrees with it household by household.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabourRepository } from '../../src/db/repositories/labour.ts';
import { createNoticeDeliveryRepository } from '../../src/db/repositories/notice-deliveries.ts';
import { belowRedLine, type EmploymentStatus } from '../../src/domain/employment.ts';
import { audienceDay } from '../../src/domain/notice.ts';
import {
  ADMIN,
  createNotice,
  createScene,
  residents,
  type Scene,
  seed,
  WANGJIA,
} from '../support/notice-scene.ts';
import { buildingsOf, seedResidents } from '../support/seed-residents.ts';

const clock = new Date('2026-12-07T02:00:00Z'); // Monday 10:00 in Beijing
const today = audienceDay(clock);
const FIRST = 41_001;
let s: Scene;

type Status = EmploymentStatus | null;
/** Each household: the resident's status (born 1970), then its members (birth date, status). */
const HOUSEHOLDS: { resident: Status; members: [string, Status][]; below: boolean; looking: boolean }[] = [
  { resident: null, members: [], below: true, looking: false },
  { resident: 'looking', members: [], below: true, looking: true },
  { resident: 'looking', members: [['1990-05-01', 'employed_away']], below: false, looking: true },
  { resident: 'not_in_labour_force', members: [['2015-01-01', null]], below: false, looking: false },
  { resident: 'employed_local', members: [['1995-01-01', 'looking']], below: false, looking: true },
  { resident: 'student', members: [['1950-01-01', null]], below: false, looking: false },
  { resident: 'not_in_labour_force', members: [['2008-06-01', null]], below: true, looking: false },
  // 15 today, 16 tomorrow: not labour yet.
  { resident: 'not_in_labour_force', members: [['2010-12-08', null]], below: false, looking: false },
  // 16 today.
  {
    resident: 'not_in_labour_force',
    members: [
      ['2010-12-07', 'student'],
      ['2010-12-07', null],
    ],
    below: true,
    looking: false,
  },
];

beforeAll(async () => {
  s = await createScene({ now: () => clock });
  const seeded = await seedResidents(
    s.db,
    WANGJIA,
    residents(s, HOUSEHOLDS.length, FIRST, (i) => ({
      members: (HOUSEHOLDS[i]?.members ?? []).map(([birthDate]) => ({ birthDate })),
    })).map((r) => r),
  );
  for (const [i, hh] of HOUSEHOLDS.entries()) {
    const residentId = seeded.residentIds.get(FIRST + i) as string;
    const r = await s.db.resident.update({
      where: { id: residentId },
      data: { employmentStatus: hh.resident },
      select: { householdId: true },
    });
    const members = await s.db.householdMember.findMany({
      where: { householdId: r.householdId },
      orderBy: { createdAt: 'asc' },
      select: { id: true, birthDate: true },
    });
    for (const [j, m] of members.entries())
      await s.db.householdMember.update({
        where: { id: m.id },
        data: { employmentStatus: hh.members[j]?.[1] ?? null },
      });
  }
  // Below the red line and looking, but in another community: never counted for Wangjia.
  const aitun = (await buildingsOf(s.db, 'bijiang-aitun'))[0] as { id: string };
  const other = await seedResidents(s.db, 'bijiang-aitun', [
    { telegramId: FIRST + 100, buildingId: aitun.id },
  ]);
  await s.db.resident.update({
    where: { id: other.residentIds.get(FIRST + 100) as string },
    data: { employmentStatus: 'looking' },
  });
});
afterAll(() => s.close());

describe('the notice audiences', () => {
  it('count the households with someone looking, and those below the red line', async () => {
    const looking = HOUSEHOLDS.filter((h) => h.looking).length;
    const below = HOUSEHOLDS.filter((h) => h.below).length;
    expect(looking).toBe(3);
    expect(below).toBe(4);
    expect(await s.service.audienceSize(ADMIN, WANGJIA, { kind: 'job_seekers' })).toEqual({
      ok: true,
      value: { residents: looking, muted: 0, unreachable: 0 },
    });
    expect(await s.service.audienceSize(ADMIN, WANGJIA, { kind: 'no_one_employed' })).toEqual({
      ok: true,
      value: { residents: below, muted: 0, unreachable: 0 },
    });
  });

  it('a notice to job seekers fixes exactly those residents when it starts', async () => {
    const id = await createNotice(s, { audience: { kind: 'job_seekers' } });
    const store = createNoticeDeliveryRepository(s.db, { defaultLocale: 'zh-CN' });
    expect((await store.startDue(clock, today, [ADMIN])).started).toContain(id);
    const rows = await s.db.noticeDelivery.findMany({
      where: { noticeId: id },
      select: { telegramId: true },
    });
    const expected = HOUSEHOLDS.flatMap((h, i) => (h.looking ? [BigInt(FIRST + i)] : []));
    expect(rows.map((r) => r.telegramId).sort()).toEqual(expected.sort());
  });

  it('a notice to households with nobody employed is stored with its audience and listed back', async () => {
    const id = await createNotice(s, { audience: { kind: 'no_one_employed' } });
    const found = await s.service.list(ADMIN, 0);
    expect(found.ok && found.value.items.find((n) => n.id === id)?.audience).toEqual({
      kind: 'no_one_employed',
    });
  });
});

describe('the /labour query', () => {
  it('agrees with the domain rule for every household', async () => {
    const listed = await createLabourRepository(s.db).belowRedLine([WANGJIA], today, 0, 50);
    const households = await s.db.household.findMany({
      where: { communityCode: WANGJIA },
      select: {
        id: true,
        residents: { select: { birthDate: true, employmentStatus: true } },
        members: { select: { birthDate: true, employmentStatus: true } },
      },
    });
    const byRule = households
      .filter((h) =>
        belowRedLine(
          [...h.residents, ...h.members].map((p) => ({
            birthDate: p.birthDate.toISOString().slice(0, 10),
            employment: p.employmentStatus,
          })),
          clock,
        ),
      )
      .map((h) => h.id)
      .sort();
    expect(listed.total).toBe(4);
    expect(listed.rows.map((r) => r.householdId).sort()).toEqual(byRule);
    const looking = listed.rows.find((r) => r.looking === 1);
    expect(looking).toMatchObject({ people: 1, unknown: 0 });
  });

  it('pages: two at a time, the last page short, past the end empty', async () => {
    const repo = createLabourRepository(s.db);
    const pages = await Promise.all([0, 1, 2].map((p) => repo.belowRedLine([WANGJIA], today, p, 2)));
    expect(pages.map((p) => p.rows.length)).toEqual([2, 2, 0]);
    expect(new Set(pages.flatMap((p) => p.rows.map((r) => r.householdId))).size).toBe(4);
  });
});
