// Filing for a resident in a real browser (Debian's Chromium through playwright-core) against the real
// process (`npm start`'s dist/main.mjs, the telegram-test-api emulator, CONSOLE_PORT set): a clerk of the
// civil-affairs window finds a walk-in resident by ID number and files the dibao (money, a choice whose
// answer opens another step, the household confirmed, documents seen on paper) with one wrong answer on the
// way, then a medical green channel, and prints the slips; a community worker, with JavaScript off, files by
// proxy for a resident of the community, who gets the Telegram message and finds the case in 📋 我办的事.
// axe-core on every page (no serious or critical finding); screenshots in test-output/console/. The walk-in
// dibao is measured (page submits, clicks, keystrokes-free field fills, server time per page) against the
// same dibao through the bot (messages and taps), printed as [measure] lines; nothing is asserted on time.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { maskIdNumber } from '../../src/domain/mask.ts';
import { adultMan, adultWoman } from '../support/fixtures.ts';
import { chromiumPath } from './browser.ts';
import { communityWorker, shot, staffMember, useConsoleScene, watch } from './console-scene.ts';
import { hasButton, type SimulatedUser } from './support.ts';

const TOKEN = '123456789:AAe2e-token-for-the-console-filing';
const PII_KEY = 'c7'.repeat(32);
const WALK_IN = 517_001;
const ON_TELEGRAM = 517_002;
const CLERK = 517_101;
const WORKER = 517_102;

/** Counts what the clerk does (clicks, fields filled) and the server's time for each page it asked for. */
function measure(page: Page) {
  const counts = { clicks: 0, fills: 0, pages: 0, serverMs: [] as number[] };
  page.on('requestfinished', (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith('/assets/') || !['document', 'xhr', 'fetch'].includes(req.resourceType()))
      return;
    counts.pages++;
    const t = req.timing();
    if (t.responseStart > 0 && t.requestStart >= 0) counts.serverMs.push(t.responseStart - t.requestStart);
  });
  return {
    counts,
    click: async (locator: ReturnType<Page['getByRole']>) => {
      counts.clicks++;
      await locator.click();
    },
    fill: async (locator: ReturnType<Page['getByLabel']>, text: string) => {
      counts.fills++;
      await locator.fill(text);
    },
    check: async (locator: ReturnType<Page['getByLabel']>) => {
      counts.clicks++;
      await locator.check();
    },
    select: async (locator: ReturnType<Page['getByLabel']>, label: string) => {
      counts.clicks++;
      await locator.selectOption({ label });
    },
  };
}

