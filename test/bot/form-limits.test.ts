// A form's stored state is bounded. Wrong answers are answered and then left out of the conversation's log
// (they change nothing, so a 4,096-character one costs the later steps nothing); what the log keeps is
// capped in updates and in bytes (src/bot/form-limits.ts). Past the cap the form ends kindly — in the
// resident's language, with the way back in — and nothing of it is kept; the resident can start again at
// once. Honest long forms stay well under the cap.
import type { ConversationData, VersionedState } from '@grammyjs/conversations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { CANNED_ADD } from '../../src/bot/conversations/canned-reply.ts';
import { CASE_ANSWER, CASE_RATE, CASE_REOPEN } from '../../src/bot/conversations/case-followup.ts';
import { MEMBER } from '../../src/bot/conversations/member.ts';
import { NOTICE } from '../../src/bot/conversations/notice.ts';
import { REGISTRATION } from '../../src/bot/conversations/registration.ts';
import { SERVICE_REQUEST } from '../../src/bot/conversations/service-request.ts';
import { STAFF_ACTION } from '../../src/bot/conversations/staff-action.ts';
import { WAY_BACK_IN } from '../../src/bot/create-bot.ts';
import { FORM_STATE_LIMITS, type FormStateLimits, recordedUpdates } from '../../src/bot/form-limits.ts';
import { beijingMinute } from '../../src/domain/beijing-time.ts';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { birthDateForAge, makeIdNumber } from '../support/fixtures.ts';
import { addMember, registerResident, takeSteps } from '../support/flows.ts';
import { WANGJIA } from '../support/notice-scene.ts';
import { BEFORE, registrationScript } from '../support/registration-script.ts';
import { addWorker, buildingsOf, seedResidents } from '../support/seed-residents.ts';

/** The stored form state of a chat: its size as stored and the updates its logs hold (null: no state). */
async function stateOf(h: Harness, chatId: number) {
  const row = await h.db.conversationState.findUnique({ where: { key: String(chatId) } });
  if (!row) return null;
  const state = h.cipher.decryptJson<VersionedState<ConversationData>>(
    row.data,
    piiAt.conversationState(row.key),
  );
  return {
    bytes: row.data.byteLength,
    updates: recordedUpdates(state.state),
    forms: Object.keys(state.state),
  };
}

/** Walks /start to the name question of the registration. */
async function startRegistration(u: SimUser) {
  await takeSteps(u, registrationScript('').slice(0, BEFORE.name));
  expect(u.lastText()).toContain('名字');
}

let seq = 700;
const idNumber = () => makeIdNumber({ birthDate: '1980-05-06', seq: seq++ });

describe('wrong answers are not kept', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('a hundred 4,096-character wrong names are each re-asked, and the stored state stays as it was', async () => {
    const u = h.user(80_001);
    await startRegistration(u);
    const before = await stateOf(h, u.id);
    for (let i = 0; i < 100; i++) {
      const texts = sentTexts(await u.text('长'.repeat(4096)));
      expect(texts).toEqual([expect.stringContaining('名字')]);
    }
    await u.sticker();
    await u.press('f:999999:c:0'); // a forged button
    expect(await stateOf(h, u.id)).toEqual(before);
    // The form goes on from where it was.
    await u.text('杨光明');
    await u.text('13800001234');
    await u.text(idNumber());
    await u.tap('✅ 对的，提交');
    await u.tap('✅ 同意');
    expect(u.lastText()).toContain('登记好了');
    expect(await stateOf(h, u.id)).toBeNull();
  });

  it('in a service request too: over-long text, a sticker and a command leave the state unchanged', async () => {
    const u = h.user(80_002);
    await registerResident(u);
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('环境卫生');
    const before = await stateOf(h, u.id);
    await u.text('长'.repeat(4096));
    await u.sticker();
    await u.text('/whatever');
    expect(await stateOf(h, u.id)).toEqual(before);
    await u.text('希望多放几个垃圾桶');
    expect((await stateOf(h, u.id))?.updates).toBe((before?.updates ?? 0) + 1);
  });
});

