// Issue 11's "done when", through the real update path: a new resident registers from /start and files each
// of the four services using only buttons and voice (beyond the registration's room, name, phone and ID
// number), and every message the bot sends leaves them a next step — a button under it, the main menu's
// keyboard with it, or a question to answer. The walk also counts what it costs the resident (their taps,
// texts and voice messages) and how many messages they read, in both languages, and pins those figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/bot/i18n.ts';
import {
  type ApiCall,
  createHarness,
  type Harness,
  inlineButtons,
  type SimUser,
} from '../support/bot-harness.ts';
import { birthDateForAge, makeIdNumber } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';

const translator = createTranslator();
let h: Harness;
let nextUserId = 130_000;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

/** A message the bot sent to this chat (text, photo, voice …). */
const SENDS = /^send(Message|Photo|Voice|Document|MediaGroup)$/;

/** Whether a message leaves a next step: a keyboard under or with it, or a question of a form. */
function hasNextStep(call: ApiCall, t: (key: string) => string): boolean {
  if (inlineButtons(call).length > 0) return true;
  const markup = call.payload.reply_markup as { keyboard?: unknown[] } | undefined;
  if (markup?.keyboard && markup.keyboard.length > 0) return true;
  // A free-text or number question: the step counter says it is one, and the resident answers it.
  const counter = t('form:step').split('{{')[0] ?? '';
  return String(call.payload.text ?? call.payload.caption ?? '').includes(counter.trim());
}

interface Walk {
  /** What the resident did: taps (inline buttons and main-menu labels), typed texts, voice messages. */
  taps: number;
  texts: number;
  voices: number;
  /** Messages the bot sent them. */
  messages: number;
  /** Texts of the bot's messages that left no next step (must stay empty). */
  deadEnds: string[];
}

/** Takes `steps` in `u`'s chat, counting; each update's last message must leave a next step. */
async function walk(
  u: SimUser,
  locale: 'zh-CN' | 'en',
  steps: ({ tap: string | RegExp } | { menu: string } | { text: string } | { voice: number })[],
): Promise<Walk> {
  const t = translator.t(locale);
  const w: Walk = { taps: 0, texts: 0, voices: 0, messages: 0, deadEnds: [] };
  for (const step of steps) {
    let calls: ApiCall[];
    if ('tap' in step) {
      w.taps++;
      calls = await u.tap(step.tap);
    } else if ('menu' in step) {
      w.taps++; // a main-menu label is a button under the message box
      calls = await u.text(step.menu);
    } else if ('text' in step) {
      w.texts++;
      calls = await u.text(step.text);
    } else {
      w.voices++;
      calls = await u.send(
        u.message({
          voice: { file_id: `v${w.voices}`, file_unique_id: `v${w.voices}u`, duration: step.voice },
        }),
      );
    }
    const sent = calls.filter((c) => SENDS.test(c.method) && Number(c.payload.chat_id) === u.id);
    w.messages += sent.length;
    const last = sent.at(-1);
    if (!last) throw new Error(`nothing answered ${JSON.stringify(step)}`);
    if (!hasNextStep(last, t)) w.deadEnds.push(String(last.payload.text ?? last.payload.caption));
  }
  return w;
}

async function newResident(english = false): Promise<SimUser> {
  const u = h.user(nextUserId++);
  await registerResident(u);
  if (english) {
    await u.text('/language');
    await u.tap('English');
  }
  return u;
}

/**
 * What a journey costs, pinned: a change that adds a tap or a message to a resident's way shows up here
 * (README, "What a resident can do today", quotes these figures).
 */
const figures = ({ taps, texts, voices, messages }: Walk) => ({ taps, texts, voices, messages });

