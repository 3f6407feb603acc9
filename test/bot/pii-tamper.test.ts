// Ciphertexts are bound to their table, column and row (src/app/pii-cipher.ts): someone with write access to
// the database who copies one resident's encrypted ID number into another's row, or a phone into the ID
// number's column, or one case's answers into another case, gets a read that fails — reported as tampering
// in the log (with the place, no personal data), answered with the usual apology, and the bot goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';

const lines: Record<string, unknown>[] = [];
let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    logger: createLogger('debug', { write: (s: string) => lines.push(JSON.parse(s)) }),
  });
});
afterAll(() => h.close());

let key = 0;
async function fileSuggestion(u: SimUser, text: string): Promise<{ caseId: string }> {
  const r = await h.deps.cases.submit(
    u.id,
    'suggestion',
    {
      topic: { value: 'safety', label: '安全' },
      content: { value: text, label: text },
      anonymous: { value: 'named', label: '写上我的名字' },
    },
    `tamper:${u.id}:${key++}`,
  );
  if (!r.ok) throw new Error(r.error);
  return { caseId: r.value.caseId };
}

const tamperLines = () => lines.filter((l) => String(l.msg).includes('failed its integrity check'));

describe('a ciphertext moved to another place', () => {
  it('another resident’s ID number copied into a row: the read fails as tampering, nothing is shown', async () => {
    const a = h.user(8101);
    const b = h.user(8102);
    const idA = await registerResident(a);
    await registerResident(b);
    await h.db.$executeRawUnsafe(
      `update resident set id_number_cipher = (select id_number_cipher from resident where telegram_id = 8101)
        where telegram_id = 8102`,
    );
    const shown = sentTexts(await b.text('/household'));
    expect(shown).toEqual([expect.stringContaining('对不起，出了点问题')]);
    expect(shown.join('\n')).not.toContain(idA.slice(-4));
    const [logged] = tamperLines();
    expect(logged?.tampered).toEqual({
      table: 'resident',
      column: 'id_number_cipher',
      row: (await h.db.resident.findUniqueOrThrow({ where: { telegramId: 8102n } })).id,
    });
    expect(JSON.stringify(lines)).not.toContain(idA);
    // The bot goes on: the other resident is served as before.
    expect(sentTexts(await a.text('/household')).join('\n')).toContain(`${idA.slice(0, 3)}`);
  });

  it('a phone copied into the ID number’s column of the same row fails too', async () => {
    const c = h.user(8103);
    await registerResident(c);
    await h.db.$executeRawUnsafe(
      `update resident set id_number_cipher = phone_cipher where telegram_id = 8103`,
    );
    const before = tamperLines().length;
    expect(sentTexts(await c.text('/household'))).toEqual([expect.stringContaining('对不起，出了点问题')]);
    expect(tamperLines().length).toBe(before + 1);
    expect(tamperLines().at(-1)?.tampered).toMatchObject({ table: 'resident', column: 'id_number_cipher' });
  });

  it('one case’s answers copied into another case fail when the case is read', async () => {
    const d = h.user(8104);
    await registerResident(d);
    const first = await fileSuggestion(d, '楼道灯坏了三天');
    const second = await fileSuggestion(d, '垃圾桶满了');
    await h.db.$executeRawUnsafe(
      `update "case" set answers_cipher = (select answers_cipher from "case" where id = $1::uuid) where id = $2::uuid`,
      first.caseId,
      second.caseId,
    );
    const before = tamperLines().length;
    await expect(h.deps.privacy.exportMine(8104)).rejects.toThrow(/case\.answers_cipher/);
    const shown = sentTexts(await d.text('/mydata'));
    expect(shown.join('\n')).not.toContain('楼道灯坏了三天');
    expect(tamperLines().length).toBe(before + 1);
    expect(tamperLines().at(-1)?.tampered).toEqual({
      table: 'case',
      column: 'answers_cipher',
      row: second.caseId,
    });
  });
});
