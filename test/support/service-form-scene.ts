// What the tests of the services shipped as data share: a registered resident with an elderly mother in the
// household, the chat switched to English where the test speaks English, and the wrong input every step of a
// form must answer in plain words in the chat's language (a sticker, 5,000 characters, a forged button,
// words where a button is wanted).
import { expect } from 'vitest';
import { type Harness, type SimUser, sentTexts } from './bot-harness.ts';
import { child, elder, makeIdNumber } from './fixtures.ts';
import { addMember, registerResident } from './flows.ts';

const han = /\p{Script=Han}/u;

/** The chat's language: English through /language, or left in Chinese. */
export async function speak(u: SimUser, lang: 'zh' | 'en'): Promise<void> {
  if (lang === 'en') {
    await u.text('/language');
    await u.tap('English');
  }
}

/**
 * Registers `telegramId` through /start and adds the resident's mother (the fixtures' elder, with an ID number
 * numbered `seqBase` + the id's last two digits).
 */
export async function residentWithElder(h: Harness, telegramId: number, seqBase = 600): Promise<SimUser> {
  const u = h.user(telegramId);
  await registerResident(u);
  await addMember(h, u.id, {
    name: elder.name,
    relation: 'parent',
    birthDate: elder.birthDate,
    idNumber: makeIdNumber({ birthDate: elder.birthDate, sex: 'female', seq: seqBase + (telegramId % 100) }),
  });
  return u;
}

/**
 * A sticker, 5,000 characters and a forged button: each gets a plain answer (never "something went wrong",
 * never Chinese in an English chat), and the question stays.
 */
export async function strayInputs(u: SimUser, lang: 'zh' | 'en'): Promise<void> {
  for (const calls of [await u.sticker(), await u.text('长'.repeat(5000))]) {
    const said = sentTexts(calls);
    expect(said.length).toBeGreaterThan(0);
    for (const s of said) {
      expect(s).not.toContain(lang === 'zh' ? '出了点问题' : 'went wrong');
      if (lang === 'en') expect(s).not.toMatch(han);
    }
  }
  const forged = await u.press('f:999999:c:0');
  expect(forged.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({ show_alert: true });
}

/** As strayInputs, and words where a button is wanted bring the question (`prompt`) back. */
export async function wrongInputs(u: SimUser, lang: 'zh' | 'en', prompt: string): Promise<void> {
  await strayInputs(u, lang);
  const words = sentTexts(await u.text(lang === 'zh' ? '随便' : 'whatever'));
  expect(words.join('\n')).toContain(prompt);
  if (lang === 'en') for (const s of words) expect(s).not.toMatch(han);
}

/**
 * A household of working age for the jobs window's services: the resident (44) with a mother of 78, a son of 6
 * and a daughter of 17, the chat in `lang`; the daughter's member id.
 */
export async function workingAgeHousehold(
  h: Harness,
  telegramId: number,
  lang: 'zh' | 'en',
): Promise<{ u: SimUser; daughter: string }> {
  const u = await residentWithElder(h, telegramId);
  await addMember(h, u.id, { name: child.name, relation: 'child', birthDate: child.birthDate, sex: 'male' });
  const daughter = await addMember(h, u.id, {
    name: '杨小梅',
    relation: 'child',
    birthDate: '2009-03-01',
    idNumber: makeIdNumber({ birthDate: '2009-03-01', sex: 'female', seq: 700 + (u.id % 100) }),
  });
  await speak(u, lang);
  return { u, daughter };
}
