// The console's red-line page in a real browser (Debian's Chromium through playwright-core) against the real
// process (`npm start`'s dist/main.mjs, the telegram-test-api emulator, CONSOLE_PORT set): a resident
// registers through the bot (nobody in the household has a work status yet: below the line); the district's
// human-resources staff member signs in from the link the bot sent, opens "没人上班的家庭" from the menu, sees
// the household by building and room with the phone masked, and opens its file from there — with JavaScript
// on, then with the same session and JavaScript off. axe-core checks the page in both languages (no serious or critical finding).
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskPhone } from '../../src/domain/mask.ts';
import { adultWoman } from '../support/fixtures.ts';
import { chromiumPath, launchBrowser, seriousAccessibilityFindings } from './browser.ts';
import { useEmulatorScene } from './scene.ts';
import { BotProcess, freePort, hasButton, SimulatedUser } from './support.ts';

const TOKEN = '123456789:AAe2e-token-for-the-console-labour';
const PII_KEY = 'c7'.repeat(32);
const RESIDENT = 517_001;
const HR = 517_101;

const scene = useEmulatorScene();
let bot: BotProcess;
let browser: Browser | undefined;

async function signIn(page: Page, u: SimulatedUser): Promise<void> {
  const reply = await u.command('/console', '/login/');
  const link = /(http:\/\/\S+\/login\/[A-Za-z0-9_-]{43})/.exec(reply.text)?.[1];
  if (!link) throw new Error(`no link in: ${reply.text}`);
  await page.goto(link);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/(queue)?$/);
}

describe.skipIf(!chromiumPath)('the red line in a real browser', () => {
  beforeAll(async () => {
    const port = await freePort();
    bot = new BotProcess({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: scene.emulator.apiRoot,
      DATABASE_URL: scene.db.url,
      PII_KEY,
      LOG_LEVEL: 'info',
      CONSOLE_PORT: String(port),
      CONSOLE_URL: `http://127.0.0.1:${port}`,
    });
    scene.processes.push(bot);
    await bot.waitForLog('long polling started', 40_000);
    await bot.waitForLog('console started', 5_000);
    const client = new pg.Client({ connectionString: scene.db.url });
    await client.connect();
    try {
      await client.query(
        `insert into staff_member (id, telegram_id, role, department_code, community_code, display_name)
         values (gen_random_uuid(), $1, 'staff', 'wanshan-human-resources', null, '人社小李')`,
        [HR],
      );
    } finally {
      await client.end();
    }
    browser = await launchBrowser();
    const resident = new SimulatedUser(scene.emulator, TOKEN, RESIDENT);
    await resident.command('/start', hasButton('📝 登记我家'));
    await resident.tap('📝 登记我家', hasButton('旺家社区'));
    await resident.tap('旺家社区', hasButton('3栋'));
    await resident.tap('3栋', hasButton('2 单元'));
    await resident.tap('2 单元', '门牌号');
    await resident.text('302', '名字');
    await resident.text(adultWoman.name, '手机号');
    await resident.text(adultWoman.phone, '身份证号');
    await resident.text(adultWoman.idNumber, hasButton('✅ 对的，提交'));
    await resident.tap('✅ 对的，提交', hasButton('✅ 同意'));
    await resident.tap('✅ 同意', '登记好了');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('human-resources staff open the list from the menu and a household from it, with JavaScript and without', async () => {
    const context = await (browser as Browser).newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    try {
      await signIn(page, new SimulatedUser(scene.emulator, TOKEN, HR));
      await page.getByRole('link', { name: '没人上班的家庭' }).click();
      await page.getByRole('heading', { name: '有劳动力但没人上班的家庭' }).waitFor();
      const html = await page.content();
      expect(html).toContain('旺家社区');
      expect(html).toContain(maskPhone(adultWoman.phone));
      expect(html).not.toContain(adultWoman.phone);
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { name: 'Households with labour but nobody employed' }).waitFor();
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await page.getByRole('button', { name: '中文' }).click();
      await page.getByRole('heading', { name: '有劳动力但没人上班的家庭' }).waitFor();
      await page.getByRole('link', { name: `看户档案 ${adultWoman.name}` }).click();
      await page.waitForURL(/\/households\//);
      await page.getByRole('heading', { name: /户档案：旺家社区/ }).waitFor();
      expect(await page.content()).not.toContain(adultWoman.idNumber);

      // The same session with JavaScript off: plain links and pages.
      const plain = await (browser as Browser).newContext({
        viewport: { width: 1366, height: 768 },
        javaScriptEnabled: false,
      });
      try {
        await plain.addCookies(await context.cookies());
        const noJs = await plain.newPage();
        noJs.setDefaultTimeout(15_000);
        await noJs.goto(new URL('/queue', page.url()).toString());
        await noJs.getByRole('link', { name: '没人上班的家庭' }).click();
        await noJs.getByRole('heading', { name: '有劳动力但没人上班的家庭' }).waitFor();
        await noJs.getByRole('link', { name: `看户档案 ${adultWoman.name}` }).click();
        await noJs.waitForURL(/\/households\//);
        await noJs.getByRole('heading', { name: /户档案：旺家社区/ }).waitFor();
      } finally {
        await plain.close();
      }
    } finally {
      await context.close();
    }
  }, 90_000);
});