describe('a new resident files each service with buttons and voice, and is never left without a next step', () => {
  it('registration from /start ends at the main menu', async () => {
    const u = h.user(nextUserId++);
    const w = await walk(u, 'zh-CN', [
      { text: '/start' },
      { tap: '📝 登记我家' },
      { tap: '旺家社区' },
      { tap: '3栋' },
      { tap: '2 单元' },
      { text: '302' },
      { text: '杨光明' },
      { text: '13800001234' },
      { text: makeIdNumber({ birthDate: '1982-04-04', seq: 901 }) },
      { tap: '✅ 对的，提交' },
      { tap: '✅ 同意' },
    ]);
    expect(w.deadEnds).toEqual([]);
    expect(u.lastText()).toContain('登记好了');
    expect(figures(w)).toEqual({ taps: 6, texts: 5, voices: 0, messages: 15 });
  });

  it('school enrolment (zh): all buttons', async () => {
    const u = await newResident();
    await addMember(h, u.id, { name: '杨小花', relation: 'child', birthDate: birthDateForAge(6) });
    const w = await walk(u, 'zh-CN', [
      { menu: '🗂 办事' },
      { tap: '🎒 孩子上学' },
      { tap: '杨小花' },
      { tap: '小学一年级' },
      { tap: '跳过' },
      { tap: '万山区第五小学' },
      { tap: '跳过' },
      { tap: '✅ 同意' },
      { tap: '没有，跳过' },
      { tap: '✅ 对的，提交' },
    ]);
    expect(w.deadEnds).toEqual([]);
    expect(w.texts).toBe(0);
    expect(u.texts().join('\n')).toMatch(/EDU-\d{4}-\d{6}/);
    expect(figures(w)).toEqual({ taps: 10, texts: 0, voices: 0, messages: 11 });
  });

  it('medical green channel, an emergency (zh): three questions after "call 120", all buttons', async () => {
    const u = await newResident();
    const w = await walk(u, 'zh-CN', [
      { menu: '🗂 办事' },
      { tap: '🏥 看病绿色通道' },
      { tap: '🚑 是，很急' },
      { tap: '杨光明' },
      { tap: '万山区人民医院' },
      { tap: /用登记的手机号/ },
      { tap: '✅ 对的，提交' },
    ]);
    expect(w.deadEnds).toEqual([]);
    expect(w.texts + w.voices).toBe(0);
    expect(u.texts().join('\n')).toContain('120');
    expect(u.texts().join('\n')).toMatch(/MED-\d{4}-\d{6}/);
    expect(figures(w)).toEqual({ taps: 7, texts: 0, voices: 0, messages: 10 });
  });

  it('medical green channel, not an emergency (en): what happened said aloud', async () => {
    const u = await newResident(true);
    const w = await walk(u, 'en', [
      { menu: '🗂 Services' },
      { tap: /Medical green channel/ },
      { tap: /not an emergency/i },
      { tap: /Outpatient/ },
      { tap: '杨光明' },
      { tap: /Wanshan District People/ },
      { voice: 20 },
      { tap: 'Not sure' },
      { tap: /registered number/ },
      { tap: /submit/i },
    ]);
    expect(w.deadEnds).toEqual([]);
    expect(w.texts).toBe(0);
    expect(u.texts().join('\n')).toMatch(/MED-\d{4}-\d{6}/);
    expect(figures(w)).toEqual({ taps: 9, texts: 0, voices: 1, messages: 12 });
  });

  it('dibao (zh): the monthly income said aloud, the rest buttons', async () => {
    const u = await newResident();
    const w = await walk(u, 'zh-CN', [
      { menu: '🗂 办事' },
      { tap: '💰 申请低保' },
      { tap: '对，家里只有我' },
      { voice: 8 },
      { tap: '生病' },
      { tap: '都没有' },
      { tap: '✅ 同意核对' },
      { tap: '没有，跳过' },
      { tap: '✅ 对的，提交' },
    ]);
    expect(w.deadEnds).toEqual([]);
    expect(w.texts).toBe(0);
    expect(u.texts().join('\n')).toMatch(/CIV-\d{4}-\d{6}/);
    const c = await h.db.case.findFirstOrThrow({
      where: { telegramId: BigInt(u.id) },
      include: { attachments: true },
    });
    expect(c.attachments.map((a) => [a.stepId, a.kind])).toEqual([['income', 'voice']]);
    expect(figures(w)).toEqual({ taps: 8, texts: 0, voices: 1, messages: 10 });
  });

  it('suggestion box (en): said aloud, anonymous', async () => {
    const u = await newResident(true);
    const w = await walk(u, 'en', [
      { menu: '🗂 Services' },
      { tap: /Suggestion box/ },
      { tap: /Environment/ },
      { voice: 15 },
      { tap: /skip/i },
      { tap: /Anonymous/ },
      { tap: /submit/i },
    ]);
    expect(w.deadEnds).toEqual([]);
    expect(w.texts).toBe(0);
    expect(u.texts().join('\n')).toMatch(/SUG-\d{4}-\d{6}/);
    expect(figures(w)).toEqual({ taps: 6, texts: 0, voices: 1, messages: 8 });
  });
});
