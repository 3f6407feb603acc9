// Job seeking (求职登记) as shipped: reference/services/5-job_seeking.json, no TypeScript of its own. Through the
// real update path in both languages: only people aged 16 to 60 are offered, wrong input at every step gets a
// plain answer and the question again, the case goes to the district's human-resources window due in 5
// working days, and the person named becomes "looking" (the definition's `sets.employment`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, sentTexts } from '../support/bot-harness.ts';
import { child, elder, makeIdNumber } from '../support/fixtures.ts';
import { registerResident } from '../support/flows.ts';
import { workingAgeHousehold, wrongInputs } from '../support/service-form-scene.ts';

let h: Harness;
// Monday 7 December 2026, 10:00 in Beijing: five working days later is Monday 14 December.
const monday = new Date('2026-12-07T10:00:00+08:00');
const han = /\p{Script=Han}/u;
let nextId = 75_001;

beforeAll(async () => {
  h = await createHarness({ now: () => monday });
});
afterAll(() => h.close());

describe('job seeking, in Chinese', () => {
  it('offers only people of 16 to 60, re-asks wrong input at every step, files to human resources', async () => {
    const { u, daughter } = await workingAgeHousehold(h, nextId++, 'zh');
    await u.text('/services');
    await u.tap('👷 求职登记');
    expect(u.lastText()).toContain('家里谁要找工作？');
    // The resident (44) and the daughter (17); not the mother (78) nor the son (6).
    expect(u.findButton('杨光明')).toBeDefined();
    expect(u.findButton('杨小梅')).toBeDefined();
    expect(u.findButton(elder.name)).toBeUndefined();
    expect(u.findButton(child.name)).toBeUndefined();
    await wrongInputs(u, 'zh', '家里谁要找工作？');
    await u.tap('杨小梅');

    expect(u.lastText()).toContain('会做什么、以前做过什么？');
    const none = await u.tap('✅ 选好了');
    expect(none.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({
      text: '请至少选 1 项。',
    });
    await wrongInputs(u, 'zh', '会做什么、以前做过什么？');
    await u.tap('缝纫、手工');
    await u.tap('做饭');
    await u.tap('✅ 选好了');

    // Optional words, typed or said: empty and over-long are refused, a voice message is taken.
    expect(u.lastText()).toContain('还想说说以前做过什么活吗？');
    expect(u.lastText()).toContain('🎤');
    expect(sentTexts(await u.text('   ')).join('\n')).toContain('不能空着');
    expect(sentTexts(await u.text('活'.repeat(501))).join('\n')).toContain('最多 500 个字');
    expect(sentTexts(await u.sticker()).length).toBeGreaterThan(0);
    expect(
      (await u.press('f:999999:c:0')).find((c) => c.method === 'answerCallbackQuery')?.payload,
    ).toMatchObject({ show_alert: true });
    await u.voice();

    expect(u.lastText()).toContain('想做什么样的工作？');
    for (const label of ['园区工厂', '社区就业车间', '公益性岗位', '家政服务', '建筑工地', '其他'])
      expect(u.findButton(label)).toBeDefined();
    await wrongInputs(u, 'zh', '想做什么样的工作？');
    await u.tap('社区就业车间');

    expect(u.lastText()).toContain('想怎么上班？');
    await wrongInputs(u, 'zh', '想怎么上班？');
    await u.tap('要能带孩子');

    expect(u.lastText()).toContain('想不想参加免费的技能培训？');
    await wrongInputs(u, 'zh', '想不想参加免费的技能培训？');
    await u.tap('想参加');

    expect(u.lastText()).toContain('什么时候能开始上班？');
    await wrongInputs(u, 'zh', '什么时候能开始上班？');
    await u.tap('一个星期以内');

    const summary = u.lastText();
    for (const line of [
      '找工作的人：杨小梅',
      '会做什么：缝纫、手工、做饭',
      '以前做过的活：🎤 语音',
      '想做的工作：社区就业车间',
      '上班方式：要能带孩子',
      '想参加技能培训：想参加',
      '什么时候能上班：一个星期以内',
    ])
      expect(summary).toContain(line);
    await u.tap('✅ 对的，提交');
    const confirmation = u.texts().join('\n');
    expect(confirmation).toMatch(/编号：HRS-\d{4}-\d{6}/);
    expect(confirmation).toContain('身份证');
    const c = await h.db.case.findFirstOrThrow({
      where: { serviceCode: 'job_seeking', telegramId: BigInt(u.id) },
    });
    expect(c.departmentCode).toBe('wanshan-human-resources');
    expect(c.dueAt.toISOString()).toBe(new Date('2026-12-14T18:00:00+08:00').toISOString());
    expect((await h.db.householdMember.findUniqueOrThrow({ where: { id: daughter } })).employmentStatus).toBe(
      'looking',
    );
  });

  it('nobody of 16 to 60 in the household: the question says so and where to add people', async () => {
    const u = h.user(nextId++);
    await registerResident(u, {
      birthDate: '1950-01-10',
      idNumber: makeIdNumber({ birthDate: '1950-01-10', seq: 811 }),
    });
    await u.text('/services');
    await u.tap('👷 求职登记');
    expect(u.lastText()).toContain('家里没有 16 到 60 岁的人。');
    expect(await h.db.case.count({ where: { telegramId: BigInt(u.id) } })).toBe(0);
  });
});

describe('job seeking, in English', () => {
  it('the same steps, every reply in English; typed past work kept; the resident becomes "looking"', async () => {
    const { u } = await workingAgeHousehold(h, nextId++, 'en');
    await u.text('/services');
    await u.tap('👷 Job seeking');
    expect(u.lastText()).toContain('Who in the household is looking for work?');
    expect(u.findButton(elder.name)).toBeUndefined();
    expect(u.findButton(child.name)).toBeUndefined();
    await wrongInputs(u, 'en', 'Who in the household is looking for work?');
    await u.tap('杨光明');
    await wrongInputs(u, 'en', 'What can you do');
    const none = await u.tap('✅ Done');
    expect(none.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({
      text: 'Please choose at least 1.',
    });
    await u.tap('Building, decorating');
    await u.tap('✅ Done');
    expect(u.lastText()).toContain('Anything more about work you did before?');
    for (const s of sentTexts(await u.text('   '))) expect(s).not.toMatch(han);
    for (const s of sentTexts(await u.text('x'.repeat(501)))) expect(s).not.toMatch(han);
    await u.text('Three years on building sites in Guangdong');
    expect(u.lastText()).toContain('What kind of work would you like?');
    await wrongInputs(u, 'en', 'What kind of work would you like?');
    await u.tap('Construction');
    await wrongInputs(u, 'en', 'How would you like to work?');
    await u.tap('Full-time');
    await wrongInputs(u, 'en', 'Would you like free skills training?');
    await u.tap('No');
    await wrongInputs(u, 'en', 'When can you start?');
    await u.tap('Right away');
    const summary = u.lastText();
    expect(summary).toContain('Past work: Three years on building sites in Guangdong');
    expect(summary).toContain('Work wanted: Construction');
    await u.tap('✅ Correct, submit');
    expect(u.texts().join('\n')).toMatch(/Number: HRS-\d{4}-\d{6}/);
    const r = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(u.id) } });
    expect(r.employmentStatus).toBe('looking');
  });
});