const ZH_ENDED = '这张表填得太久了，已经停下，刚才填的没有保存。请重新开始：发 ';
const EN_ENDED =
  'This form went on too long, so I stopped it. Nothing you filled in was saved. Please start again: send ';

/**
 * Sends `next()` until the stored state is at the limit `reached` (in updates or bytes), checking after each
 * update that the state never holds more than the limits allow. Returns the last state.
 */
async function fillUntil(
  h: Harness,
  u: SimUser,
  limits: FormStateLimits,
  reached: (state: { bytes: number; updates: number }) => boolean,
  next: (i: number) => Promise<unknown>,
) {
  let last = await stateOf(h, u.id);
  let growth = 0;
  for (let i = 0; last && !reached(last); i++) {
    await next(i);
    const now = await stateOf(h, u.id);
    expect(now, `the form ended early, after ${last.updates} updates: ${u.lastText()}`).not.toBeNull();
    if (!now) break;
    expect(now.updates).toBe(last.updates + 1);
    growth = Math.max(growth, now.bytes - last.bytes);
    expect(now.updates).toBeLessThanOrEqual(limits.maxUpdates);
    // Over the bytes by at most what one update adds (the next update then ends the form).
    expect(now.bytes).toBeLessThanOrEqual(limits.maxBytes + growth);
    last = now;
  }
  return last;
}

async function householdOf(h: Harness, telegramId: number) {
  return h.db.resident.findUnique({ where: { telegramId: BigInt(telegramId) }, select: { id: true } });
}

async function caseCount(h: Harness, telegramId: number) {
  const r = await householdOf(h, telegramId);
  return r ? h.db.case.count({ where: { residentId: r.id } }) : 0;
}

/** The registration, from the room question: "back" to the unit, the unit again, and so on. */
const registrationBackAndForth = (u: SimUser) => (i: number) =>
  i % 2 === 0 ? u.tap('⬅️ 上一步') : u.tap('2 单元');

/** The suggestion box, from its second question: "back" to the topic, the topic again, and so on. */
const suggestionBackAndForth = (u: SimUser) => (i: number) =>
  i % 2 === 0 ? u.tap('⬅️ 上一步') : u.tap('环境卫生');

describe(`the cap in updates (${FORM_STATE_LIMITS.maxUpdates}), through the update gate`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());
  const limits = FORM_STATE_LIMITS;
  const full = (s: { updates: number }) => s.updates >= limits.maxUpdates;

  it('registration: the next update ends the form kindly, nothing is kept, and the resident registers at once', async () => {
    const u = h.user(81_001);
    await u.text('/start');
    await u.tap('📝 登记我家');
    await u.tap('旺家社区');
    await u.tap('3栋');
    await u.tap('2 单元');
    const last = await fillUntil(h, u, limits, full, registrationBackAndForth(u));
    expect(last?.updates).toBe(limits.maxUpdates);
    expect(last?.forms).toEqual([REGISTRATION]);

    const calls = await u.tap('⬅️ 上一步');
    expect(sentTexts(calls)).toEqual([`${ZH_ENDED}/start`]);
    expect(calls.find((c) => c.method === 'answerCallbackQuery')).toBeDefined();
    expect(await stateOf(h, u.id)).toBeNull();
    expect(await householdOf(h, u.id)).toBeNull();

    // A button of the ended form is now only a stale one.
    await u.tap('2 单元');
    expect(await stateOf(h, u.id)).toBeNull();
    await registerResident(u);
    expect(await householdOf(h, u.id)).not.toBeNull();
  }, 60_000);

  it('a service request: ended with the way back in (/services), no case; /services works at once', async () => {
    const u = h.user(81_002);
    await registerResident(u);
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('环境卫生');
    const last = await fillUntil(h, u, limits, full, suggestionBackAndForth(u));
    expect(last?.forms).toEqual([SERVICE_REQUEST]);

    // A typed answer meant for the form goes no further than the message.
    const calls = await u.text('希望多放几个垃圾桶');
    expect(sentTexts(calls)).toEqual([`${ZH_ENDED}/services`]);
    expect(await stateOf(h, u.id)).toBeNull();
    expect(await caseCount(h, u.id)).toBe(0);

    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('环境卫生');
    await u.text('希望多放几个垃圾桶');
    await u.tap('没有，跳过');
    await u.tap('写上我的名字');
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toMatch(/编号/);
    expect(await caseCount(h, u.id)).toBe(1);
  }, 60_000);
});

