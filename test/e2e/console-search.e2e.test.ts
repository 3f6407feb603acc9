// The console's search, household file and audit log in a real browser (Debian's Chromium through
// playwright-core) against the real process (`npm start`'s dist/main.mjs, the telegram-test-api emulator,
// CONSOLE_PORT set): a resident registers and files through the bot; the community worker signs in from the
// link the bot sent, finds the resident by ID number, opens the household's file and asks for the full
// numbers — with JavaScript (htmx swaps pages in place), then the department's staff with JavaScript off;
// the admin reads and filters the audit log, where those looks are written. axe-core checks every page (no
// serious or critical finding); screenshots of the search and the household file in both languages go to
// test-output/console/.
import { beforeAll, describe, expect, it } from 'vitest';
import { maskIdNumber } from '../../src/domain/mask.ts';
import { adultWoman } from '../support/fixtures.ts';
import { chromiumPath } from './browser.ts';
import {
  communityWorker,
  fileSuggestion,
  shot,
  staffMember,
  useConsoleScene,
  watch,
} from './console-scene.ts';

const RESIDENT = 516_001;
const STAFF = 516_101;
const WORKER = 516_102;
const ADMIN = 516_103;

describe.skipIf(!chromiumPath)('search and household files in a real browser', () => {
  const scene = useConsoleScene({
    token: '123456789:AAe2e-token-for-the-console-search',
    piiKey: 'c4'.repeat(32),
    admins: [ADMIN],
    staff: [staffMember(STAFF), communityWorker(WORKER)],
    residents: [{ telegramId: RESIDENT, person: adultWoman }],
  });
  let consoleUrl: string;
  let caseNumber: string;
  const { accessible, signIn } = scene;
  beforeAll(async () => {
    consoleUrl = scene.consoleUrl;
    caseNumber = await fileSuggestion(scene.user(RESIDENT), '单元门的锁坏了');
  }, 30_000);

  it('the community worker finds a resident by ID number and opens the household file, with htmx', async () => {
    const context = await scene.browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    // A refused search answers 422 on purpose (the page says why); the browser logs that status.
    const problems = watch(page, (text) => text.includes('status of 422'));
    try {
      await signIn(page, WORKER);
      await page.getByRole('link', { name: '查找', exact: true }).click();
      await page.getByRole('heading', { name: '查找居民和办件' }).waitFor();
      await accessible(page, 'zh');
      await page.evaluate(() => {
        (globalThis as unknown as { kept: boolean }).kept = true;
      });
      await page.getByLabel('办件编号、身份证号、手机号或姓名').fill(adultWoman.idNumber);
      await page.getByRole('button', { name: '查找', exact: true }).click();
      await page.getByRole('heading', { name: '按身份证号查找的结果' }).waitFor();
      // htmx swapped the page in place (the window's state survived) and the search stayed out of the address.
      expect(await page.evaluate(() => (globalThis as unknown as { kept?: boolean }).kept)).toBe(true);
      expect(page.url()).toBe(`${consoleUrl}/search`);
      const results = await page.content();
      expect(results).toContain(maskIdNumber(adultWoman.idNumber));
      expect(results).not.toContain(adultWoman.idNumber);
      expect(results).not.toContain(adultWoman.phone);
      expect(results).toContain(caseNumber);
      await accessible(page, 'zh results');
      await shot(page, 'search-zh');

      await page.getByRole('link', { name: `看户档案 ${adultWoman.name}` }).click();
      await page.waitForURL(/\/households\//);
      await page.getByRole('heading', { name: /户档案：旺家社区/ }).waitFor();
      expect(await page.content()).not.toContain(adultWoman.idNumber);
      await accessible(page, 'zh');
      await page.getByRole('button', { name: '显示完整号码' }).click();
      await page.getByText('现在显示的是完整号码').waitFor();
      expect(await page.content()).toContain(adultWoman.idNumber);
      await accessible(page, 'zh revealed');
      await page.getByRole('link', { name: '← 回到查找' }).click();
      await page.getByRole('heading', { name: '查找居民和办件' }).waitFor();
      // Keyboard only: the box, the button, the result's link are all reachable with Tab and Enter.
      await page.getByLabel('办件编号、身份证号、手机号或姓名').focus();
      await page.keyboard.type(adultWoman.name);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: '按姓名查找的结果' }).waitFor();
      await page.getByRole('link', { name: `看户档案 ${adultWoman.name}` }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/households\//);
      await shot(page, 'household-zh');
      // On a phone: each person a card of its own.
      await page.setViewportSize({ width: 390, height: 844 });
      await accessible(page, 'phone');
      await shot(page, 'household-phone-zh');
      await page.setViewportSize({ width: 1366, height: 768 });

      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { name: /Household file: Wangjia/ }).waitFor();
      await accessible(page, 'en');
      await shot(page, 'household-en');
      await page.getByRole('link', { name: 'Search', exact: true }).click();
      await page.getByLabel('Case number, ID number, mobile number or name').fill('12345');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByText('neither an 11-digit mobile number').waitFor();
      await accessible(page, 'en error');
      await shot(page, 'search-en');
      await page.getByRole('button', { name: '中文' }).click();
      await page.getByRole('heading', { name: '查找居民和办件' }).waitFor();
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('the department staff do the same with JavaScript turned off; the case page links to the file', async () => {
    const context = await scene.browser.newContext({
      viewport: { width: 1366, height: 768 },
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    try {
      await signIn(page, STAFF);
      await page.getByRole('link', { name: '查找', exact: true }).click();
      await page.getByLabel('办件编号、身份证号、手机号或姓名').fill(adultWoman.idNumber);
      await page.getByRole('button', { name: '查找', exact: true }).click();
      await page.getByRole('heading', { name: '按身份证号查找的结果' }).waitFor();
      expect(await page.content()).not.toContain(adultWoman.idNumber);
      await page.getByRole('link', { name: caseNumber }).click();
      await page.waitForURL(/\/cases\//);
      await page.getByRole('link', { name: '看这一户的档案' }).click();
      await page.waitForURL(/\/households\//);
      await page.getByRole('heading', { name: /户档案：旺家社区/ }).waitFor();
      await page.getByRole('button', { name: '显示完整号码' }).click();
      await page.getByText('现在显示的是完整号码').waitFor();
      expect(await page.content()).toContain(adultWoman.idNumber);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('the admin reads the audit log, newest first, filtered by action; the looks above are in it', async () => {
    const context = await scene.browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    try {
      await signIn(page, ADMIN);
      await page.getByRole('link', { name: '操作记录', exact: true }).first().click();
      await page.getByRole('heading', { name: '操作记录' }).waitFor();
      await accessible(page, 'zh');
      await page.getByLabel('操作（开头几个字母）').fill('pii.view');
      await page.getByRole('button', { name: '筛选' }).click();
      await page.waitForURL(/action=pii\.view/);
      const rows = page.locator('table.audit tbody tr');
      expect(await rows.count()).toBe(2);
      expect(await rows.first().textContent()).toContain('王主任');
      expect(await page.content()).not.toContain(adultWoman.idNumber);
      await accessible(page, 'zh filtered');
      await shot(page, 'audit-zh');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('stops with the rest of the process on SIGTERM', async () => {
    scene.bot.child.kill('SIGTERM');
    expect(await scene.bot.exited).toEqual({ code: 0, signal: null });
  });
});
