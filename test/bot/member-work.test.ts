// The add-member form asks the member's work status (the same five as /household's "💼"), for someone of 16
// or over, optional; set through the household use case (audited `employment.set`, as from /household).
// Wrong input at the question (words, a sticker, an over-long text, a forged button) gets a plain answer and
// the question again, in both languages; a child is not asked; "skip" leaves it unset; editing keeps it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { birthDateForAge, makeIdNumber } from '../support/fixtures.ts';
import { registerResident } from '../support/flows.ts';

let h: Harness;
let nextUserId = 79_001;
const han = /\p{Script=Han}/u;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

async function registeredUser(lang: 'zh' | 'en' = 'zh'): Promise<SimUser> {
  const u = h.user(nextUserId++);
  await registerResident(u, { idNumber: makeIdNumber({ birthDate: '1980-01-15', seq: u.id % 900 }) });
  if (lang === 'en') {
    await u.text('/language');
    await u.tap('English');
  }
  return u;
}

async function members(u: SimUser) {
  const r = await h.db.resident.findUniqueOrThrow({
    where: { telegramId: BigInt(u.id) },
    select: { household: { select: { members: true } } },
  });
  return r.household.members;
}

/** Words, a sticker, 5,000 characters and a forged button at the work question: it stays, nothing is saved. */
async function wrongInputs(u: SimUser, lang: 'zh' | 'en', prompt: string) {
  for (const calls of [
    await u.text(lang === 'zh' ? '打工' : 'work'),
    await u.sticker(),
    await u.text('长'.repeat(5000)),
  ]) {
    const said = sentTexts(calls);
    expect(said.length).toBeGreaterThan(0);
    for (const s of said) {
      expect(s).not.toContain(lang === 'zh' ? '出了点问题' : 'went wrong');
      if (lang === 'en') expect(s).not.toMatch(han);
    }
  }
  const forged = await u.press('f:999999:c:0');
  expect(forged.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({ show_alert: true });
  expect(u.lastText()).toContain(prompt);
}

describe('the work status in the add-member form', () => {
  it('asks it of an adult, re-asks wrong input, sets it audited as the resident’s', async () => {
    const u = await registeredUser();
    await u.text('/household');
    await u.tap('➕ 添加家人');
    await u.text('杨大山');
    await u.tap('配偶');
    await u.text('1981-02-02');
    await u.text(makeIdNumber({ birthDate: '1981-02-02', seq: 301 }));
    expect(u.lastText()).toContain('他/她现在做什么工作？');
    for (const label of ['🏭 在本地上班', '🚌 在外地打工', '🔎 在找工作', '🎒 在上学', '跳过'])
      expect(u.findButton(label)).toBeDefined();
    await wrongInputs(u, 'zh', '他/她现在做什么工作？');
    await u.tap('🚌 在外地打工');
    expect(u.lastText()).toContain('工作情况：🚌 在外地打工');
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toContain('杨大山 已经加到');
    const [m] = await members(u);
    expect(m?.employmentStatus).toBe('employed_away');
    const audit = await h.db.auditLog.findFirst({
      where: { actorTelegramId: BigInt(u.id), action: 'employment.set' },
    });
    expect(audit).not.toBeNull();
    await u.text('/household');
    expect(u.texts().join('\n')).toContain('杨大山：在外地打工');
  });

  it('skip leaves it unset; a child under 16 is not asked', async () => {
    const u = await registeredUser();
    await u.text('/household');
    await u.tap('➕ 添加家人');
    await u.text('杨二山');
    await u.tap('父母');
    await u.text('1955-03-03');
    await u.text(makeIdNumber({ birthDate: '1955-03-03', seq: 302 }));
    await u.tap('跳过');
    expect(u.lastText()).toContain('工作情况：—');
    await u.tap('✅ 对的，提交');
    await u.text('/household');
    await u.tap('➕ 添加家人');
    await u.text('杨小燕');
    await u.tap('子女');
    await u.text(birthDateForAge(5));
    await u.tap('跳过');
    await u.tap('女');
    expect(u.lastText()).toContain('请核对');
    expect(u.lastText()).not.toContain('工作情况');
    await u.tap('✅ 对的，提交');
    const list = await members(u);
    expect(list.map((m) => m.employmentStatus)).toEqual([null, null]);
  });

  it('editing a member offers to keep the status, and changes it when chosen', async () => {
    const u = await registeredUser();
    await u.text('/household');
    await u.tap('➕ 添加家人');
    await u.text('杨三山');
    await u.tap('其他');
    await u.text('1990-04-04');
    await u.text(makeIdNumber({ birthDate: '1990-04-04', seq: 303 }));
    await u.tap('🔎 在找工作');
    await u.tap('✅ 对的，提交');
    await u.text('/household');
    await u.tap('✏️ 改 杨三山');
    await u.tap('不改，用原来的'); // name
    await u.tap('不改，用原来的'); // relation
    await u.tap('不改，用原来的'); // birth date
    await u.tap('不改，用原来的'); // ID number
    expect(u.lastText()).toContain('他/她现在做什么工作？');
    await u.tap('不改，用原来的'); // work
    await u.tap('✅ 对的，提交');
    expect((await members(u))[0]?.employmentStatus).toBe('looking');
    await u.text('/household');
    await u.tap('✏️ 改 杨三山');
    for (let i = 0; i < 4; i++) await u.tap('不改，用原来的');
    await u.tap('🏭 在本地上班');
    await u.tap('✅ 对的，提交');
    expect((await members(u))[0]?.employmentStatus).toBe('employed_local');
  });

  it('in English, every reply in English', async () => {
    const u = await registeredUser('en');
    await u.text('/household');
    await u.tap('➕ Add a family member');
    await u.text('Yang Dashan');
    await u.tap('Spouse');
    await u.text('1981-02-02');
    await u.text(makeIdNumber({ birthDate: '1981-02-02', seq: 304 }));
    expect(u.lastText()).toContain('What does he or she do for work now?');
    await wrongInputs(u, 'en', 'What does he or she do for work now?');
    await u.tap('🏭 Works locally');
    expect(u.lastText()).toContain('Work: 🏭 Works locally');
    expect(u.lastText()).not.toMatch(han);
    await u.tap('✅ Correct, submit');
    expect((await members(u))[0]?.employmentStatus).toBe('employed_local');
  });
});
