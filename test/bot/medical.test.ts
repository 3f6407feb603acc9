// The medical green channel's emergency path, through the real update path (issue 11, point 2): the first
// question is "is it an emergency, right now?"; on yes the resident is told to call 120 before anything else
// and only patient, hospital and phone follow; on no, hospital stay or outpatient visit, then the rest. The
// resident hears truthfully who has an urgent case (on-duty staff, the department group, or nobody yet);
// the hospital card's wording follows the kind of care and is shown again from the case view; the
// poor-household question uses today's terms. Both languages.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeAnswers } from '../../src/app/cases.ts';
import { myCaseButtons } from '../../src/bot/buttons.ts';
import { createCatalogue, DEFAULT_SERVICES } from '../../src/domain/catalogue/index.ts';
import {
  type ApiCall,
  createHarness,
  type FailCall,
  type Harness,
  type SimUser,
  sentTexts,
} from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { caseWorkers, fileSuggestion, makeStaff, textsTo } from '../support/staff-scene.ts';

const GROUP = -1_009_876_543;
const HAN = /[\u4e00-\u9fff]/;
let h: Harness;
let nextUserId = 95_000;
let nextStaffId = 96_000;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

/** Every test starts with nobody on duty at the health department and no department group. */
beforeEach(async () => {
  await h.db.staffMember.updateMany({
    where: { departmentCode: 'wanshan-health' },
    data: { active: false, onDuty: false },
  });
  await h.db.department.update({ where: { code: 'wanshan-health' }, data: { telegramGroupId: null } });
});

async function resident(lang: 'zh' | 'en' = 'zh'): Promise<SimUser> {
  const u = h.user(nextUserId++);
  await registerResident(u); // the script taps the Chinese buttons: an English user switches afterwards
  if (lang === 'en') {
    await u.text('/language');
    await u.tap('English');
  }
  return u;
}

const onDuty = () => makeStaff(h, nextStaffId++, 'wanshan-health', { onDuty: true });

async function lastCase(u: SimUser) {
  return h.db.case.findFirstOrThrow({
    where: { telegramId: BigInt(u.id) },
    orderBy: { submittedAt: 'desc' },
  });
}

/** The emergency path from the menu to the submitted case (Chinese buttons). */
async function fileEmergency(u: SimUser) {
  await u.text('/services');
  await u.tap('🏥 看病绿色通道');
  await u.tap('🚑 是，很急');
  await u.tap('杨光明');
  await u.tap('万山区人民医院');
  await u.tap(/用登记的手机号/);
  await u.tap('✅ 对的，提交');
  return lastCase(u);
}

/** Messages a resident got from the dispatcher: the harness's calls, or a failing fake's own. */
const residentTexts = (calls: ApiCall[], u: SimUser) => textsTo(calls, u.id);

