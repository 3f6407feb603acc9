// Who a notice reaches (the whole community, chosen buildings, households with school-age children,
// residents with an open case of a service; muted and unreachable residents; each in their language), when
// it starts (scheduled, fixed recipients, cancelled), and who may send one — through the use case and the
// sender's start, against a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLocale } from '../../src/bot/i18n.ts';
import { createNoticeDeliveryRepository } from '../../src/db/repositories/notice-deliveries.ts';
import { type Audience, audienceDay } from '../../src/domain/notice.ts';
import { ADMIN, createScene, draft, residents, type Scene, seed, WANGJIA } from '../support/notice-scene.ts';
import { addWorker, seedResidents } from '../support/seed-residents.ts';

const AITUN = 'bijiang-aitun';
const WORKER = 8_000_001;
const AITUN_WORKER = 8_000_002;
const RESIDENT = 30_001; // 30_001 … 30_010 in Wangjia
const r = (n: number) => RESIDENT + n - 1;

let clock = new Date('2026-11-23T02:00:00Z'); // 10:00 in Beijing
let s: Scene;
const store = () => createNoticeDeliveryRepository(s.db, { defaultLocale: 'zh-CN' });
/** The sender's start, as it runs it (ADMIN is the administrator); the ids of the notices it started. */
const startDue = async () => (await store().startDue(clock, audienceDay(clock), [ADMIN])).started;

/** YYYY-MM-DD, `years` years before the scene's Beijing date, plus `days`. */
function born(years: number, days = 0): string {
  const today = audienceDay(clock);
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function openCase(telegramId: number, serviceCode: string, status: 'submitted' | 'closed') {
  const resident = await s.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(telegramId) } });
  const department = await s.db.department.findFirstOrThrow({ select: { code: true } });
  await s.db.case.create({
    data: {
      number: `T-${telegramId}-${serviceCode}`,
      serviceCode,
      departmentCode: department.code,
      residentId: resident.id,
      telegramId: BigInt(telegramId),
      status,
      answersCipher: new Uint8Array([1]),
      dueAt: clock,
      submissionKey: `k-${telegramId}-${serviceCode}`,
    },
  });
}

beforeAll(async () => {
  s = await createScene({ now: () => clock });
  const [b1, b2, b3] = s.buildings as { id: string }[];
  const building = (n: number) => ((n <= 4 ? b1 : n <= 7 ? b2 : b3) as { id: string }).id;
  await seed(
    s,
    residents(s, 10, RESIDENT, (i) => {
      const n = i + 1;
      return {
        buildingId: building(n),
        locale: n === 1 ? 'en' : n === 5 ? 'zh-CN' : null,
        languageCode: n === 2 ? 'en-US' : n === 3 ? 'zh-TW' : n === 4 ? null : n === 5 ? 'en' : 'zh-hans',
        unreachable: n === 8,
        members:
          n === 2
            ? [{ birthDate: born(6) }] // six today: in
            : n === 3
              ? [{ birthDate: born(6, 1) }] // six tomorrow: not yet
              : n === 5
                ? [{ birthDate: born(16, 1) }] // sixteen tomorrow: still 15
                : n === 6
                  ? [{ birthDate: born(16) }] // sixteen today: out
                  : [],
      };
    }),
  );
  await s.service.setNoticesOff(r(7), true);
  await openCase(r(9), 'school_enrolment', 'submitted');
  await openCase(r(10), 'school_enrolment', 'closed');
  await openCase(r(1), 'dibao', 'submitted');
  // Another community's residents are never in Wangjia's notices.
  const aitunBuilding = await s.db.building.findFirstOrThrow({ where: { communityCode: AITUN } });
  await seedResidents(s.db, AITUN, [{ telegramId: 31_001, buildingId: aitunBuilding.id }]);
  await addWorker(s.db, WORKER, WANGJIA);
  await addWorker(s.db, AITUN_WORKER, AITUN);
});
afterAll(() => s.close());

