// A notice goes out only while its author may still send it: removing a community worker cancels their
// notices that have not started (the admin is told how many), and a notice re-checks its author when it
// starts — an author who is no longer an active worker of that community (nor an administrator) has the
// notice cancelled, not sent, and the fact is in the audit log. Against a real PostgreSQL, with a removal
// held open in a second connection for the race.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiiCipher } from '../../src/app/pii-cipher.ts';
import { compose } from '../../src/compose.ts';
import { createNoticeDeliveryRepository } from '../../src/db/repositories/notice-deliveries.ts';
import { audienceDay } from '../../src/domain/notice.ts';
import { createLogger } from '../../src/logger.ts';
import { REFERENCE_FILE } from '../support/bot-harness.ts';
import { ADMIN, createScene, draft, residents, type Scene, seed, WANGJIA } from '../support/notice-scene.ts';
import { addWorker } from '../support/seed-residents.ts';

const AITUN = 'bijiang-aitun';
let clock = new Date('2026-11-23T02:00:00Z');
let s: Scene;
let admin: ReturnType<typeof compose>['deps']['admin'];
let nextWorker = 8_100_001;
let keys = 0;

const store = () => createNoticeDeliveryRepository(s.db, { defaultLocale: 'zh-CN' });
const startDue = () => store().startDue(clock, audienceDay(clock), [ADMIN]);

beforeAll(async () => {
  s = await createScene({ now: () => clock });
  await seed(s, residents(s, 3, 40_001));
  admin = compose({
    db: s.db,
    cipher: createPiiCipher(Buffer.alloc(32, 7)),
    logger: createLogger('silent'),
    defaultLocale: 'zh-CN',
    adminTelegramIds: [ADMIN],
    referenceDataFile: REFERENCE_FILE,
    now: () => clock,
  }).deps.admin;
});
afterAll(() => s.close());

/** A notice by `author` to `community`, due in `inMs` (created as the use case would, then due). */
async function scheduled(author: number, community = WANGJIA, inMs = 3600_000): Promise<string> {
  const created = await s.service.create(
    { telegramId: author, chatId: author, locale: 'zh-CN' },
    draft({ communityCode: community, scheduledAt: new Date(clock.getTime() + inMs) }),
    `author-${keys++}`,
  );
  if (!created.ok) throw new Error(created.error);
  return created.value.id;
}

const statusOf = async (id: string) => (await s.db.notice.findUniqueOrThrow({ where: { id } })).status;
const deliveriesOf = (id: string) => s.db.noticeDelivery.count({ where: { noticeId: id } });
const auditOf = (id: string) =>
  s.db.auditLog.findMany({
    where: { subject: `notice:${id}` },
    select: { action: true, actorTelegramId: true, detail: true },
  });

/** Lets every notice due so far run out of the way (so each test starts only its own). */
async function settle(): Promise<void> {
  await s.db.notice.updateMany({
    where: { status: { in: ['scheduled', 'sending'] } },
    data: { status: 'done' },
  });
}