describe.skipIf(!chromiumPath)('filing for a resident in a real browser', () => {
  const scene = useConsoleScene({
    token: TOKEN,
    piiKey: PII_KEY,
    staff: [staffMember(CLERK, 'wanshan-civil-affairs', '王红梅'), communityWorker(WORKER)],
    residents: [
      { telegramId: WALK_IN, person: adultMan, at: { room: '301' } },
      { telegramId: ON_TELEGRAM, person: adultWoman },
    ],
  });
  const resident = (): SimulatedUser => scene.user(ON_TELEGRAM);

  it('a clerk files the dibao and a medical green channel for a walk-in resident, and prints the slips', async () => {
    const context = await scene.browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    // A wrong answer is answered 422 on purpose (the page says why); the browser logs that status.
    const problems = watch(page, (text) => text.includes('status of 422'));
    try {
      await scene.signIn(page, CLERK);
      const m = measure(page);
      // From here on the walk-in dibao is counted.
      await m.click(page.getByRole('link', { name: '为居民办事', exact: true }));
      await page.getByRole('heading', { name: '为居民办事' }).waitFor();
      await scene.accessible(page, 'zh');
      await m.fill(page.getByLabel('居民的身份证号'), adultMan.idNumber);
      await m.click(page.getByRole('button', { name: '查找', exact: true }));
      await page.getByText(maskIdNumber(adultMan.idNumber)).waitFor();
      expect(await page.content()).not.toContain(adultMan.idNumber);
      await scene.accessible(page, 'zh found');
      await shot(page, 'filing-find-zh', { fullPage: true });
      await m.click(page.getByRole('link', { name: `替他/她办事 ${adultMan.name}` }));
      await page.getByRole('heading', { name: '选要办的事' }).waitFor();
      await scene.accessible(page, 'zh');
      await m.click(page.getByRole('link', { name: '申请低保' }));
      await page.getByRole('heading', { name: '替居民办：申请低保' }).waitFor();
      await scene.accessible(page, 'zh');
      await m.fill(page.getByLabel('全家每月收入'), '一千五百块左右 abc');
      await m.check(page.getByLabel('其他原因'));
      await m.check(page.getByLabel('都没有'));
      await m.check(page.getByLabel('同意核对', { exact: true }));
      await m.check(page.getByLabel('已经和居民核对过，家里就是这些人'));
      await m.check(page.getByLabel('户口本'));
      // "Other reason" opens its own question: "continue" shows it, in place.
      expect(await page.getByLabel('具体情况').count()).toBe(0);
      await m.click(page.getByRole('button', { name: '继续填' }));
      await m.fill(page.getByLabel('具体情况'), '老伴去年走了，腿脚不好，干不了重活');
      await m.click(page.getByRole('button', { name: '检查并提交' }));
      // The wrong sum is said next to its field, and everything typed is still there.
      await page.getByText('请只写数字').waitFor();
      expect(await page.getByLabel('具体情况').inputValue()).toBe('老伴去年走了，腿脚不好，干不了重活');
      expect(await page.getByLabel('户口本').isChecked()).toBe(true);
      await scene.accessible(page, 'zh wrong');
      await shot(page, 'filing-form-zh', { fullPage: true });
      await m.fill(page.getByLabel('全家每月收入'), '1500');
      await m.click(page.getByRole('button', { name: '检查并提交' }));
      await page.getByRole('heading', { name: '请和居民一起核对' }).waitFor();
      expect(await page.content()).toContain('1500 元');
      await scene.accessible(page, 'zh');
      await shot(page, 'filing-confirm-zh', { fullPage: true });
      await m.click(page.getByRole('button', { name: '确认提交' }));
      await page.waitForURL(/\/slips\//);
      await page.getByRole('heading', { name: '办事回执：申请低保' }).waitFor();
      const { counts } = m;
      const slip = await page.content();
      const number = /CIV-\d{4}-\d{6}|[A-Z]{2,5}-\d{4}-\d{6}/.exec(slip)?.[0];
      expect(number).toBeTruthy();
      expect(slip).toContain('户口本');
      expect(slip).toContain(maskIdNumber(adultMan.idNumber));
      expect(slip).not.toContain(adultMan.idNumber);
      await scene.accessible(page, 'zh');
      // The print button (shown by console.js) prints; the page prints without the console's menus.
      await page.evaluate(() => {
        const w = globalThis as unknown as { printed: number; print: () => void };
        w.printed = 0;
        w.print = () => {
          w.printed++;
        };
      });
      await page.getByRole('button', { name: '打印回执' }).click();
      expect(await page.evaluate(() => (globalThis as unknown as { printed: number }).printed)).toBe(1);
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('header.top').isVisible()).toBe(false);
      await shot(page, 'filing-slip-zh', { fullPage: true });
      await page.emulateMedia({ media: 'screen' });
      const serverMs = counts.serverMs.map((x) => Math.round(x));
      console.error(
        `[measure] walk-in dibao at the window: ${counts.pages} page requests, ${counts.clicks} clicks, ${counts.fills} fields typed (one wrong sum typed again); server time per page ms: ${serverMs.join(', ')} (total ${serverMs.reduce((a, b) => a + b, 0)})`,
      );

      // The medical green channel for the same resident: the emergency question first.
      await page.getByRole('link', { name: '为下一位居民办事' }).click();
      await page.getByLabel('居民的身份证号').fill(adultMan.idNumber);
      await page.getByRole('button', { name: '查找', exact: true }).click();
      await page.getByRole('link', { name: `替他/她办事 ${adultMan.name}` }).click();
      await page.getByRole('link', { name: '看病绿色通道' }).click();
      await page.getByLabel('不是急病').check();
      // "Continue" swaps the form in place: the questions below are answered on the form it brings (on a loaded
      // machine a late swap would otherwise replace answers given meanwhile).
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: '继续填' }).click(),
      ]);
      await page.waitForFunction(
        () =>
          !(
            globalThis as unknown as { document: { querySelector(s: string): unknown } }
          ).document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling'),
      );
      await page.getByLabel('门诊').check();
      await page.getByLabel(adultMan.name, { exact: true }).check();
      await page.getByLabel('医院', { exact: true }).selectOption({ label: '万山区人民医院' });
      await page.getByLabel('什么情况').fill('咳嗽两个星期了');
      await page.getByLabel('不清楚').check();
      await page.getByLabel('身份证', { exact: true }).check();
      await page.getByRole('button', { name: '检查并提交' }).click();
      await page.getByRole('heading', { name: '请和居民一起核对' }).waitFor();
      await page.getByRole('button', { name: '确认提交' }).click();
      await page.getByRole('heading', { name: '办事回执：看病绿色通道' }).waitFor();
      expect(await page.content()).toContain('身份证');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('a community worker files by proxy with JavaScript off; the resident is told and sees it in 📋 我办的事', async () => {
    const context = await scene.browser.newContext({
      viewport: { width: 1366, height: 768 },
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    try {
      await scene.signIn(page, WORKER);
      await page.getByRole('link', { name: '为居民办事', exact: true }).click();
      await page.getByLabel('居民的身份证号').fill(adultWoman.idNumber);
      await page.getByRole('button', { name: '查找', exact: true }).click();
      await page.getByRole('link', { name: `替他/她办事 ${adultWoman.name}` }).click();
      await page.getByRole('link', { name: '意见箱' }).click();
      await page.getByLabel('安全').check();
      await page.getByLabel('意见内容').fill('楼道的灯坏了一个月了');
      await page.getByLabel('写上我的名字').check();
      await page.getByRole('button', { name: '检查并提交' }).click();
      await page.getByRole('heading', { name: '请和居民一起核对' }).waitFor();
      expect(await page.content()).toContain('提交后，居民会在 Telegram 上收到通知');
      const since = resident().received.length;
      await page.getByRole('button', { name: '确认提交' }).click();
      await page.getByRole('heading', { name: '办事回执：意见箱' }).waitFor();
      const number = /SUG-\d{4}-\d{6}/.exec(await page.content())?.[0] as string;
      expect(number).toBeTruthy();
      const told = await resident().waitForMessage((msg) => msg.text.includes(number), since, 15_000);
      expect(told.text).toBe(
        `📝 社区工作人员社区小张替您提交了《意见箱》，编号 ${number}，您可以在 📋 我办的事 里看进度。`,
      );
      const mine = await resident().command('/mycases', (msg) => msg.text.includes('我办的事'));
      expect(JSON.stringify(mine.buttons) + mine.text).toContain(number);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('the same dibao through the bot, for comparison: the resident’s messages and taps', async () => {
    let sent = 0;
    const tap = (label: string, until: Parameters<SimulatedUser['tap']>[1]) => {
      sent++;
      return resident().tap(label, until);
    };
    const say = (text: string, until: Parameters<SimulatedUser['text']>[1]) => {
      sent++;
      return resident().text(text, until);
    };
    const started = performance.now();
    sent++;
    await resident().command('/services', hasButton('💰 申请低保'));
    await tap('💰 申请低保', hasButton('对，家里只有我'));
    await tap('对，家里只有我', '全家每个月一共收入多少钱');
    await say('1500', hasButton('其他原因'));
    await tap('其他原因', '具体是什么原因');
    await say('老伴去年走了，腿脚不好，干不了重活', hasButton('都没有'));
    await tap('都没有', hasButton('✅ 同意核对'));
    await tap('✅ 同意核对', hasButton('没有，跳过'));
    await tap('没有，跳过', hasButton('✅ 对的，提交'));
    const done = await tap('✅ 对的，提交', (msg) => /-\d{4}-\d{6}/.test(msg.text));
    expect(done.text).toContain('已经提交了');
    console.error(
      `[measure] the same dibao through the bot: ${sent} messages and taps from the resident (2 typed, the rest buttons); ${Math.round(performance.now() - started)} ms through the emulator`,
    );
  }, 60_000);

  it('stops with the rest of the process on SIGTERM', async () => {
    scene.bot.child.kill('SIGTERM');
    expect(await scene.bot.exited).toEqual({ code: 0, signal: null });
  });
});
