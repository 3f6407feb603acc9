import { randomUUID } from 'node:crypto';
// Deadlines and the department group, with the watcher's clock in the test's hand: an urgent case nobody
// took in 15 minutes alerts the whole department and its group (once); new cases are posted to the group,
// where only the department's staff can take them and the post shows who did; the morning digest goes out
// once on working days (make-up working days included, holidays not); answered cases close after 7 days;
// the queue marks overdue cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { createCaseRepository } from '../../src/db/repositories/cases.ts';
import { beijingInstant } from '../../src/domain/beijing-time.ts';
import { createHarness, type Harness, sentTexts } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { type CaseWorkers, caseWorkers, groupPress, makeStaff, textsTo } from '../support/staff-scene.ts';

const GROUP = -1_001_234_567;
let h: Harness;
let workers: CaseWorkers;
let residentId: string;
let key = 0;

beforeAll(async () => {
  h = await createHarness();
  workers = caseWorkers(h);
  await registerResident(h.user(65_000));
  residentId = (await h.db.resident.findUniqueOrThrow({ where: { telegramId: 65_000n } })).id;
  await h.db.department.update({
    where: { code: 'wanshan-health' },
    data: { telegramGroupId: BigInt(GROUP) },
  });
});
afterAll(() => h.close());

async function newCase(
  departmentCode: string,
  prefix: string,
  opts: { urgent?: boolean; dueAt?: Date } = {},
) {
  const caseId = randomUUID();
  const created = await createCaseRepository(h.db).create({
    id: caseId,
    serviceCode: 'medical_green_channel',
    departmentCode,
    casePrefix: prefix,
    year: 2026,
    residentId,
    telegramId: 65_000,
    priority: opts.urgent ? 'urgent' : 'normal',
    anonymous: false,
    answersCipher: h.cipher.encryptJson({ v: 1, answers: {} }, piiAt.caseAnswers(caseId)),
    dueAt: opts.dueAt ?? new Date(Date.now() + 2 * 3600_000),
    submissionKey: `deadline-test:${key++}`,
    attachments: [],
    notifications: [],
  });
  return created;
}

const minutes = (n: number) => new Date(Date.now() + n * 60_000);
const notificationsOf = (caseId: string, kind: string) =>
  h.db.notification.findMany({ where: { caseId, kind }, orderBy: { id: 'asc' } });

