// A case's files and the queue's bulk actions in a real browser (Debian's Chromium through playwright-core): the console served by its own
// listener in this process, over the real database and the staff use cases, streaming from a fake Telegram
// over HTTP (getFile, then the bytes) — the telegram-test-api emulator the other browser tests use has no
// files. The photo is drawn and encoded as JPEG by the browser itself, the voice message is a real WAV: the
// picture must decode, the player must read the sound, the document must download; with and without
// JavaScript; axe-core finds nothing serious; the browser reports no problem (CSP, broken media). Then bulk
// take (with htmx) and bulk transfer (without JavaScript) from the queue's checkboxes.
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramFileSource } from '../../src/bot/telegram-file-source.ts';
import { type ConsoleServer, startConsoleServer } from '../../src/http/console/server.ts';
import { createLogger } from '../../src/logger.ts';
import { consoleAppOver } from '../http/console-support.ts';
import { createHarness, type Harness } from '../support/bot-harness.ts';
import { type FakeFileApi, startFakeFileApi } from '../support/fake-file-api.ts';
import { registerResident } from '../support/flows.ts';
import { fileSuggestion, makeStaff } from '../support/staff-scene.ts';
import { chromiumPath, launchBrowser, seriousAccessibilityFindings } from './browser.ts';
import { SHOTS, shot, watch } from './console-scene.ts';
import { freePort } from './support.ts';

const TOKEN = '515151:fake-token-for-the-files-test';
const STAFF = 516_101;
const RESIDENT = 516_001;
const NEIGHBOUR = 516_002;

