// The access matrix: resident / staff of the right department / staff of another / removed staff / admin ×
// every action on a case, by command and by forged button. Everyone who may not see the case gets the same
// "not found" answer and an audit row; the case and the outbox stay as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { type ApiCall, createHarness, type Harness, type SimUser } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { fileSuggestion, makeStaff } from '../support/staff-scene.ts';

const ADMIN = 74_999;
const DEPARTMENT = 'wanshan-neighbourhood';
const NOT_FOUND = '没找到这件事，或者您没有权限看';

let h: Harness;
let resident: SimUser;
let holder: SimUser;
let colleague: SimUser;
let outsider: SimUser;
let removed: SimUser;
let admin: SimUser;
let caseId: string;
let number: string;

beforeAll(async () => {
  h = await createHarness({ adminIds: [ADMIN] });
  resident = h.user(64_001);
  await registerResident(resident);
  ({ caseId, number } = await fileSuggestion(h, resident));
  await makeStaff(h, 74_001, DEPARTMENT, { displayName: '经办人' });
  await makeStaff(h, 74_002, DEPARTMENT, { displayName: '同事' });
  await makeStaff(h, 74_003, 'bijiang-neighbourhood', { displayName: '别区' });
  const removedId = await makeStaff(h, 74_004, DEPARTMENT, { displayName: '已离职' });
  holder = h.user(74_001);
  colleague = h.user(74_002);
  outsider = h.user(74_003);
  removed = h.user(74_004);
  admin = h.user(ADMIN);
  await holder.press(`st:take:${caseId}`);
  expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).assigneeId).not.toBeNull();
  // Removed through the admin's own commands.
  await admin.text('/staff');
  await admin.press(`ad:rm:${removedId}`);
  await admin.tap('确定移除');
  expect(admin.lastText()).toContain('已移除 已离职');
});
afterAll(() => h.close());

/** What the person was told: messages to their chat and the answer to their button. */
function told(calls: ApiCall[], u: SimUser): string {
  return calls
    .filter(
      (c) =>
        (c.method === 'sendMessage' && Number(c.payload.chat_id) === u.id) ||
        c.method === 'answerCallbackQuery',
    )
    .map((c) => String(c.payload.text ?? ''))
    .join('\n');
}

const CASE_ACTIONS: [string, (u: SimUser) => Promise<ApiCall[]>][] = [
  ['open by number', (u) => u.text(`/open ${number}`)],
  ['open', (u) => u.press(`st:open:${caseId}`)],
  ['take', (u) => u.press(`st:take:${caseId}`)],
  ['show ID', (u) => u.press(`st:id:${caseId}`)],
  ['attachments', (u) => u.press(`st:files:${caseId}`)],
  ['everything', (u) => u.press(`st:full:${caseId}`)],
  ['reply', (u) => u.press(`st:act:reply:${caseId}`)],
  ['ask', (u) => u.press(`st:act:ask:${caseId}`)],
  ['note', (u) => u.press(`st:act:note:${caseId}`)],
  ['resolve', (u) => u.press(`st:act:resolve:${caseId}`)],
  ['reject', (u) => u.press(`st:act:reject:${caseId}`)],
  ['transfer', (u) => u.press(`st:act:transfer:${caseId}`)],
  ['release', (u) => u.press(`st:rel:${caseId}`)],
  ['release, confirmed', (u) => u.press(`st:relok:${caseId}`)],
];

async function snapshot() {
  const c = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
  return {
    status: c.status,
    assigneeId: c.assigneeId,
    departmentCode: c.departmentCode,
    events: await h.db.caseEvent.count({ where: { caseId } }),
    notifications: await h.db.notification.count({ where: { caseId } }),
  };
}

