// Composing a community notice in a real browser against the real process (`npm start`'s dist/main.mjs, the
// telegram-test-api emulator, CONSOLE_PORT set): a community worker writes a notice to one building, sees the
// count change in place as the audience changes (htmx), previews it and sends it — the resident gets it in
// Telegram from the notice sender, the worker gets the progress report in Telegram; the same with JavaScript
// off (the count button, in English); a wrong time keeps what was typed. axe-core on every page that runs
// JavaScript (axe is a script: the pages without it are the same markup).
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { adultWoman } from '../support/fixtures.ts';
import { chromiumPath } from './browser.ts';
import { communityWorker, shot, useConsoleScene, watch } from './console-scene.ts';
import type { SimulatedUser } from './support.ts';

const RESIDENT = 517_001;
const WORKER = 517_102;
const WORKER_EN = 517_103;

describe.skipIf(!chromiumPath)('composing a notice in a real browser', () => {
  const scene = useConsoleScene({
    token: '123456789:AAe2e-token-for-the-compose-test',
    piiKey: 'c5'.repeat(32),
    staff: [
      communityWorker(WORKER),
      {
        telegramId: WORKER_EN,
        role: 'worker',
        community: 'wanshan-wangjia',
        displayName: 'Zhang Min',
        locale: 'en',
      },
    ],
    residents: [{ telegramId: RESIDENT, person: adultWoman }],
  });
  let resident: SimulatedUser;
  const { accessible, signIn } = scene;
  beforeAll(() => {
    resident = scene.user(RESIDENT);
  });

  it('with JavaScript: the count changes in place, the preview, send; the resident and the worker are told in Telegram', async () => {
    const worker = scene.user(WORKER);
    const context = await scene.browser.newContext({ viewport: { width: 1366, height: 768 } });
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
      await shot(page, 'notice-compose-zh', { fullPage: true });
      await page.getByRole('button', { name: '看看居民收到的样子' }).click();
      await page.getByRole('heading', { name: '居民会收到的样子' }).waitFor();
      await page.getByText('3栋明天上午停水，请提前接好水。').waitFor();
      await accessible(page, 'worker preview');
      await shot(page, 'notice-preview-zh');
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
    const worker = scene.user(WORKER_EN);
    const context = await scene.browser.newContext({
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
      await shot(page, 'notice-preview-en');
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
    scene.bot.child.kill('SIGTERM');
    expect(await scene.bot.exited).toEqual({ code: 0, signal: null });
  });
});