/** Half a second of a 440 Hz tone as a 16-bit mono WAV. */
function wav(): Buffer {
  const rate = 8000;
  const samples = rate / 2;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE(rate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36);
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

type Media = {
  document: {
    querySelector(s: string): {
      complete: boolean;
      naturalWidth: number;
      load(): void;
      error: unknown;
      duration: number;
      addEventListener(e: string, f: () => void): void;
    } | null;
    createElement(t: 'canvas'): {
      width: number;
      height: number;
      getContext(c: '2d'): { fillStyle: string; fillRect(x: number, y: number, w: number, h: number): void };
      toDataURL(type: string): string;
    };
  };
};

describe.skipIf(!chromiumPath)('a case’s files in a real browser', () => {
  let h: Harness;
  let api: FakeFileApi;
  let server: ConsoleServer;
  let browser: Browser;
  let url: string;
  let caseId: string;
  let earlierNumber: string;
  let bulkCases: { caseId: string; number: string }[];

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    url = `http://127.0.0.1:${await freePort()}`;
    api = await startFakeFileApi(TOKEN);
    h = await createHarness({
      adjustDeps: (deps) => {
        deps.consoleUrl = url;
      },
    });
    const app = consoleAppOver(h, {
      publicOrigin: url,
      files: telegramFileSource({ token: TOKEN, apiRoot: api.url }),
    });
    server = await startConsoleServer({
      app,
      port: Number(new URL(url).port),
      host: '127.0.0.1',
      logger: createLogger('silent'),
    });
    browser = await launchBrowser();
    await makeStaff(h, STAFF, 'wanshan-neighbourhood', { displayName: '王主任' });
    const resident = h.user(RESIDENT);
    await registerResident(resident);
    // An earlier case of the same resident, done: listed beside the case.
    const earlier = await fileSuggestion(h, resident, { text: '垃圾桶太少了' });
    await h.db.case.update({ where: { id: earlier.caseId }, data: { status: 'closed' } });
    earlierNumber = earlier.number;
    caseId = (await fileSuggestion(h, resident, { text: '楼道的灯坏了，照片和语音在这里' })).caseId;

    const neighbour = h.user(NEIGHBOUR);
    await registerResident(neighbour);
    bulkCases = [
      await fileSuggestion(h, neighbour, { text: '电梯坏了' }),
      await fileSuggestion(h, neighbour, { text: '楼下太吵' }),
    ];

    // The photo: drawn and encoded as JPEG by the browser itself.
    const scratch = await browser.newPage();
    const dataUrl = await scratch.evaluate(() => {
      const canvas = (globalThis as unknown as Media).document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 48;
      const g = canvas.getContext('2d');
      g.fillStyle = '#c0392b';
      g.fillRect(0, 0, 64, 48);
      return canvas.toDataURL('image/jpeg');
    });
    await scratch.close();
    api.files.set('tg-photo', { bytes: Buffer.from(dataUrl.split(',')[1] ?? '', 'base64') });
    api.files.set('tg-voice', { bytes: wav() });
    api.files.set('tg-doc', { bytes: Buffer.from('%PDF-1.4 a made-up certificate') });
    const add = (kind: 'photo' | 'voice' | 'document', fileId: string, mimeType: string | null) =>
      h.db.caseAttachment.create({
        data: { caseId, kind, fileId, fileUniqueId: `${fileId}-u`, mimeType, sizeBytes: 5000 },
      });
    await add('photo', 'tg-photo', null);
    await add('voice', 'tg-voice', 'audio/wav');
    await add('document', 'tg-doc', 'application/pdf');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
    await api?.close();
  });

  /** Signs the staff member in from the link the bot sent, in a new browser context. */
  async function signedIn(javaScriptEnabled: boolean): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
      javaScriptEnabled,
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const problems = watch(page);
    const calls = await h.user(STAFF).text('/console');
    const text = String(calls.find((c) => c.method === 'sendMessage')?.payload.text ?? '');
    const link = new RegExp(`${url}/login/[A-Za-z0-9_-]+`).exec(text)?.[0];
    if (!link) throw new Error(`no link in: ${text}`);
    await page.goto(link);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${url}/queue`);
    return { page, problems };
  }

  for (const js of [true, false]) {
    it(`shows the photo, plays the voice message, downloads the document (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const { page, problems } = await signedIn(js);
      await page.goto(`${url}/cases/${caseId}`);
      await page.getByRole('heading', { name: '附件（3 个）' }).waitFor();
      const photo = page.getByRole('img', { name: '照片 1' });
      await photo.scrollIntoViewIfNeeded();
      // Decoded by the browser: the photo's own width (polled: no page script runs with JavaScript off).
      await expect
        .poll(() => photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
        .toBe(64);
      // The player reads the sound: its length is known and nothing failed (polled, as above).
      type Player = { load(): void; readyState: number; error: unknown; duration: number };
      const player = page.locator('ul.files audio');
      await player.evaluate((el) => (el as unknown as Player).load());
      await expect
        .poll(() =>
          player.evaluate((el) => {
            const a = el as unknown as Player;
            return {
              ready: a.readyState >= 1,
              error: a.error !== null,
              duration: Math.round(a.duration * 10) / 10,
            };
          }),
        )
        .toEqual({ ready: true, error: false, duration: 0.5 });
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: '文件 1（点这里下载）' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^SUG-\d{4}-\d+-[0-9a-f]{8}\.pdf$/);
      // Still on the case page (the download did not replace it).
      await page.getByRole('heading', { name: '附件（3 个）' }).waitFor();
      // The resident's earlier case beside it, a link (the same department's).
      await page.getByRole('link', { name: earlierNumber }).waitFor();
      // axe runs as a page script, which a page without JavaScript does not run; the page is the same.
      if (js) expect(await seriousAccessibilityFindings(page)).toEqual([]);
      if (js) await shot(page, 'case-files-zh', { fullPage: true });
      expect(problems).toEqual([]);
      const views = await h.db.auditLog.count({
        where: { action: 'pii.view', subject: 'attachments', actorTelegramId: BigInt(STAFF) },
      });
      expect(views).toBeGreaterThanOrEqual(3);
      await page.context().close();
    });
  }

  it('bulk take with JavaScript, bulk transfer without: the result line, axe on the queue', async () => {
    const [first, second] = bulkCases;
    if (!first || !second) throw new Error('two cases were filed');
    {
      const { page, problems } = await signedIn(true);
      await page.getByRole('checkbox', { name: `勾选 ${first.number}` }).check();
      await page.getByRole('checkbox', { name: `勾选 ${second.number}` }).check();
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await page.getByRole('button', { name: '受理勾选的' }).click();
      await page.getByText('受理了 2 件。').waitFor();
      await shot(page, 'queue-bulk-zh', { fullPage: true });
      expect(problems).toEqual([]);
      await page.context().close();
    }
    {
      const { page, problems } = await signedIn(false);
      await page.goto(`${url}/queue?filter=mine`);
      await page.getByRole('checkbox', { name: `勾选 ${first.number}` }).check();
      await page.getByLabel('转给哪个部门').selectOption('wanshan-education');
      await page.getByLabel('转过去的原因').fill('这是学校的事');
      await page.getByRole('button', { name: '转走勾选的' }).click();
      await page.getByText('转走了 1 件。').waitFor();
      expect(problems).toEqual([]);
      await page.context().close();
    }
    const moved = await h.db.case.findFirstOrThrow({ where: { number: first.number } });
    expect(moved.departmentCode).toBe('wanshan-education');
  });
});
