// The closed loop through the real bot: a resident files, staff take it, ask for more, the resident answers,
// staff resolve, the resident is told at every step (through the outbox and the dispatcher) and rates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, sentTexts } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { type CaseWorkers, caseWorkers, fileSuggestion, makeStaff } from '../support/staff-scene.ts';

let h: Harness;
let workers: CaseWorkers;
beforeAll(async () => {
  h = await createHarness();
  workers = caseWorkers(h);
});
afterAll(() => h.close());

describe('the full loop', () => {
  it('files, takes, asks, answers, resolves and rates, with the resident told at each step', async () => {
    const resident = h.user(61_001);
    const idNumber = await registerResident(resident);
    await resident.text('/services');
    await resident.tap('📮 意见箱');
    await resident.tap('安全');
    await resident.text('3栋楼道的灯坏了一个星期了');
    await resident.tap('没有，跳过');
    await resident.tap('写上我的名字');
    await resident.tap('✅ 对的，提交');
    const number = /SUG-\d{4}-\d{6}/.exec(resident.lastText())?.[0] as string;
    expect(number).toBeDefined();

    await makeStaff(h, 71_001, 'wanshan-neighbourhood', { displayName: '王主任' });
    const staff = h.user(71_001, { firstName: '王' });
    expect(sentTexts(await staff.text('/queue')).join('\n')).toContain('共 1 件');
    expect(staff.findButton(new RegExp(number))).toBeDefined();

    const taken = sentTexts(await staff.text('/next'));
    expect(taken[0]).toContain(`您受理了 ${number}`);
    const card = taken[1] ?? '';
    expect(card).toContain('杨光明');
    expect(card).toContain('138****1234');
    expect(card).toContain('522*************');
    expect(card).not.toContain(idNumber);
    expect(card).toContain('3栋楼道的灯坏了一个星期了');

    expect(await workers.drain()).toBe(1);
    expect(resident.lastText()).toContain('您的事已经受理了');
    expect(resident.lastText()).toContain(number);

    // Ask for more.
    await staff.tap('❓ 请居民补充');
    expect(staff.lastText()).toContain('想请居民补充什么');
    expect(sentTexts(await staff.sticker())[0]).toContain('请打字');
    await staff.text('是哪个单元的楼道？');
    expect(staff.lastText()).toContain('是哪个单元的楼道？');
    await staff.tap('✅ 确定');
    expect(staff.lastText()).toContain('已经问了居民');
    expect((await h.db.case.findFirstOrThrow({ where: { number } })).status).toBe('waiting_resident');

    await workers.drain();
    expect(resident.lastText()).toContain('工作人员想请您补充一点情况');
    expect(resident.lastText()).toContain('是哪个单元的楼道？');
    await resident.tap('✍️ 回答工作人员');
    expect(resident.lastText()).toContain('是哪个单元的楼道？');
    await resident.text('2单元，3楼到5楼都不亮');
    expect(resident.lastText()).toContain('已经交给工作人员');

    await workers.drain();
    expect(staff.lastText()).toContain(`居民回答了您的问题：${number}`);
    await staff.tap('📋 打开');
    expect(staff.lastText()).toContain('2单元，3楼到5楼都不亮');
    expect(staff.lastText()).toContain('状态：办理中');

    // Resolve.
    await staff.tap('✅ 办结');
    await staff.text('已经换了新灯泡，3楼到5楼都亮了。');
    await staff.tap('✅ 确定');
    expect(staff.lastText()).toContain('已办结');
    await workers.drain();
    expect(resident.lastText()).toContain('您的事办好了');
    expect(resident.lastText()).toContain('已经换了新灯泡');

    await resident.tap('⭐ 评价');
    await resident.tap('⭐⭐⭐⭐⭐ 很满意');
    await resident.tap('跳过');
    expect(resident.lastText()).toContain('谢谢您的评价');
    await workers.drain();
    expect(staff.lastText()).toContain(`居民给 ${number}`);
    expect(staff.lastText()).toContain('很满意');

    const c = await h.db.case.findFirstOrThrow({ where: { number } });
    expect(c.status).toBe('resolved');
    expect(c.rating).toBe(5);
    expect(c.firstResponseAt).not.toBeNull();
    expect(c.resolvedAt).not.toBeNull();

    // The resident's own history shows each step.
    await resident.text(`/case ${number}`);
    const history = resident.lastText();
    expect(history).toContain('是哪个单元的楼道？');
    expect(history).toContain('已经换了新灯泡');

    // Every notification was sent; none holds the words in clear.
    const notes = await h.db.notification.findMany({ where: { caseId: c.id } });
    expect(notes.map((n) => n.status).every((s) => s === 'sent')).toBe(true);
    expect(notes.map((n) => n.kind).sort()).toEqual(
      [
        'resident.case_taken',
        'resident.info_requested',
        'resident.resolved',
        'staff.case_rated',
        'staff.info_answered',
      ].sort(),
    );
    const payloads = JSON.stringify(notes.map((n) => n.payload));
    expect(payloads).not.toContain('单元');
    expect(payloads).not.toContain('灯泡');

    const audit = await h.db.auditLog.findMany({ where: { caseId: c.id }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['case.take', 'case.view', 'case.ask_info', 'case.resolve']),
    );
    expect(audit.every((a) => a.actorTelegramId === 71_001n)).toBe(true);
  });

  it('a reply and an internal note: the resident sees the reply, never the note', async () => {
    const resident = h.user(61_002);
    await registerResident(resident);
    const { caseId, number } = await fileSuggestion(h, resident);
    await makeStaff(h, 71_002, 'wanshan-neighbourhood');
    const staff = h.user(71_002);
    await staff.press(`st:take:${caseId}`);
    await staff.tap('📝 内部备注');
    await staff.text('这个楼道上个月也报过，物业拖着不修');
    await staff.tap('✅ 确定');
    expect(staff.lastText()).toContain('内部备注已保存');
    await staff.press(`st:open:${caseId}`);
    await staff.tap('💬 回复居民');
    await staff.text('我们已经通知物业，明天上午来修。');
    await staff.tap('✅ 确定');
    await workers.drain();
    expect(resident.lastText()).toContain('明天上午来修');
    await resident.text(`/case ${number}`);
    expect(resident.lastText()).toContain('明天上午来修');
    expect(resident.lastText()).not.toContain('物业拖着不修');
    await staff.press(`st:open:${caseId}`);
    expect(staff.lastText()).toContain('物业拖着不修');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('in_progress');
  });

  it('rejects with the reason, and the guided step refuses bad input', async () => {
    const resident = h.user(61_003);
    await registerResident(resident);
    const { caseId } = await fileSuggestion(h, resident);
    await makeStaff(h, 71_003, 'wanshan-neighbourhood');
    const staff = h.user(71_003);
    await staff.press(`st:take:${caseId}`);
    await staff.tap('⛔ 驳回');
    // A command puts the step aside (nothing kept) and is done; the step starts again from the card.
    const aside = sentTexts(await staff.text('/queue'));
    expect(aside[0]).toBe('刚才没填完的《办件处理》先放下了（没有保存），想重新填发 /queue');
    expect(aside.length).toBeGreaterThan(1);
    await staff.tap('⛔ 驳回');
    expect(sentTexts(await staff.text('长'.repeat(2001)))[0]).toContain('最多 2000 个字');
    expect(sentTexts(await staff.text('   '))[0]).toContain('请打字');
    await staff.text('这件事归供电所管，我们已经转告了。');
    await staff.tap('✏️ 重写');
    await staff.text('这件事归供电所管，请拨打 95598。');
    await staff.tap('✅ 确定');
    await workers.drain();
    expect(resident.lastText()).toContain('没能办成');
    expect(resident.lastText()).toContain('95598');
    expect(resident.lastText()).not.toContain('转告了');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('rejected');
  });

  it('/cancel leaves a guided step without changing anything', async () => {
    const resident = h.user(61_004);
    await registerResident(resident);
    const { caseId } = await fileSuggestion(h, resident);
    await makeStaff(h, 71_004, 'wanshan-neighbourhood');
    const staff = h.user(71_004);
    await staff.press(`st:take:${caseId}`);
    await staff.tap('✅ 办结');
    await staff.text('办好了');
    await staff.text('/cancel');
    expect(staff.lastText()).toContain('已经退出');
    await staff.press('sa:send');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('accepted');
  });
});