describe('the first question: is it an emergency, right now?', () => {
  it('zh: yes → "call 120" at once, before anything else; then only patient, hospital, phone; urgent', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('🏥 看病绿色通道');
    expect(u.lastText()).toContain('是急病吗？现在就有危险吗？');
    const calls = await u.tap('🚑 是，很急');
    const sent = sentTexts(calls);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain('🚑 有生命危险请马上打 120！');
    expect(sent[1]).toContain('是谁要看病');
    expect(sent[1]).toContain('（第 2 步，共 4 步）');
    await u.tap('杨光明');
    expect(u.lastText()).toContain('去哪家医院');
    await u.tap('万山区人民医院');
    expect(u.lastText()).toContain('打哪个电话');
    await u.tap(/用登记的手机号/);
    const summary = u.lastText();
    expect(summary.split('\n').filter((l) => l.startsWith('•'))).toEqual([
      '• 是不是急病：🚑 是，很急',
      '• 病人：杨光明',
      '• 医院：万山区人民医院',
      '• 联系电话：用登记的手机号 138****1234',
    ]);
    await u.tap('✅ 对的，提交');
    // Said once: the later steps (replayed by the conversation engine) do not say it again.
    expect(u.texts().filter((t) => t.includes('🚑 有生命危险请马上打 120！'))).toHaveLength(1);
    const c = await lastCase(u);
    expect(c.priority).toBe('urgent');
    expect(c.dueAt.getTime() - c.submittedAt.getTime()).toBeLessThanOrEqual(2 * 3600_000 + 5_000);
    const answers = describeAnswers(c, h.cipher, createCatalogue(DEFAULT_SERVICES));
    expect(answers.map((a) => a.stepId)).toEqual(['emergency', 'patient', 'hospital', 'phone']);
  });

  it('en: yes → "call 120" first, in English; the card reads "emergency"', async () => {
    const u = await resident('en');
    await u.text('/services');
    await u.tap('🏥 Medical green channel');
    expect(u.lastText()).toContain('Is it an emergency? Is someone in danger right now?');
    const sent = sentTexts(await u.tap('🚑 Yes, it is urgent'));
    expect(sent[0]).toContain('If a life is in danger, call 120 now!');
    expect(sent[1]).toContain('Who needs to see a doctor?');
    await u.tap('杨光明');
    await u.tap("Wanshan District People's Hospital");
    await u.tap(/Use my registered number/);
    await u.tap('✅ Correct, submit');
    const [confirmation, card] = u.texts().slice(-2);
    // Nobody is on duty in this test: said so, truthfully, with what to do.
    expect(confirmation).toContain('No staff member on duty can be reached right now');
    expect(confirmation).toContain("12345 citizens' hotline");
    expect(card).toContain('Medical green channel confirmation (emergency)');
    expect(card).toContain('emergency treatment starts at once with no prepayment');
    for (const text of [confirmation, card]) {
      expect(text).not.toMatch(/[，。：；（）！？元]/);
    }
  });

  it('no → hospital stay or outpatient visit first, then the rest; a normal case', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('🏥 看病绿色通道');
    const sent = sentTexts(await u.tap('不是急病'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('是要住院，还是看门诊？');
    expect(sent[0]).not.toContain('120');
    await u.tap('住院');
    await u.tap('杨光明');
    await u.tap('万山区人民医院');
    expect(u.lastText()).toContain('是什么情况');
    await u.text('腿摔伤了，要住院');
    expect(u.lastText()).toContain('脱贫户');
    await u.tap('不清楚');
    await u.tap(/用登记的手机号/);
    expect(u.lastText()).toContain('• 脱贫户/监测户：不清楚');
    await u.tap('✅ 对的，提交');
    const [confirmation, card] = u.texts().slice(-2);
    expect(confirmation).not.toContain('值班');
    expect(card).toContain('就医绿色通道确认单（住院）');
    expect(card).toContain('凭此单和身份证办住院');
    const c = await lastCase(u);
    expect(c.priority).toBe('normal');
    expect(await h.db.notification.count({ where: { caseId: c.id } })).toBe(0);
  });

  it('changing the answer from the summary: no → yes drops the other answers; yes → no asks them', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('🏥 看病绿色通道');
    await u.tap('不是急病');
    await u.tap('门诊');
    await u.tap('杨光明');
    await u.tap('万山区人民医院');
    await u.text('头疼');
    await u.tap('都不是');
    await u.tap(/用登记的手机号/);
    await u.tap('✏️ 修改');
    await u.tap('是不是急病');
    const sent = sentTexts(await u.tap('🚑 是，很急'));
    expect(sent[0]).toContain('有生命危险请马上打 120');
    const summary = u.lastText();
    expect(summary).toContain('请核对');
    expect(summary).not.toContain('什么情况');
    expect(summary).not.toContain('住院还是门诊');
    await u.tap('✅ 对的，提交');
    const c = await lastCase(u);
    expect(c.priority).toBe('urgent');
    const stored = describeAnswers(c, h.cipher, createCatalogue(DEFAULT_SERVICES)).map((a) => a.stepId);
    expect(stored).toEqual(['emergency', 'patient', 'hospital', 'phone']);

    const v = await resident();
    await v.text('/services');
    await v.tap('🏥 看病绿色通道');
    await v.tap('🚑 是，很急');
    await v.tap('杨光明');
    await v.tap('万山区人民医院');
    await v.tap(/用登记的手机号/);
    await v.tap('✏️ 修改');
    await v.tap('是不是急病');
    await v.tap('不是急病');
    expect(v.lastText()).toContain('是要住院，还是看门诊');
    await v.tap('门诊');
    expect(v.lastText()).toContain('是什么情况');
    await v.text('咳嗽');
    await v.tap('是监测户');
    expect(v.lastText()).toContain('请核对');
    await v.tap('✅ 对的，提交');
    expect((await lastCase(v)).priority).toBe('normal');
  });
});

