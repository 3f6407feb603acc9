// The notice composer is one engine form: its buildings question is the engine's multi-choice step (too
// few, forged and stale buttons, pages) and its preview and confirmation are the form's own summary
// ("change one answer", the stale-draft question inside it), all through the real bot.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compactTime } from '../../src/bot/format-time.ts';
import { createTranslator } from '../../src/bot/i18n.ts';
import { beijingMinute } from '../../src/domain/beijing-time.ts';
import {
  type ApiCall,
  createHarness,
  type Harness,
  inlineButtons,
  type SimUser,
  sentTexts,
} from '../support/bot-harness.ts';
import { WANGJIA } from '../support/notice-scene.ts';
import { addWorker, buildingsOf, seedResidents } from '../support/seed-residents.ts';

const WORKER_ID = 63_001;
const ADMIN_ID = 63_002;
const FIRST_RESIDENT = 63_101;
const t = createTranslator().t('zh-CN');
const STALE = t('aside:stale_alert');

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ adminIds: [ADMIN_ID] });
  await addWorker(h.db, WORKER_ID, WANGJIA);
  // Wangjia has 36 buildings; 14 more make two pages of 40 buttons.
  await h.db.building.createMany({
    data: Array.from({ length: 14 }, (_, i) => ({
      communityCode: WANGJIA,
      code: String(37 + i),
      nameZh: `${37 + i}栋`,
      nameEn: `Building ${37 + i}`,
      units: 2,
    })),
  });
  const buildings = await buildingsOf(h.db, WANGJIA);
  const byCode = (code: string) => (buildings.find((b) => b.code === code) as { id: string }).id;
  // Residents: two in building 1, one in building 45, one in building 2.
  await seedResidents(
    h.db,
    WANGJIA,
    [byCode('1'), byCode('1'), byCode('45'), byCode('2')].map((buildingId, i) => ({
      telegramId: FIRST_RESIDENT + i,
      buildingId,
    })),
  );
  const aitun = (await buildingsOf(h.db, 'bijiang-aitun'))[0] as { id: string };
  await seedResidents(h.db, 'bijiang-aitun', [{ telegramId: FIRST_RESIDENT + 10, buildingId: aitun.id }]);
});
afterAll(() => h.close());

const answerOf = (calls: ApiCall[]) => calls.find((c) => c.method === 'answerCallbackQuery')?.payload;
const labelsOf = (call: ApiCall | undefined) => (call ? inlineButtons(call).map((b) => b.text) : []);
const edited = (calls: ApiCall[]) => calls.find((c) => c.method === 'editMessageReplyMarkup');

/** From /notice to the buildings question. */
async function toBuildings(u: SimUser) {
  await u.text('/cancel'); // whatever an earlier test left
  await u.text('/notice');
  await u.text('本周六上午电梯检修，请走楼梯。');
  await u.tap('跳过');
  await u.tap('没有，跳过');
  const calls = await u.tap('🏢 选几栋楼');
  const prompt = calls.find((c) => c.method === 'sendMessage') as ApiCall;
  expect(String(prompt.payload.text)).toContain('请点选要发的楼栋');
  return prompt;
}

