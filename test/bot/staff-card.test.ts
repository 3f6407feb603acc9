// The case card: attachments sent back as the photos, voice messages and documents they were (audited);
// an anonymous suggestion never shows the resident; long cases fit Telegram's limits; English-speaking
// staff get English; the command menus of staff chats.
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCommandMenus } from '../../src/bot/commands.ts';
import { createStaffRepository } from '../../src/db/repositories/staff.ts';
import { createHarness, fakeTelegram, type Harness, sentTexts, TEST_TOKEN } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { fileSuggestion, makeStaff } from '../support/staff-scene.ts';

let h: Harness;
let key = 0;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('the case card', () => {
  it('sends the attachments back as what they were, protected, and audits the view', async () => {
    const resident = h.user(67_001);
    await registerResident(resident);
    const r = await h.deps.cases.submit(
      resident.id,
      'suggestion',
      {
        topic: { value: 'environment', label: '环境卫生' },
        content: {
          value: null,
          label: '🎤 语音（3 秒）',
          files: [{ kind: 'voice', fileId: 'voice-1', fileUniqueId: 'voice-1u', durationSeconds: 3 }],
        },
        photo: {
          value: null,
          label: '2 张照片',
          files: [
            { kind: 'photo', fileId: 'photo-1', fileUniqueId: 'photo-1u', sizeBytes: 90_000 },
            { kind: 'document', fileId: 'doc-1', fileUniqueId: 'doc-1u', mimeType: 'application/pdf' },
          ],
        },
        anonymous: { value: 'named', label: '写上我的名字' },
      },
      `card-test:${key++}`,
    );
    if (!r.ok) throw new Error(r.error);
    await makeStaff(h, 78_001, 'wanshan-neighbourhood');
    const staff = h.user(78_001);
    const card = sentTexts(await staff.press(`st:open:${r.value.caseId}`))[0] ?? '';
    expect(card).toContain('意见内容：🎤 语音 0:03（📎 1 个文件）');
    expect(card).toContain('📎 附件共 3 个');
    const calls = await staff.tap('📎 附件（3）');
    const sent = calls.filter((c) => ['sendPhoto', 'sendVoice', 'sendDocument'].includes(c.method));
    expect(sent.map((c) => [c.method, c.payload.photo ?? c.payload.voice ?? c.payload.document])).toEqual(
      expect.arrayContaining([
        ['sendVoice', 'voice-1'],
        ['sendPhoto', 'photo-1'],
        ['sendDocument', 'doc-1'],
      ]),
    );
    expect(sent.every((c) => c.payload.protect_content === true)).toBe(true);
    expect(
      await h.db.auditLog.count({
        where: { caseId: r.value.caseId, action: 'pii.view', subject: 'attachments' },
      }),
    ).toBe(1);
  });

  it('an anonymous suggestion shows staff no name, phone, ID or address, and "show ID" is refused', async () => {
    const resident = h.user(67_002);
    const idNumber = await registerResident(resident, { name: '匿名人' });
    const { caseId } = await fileSuggestion(h, resident, { anonymous: true, text: '物业乱收费' });
    await makeStaff(h, 78_002, 'wanshan-neighbourhood');
    const staff = h.user(78_002);
    const card = sentTexts(await staff.press(`st:open:${caseId}`))[0] ?? '';
    expect(card).toContain('匿名意见');
    expect(card).toContain('物业乱收费');
    for (const hidden of ['匿名人', '1234', idNumber.slice(-4), '302', '3栋'])
      expect(card).not.toContain(hidden);
    expect(staff.findButton('🪪 看完整身份证号')).toBeUndefined();
    const forged = await staff.press(`st:id:${caseId}`);
    expect(sentTexts(forged)[0]).toContain('匿名意见，没有可以显示的身份信息');
    expect(await h.db.auditLog.count({ where: { caseId, action: 'pii.view' } })).toBe(0);
    expect(
      await h.db.auditLog.count({ where: { caseId, action: 'access.denied', actorTelegramId: 78_002n } }),
    ).toBe(1);
    // The answer still reaches the resident.
    await staff.press(`st:take:${caseId}`);
    expect((await h.deps.staff.reply(78_002, caseId, '已经约谈物业')).ok).toBe(true);
    const n = await h.db.notification.findFirstOrThrow({ where: { caseId, kind: 'resident.reply' } });
    expect(n.telegramId).toBe(BigInt(resident.id));
  });

  it('a case whose resident erased their data opens without answers or identity', async () => {
    const resident = h.user(67_005);
    await registerResident(resident);
    const { caseId, number } = await fileSuggestion(h, resident, { text: '要删掉的内容' });
    await h.db.case.update({
      where: { id: caseId },
      data: { answersCipher: new Uint8Array(), residentId: null, telegramId: null, anonymisedAt: new Date() },
    });
    await makeStaff(h, 78_005, 'wanshan-neighbourhood');
    const staff = h.user(78_005);
    const card = sentTexts(await staff.press(`st:open:${caseId}`))[0] ?? '';
    expect(card).toContain(`📋 ${number}`);
    expect(card).toContain('居民的信息已经删除');
    expect(card).not.toContain('要删掉的内容');
    expect(staff.findButton('🪪 看完整身份证号')).toBeUndefined();
    // Taking and resolving it still work; nobody is left to notify.
    await staff.press(`st:take:${caseId}`);
    expect((await h.deps.staff.resolve(78_005, caseId, '已处理')).ok).toBe(true);
    expect(await h.db.notification.count({ where: { caseId } })).toBe(0);
  });

  it('a long case fits in one message; "everything" sends the whole of it in parts', async () => {
    const resident = h.user(67_003);
    await registerResident(resident);
    const { caseId } = await fileSuggestion(h, resident, { text: `${'很长的意见。'.repeat(160)}结尾` });
    await makeStaff(h, 78_003, 'wanshan-neighbourhood');
    const staff = h.user(78_003);
    await staff.press(`st:take:${caseId}`);
    for (let i = 0; i < 12; i++)
      expect((await h.deps.staff.note(78_003, caseId, `备注${i}：${'记'.repeat(1500)}`)).ok).toBe(true);
    const card = sentTexts(await staff.press(`st:open:${caseId}`))[0] ?? '';
    expect(card.length).toBeLessThanOrEqual(4096);
    expect(card).toContain('最近 8 条，共 14 条');
    expect(card).not.toContain('结尾');
    const parts = sentTexts(await staff.tap('📜 全部内容'));
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join('\n')).toContain('结尾');
    expect(parts.join('\n')).toContain('备注0');
  });

  it('English-speaking staff get the card in English', async () => {
    const resident = h.user(67_004);
    await registerResident(resident);
    const { caseId, number } = await fileSuggestion(h, resident);
    await makeStaff(h, 78_004, 'wanshan-neighbourhood');
    const staff = h.user(78_004, { languageCode: 'en' });
    await staff.text('/language');
    await staff.tap('English');
    const card = sentTexts(await staff.press(`st:open:${caseId}`))[0] ?? '';
    expect(card).toContain(`📋 ${number}`);
    expect(card).toContain('Status: not taken');
    expect(card).toContain('Due:');
    expect(staff.findButton("🙋 I'll take it")).toBeDefined();
  });
});