describe('wrong input at the new steps', () => {
  /** Sends what a button step must not take; nothing moves on, and the reply is plain and in the language. */
  async function wrongAt(u: SimUser, lang: 'zh' | 'en', nextPrompt: string) {
    for (const calls of [
      await u.sticker(),
      await u.text(lang === 'zh' ? '是的' : 'yes'),
      await u.text('急'.repeat(5000)),
      await u.voice(),
    ]) {
      const texts = sentTexts(calls);
      expect(texts.length).toBeGreaterThan(0);
      for (const text of texts) {
        expect(text).not.toContain('出了点问题');
        expect(text).not.toContain(nextPrompt);
        expect(text).not.toContain('120');
        if (lang === 'en') expect(text).not.toMatch(HAN);
      }
    }
    const forged = await u.press('f:999999:c:0');
    const alert = String(forged.find((c) => c.method === 'answerCallbackQuery')?.payload.text);
    if (lang === 'zh') expect(alert).toContain('过期');
    else expect(alert).toContain('expired');
    expect(sentTexts(forged).some((t) => t.includes(nextPrompt))).toBe(false);
  }

  it('zh: the emergency question, hospital stay or outpatient, and the poverty status each re-ask', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('🏥 看病绿色通道');
    await wrongAt(u, 'zh', '是谁要看病');
    await u.tap('不是急病');
    await wrongAt(u, 'zh', '是谁要看病');
    await u.tap('门诊');
    await u.tap('杨光明');
    await u.tap('万山区人民医院');
    await u.text('牙疼');
    await wrongAt(u, 'zh', '打哪个电话');
    await u.tap('是脱贫户');
    expect(u.lastText()).toContain('打哪个电话');
    await u.tap(/用登记的手机号/);
    await u.tap('✅ 对的，提交');
    expect((await lastCase(u)).priority).toBe('normal');
  });

  it('en: the same steps re-ask in English', async () => {
    const u = await resident('en');
    await u.text('/services');
    await u.tap('🏥 Medical green channel');
    await wrongAt(u, 'en', 'Who needs to see a doctor?');
    await u.tap('No, not an emergency');
    await wrongAt(u, 'en', 'Who needs to see a doctor?');
    await u.tap('Outpatient visit');
    await u.tap('杨光明');
    await u.tap("Wanshan District People's Hospital");
    await u.text('Toothache');
    await wrongAt(u, 'en', 'Which number should');
    await u.tap('Not sure');
    await u.tap(/Use my registered number/);
    expect(u.lastText()).toMatch(/• Poverty status\S+ ?Not sure/);
    await u.tap('✅ Correct, submit');
    expect(u.texts().at(-1)).toContain('Medical green channel confirmation (outpatient visit)');
  });

  it('a stale "yes" from an earlier question does not jump the form', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('🏥 看病绿色通道');
    const yes = u.findButton('🚑 是，很急');
    await u.tap('不是急病');
    const calls = await u.press(yes?.button.callback_data as string, yes?.messageId);
    expect(sentTexts(calls).some((t) => t.includes('120'))).toBe(false);
    expect(u.lastText()).toContain('是要住院，还是看门诊');
    await u.text('/cancel');
  });
});

