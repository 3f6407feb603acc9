// Every step of every service, before its right answer, gets the wrong kinds of input: a sticker, 5,000
// characters, a voice message, an album photo, an unknown command and a forged button. Each gets a plain
// answer (never the apology for an internal error, never silence), and the form still completes. (A known
// command puts the form aside: test/bot/form-aside.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { birthDateForAge } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

/** The right answer of a step, and what else that step would accept (so it is not sent as wrong). */
type Right = ({ tap: string | RegExp } | { text: string }) & { accepts?: 'photo' | 'voice' };
const walks: Record<string, { menu: string; steps: Right[] }> = {
  school_enrolment: {
    menu: '🎒 孩子上学',
    steps: [
      { tap: '杨小雨' },
      { tap: '小学一年级' },
      { text: '老家村小', accepts: 'voice' },
      { tap: '就近安排（教育局安排）' },
      { tap: '跳过', accepts: 'voice' },
      { tap: '✅ 同意' },
      { tap: '没有，跳过', accepts: 'photo' },
    ],
  },
  medical_green_channel: {
    menu: '🏥 看病绿色通道',
    steps: [
      { tap: '不是急病' },
      { tap: '门诊' },
      { tap: '杨光明' },
      { tap: '万山区人民医院' },
      { text: '发烧三天', accepts: 'voice' },
      { tap: '都不是' },
      { tap: /用登记的手机号/ },
    ],
  },
  // The emergency path: after "call 120", only patient, hospital and phone.
  'medical_green_channel:emergency': {
    menu: '🏥 看病绿色通道',
    steps: [{ tap: '🚑 是，很急' }, { tap: '杨光明' }, { tap: '万山区人民医院' }, { tap: /用登记的手机号/ }],
  },
  dibao: {
    menu: '💰 申请低保',
    steps: [
      { tap: '对，就是这些人' },
      { text: '900' },
      { tap: '年纪大' },
      { tap: '都没有' },
      { tap: '✅ 同意核对' },
      { tap: '没有，跳过', accepts: 'photo' },
    ],
  },
  suggestion: {
    menu: '📮 意见箱',
    steps: [
      { tap: '环境卫生' },
      { text: '希望多放几个垃圾桶', accepts: 'voice' },
      { tap: '没有，跳过', accepts: 'photo' },
      { tap: '写上我的名字' },
    ],
  },
};

async function wrongInputs(u: SimUser, accepts?: 'photo' | 'voice') {
  const replies = [await u.sticker(), await u.text('长'.repeat(5000)), await u.text('/whatever')];
  if (accepts !== 'voice') replies.push(await u.voice());
  if (accepts !== 'photo') replies.push(await u.photo('album-x'));
  for (const calls of replies) {
    const texts = sentTexts(calls);
    expect(texts.length, `no answer; last: ${u.texts().slice(-2).join(' | ')}`).toBeGreaterThan(0);
    for (const text of texts) expect(text).not.toContain('出了点问题');
  }
  const forged = await u.press('f:999999:c:0');
  expect(forged.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({
    text: expect.stringContaining('过期'),
    show_alert: true,
  });
}

describe('wrong input at every step of every service', () => {
  let userId = 90_000;
  for (const [name, walk] of Object.entries(walks)) {
    const code = name.split(':')[0] as string;
    it(`${name}: every step re-asks and the request still goes through`, async () => {
      const u = h.user(userId++);
      await registerResident(u);
      await addMember(h, u.id, { name: '杨小雨', relation: 'child', birthDate: birthDateForAge(6) });
      await u.text('/services');
      await u.tap(walk.menu);
      for (const right of walk.steps) {
        await wrongInputs(u, right.accepts);
        if ('tap' in right) await u.tap(right.tap);
        else await u.text(right.text);
      }
      expect(u.lastText()).toContain('请核对');
      await wrongInputs(u);
      await u.tap('✅ 对的，提交');
      expect(u.texts().join('\n')).toMatch(/编号：[A-Z]{3}-\d{4}-\d{6}/);
      const r = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(u.id) } });
      expect(await h.db.case.count({ where: { residentId: r.id, serviceCode: code } })).toBe(1);
    });
  }
});
