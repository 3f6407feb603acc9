// A resident without Telegram, in a real browser (Debian's Chromium through playwright-core) against the real
// process (`npm start`'s dist/main.mjs, the telegram-test-api emulator, CONSOLE_PORT set): the window clerk
// searches an ID number, finds nobody, registers the resident at the window (consent read out and ticked);
// the registered page's link files a request for them through the console's filing form (service, form,
// confirm, slip; the case has no Telegram id); the department's staff answer it in the console, where the
// case says the resident must be told by phone or at the window; the clerk's "to tell" list shows it, the
// clerk marks it "told by phone" and the list is empty. axe-core checks every page (no serious or critical finding).
import pg from 'pg';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../src/domain/mask.ts';
import { elder } from '../support/fixtures.ts';
import { chromiumPath } from './browser.ts';
import { shot, staffMember, useConsoleScene, watch } from './console-scene.ts';

const TOKEN = '123456789:AAe2e-token-for-the-console-walk-in';
const PII_KEY = 'c7'.repeat(32);
const CLERK = 517_101;

describe.skipIf(!chromiumPath)('a resident without Telegram, at the window, in a real browser', () => {
  const scene = useConsoleScene({
    token: TOKEN,
    piiKey: PII_KEY,
    staff: [staffMember(CLERK, 'wanshan-neighbourhood', '窗口小王')],
  });

  async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: scene.db.url });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  const accessible = (page: Page, label: string) => scene.accessible(page, label);

  it('search finds nobody → register at the window → the answer is on the to-tell list → told by phone', async () => {
    const context = await scene.browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    // Refused forms answer 4xx on purpose (the page says why); the browser logs that status.
    const problems = watch(page, (text) => /status of 4\d\d/.test(text));
    try {
      await scene.signIn(page, CLERK);

      // The clerk searches the ID number on the card: nobody.
      await page.getByRole('link', { name: '查找', exact: true }).click();
      await page.getByLabel('办件编号、身份证号、手机号或姓名').fill(elder.idNumber);
      await page.getByRole('button', { name: '查找', exact: true }).click();
      await page.getByRole('heading', { name: '按身份证号查找的结果' }).waitFor();
      await accessible(page, 'nobody found');
      await page.getByRole('link', { name: '没找到这个人？在窗口给他/她登记' }).click();

      // The form: the consent text to read out; submitting without the tick keeps everything typed.
      await page.getByRole('heading', { name: '在窗口给居民登记' }).waitFor();
      await accessible(page, 'form');
      await page.locator('#place').selectOption({ label: '旺家社区 · 3栋' });
      await page.getByLabel('单元（数字）').fill('2');
      await page.getByLabel('门牌号').fill('302');
      await page.getByLabel('名字').fill(elder.name);
      await page.getByLabel('手机号').fill(elder.phone);
      await page.getByLabel('身份证号').fill(elder.idNumber);
      await page.getByRole('button', { name: '登记', exact: true }).click();
      await page.getByText('居民还没有同意').waitFor();
      expect(await page.getByLabel('名字').inputValue()).toBe(elder.name);
      await accessible(page, 'no consent');
      await page.getByLabel('我已经念给居民听了，他/她同意').check();
      await page.getByRole('button', { name: '登记', exact: true }).click();
      await page.getByRole('heading', { name: '登记好了' }).waitFor();
      const confirmation = await page.content();
      expect(confirmation).toContain(maskPhone(elder.phone));
      expect(confirmation).not.toContain(elder.idNumber);
      await accessible(page, 'registered');
      await shot(page, 'walk-in-registered-zh');
      const residentId = /\/residents\/([0-9a-f-]{36})\/registered/.exec(page.url())?.[1] as string;
      const [row] = await sql<{ telegram_id: string | null; consent_recorded_by: string }>(
        'select telegram_id, consent_recorded_by from resident where id = $1',
        [residentId],
      );
      expect(row).toEqual({ telegram_id: null, consent_recorded_by: String(CLERK) });

      // A request filed for them right away: the registered page's link → the service → form → confirm → slip.
      await page.getByRole('link', { name: '接着为他/她办事' }).click();
      await page.getByRole('link', { name: '意见箱' }).click();
      await page.getByLabel('安全').check();
      await page.getByLabel('意见内容').fill('楼梯扶手松了，老人上下楼不安全');
      await page.getByLabel('写上我的名字').check();
      await page.getByRole('button', { name: '检查并提交' }).click();
      await page.getByRole('heading', { name: '请和居民一起核对' }).waitFor();
      expect(await page.content()).toContain('居民没有用 Telegram：提交后请把打印的回执交给他/她');
      await accessible(page, 'confirm');
      await page.getByRole('button', { name: '确认提交' }).click();
      await page.getByRole('heading', { name: '办事回执：意见箱' }).waitFor();
      await accessible(page, 'slip');
      const number = /SUG-\d{4}-\d{6}/.exec(await page.content())?.[0] as string;
      expect(number).toBeTruthy();
      const [filed] = await sql<{ telegram_id: string | null }>(
        'select telegram_id from "case" where number = $1',
        [number],
      );
      expect(filed).toEqual({ telegram_id: null });

      // The department's staff answer it in the console: the case says to tell the resident.
      await page.getByRole('link', { name: '队列', exact: true }).click();
      await page.getByRole('link', { name: number }).click();
      await page.waitForURL(/\/cases\//);
      await page.getByRole('button', { name: '我来办' }).click();
      await page.getByText('您受理了这件事').waitFor();
      await page.locator('#reply-text').fill('明天上午师傅来修扶手，请家里留人。');
      await page.locator('form:has(#reply-text) button[type=submit]').click();
      await page.getByText('已经记到“待告知”里').waitFor();
      await page.locator('.tell-banner').getByText('工作人员回复了').waitFor();
      await page
        .getByRole('heading', { name: '这位居民没有用 Telegram：请打电话或在窗口告诉他/她' })
        .waitFor();
      await accessible(page, 'case with banner');
      await shot(page, 'walk-in-case-banner-zh', { fullPage: true });

      // The window clerk's to-tell list: the answer, the phone masked (shown in full on request).
      await page.getByRole('link', { name: '待告知', exact: true }).click();
      await page.getByRole('heading', { name: '待告知：没有 Telegram 的居民' }).waitFor();
      const list = await page.content();
      expect(list).toContain(number);
      expect(list).toContain('明天上午师傅来修扶手');
      expect(list).toContain(maskPhone(elder.phone));
      expect(list).not.toContain(elder.phone);
      await accessible(page, 'list');
      await shot(page, 'walk-in-to-tell-zh');
      await page.getByRole('button', { name: `看完整号码 ${elder.name}` }).click();
      await page.getByText('现在显示的是完整号码').waitFor();
      expect(await page.content()).toContain(elder.phone);
      await page.getByRole('button', { name: `已电话告知 ${number}` }).click();
      await page.getByText('记下了：已经告诉居民。').waitFor();
      await page.getByText('现在没有要告知的事。').waitFor();
      await accessible(page, 'list empty');
      const [told] = await sql<{ told_how: string; told_by: string }>(
        'select told_how, told_by from resident_tell where resident_id = $1',
        [residentId],
      );
      expect(told).toEqual({ told_how: 'phone', told_by: String(CLERK) });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
