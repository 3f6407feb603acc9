// A photo on a notice composed in the console, through hono's app.request over the real database and a fake
// Telegram over HTTP (sendPhoto keeps the upload, getFile and the file address serve it back): a good picture
// is sent once to the author's own chat and its file id goes with the notice, which the notice sender then
// sends with sendPhoto to every recipient; the preview shows the picture through the server. Wrong input is
// answered in plain words in both languages with the typed notice kept: a text file named .jpg, a file over
// 10 MB, a picture Telegram would not take, a form without its token, the author's chat blocked, a forged
// or someone else's picture reference.
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNoticePhotos } from '../../src/app/console/notice-photo.ts';
import type { NoticeSender } from '../../src/app/jobs/notice-sender.ts';
import { telegramFileSource } from '../../src/bot/telegram-file-source.ts';
import { telegramPhotoUploader } from '../../src/bot/telegram-photo-upload.ts';
import { composeConsoleDesk, composeNoticeSender } from '../../src/compose.ts';
import { createLogger } from '../../src/logger.ts';
import { createHarness, fakeTelegram, type Harness, TEST_TOKEN } from '../support/bot-harness.ts';
import { type FakeFileApi, startFakeFileApi } from '../support/fake-file-api.ts';
import { FAST, finished } from '../support/notice-scene.ts';
import { makePng, pngHeader } from '../support/png.ts';
import { buildingsOf, seedResidents } from '../support/seed-residents.ts';
import { CONSOLE_BASE, type ConsoleApp, consoleAppOver, consoleRequests } from './console-support.ts';

const WORKER = 84_001;
const WORKER_EN = 84_002;
const BLOCKED_WORKER = 84_003;
const WANGJIA = 'wanshan-wangjia';
const RESIDENTS = [84_101, 84_102, 84_103];
const MB = 1024 * 1024;

let h: Harness;
let api: FakeFileApi;
let app: ConsoleApp;
/** What the notice sender sends (a Bot API of its own, as in production). */
const outbox = fakeTelegram();
let sender: NoticeSender;

beforeAll(async () => {
  h = await createHarness({
    adjustDeps: (deps) => {
      deps.consoleUrl = CONSOLE_BASE;
    },
  });
  api = await startFakeFileApi(TEST_TOKEN);
  const files = telegramFileSource({ token: TEST_TOKEN, apiRoot: api.url });
  app = consoleAppOver(h, {
    ...composeConsoleDesk({ db: h.db, cipher: h.cipher, deps: h.deps }),
    files,
    noticePhotos: createNoticePhotos({
      uploader: telegramPhotoUploader(new Api(TEST_TOKEN, { apiRoot: api.url }), h.deps.translator),
      files,
      cipher: h.cipher,
    }),
  });
  for (const id of [WORKER, WORKER_EN, BLOCKED_WORKER]) {
    await h.db.staffMember.create({
      data: { telegramId: BigInt(id), role: 'worker', communityCode: WANGJIA, displayName: `社区${id}` },
    });
  }
  await h.db.telegramUser.upsert({
    where: { telegramId: BigInt(WORKER_EN) },
    create: { telegramId: BigInt(WORKER_EN), chatId: BigInt(WORKER_EN), locale: 'en' },
    update: { locale: 'en' },
  });
  const [b1] = await buildingsOf(h.db, WANGJIA);
  await seedResidents(
    h.db,
    WANGJIA,
    RESIDENTS.map((telegramId) => ({ telegramId, buildingId: b1?.id as string })),
  );
  api.blocked.add(BLOCKED_WORKER);
  sender = composeNoticeSender({
    db: h.db,
    api: new Api(TEST_TOKEN, { fetch: outbox.fetch }),
    logger: createLogger('silent'),
    defaultLocale: 'zh-CN',
    adminTelegramIds: [],
    rate: 25,
    tuning: { ...FAST, progressEveryMs: 100 },
  });
}, 120_000);
afterAll(async () => {
  await sender?.stop();
  await api?.close();
  await h?.close();
});

const { signIn, get } = consoleRequests(() => app);

async function openForm(cookie: string): Promise<{ csrf: string; key: string; html: string }> {
  const res = await get('/notices/new', cookie);
  expect(res.status).toBe(200);
  const html = await res.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const key = /name="key" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf || !key) throw new Error('no form token or key');
  return { csrf, key, html };
}

/** The form as a browser posts it with a file chosen (multipart/form-data). */
function multipart(
  fields: Record<string, string>,
  photo?: { bytes: Uint8Array; name: string; type: string },
): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (photo) form.append('photo', new Blob([photo.bytes], { type: photo.type }), photo.name);
  else form.append('photo', new Blob([], { type: 'application/octet-stream' }), '');
  return form;
}