describe('who may do what on a case', () => {
  for (const [who, pick] of [
    ['a resident', () => resident],
    ['staff of another department', () => outsider],
    ['removed staff', () => removed],
    ['an admin who is not staff', () => admin],
  ] as const) {
    it(`${who}: every action, by command and by forged button, is "not found" and audited`, async () => {
      const u = pick();
      const before = await snapshot();
      for (const [action, run] of CASE_ACTIONS) {
        const denied = await h.db.auditLog.count({
          where: { actorTelegramId: BigInt(u.id), action: 'access.denied' },
        });
        const calls = await run(u);
        expect(told(calls, u), `${who} / ${action}`).toContain(NOT_FOUND);
        expect(told(calls, u), `${who} / ${action}: nothing of the case shown`).not.toContain('楼道的灯坏了');
        expect(
          await h.db.auditLog.count({ where: { actorTelegramId: BigInt(u.id), action: 'access.denied' } }),
          `${who} / ${action}: audited`,
        ).toBeGreaterThan(denied);
      }
      // The queue commands: refused to anyone who is not staff now; staff of another department see their own
      // department's queue, where this case is not.
      for (const command of ['/queue', '/next', '/duty']) {
        const answer = told(await u.text(command), u);
        if (u === outsider) expect(answer).not.toContain(number);
        else expect(answer).toContain('只给部门工作人员用');
      }
      expect(await snapshot()).toEqual(before);
      const rows = await h.db.auditLog.findMany({
        where: { actorTelegramId: BigInt(u.id), action: 'access.denied', caseId },
      });
      expect(rows.length).toBeGreaterThanOrEqual(CASE_ACTIONS.length - 1);
    });
  }

  it('a forged button with a made-up id or shape is refused and audited too', async () => {
    for (const data of [
      'st:open:00000000-0000-4000-8000-000000000000',
      'st:open:not-a-case',
      'st:act:delete:00000000-0000-4000-8000-000000000000',
      'sq:everything:0',
    ]) {
      const before = await h.db.auditLog.count({ where: { actorTelegramId: BigInt(outsider.id) } });
      const calls = await outsider.press(data);
      expect(told(calls, outsider)).toContain(NOT_FOUND);
      expect(await h.db.auditLog.count({ where: { actorTelegramId: BigInt(outsider.id) } })).toBe(before + 1);
    }
  });

  it('a colleague of the department may see the case and leave a note, but not act on a case held by another', async () => {
    const card = await colleague.press(`st:open:${caseId}`);
    expect(told(card, colleague)).toContain(`📋 ${number}`);
    expect(told(card, colleague)).toContain('经办人：经办人');
    for (const action of ['reply', 'ask', 'resolve', 'reject', 'transfer']) {
      expect(told(await colleague.press(`st:act:${action}:${caseId}`), colleague)).toContain('不归您办');
    }
    expect(told(await colleague.press(`st:rel:${caseId}`), colleague)).toContain('不归您办');
    expect(told(await colleague.press(`st:take:${caseId}`), colleague)).toContain('别人刚刚已经处理了');
    await colleague.press(`st:act:note:${caseId}`);
    await colleague.text('我认识这家人，可以帮忙联系');
    await colleague.tap('✅ 确定');
    expect(colleague.lastText()).toContain('内部备注已保存');
    const shown = told(await colleague.press(`st:id:${caseId}`), colleague);
    expect(shown).toContain('完整身份信息');
  });

  it('the holder may do everything; showing the full ID is written to the audit log', async () => {
    const row = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(resident.id) } });
    const full = h.cipher.decrypt(row.idNumberCipher, piiAt.residentIdNumber(row.id));
    const card = told(await holder.press(`st:open:${caseId}`), holder);
    expect(card).not.toContain(full);
    const views = await h.db.auditLog.count({ where: { caseId, action: 'pii.view' } });
    const shown = await holder.press(`st:id:${caseId}`);
    expect(told(shown, holder)).toContain(full);
    expect(told(shown, holder)).toContain('13800001234');
    expect(shown.find((c) => c.method === 'sendMessage')?.payload.protect_content).toBe(true);
    const rows = await h.db.auditLog.findMany({
      where: { caseId, action: 'pii.view' },
      orderBy: { id: 'asc' },
    });
    expect(rows).toHaveLength(views + 1);
    expect(rows.at(-1)?.actorTelegramId).toBe(74_001n);
    expect(rows.at(-1)?.subject).toContain('resident:');
    // The audit log keeps no personal data itself.
    expect(JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain(full);
  });

  it('a member removed in the middle of a guided step is refused when it is carried out', async () => {
    const other = h.user(64_002);
    await registerResident(other);
    const second = await fileSuggestion(h, other);
    const leavingId = await makeStaff(h, 74_005, DEPARTMENT, { displayName: '要走的人' });
    const leaving = h.user(74_005);
    await leaving.press(`st:take:${second.caseId}`);
    await leaving.press(`st:act:resolve:${second.caseId}`);
    await leaving.text('办好了');
    await admin.press(`ad:rm:${leavingId}`);
    await admin.tap('确定移除');
    expect(admin.lastText()).toContain('1 件没办完的事放回了队列');
    await leaving.tap('✅ 确定');
    expect(leaving.lastText()).toContain(NOT_FOUND);
    const c = await h.db.case.findUniqueOrThrow({ where: { id: second.caseId } });
    expect(c.status).toBe('submitted');
    expect(c.assigneeId).toBeNull();
    expect(
      await h.db.notification.count({ where: { caseId: second.caseId, kind: 'resident.resolved' } }),
    ).toBe(0);
  });
});

describe('who may administer', () => {
  const ADMIN_ACTIONS: [string, (u: SimUser) => Promise<ApiCall[]>][] = [
    ['/invite', (u) => u.text('/invite')],
    ['/staff', (u) => u.text('/staff')],
    ['/canned', (u) => u.text('/canned')],
    ['/stats', (u) => u.text('/stats')],
    ['/export', (u) => u.text('/export')],
    ['invite button', (u) => u.press('ad:inv:d:wanshan-neighbourhood')],
    ['remove button', (u) => u.press('ad:rmok:00000000-0000-4000-8000-000000000000')],
    ['export button', (u) => u.press('ad:exp:pii:20260101:20270101')],
    // (The "confirmed export with personal data" button is gone: that export is the console's now.)
    ['canned add', (u) => u.press('ad:cnadd:wanshan-neighbourhood')],
  ];
  for (const [who, pick] of [
    ['a resident', () => resident],
    ['department staff', () => holder],
  ] as const) {
    it(`${who}: refused, audited, nothing made`, async () => {
      const u = pick();
      for (const [action, run] of ADMIN_ACTIONS) {
        const before = await h.db.auditLog.count({
          where: { actorTelegramId: BigInt(u.id), action: 'access.denied' },
        });
        const calls = await run(u);
        expect(told(calls, u), action).toContain('只有管理员能用');
        expect(
          calls.some((c) => c.method === 'sendDocument'),
          action,
        ).toBe(false);
        expect(
          await h.db.auditLog.count({ where: { actorTelegramId: BigInt(u.id), action: 'access.denied' } }),
          action,
        ).toBeGreaterThan(before);
      }
      expect(await h.db.inviteCode.count({ where: { createdBy: BigInt(u.id) } })).toBe(0);
    });
  }
});