describe('a command sent at the cap (made small here: 12 updates)', () => {
  let h: Harness;
  const limits = { maxUpdates: 12, maxBytes: 512 * 1024 };
  beforeAll(async () => {
    h = await createHarness({ formStateLimits: limits });
  });
  afterAll(() => h.close());

  it('a command sent at the cap is told, then carried out (/services opens the menu); /cancel only told', async () => {
    const u = h.user(81_003);
    await registerResident(u);
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('环境卫生');
    await fillUntil(h, u, limits, (st) => st.updates >= limits.maxUpdates, suggestionBackAndForth(u));
    const texts = sentTexts(await u.text('/services'));
    expect(texts[0]).toBe(`${ZH_ENDED}/services`);
    expect(texts).toHaveLength(2); // and the menu of services
    expect(await stateOf(h, u.id)).toBeNull();

    await u.tap('📮 意见箱');
    await u.tap('环境卫生');
    await fillUntil(h, u, limits, (st) => st.updates >= limits.maxUpdates, suggestionBackAndForth(u));
    expect(sentTexts(await u.text('/cancel'))).toEqual([`${ZH_ENDED}/services`]);
    expect(await stateOf(h, u.id)).toBeNull();
  });
});

describe('the cap in bytes (made small here: 40 KB)', () => {
  let h: Harness;
  const limits = { maxUpdates: 10_000, maxBytes: 40 * 1024 };
  const full = (s: { bytes: number }) => s.bytes > limits.maxBytes;
  beforeAll(async () => {
    h = await createHarness({ formStateLimits: limits });
  });
  afterAll(() => h.close());

  it('registration: ended on the update after the state passed the bytes', async () => {
    const u = h.user(82_001);
    await u.text('/start');
    await u.tap('📝 登记我家');
    await u.tap('旺家社区');
    await u.tap('3栋');
    await u.tap('2 单元');
    const last = await fillUntil(h, u, limits, full, registrationBackAndForth(u));
    expect(last?.updates).toBeLessThan(100);
    expect(sentTexts(await u.tap('⬅️ 上一步'))).toEqual([`${ZH_ENDED}/start`]);
    expect(await stateOf(h, u.id)).toBeNull();
    expect(await householdOf(h, u.id)).toBeNull();
  });

  it('a service request with long answers: ended, no case, and in English for a resident using English', async () => {
    const u = h.user(82_002);
    await registerResident(u); // the script taps the Chinese buttons: the resident switches afterwards
    await u.text('/language');
    await u.tap('English');
    await u.text('/services');
    await u.tap('📮 Suggestion box');
    await u.tap('Environment and cleanliness');
    const long = '垃圾桶不够用，'.repeat(140); // 980 characters: a valid suggestion
    const last = await fillUntil(h, u, limits, full, (i) => (i % 2 === 0 ? u.text(long) : u.tap('⬅️ Back')));
    expect(last?.updates).toBeLessThan(40);
    const calls = await u.text(long);
    expect(sentTexts(calls)).toEqual([`${EN_ENDED}/services`]);
    expect(await stateOf(h, u.id)).toBeNull();
    expect(await caseCount(h, u.id)).toBe(0);
  });
});

