// A photo on a notice composed in a real browser (Debian's Chromium through playwright-core): the console
// served by its own listener in this process, over the real database and the notice use cases, with a fake
// Telegram over HTTP that keeps what sendPhoto uploads and serves it back through getFile (the
// telegram-test-api emulator the other browser tests use has neither). The picture is a small PNG made in
// the test. With JavaScript (htmx posts the form as multipart; changing the audience counts without sending
// the file): the picture goes to Telegram once, the preview shows it decoded by the browser, the notice is
// sent with its file id; without JavaScript (in English): a text file named .jpg is refused in plain words
// with the text kept, then the real picture. axe-core finds nothing serious; the browser reports no problem.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Api } from 'grammy';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNoticePhotos } from '../../src/app/console/notice-photo.ts';
import { telegramFileSource } from '../../src/bot/telegram-file-source.ts';
import { telegramPhotoUploader } from '../../src/bot/telegram-photo-upload.ts';
import { composeConsoleDesk } from '../../src/compose.ts';
import { type ConsoleServer, startConsoleServer } from '../../src/http/console/server.ts';
import { createLogger } from '../../src/logger.ts';
import { consoleAppOver } from '../http/console-support.ts';
import { createHarness, type Harness, TEST_TOKEN } from '../support/bot-harness.ts';
import { type FakeFileApi, startFakeFileApi } from '../support/fake-file-api.ts';
import { makePng } from '../support/png.ts';
import { buildingsOf, seedResidents } from '../support/seed-residents.ts';
import { chromiumPath, launchBrowser, seriousAccessibilityFindings } from './browser.ts';
import { freePort, REPO_ROOT } from './support.ts';

const WORKER = 518_101;
const WORKER_EN = 518_102;
const WANGJIA = 'wanshan-wangjia';
const SHOTS = path.join(REPO_ROOT, 'test-output', 'console');

