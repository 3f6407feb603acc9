// Taking a case is one SQL statement (src/db/repositories/staff-cases.ts): these tests pin down, row for
// row, what a take writes (the case, its "taken" event, the resident's notification, the group-post edits,
// the audit row) and the cases around it: queue order, an empty queue, a case someone is taking right now,
// a caller who is not (or no longer) staff, and a removal that races with a take (by /next, and by id).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiiCipher } from '../../src/app/pii-cipher.ts';
import { compose } from '../../src/compose.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { loadReferenceData, readReferenceData } from '../../src/db/reference-data.ts';
import { createStaffCaseRepository } from '../../src/db/repositories/staff-cases.ts';
import { createLogger } from '../../src/logger.ts';
import { REFERENCE_FILE } from '../support/bot-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let database: TestDatabase;
let db: Db;
let staff: ReturnType<typeof compose>['deps']['staff'];
// The app's clock: the case's times and its event come from it; notifications and audit rows are stamped
// with the real time (as writeAudit and writeNotifications do).
const AT = new Date('2026-11-23T04:05:06.789Z');
const HOUR = 3_600_000;
let seq = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { poolSize: 6 });
  await loadReferenceData(db, await readReferenceData(REFERENCE_FILE));
  staff = compose({
    db,
    cipher: createPiiCipher(Buffer.alloc(32, 7)),
    logger: createLogger('silent'),
    defaultLocale: 'zh-CN',
    adminTelegramIds: [],
    referenceDataFile: REFERENCE_FILE,
    now: () => AT,
  }).deps.staff;
});
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

async function member(
  telegramId: number,
  departmentCode: string | null,
  opts: { role?: 'staff' | 'worker'; active?: boolean; createdAt?: Date } = {},
): Promise<string> {
  const row = await db.staffMember.create({
    data: {
      telegramId: BigInt(telegramId),
      role: opts.role ?? 'staff',
      departmentCode,
      communityCode: opts.role === 'worker' ? 'wanshan-wangjia' : null,
      displayName: `工作人员${telegramId}`,
      active: opts.active ?? true,
      ...(opts.createdAt ? { createdAt: opts.createdAt } : {}),
    },
    select: { id: true },
  });
  return row.id;
}

async function queued(
  departmentCode: string,
  opts: {
    dueAt?: Date;
    submittedAt?: Date;
    priority?: 'normal' | 'urgent';
    telegramId?: bigint | null;
    anonymous?: boolean;
    firstResponseAt?: Date;
  } = {},
): Promise<{ id: string; number: string }> {
  const n = ++seq;
  return db.case.create({
    data: {
      number: `CLM-2026-${String(n).padStart(6, '0')}`,
      serviceCode: 'dibao',
      departmentCode,
      telegramId: opts.telegramId === undefined ? 700_000n + BigInt(n) : opts.telegramId,
      priority: opts.priority ?? 'normal',
      anonymous: opts.anonymous ?? false,
      answersCipher: new Uint8Array([1, 2, 3]),
      dueAt: opts.dueAt ?? new Date(AT.getTime() + 48 * HOUR),
      submittedAt: opts.submittedAt ?? new Date(AT.getTime() - HOUR),
      firstResponseAt: opts.firstResponseAt ?? null,
      submissionKey: `claim-test:${n}`,
    },
    select: { id: true, number: true },
  });
}

const notificationsOf = (caseId: string) =>
  db.notification.findMany({
    where: { caseId },
    orderBy: { id: 'asc' },
    select: { telegramId: true, kind: true, payload: true, status: true, attempts: true, createdAt: true },
  });

const auditOf = (caseId: string) =>
  db.auditLog.findMany({
    where: { caseId },
    orderBy: { id: 'asc' },
    select: { actorTelegramId: true, action: true, subject: true, detail: true, at: true },
  });