describe('without the update gate (bot.handleUpdate directly)', () => {
  let h: Harness;
  const limits = { maxUpdates: 12, maxBytes: 512 * 1024 };
  beforeAll(async () => {
    h = await createHarness({ gated: false, formStateLimits: limits });
  });
  afterAll(() => h.close());

  it('the same cap: the form ends kindly, in English for a resident who chose it, and starts again normally', async () => {
    const u = h.user(83_001, { languageCode: 'en' });
    await u.text('/start');
    await u.tap('English'); // the one-tap switch on the first greeting
    await u.tap('📝 Register my household');
    await u.tap('Wangjia Community');
    await u.tap('Building 3');
    const last = await fillUntil(
      h,
      u,
      limits,
      (s) => s.updates >= limits.maxUpdates,
      (i) => (i % 2 === 0 ? u.tap('⬅️ Back') : u.tap('Building 3')),
    );
    expect(last?.updates).toBe(limits.maxUpdates);
    expect(sentTexts(await u.tap('Building 3'))).toEqual([`${EN_ENDED}/start`]);
    expect(await stateOf(h, u.id)).toBeNull();
    expect(await householdOf(h, u.id)).toBeNull();

    await u.text('/start');
    await u.tap('📝 Register my household');
    await u.tap('Wangjia Community');
    await u.tap('Building 3');
    await u.tap('Unit 2');
    await u.text('302');
    await u.text('Yang Guangming');
    await u.text('13800001234');
    await u.text(idNumber());
    await u.tap('✅ Correct, submit');
    await u.tap('✅ I agree');
    expect(await householdOf(h, u.id)).not.toBeNull();
    expect(await stateOf(h, u.id)).toBeNull();
  });
});