let keys = 0;
async function startNotice(audience: Audience, important = false): Promise<string> {
  const created = await s.service.create(
    { telegramId: ADMIN, chatId: ADMIN, locale: 'zh-CN' },
    draft({ audience, important }),
    `aud-${keys++}`,
  );
  if (!created.ok) throw new Error(created.error);
  const started = await startDue();
  expect(started).toEqual([created.value.id]);
  return created.value.id;
}

async function recipients(noticeId: string) {
  const rows = await s.db.noticeDelivery.findMany({
    where: { noticeId },
    select: { telegramId: true, status: true, locale: true },
    orderBy: { telegramId: 'asc' },
  });
  return rows.map((row) => ({ id: Number(row.telegramId), status: row.status, locale: row.locale }));
}
const ids = (list: { id: number }[]) => list.map((x) => x.id);

describe('audience', () => {
  it('the whole community: everyone registered there; the muted only for important notices; known-unreachable ones counted, not sent', async () => {
    expect(await s.service.audienceSize(ADMIN, WANGJIA, { kind: 'community' })).toEqual({
      ok: true,
      value: { residents: 10, muted: 1, unreachable: 1 },
    });
    const ordinary = await recipients(await startNotice({ kind: 'community' }));
    expect(ids(ordinary)).toEqual([1, 2, 3, 4, 5, 6, 8, 9, 10].map(r));
    expect(ordinary.find((x) => x.id === r(8))?.status).toBe('unreachable');
    expect(ordinary.filter((x) => x.status === 'pending')).toHaveLength(8);
    const important = await recipients(await startNotice({ kind: 'community' }, true));
    expect(ids(important)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(r));
    const notice = await s.db.notice.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    expect(notice.recipientCount).toBe(10);
  });

  it('each recipient in their language: their choice, else the default (whatever their Telegram app\u2019s)', async () => {
    const list = await recipients(await startNotice({ kind: 'community' }, true));
    const users = await s.db.telegramUser.findMany({
      where: { telegramId: { in: list.map((x) => BigInt(x.id)) } },
      select: { telegramId: true, locale: true, languageCode: true },
    });
    for (const u of users) {
      const expected = resolveLocale(u.locale, 'zh-CN');
      expect(list.find((x) => x.id === Number(u.telegramId))?.locale).toBe(expected);
    }
    expect(list.filter((x) => x.locale === 'en').map((x) => x.id)).toEqual([r(1)]);
  });

  it('chosen buildings only', async () => {
    const [b1, , b3] = s.buildings as { id: string }[];
    const audience: Audience = { kind: 'buildings', buildingIds: [b1?.id ?? '', b3?.id ?? ''] };
    expect(await s.service.audienceSize(ADMIN, WANGJIA, audience)).toMatchObject({
      value: { residents: 7 },
    });
    expect(ids(await recipients(await startNotice(audience, true)))).toEqual([1, 2, 3, 4, 8, 9, 10].map(r));
  });

  it('households with a child aged 6 to 15 today', async () => {
    expect(ids(await recipients(await startNotice({ kind: 'school_children' }, true)))).toEqual([r(2), r(5)]);
  });

  it('residents with an open case of one service (closed ones and other services do not count)', async () => {
    const audience: Audience = { kind: 'open_case', serviceCode: 'school_enrolment' };
    expect(ids(await recipients(await startNotice(audience, true)))).toEqual([r(9)]);
    expect(await s.service.audienceSize(ADMIN, WANGJIA, { kind: 'open_case', serviceCode: 'nope' })).toEqual({
      ok: false,
      error: 'invalid',
    });
  });

  it('a building of another community is refused', async () => {
    const foreign = await s.db.building.findFirstOrThrow({ where: { communityCode: AITUN } });
    const audience: Audience = { kind: 'buildings', buildingIds: [foreign.id] };
    expect(await s.service.audienceSize(ADMIN, WANGJIA, audience)).toEqual({ ok: false, error: 'invalid' });
    const created = await s.service.create(
      { telegramId: ADMIN, chatId: ADMIN, locale: 'zh-CN' },
      draft({ audience }),
      'foreign-building',
    );
    expect(created).toEqual({ ok: false, error: 'invalid' });
  });
});

