// The web console in a real browser (Debian's Chromium through playwright-core) against the real process
// (`npm start`'s dist/main.mjs, long polling the telegram-test-api emulator, CONSOLE_PORT set): a resident
// files through the bot; a staff member sends /console, signs in from the link the bot sent, takes and
// resolves the case — the resident gets the Telegram messages the bot's own path sends — first with
// JavaScript (htmx swaps pages in place; keyboard shortcuts), then with JavaScript turned off. axe-core
// checks every page; screenshots of the queue and a case in both languages go to test-output/console/.
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adultMan, adultWoman } from '../support/fixtures.ts';
import { chromiumPath } from './browser.ts';
import { fileSuggestion, shot, staffMember, useConsoleScene, watch } from './console-scene.ts';
import type { SimulatedUser } from './support.ts';

const RESIDENT = 515_001;
const SECOND_RESIDENT = 515_002;
const STAFF = 515_101;

/** What the tests read of the page's focus (the tests are typed without the DOM's types). */
type Focus = { document: { activeElement: { textContent: string | null; id: string } | null } };

const started = Date.now();

describe.skipIf(!chromiumPath)('the console in a real browser', () => {
  const scene = useConsoleScene({
    token: '123456789:AAe2e-token-for-the-console-test',
    piiKey: 'c3'.repeat(32),
    staff: [staffMember(STAFF)],
    residents: [
      { telegramId: RESIDENT, person: adultWoman, at: { room: '302' } },
      { telegramId: SECOND_RESIDENT, person: adultMan, at: { room: '401' } },
    ],
  });
  let consoleUrl: string;
  let resident: SimulatedUser;
  let secondResident: SimulatedUser;
  const signInLink = () => scene.signInLink(STAFF);
  const accessible = scene.accessible;
  beforeAll(() => {
    consoleUrl = scene.consoleUrl;
    resident = scene.user(RESIDENT);
    secondResident = scene.user(SECOND_RESIDENT);
  });

  afterAll(() => {
    process.stdout.write(
      `the console's browser tests took ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  });

  it('signs in from the bot’s link, takes and resolves a case with htmx and the shortcuts; the resident is told', async () => {
    const first = await fileSuggestion(resident, '小区门口的路灯坏了，晚上很黑');
    const second = await fileSuggestion(resident, '垃圾桶太少了');
    const third = await fileSuggestion(resident, '希望小区里多装几把长椅，老人走累了可以歇一歇');
    const context: BrowserContext = await scene.browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    const problems = watch(page);
    try {
      const link = await signInLink();
      await page.goto(link);
      await page.getByRole('heading', { name: '以“王主任”的身份登录？' }).waitFor();
      await accessible(page, 'zh');
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL(`${consoleUrl}/queue`);
      await page.getByRole('link', { name: first }).waitFor();
      await accessible(page, 'zh');
      await shot(page, 'queue-zh');

      // The case page, through a link htmx follows in place.
      await page.getByRole('link', { name: first }).click();
      await page.waitForURL(/\/cases\//);
      await page.getByText('小区门口的路灯坏了，晚上很黑').waitFor();
      expect(await page.content()).not.toContain(adultWoman.idNumber);
      expect(await page.content()).not.toContain(adultWoman.phone);
      await accessible(page, 'zh');
      const since = resident.received.length;
      // htmx swaps the page in place: what this page's window holds survives the action.
      await page.evaluate(() => {
        (globalThis as unknown as { kept: boolean }).kept = true;
      });
      await page.getByRole('button', { name: '我来办' }).click();
      await page.getByText('您受理了这件事').waitFor();
      expect(await page.evaluate(() => (globalThis as unknown as { kept?: boolean }).kept)).toBe(true);
      await resident.waitForMessage((m) => m.text.includes('已经受理了') && m.text.includes(first), since);
      await accessible(page, 'zh');
      await shot(page, 'case-zh');

      await page.locator('#resolve-text').fill('已经换了新灯泡，谢谢您告诉我们');
      await page.getByRole('button', { name: '办结', exact: true }).click();
      await page.getByText('已经办结，居民会收到结果').waitFor();
      await resident.waitForMessage((m) => m.text.includes('已经换了新灯泡'), since);

      // The shortcuts: back to the queue, j to the first case, t takes it.
      await page.getByRole('link', { name: '← 回到队列' }).click();
      // (The case page lists the resident's other cases, this one among them: wait for the queue itself.)
      await page.waitForURL(`${consoleUrl}/queue`);
      await page.getByRole('link', { name: second }).waitFor();
      await page.keyboard.press('j');
      expect(
        await page.evaluate(() => (globalThis as unknown as Focus).document.activeElement?.textContent),
      ).toBe(second);
      await page.keyboard.press('t');
      await page.getByText('您受理了这件事').waitFor();
      await page.keyboard.press('s');
      expect(await page.evaluate(() => (globalThis as unknown as Focus).document.activeElement?.id)).toBe(
        'resolve-text',
      );
      await page.keyboard.type('已经加了两个垃圾桶');
      await page.getByRole('button', { name: '办结', exact: true }).click();
      await page.getByText('已经办结，居民会收到结果').waitFor();
      await resident.waitForMessage((m) => m.text.includes('已经加了两个垃圾桶'), since);
      await page.keyboard.press('?');
      await page.waitForURL(`${consoleUrl}/help`);
      await accessible(page, 'zh');

      // English, switched on the page: the queue and the case.
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { name: 'Keyboard shortcuts' }).waitFor();
      await accessible(page, 'en');
      await page.getByRole('link', { name: 'Queue' }).click();
      await page.getByRole('link', { name: third }).waitFor();
      await page.getByRole('link', { name: 'Not taken' }).click();
      await page.waitForURL(/filter=unassigned/);
      await page.getByRole('link', { name: third }).waitFor();
      await accessible(page, 'en');
      await shot(page, 'queue-en');
      await page.getByRole('link', { name: third }).click();
      await page.getByRole('heading', { name: 'History' }).waitFor();
      await accessible(page, 'en');
      await shot(page, 'case-en');
      await page.getByRole('button', { name: '中文' }).click();
      await page.getByRole('heading', { name: '经过' }).waitFor();

      // On a phone.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('link', { name: '← 回到队列' }).click();
      await page.getByRole('link', { name: '全部未办完' }).waitFor();
      await accessible(page, 'phone');
      await shot(page, 'queue-phone-zh');

      await page.getByRole('button', { name: '退出登录' }).click();
      await page.getByText('您已经退出登录').waitFor();
      await accessible(page, 'zh');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('does the same with JavaScript turned off: plain forms and redirects', async () => {
    const resident = secondResident;
    const number = await fileSuggestion(resident, '楼道里的扶手松了');
    const context = await scene.browser.newContext({
      viewport: { width: 1366, height: 768 },
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    try {
      const link = await signInLink();
      await page.goto(link);
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL(`${consoleUrl}/queue`);
      await page.getByRole('button', { name: `我来办 ${number}` }).click();
      await page.waitForURL(/\/cases\/.+notice=take/);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(number);
      const since = resident.received.length - 1;
      await resident.waitForMessage((m) => m.text.includes('已经受理了') && m.text.includes(number), since);
      await page.locator('#resolve-text').fill('已经修好了扶手');
      await page.getByRole('button', { name: '办结', exact: true }).click();
      await page.getByText('已经办结，居民会收到结果').waitFor();
      await resident.waitForMessage((m) => m.text.includes('已经修好了扶手'), since);
      // "Take next" is a plain form too: it leads to the case it took.
      await page.getByRole('link', { name: '← 回到队列' }).click();
      await page.getByRole('button', { name: '受理下一件' }).click();
      await page.waitForURL(/\/cases\/.+notice=take/);
      await page.getByText('您受理了这件事').waitFor();
      // A refused action (nothing typed, the browser's own check bypassed) shows its error on the page.
      await page.goto(link);
      await page.getByText('这个登录链接已经用过了').waitFor();
    } finally {
      await context.close();
    }
  }, 60_000);

  it('stops with the rest of the process on SIGTERM', async () => {
    scene.bot.child.kill('SIGTERM');
    expect(await scene.bot.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${consoleUrl}/help`)).rejects.toThrow();
  });
});