describe('the poor-household question, in today’s terms', () => {
  it('offers 脱贫户 / 监测户 / neither / not sure, in both languages', async () => {
    const labels = (u: SimUser) => {
      const last = h.calls
        .filter((c) => c.method === 'sendMessage' && Number(c.payload.chat_id) === u.id)
        .at(-1);
      const kb = (last?.payload.reply_markup as { inline_keyboard?: { text: string }[][] }) ?? {};
      return (kb.inline_keyboard ?? []).flat().map((b) => b.text);
    };
    const zh = await resident();
    await zh.text('/services');
    await zh.tap('🏥 看病绿色通道');
    await zh.tap('不是急病');
    await zh.tap('门诊');
    await zh.tap('杨光明');
    await zh.tap('万山区人民医院');
    await zh.text('发烧');
    expect(zh.lastText()).toContain('您家是脱贫户，或者监测户吗？不清楚也没关系。');
    expect(zh.lastText()).not.toContain('建档立卡');
    expect(labels(zh)).toEqual(expect.arrayContaining(['是脱贫户', '是监测户', '都不是', '不清楚']));
    await zh.text('/cancel');

    const en = await resident('en');
    await en.text('/services');
    await en.tap('🏥 Medical green channel');
    await en.tap('No, not an emergency');
    await en.tap('Hospital stay');
    await en.tap('杨光明');
    await en.tap("Wanshan District People's Hospital");
    await en.text('Fever');
    expect(en.lastText()).toContain('lifted out of poverty');
    expect(labels(en)).toEqual(
      expect.arrayContaining(['Lifted out of poverty', 'Under monitoring', 'Neither', 'Not sure']),
    );
    await en.text('/cancel');
  });
});