describe('scheduling', () => {
  it('starts when due, with the residents registered by then; later registrations are not added', async () => {
    const created = await s.service.create(
      { telegramId: WORKER, chatId: WORKER, locale: 'zh-CN' },
      draft({ scheduledAt: new Date(clock.getTime() + 3600_000), important: true }),
      'scheduled-1',
    );
    expect(created.ok && created.value.startsNow).toBe(false);
    const id = created.ok ? created.value.id : '';
    expect(await startDue()).toEqual([]);
    await seed(s, residents(s, 1, 30_011));
    clock = new Date(clock.getTime() + 3600_000);
    expect(await startDue()).toEqual([id]);
    await seed(s, residents(s, 1, 30_012));
    const list = ids(await recipients(id));
    expect(list).toContain(30_011);
    expect(list).not.toContain(30_012);
    expect(list).toHaveLength(11);
    expect(await s.service.cancel(WORKER, id)).toEqual({ ok: false, error: 'already_started' });
  });

  it('a resident who left before their turn (erased their registration) is not reached', async () => {
    await s.db.notice.updateMany({ where: { status: 'sending' }, data: { status: 'done' } });
    const created = await s.service.create(
      { telegramId: WORKER, chatId: WORKER, locale: 'zh-CN' },
      draft({ important: true, audience: { kind: 'school_children' } }),
      'left-before-turn',
    );
    const id = created.ok ? created.value.id : '';
    expect(await startDue()).toEqual([id]);
    expect(ids(await recipients(id))).toEqual([r(2), r(5)]);
    // r(5) erases their registration (what /deleteme does to the resident row) before the sender gets to them.
    await s.db.householdMember.deleteMany({
      where: { household: { residents: { some: { telegramId: BigInt(r(5)) } } } },
    });
    await s.db.resident.delete({ where: { telegramId: BigInt(r(5)) } });
    const claimed = await store().claim('00000000-0000-4000-8000-000000000001', 10, 60_000);
    expect(claimed.map((c) => Number(c.telegramId))).toEqual([r(2)]);
    const left = await s.db.noticeDelivery.findUniqueOrThrow({
      where: { noticeId_telegramId: { noticeId: id, telegramId: BigInt(r(5)) } },
    });
    expect(left).toMatchObject({
      status: 'unreachable',
      lastError: 'no longer registered when their turn came',
    });
    await s.db.notice.update({ where: { id }, data: { status: 'done' } });
  });

  it('a cancelled notice never starts', async () => {
    const created = await s.service.create(
      { telegramId: WORKER, chatId: WORKER, locale: 'zh-CN' },
      draft({ scheduledAt: new Date(clock.getTime() + 600_000) }),
      'scheduled-2',
    );
    const id = created.ok ? created.value.id : '';
    expect((await s.service.cancel(WORKER, id)).ok).toBe(true);
    expect(await s.service.cancel(WORKER, id)).toEqual({ ok: false, error: 'already_cancelled' });
    clock = new Date(clock.getTime() + 3600_000);
    expect(await startDue()).toEqual([]);
    expect(await s.db.noticeDelivery.count({ where: { noticeId: id } })).toBe(0);
  });

  it('a cancel and the start at the same moment: exactly one of them wins', async () => {
    for (let i = 0; i < 5; i++) {
      const created = await s.service.create(
        { telegramId: WORKER, chatId: WORKER, locale: 'zh-CN' },
        draft({ scheduledAt: new Date(clock.getTime() + 60_000) }),
        `race-${i}`,
      );
      const id = created.ok ? created.value.id : '';
      clock = new Date(clock.getTime() + 60_000);
      const [cancelled, started] = await Promise.all([s.service.cancel(WORKER, id), startDue()]);
      const row = await s.db.notice.findUniqueOrThrow({ where: { id } });
      const deliveries = await s.db.noticeDelivery.count({ where: { noticeId: id } });
      if (cancelled.ok) {
        expect(row.status).toBe('cancelled');
        expect(started).not.toContain(id);
        expect(deliveries).toBe(0);
      } else {
        expect(cancelled).toEqual({ ok: false, error: 'already_started' });
        expect(row.status).toBe('sending');
        expect(deliveries).toBeGreaterThan(0);
      }
      await s.db.notice.updateMany({ where: { status: 'sending' }, data: { status: 'done' } });
    }
  });

  it('the same request key twice makes one notice', async () => {
    const author = { telegramId: WORKER, chatId: WORKER, locale: 'zh-CN' };
    const [a, b] = await Promise.all([
      s.service.create(author, draft(), 'double-tap'),
      s.service.create(author, draft(), 'double-tap'),
    ]);
    expect(a.ok && b.ok && a.value.id === b.value.id).toBe(true);
    expect([a.ok && a.value.created, b.ok && b.value.created].sort()).toEqual([false, true]);
    expect(await s.db.notice.count({ where: { requestKey: 'double-tap' } })).toBe(1);
  });
});