describe('the buildings question (a multi-choice step)', () => {
  it('too few, forged and stale buttons, two pages, and the chosen list with its count', async () => {
    const w = h.user(WORKER_ID);
    const prompt = await toBuildings(w);
    const audienceButton = w.findButton('🏘 全社区');
    const first = labelsOf(prompt);
    expect(first.filter((l) => /^\d+栋$/.test(l))).toHaveLength(40);
    expect(first).toContain('更多 ➡️');
    expect(first).toContain('✅ 选好了');
    expect(first).not.toContain('45栋');

    // "Done" with nothing chosen: told in plain words, nothing sent, nothing changed.
    const tooFew = await w.tap('✅ 选好了');
    expect(answerOf(tooFew)).toEqual(
      expect.objectContaining({ text: '还没有选楼栋，请先点一栋。', show_alert: true }),
    );
    expect(sentTexts(tooFew)).toEqual([]);

    // A forged button, the audience question's button, and a choice beyond the list are all stale.
    expect(answerOf(await w.press('f:999999:c:0'))?.text).toBe(STALE);
    expect(answerOf(await w.press(audienceButton?.button.callback_data as string))?.text).toBe(STALE);
    const one = w.findButton('1栋')?.button.callback_data as string;
    expect(answerOf(await w.press(one.replace(/:\d+$/, ':999')))?.text).toBe(STALE);

    // The second page, a building chosen there (its page stays), then back to the first.
    const more = edited(await w.tap('更多 ➡️'));
    expect(labelsOf(more)).toContain('45栋');
    expect(labelsOf(more)).toContain('⬅️ 前面的');
    expect(labelsOf(more)).not.toContain('1栋');
    const toggled = labelsOf(edited(await w.tap('45栋')));
    expect(toggled).toContain('✅ 45栋');
    expect(toggled).toContain('⬅️ 前面的');
    expect(labelsOf(edited(await w.tap('⬅️ 前面的')))).toContain('1栋');
    expect(labelsOf(edited(await w.tap('1栋')))).toContain('✅ 1栋');

    const done = await w.tap('✅ 选好了');
    expect(done.find((c) => c.method === 'editMessageText')?.payload.text).toBe('已经选了 2 栋：1栋、45栋');
    expect(sentTexts(done)[0]).toBe('这部分居民一共 3 位。');
    expect(w.lastText()).toContain('这是重要通知吗？');
    await w.text('/cancel');
  });

  it('a message on the buttons question is answered and the question shown again, choices kept', async () => {
    const w = h.user(WORKER_ID);
    await toBuildings(w);
    await w.tap('2栋');
    const typed = await w.text('2栋和3栋');
    expect(sentTexts(typed)[0]).toBe(t('form:use_buttons'));
    const again = typed.filter((c) => c.method === 'sendMessage').at(-1);
    expect(String(again?.payload.text)).toContain('请点选要发的楼栋');
    expect(labelsOf(again)).toContain('✅ 2栋');
    await w.text('/cancel');
  });
});

describe('the confirmation (the form’s own summary)', () => {
  it('"change" lists the answers; "who gets it" asks the buildings again, then the new confirmation', async () => {
    const w = h.user(WORKER_ID);
    await toBuildings(w);
    await w.tap('1栋');
    await w.tap('✅ 选好了');
    await w.tap('普通通知');
    const shown = await w.tap('现在就发');
    expect(sentTexts(shown)[0]).toBe('下面就是居民会收到的样子：');
    expect(sentTexts(shown).at(-1)).toContain('发给：1栋，共 2 位居民');
    const send = w.findButton('✅ 现在发送')?.button.callback_data as string;

    const which = await w.tap('✏️ 修改');
    expect(sentTexts(which)).toEqual(['要改哪一项？']);
    const list = which.find((c) => c.method === 'sendMessage');
    expect(labelsOf(list)).toEqual(['内容', '英文版', '照片', '发给谁', '重要通知', '发送时间']);
    // The confirmation's "send" is stale while an answer is being chosen.
    expect(answerOf(await w.press(send))?.text).toBe(STALE);

    await w.tap('发给谁');
    expect(w.lastText()).toContain('发给谁？');
    const afresh = (await w.tap('🏢 选几栋楼')).find((c) => c.method === 'sendMessage');
    expect(labelsOf(afresh)).toContain('1栋'); // asked afresh: nothing chosen
    expect(labelsOf(afresh)).not.toContain('✅ 1栋');
    await w.tap('2栋');
    const back = await w.tap('✅ 选好了');
    // Straight back to the confirmation: the other answers stay.
    expect(sentTexts(back).slice(0, 2)).toEqual(['这部分居民一共 1 位。', '下面就是居民会收到的样子：']);
    expect(w.lastText()).toContain('发给：2栋，共 1 位居民');
    expect(w.lastText()).toContain('时间：现在就发');
    expect(answerOf(await w.press(send))?.text).toBe(STALE);

    const before = await h.db.notice.count();
    await w.tap('❌ 不发了');
    expect(w.lastText()).toBe('好的，这条通知不发了，什么都没有保存。');
    expect(await h.db.notice.count()).toBe(before);
  });

  it('changing the time: "later" asks the time, and the confirmation offers to schedule', async () => {
    const w = h.user(WORKER_ID);
    await toBuildings(w);
    await w.tap('2栋');
    await w.tap('✅ 选好了');
    await w.tap('普通通知');
    await w.tap('现在就发');
    await w.tap('✏️ 修改');
    await w.tap('发送时间');
    await w.tap('定个时间再发');
    expect(w.lastText()).toContain('请写发送的时间');
    await w.text('2099-01-01 09:00');
    expect(w.lastText()).toContain('最多只能提前 30 天');
    const later = new Date(Date.now() + 2 * 86_400_000);
    const stamp = beijingMinute(later);
    await w.text(stamp);
    // Typed as 2026-12-08 09:00, shown back as the bot writes dates: 12月8日 09:00.
    expect(w.lastText()).toContain(`时间：${compactTime(later, createTranslator().t('zh-CN'))}（北京时间）`);
    expect(w.findButton('✅ 按这个时间发')).toBeDefined();
    await w.tap('❌ 不发了');
  });
});

