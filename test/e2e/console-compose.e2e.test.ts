// Composing a community notice in a real browser against the real process (`npm start`'s dist/main.mjs, the
// telegram-test-api emulator, CONSOLE_PORT set): a community worker writes a notice to one building, sees the
// count change in place as the audience changes (htmx), previews it and sends it — the resident gets it in
// Telegram from the notice sender, the worker gets the progress report in Telegram; the same with JavaScript
// off (the count button, in English); a wrong time keeps what was typed. axe-core on every page that runs
// JavaScript (axe is a script: the pages without it are the same markup).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adultWoman } from '../support/fixtures.ts';
import { chromiumPath, launchBrowser, seriousAccessibilityFindings } from './browser.ts';
import { useEmulatorScene } from './scene.ts';
import { BotProcess, freePort, hasButton, REPO_ROOT, SimulatedUser } from './support.ts';

const TOKEN = '123456789:AAe2e-token-for-the-compose-test';
const PII_KEY = 'c5'.repeat(32);
const RESIDENT = 517_001;
const WORKER = 517_102;
const WORKER_EN = 517_103;
const SHOTS = path.join(REPO_ROOT, 'test-output', 'console');

const scene = useEmulatorScene();
let bot: BotProcess;
let browser: Browser | undefined;
let resident: SimulatedUser;

async function signIn(page: Page, u: SimulatedUser): Promise<void> {
  const reply = await u.command('/console', '/login/');
  const link = /(http:\/\/\S+\/login\/[A-Za-z0-9_-]{43})/.exec(reply.text)?.[1];
  if (!link) throw new Error(`no link in: ${reply.text}`);
  await page.goto(link);
  await page.getByRole('button', { name: /登录|Sign in/ }).click();
  await page.waitForURL(/\/(queue)?$/);
}

const checked = new Set<string>();
async function accessible(page: Page, label: string): Promise<void> {
  const key = `${new URL(page.url()).pathname} ${label}`;
  if (checked.has(key)) return;
  checked.add(key);
  expect(await seriousAccessibilityFindings(page), key).toEqual([]);
}

function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  return problems;
}

