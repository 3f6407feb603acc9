// Invite codes: an admin makes one for a department (or a community), the person joins with /join; a code
// works once, expires after 48 hours, is stored only as a keyed hash, and guessing is throttled. The admin
// is told when their code is used, and may withdraw it while it is unused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { caseWorkers, textsTo } from '../support/staff-scene.ts';

const ADMIN = 75_999;
const ADMIN_2 = 75_998;
const clock = { offsetMs: 0 };
let h: Harness;
let admin: SimUser;
beforeAll(async () => {
  h = await createHarness({ adminIds: [ADMIN, ADMIN_2], now: () => new Date(Date.now() + clock.offsetMs) });
  admin = h.user(ADMIN);
});
afterAll(() => h.close());

/** An invite made through the admin's buttons; returns the code as shown. */
async function invite(role: 'staff' | 'worker', unitLabel: string): Promise<string> {
  await admin.text('/invite');
  await admin.tap(role === 'staff' ? '👔 部门工作人员' : '🏘 社区工作者');
  await admin.tap(unitLabel);
  const shown = admin.lastText();
  const code = /邀请码：([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})/.exec(shown)?.[1];
  if (!code) throw new Error(`no code in: ${shown}`);
  return code;
}

describe('invite codes', () => {
  it('an admin invites a staff member, who joins and gets the staff menu and commands', async () => {
    const code = await invite('staff', '万山区教育局');
    expect(admin.lastText()).toContain('万山区教育局');
    const person = h.user(75_001, { firstName: '李老师' });
    const calls = await person.text(`/join ${code.toLowerCase().replaceAll('-', ' ')}`);
    expect(sentTexts(calls)[0]).toContain('您现在是万山区教育局的工作人员');
    const menu = calls.find((c) => c.method === 'setMyCommands');
    const commands = ((menu?.payload.commands ?? []) as { command: string }[]).map((c) => c.command);
    expect(commands).toEqual(expect.arrayContaining(['queue', 'next', 'open', 'duty']));
    expect(commands).not.toContain('invite');
    expect(menu?.payload.scope).toEqual({ type: 'chat', chat_id: 75_001 });
    const member = await h.db.staffMember.findFirstOrThrow({ where: { telegramId: 75_001n } });
    expect(member).toMatchObject({
      role: 'staff',
      departmentCode: 'wanshan-education',
      displayName: '李老师',
    });
    expect(sentTexts(await person.text('/queue'))[0]).toContain('万山区教育局');
    expect(sentTexts(await person.text('/help'))[0]).toContain('/next');
  });

  it('is stored only as a keyed hash, and works once', async () => {
    const code = await invite('staff', '万山区民政局');
    const rows = await h.db.inviteCode.findMany();
    const plain = code.replaceAll('-', '');
    for (const r of rows) expect(Buffer.from(r.codeHash).toString('latin1')).not.toContain(plain);
    const audit = await h.db.auditLog.findMany({ where: { action: 'invite.created' } });
    expect(JSON.stringify(audit, (_, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(plain);
    await h.user(75_002).text(`/join ${code}`);
    const again = await h.user(75_003).text(`/join ${code}`);
    expect(sentTexts(again)[0]).toContain('已经用过');
    expect(await h.db.staffMember.count({ where: { telegramId: 75_003n } })).toBe(0);
  });

  it('expires after 48 hours', async () => {
    const code = await invite('staff', '万山区卫生健康局');
    clock.offsetMs = 48 * 3600_000 + 60_000;
    try {
      const late = await h.user(75_004).text(`/join ${code}`);
      expect(sentTexts(late)[0]).toContain('已经过期');
      expect(await h.db.staffMember.count({ where: { telegramId: 75_004n } })).toBe(0);
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('wrong codes are refused; after five in an hour even the right one waits, then works', async () => {
    const code = await invite('staff', '万山区人力资源和社会保障局');
    const guesser = h.user(75_005);
    expect(sentTexts(await guesser.text('/join'))[0]).toContain('/join ABCD-EFGH-JKMN');
    expect(sentTexts(await guesser.text('/join hello'))[0]).toContain('邀请码不对');
    for (let i = 0; i < 4; i++) {
      expect(sentTexts(await guesser.text(`/join ABCD-EFGH-JK${'MNPQ'[i]}${'RSTU'[i]}`))[0]).toContain(
        '邀请码不对',
      );
    }
    const throttled = await guesser.text(`/join ${code}`);
    expect(sentTexts(throttled)[0]).toContain('一个小时以后再试');
    expect(await h.db.staffMember.count({ where: { telegramId: 75_005n } })).toBe(0);
    expect(
      await h.db.auditLog.count({ where: { actorTelegramId: 75_005n, action: 'invite.rejected' } }),
    ).toBe(5);
    expect(
      await h.db.auditLog.count({ where: { actorTelegramId: 75_005n, action: 'invite.throttled' } }),
    ).toBe(1);
    // Someone else is not held up by this person's guessing.
    clock.offsetMs = 61 * 60_000;
    try {
      expect(sentTexts(await guesser.text(`/join ${code}`))[0]).toContain('工作人员');
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('a community worker joins as a worker: no staff commands', async () => {
    const code = await invite('worker', '旺家社区');
    const worker = h.user(75_006);
    expect(sentTexts(await worker.text(`/join ${code}`))[0]).toContain('旺家社区的社区工作者');
    expect(await h.db.staffMember.findFirstOrThrow({ where: { telegramId: 75_006n } })).toMatchObject({
      role: 'worker',
      communityCode: 'wanshan-wangjia',
      departmentCode: null,
    });
    expect(sentTexts(await worker.text('/next'))[0]).toContain('只给部门工作人员用');
  });

  it('one membership per role: a second staff code is refused and stays unused', async () => {
    const code = await invite('staff', '碧江区教育局');
    const calls = await h.user(75_001).text(`/join ${code}`);
    expect(sentTexts(calls)[0]).toContain('您已经有这个身份了');
    expect(await h.db.staffMember.count({ where: { telegramId: 75_001n, active: true } })).toBe(1);
    const fresh = await h.user(75_007).text(`/join ${code}`);
    expect(sentTexts(fresh)[0]).toContain('碧江区教育局');
  });

  it('removal takes effect on the very next action and resets the menu', async () => {
    const code = await invite('staff', '松桃苗族自治县教育局');
    const person = h.user(75_008, { firstName: '赵' });
    await person.text(`/join ${code}`);
    expect(sentTexts(await person.text('/queue'))[0]).toContain('松桃苗族自治县教育局');
    await admin.text('/staff');
    expect(admin.lastText()).toContain('赵');
    const calls = await admin.tap('❌ 移除 赵');
    expect(sentTexts(calls)[0]).toContain('确定移除 赵');
    const done = await admin.tap('确定移除');
    expect(sentTexts(done)[0]).toContain('已移除 赵');
    const menu = done.find((c) => c.method === 'setMyCommands');
    expect(menu?.payload.scope).toEqual({ type: 'chat', chat_id: 75_008 });
    expect(((menu?.payload.commands ?? []) as { command: string }[]).map((c) => c.command)).not.toContain(
      'queue',
    );
    expect(sentTexts(await person.text('/queue'))[0]).toContain('只给部门工作人员用');
    const audit = await h.db.auditLog.findFirstOrThrow({ where: { action: 'staff.removed' } });
    expect(audit.actorTelegramId).toBe(BigInt(ADMIN));
    // The old button does nothing now.
    const stale = await admin.press(
      `ad:rmok:${(await h.db.staffMember.findFirstOrThrow({ where: { telegramId: 75_008n } })).id}`,
    );
    expect(stale.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('已经不在名单里');
  });

  it('removing a community worker cancels their scheduled notices, and the admin is told how many', async () => {
    const code = await invite('worker', '旺家社区');
    const worker = h.user(75_009, { firstName: '钱' });
    await worker.text(`/join ${code}`);
    const later = new Date(Date.now() + 24 * 3600_000);
    for (const n of [1, 2])
      await h.db.notice.create({
        data: {
          communityCode: 'wanshan-wangjia',
          authorTelegramId: 75_009n,
          authorChatId: 75_009n,
          authorLocale: 'zh-CN',
          textZh: `停水通知 ${n}`,
          audience: 'community',
          important: false,
          scheduledAt: later,
          requestKey: `invites-test-${n}`,
        },
      });
    await admin.text('/staff');
    await admin.tap('❌ 移除 钱');
    const done = sentTexts(await admin.tap('确定移除'))[0];
    expect(done).toContain('已移除 钱');
    expect(done).toContain('还没发出的 2 条通知也已取消');
    expect(await h.db.notice.count({ where: { authorTelegramId: 75_009n, status: 'cancelled' } })).toBe(2);
  });

  it('the admin who made the code is told who joined with it, as what', async () => {
    const other = h.user(ADMIN_2);
    await other.text('/invite');
    await other.tap('🏘 社区工作者');
    await other.tap('旺家社区');
    const code = /邀请码：([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})/.exec(other.lastText())?.[1] ?? '';
    const person = h.user(75_010, { firstName: '孙' });
    await person.text(`/join ${code}`);
    const note = await h.db.notification.findFirstOrThrow({
      where: { telegramId: BigInt(ADMIN_2), kind: 'admin.invite_used' },
    });
    // The outbox row holds a reference only; the name is read when it is sent.
    expect(JSON.stringify(note.payload)).not.toContain('孙');
    const workers = caseWorkers(h);
    expect(await workers.drain()).toBeGreaterThanOrEqual(1);
    const told = textsTo(h.calls, ADMIN_2).at(-1) ?? '';
    expect(told).toContain('您发的邀请码刚刚被使用了');
    expect(told).toContain('孙 已经加入旺家社区，身份是社区工作者');
    // Only that admin: not the other one.
    expect(textsTo(h.calls, ADMIN).join('\n')).not.toContain('孙 已经加入');
  });

  it('an unused code can be withdrawn (audited); then it is refused like a wrong one', async () => {
    const code = await invite('staff', '碧江区民政局');
    const calls = await admin.tap('🚫 作废这个邀请码');
    expect(sentTexts(calls)[0]).toContain('这个邀请码已经作废');
    const invite_ = await h.db.inviteCode.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    expect(invite_.revokedAt).not.toBeNull();
    expect(
      await h.db.auditLog.findFirstOrThrow({
        where: { action: 'invite.revoked' },
        select: { actorTelegramId: true, detail: true },
      }),
    ).toEqual({ actorTelegramId: BigInt(ADMIN), detail: { inviteId: invite_.id } });
    const late = await h.user(75_011).text(`/join ${code}`);
    expect(sentTexts(late)[0]).toContain('这个邀请码不对，或者已经用过、已经过期了');
    expect(await h.db.staffMember.count({ where: { telegramId: 75_011n } })).toBe(0);
    // Pressing it again, or on a code already used, changes nothing.
    const again = await admin.press(`ad:invx:${invite_.id}`);
    expect(again.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain(
      '已经过期或者已经作废',
    );
    await invite('staff', '碧江区卫生健康局');
    const used = await h.db.inviteCode.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    await h.user(75_012).text(`/join ${admin.lastText().match(/[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}/)?.[0]}`);
    const tooLate = await admin.press(`ad:invx:${used.id}`);
    expect(tooLate.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('已经有人用过了');
    expect(await h.db.staffMember.count({ where: { telegramId: 75_012n, active: true } })).toBe(1);
    // Someone who is not an admin cannot withdraw a code.
    const other = await invite('staff', '松桃苗族自治县民政局');
    const pending = await h.db.inviteCode.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    const forged = await h.user(75_013).press(`ad:invx:${pending.id}`);
    expect(forged.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toBeTruthy();
    expect((await h.db.inviteCode.findUniqueOrThrow({ where: { id: pending.id } })).revokedAt).toBeNull();
    expect(sentTexts(await h.user(75_013).text(`/join ${other}`))[0]).toContain('松桃苗族自治县民政局');
  });
});