describe('truthful alerting', () => {
  it('on-duty staff delivered: "the staff on duty have it", once, after the alert really went', async () => {
    await onDuty();
    await onDuty();
    const u = await resident();
    const c = await fileEmergency(u);
    const [confirmation] = u.texts().slice(-2);
    expect(confirmation).toContain('正在通知值班的工作人员');
    expect(u.texts().join('\n')).not.toContain('已经收到');
    const workers = caseWorkers(h);
    await workers.drain();
    const alerts = await h.db.notification.findMany({ where: { caseId: c.id, kind: 'staff.urgent_case' } });
    expect(alerts.map((a) => a.status)).toEqual(['sent', 'sent']);
    const received = residentTexts(h.calls, u).filter((t) => t.includes('值班的工作人员已经收到'));
    expect(received).toHaveLength(1);
    expect(received[0]).toContain(c.number);
    expect(await workers.drain()).toBe(0);
    expect(residentTexts(h.calls, u).filter((t) => t.includes('已经收到'))).toHaveLength(1);
  });

  it('en: the same in English, with the hospital card a tap away', async () => {
    await onDuty();
    const u = await resident('en');
    await u.text('/services');
    await u.tap('🏥 Medical green channel');
    await u.tap('🚑 Yes, it is urgent');
    await u.tap('杨光明');
    await u.tap("Wanshan District People's Hospital");
    await u.tap(/Use my registered number/);
    await u.tap('✅ Correct, submit');
    await caseWorkers(h).drain();
    const received = u.texts().at(-1) ?? '';
    expect(received).toContain('The staff on duty have received your urgent request');
    expect(received).not.toMatch(HAN);
    const card = await u.tap('🏥 Hospital card');
    expect(sentTexts(card)[0]).toContain('Medical green channel confirmation (emergency)');
  });

  it('only the department group: posted at once, and the resident hears when it was delivered', async () => {
    await h.db.department.update({
      where: { code: 'wanshan-health' },
      data: { telegramGroupId: BigInt(GROUP) },
    });
    const u = await resident();
    const c = await fileEmergency(u);
    expect(u.texts().at(-2)).toContain('正在通知值班的工作人员');
    const posts = await h.db.notification.findMany({ where: { caseId: c.id, kind: 'group.new_case' } });
    expect(posts.map((p) => p.telegramId)).toEqual([BigInt(GROUP)]);
    const workers = caseWorkers(h);
    // The deadline watcher does not post it a second time.
    await workers.watcher.tick(new Date());
    expect(await h.db.notification.count({ where: { caseId: c.id, kind: 'group.new_case' } })).toBe(1);
    await workers.drain();
    expect(textsTo(h.calls, GROUP).some((t) => t.includes(c.number) && t.includes('急'))).toBe(true);
    expect(u.texts().at(-1)).toContain('值班的工作人员已经收到');
  });

  it('nobody on duty and no group: told at once, truthfully, with what to do; never "received"', async () => {
    const u = await resident();
    const c = await fileEmergency(u);
    const [confirmation, card] = u.texts().slice(-2);
    expect(confirmation).toContain('现在没有值班的工作人员能马上收到');
    expect(confirmation).toContain('120');
    expect(confirmation).toContain('医院的服务台');
    expect(confirmation).toContain('12345');
    expect(confirmation).not.toContain('正在通知');
    expect(card).toContain('就医绿色通道确认单（急诊）');
    await caseWorkers(h).drain();
    expect(u.texts().join('\n')).not.toContain('已经收到');
    expect(await h.db.notification.count({ where: { caseId: c.id } })).toBe(0);
  });

  it('every send failed for good (the staff member blocked the bot): the resident is told, once', async () => {
    const staffId = nextStaffId;
    await onDuty();
    const u = await resident();
    const c = await fileEmergency(u);
    expect(u.texts().at(-2)).toContain('正在通知值班的工作人员');
    const fail: FailCall = (call) =>
      Number(call.payload.chat_id) === staffId
        ? { error_code: 403, description: 'Forbidden: bot was blocked by the user' }
        : undefined;
    const workers = caseWorkers(h, { fail });
    await workers.drain();
    const alert = await h.db.notification.findFirstOrThrow({
      where: { caseId: c.id, kind: 'staff.urgent_case' },
    });
    expect(alert.status).toBe('unreachable');
    const told = residentTexts(workers.calls, u);
    expect(told.filter((t) => t.includes('还没能通知到值班的工作人员'))).toHaveLength(1);
    const nobody = told.find((t) => t.includes('还没能通知到')) ?? '';
    expect(nobody).toContain('120');
    expect(nobody).toContain('12345');
    expect(nobody).toContain(c.number);
    expect(told.join('\n')).not.toContain('已经收到');
    const message = workers.calls.find(
      (x) => x.method === 'sendMessage' && String(x.payload.text).includes('还没能通知到'),
    );
    expect(JSON.stringify(message?.payload.reply_markup)).toContain(
      myCaseButtons.card.pack({ caseId: c.id }),
    );
  });

  it('sends that keep failing: told after three tries; told "received" when one finally gets through', async () => {
    const staffId = nextStaffId;
    await onDuty();
    const u = await resident();
    const c = await fileEmergency(u);
    let down = true;
    let clock = new Date();
    const fail: FailCall = (call) =>
      down && Number(call.payload.chat_id) === staffId
        ? { error_code: 502, description: 'Bad Gateway' }
        : undefined;
    const workers = caseWorkers(h, { fail, now: () => clock });
    const later = async (hours: number) => {
      clock = new Date(clock.getTime() + hours * 3600_000);
      await workers.drain();
    };
    await workers.drain();
    await later(1);
    expect(residentTexts(workers.calls, u).join('\n')).not.toContain('还没能通知到');
    await later(1);
    expect(residentTexts(workers.calls, u).filter((t) => t.includes('还没能通知到'))).toHaveLength(1);
    await later(1);
    expect(residentTexts(workers.calls, u).filter((t) => t.includes('还没能通知到'))).toHaveLength(1);
    down = false;
    await later(2);
    const alert = await h.db.notification.findFirstOrThrow({
      where: { caseId: c.id, kind: 'staff.urgent_case' },
    });
    expect(alert.status).toBe('sent');
    const told = residentTexts(workers.calls, u);
    expect(told.filter((t) => t.includes('值班的工作人员已经收到'))).toHaveLength(1);
    expect(told.findIndex((t) => t.includes('已经收到'))).toBeGreaterThan(
      told.findIndex((t) => t.includes('还没能通知到')),
    );
  });

  it('a withdrawn case gets no word about the alert', async () => {
    await onDuty();
    const u = await resident();
    const c = await fileEmergency(u);
    expect((await h.deps.cases.withdraw(u.id, c.id)).ok).toBe(true);
    await caseWorkers(h).drain();
    expect(u.texts().join('\n')).not.toContain('已经收到');
  });
});

