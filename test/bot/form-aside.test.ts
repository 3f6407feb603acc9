// Issue 11, points 1 and 5 (part), through the real update path: a half-filled form never blocks anything
// (a command, another button or a main-menu label puts it aside, and what was asked happens; the draft is
// offered again and goes on with its answers), messages at a buttons question bring the question back, the
// stale-draft question names the form and can stop it, stale buttons alert until dismissed; the main menu,
// the "🏠 main menu" button under final messages, Chinese first with one tap to English, the command menu.
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { setCommandMenus } from '../../src/bot/commands.ts';
import type { FormDraft } from '../../src/bot/forms/drafts.ts';
import { createTranslator } from '../../src/bot/i18n.ts';
import {
  type ApiCall,
  createHarness,
  fakeTelegram,
  type Harness,
  inlineButtons,
  type SimUser,
  sentTexts,
  TEST_TOKEN,
} from '../support/bot-harness.ts';
import { birthDateForAge } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';
import { caseWorkers, fileSuggestion, makeStaff } from '../support/staff-scene.ts';

const translator = createTranslator();
const zh = translator.t('zh-CN');
const en = translator.t('en');

let h: Harness;
let nextUserId = 111_000;
beforeAll(async () => {
  h = await createHarness({ adminIds: [119_999] });
});
afterAll(() => h.close());

const MENU_ZH = ['🗂 办事', '📋 我办的事', '🏠 我家', '☎️ 找社区'];
const MENU_EN = ['🗂 Services', '📋 My requests', '🏠 My household', '☎️ Contact us'];

async function resident(opts: { english?: boolean; child?: boolean } = {}): Promise<SimUser> {
  const u = h.user(nextUserId++);
  await registerResident(u);
  if (opts.child)
    await addMember(h, u.id, { name: '杨小雨', relation: 'child', birthDate: birthDateForAge(6) });
  if (opts.english) {
    await u.text('/language');
    await u.tap('English');
  }
  return u;
}

/** The reply keyboard (main menu) a call carries, as its labels row by row. */
function replyKeyboardOf(call: ApiCall | undefined) {
  return call?.payload.reply_markup as
    | { keyboard?: { text: string }[][]; is_persistent?: boolean; resize_keyboard?: boolean }
    | undefined;
}
const lastSent = (calls: ApiCall[]) => calls.filter((c) => c.method === 'sendMessage').at(-1);
const labelsOf = (call: ApiCall | undefined) => inlineButtons(call as ApiCall).map((b) => b.text);
const alertOf = (calls: ApiCall[]) => calls.find((c) => c.method === 'answerCallbackQuery')?.payload;

const formState = (u: SimUser) =>
  h.db.conversationState.findUnique({ where: { key: String(u.id) }, select: { key: true } });
async function draftOf(u: SimUser): Promise<FormDraft | null> {
  const row = await h.db.conversationState.findUnique({ where: { key: `draft:${u.id}` } });
  return row ? h.cipher.decryptJson<FormDraft>(row.data, piiAt.formDraft(String(u.id))) : null;
}

/** A dibao application up to its third question, the monthly income answered with `income`. */
async function dibaoUpToReason(u: SimUser, income = '900') {
  await u.text('/services');
  await u.tap('💰 申请低保');
  await u.tap('对，就是这些人');
  await u.text(income);
  expect(u.lastText()).toContain('生活困难主要是因为什么？');
}