describe('a take, row for row', () => {
  it('/next: the case, its event, the resident notice, the group-post edits and the audit row', async () => {
    const dept = 'wanshan-health';
    const staffId = await member(81_001, dept);
    const c = await queued(dept, { telegramId: 5_551n });
    // Two department-group posts of the case (the deadline watcher writes them), and another case's post.
    const other = await queued('wanshan-education');
    const posts = [];
    for (const [chat, caseId] of [
      [-100_1n, c.id],
      [-100_2n, c.id],
      [-100_3n, other.id],
    ] as const)
      posts.push(
        await db.notification.create({
          data: { telegramId: chat, kind: 'group.new_case', payload: {}, caseId },
          select: { id: true },
        }),
      );
    const before = Date.now();

    const r = await staff.next(81_001);
    expect(r).toEqual({ ok: true, value: { caseId: c.id, number: c.number } });

    const row = await db.case.findUniqueOrThrow({ where: { id: c.id } });
    expect(row).toMatchObject({
      status: 'accepted',
      assigneeId: staffId,
      firstResponseAt: AT,
      updatedAt: AT,
    });
    const events = await db.caseEvent.findMany({ where: { caseId: c.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorKind: 'staff',
      actorId: staffId,
      kind: 'taken',
      fromStatus: 'submitted',
      toStatus: 'accepted',
      at: AT,
      noteCipher: null,
      visibleToResident: true,
    });
    const notes = await notificationsOf(c.id);
    expect(notes.map(({ createdAt: _, ...n }) => n)).toEqual([
      { telegramId: -100_1n, kind: 'group.new_case', payload: {}, status: 'pending', attempts: 0 },
      { telegramId: -100_2n, kind: 'group.new_case', payload: {}, status: 'pending', attempts: 0 },
      { telegramId: 5_551n, kind: 'resident.case_taken', payload: {}, status: 'pending', attempts: 0 },
      {
        telegramId: -100_1n,
        kind: 'group.case_update',
        payload: { postId: posts[0]?.id.toString() },
        status: 'pending',
        attempts: 0,
      },
      {
        telegramId: -100_2n,
        kind: 'group.case_update',
        payload: { postId: posts[1]?.id.toString() },
        status: 'pending',
        attempts: 0,
      },
    ]);
    // Written with the real clock (the dispatcher picks them up now), not the app's.
    for (const n of notes.slice(2)) expect(n.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    const full = await db.notification.findFirstOrThrow({
      where: { caseId: c.id, kind: 'resident.case_taken' },
    });
    expect(full.nextAttemptAt).toEqual(full.createdAt);
    expect(full).toMatchObject({ lockedUntil: null, sentAt: null, claimToken: null, messageId: null });
    expect(await notificationsOf(other.id)).toHaveLength(1);

    const audit = await auditOf(c.id);
    expect(audit.map(({ at: _, ...a }) => a)).toEqual([
      { actorTelegramId: 81_001n, action: 'case.take', subject: null, detail: { staffId, via: 'next' } },
    ]);
    expect(audit[0]?.at.getTime()).toBeGreaterThanOrEqual(before - 1);
  });

  it('no resident notice for a case without a Telegram id; an anonymous suggestion still gets one', async () => {
    const dept = 'bijiang-health';
    await member(81_002, dept);
    const erased = await queued(dept, { telegramId: null, dueAt: new Date(AT.getTime() + HOUR) });
    const anonymous = await queued(dept, { anonymous: true, telegramId: 5_552n });
    expect((await staff.next(81_002)).ok && (await notificationsOf(erased.id))).toEqual([]);
    await staff.next(81_002);
    expect((await notificationsOf(anonymous.id)).map((n) => [n.telegramId, n.kind])).toEqual([
      [5_552n, 'resident.case_taken'],
    ]);
    expect(await auditOf(erased.id)).toHaveLength(1);
  });

  it('keeps the first response of a case taken before (released, taken again)', async () => {
    const dept = 'songtao-health';
    await member(81_003, dept);
    const earlier = new Date(AT.getTime() - 5 * HOUR);
    const c = await queued(dept, { firstResponseAt: earlier });
    await staff.next(81_003);
    expect(await db.case.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({
      firstResponseAt: earlier,
      updatedAt: AT,
    });
  });

  it('by button (take by id): the same rows, and a conflict once taken', async () => {
    const dept = 'wanshan-civil-affairs';
    const staffId = await member(81_004, dept);
    await member(81_005, dept);
    const c = await queued(dept, { telegramId: 5_554n });
    expect(await staff.take(81_004, c.id, 'group')).toEqual({ ok: true, value: { number: c.number } });
    expect(await db.case.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({
      status: 'accepted',
      assigneeId: staffId,
      firstResponseAt: AT,
    });
    expect((await notificationsOf(c.id)).map((n) => [n.telegramId, n.kind, n.payload])).toEqual([
      [5_554n, 'resident.case_taken', {}],
    ]);
    expect((await auditOf(c.id)).map((a) => [a.action, a.detail])).toEqual([
      ['case.take', { staffId, via: 'group' }],
    ]);
    expect(await staff.take(81_005, c.id)).toEqual({ ok: false, error: 'conflict' });
    expect(await db.caseEvent.count({ where: { caseId: c.id, kind: 'taken' } })).toBe(1);
  });
});

describe('which case, and whether', () => {
  it('urgent first, then the earliest due (overdue ones first), then the earliest submitted, then id', async () => {
    const dept = 'bijiang-education';
    await member(81_010, dept);
    const t = (h: number) => new Date(AT.getTime() + h * HOUR);
    const normalOverdue = await queued(dept, { dueAt: t(-30) });
    const urgentLater = await queued(dept, { priority: 'urgent', dueAt: t(10) });
    const normalSoon = await queued(dept, { dueAt: t(2), submittedAt: t(-3) });
    const urgentOverdue = await queued(dept, { priority: 'urgent', dueAt: t(-1) });
    const normalSoonNewer = await queued(dept, { dueAt: t(2), submittedAt: t(-2) });
    const normalLast = await queued(dept, { dueAt: t(50) });
    // Not in the queue: taken already, another department, withdrawn.
    const held = await queued(dept, { priority: 'urgent', dueAt: t(-50) });
    await db.case.update({ where: { id: held.id }, data: { status: 'accepted' } });
    await queued('songtao-education', { priority: 'urgent', dueAt: t(-60) });
    const gone = await queued(dept, { priority: 'urgent', dueAt: t(-70) });
    await db.case.update({ where: { id: gone.id }, data: { status: 'withdrawn' } });

    const order: string[] = [];
    for (;;) {
      const r = await staff.next(81_010);
      if (!r.ok) throw new Error(r.error);
      if (!r.value) break;
      order.push(r.value.number);
    }
    expect(order).toEqual(
      [urgentOverdue, urgentLater, normalOverdue, normalSoon, normalSoonNewer, normalLast].map(
        (c) => c.number,
      ),
    );
    // An empty queue answers "none" and writes nothing.
    const audits = await db.auditLog.count();
    expect(await staff.next(81_010)).toEqual({ ok: true, value: null });
    expect(await db.auditLog.count()).toBe(audits);
  });

  it('skips a case someone is taking right now instead of waiting for it', async () => {
    const dept = 'songtao-civil-affairs';
    await member(81_020, dept);
    const first = await queued(dept, { priority: 'urgent' });
    const second = await queued(dept);
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(`update "case" set status = 'accepted' where id = $1`, [first.id]);
      expect(await staff.next(81_020)).toEqual({
        ok: true,
        value: { caseId: second.id, number: second.number },
      });
      await other.query('rollback');
      expect(await staff.next(81_020)).toEqual({
        ok: true,
        value: { caseId: first.id, number: first.number },
      });
    } finally {
      await other.end();
    }
  });

  it('refuses (and audits) someone who is not department staff: unknown, a worker, a removed member', async () => {
    await member(81_031, null, { role: 'worker' });
    await member(81_032, 'wanshan-education', { active: false });
    const dept = 'wanshan-education';
    const c = await queued(dept, { priority: 'urgent', dueAt: new Date(AT.getTime() - 100 * HOUR) });
    for (const who of [81_030, 81_031, 81_032]) {
      expect(await staff.next(who)).toEqual({ ok: false, error: 'not_found' });
      expect(
        await db.auditLog.findMany({
          where: { actorTelegramId: BigInt(who) },
          select: { action: true, caseId: true, subject: true, detail: true },
        }),
      ).toEqual([
        {
          action: 'access.denied',
          caseId: null,
          subject: null,
          detail: { attempted: 'next', reason: 'not_staff' },
        },
      ]);
    }
    expect(await db.case.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ status: 'submitted' });
  });

  it('a worker who is also department staff takes as that staff member', async () => {
    await member(81_040, null, { role: 'worker', createdAt: new Date(AT.getTime() - 10 * HOUR) });
    const staffId = await member(81_040, 'songtao-education');
    const r = await staff.next(81_040);
    if (!r.ok || !r.value) throw new Error('nothing taken');
    expect(await db.case.findUniqueOrThrow({ where: { id: r.value.caseId } })).toMatchObject({
      departmentCode: 'songtao-education',
      assigneeId: staffId,
    });
  });

  it('a removal in progress: the take waits for it, then finds nobody and takes nothing', async () => {
    const dept = 'bijiang-civil-affairs';
    const staffId = await member(81_050, dept);
    const c = await queued(dept, { priority: 'urgent', dueAt: new Date(AT.getTime() - 200 * HOUR) });
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('update staff_member set active = false where id = $1', [staffId]);
      let settled = false;
      const pending = staff.next(81_050).finally(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
      await other.query('commit');
      expect(await pending).toEqual({ ok: false, error: 'not_found' });
    } finally {
      await other.end();
    }
    expect(await db.case.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({
      status: 'submitted',
      assigneeId: null,
    });
  });
});

describe('take by number or button, and a removal', () => {
  it('a removal in progress between the check and the take: the take waits, then takes nothing', async () => {
    const dept = 'songtao-civil-affairs';
    const telegramId = 81_060;
    const staffId = await member(telegramId, dept);
    const c = await queued(dept);
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      // The access check (a plain read) passes while the removal is not yet committed; the take's own
      // statement then meets the removal: it waits for it, and finds nobody once it is committed.
      await other.query('begin');
      await other.query('update staff_member set active = false, removed_at = now() where id = $1', [
        staffId,
      ]);
      let settled = false;
      const pending = staff.take(telegramId, c.id, 'card').finally(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
      await other.query('commit');
      expect(await pending).toEqual({ ok: false, error: 'not_found' });
    } finally {
      await other.end();
    }
    expect(await db.case.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({
      status: 'submitted',
      assigneeId: null,
    });
    expect(await db.caseEvent.count({ where: { caseId: c.id } })).toBe(0);
    expect(await notificationsOf(c.id)).toEqual([]);
    expect((await auditOf(c.id)).map((a) => [a.action, a.detail])).toEqual([
      ['access.denied', { attempted: 'take', reason: 'not_staff' }],
    ]);
  });

  it('a member of another department, or not active, cannot be handed the case by id', async () => {
    const dept = 'songtao-health';
    const c = await queued(dept);
    const elsewhere = await member(81_062, 'songtao-education');
    const inactive = await member(81_063, dept, { active: false });
    const repo = createStaffCaseRepository(db);
    const effects = {
      residentNotification: { kind: 'resident.case_taken', payload: {} },
      audit: { actorTelegramId: 81_062, action: 'case.take' },
    };
    expect(await repo.takeById(c.id, dept, elsewhere, AT, effects)).toBe('not_staff');
    expect(await repo.takeById(c.id, dept, inactive, AT, effects)).toBe('not_staff');
    expect(await db.case.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ assigneeId: null });
  });
});

describe('at the same time', () => {
  it('8 staff, 200 cases: each taken once, by the one told so', async () => {
    const dept = 'wanshan-education';
    await db.case.updateMany({
      where: { departmentCode: dept, status: 'submitted' },
      data: { status: 'closed' },
    });
    const cases = [];
    for (let i = 0; i < 200; i++)
      cases.push(
        await queued(dept, {
          priority: i % 7 === 0 ? 'urgent' : 'normal',
          dueAt: new Date(AT.getTime() + i * 60_000),
        }),
      );
    const ids = Array.from({ length: 8 }, (_, k) => 81_100 + k);
    const members = new Map<number, string>();
    for (const id of ids) members.set(id, await member(id, dept));
    const taken = new Map<string, number>();
    await Promise.all(
      ids.map(async (id) => {
        for (;;) {
          const r = await staff.next(id);
          if (!r.ok) throw new Error(r.error);
          if (!r.value) return;
          expect(taken.has(r.value.caseId)).toBe(false);
          taken.set(r.value.caseId, id);
        }
      }),
    );
    expect(taken.size).toBe(200);
    const rows = await db.case.findMany({
      where: { id: { in: cases.map((c) => c.id) } },
      select: { id: true, status: true, assigneeId: true, _count: { select: { events: true } } },
    });
    for (const r of rows) {
      expect(r.status).toBe('accepted');
      expect(r._count.events).toBe(1);
      expect(r.assigneeId).toBe(members.get(taken.get(r.id) as number));
    }
    expect(await db.auditLog.count({ where: { caseId: { in: cases.map((c) => c.id) } } })).toBe(200);
  });
});