describe('the hospital card, again from the case view', () => {
  it('zh: /mycases → the case → "🏥 就医卡" shows the card as it was given', async () => {
    const u = await resident();
    const c = await fileEmergency(u);
    const first = u.texts().at(-1);
    await u.text('/mycases');
    await u.tap(new RegExp(c.number));
    const card = sentTexts(await u.tap('🏥 就医卡'));
    expect(card).toHaveLength(1);
    expect(card[0]).toBe(first);
    expect(card[0]).toContain('病人：杨光明');
    expect(card[0]).toMatch(/身份证：522\*{13}[\dX]{2}/);
  });

  it('en: an outpatient visit’s card reads so', async () => {
    const u = await resident('en');
    await u.text('/services');
    await u.tap('🏥 Medical green channel');
    await u.tap('No, not an emergency');
    await u.tap('Outpatient visit');
    await u.tap('杨光明');
    await u.tap('Wangjia Community Health Centre');
    await u.text('Back pain');
    await u.tap('Neither');
    await u.tap(/Use my registered number/);
    await u.tap('✅ Correct, submit');
    const c = await lastCase(u);
    await u.text('/mycases');
    await u.tap(new RegExp(c.number));
    const card = sentTexts(await u.tap('🏥 Hospital card'))[0] ?? '';
    expect(card).toContain('(outpatient visit)');
    expect(card).toContain('Wangjia Community Health Centre');
    expect(card).not.toMatch(/[，。：；（）！？元]/);
  });

  it('not for a withdrawn case, not for someone else’s, not for a suggestion, not for a forged id', async () => {
    const u = await resident();
    const c = await fileEmergency(u);
    await u.text('/mycases');
    await u.tap(new RegExp(c.number));
    const button = u.findButton('🏥 就医卡');
    expect(button).toBeDefined();
    const alertOf = (calls: ApiCall[]) => calls.find((x) => x.method === 'answerCallbackQuery')?.payload;

    const other = await resident();
    const foreign = await other.press(myCaseButtons.card.pack({ caseId: c.id }));
    expect(alertOf(foreign)?.text).toContain('没找到这件事');
    expect(sentTexts(foreign)).toEqual([]);

    const forged = await u.press(myCaseButtons.card.pack({ caseId: randomUUID() }));
    expect(alertOf(forged)?.text).toContain('没找到这件事');

    const suggestion = await fileSuggestion(h, u);
    await u.text('/mycases');
    await u.tap(new RegExp(suggestion.number));
    expect(u.findButton('🏥 就医卡')?.messageId).toBe(button?.messageId); // only the medical view has one
    const notMedical = await u.press(myCaseButtons.card.pack({ caseId: suggestion.caseId }));
    expect(alertOf(notMedical)?.show_alert).toBe(true);
    expect(sentTexts(notMedical)).toEqual([]);

    expect((await h.deps.cases.withdraw(u.id, c.id)).ok).toBe(true);
    const withdrawn = await u.press(button?.button.callback_data as string, button?.messageId);
    expect(alertOf(withdrawn)?.text).toContain('就医卡不能再用了');
    expect(alertOf(withdrawn)?.show_alert).toBe(true);
    expect(sentTexts(withdrawn)).toEqual([]);
    await u.text('/mycases');
    const views = h.calls.length;
    await u.tap(new RegExp(c.number));
    const view = h.calls.slice(views).find((x) => x.method === 'sendMessage');
    expect(JSON.stringify(view?.payload.reply_markup)).not.toContain('mc:card');
  });
});
