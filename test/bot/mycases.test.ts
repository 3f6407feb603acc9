import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { createCaseRepository } from '../../src/db/repositories/cases.ts';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';

let h: Harness;
let nextUserId = 50_000;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

async function resident(): Promise<SimUser> {
  const u = h.user(nextUserId++);
  await registerResident(u);
  return u;
}

let key = 0;
async function fileSuggestion(u: SimUser, text = '楼道灯坏了'): Promise<{ caseId: string; number: string }> {
  const r = await h.deps.cases.submit(
    u.id,
    'suggestion',
    {
      topic: { value: 'safety', label: '安全' },
      content: { value: text, label: text },
      anonymous: { value: 'named', label: '写上我的名字' },
    },
    `test:${u.id}:${key++}:suggestion`,
  );
  if (!r.ok) throw new Error(r.error);
  return { caseId: r.value.caseId, number: r.value.number };
}

/** What a staff member's action does to the case (the staff side has its own tests). */
async function staffMoves(caseId: string, from: string, to: string, kind: string, note?: string) {
  const outcome = await createCaseRepository(h.db).transition({
    caseId,
    from: [from as never],
    to: to as never,
    patch: to === 'resolved' ? { resolvedAt: new Date() } : {},
    event: {
      actorKind: 'staff',
      kind,
      noteCipher: note ? h.cipher.encrypt(note, piiAt.caseEventNote(caseId)) : null,
    },
  });
  expect(outcome).toBe('ok');
}