describe('an admin, who may write to several communities', () => {
  it('chooses the community first; changing it asks who gets it again', async () => {
    const a = h.user(ADMIN_ID);
    await a.text('/notice');
    expect(a.lastText()).toContain('发给哪个社区？');
    await a.tap('旺家社区');
    await a.text('社区开会通知。');
    await a.tap('跳过');
    await a.tap('没有，跳过');
    await a.tap('🏘 全社区');
    await a.tap('普通通知');
    await a.tap('现在就发');
    expect(a.lastText()).toContain('社区：旺家社区');
    const which = (await a.tap('✏️ 修改')).find((c) => c.method === 'sendMessage');
    expect(labelsOf(which)).toEqual(['社区', '内容', '英文版', '照片', '发给谁', '重要通知', '发送时间']);
    await a.tap('社区');
    await a.tap('矮屯社区');
    expect(a.lastText()).toContain('发给谁？');
    const size = await a.tap('🏘 全社区');
    expect(sentTexts(size)[0]).toBe('这部分居民一共 1 位。');
    expect(a.lastText()).toContain('社区：矮屯社区');
    expect(a.lastText()).toContain('发给：全社区，共 1 位居民');
    await a.tap('❌ 不发了');
    expect(a.lastText()).toBe('好的，这条通知不发了，什么都没有保存。');
  });
});

describe('a draft left for more than a day', () => {
  it('asks "continue or start over?" inside the buildings question and at the confirmation', async () => {
    const w = h.user(WORKER_ID);
    await toBuildings(w);
    await w.tap('1栋');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 25 * 3600_000 });
    try {
      const late = await w.tap('2栋');
      expect(sentTexts(late)).toEqual([t('aside:stale_draft', { form: t('aside:forms.notice') })]);
      // "Continue": the question again, with what was chosen before the pause (the late tap did not count).
      const resumed = await w.tap('接着填');
      const again = resumed.find((c) => c.method === 'sendMessage');
      expect(String(again?.payload.text)).toContain('请点选要发的楼栋');
      expect(labelsOf(again)).toContain('✅ 1栋');
      expect(labelsOf(again)).toContain('2栋');
      await w.tap('✅ 选好了');
      await w.tap('普通通知');
      await w.tap('现在就发');
      expect(w.lastText()).toContain('发给：1栋，共 2 位居民');

      vi.setSystemTime(Date.now() + 26 * 3600_000);
      const before = await h.db.notice.count();
      expect(sentTexts(await w.tap('✅ 现在发送'))).toEqual([
        t('aside:stale_draft', { form: t('aside:forms.notice') }),
      ]);
      expect(await h.db.notice.count()).toBe(before);
      await w.tap('接着填');
      expect(w.lastText()).toContain('发给：1栋，共 2 位居民');
      await w.tap('✅ 现在发送');
      expect(w.lastText()).toContain('开始发送了');
      expect(await h.db.notice.count()).toBe(before + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('"start over" begins the notice again from its first question', async () => {
    const w = h.user(WORKER_ID);
    await toBuildings(w);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 25 * 3600_000 });
    try {
      await w.tap('1栋');
      const restarted = sentTexts(await w.tap('重新开始'));
      expect(restarted[0]).toBe(t('form:restarting'));
      expect(restarted.at(-1)).toContain('请写通知的内容');
    } finally {
      vi.useRealTimers();
    }
    await w.text('/cancel');
  });
});