const postForm = (path: string, cookie: string, body: FormData) =>
  app.request(path, { method: 'POST', headers: { cookie }, body });

function postUrlencoded(path: string, cookie: string, form: [string, string][]) {
  return app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(form).toString(),
  });
}

/** The hidden fields of the preview's "send" form, as the browser would post them. */
function hiddenFields(html: string): [string, string][] {
  const form = /<form method="post" action="\/notices\/new\/send"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  return [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map(
    (m): [string, string] => [m[1] as string, (m[2] as string).replaceAll('&amp;', '&')],
  );
}

const noticesBy = (author: number) => h.db.notice.findMany({ where: { authorTelegramId: BigInt(author) } });
const photosTo = (chatId: number) => api.photos.filter((p) => p.chatId === chatId);

describe('a good photo', () => {
  it('is sent once to the author’s chat, shown in the preview through the server, and goes with the notice to every resident by sendPhoto', async () => {
    const cookie = await signIn(h.user(WORKER));
    const { csrf, key, html: form } = await openForm(cookie);
    // The form is multipart, with htmx too; the file input takes the three kinds.
    expect(form).toContain('enctype="multipart/form-data"');
    expect(form).toContain('hx-encoding="multipart/form-data"');
    expect(form).toContain('accept="image/jpeg,image/png,image/webp"');
    const png = makePng(40, 30);
    const res = await postForm(
      '/notices/new',
      cookie,
      multipart(
        {
          _csrf: csrf,
          key,
          op: 'preview',
          textZh: '小区门口的新公交站牌，请看图。',
          textEn: '',
          audience: 'community',
          important: 'no',
          when: 'now',
        },
        // The name and the type the browser claims do not matter: the bytes are a PNG.
        { bytes: png, name: 'bus-stop.JPG', type: 'application/octet-stream' },
      ),
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('居民会收到的样子');
    expect(html).toContain('小区门口的新公交站牌，请看图。');
    expect(html).toContain('这张图片先发到了您自己的 Telegram 里');
    // Sent once, to the author's own chat, with a caption saying what it is.
    expect(photosTo(WORKER)).toHaveLength(1);
    const upload = photosTo(WORKER)[0];
    expect(upload?.caption).toContain('这是您通知的图片');
    const fileId = upload?.fileId as string;

    // The preview's picture: through this server, never a Telegram address.
    const src = /<img class="notice-photo" src="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
    expect(src).toMatch(/^\/notices\/new\/photo\?ref=/);
    expect(html).not.toContain(api.url);
    expect(html).not.toContain(TEST_TOKEN);
    const picture = await app.request(src as string, { headers: { cookie } });
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await picture.arrayBuffer()).equals(png)).toBe(true);
    // Another worker cannot open it with the same address.
    const other = await signIn(h.user(WORKER_EN));
    expect((await app.request(src as string, { headers: { cookie: other } })).status).toBe(404);

    // Send: the same use case as /notice, the photo's largest size as its file id; no second upload.
    const sent = await postUrlencoded('/notices/new/send', cookie, hiddenFields(html));
    expect(sent.status).toBe(303);
    const [notice] = await noticesBy(WORKER);
    expect(notice?.photoFileId).toBe(fileId);
    expect(api.photos).toHaveLength(1);

    sender.start();
    const done = await finished(h.db, notice?.id as string);
    expect(done.recipientCount).toBe(RESIDENTS.length);
    const delivered = outbox.calls.filter((c) => c.method === 'sendPhoto');
    expect(delivered.map((c) => Number(c.payload.chat_id)).sort()).toEqual([...RESIDENTS].sort());
    for (const call of delivered) {
      expect(call.payload.photo).toBe(fileId);
      expect(String(call.payload.caption)).toContain('小区门口的新公交站牌，请看图。');
    }
    expect(
      outbox.calls.filter((c) => c.method === 'sendMessage' && RESIDENTS.includes(Number(c.payload.chat_id))),
    ).toHaveLength(0);
  });

  it('kept when going back to change the text, removed with "remove", and with a photo the text must fit a caption', async () => {
    const cookie = await signIn(h.user(WORKER));
    const { csrf, key } = await openForm(cookie);
    const fields = {
      _csrf: csrf,
      key,
      op: 'preview',
      textZh: '长'.repeat(1000),
      audience: 'community',
      important: 'no',
      when: 'now',
    };
    const before = api.photos.length;
    const res = await postForm(
      '/notices/new',
      cookie,
      multipart(fields, { bytes: makePng(8, 8), name: 'a.png', type: 'image/png' }),
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('有照片时，内容最多 900 个字。');
    // The picture is kept in the form (shown, with "remove"), the text too.
    const ref = /name="photoRef" value="([^"]+)"/.exec(html)?.[1];
    expect(ref).toBeTruthy();
    expect(html).toContain('<img class="notice-photo"');
    expect(html).toContain('不要这张图片');
    expect(html).toContain('长'.repeat(1000));
    expect(api.photos.length).toBe(before + 1);
    // Shortened, no new file: the same picture, not sent to Telegram again.
    const shorter = await postForm(
      '/notices/new',
      cookie,
      multipart({ ...fields, textZh: '短一点的通知', photoRef: ref as string }),
    );
    expect(shorter.status).toBe(200);
    expect(await shorter.text()).toContain('<img class="notice-photo"');
    expect(api.photos.length).toBe(before + 1);
    // "Remove": the preview has no picture.
    const removed = await postForm(
      '/notices/new',
      cookie,
      multipart({ ...fields, textZh: '短一点的通知', photoRef: ref as string, dropPhoto: 'yes' }),
    );
    expect(removed.status).toBe(200);
    const plain = await removed.text();
    expect(plain).not.toContain('<img class="notice-photo"');
    expect(plain).not.toContain('name="photoRef" value="uploaded');
  });
});