describe('command menus', () => {
  it('each active staff member’s chat gets the staff commands in their language; admins get administration', async () => {
    const telegram = fakeTelegram();
    const api = new Api(TEST_TOKEN, { fetch: telegram.fetch });
    await setCommandMenus(api, { ...h.deps, adminTelegramIds: [78_100] }, [
      { chatId: 78_101, locale: 'en' },
      { chatId: 78_100, locale: 'zh-CN' },
      { chatId: 78_102, locale: 'zh-CN', labour: true },
    ]);
    const menus = telegram.calls.filter((c) => c.method === 'setMyCommands');
    const forChat = (id: number) =>
      menus.find((c) => (c.payload.scope as { chat_id?: number } | undefined)?.chat_id === id)?.payload
        .commands as {
        command: string;
        description: string;
      }[];
    const staffMenu = forChat(78_101);
    expect(staffMenu.map((c) => c.command)).toEqual(
      expect.arrayContaining(['queue', 'next', 'open', 'duty']),
    );
    expect(staffMenu.find((c) => c.command === 'queue')?.description).toBe('Your department’s queue (staff)');
    expect(staffMenu.map((c) => c.command)).not.toContain('invite');
    // /labour (the households below the red line) only where it answers: human-resources staff, admins.
    expect(staffMenu.map((c) => c.command)).not.toContain('labour');
    const hrMenu = forChat(78_102);
    expect(hrMenu.map((c) => c.command)).toEqual(expect.arrayContaining(['queue', 'next', 'labour']));
    expect(hrMenu.find((c) => c.command === 'labour')?.description).toBe(
      '有劳动力但没人上班的家庭（人社、社区工作人员）',
    );
    const adminMenu = forChat(78_100).map((c) => c.command);
    expect(adminMenu).toEqual(
      expect.arrayContaining(['reload', 'invite', 'staff', 'stats', 'export', 'queue', 'labour']),
    );
    expect(adminMenu.filter((c) => c === 'labour')).toHaveLength(1);
    // Residents' menus have none of them.
    const residentMenu = ((menus[0]?.payload.commands ?? []) as { command: string }[]).map((c) => c.command);
    expect(residentMenu).not.toContain('queue');
    expect(residentMenu).not.toContain('invite');
  });

  it('at start, the staff chats of a human-resources window are the ones marked for /labour', async () => {
    await makeStaff(h, 78_110, 'wanshan-human-resources');
    await makeStaff(h, 78_111, 'wanshan-education');
    const chats = await createStaffRepository(h.db).activeStaffChats();
    expect(chats.find((c) => c.telegramId === 78_110n)?.labour).toBe(true);
    expect(chats.find((c) => c.telegramId === 78_111n)?.labour).toBe(false);
  });
});
