import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, sentTexts } from '../support/bot-harness.ts';
import { adultMan } from '../support/fixtures.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('registration', () => {
  it('registers a household from /start to the saved file', async () => {
    const u = h.user(1001);
    const start = await u.text('/start');
    expect(sentTexts(start)[0]).toContain('便民');
    await u.tap('📝 登记我家');
    expect(u.lastText()).toContain('您住在哪个社区');
    await u.tap('旺家社区');
    expect(u.lastText()).toContain('几栋');
    await u.tap('3栋');
    await u.tap('2 单元');
    await u.text('302');
    await u.text(adultMan.name);
    await u.contact('+86 138 0000 0001');
    await u.text(adultMan.idNumber);
    console.log(u.texts().slice(-6));
  });
});