describe.skipIf(!chromiumPath)('composing a notice in a real browser', () => {
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    const port = await freePort();
    const consoleUrl = `http://127.0.0.1:${port}`;
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
    const client = new pg.Client({ connectionString: scene.db.url });
    await client.connect();
    try {
      await client.query(
        `insert into staff_member (id, telegram_id, role, department_code, community_code, display_name)
         values (gen_random_uuid(), $1, 'worker', null, 'wanshan-wangjia', '社区小张'),
                (gen_random_uuid(), $2, 'worker', null, 'wanshan-wangjia', 'Zhang Min')`,
        [WORKER, WORKER_EN],
      );
      await client.query(
        `insert into telegram_user (telegram_id, chat_id, locale, updated_at) values ($1, $1, 'en', now())
         on conflict (telegram_id) do update set locale = 'en'`,
        [WORKER_EN],
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
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('with JavaScript: the count changes in place, the preview, send; the resident and the worker are told in Telegram', async () => {
    const worker = new SimulatedUser(scene.emulator, TOKEN, WORKER);
    const context = await (browser as Browser).newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const problems = watch(page);
    try {
      await signIn(page, worker);
      await page.getByRole('link', { name: '通知已读' }).click();
      await page.getByRole('link', { name: '写一条新通知' }).click();
      await page.getByRole('heading', { name: '写社区通知' }).waitFor();
      await page.getByText('能收到的居民：1 位。').waitFor();
      await accessible(page, 'worker');
      await page.getByLabel('通知内容（中文）').fill('3栋明天上午停水，请提前接好水。');
      // Choosing buildings without a building: the count says what is missing, in place.
      await page.getByLabel('选几栋楼').check();
      await page.getByText('选好“发给谁”，就能看到有多少位居民。').waitFor();
      await page.getByLabel('2栋', { exact: true }).check();
      await page.getByText('能收到的居民：0 位。').waitFor();
      await page.getByLabel('3栋', { exact: true }).check();
      await page.getByText('能收到的居民：1 位。').waitFor();
      // Swapped in place: still the same page, and what was typed is still there.
      expect(new URL(page.url()).pathname).toBe('/notices/new');
      expect(await page.getByLabel('通知内容（中文）').inputValue()).toBe('3栋明天上午停水，请提前接好水。');
      await accessible(page, 'worker counted');
      await page.screenshot({ path: path.join(SHOTS, 'notice-compose-zh.png'), fullPage: true });
      await page.getByRole('button', { name: '看看居民收到的样子' }).click();
      await page.getByRole('heading', { name: '居民会收到的样子' }).waitFor();
      await page.getByText('3栋明天上午停水，请提前接好水。').waitFor();
      await accessible(page, 'worker preview');
      await page.screenshot({ path: path.join(SHOTS, 'notice-preview-zh.png') });
      const since = resident.received.length;
      const reports = worker.received.length;
      await page.getByRole('button', { name: '现在发送' }).click();
      await page.getByText('好的，开始发送了。').waitFor();
      const got = await resident.waitForMessage((m) => m.text.includes('3栋明天上午停水'), since, 20_000);
      expect(got.text).toContain('旺家社区');
      // The author's progress report, in Telegram as for /notice.
      await worker.waitForMessage((m) => m.text.includes('3栋明天上午停水'), reports, 20_000);
      await accessible(page, 'worker sent');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('without JavaScript, in English: the count button, a wrong time kept with the text, then sent', async () => {
    const worker = new SimulatedUser(scene.emulator, TOKEN, WORKER_EN);
    const context = await (browser as Browser).newContext({
      viewport: { width: 1366, height: 768 },
      javaScriptEnabled: false,
    });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    try {
      await signIn(page, worker);
      await page.goto(new URL('/notices/new', page.url()).toString());
      await page.getByRole('heading', { name: 'Write a community notice' }).waitFor();
      await page.getByLabel('Notice text (Chinese)').fill('周五下午社区开会。');
      await page.getByLabel('English version (optional)').fill('Community meeting on Friday afternoon.');
      await page.getByLabel('Some buildings').check();
      await page.getByLabel('Building 3', { exact: true }).check();
      await page.getByRole('button', { name: 'Count the residents' }).click();
      await page.getByText('Residents it reaches: 1.').waitFor();
      // A time in the past: said in plain words, nothing lost.
      await page.getByLabel('At a time:').check();
      const past = new Date(Date.now() - 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 16);
      await page.getByLabel('Sending time').fill(past);
      await page.getByRole('button', { name: 'See it as residents will' }).click();
      await page.getByText('That time has passed. Please choose a later time.').waitFor();
      expect(await page.getByLabel('Notice text (Chinese)').inputValue()).toBe('周五下午社区开会。');
      expect(await page.getByLabel('Building 3', { exact: true }).isChecked()).toBe(true);
      await page.getByLabel('Now', { exact: true }).check();
      await page.getByRole('button', { name: 'See it as residents will' }).click();
      await page.getByRole('heading', { name: 'What residents will get' }).waitFor();
      await page.getByText('Community meeting on Friday afternoon.').waitFor();
      await page.screenshot({ path: path.join(SHOTS, 'notice-preview-en.png') });
      // The form as the browser would post it again (a double submit, a reload of the send).
      const form = Object.fromEntries(
        await page.$$eval('form[action="/notices/new/send"] input[type="hidden"]', (inputs) =>
          inputs.map((i) => [
            (i as unknown as { name: string }).name,
            (i as unknown as { value: string }).value,
          ]),
        ),
      );
      const since = resident.received.length;
      await page.getByRole('button', { name: 'Send now' }).click();
      await page.getByText('Sending has started.').waitFor();
      // The resident uses Chinese: they get the Chinese version.
      await resident.waitForMessage((m) => m.text.includes('周五下午社区开会'), since, 20_000);
      const again = await context.request.post(new URL('/notices/new/send', page.url()).toString(), {
        form,
        maxRedirects: 0,
      });
      expect(again.status()).toBe(303);
      expect(again.headers().location).toBe('/notices/new?done=again');
      const client = new pg.Client({ connectionString: scene.db.url });
      await client.connect();
      try {
        const rows = await client.query(
          'select count(*)::int as n from broadcast where author_telegram_id = $1',
          [WORKER_EN],
        );
        expect(rows.rows[0].n).toBe(1);
      } finally {
        await client.end();
      }
    } finally {
      await context.close();
    }
  }, 90_000);

  it('stops with the rest of the process on SIGTERM', async () => {
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
  });
});