describe('a form put aside', () => {
  it('a command mid-form: one line naming the form, then what was asked; /services offers it again and it goes on with its answers', async () => {
    const u = await resident({ child: true });
    await dibaoUpToReason(u);
    const texts = sentTexts(await u.text('/mycases'));
    expect(texts).toEqual(['刚才没填完的《申请低保》先放下了，想接着填发 /services', zh('mycases:none')]);
    expect(await formState(u)).toBeNull();
    const draft = await draftOf(u);
    expect(draft).toMatchObject({ form: 'service', args: ['dibao'], answers: { income: { value: '900' } } });

    // /services: the draft first, then the menu.
    const offered = await u.text('/services');
    expect(sentTexts(offered)).toEqual([
      '您上次没填完的《申请低保》还留着（1 项已经填好）。',
      zh('services:menu.title'),
    ]);
    const resumed = sentTexts(await u.tap('✍️ 接着填《申请低保》'));
    expect(resumed[0]).toBe('好的，接着填《申请低保》，已经填好的不用再填。');
    // The household is confirmed again (it may have changed meanwhile; the case keeps the people confirmed),
    // then the form goes on at the first unanswered question.
    expect(resumed.at(-1)).toContain('杨小雨');
    const onward = sentTexts(await u.tap('对，就是这些人'));
    expect(onward.at(-1)).toContain('生活困难主要是因为什么？');
    expect([...resumed, ...onward].join('\n')).not.toContain('全家每个月');
    expect(await draftOf(u)).toBeNull();
    // "Back" reaches the answers kept.
    await u.tap('⬅️ 上一步');
    expect(u.lastText()).toContain('全家每个月一共收入多少钱');
    await u.text('800');
    await u.tap('年纪大');
    await u.tap('都没有');
    await u.tap('✅ 同意核对');
    await u.tap('没有，跳过');
    expect(u.lastText()).toContain('800');
    const done = await u.tap('✅ 对的，提交');
    expect(sentTexts(done).join('\n')).toMatch(/CIV-\d{4}-\d{6}/);
    // A final message carries the way back to the main menu.
    expect(labelsOf(lastSent(done))).toContain('🏠 回主菜单');
  });

  it('"start again" on the offer drops the draft and starts the same form from its beginning', async () => {
    const u = await resident({ child: true });
    await dibaoUpToReason(u);
    await u.text('/start');
    await u.text('/services');
    const again = sentTexts(await u.tap('🔄 重新开始'));
    expect(again.join('\n')).toContain('好的，我们来办“💰 申请低保”');
    expect(await draftOf(u)).toBeNull();
    await u.text('/cancel');
  });

  it('a notification\u2019s "answer the staff" button mid-form: the form steps aside, the answer reaches the case', async () => {
    const u = await resident();
    const { caseId, number } = await fileSuggestion(h, u);
    await makeStaff(h, 118_001, 'wanshan-neighbourhood');
    const staff = h.user(118_001);
    await staff.text('/next');
    await staff.tap('❓ 请居民补充');
    await staff.text('是哪一栋楼？');
    await staff.tap('✅ 确定');
    // The resident starts another request, then the staff's question arrives.
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('环境卫生');
    expect(u.lastText()).toContain('请说说您的意见或建议');
    await caseWorkers(h).drain();
    expect(u.lastText()).toContain('是哪一栋楼？');

    const pressed = await u.tap('✍️ 回答工作人员');
    const texts = sentTexts(pressed);
    expect(texts[0]).toBe('刚才没填完的《意见箱》先放下了，想接着填发 /services');
    expect(texts[1]).toContain('是哪一栋楼？');
    await u.text('3栋');
    expect(u.lastText()).toContain('已经交给工作人员');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('in_progress');
    expect(number).toMatch(/SUG-/);
    // The suggestion waits to be taken up again.
    expect(sentTexts(await u.text('/services'))[0]).toBe('您上次没填完的《意见箱》还留着（1 项已经填好）。');
  });

  it('a main-menu label mid-registration puts it aside; /start offers to go on', async () => {
    const u = h.user(nextUserId++);
    await u.text('/start');
    await u.tap('📝 登记我家');
    await u.tap('旺家社区');
    const texts = sentTexts(await u.text('🗂 办事'));
    expect(texts).toEqual([
      '刚才没填完的《登记我家》先放下了，想接着填发 /start',
      zh('services:menu.need_register'),
    ]);
    const start = sentTexts(await u.text('/start'));
    expect(start).toEqual(['您上次没填完的《登记我家》还留着（1 项已经填好）。']);
    const resumed = sentTexts(await u.tap('✍️ 接着填《登记我家》'));
    expect(resumed[0]).toBe('好的，接着填《登记我家》，已经填好的不用再填。');
    expect(resumed.at(-1)).toContain('您住在几栋');
    await u.text('/cancel');
  });

  it('in English: the line, the labels of either language, and the way back', async () => {
    const u = h.user(nextUserId++, { languageCode: 'en' });
    await u.text('/start');
    await u.tap('English');
    await u.tap('📝 Register my household');
    await u.tap('Wangjia Community');
    const texts = sentTexts(await u.text('📋 My requests'));
    expect(texts[0]).toBe(
      'The unfinished “Register my household” form is set aside. To go on with it, send /start',
    );
    for (const text of texts) expect(text).not.toMatch(/[\u4e00-\u9fff]/);
    const u2 = await resident({ english: true });
    await u2.text('/services');
    await u2.tap('📮 Suggestion box');
    // A Chinese label from an English chat is a label too.
    const mixed = sentTexts(await u2.text('🏠 我家'));
    expect(mixed[0]).toBe(
      'The unfinished “Suggestion box” form is set aside (not saved). To fill it in again, send /services',
    );
    expect(mixed[1]).toContain('household');
  });

  it('a member form put aside is not kept: the line says to start again', async () => {
    const u = await resident();
    await u.text('/household');
    await u.tap('➕ 添加家人');
    const texts = sentTexts(await u.text('/mycases'));
    expect(texts[0]).toBe('刚才没填完的《家人信息》先放下了（没有保存），想重新填发 /household');
    expect(await draftOf(u)).toBeNull();
  });
});

