// The human-resources and public-security windows' services shipped as data only (reference/services/*.json):
// social insurance carried over (养老、医疗保险转移接续). Through the real update path in both languages, with
// wrong input at every step; routed to the district's human-resources window. And the household registration
// transfer appointment (户口迁移) at the public-security window: several people, from where; the staff's
// answer (the existing reply) is the appointment time, and it reaches the resident.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { elder } from '../support/fixtures.ts';
import { residentWithElder, speak, strayInputs, wrongInputs } from '../support/service-form-scene.ts';
import { type CaseWorkers, caseWorkers, makeStaff } from '../support/staff-scene.ts';

let h: Harness;
// Monday 7 December 2026, 10:00 in Beijing.
const monday = new Date('2026-12-07T10:00:00+08:00');
const han = /\p{Script=Han}/u;
let nextId = 76_001;
const POLICE = 76_900;
let workers: CaseWorkers;

beforeAll(async () => {
  h = await createHarness({ now: () => monday });
  workers = caseWorkers(h);
  await makeStaff(h, POLICE, 'wanshan-public-security', { displayName: '户籍小王' });
});
afterAll(() => h.close());

async function household(lang: 'zh' | 'en'): Promise<SimUser> {
  const u = await residentWithElder(h, nextId++);
  await speak(u, lang);
  return u;
}

describe('social insurance carried over', () => {
  it('zh: whose, which insurance, the county (said aloud), photos; to human resources', async () => {
    const u = await household('zh');
    await u.text('/services');
    await u.tap('🛡️ 养老、医疗保险转移接续');
    expect(u.lastText()).toContain('给家里谁办保险转移？');
    expect(u.findButton('杨光明')).toBeDefined();
    expect(u.findButton(elder.name)).toBeDefined();
    await wrongInputs(u, 'zh', '给家里谁办保险转移？');
    await u.tap(elder.name);

    expect(u.lastText()).toContain('要转哪种保险？');
    await wrongInputs(u, 'zh', '要转哪种保险？');
    await u.tap('两种都转');

    expect(u.lastText()).toContain('以前的保险是在哪个县交的？');
    expect(u.lastText()).toContain('🎤');
    expect(sentTexts(await u.text('   ')).join('\n')).toContain('不能空着');
    expect(sentTexts(await u.text('县'.repeat(101))).join('\n')).toContain('最多 100 个字');
    await strayInputs(u, 'zh');
    await u.voice();

    expect(u.lastText()).toContain('请把身份证、社保卡拍照发过来');
    await strayInputs(u, 'zh');
    await u.photo();
    await u.tap('✅ 好了');

    const summary = u.lastText();
    for (const line of [`办保险的人：${elder.name}`, '哪种保险：两种都转', '以前在哪里交：🎤 语音'])
      expect(summary).toContain(line);
    await u.tap('✅ 对的，提交');
    const confirmation = u.texts().join('\n');
    expect(confirmation).toMatch(/编号：HRS-\d{4}-\d{6}/);
    expect(confirmation).toContain('社保卡');
    const c = await h.db.case.findFirstOrThrow({
      where: { serviceCode: 'insurance_transfer', telegramId: BigInt(u.id) },
    });
    expect(c.departmentCode).toBe('wanshan-human-resources');
    // 15 working days after Monday 7 December.
    expect(c.dueAt.toISOString()).toBe(new Date('2026-12-28T18:00:00+08:00').toISOString());
  });

  it('en: the same in English, the county typed, no photos', async () => {
    const u = await household('en');
    await u.text('/services');
    await u.tap('🛡️ Moving pension and medical insurance');
    expect(u.lastText()).toContain('Whose insurance should be moved here?');
    await wrongInputs(u, 'en', 'Whose insurance should be moved here?');
    await u.tap('杨光明');
    await wrongInputs(u, 'en', 'Which insurance should be moved?');
    await u.tap('Pension insurance');
    expect(u.lastText()).toContain('In which county was the insurance paid before?');
    for (const s of sentTexts(await u.text('   '))) expect(s).not.toMatch(han);
    for (const s of sentTexts(await u.text('x'.repeat(101)))) expect(s).not.toMatch(han);
    await strayInputs(u, 'en');
    await u.text('Yanhe County');
    expect(u.lastText()).toContain('Please send photos of the ID card');
    await strayInputs(u, 'en');
    await u.tap('None, skip');
    const summary = u.lastText();
    expect(summary).toContain('Which insurance: Pension insurance');
    expect(summary).toContain('Paid before in: Yanhe County');
    await u.tap('✅ Correct, submit');
    expect(u.texts().join('\n')).toMatch(/Number: HRS-\d{4}-\d{6}/);
  });
});