describe('removing a community worker', () => {
  it("cancels their notices that have not started, tells the admin how many, and keeps everyone else's", async () => {
    await settle();
    const worker = nextWorker++;
    const staffId = await addWorker(s.db, worker, WANGJIA);
    const other = nextWorker++;
    await addWorker(s.db, other, WANGJIA);
    const mine = [await scheduled(worker), await scheduled(worker, WANGJIA, 7200_000)];
    const theirs = await scheduled(other);
    const byAdmin = await scheduled(ADMIN);
    // One of theirs already going out: it is not stopped half-way.
    const going = await scheduled(worker, WANGJIA, 60_000);
    clock = new Date(clock.getTime() + 60_000);
    expect((await startDue()).started).toEqual([going]);

    const removed = await admin.removeStaff(ADMIN, staffId);
    expect(removed).toMatchObject({ ok: true, value: { released: 0, cancelledNotices: 2 } });
    for (const id of mine) {
      expect(await statusOf(id)).toBe('cancelled');
      expect(await auditOf(id)).toEqual([
        {
          action: 'notice.cancelled',
          actorTelegramId: BigInt(ADMIN),
          detail: { reason: 'author_removed', staffId },
        },
      ]);
    }
    expect(await statusOf(going)).toBe('sending');
    expect(await statusOf(theirs)).toBe('scheduled');
    expect(await statusOf(byAdmin)).toBe('scheduled');
    const audit = await s.db.auditLog.findFirstOrThrow({
      where: { action: 'staff.removed', subject: `staff:${staffId}` },
    });
    expect(audit.detail).toEqual({ releasedCases: 0, cancelledNotices: 2 });
    // When they are due, nothing of the removed worker's starts.
    clock = new Date(clock.getTime() + 7200_000);
    expect((await startDue()).started.sort()).toEqual([theirs, byAdmin].sort());
    for (const id of mine) expect(await deliveriesOf(id)).toBe(0);
  });

  it('an administrator who was also a worker keeps their notices (they may send to every community)', async () => {
    await settle();
    const staffId = await addWorker(s.db, ADMIN, WANGJIA);
    const id = await scheduled(ADMIN);
    expect(await admin.removeStaff(ADMIN, staffId)).toMatchObject({
      ok: true,
      value: { cancelledNotices: 0 },
    });
    expect(await statusOf(id)).toBe('scheduled');
  });
});

describe('a notice re-checks its author when it starts', () => {
  it('an author no longer an active worker of the community: cancelled, not sent, and recorded', async () => {
    await settle();
    const worker = nextWorker++;
    const staffId = await addWorker(s.db, worker, WANGJIA);
    const moved = nextWorker++;
    const movedId = await addWorker(s.db, moved, WANGJIA);
    const gone = await scheduled(worker);
    const elsewhere = await scheduled(moved);
    // Removed without the removal's cancel (as an older version did), and moved to another community.
    await s.db.staffMember.update({ where: { id: staffId }, data: { active: false, removedAt: clock } });
    await s.db.staffMember.update({ where: { id: movedId }, data: { communityCode: AITUN } });
    const stillWorker = nextWorker++;
    await addWorker(s.db, stillWorker, WANGJIA);
    const fine = await scheduled(stillWorker);
    const byAdmin = await scheduled(ADMIN);
    clock = new Date(clock.getTime() + 3600_000);

    const result = await startDue();
    expect(result.started.sort()).toEqual([fine, byAdmin].sort());
    expect(result.cancelled.sort()).toEqual([gone, elsewhere].sort());
    for (const id of [gone, elsewhere]) {
      expect(await s.db.notice.findUniqueOrThrow({ where: { id } })).toMatchObject({
        status: 'cancelled',
        cancelledAt: clock,
        startedAt: null,
        recipientCount: 0,
      });
      expect(await deliveriesOf(id)).toBe(0);
      expect(await auditOf(id)).toEqual([
        { action: 'notice.cancelled', actorTelegramId: null, detail: { reason: 'author_not_allowed' } },
      ]);
    }
    expect(await deliveriesOf(fine)).toBe(3);
  });

  it('an administrator no longer an administrator: cancelled', async () => {
    await settle();
    const id = await scheduled(ADMIN);
    clock = new Date(clock.getTime() + 3600_000);
    const result = await store().startDue(clock, audienceDay(clock), []);
    expect(result).toEqual({ started: [], cancelled: [id] });
  });

  it('a removal in progress when the notice starts: the start waits for it, then cancels the notice', async () => {
    await settle();
    const worker = nextWorker++;
    const staffId = await addWorker(s.db, worker, WANGJIA);
    const id = await scheduled(worker);
    clock = new Date(clock.getTime() + 3600_000);
    const other = new pg.Client({ connectionString: s.database.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('update staff_member set active = false, removed_at = now() where id = $1', [
        staffId,
      ]);
      let settled = false;
      const pending = startDue().finally(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
      await other.query('commit');
      expect(await pending).toEqual({ started: [], cancelled: [id] });
    } finally {
      await other.end();
    }
    expect(await statusOf(id)).toBe('cancelled');
    expect(await deliveriesOf(id)).toBe(0);
  });
});