describe('messages where a button is wanted', () => {
  for (const [lang, t] of [
    ['zh-CN', zh],
    ['en', en],
  ] as const) {
    it(`a voice message or typed text brings the question back with its buttons (${lang})`, async () => {
      const u = h.user(nextUserId++);
      await u.text('/start');
      if (lang === 'en') await u.tap('English');
      await u.tap(lang === 'en' ? '📝 Register my household' : '📝 登记我家');
      for (const send of [() => u.voice(), () => u.text('旺家'), () => u.sticker()]) {
        const calls = await send();
        const texts = sentTexts(calls);
        expect(texts[0]).toBe(t('form:use_buttons'));
        expect(texts[1]).toContain(t('registration:ask.community'));
        expect(labelsOf(lastSent(calls))).toContain(lang === 'en' ? 'Wangjia Community' : '旺家社区');
      }
      await u.tap(lang === 'en' ? 'Wangjia Community' : '旺家社区');
      expect(u.lastText()).toContain(t('registration:ask.building'));
      await u.text('/cancel');
    });
  }
});

describe('a draft left for a day', () => {
  for (const [lang, t, labels] of [
    ['zh-CN', zh, MENU_ZH],
    ['en', en, MENU_EN],
  ] as const) {
    it(`names the form and offers continue / start over / stop; stop drops it and shows the main menu (${lang})`, async () => {
      const u = await resident({ english: lang === 'en' });
      await u.text('/services');
      await u.tap(lang === 'en' ? '📮 Suggestion box' : '📮 意见箱');
      const form = lang === 'en' ? 'Suggestion box' : '意见箱';
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 25 * 3600_000 });
      try {
        const late = await u.tap(lang === 'en' ? 'Environment and cleanliness' : '环境卫生');
        expect(sentTexts(late)).toEqual([t('aside:stale_draft', { form })]);
        expect(labelsOf(lastSent(late))).toEqual([t('form:continue'), t('form:start_over'), t('aside:stop')]);
        // A message, a sticker or an over-long text instead of a button: the question again, nothing else.
        for (const wrong of [() => u.text('嗯'), () => u.sticker(), () => u.text('长'.repeat(5000))]) {
          expect(sentTexts(await wrong())).toEqual([t('form:use_buttons'), t('aside:stale_draft', { form })]);
        }
        // A forged button: the alert, and the question again.
        const forged = await u.press('f:1:st:0');
        expect(alertOf(forged)).toMatchObject({ show_alert: true });
        expect(sentTexts(forged)).toEqual([t('aside:stale_draft', { form })]);
        const stopped = await u.tap(t('aside:stop'));
        expect(sentTexts(stopped)).toEqual([t('aside:stopped', { form })]);
        const menu = replyKeyboardOf(lastSent(stopped));
        expect(menu?.keyboard?.flat().map((b) => b.text)).toEqual([...labels]);
        expect(await formState(u)).toBeNull();
        expect(await draftOf(u)).toBeNull();
        expect(await h.db.case.count({ where: { resident: { telegramId: BigInt(u.id) } } })).toBe(0);
      } finally {
        vi.useRealTimers();
      }
    });
  }

  it('a draft put aside more than a week ago is no longer offered', async () => {
    const u = await resident({ child: true });
    await dibaoUpToReason(u);
    await u.text('/mycases');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 8 * 86_400_000 });
    try {
      expect(sentTexts(await u.text('/services'))).toEqual([zh('services:menu.title')]);
      expect(await draftOf(u)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('stale buttons', () => {
  it('inside a form: an alert that stays until dismissed, and the question again', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('📮 意见箱');
    const calls = await u.press('f:4242:c:0');
    expect(alertOf(calls)).toMatchObject({ text: zh('aside:stale_alert'), show_alert: true });
    expect(sentTexts(calls)).toEqual([expect.stringContaining('您的意见是关于什么的')]);
    await u.text('/cancel');
  });

  for (const [lang, t, labels] of [
    ['zh-CN', zh, MENU_ZH],
    ['en', en, MENU_EN],
  ] as const) {
    it(`outside a form: an alert that stays, and the main menu (${lang})`, async () => {
      const u = await resident({ english: lang === 'en' });
      const calls = await u.press('f:4242:c:0');
      expect(alertOf(calls)).toMatchObject({ text: t('aside:stale_alert_outside'), show_alert: true });
      expect(sentTexts(calls)).toEqual([t('aside:menu.title')]);
      expect(
        replyKeyboardOf(lastSent(calls))
          ?.keyboard?.flat()
          .map((b) => b.text),
      ).toEqual([...labels]);
    });
  }
});

describe('the buttons around a draft and the main menu', () => {
  it('"go on" with no draft left (used already, or forged) says so in an alert, and the main menu follows', async () => {
    const u = await resident({ child: true });
    await dibaoUpToReason(u);
    await u.text('/services');
    await u.tap('✍️ 接着填《申请低保》');
    await u.text('/cancel');
    for (const data of ['dr:go', 'dr:new']) {
      const calls = await u.press(data);
      expect(alertOf(calls)).toMatchObject({ text: zh('aside:resume_gone'), show_alert: true });
      expect(sentTexts(calls)).toEqual([zh('aside:menu.title')]);
    }
  });

  it('"🏠 main menu" pressed by someone not registered offers registration instead', async () => {
    const u = h.user(nextUserId++);
    const calls = await u.press('menu');
    expect(sentTexts(calls)).toEqual([zh('start.offer_register')]);
    expect(labelsOf(lastSent(calls))).toEqual(['📝 登记我家']);
  });
});

describe('the main menu', () => {
  it('comes with registration and /start, stays (persistent), and each label does its part in both languages', async () => {
    const u = h.user(nextUserId++);
    await registerResident(u);
    const saved = h.calls.findLast((c) => String(c.payload.text).includes('登记好了'));
    const menu = replyKeyboardOf(saved);
    expect(menu).toMatchObject({ is_persistent: true, resize_keyboard: true });
    expect(menu?.keyboard?.flat().map((b) => b.text)).toEqual(MENU_ZH);
    const start = await u.text('/start');
    expect(
      replyKeyboardOf(lastSent(start))
        ?.keyboard?.flat()
        .map((b) => b.text),
    ).toEqual(MENU_ZH);

    expect(sentTexts(await u.text('🗂 办事'))).toEqual([zh('services:menu.title')]);
    expect(sentTexts(await u.text('📋 我办的事'))).toEqual([zh('mycases:none')]);
    expect(sentTexts(await u.text('🏠 我家'))[0]).toContain('您家的信息');
    expect(sentTexts(await u.text('☎️ 找社区'))[0]).toContain('☎️ 找社区');
    // The English labels are understood in a Chinese chat too (and answered in Chinese).
    expect(sentTexts(await u.text('🗂 Services'))).toEqual([zh('services:menu.title')]);
  });

  it('in English after /language: the labels change with the language', async () => {
    const u = await resident({ english: true });
    const changed = h.calls.findLast((c) => c.payload.text === en('language.changed'));
    expect(
      replyKeyboardOf(changed)
        ?.keyboard?.flat()
        .map((b) => b.text),
    ).toEqual(MENU_EN);
    expect(sentTexts(await u.text('📋 My requests'))).toEqual([en('mycases:none')]);
    expect(sentTexts(await u.text('☎️ Contact us'))[0]).toContain('Find the community');
  });

  it('"🏠 main menu" under a final message (a form cancelled) shows the main menu', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('环境卫生');
    await u.text('路灯不亮');
    await u.tap('没有，跳过');
    await u.tap('写上我的名字');
    const cancelled = await u.tap('❌ 不填了');
    expect(sentTexts(cancelled)).toEqual([zh('form:cancelled')]);
    expect(labelsOf(lastSent(cancelled))).toEqual(['🏠 回主菜单']);
    const menu = await u.tap('🏠 回主菜单');
    expect(sentTexts(menu)).toEqual([zh('aside:menu.title')]);
    expect(
      replyKeyboardOf(lastSent(menu))
        ?.keyboard?.flat()
        .map((b) => b.text),
    ).toEqual(MENU_ZH);
  });

  it('/cancel in a form gives the main menu back', async () => {
    const u = await resident();
    await u.text('/household');
    await u.tap('➕ 添加家人');
    const calls = await u.text('/cancel');
    expect(sentTexts(calls)).toEqual([zh('cancel.done')]);
    expect(
      replyKeyboardOf(lastSent(calls))
        ?.keyboard?.flat()
        .map((b) => b.text),
    ).toEqual(MENU_ZH);
  });
});

