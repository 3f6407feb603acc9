// The console's figures, export and notice follow-up in a real browser against the real process (`npm
// start`'s dist/main.mjs, the telegram-test-api emulator, CONSOLE_PORT set): a staff member clicks a chart's
// bar through to its cases with JavaScript and without; every SVG on the page parses as XML; the export
// downloads a CSV; an admin's export with personal data stops at its confirmation page; a community worker
// sees who has not read an important notice and reminds them — the resident gets the reminder in Telegram
// from the notice sender. axe-core on every page; screenshots of the figures in both languages.
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { weekOf } from '../../src/app/console/figures.ts';
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
import type { SimulatedUser } from './support.ts';

const RESIDENT = 516_001;
const STAFF = 516_101;
const WORKER = 516_102;
const ADMIN = 516_103;

/**
 * The page's SVGs as the server sent them, each parsed by the browser's XML parser: the problems found (none
 * when every chart is well-formed XML) and each chart's <title>.
 */
async function parsedCharts(page: Page): Promise<{ errors: string[]; titles: string[] }> {
  return page.evaluate(async () => {
    const g = globalThis as unknown as {
      location: { href: string };
      fetch: (u: string) => Promise<{ text(): Promise<string> }>;
      DOMParser: new () => {
        parseFromString(
          s: string,
          type: string,
        ): {
          querySelector(q: string): { textContent: string | null } | null;
          documentElement: { querySelector(q: string): { textContent: string | null } | null };
        };
      };
    };
    const html = await (await g.fetch(g.location.href)).text();
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    const errors: string[] = [];
    const titles: string[] = [];
    for (const svg of svgs) {
      const doc = new g.DOMParser().parseFromString(svg, 'image/svg+xml');
      const error = doc.querySelector('parsererror');
      if (error) errors.push(error.textContent ?? 'parsererror');
      titles.push(doc.documentElement.querySelector('title')?.textContent ?? '');
    }
    return { errors, titles };
  });
}