describe('wrong pictures: plain words in both languages, what was typed kept, nothing sent', () => {
  const cases = [
    {
      name: 'a text file named .jpg',
      photo: { bytes: Buffer.from('这不是照片，是一段文字。'), name: 'photo.jpg', type: 'image/jpeg' },
      zh: '这个文件不是照片。请选 JPG、PNG 或 WebP 格式的照片。',
      en: 'That file is not a photo. Please choose a JPG, PNG or WebP photo.',
    },
    {
      name: 'a file over 10 MB',
      photo: {
        bytes: Buffer.concat([makePng(10, 10), Buffer.alloc(10 * MB)]),
        name: 'big.png',
        type: 'image/png',
      },
      zh: '照片太大了，最大 10 MB。请换一张小一些的照片。',
      en: 'The photo is too large: at most 10 MB. Please choose a smaller one.',
    },
    {
      name: 'a picture Telegram would not take (20000 × 10 pixels)',
      photo: { bytes: pngHeader(20_000, 10), name: 'strip.png', type: 'image/png' },
      zh: '这张照片的尺寸 Telegram 不收（太大，或者太长太窄）。请换一张照片。',
      en: 'Telegram does not take a photo of that size (too big, or too long and narrow). Please choose another.',
    },
    {
      name: 'an empty file',
      photo: { bytes: Buffer.alloc(0), name: 'empty.png', type: 'image/png' },
      zh: '选的文件是空的，请重新选一张照片。',
      en: 'The chosen file is empty. Please choose a photo again.',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      for (const [worker, words] of [
        [WORKER, c.zh],
        [WORKER_EN, c.en],
      ] as const) {
        const cookie = await signIn(h.user(worker));
        const { csrf, key } = await openForm(cookie);
        const before = api.photos.length;
        const notices = (await noticesBy(worker)).length;
        const res = await postForm(
          '/notices/new',
          cookie,
          multipart(
            {
              _csrf: csrf,
              key,
              op: 'preview',
              textZh: '周六停电，请做好准备。',
              audience: 'community',
              important: 'no',
              when: 'now',
            },
            c.photo,
          ),
        );
        expect(res.status).toBe(422);
        const html = await res.text();
        expect(html).toContain(escapeHtml(words));
        expect(html).toContain('周六停电，请做好准备。');
        expect(html).toContain('role="alert"');
        expect(api.photos.length).toBe(before);
        expect(await noticesBy(worker)).toHaveLength(notices);
      }
    });
  }

  it('a body far past any photo (over 30 MB) is refused in plain words before anything reads it', async () => {
    const cookie = await signIn(h.user(WORKER));
    const { csrf, key } = await openForm(cookie);
    const before = api.photos.length;
    const res = await postForm(
      '/notices/new',
      cookie,
      multipart(
        { _csrf: csrf, key, op: 'preview', textZh: '大文件', audience: 'community', when: 'now' },
        {
          bytes: Buffer.concat([makePng(10, 10), Buffer.alloc(31 * MB)]),
          name: 'huge.png',
          type: 'image/png',
        },
      ),
    );
    expect(res.status).toBe(413);
    const html = await res.text();
    expect(html).toContain('照片太大了');
    expect(html).not.toMatch(/Error|at .*\.ts/);
    expect(api.photos.length).toBe(before);
  });
});