describe('who may send', () => {
  it('a worker reaches their own community only; a resident and a removed worker none; an admin all', async () => {
    const codes = async (id: number) => (await s.service.communitiesFor(id)).map((c) => c.code);
    expect(await codes(WORKER)).toEqual([WANGJIA]);
    expect(await codes(AITUN_WORKER)).toEqual([AITUN]);
    expect(await codes(r(1))).toEqual([]);
    expect((await codes(ADMIN)).length).toBe(5);
    const removed = 8_000_003;
    await addWorker(s.db, removed, WANGJIA, { active: false });
    expect(await codes(removed)).toEqual([]);

    const author = (telegramId: number) => ({ telegramId, chatId: telegramId, locale: 'zh-CN' });
    for (const who of [AITUN_WORKER, r(1), removed]) {
      expect(await s.service.audienceSize(who, WANGJIA, { kind: 'community' })).toEqual({
        ok: false,
        error: 'not_allowed',
      });
      expect(await s.service.create(author(who), draft(), `nope-${who}`)).toEqual({
        ok: false,
        error: 'not_allowed',
      });
      expect(await s.service.list(who, 0)).toEqual(
        who === AITUN_WORKER
          ? { ok: true, value: { items: [], total: 0, page: 0, pages: 1 } }
          : { ok: false, error: 'not_allowed' },
      );
    }
    const mine = await s.service.create(
      author(WORKER),
      draft({ scheduledAt: new Date(clock.getTime() + 60_000) }),
      'mine',
    );
    const id = mine.ok ? mine.value.id : '';
    expect(await s.service.get(AITUN_WORKER, id)).toEqual({ ok: false, error: 'not_allowed' });
    expect(await s.service.cancel(AITUN_WORKER, id)).toEqual({ ok: false, error: 'not_allowed' });
    expect(await s.service.cancel(r(1), id)).toEqual({ ok: false, error: 'not_allowed' });
    expect((await s.service.get(WORKER, id)).ok).toBe(true);
    expect((await s.service.cancel(ADMIN, id)).ok).toBe(true);
  });

  it('forged input is refused: a broken id, an empty text, a time in the past', async () => {
    const author = { telegramId: WORKER, chatId: WORKER, locale: 'zh-CN' };
    expect(await s.service.cancel(WORKER, 'not-a-uuid')).toEqual({ ok: false, error: 'not_found' });
    expect(await s.service.markRead(r(1), 'not-a-uuid')).toEqual({ ok: false, error: 'not_found' });
    expect(await s.service.create(author, draft({ textZh: ' ' }), 'empty')).toEqual({
      ok: false,
      error: 'text_empty',
    });
    expect(
      await s.service.create(author, draft({ scheduledAt: new Date(clock.getTime() - 1000) }), 'past'),
    ).toEqual({ ok: false, error: 'schedule_past' });
    expect(
      await s.service.create(author, { ...draft(), audience: { kind: 'everyone' } } as never, 'bad-audience'),
    ).toEqual({ ok: false, error: 'invalid' });
  });
});