describe('an urgent case nobody takes', () => {
  it('alerts every active staff member of the department and its group after 15 minutes, once', async () => {
    const onDuty = await makeStaff(h, 76_001, 'wanshan-health', { onDuty: true });
    await makeStaff(h, 76_002, 'wanshan-health', { onDuty: false });
    await makeStaff(h, 76_003, 'bijiang-health');
    const gone = await makeStaff(h, 76_004, 'wanshan-health');
    await h.db.staffMember.update({ where: { id: gone }, data: { active: false, removedAt: new Date() } });
    expect(onDuty).toBeDefined();
    const urgent = await newCase('wanshan-health', 'MED', { urgent: true });
    const taken = await newCase('wanshan-health', 'MED', { urgent: true });
    expect((await h.deps.staff.take(76_001, taken.id)).ok).toBe(true);

    expect((await workers.watcher.tick(minutes(14))).escalated).toBe(0);
    expect((await workers.watcher.tick(minutes(16))).escalated).toBe(1);
    expect((await workers.watcher.tick(minutes(30))).escalated).toBe(0);
    const alerts = await notificationsOf(urgent.id, 'staff.urgent_unclaimed');
    expect(alerts.map((a) => a.telegramId).sort()).toEqual([76_001n, 76_002n]);
    expect(await notificationsOf(urgent.id, 'group.urgent_unclaimed')).toHaveLength(1);
    expect(await notificationsOf(taken.id, 'staff.urgent_unclaimed')).toHaveLength(0);
    const event = await h.db.caseEvent.findFirstOrThrow({ where: { caseId: urgent.id, kind: 'escalated' } });
    expect(event.visibleToResident).toBe(false);

    await workers.drain();
    const offDuty = h.user(76_002);
    const alert = offDuty.texts().find((t) => t.includes(`急事 ${urgent.number}`));
    expect(alert).toContain('15 分钟没人受理');
    const calls = await offDuty.tap('🙋 我来受理');
    expect(calls.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain(
      `您受理了 ${urgent.number}`,
    );
    expect(offDuty.lastText()).toContain('经办人：工作人员76002');
    expect(textsTo(h.calls, GROUP).some((t) => t.includes(`急事 ${urgent.number}`))).toBe(true);
  });
});

describe('the department group', () => {
  it('gets new cases with a take button; only the department’s staff can take; the post shows who took it', async () => {
    await makeStaff(h, 76_010, 'wanshan-health', { displayName: '刘医生' });
    await makeStaff(h, 76_011, 'wanshan-education', { displayName: '别的部门' });
    const c = await newCase('wanshan-health', 'MED');
    expect((await workers.watcher.tick(new Date())).groupPosts).toBeGreaterThanOrEqual(1);
    expect((await workers.watcher.tick(new Date())).groupPosts).toBe(0); // once per case and group
    await workers.drain();
    const [post] = await notificationsOf(c.id, 'group.new_case');
    expect(post?.status).toBe('sent');
    const messageId = post?.messageId as number;
    const posted = h.calls.find(
      (x) =>
        x.method === 'sendMessage' &&
        Number(x.payload.chat_id) === GROUP &&
        String(x.payload.text).includes(c.number),
    );
    expect(String(posted?.payload.text)).toContain('🆕 新的事');
    expect(String(posted?.payload.text)).not.toContain('杨光明');
    expect(JSON.stringify(posted?.payload.reply_markup)).toContain(`gp:take:${c.id}`);

    for (const [who, id] of [
      ['a resident', 65_000],
      ['staff of another department', 76_011],
    ] as const) {
      const calls = await groupPress(h, h.user(id), GROUP, `gp:take:${c.id}`, messageId);
      const answer = calls.find((x) => x.method === 'answerCallbackQuery');
      expect(answer?.payload, who).toMatchObject({
        text: '只有这个部门的工作人员能受理。',
        show_alert: true,
      });
      expect(
        await h.db.auditLog.count({
          where: { actorTelegramId: BigInt(id), action: 'access.denied', caseId: c.id },
        }),
      ).toBe(1);
    }
    expect((await h.db.case.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('submitted');

    const calls = await groupPress(h, h.user(76_010), GROUP, `gp:take:${c.id}`, messageId);
    expect(calls.find((x) => x.method === 'answerCallbackQuery')?.payload.text).toContain(
      `您受理了 ${c.number}`,
    );
    const edit = calls.find((x) => x.method === 'editMessageText');
    expect(edit?.payload).toMatchObject({ chat_id: GROUP, message_id: messageId });
    expect(String(edit?.payload.text)).toContain('由 刘医生 办理');
    // The card went to the private chat, not to the group.
    const card = calls.find((x) => x.method === 'sendMessage' && Number(x.payload.chat_id) === 76_010);
    expect(String(card?.payload.text)).toContain(c.number);
    expect(calls.some((x) => x.method === 'sendMessage' && Number(x.payload.chat_id) === GROUP)).toBe(false);
    // Too late for anyone else.
    const late = await groupPress(h, h.user(76_001), GROUP, `gp:take:${c.id}`, messageId);
    expect(late.find((x) => x.method === 'answerCallbackQuery')?.payload.text).toContain(
      '别人刚刚已经处理了',
    );

    // Put back in the queue: the post offers it again; transferred away: the post says so.
    const staff = h.user(76_010);
    await staff.press(`st:rel:${c.id}`);
    await staff.tap('放回队列');
    await workers.drain();
    const reopened = h.calls
      .filter((x) => x.method === 'editMessageText' && x.payload.message_id === messageId)
      .at(-1);
    expect(String(reopened?.payload.text)).toContain('🆕 新的事');
    expect(JSON.stringify(reopened?.payload.reply_markup)).toContain('gp:take');
    await staff.press(`st:take:${c.id}`);
    await staff.press(`st:act:transfer:${c.id}`);
    await staff.tap('万山区民政局');
    await staff.text('要办低保，不是看病');
    await staff.tap('✅ 确定');
    expect(staff.lastText()).toContain('已经转过去了');
    await workers.drain();
    const moved = h.calls
      .filter((x) => x.method === 'editMessageText' && x.payload.message_id === messageId)
      .at(-1);
    expect(String(moved?.payload.text)).toContain('已经转给其他部门');
    expect(moved?.payload.reply_markup).toEqual({ inline_keyboard: [] });
    const after = await h.db.case.findUniqueOrThrow({ where: { id: c.id } });
    expect(after).toMatchObject({
      departmentCode: 'wanshan-civil-affairs',
      status: 'submitted',
      assigneeId: null,
    });
    // The resident heard where it went; the old department no longer sees it.
    expect(textsTo(h.calls, 65_000).at(-1)).toContain('转给了万山区民政局办理');
    expect(sentTexts(await staff.press(`st:open:${c.id}`)).join('\n')).toContain('没找到这件事');
  });
});

describe('the morning digest', () => {
  it('goes out once from 08:00 on a working day, not on a holiday, and on a make-up working day', async () => {
    const staffId = await makeStaff(h, 76_020, 'songtao-education');
    const overdue = await newCase('songtao-education', 'EDS', { dueAt: new Date('2026-11-23T10:00:00Z') });
    const today = await newCase('songtao-education', 'EDS', { dueAt: new Date('2026-11-24T09:00:00Z') });
    const later = await newCase('songtao-education', 'EDS', { dueAt: new Date('2026-11-30T10:00:00Z') });
    await newCase('songtao-education', 'EDS', { dueAt: new Date('2026-11-20T10:00:00Z') }); // unassigned
    await h.db.case.updateMany({
      where: { id: { in: [overdue.id, today.id, later.id] } },
      data: { assigneeId: staffId, status: 'in_progress' },
    });

    expect((await workers.watcher.tick(beijingInstant('2026-11-24', 7.98))).digests).toBeNull();
    expect((await workers.watcher.tick(beijingInstant('2026-11-24', 8))).digests).toBeGreaterThanOrEqual(1);
    expect((await workers.watcher.tick(beijingInstant('2026-11-24', 9))).digests).toBeNull();
    // Not in the afternoon either (a bot that was down all morning sends no "morning" digest).
    expect((await workers.watcher.tick(beijingInstant('2026-11-25', 13))).digests).toBeNull();
    const digest = await h.db.notification.findFirstOrThrow({
      where: { telegramId: 76_020n, kind: 'staff.digest' },
    });
    expect(digest.payload).toMatchObject({
      period: '2026-11-24',
      mineOverdue: 1,
      mineToday: 1,
      queueOverdue: 1,
      numbers: [overdue.number, today.number],
    });
    await workers.drain();
    const text = h.user(76_020).lastText();
    expect(text).toContain('已超期 1 件，今天到期 1 件');
    expect(text).toContain(overdue.number);
    expect(text).not.toContain(later.number);

    expect((await workers.watcher.tick(beijingInstant('2026-10-01', 9))).digests).toBeNull(); // National Day
    expect((await workers.watcher.tick(beijingInstant('2026-11-28', 9))).digests).toBeNull(); // a Saturday
    // A make-up working day (Saturday 10 October): the digest runs (nobody has anything due that day).
    expect((await workers.watcher.tick(beijingInstant('2026-10-10', 9))).digests).toBe(0);
    expect(await h.db.jobRun.findMany({ orderBy: { period: 'asc' }, select: { period: true } })).toEqual(
      expect.arrayContaining([{ period: '2026-10-10' }, { period: '2026-11-24' }]),
    );
    expect(
      await h.db.jobRun.count({ where: { period: { in: ['2026-10-01', '2026-11-28', '2026-11-25'] } } }),
    ).toBe(0);
  });
});

describe('answered cases close by themselves; the queue marks overdue ones', () => {
  it('closes resolved cases after 7 days, and keeps the newer ones', async () => {
    const old = await newCase('wanshan-education', 'EDW');
    const recent = await newCase('wanshan-education', 'EDW');
    await h.db.case.update({
      where: { id: old.id },
      data: { status: 'resolved', resolvedAt: minutes(-8 * 24 * 60) },
    });
    await h.db.case.update({
      where: { id: recent.id },
      data: { status: 'resolved', resolvedAt: minutes(-6 * 24 * 60) },
    });
    expect((await workers.watcher.tick(new Date())).closed).toBeGreaterThanOrEqual(1);
    expect((await h.db.case.findUniqueOrThrow({ where: { id: old.id } })).status).toBe('closed');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: recent.id } })).status).toBe('resolved');
    expect(
      await h.db.caseEvent.count({ where: { caseId: old.id, kind: 'closed', actorKind: 'system' } }),
    ).toBe(1);
  });

  it('marks overdue cases and urgent ones in the queue, urgent first', async () => {
    await makeStaff(h, 76_030, 'bijiang-education');
    const overdue = await newCase('bijiang-education', 'EDB', { dueAt: minutes(-60) });
    const urgent = await newCase('bijiang-education', 'EDB', { urgent: true, dueAt: minutes(120) });
    await h.user(76_030).text('/queue unassigned');
    const markup = h.calls.filter((c) => Number(c.payload.chat_id) === 76_030).at(-1)?.payload.reply_markup as
      | { inline_keyboard: { text: string }[][] }
      | undefined;
    const buttons = (markup?.inline_keyboard ?? []).flat().map((b) => b.text);
    expect(buttons[0]).toBe(`🔴${urgent.number} · 🏥 看病绿色通道 · 待受理`);
    expect(buttons[1]).toBe(`⏰${overdue.number} · 🏥 看病绿色通道 · 待受理`);
    expect(h.user(76_030).lastText()).toContain('没人受理的');
  });
});
