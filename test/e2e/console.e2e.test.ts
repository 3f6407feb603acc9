// The web console in a real browser (Debian's Chromium through playwright-core) against the real process
// (`npm start`'s dist/main.mjs, long polling the telegram-test-api emulator, CONSOLE_PORT set): a resident
// files through the bot; a staff member sends /console, signs in from the link the bot sent, takes and
// resolves the case — the resident gets the Telegram messages the bot's own path sends — first with
// JavaScript (htmx swaps pages in place; keyboard shortcuts), then with JavaScript turned off. axe-core
// checks every page; screenshots of the queue and a case in both languages go to test-output/console/.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adultMan, adultWoman, type PersonFixture } from '../support/fixtures.ts';
import { chromiumPath, launchBrowser, seriousAccessibilityFindings } from './browser.ts';
import { useEmulatorScene } from './scene.ts';
import { BotProcess, freePort, hasButton, REPO_ROOT, SimulatedUser } from './support.ts';

const TOKEN = '123456789:AAe2e-token-for-the-console-test';
const PII_KEY = 'c3'.repeat(32);
const RESIDENT = 515_001;
const SECOND_RESIDENT = 515_002;
const STAFF = 515_101;
const SHOTS = path.join(REPO_ROOT, 'test-output', 'console');

const scene = useEmulatorScene();
let bot: BotProcess;
let consoleUrl: string;
let browser: Browser | undefined;
let resident: SimulatedUser;
let secondResident: SimulatedUser;
let staffUser: SimulatedUser;
const started = Date.now();

/** Registers a household through the bot, as `u`. */
async function register(u: SimulatedUser, who: PersonFixture, room: string): Promise<void> {
  await u.command('/start', hasButton('📝 登记我家'));
  await u.tap('📝 登记我家', hasButton('旺家社区'));
  await u.tap('旺家社区', hasButton('3栋'));
  await u.tap('3栋', hasButton('2 单元'));
  await u.tap('2 单元', '门牌号');
  await u.text(room, '名字');
  await u.text(who.name, '手机号');
  await u.text(who.phone, '身份证号');
  await u.text(who.idNumber, hasButton('✅ 对的，提交'));
  await u.tap('✅ 对的，提交', hasButton('✅ 同意'));
  await u.tap('✅ 同意', '登记好了');
}

/** Files a suggestion through the bot, as the resident; returns its number. */
async function fileSuggestion(text: string, by: SimulatedUser = resident): Promise<string> {
  const resident = by;
  await resident.command('/services', hasButton('📮 意见箱'));
  await resident.tap('📮 意见箱', hasButton('安全'));
  await resident.tap('安全', '意见');
  await resident.text(text, hasButton('没有，跳过'));
  await resident.tap('没有，跳过', hasButton('写上我的名字'));
  await resident.tap('写上我的名字', hasButton('✅ 对的，提交'));
  const done = await resident.tap('✅ 对的，提交', (m) => /SUG-\d{4}-\d{6}/.test(m.text));
  return /SUG-\d{4}-\d{6}/.exec(done.text)?.[0] as string;
}

/** The sign-in link the bot sends the staff member on /console. */
async function signInLink(): Promise<string> {
  const reply = await staffUser.command('/console', '/login/');
  const link = /(http:\/\/\S+\/login\/[A-Za-z0-9_-]{43})/.exec(reply.text)?.[1];
  if (!link) throw new Error(`no link in: ${reply.text}`);
  return link;
}

/** What the tests read of the page's focus (the tests are typed without the DOM's types). */
type Focus = { document: { activeElement: { textContent: string | null; id: string } | null } };

/** Every page the test visits is checked with axe-core once (per path and language). */
const checked = new Set<string>();
async function accessible(page: Page, label: string): Promise<void> {
  const key = `${new URL(page.url()).pathname.replace(/[0-9a-f-]{36}/, ':id')} ${label}`;
  if (checked.has(key)) return;
  checked.add(key);
  expect(await seriousAccessibilityFindings(page), key).toEqual([]);
}

/** Problems the browser reported (CSP refusals, script errors): there must be none. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${page.url()}: ${m.text()} (${JSON.stringify(m.location())})`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  return problems;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

describe.skipIf(!chromiumPath)('the console in a real browser', () => {
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
    });
    scene.processes.push(bot);
    await bot.waitForLog('long polling started', 40_000);
    await bot.waitForLog('console started', 5_000);
    // The staff member, once start-up has loaded the departments (as an admin's invite and /join would).
    const client = new pg.Client({ connectionString: scene.db.url });
    await client.connect();
    try {
      await client.query(
        `insert into staff_member (id, telegram_id, role, department_code, display_name)
         values (gen_random_uuid(), $1, 'staff', 'wanshan-neighbourhood', '王主任')`,
        [STAFF],
      );
    } finally {
      await client.end();
    }
    browser = await launchBrowser();

    resident = new SimulatedUser(scene.emulator, TOKEN, RESIDENT);
    staffUser = new SimulatedUser(scene.emulator, TOKEN, STAFF);
    secondResident = new SimulatedUser(scene.emulator, TOKEN, SECOND_RESIDENT);
    await register(resident, adultWoman, '302');
    await register(secondResident, adultMan, '401');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    process.stdout.write(
      `the console's browser tests took ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  });

  it('signs in from the bot’s link, takes and resolves a case with htmx and the shortcuts; the resident is told', async () => {
    const first = await fileSuggestion('小区门口的路灯坏了，晚上很黑');
    const second = await fileSuggestion('垃圾桶太少了');
    const third = await fileSuggestion('希望小区里多装几把长椅，老人走累了可以歇一歇');
    const context: BrowserContext = await (browser as Browser).newContext({
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
    const number = await fileSuggestion('楼道里的扶手松了', resident);
    const context = await (browser as Browser).newContext({
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
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${consoleUrl}/help`)).rejects.toThrow();
  });
});