describe('Chinese first', () => {
  it('a new resident whose Telegram is in English is greeted in Chinese, with one tap to English', async () => {
    const u = h.user(nextUserId++, { languageCode: 'en' });
    const greeting = await u.text('/start');
    expect(sentTexts(greeting)[0]).toContain('您好');
    expect(labelsOf(lastSent(greeting))).toEqual(['📝 登记我家', 'English']);
    const switched = await u.tap('English');
    expect(sentTexts(switched)[0]).toContain(en('language.changed'));
    expect(labelsOf(lastSent(switched))).toEqual(['📝 Register my household']);
    expect(sentTexts(await u.text('/start'))[0]).toContain('Hello');
    // And back, with the same one tap on an English greeting.
    expect(labelsOf(lastSent(await u.text('/start')))).toEqual(['📝 Register my household', '中文']);
  });
});

describe('the command menu', () => {
  it('residents see six commands at most, not /deleteme (which still works); admins keep theirs', async () => {
    const telegram = fakeTelegram();
    const api = new Api(TEST_TOKEN, { fetch: telegram.fetch });
    await setCommandMenus(api, { ...h.deps, adminTelegramIds: [119_999] });
    const menus = telegram.calls.filter((c) => c.method === 'setMyCommands');
    const commandsOf = (c: ApiCall) => (c.payload.commands as { command: string }[]).map((x) => x.command);
    const residents = menus.filter((c) => c.payload.scope === undefined);
    expect(residents).toHaveLength(3); // the default and one per language
    for (const m of residents) {
      expect(commandsOf(m).length).toBeLessThanOrEqual(6);
      expect(commandsOf(m)).not.toContain('deleteme');
    }
    const admin = menus.find(
      (c) => (c.payload.scope as { chat_id?: number } | undefined)?.chat_id === 119_999,
    );
    expect(commandsOf(admin as ApiCall)).toEqual(expect.arrayContaining(['deleteme', 'reload', 'invite']));
    const u = await resident();
    expect(sentTexts(await u.text('/deleteme'))[0]).toContain('确定要删除您的全部资料吗');
  });
});

describe('personal data', () => {
  it('/mydata mentions a kept draft and /deleteme erases it', async () => {
    const u = await resident({ child: true });
    await dibaoUpToReason(u);
    await u.text('/mycases');
    expect(await draftOf(u)).not.toBeNull();
    const copy = (await u.text('/mydata')).find((c) => c.method === 'sendDocument')?.payload as
      | { document: { content: string } }
      | undefined;
    expect(copy?.document.content).toContain(zh('privacy:mydata.form_draft'));
    await u.text('/deleteme');
    await u.tap('确定删除');
    expect(
      await h.db.conversationState.count({ where: { key: { in: [String(u.id), `draft:${u.id}`] } } }),
    ).toBe(0);
  });
});
