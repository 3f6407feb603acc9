// The console's search, household file and audit log in a real browser (Debian's Chromium through
// playwright-core) against the real process (`npm start`'s dist/main.mjs, the telegram-test-api emulator,
// CONSOLE_PORT set): a resident registers and files through the bot; the community worker signs in from the
// link the bot sent, finds the resident by ID number, opens the household's file and asks for the full
// numbers — with JavaScript (htmx swaps pages in place), then the department's staff with JavaScript off;
// the admin reads and filters the audit log, where those looks are written. axe-core checks every page (no
// serious or critical finding); screenshots of the search and the household file in both languages go to
// test-output/console/.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIdNumber } from '../../src/domain/mask.ts';
import { adultWoman } from '../support/fixtures.ts';
import { chromiumPath, launchBrowser, seriousAccessibilityFindings } from './browser.ts';
import { useEmulatorScene } from './scene.ts';
import { BotProcess, freePort, hasButton, REPO_ROOT, SimulatedUser } from './support.ts';

const TOKEN = '123456789:AAe2e-token-for-the-console-search';
const PII_KEY = 'c4'.repeat(32);
const RESIDENT = 516_001;
const STAFF = 516_101;
const WORKER = 516_102;
const ADMIN = 516_103;
const SHOTS = path.join(REPO_ROOT, 'test-output', 'console');

const scene = useEmulatorScene();
let bot: BotProcess;
let consoleUrl: string;
let browser: Browser | undefined;
let resident: SimulatedUser;
let caseNumber: string;

async function signInLink(u: SimulatedUser): Promise<string> {
  const reply = await u.command('/console', '/login/');
  const link = /(http:\/\/\S+\/login\/[A-Za-z0-9_-]{43})/.exec(reply.text)?.[1];
  if (!link) throw new Error(`no link in: ${reply.text}`);
  return link;
}

async function signIn(page: Page, u: SimulatedUser): Promise<void> {
  await page.goto(await signInLink(u));
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/(queue)?$/);
}

const checked = new Set<string>();
async function accessible(page: Page, label: string): Promise<void> {
  const key = `${new URL(page.url()).pathname.replace(/[0-9a-f-]{36}/, ':id')} ${label}`;
  if (checked.has(key)) return;
  checked.add(key);
  expect(await seriousAccessibilityFindings(page), key).toEqual([]);
}

function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    // A refused search answers 422 on purpose (the page says why); the browser logs that status.
    if (m.type() === 'error' && !m.text().includes('status of 422'))
      problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  return problems;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });

describe.skipIf(!chromiumPath)('search and household files in a real browser', () => {
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    const port = await freePort();
    consoleUrl = `http://127.0.0.1:${port}`;
    bot = new BotProcess({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: scene.emulator.apiRoot,
      DATABASE_URL: scene.db.url,
      PII_KEY,
      LOG_LEVEL: 'info',
      CONSOLE_PORT: String(port),
      CONSOLE_URL: consoleUrl,
      ADMIN_TELEGRAM_IDS: String(ADMIN),
    });
    scene.processes.push(bot);
    await bot.waitForLog('long polling started', 40_000);
    await bot.waitForLog('console started', 5_000);
    const client = new pg.Client({ connectionString: scene.db.url });
    await client.connect();
    try {
      await client.query(
        `insert into staff_member (id, telegram_id, role, department_code, community_code, display_name)
         values (gen_random_uuid(), $1, 'staff', 'wanshan-neighbourhood', null, '王主任'),
                (gen_random_uuid(), $2, 'worker', null, 'wanshan-wangjia', '社区小张')`,
        [STAFF, WORKER],
      );
    } finally {
      await client.end();
    }
    browser = await launchBrowser();
    resident = new SimulatedUser(scene.emulator, TOKEN, RESIDENT);
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
    await resident.command('/services', hasButton('📮 意见箱'));
    await resident.tap('📮 意见箱', hasButton('安全'));
    await resident.tap('安全', '意见');
    await resident.text('单元门的锁坏了', hasButton('没有，跳过'));
    await resident.tap('没有，跳过', hasButton('写上我的名字'));
    await resident.tap('写上我的名字', hasButton('✅ 对的，提交'));
    const done = await resident.tap('✅ 对的，提交', (m) => /SUG-\d{4}-\d{6}/.test(m.text));
    caseNumber = /SUG-\d{4}-\d{6}/.exec(done.text)?.[0] as string;
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('the community worker finds a resident by ID number and opens the household file, with htmx', async () => {
    const context = await (browser as Browser).newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    const problems = watch(page);
    try {
      await signIn(page, new SimulatedUser(scene.emulator, TOKEN, WORKER));
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
    const context = await (browser as Browser).newContext({
      viewport: { width: 1366, height: 768 },
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    try {
      await signIn(page, new SimulatedUser(scene.emulator, TOKEN, STAFF));
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
    const context = await (browser as Browser).newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    try {
      await signIn(page, new SimulatedUser(scene.emulator, TOKEN, ADMIN));
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
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
  });
});