describe('honest long forms stay well under the cap (at most half of it)', () => {
  let h: Harness;
  const limits = FORM_STATE_LIMITS;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  /** Runs `steps`, keeping the largest state seen; the form must end by itself (done). */
  async function largest(u: SimUser, steps: () => Promise<void>) {
    const max = { bytes: 0, updates: 0 };
    const calls = h.calls.length;
    const original = h.handle;
    h.handle = async (update) => {
      await original(update);
      const s = await stateOf(h, u.id);
      max.bytes = Math.max(max.bytes, s?.bytes ?? 0);
      max.updates = Math.max(max.updates, s?.updates ?? 0);
    };
    try {
      await steps();
    } finally {
      h.handle = original;
    }
    const texts = h.calls.slice(calls).map((c) => String(c.payload.text ?? ''));
    expect(texts.some((t) => t.startsWith(ZH_ENDED))).toBe(false);
    expect(max.updates).toBeLessThanOrEqual(limits.maxUpdates / 2);
    expect(max.bytes).toBeLessThanOrEqual(limits.maxBytes / 2);
    return max;
  }

  it('a dibao application for a household of seven: long explanations, 8 photos, back and four changes', async () => {
    const u = h.user(84_001);
    await registerResident(u);
    // Relations that fit the ages (a member's relation is checked against their age).
    const family = [
      ['杨大山', 'spouse', 42],
      ['王秀英', 'child', 10],
      ['杨小雨', 'child', 17],
      ['杨小雪', 'child', 24],
      ['杨老汉', 'parent', 70],
      ['李桂花', 'parent', 68],
    ] as const;
    for (const [i, [name, relation, age]] of family.entries()) {
      const birthDate = birthDateForAge(age);
      const id = makeIdNumber({ birthDate, seq: 600 + i });
      await addMember(h, u.id, { name, relation, birthDate, idNumber: id });
    }
    const explain = (n: number) => '家里老人常年生病，孩子还在上学，'.repeat(40).slice(0, n);
    const photo = () =>
      u.send(
        u.message({
          photo: [
            { file_id: `ph-${Math.random()}`, file_unique_id: `u-${Math.random()}`, width: 800, height: 600 },
          ],
          caption: explain(1024),
        }),
      );
    await largest(u, async () => {
      await u.text('/services');
      await u.tap('💰 申请低保');
      await u.tap('对，就是这些人');
      for (const wrong of ['很少', '一千五', '-1']) await u.text(wrong);
      await u.text('900');
      await u.tap('其他原因');
      await u.text(explain(500));
      await u.tap('⬅️ 上一步');
      await u.tap('其他原因');
      await u.text(explain(499));
      await u.tap('有一些');
      await u.text(explain(500));
      await u.tap('✅ 同意核对');
      for (let i = 0; i < 9; i++) await photo(); // one more than the step takes
      await u.tap('✅ 好了');
      for (const [field, answer] of [
        ['具体情况', explain(500)],
        ['财产情况', explain(480)],
        ['全家每月收入', '1200'],
      ] as const) {
        await u.tap('✏️ 修改');
        await u.tap(field);
        await u.text(answer);
      }
      await u.tap('✏️ 修改');
      await u.tap('主要原因');
      await u.tap('其他原因');
      await u.text(explain(500));
      await u.tap('✅ 对的，提交');
    });
    expect(u.lastText()).toContain('已经提交了');
  });

  it('a school enrolment adding two children on the spot, a warning, photos and changes', async () => {
    const u = h.user(84_002);
    await registerResident(u);
    await largest(u, async () => {
      await u.text('/services');
      await u.tap('🎒 孩子上学');
      await u.tap('➕ 添加家人');
      await u.text('杨小军');
      await u.tap('子女');
      await u.text(birthDateForAge(9));
      await u.text('52220120');
      await u.tap('跳过');
      await u.tap('男');
      await u.tap('✏️ 修改');
      await u.tap('名字');
      await u.text('杨小俊');
      await u.tap('✅ 对的，提交');
      await u.tap('初三');
      await u.tap('重新选');
      await u.tap('小学三年级');
      await u.text('老家村小');
      await u.tap('⬅️ 上一步');
      await u.text('老家的村小学');
      await u.tap('就近安排（教育局安排）');
      await u.text('有哮喘，体育课要注意。'.repeat(40));
      await u.tap('✅ 同意');
      for (let i = 0; i < 6; i++) await u.photo();
      await u.tap('✅ 好了');
      await u.tap('✏️ 修改');
      await u.tap('孩子');
      await u.tap('➕ 添加家人');
      await u.text('杨小红');
      await u.tap('子女');
      await u.text(birthDateForAge(7));
      await u.tap('跳过');
      await u.tap('女');
      await u.tap('✅ 对的，提交');
      await u.tap('小学一年级');
      await u.tap('就近安排（教育局安排）');
      await u.tap('✏️ 修改');
      await u.tap('特别情况');
      await u.text('有哮喘，体育课要注意。'.repeat(40));
      await u.tap('✅ 对的，提交');
    });
    expect(u.lastText()).toContain('已经提交了');
  });

  it('a community notice of 3,000 characters in two languages, buildings one by one, rewritten three times', async () => {
    const worker = 84_003;
    await addWorker(h.db, worker, WANGJIA);
    const buildings = await buildingsOf(h.db, WANGJIA);
    await seedResidents(
      h.db,
      WANGJIA,
      buildings
        .slice(0, 8)
        .map((b, i) => ({ telegramId: 84_100 + i, buildingId: b.id, locale: null, members: [] })),
    );
    const u = h.user(worker);
    const text = (n: number) => '明天上午九点到十一点停水，请提前接好水。'.repeat(160).slice(0, n);
    await largest(u, async () => {
      await u.text('/notice');
      await u.text(text(3000));
      await u.text(`${'Water will be off tomorrow morning. '.repeat(80).slice(0, 2900)}`);
      await u.tap('没有，跳过');
      await u.tap('🏢 选几栋楼');
      for (const b of ['1栋', '2栋', '3栋', '4栋', '5栋', '6栋', '7栋', '8栋']) await u.tap(b);
      await u.tap('✅ 1栋');
      await u.tap('✅ 选好了');
      await u.tap('普通通知');
      await u.tap('定个时间再发');
      await u.text('下午三点半以后');
      await u.text(beijingMinute(new Date(Date.now() + 3 * 86_400_000)));
      for (let i = 0; i < 3; i++) {
        await u.tap('✏️ 修改');
        await u.tap('内容');
        await u.text(text(2990 + i));
      }
      await u.tap('✏️ 修改');
      await u.tap('发给谁');
      await u.tap('🏘 全社区');
      await u.tap('✅ 按这个时间发');
    });
    expect(u.lastText()).toContain('这条通知会在');
  });
});

it('every form has its way back in', () => {
  for (const form of [
    REGISTRATION,
    MEMBER,
    SERVICE_REQUEST,
    NOTICE,
    STAFF_ACTION,
    CANNED_ADD,
    CASE_ANSWER,
    CASE_RATE,
    CASE_REOPEN,
  ]) {
    expect(WAY_BACK_IN[form], form).toMatch(/^\/[a-z]+$/);
  }
});