describe.skipIf(!chromiumPath)('figures, export and notices in a real browser', () => {
  const scene = useConsoleScene({
    token: '123456789:AAe2e-token-for-the-figures-test',
    piiKey: 'c4'.repeat(32),
    admins: [ADMIN],
    staff: [staffMember(STAFF), communityWorker(WORKER)],
    residents: [{ telegramId: RESIDENT, person: adultWoman }],
  });
  let consoleUrl: string;
  let resident: SimulatedUser;
  const numbers: string[] = [];
  const { accessible, signIn } = scene;

  beforeAll(async () => {
    consoleUrl = scene.consoleUrl;
    resident = scene.user(RESIDENT);
    numbers.push(await fileSuggestion(resident, '小区门口的路灯坏了'));
    numbers.push(await fileSuggestion(resident, '垃圾桶太少了'));
    // Twelve weeks of earlier (made-up) work, so that the charts have something to show: closed cases
    // answered in 3 to 15 hours, resolved in 1 to 7 days against a 5-day due time, some rated.
    const history = new pg.Client({ connectionString: scene.db.url });
    await history.connect();
    try {
      await history.query(`
        insert into "case" (id, number, service_code, department_code, resident_id, telegram_id, status, priority,
                            anonymous, answers_cipher, due_at, submitted_at, first_response_at, resolved_at,
                            rating, submission_key, updated_at)
        select gen_random_uuid(), 'SUG-2026-9' || lpad(g::text, 5, '0'), c.service_code, c.department_code,
               c.resident_id, c.telegram_id, 'closed', 'normal', false, c.answers_cipher, x.s + interval '5 days',
               x.s, x.s + interval '3 hours' * (1 + g % 5), x.s + interval '1 day' * (1 + g % 7),
               case when g % 3 = 0 then 3 + (g / 3) % 3 end, 'e2e-history-' || g, now()
          from (select * from "case" limit 1) c, generate_series(1, 70) g,
               lateral (select (now() at time zone 'utc') - interval '1 day' * (g * 1.15 + 1.5) as s) x`);
    } finally {
      await history.end();
    }
  }, 30_000);

  it('clicks a chart bar through to its cases (with JavaScript), in both languages', async () => {
    const context = await scene.browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    const problems = watch(page);
    try {
      await signIn(page, STAFF);
      await page.getByRole('link', { name: '数据' }).click();
      await page.getByRole('heading', { name: '万山区社区居委会的数据' }).waitFor();
      const charts = await parsedCharts(page);
      expect(charts.errors).toEqual([]);
      expect(charts.titles).toEqual([
        '万山区社区居委会每周收到和办结的件数',
        '万山区社区居委会各项服务按时答复的比例',
        '万山区社区居委会每周的答复和办结用时（小时）',
        '万山区社区居委会居民评价的星数',
      ]);
      await accessible(page, 'zh');
      await shot(page, 'figures-zh', { fullPage: true });
      // This week's "received" bar: a link inside the SVG.
      const week = weekOf(new Date());
      await page.locator(`#chart-weekly a[href*="what=received&week=${week}"]`).click();
      await page.waitForURL(/\/figures\/cases\?/);
      await page.getByRole('heading', { name: /这周收到的件/ }).waitFor();
      for (const n of numbers) await page.getByRole('link', { name: n }).waitFor();
      await accessible(page, 'zh');
      // And on to a case.
      await page.getByRole('link', { name: numbers[0] as string }).click();
      await page.getByText('小区门口的路灯坏了').waitFor();

      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('link', { name: 'Figures' }).click();
      await page
        .getByRole('heading', { name: 'Figures: Wanshan District Neighbourhood Committee' })
        .waitFor();
      await accessible(page, 'en');
      await shot(page, 'figures-en', { fullPage: true });
      await page.getByRole('link', { name: 'Export the cases (CSV)' }).click();
      await page.getByRole('heading', { name: 'Export the cases' }).waitFor();
      await accessible(page, 'en');
      await page.getByRole('button', { name: '中文' }).click();
      await page.getByRole('heading', { name: '导出办件表' }).waitFor();
      await accessible(page, 'zh');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('the same without JavaScript: the bar is a plain link; the export downloads a CSV without personal data', async () => {
    const context = await scene.browser.newContext({
      viewport: { width: 1366, height: 768 },
      javaScriptEnabled: false,
      acceptDownloads: true,
    });
    const page = await context.newPage();
    try {
      await signIn(page, STAFF);
      await page.goto(`${consoleUrl}/figures`);
      const week = weekOf(new Date());
      await page.locator(`#chart-weekly a[href*="what=received&week=${week}"]`).click();
      await page.waitForURL(/\/figures\/cases\?/);
      for (const n of numbers) await page.getByRole('link', { name: n }).waitFor();
      await page.goto(`${consoleUrl}/export`);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: '下载' }).click(),
      ]);
      const file = await readFile((await download.path()) as string);
      expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = file.toString('utf8');
      for (const n of numbers) expect(text).toContain(n);
      expect(text).not.toContain(adultWoman.idNumber);
      expect(text).not.toContain(adultWoman.name);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('an admin: personal data stops at the confirmation page', async () => {
    const context = await scene.browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    try {
      await signIn(page, ADMIN);
      await page.getByRole('link', { name: '数据' }).click();
      await page.getByRole('heading', { name: '全部门的数据' }).waitFor();
      await accessible(page, 'admin');
      await page.getByRole('link', { name: '导出办件表（CSV）' }).click();
      await page.getByLabel(/含居民姓名/).check();
      await page.getByRole('button', { name: '下载' }).click();
      await page.getByRole('heading', { name: '确认导出个人信息？' }).waitFor();
      expect(await page.content()).not.toContain(adultWoman.idNumber);
      await accessible(page, 'admin');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('a worker sees who has not read an important notice and reminds them; the resident gets it', async () => {
    const client = new pg.Client({ connectionString: scene.db.url });
    await client.connect();
    try {
      await client.query(
        `insert into broadcast (id, community_code, author_telegram_id, author_chat_id, author_locale, text_zh,
                                audience, important, scheduled_at, request_key, created_at)
         values (gen_random_uuid(), 'wanshan-wangjia', $1, $1, 'zh-CN', '周六上午打疫苗，请带身份证。',
                 'community', true, now() at time zone 'utc', 'e2e-figures', now() at time zone 'utc')`,
        [WORKER],
      );
    } finally {
      await client.end();
    }
    const since = resident.received.length;
    await resident.waitForMessage((m) => m.text.includes('周六上午打疫苗'), since, 20_000);
    const context = await scene.browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const problems = watch(page);
    try {
      await signIn(page, WORKER);
      await page.getByRole('link', { name: '通知已读' }).click();
      await page.getByRole('heading', { name: '重要通知的已读情况' }).waitFor();
      await accessible(page, 'worker');
      await page.getByRole('link', { name: '周六上午打疫苗，请带身份证。' }).click();
      await page.getByRole('heading', { name: /谁还没读/ }).waitFor();
      await page.getByRole('cell', { name: '302' }).waitFor();
      await accessible(page, 'worker');
      const before = resident.received.length;
      await page.getByRole('button', { name: '再提醒没读的人' }).click();
      await page.getByText('已经安排提醒了').waitFor();
      await resident.waitForMessage((m) => m.text.includes('周六上午打疫苗'), before, 20_000);
      expect(await page.getByRole('button', { name: '再提醒没读的人' }).isDisabled()).toBe(true);
      await accessible(page, 'worker reminded');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('stops with the rest of the process on SIGTERM', async () => {
    scene.bot.child.kill('SIGTERM');
    expect(await scene.bot.exited).toEqual({ code: 0, signal: null });
  });
});