describe('/mycases', () => {
  it('lists a resident\u2019s cases newest first, five a page, with paging buttons', async () => {
    const u = await resident();
    const filed = [];
    for (let i = 0; i < 7; i++) {
      filed.push(await fileSuggestion(u, `意见 ${i}`));
      // At most MAX_OPEN_CASES_PER_SERVICE open at once: the middle ones are resolved.
      if (i >= 1 && i <= 4) await staffMoves(filed[i]?.caseId ?? '', 'submitted', 'resolved', 'resolved');
    }
    const first = await u.text('/mycases');
    expect(sentTexts(first)[0]).toContain('共 7 件，第 1/2 页');
    const labels = first.flatMap((c) =>
      ((c.payload.reply_markup as { inline_keyboard?: { text: string }[][] })?.inline_keyboard ?? [])
        .flat()
        .map((b) => b.text),
    );
    expect(labels.filter((l) => l.startsWith('SUG-'))).toHaveLength(5);
    expect(labels[0]).toContain(filed[6]?.number);
    await u.tap('下一页 ➡️');
    expect(u.lastText()).toContain('第 2/2 页');
    expect(u.findButton(new RegExp(filed[0]?.number ?? 'x'))).toBeDefined();
    await u.tap(new RegExp(filed[0]?.number ?? 'x'));
    expect(u.lastText()).toContain(`编号：${filed[0]?.number}`);
    expect(u.lastText()).toContain('已提交，等待受理');
  });

  it('says so when there is nothing yet', async () => {
    const u = await resident();
    expect(sentTexts(await u.text('/mycases'))[0]).toContain('还没有办过事');
  });

  it('another resident\u2019s case is "not found", by number and by a forged button', async () => {
    const owner = await resident();
    const { caseId, number } = await fileSuggestion(owner);
    const other = await resident();
    expect(sentTexts(await other.text(`/case ${number}`))[0]).toContain('没找到');
    for (const data of [`mc:open:${caseId}`, `mc:wdok:${caseId}`]) {
      await other.press(data);
      expect(other.lastText()).toContain('没找到');
    }
    const wd = await other.press(`mc:wd:${caseId}`);
    expect(wd.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('没找到');
    await other.press(`mc:ans:${caseId}`);
    expect(other.lastText()).toContain('没找到');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('submitted');
    // The owner finds it by number, typed loosely.
    await owner.text(`/case ${number.toLowerCase().replaceAll('-', ' ')}`);
    expect(owner.lastText()).toContain(`编号：${number}`);
    expect(sentTexts(await owner.text('/case'))[0]).toContain('/case EDU-2026-000042');
    expect(sentTexts(await owner.text('/case 12345'))[0]).toContain('没找到');
  });

  it('withdraws an open case after a confirmation; "no" keeps it', async () => {
    const u = await resident();
    const { caseId, number } = await fileSuggestion(u);
    await u.press(`mc:open:${caseId}`);
    await u.tap('↩️ 撤回');
    expect(u.lastText()).toContain(`确定要撤回 ${number}`);
    await u.tap('不撤回');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('submitted');
    await u.press(`mc:open:${caseId}`);
    await u.tap('↩️ 撤回');
    await u.tap('确定撤回');
    expect(u.lastText()).toContain('已经撤回了');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('withdrawn');
    await u.press(`mc:open:${caseId}`);
    expect(u.lastText()).toContain('状态：已撤回');
    expect(u.findButton('↩️ 撤回')?.messageId).toBeDefined(); // the old button is still in the chat …
    await u.press(`mc:wdok:${caseId}`);
    expect(u.lastText()).toContain('不能这样做了'); // … but does nothing now
  });

  it('answers a request for more information with text or a photo; the assignee is told', async () => {
    const u = await resident();
    const { caseId } = await fileSuggestion(u);
    const staff = await h.db.staffMember.create({
      data: {
        telegramId: 80_001n,
        role: 'staff',
        departmentCode: 'wanshan-neighbourhood',
        displayName: '王主任',
      },
    });
    await h.db.case.update({ where: { id: caseId }, data: { assigneeId: staff.id } });
    await staffMoves(caseId, 'submitted', 'accepted', 'taken');
    await staffMoves(caseId, 'accepted', 'waiting_resident', 'ask_info', '是哪一栋楼的楼道？');
    await u.press(`mc:open:${caseId}`);
    expect(u.lastText()).toContain('等您补充材料');
    expect(u.lastText()).toContain('是哪一栋楼的楼道？');
    await u.tap('✍️ 回答工作人员');
    expect(u.lastText()).toContain('工作人员想知道：\n是哪一栋楼的楼道？');
    expect(sentTexts(await u.sticker())[0]).toContain('文字、语音或照片');
    await u.send(
      u.message({
        photo: [{ file_id: 'p1', file_unique_id: 'p1u', width: 1, height: 1 }],
        caption: '3栋2单元',
      }),
    );
    expect(u.lastText()).toContain('已经交给工作人员');
    const c = await h.db.case.findUniqueOrThrow({ where: { id: caseId }, include: { attachments: true } });
    expect(c.status).toBe('in_progress');
    expect(c.attachments.map((a) => a.fileId)).toEqual(['p1']);
    const told = await h.db.notification.findMany({ where: { caseId, kind: 'staff.info_answered' } });
    expect(told.map((n) => n.telegramId)).toEqual([80_001n]);
    // Not waiting any more: the button no longer works.
    await u.press(`mc:ans:${caseId}`);
    expect(u.lastText()).toContain('工作人员现在没有问您问题');
  });

  it('rates a resolved case once, and may reopen it within seven days', async () => {
    const u = await resident();
    const { caseId } = await fileSuggestion(u);
    await staffMoves(caseId, 'submitted', 'accepted', 'taken');
    await staffMoves(caseId, 'accepted', 'resolved', 'resolved', '已经换了新灯泡。');
    await u.press(`mc:open:${caseId}`);
    expect(u.lastText()).toContain('已经换了新灯泡');
    await u.tap('⭐ 评价');
    await u.tap('⭐⭐⭐⭐ 满意');
    expect(sentTexts(await u.text('谢'.repeat(501)))[0]).toContain('太长');
    await u.text('修得很快，谢谢');
    expect(u.lastText()).toContain('谢谢您的评价');
    const rated = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(rated.rating).toBe(4);
    expect(h.cipher.decrypt(rated.commentCipher as Uint8Array, piiAt.caseRatingComment(caseId))).toBe(
      '修得很快，谢谢',
    );
    // Stored encrypted: the comment is not in the row's text.
    const dump = await h.db.$queryRawUnsafe<{ dump: string }[]>(
      `select c::text as dump from "case" c where id = '${caseId}'`,
    );
    expect(dump[0]?.dump).not.toContain('修得很快');
    // Rated once only: said at the press, before any question.
    expect(sentTexts(await u.press(`mc:rate:${caseId}`))).toEqual([expect.stringContaining('已经评价过了')]);
    await u.press(`mc:open:${caseId}`);
    await u.tap('🔄 重新办理');
    await u.text('灯又坏了');
    expect(u.lastText()).toContain('重新交给工作人员');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('in_progress');
  });

  it('a case resolved more than seven days ago cannot be reopened', async () => {
    const u = await resident();
    const { caseId } = await fileSuggestion(u);
    await staffMoves(caseId, 'submitted', 'accepted', 'taken');
    await staffMoves(caseId, 'accepted', 'resolved', 'resolved', '处理好了');
    await h.db.case.update({
      where: { id: caseId },
      data: { resolvedAt: new Date(Date.now() - 8 * 86_400_000) },
    });
    await u.press(`mc:open:${caseId}`);
    expect(u.findButton('🔄 重新办理')).toBeUndefined();
    // Said at the press, before the reason is asked.
    expect(sentTexts(await u.press(`mc:reopen:${caseId}`))).toEqual([expect.stringContaining('超过 7 天')]);
    await u.text('还是没修好');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('resolved');
  });
});