describe('refusals', () => {
  it('without a session the notice form takes no more than any form (64 KB): a photo-sized body is refused unread', async () => {
    const before = api.photos.length;
    const res = await postForm(
      '/notices/new',
      '',
      multipart(
        { _csrf: 'x', key: 'k', op: 'preview', textZh: '大文件', audience: 'community', when: 'now' },
        { bytes: Buffer.concat([makePng(10, 10), Buffer.alloc(MB)]), name: 'a.png', type: 'image/png' },
      ),
    );
    expect(res.status).toBe(413);
    const html = await res.text();
    expect(html).toContain('内容太多了');
    expect(html).not.toContain('照片太大了');
    expect(api.photos.length).toBe(before);
  });

  it('a multipart form without its token uploads nothing, sends nothing, and is audited', async () => {
    const cookie = await signIn(h.user(WORKER));
    const { key } = await openForm(cookie);
    const before = api.photos.length;
    const notices = (await noticesBy(WORKER)).length;
    const res = await postForm(
      '/notices/new',
      cookie,
      multipart(
        { key, op: 'preview', textZh: '伪造的通知', audience: 'community', when: 'now' },
        { bytes: makePng(8, 8), name: 'a.png', type: 'image/png' },
      ),
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('这个表单已经失效了');
    expect(api.photos.length).toBe(before);
    expect(await noticesBy(WORKER)).toHaveLength(notices);
    const denied = await h.db.auditLog.findMany({
      where: { action: 'access.denied', actorTelegramId: BigInt(WORKER) },
    });
    expect(denied.map((r) => r.detail)).toContainEqual({ attempted: 'console_form', reason: 'csrf' });
  });

  it('the author blocked the bot: said plainly, the typed notice kept, nothing sent', async () => {
    const cookie = await signIn(h.user(BLOCKED_WORKER));
    const { csrf, key } = await openForm(cookie);
    const res = await postForm(
      '/notices/new',
      cookie,
      multipart(
        {
          _csrf: csrf,
          key,
          op: 'preview',
          textZh: '下周一体检，请带医保卡。',
          audience: 'community',
          important: 'yes',
          when: 'now',
        },
        { bytes: makePng(8, 8), name: 'a.png', type: 'image/png' },
      ),
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('图片没能发到您的 Telegram：机器人联系不上您');
    expect(html).toContain('您写的通知还在');
    expect(html).toContain('下周一体检，请带医保卡。');
    expect(html).toMatch(/id="important-yes"[^>]*checked/);
    expect(photosTo(BLOCKED_WORKER)).toEqual([
      { chatId: BLOCKED_WORKER, caption: expect.stringContaining('这是您通知的图片'), fileId: null },
    ]);
    expect(await noticesBy(BLOCKED_WORKER)).toHaveLength(0);
  });

  it('a forged picture reference, or another worker’s, is refused: nothing sent, nothing streamed', async () => {
    // A real reference, given to WORKER_EN.
    const theirs = await signIn(h.user(WORKER_EN));
    const form = await openForm(theirs);
    const previewed = await postForm(
      '/notices/new',
      theirs,
      multipart(
        {
          _csrf: form.csrf,
          key: form.key,
          op: 'preview',
          textZh: '他们的通知',
          audience: 'community',
          when: 'now',
        },
        { bytes: makePng(8, 8), name: 'a.png', type: 'image/png' },
      ),
    );
    const stolen = /name="photoRef" value="([^"]+)"/.exec(await previewed.text())?.[1] as string;
    expect(stolen).toBeTruthy();

    const cookie = await signIn(h.user(WORKER));
    const notices = (await noticesBy(WORKER)).length;
    for (const ref of [stolen, 'case-id-card-photo.AAAA', 'uploaded-photo-1', `${stolen}x`]) {
      const { csrf, key } = await openForm(cookie);
      const res = await postUrlencoded('/notices/new/send', cookie, [
        ['_csrf', csrf],
        ['key', key],
        ['textZh', '想带上别人的图片'],
        ['audience', 'community'],
        ['important', 'no'],
        ['when', 'now'],
        ['photoRef', ref],
      ]);
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain('这张图片找不到了，请重新选一次照片。');
      expect(html).toContain('想带上别人的图片');
      const shown = await app.request(`/notices/new/photo?ref=${encodeURIComponent(ref)}`, {
        headers: { cookie },
      });
      expect(shown.status).toBe(404);
    }
    expect(await noticesBy(WORKER)).toHaveLength(notices);
  });
});

function escapeHtml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