describe('household registration transfer appointment', () => {
  it('zh: several people, from where, a photo; the police window answers with the appointment time', async () => {
    const u = await household('zh');
    await u.text('/services');
    await u.tap('🏷️ 户口迁移预约');
    expect(u.lastText()).toContain('家里哪些人要迁户口？');
    const none = await u.tap('✅ 选好了');
    expect(none.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({
      text: '请至少选 1 项。',
    });
    await wrongInputs(u, 'zh', '家里哪些人要迁户口？');
    await u.tap('杨光明');
    await u.tap(elder.name);
    await u.tap('✅ 选好了');

    expect(u.lastText()).toContain('户口现在在哪里？');
    expect(sentTexts(await u.text('   ')).join('\n')).toContain('不能空着');
    expect(sentTexts(await u.text('村'.repeat(201))).join('\n')).toContain('最多 200 个字');
    await strayInputs(u, 'zh');
    await u.text('沿河县黑水镇石板村');

    expect(u.lastText()).toContain('有户口本的话，请拍照发过来');
    await strayInputs(u, 'zh');
    await u.photo();
    await u.tap('✅ 好了');
    const summary = u.lastText();
    expect(summary).toContain(`迁户口的人：杨光明、${elder.name}`);
    expect(summary).toContain('从哪里迁来：沿河县黑水镇石板村');
    await u.tap('✅ 对的，提交');
    const confirmation = u.texts().join('\n');
    expect(confirmation).toMatch(/编号：PSB-\d{4}-\d{6}/);
    expect(confirmation).toContain('搬迁安置证明');
    const c = await h.db.case.findFirstOrThrow({
      where: { serviceCode: 'hukou_transfer', telegramId: BigInt(u.id) },
    });
    expect(c.departmentCode).toBe('wanshan-public-security');

    // The police window sees both people and answers with a time to come.
    const staff = h.user(POLICE);
    const card = sentTexts(await staff.press(`st:open:${c.id}`)).join('\n');
    expect(card).toContain('户口迁移预约');
    expect(card).toContain(elder.name);
    await staff.press(`st:take:${c.id}`);
    expect((await h.deps.staff.reply(POLICE, c.id, '请12月10日上午9点带户口本到5号窗口办理')).ok).toBe(true);
    await workers.drain();
    expect(u.texts().join('\n')).toContain('请12月10日上午9点带户口本到5号窗口办理');
  });

  it('en: the same in English; wrong input answered in English', async () => {
    const u = await household('en');
    await u.text('/services');
    await u.tap('🏷️ Household registration transfer');
    expect(u.lastText()).toContain('Whose household registration should be moved here?');
    await wrongInputs(u, 'en', 'Whose household registration should be moved here?');
    await u.tap(elder.name);
    await u.tap('✅ Done');
    expect(u.lastText()).toContain('Where is the registration now?');
    for (const s of sentTexts(await u.text('   '))) expect(s).not.toMatch(han);
    for (const s of sentTexts(await u.text('x'.repeat(201)))) expect(s).not.toMatch(han);
    await strayInputs(u, 'en');
    await u.text('Heishui township, Yanhe County');
    await strayInputs(u, 'en');
    await u.tap('None, skip');
    expect(u.lastText()).toContain('Moving from: Heishui township, Yanhe County');
    await u.tap('✅ Correct, submit');
    expect(u.texts().join('\n')).toMatch(/Number: PSB-\d{4}-\d{6}/);
  });
});