describe.skipIf(!chromiumPath)('a notice with a photo, composed in a real browser', () => {
  let h: Harness;
  let api: FakeFileApi;
  let server: ConsoleServer;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    url = `http://127.0.0.1:${await freePort()}`;
    api = await startFakeFileApi(TEST_TOKEN);
    h = await createHarness({
      adjustDeps: (deps) => {
        deps.consoleUrl = url;
      },
    });
    const files = telegramFileSource({ token: TEST_TOKEN, apiRoot: api.url });
    const app = consoleAppOver(h, {
      publicOrigin: url,
      ...composeConsoleDesk({ db: h.db, cipher: h.cipher, deps: h.deps }),
      files,
      noticePhotos: createNoticePhotos({
        uploader: telegramPhotoUploader(new Api(TEST_TOKEN, { apiRoot: api.url }), h.deps.translator),
        files,
        cipher: h.cipher,
      }),
    });
    server = await startConsoleServer({
      app,
      port: Number(new URL(url).port),
      host: '127.0.0.1',
      logger: createLogger('silent'),
    });
    for (const id of [WORKER, WORKER_EN]) {
      await h.db.staffMember.create({
        data: { telegramId: BigInt(id), role: 'worker', communityCode: WANGJIA, displayName: `社区${id}` },
      });
    }
    await h.db.telegramUser.upsert({
      where: { telegramId: BigInt(WORKER_EN) },
      create: { telegramId: BigInt(WORKER_EN), chatId: BigInt(WORKER_EN), locale: 'en' },
      update: { locale: 'en' },
    });
    const buildings = await buildingsOf(h.db, WANGJIA);
    await seedResidents(
      h.db,
      WANGJIA,
      [518_201, 518_202, 518_203].map((telegramId, i) => ({
        telegramId,
        buildingId: (buildings[i % 2] as { id: string }).id,
      })),
    );
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
    await api?.close();
  });

  async function signedIn(
    worker: number,
    javaScriptEnabled: boolean,
  ): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, javaScriptEnabled });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    const calls = await h.user(worker).text('/console');
    const text = String(calls.find((c) => c.method === 'sendMessage')?.payload.text ?? '');
    const link = new RegExp(`${url}/login/[A-Za-z0-9_-]+`).exec(text)?.[0];
    if (!link) throw new Error(`no link in: ${text}`);
    await page.goto(link);
    await page.getByRole('button', { name: /登录|Sign in/ }).click();
    await page.waitForURL(`${url}/`);
    return { page, problems };
  }

  /** The picture's own width, once the browser has decoded it (polled: no page script runs without JS). */
  const decodedWidth = (page: Page) =>
    page
      .locator('img.notice-photo')
      .first()
      .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);

  const uploadsBy = (chatId: number) => api.photos.filter((p) => p.chatId === chatId);

  it('with JavaScript: the picture goes to Telegram once, the preview shows it, the notice is sent with it', async () => {
    const { page, problems } = await signedIn(WORKER, true);
    try {
      await page.goto(`${url}/notices/new`);
      await page.getByRole('heading', { name: '写社区通知' }).waitFor();
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await page.getByLabel('通知内容（中文）').fill('新的垃圾分类点在 2 栋旁边，请看图。');
      await page
        .getByLabel('图片（可以不放）')
        .setInputFiles({ name: '分类点.png', mimeType: 'image/png', buffer: makePng(64, 48) });
      // The audience changed: htmx counts again in place, and leaves the file out of it.
      await page.getByLabel('选几栋楼').check();
      await page.getByLabel('1栋', { exact: true }).check();
      await page.getByText('能收到的居民：2 位。').waitFor();
      expect(uploadsBy(WORKER)).toHaveLength(0);

      await page.getByRole('button', { name: '看看居民收到的样子' }).click();
      await page.getByRole('heading', { name: '居民会收到的样子' }).waitFor();
      await expect.poll(() => decodedWidth(page)).toBe(64);
      await page.getByText('这张图片先发到了您自己的 Telegram 里').waitFor();
      expect(await page.getByRole('img', { name: '通知里的图片' }).count()).toBe(1);
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await page.screenshot({ path: path.join(SHOTS, 'notice-photo-preview-zh.png'), fullPage: true });
      expect(uploadsBy(WORKER)).toHaveLength(1);
      const fileId = uploadsBy(WORKER)[0]?.fileId;

      await page.getByRole('button', { name: '现在发送' }).click();
      await page.getByText('好的，开始发送了。').waitFor();
      const notices = await h.db.notice.findMany({ where: { authorTelegramId: BigInt(WORKER) } });
      expect(notices.map((n) => n.photoFileId)).toEqual([fileId]);
      expect(uploadsBy(WORKER)).toHaveLength(1);
      expect(problems).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 90_000);

  it('without JavaScript, in English: a text file named .jpg is refused with the text kept, then the picture', async () => {
    const { page, problems } = await signedIn(WORKER_EN, false);
    try {
      await page.goto(`${url}/notices/new`);
      await page.getByRole('heading', { name: 'Write a community notice' }).waitFor();
      await page.getByLabel('Notice text (Chinese)').fill('周六上午社区义诊，请看图。');
      await page.getByLabel('Picture (optional)').setInputFiles({
        name: 'clinic.jpg',
        mimeType: 'image/jpeg',
        buffer: Buffer.from('this is a text file, not a photo'),
      });
      await page.getByRole('button', { name: 'See it as residents will' }).click();
      await page.getByText('That file is not a photo. Please choose a JPG, PNG or WebP photo.').waitFor();
      expect(await page.getByLabel('Notice text (Chinese)').inputValue()).toBe('周六上午社区义诊，请看图。');
      expect(uploadsBy(WORKER_EN)).toHaveLength(0);

      await page.getByLabel('Picture (optional)').setInputFiles({
        name: 'clinic.png',
        mimeType: 'image/png',
        buffer: makePng(32, 32, [41, 128, 185]),
      });
      await page.getByRole('button', { name: 'See it as residents will' }).click();
      await page.getByRole('heading', { name: 'What residents will get' }).waitFor();
      await expect.poll(() => decodedWidth(page)).toBe(32);
      await page.screenshot({ path: path.join(SHOTS, 'notice-photo-preview-en.png'), fullPage: true });
      // Back to change the text: the picture stays, shown in the form, and is not sent to Telegram again.
      await page.getByRole('button', { name: 'Go back and change it' }).click();
      await page.getByText('Picture added:').waitFor();
      await expect.poll(() => decodedWidth(page)).toBe(32);
      await page.getByLabel('Notice text (Chinese)').fill('周六上午社区义诊，请带医保卡。');
      await page.getByRole('button', { name: 'See it as residents will' }).click();
      await page.getByText('周六上午社区义诊，请带医保卡。').waitFor();
      await page.getByRole('button', { name: 'Send now' }).click();
      await page.getByText('Sending has started.').waitFor();
      expect(uploadsBy(WORKER_EN)).toHaveLength(1);
      const notices = await h.db.notice.findMany({ where: { authorTelegramId: BigInt(WORKER_EN) } });
      expect(notices.map((n) => n.photoFileId)).toEqual([uploadsBy(WORKER_EN)[0]?.fileId]);
      // The refused picture's page came with 422, as it should; nothing else went wrong.
      expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 90_000);
});
