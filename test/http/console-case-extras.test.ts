// The case page's files in the console: streamed from a fake Telegram (getFile, then the file's bytes)
// through the console's routes over the real database and the staff use cases; the same access check and
// audit as the bot's "files" button, refusals audited, Telegram's failures said in plain words.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../../src/app/console/file-source.ts';
import { telegramFileSource } from '../../src/bot/telegram-file-source.ts';
import { createHarness, type Harness, type SimUser } from '../support/bot-harness.ts';
import { type FakeFileApi, startFakeFileApi } from '../support/fake-file-api.ts';
import { registerResident } from '../support/flows.ts';
import { caseWorkers, fileSuggestion, makeStaff, textsTo } from '../support/staff-scene.ts';
import { CONSOLE_BASE, type ConsoleApp, consoleAppOver, consoleRequests } from './console-support.ts';

const TOKEN = '424242:fake-token-for-files';
const STAFF = 83_001;
const STAFF_EN = 83_002;
const OTHER_DEPT = 83_003;
const WORKER = 83_004;
const RESIDENT = 83_101;

let h: Harness;
let api: FakeFileApi;
let app: ConsoleApp;
let resident: SimUser;
let theCase: { caseId: string; number: string };
const ids = { photo: '', voice: '', document: '' };
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 0xff, 0xd9]);
const VOICE = Buffer.from('OggS-fake-opus-bytes');
const PDF = Buffer.from('%PDF-1.4 fake document');

beforeAll(async () => {
  api = await startFakeFileApi(TOKEN);
  h = await createHarness({
    adjustDeps: (deps) => {
      deps.consoleUrl = CONSOLE_BASE;
    },
  });
  app = consoleAppOver(h, {
    files: telegramFileSource({ token: TOKEN, apiRoot: api.url }),
  });
  resident = h.user(RESIDENT);
  await registerResident(resident);
  await makeStaff(h, STAFF, 'wanshan-neighbourhood', { displayName: '王主任' });
  await makeStaff(h, STAFF_EN, 'wanshan-neighbourhood', { displayName: 'Li Wei' });
  await makeStaff(h, OTHER_DEPT, 'wanshan-education', { displayName: '教育局小刘' });
  await h.db.staffMember.create({
    data: {
      telegramId: BigInt(WORKER),
      role: 'worker',
      communityCode: 'wanshan-wangjia',
      displayName: '社区小张',
    },
  });
  theCase = await fileSuggestion(h, resident);
  // The files a resident sent with the case (the bot stores only Telegram's file ids).
  const add = async (kind: 'photo' | 'voice' | 'document', fileId: string, mimeType: string | null) =>
    (
      await h.db.caseAttachment.create({
        data: { caseId: theCase.caseId, kind, fileId, fileUniqueId: `${fileId}-u`, mimeType, sizeBytes: 20 },
        select: { id: true },
      })
    ).id;
  ids.photo = await add('photo', 'tg-photo', null);
  ids.voice = await add('voice', 'tg-voice', 'audio/ogg');
  ids.document = await add('document', 'tg-doc', 'application/pdf');
});
afterAll(async () => {
  await h.close();
  await api.close();
});
beforeEach(() => {
  api.files.clear();
  api.requests.length = 0;
  api.files.set('tg-photo', { bytes: PHOTO });
  api.files.set('tg-voice', { bytes: VOICE });
  api.files.set('tg-doc', { bytes: PDF });
});

const { signIn, get } = consoleRequests(() => app);
const fileUrl = (id: string, caseId = theCase.caseId) => `/cases/${caseId}/files/${id}`;
const auditRows = (action: string, actor: number) =>
  h.db.auditLog.findMany({ where: { action, actorTelegramId: BigInt(actor) }, orderBy: { id: 'asc' } });
const detail = (row: { detail: unknown } | undefined) => row?.detail as Record<string, unknown>;

describe('the case page lists the files', () => {
  it('shows the photo, a player for the voice message and a download link, in Chinese', async () => {
    const cookie = await signIn(h.user(STAFF));
    const res = await get(`/cases/${theCase.caseId}`, cookie);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('附件（3 个）');
    expect(html).toContain(`<img src="${fileUrl(ids.photo)}" alt="照片 1"`);
    expect(html).toMatch(
      new RegExp(`<audio controls="" preload="none" src="${fileUrl(ids.voice)}" aria-label="语音 1"`),
    );
    expect(html).toContain(`<a href="${fileUrl(ids.document)}" download="">文件 1（点这里下载）</a>`);
    // The links are plain (htmx leaves them be) and the old "look in Telegram" line is gone.
    expect(html).toContain('hx-boost="false"');
    expect(html).not.toContain('请在 Telegram 的案件卡片里点“附件”查看');
    // Listing them fetched nothing from Telegram and audited no file view.
    expect(api.requests).toEqual([]);
    expect((await auditRows('pii.view', STAFF)).length).toBe(0);
  });

  it('in English, without a Chinese word about the files', async () => {
    const u = h.user(STAFF_EN, { languageCode: 'en' });
    const cookie = await signIn(u);
    await app.request('/lang', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        locale: 'en',
        back: '/',
        _csrf: /name="_csrf" value="([^"]+)"/.exec(await (await get('/help', cookie)).text())?.[1] ?? '',
      }).toString(),
    });
    const html = await (await get(`/cases/${theCase.caseId}`, cookie)).text();
    expect(html).toContain('Files (3)');
    expect(html).toContain('alt="Photo 1"');
    expect(html).toContain('aria-label="Voice message 1"');
    expect(html).toContain('File 1 (download)');
    expect(html).not.toContain('附件（');
    api.files.delete('tg-photo');
    const gone = await (await get(fileUrl(ids.photo), cookie)).text();
    expect(gone).toContain('Telegram no longer has this file. You can ask the resident to send it again.');
    expect(gone).not.toContain('Telegram 上已经没有');
  });
});

describe('streaming a file through the console', () => {
  it('a photo: the bytes from Telegram as image/jpeg, shown inline, audited as the bot files button is', async () => {
    const cookie = await signIn(h.user(STAFF));
    const before = (await auditRows('pii.view', STAFF)).length;
    const res = await get(fileUrl(ids.photo), cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('content-disposition')).toBe('inline');
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PHOTO);
    const rows = await auditRows('pii.view', STAFF);
    expect(rows.length).toBe(before + 1);
    expect(rows.at(-1)?.subject).toBe('attachments');
    expect(rows.at(-1)?.caseId).toBe(theCase.caseId);
    expect(detail(rows.at(-1))).toMatchObject({ files: 1, attachment: ids.photo });
    // Asked for by file id, through getFile then the file address; the token never reaches the browser.
    expect(api.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(JSON.stringify([...res.headers])).not.toContain(TOKEN);
  });

  it('a voice message as audio/ogg; a document as a download named after the case', async () => {
    const cookie = await signIn(h.user(STAFF));
    const voice = await get(fileUrl(ids.voice), cookie);
    expect(voice.status).toBe(200);
    expect(voice.headers.get('content-type')).toBe('audio/ogg');
    expect(Buffer.from(await voice.arrayBuffer())).toEqual(VOICE);
    const doc = await get(fileUrl(ids.document), cookie);
    expect(doc.status).toBe(200);
    expect(doc.headers.get('content-type')).toBe('application/pdf');
    const disposition = doc.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/^attachment; filename="[A-Z]+-\d{4}-\d+-[0-9a-f]{8}\.pdf"$/);
    expect(disposition).toContain(theCase.number.replace(/[^A-Za-z0-9-]/g, ''));
    expect(Buffer.from(await doc.arrayBuffer())).toEqual(PDF);
  });

  it('a file Telegram no longer has is a plain "no longer available" page (getFile refused or download gone)', async () => {
    const cookie = await signIn(h.user(STAFF));
    api.files.delete('tg-photo');
    const refused = await get(fileUrl(ids.photo), cookie);
    expect(refused.status).toBe(404);
    const html = await refused.text();
    expect(html).toContain('Telegram 上已经没有这个文件了');
    expect(html).not.toMatch(/Bad Request|invalid file_id|Error:|at .*\.ts/);
    api.files.set('tg-voice', { bytes: VOICE, downloadGone: true });
    const gone = await get(fileUrl(ids.voice), cookie);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain('Telegram 上已经没有这个文件了');
  });

  it("over 20 MB: refused in plain words, before any download (by the stored size or Telegram's)", async () => {
    const cookie = await signIn(h.user(STAFF));
    api.files.set('tg-doc', { bytes: PDF, reportedSize: MAX_FILE_BYTES + 1 });
    const res = await get(fileUrl(ids.document), cookie);
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('这个文件超过 20 MB');
    expect(api.requests.filter((r) => r.method === 'GET')).toEqual([]);
    const big = await h.db.caseAttachment.create({
      data: {
        caseId: theCase.caseId,
        kind: 'document',
        fileId: 'tg-big',
        fileUniqueId: 'tg-big-u',
        mimeType: 'application/pdf',
        sizeBytes: MAX_FILE_BYTES + 1,
      },
    });
    const before = api.requests.length;
    const stored = await get(fileUrl(big.id), cookie);
    expect(stored.status).toBe(413);
    expect(api.requests.length).toBe(before);
    await h.db.caseAttachment.delete({ where: { id: big.id } });
  });

  it('Telegram unreachable: "try again in a moment", never the error', async () => {
    const down = consoleAppOver(h, {
      files: telegramFileSource({ token: TOKEN, apiRoot: 'http://127.0.0.1:9' }),
    });
    const cookie = await signIn(h.user(STAFF));
    const res = await down.request(fileUrl(ids.photo), { headers: { cookie } });
    expect(res.status).toBe(502);
    const html = await res.text();
    expect(html).toContain('现在连不上 Telegram，请过一会儿再试');
    expect(html).not.toContain(TOKEN);
    expect(html).not.toContain('127.0.0.1:9');
  });
});

describe('who may not have the files', () => {
  it('staff of another department: "not found", audited as the bot would, nothing fetched', async () => {
    const cookie = await signIn(h.user(OTHER_DEPT));
    const res = await get(fileUrl(ids.photo), cookie);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('<img');
    expect((await auditRows('access.denied', OTHER_DEPT)).map(detail)).toContainEqual({
      attempted: 'attachments',
      reason: 'other_department',
    });
    expect(api.requests).toEqual([]);
  });

  it('a community worker (not the department): refused, audited', async () => {
    const cookie = await signIn(h.user(WORKER));
    expect((await get(fileUrl(ids.voice), cookie)).status).toBe(404);
    expect((await auditRows('access.denied', WORKER)).map(detail)).toContainEqual({
      attempted: 'attachments',
      reason: 'not_staff',
    });
    expect(api.requests).toEqual([]);
  });

  it('nobody signed in (a resident, a copied address): the sign-in page, nothing fetched', async () => {
    const res = await get(fileUrl(ids.photo));
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('text/html');
    const forged = await get(fileUrl(ids.photo), 'bm_session=made-up-session-value');
    expect(forged.status).toBe(401);
    expect(api.requests).toEqual([]);
  });

  it('a removed staff member: out at the next request, nothing fetched', async () => {
    const gone = 83_009;
    const id = await makeStaff(h, gone, 'wanshan-neighbourhood', { displayName: '要离开的人' });
    const cookie = await signIn(h.user(gone));
    expect((await get(`/cases/${theCase.caseId}`, cookie)).status).toBe(200);
    await h.db.staffMember.update({ where: { id }, data: { active: false, removedAt: new Date() } });
    expect((await get(fileUrl(ids.photo), cookie)).status).toBe(401);
    expect(api.requests).toEqual([]);
  });

  it("a forged file id (another case's file, made up, not an id at all) or case id: not found, audited", async () => {
    const cookie = await signIn(h.user(STAFF));
    await h.db.case.update({ where: { id: theCase.caseId }, data: { status: 'closed' } });
    const other = await fileSuggestion(h, resident, { text: '另一件事' });
    await h.db.case.update({ where: { id: theCase.caseId }, data: { status: 'submitted' } });
    const foreign = await h.db.caseAttachment.create({
      data: { caseId: other.caseId, kind: 'photo', fileId: 'tg-photo', fileUniqueId: 'x-u' },
    });
    // Another case's file asked for under this case: refused, even though this staff member may see both.
    expect((await get(fileUrl(foreign.id), cookie)).status).toBe(404);
    expect((await get(fileUrl('00000000-0000-4000-8000-000000000000'), cookie)).status).toBe(404);
    expect((await get(fileUrl('not-an-id'), cookie)).status).toBe(404);
    expect((await get(fileUrl(`${'a'.repeat(3000)}`), cookie)).status).toBe(404);
    expect((await get(fileUrl(ids.photo, 'not-a-case'), cookie)).status).toBe(404);
    const refusals = (await auditRows('access.denied', STAFF)).map(detail);
    expect(refusals).toContainEqual({ attempted: 'attachments', reason: 'no_such_file' });
    expect(refusals).toContainEqual(
      expect.objectContaining({ attempted: 'attachments', reason: 'no_such_case' }),
    );
    expect(api.requests).toEqual([]);
  });
});

describe("the resident's other cases beside the case", () => {
  const R2 = 83_102;
  const R3 = 83_103;
  let own: { caseId: string; number: string };
  let otherDept: { caseId: string; number: string };
  let anonymous: { caseId: string; number: string };
  let current: { caseId: string; number: string };
  const close = (id: string, data: Record<string, unknown> = {}) =>
    h.db.case.update({ where: { id }, data: { status: 'closed', ...data } });

  beforeAll(async () => {
    const u = h.user(R2);
    await registerResident(u);
    own = await fileSuggestion(h, u, { text: '第一件事' });
    await close(own.caseId);
    // Transferred to the education bureau (and done there).
    otherDept = await fileSuggestion(h, u, { text: '第二件事' });
    await close(otherDept.caseId, { departmentCode: 'wanshan-education' });
    anonymous = await fileSuggestion(h, u, { text: '匿名的意见', anonymous: true });
    await close(anonymous.caseId);
    current = await fileSuggestion(h, u, { text: '现在这件事' });
  });

  it("lists them, newest first; a link only to the department's own; never the anonymous one", async () => {
    const cookie = await signIn(h.user(STAFF));
    const html = await (await get(`/cases/${current.caseId}`, cookie)).text();
    expect(html).toContain('这位居民的其他事项');
    expect(html).toContain(`<a href="/cases/${own.caseId}">${own.number}</a>`);
    expect(html).toContain(`<td>${otherDept.number}</td>`);
    expect(html).not.toContain(`href="/cases/${otherDept.caseId}"`);
    expect(html).toContain('万山区教育局');
    expect(html).toContain('已结束');
    expect(html.indexOf(otherDept.number)).toBeLessThan(html.indexOf(own.number));
    expect(html).not.toContain(anonymous.number);
  });

  it('none beside an anonymous suggestion (it is not tied to its resident)', async () => {
    const cookie = await signIn(h.user(STAFF));
    const res = await get(`/cases/${anonymous.caseId}`, cookie);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain('这位居民的其他事项');
    expect(html).not.toContain(own.number);
    expect(html).not.toContain(current.number);
  });

  it("another department's staff see this department's cases without a link", async () => {
    const cookie = await signIn(h.user(OTHER_DEPT));
    const html = await (await get(`/cases/${otherDept.caseId}`, cookie)).text();
    expect(html).toContain(`<td>${current.number}</td>`);
    expect(html).toContain(`<td>${own.number}</td>`);
    expect(html).not.toContain(`href="/cases/${current.caseId}"`);
    expect(html).not.toContain(anonymous.number);
  });

  it('a resident with one case: said plainly, in both languages', async () => {
    const u = h.user(R3);
    await registerResident(u);
    const only = await fileSuggestion(h, u, { text: '只有这一件' });
    const zh = await (await get(`/cases/${only.caseId}`, await signIn(h.user(STAFF)))).text();
    expect(zh).toContain('这位居民没有别的事项。');
    const cookie = await signIn(h.user(STAFF_EN));
    await app.request('/lang', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        locale: 'en',
        back: '/',
        _csrf: /name="_csrf" value="([^"]+)"/.exec(await (await get('/help', cookie)).text())?.[1] ?? '',
      }).toString(),
    });
    expect(await (await get(`/cases/${only.caseId}`, cookie)).text()).toContain(
      'The resident has no other cases.',
    );
    const en = await (await get(`/cases/${current.caseId}`, cookie)).text();
    expect(en).toMatch(/The resident(&#39;|')s other cases/);
    expect(en).toContain('Wanshan District Education Bureau');
  });

  it('a case of another department asked for directly: refused and audited, nothing listed', async () => {
    const cookie = await signIn(h.user(OTHER_DEPT));
    const res = await get(`/cases/${current.caseId}`, cookie);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).not.toContain(own.number);
    expect((await auditRows('access.denied', OTHER_DEPT)).map(detail)).toContainEqual({
      attempted: 'view',
      reason: 'other_department',
    });
  });
});

describe('bulk take and bulk transfer from the queue', () => {
  const R4 = 83_104;
  const R5 = 83_105;
  let a: { caseId: string; number: string };
  let b: { caseId: string; number: string };
  let c: { caseId: string; number: string };
  let d: { caseId: string; number: string };

  beforeAll(async () => {
    await registerResident(h.user(R4));
    await registerResident(h.user(R5));
    a = await fileSuggestion(h, h.user(R4), { text: '路灯坏了' });
    b = await fileSuggestion(h, h.user(R4), { text: '垃圾桶满了' });
    c = await fileSuggestion(h, h.user(R5), { text: '楼梯扶手松了' });
    d = await fileSuggestion(h, h.user(R4), { text: '门禁坏了' });
  });

  const csrfOf = async (cookie: string) => {
    const token = /name="_csrf" value="([^"]+)"/.exec(await (await get('/help', cookie)).text())?.[1];
    if (!token) throw new Error('no form token');
    return token;
  };
  async function bulk(cookie: string, fields: [string, string][], csrf?: string) {
    const form = new URLSearchParams([['_csrf', csrf ?? (await csrfOf(cookie))], ...fields]);
    return app.request('/queue/bulk', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
  }
  /** Follows the redirect to the queue and returns the page. */
  async function followed(res: Response, cookie: string): Promise<string> {
    expect(res.status).toBe(303);
    const to = res.headers.get('location') ?? '';
    expect(to).toMatch(/^\/queue\?/);
    return (await get(to, cookie)).text();
  }
  const caseRow = (id: string) => h.db.case.findUniqueOrThrow({ where: { id } });

  it('the queue has a checkbox in each row tied to one bulk form (no JavaScript needed)', async () => {
    const cookie = await signIn(h.user(STAFF));
    const html = await (await get('/queue', cookie)).text();
    expect(html).toContain(
      `<input type="checkbox" name="case" value="${a.caseId}" form="bulk" aria-label="勾选 ${a.number}"`,
    );
    expect(html).toContain('<form method="post" action="/queue/bulk" id="bulk" class="bulk">');
    expect(html).toContain('受理勾选的');
    expect(html).toContain('<option value="wanshan-education">万山区教育局</option>');
    expect(html).not.toContain('<option value="wanshan-neighbourhood">');
  });

  it('takes the ticked cases, each audited and its resident told: "2 taken, 1 already taken by someone else"', async () => {
    const workers = caseWorkers(h);
    await workers.drain();
    const sentBefore = textsTo(h.calls, R4).length;
    expect((await h.deps.staff.take(STAFF_EN, c.caseId, 'console')).ok).toBe(true);
    const cookie = await signIn(h.user(STAFF));
    const res = await bulk(cookie, [
      ['case', a.caseId],
      ['case', b.caseId],
      ['case', c.caseId],
      ['case', a.caseId],
      ['do', 'take'],
    ]);
    const html = await followed(res, cookie);
    expect(html).toContain('受理了 2 件，1 件已经被别人受理了。');
    const me = await h.db.staffMember.findFirstOrThrow({ where: { telegramId: BigInt(STAFF) } });
    expect((await caseRow(a.caseId)).assigneeId).toBe(me.id);
    expect((await caseRow(b.caseId)).assigneeId).toBe(me.id);
    expect((await caseRow(c.caseId)).assigneeId).not.toBe(me.id);
    const takes = await h.db.auditLog.findMany({
      where: { action: 'case.take', actorTelegramId: BigInt(STAFF), caseId: { in: [a.caseId, b.caseId] } },
    });
    expect(takes.map((r) => detail(r).via)).toEqual(['console', 'console']);
    await workers.drain();
    const told = textsTo(h.calls, R4).slice(sentBefore);
    expect(told.filter((t) => t.includes('您的事已经受理了'))).toHaveLength(2);
  });

  it('in English: "0 taken, 1 already taken by someone else."', async () => {
    const cookie = await signIn(h.user(STAFF_EN));
    const csrf = await csrfOf(cookie);
    await app.request('/lang', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ locale: 'en', back: '/', _csrf: csrf }).toString(),
    });
    const html = await followed(
      await bulk(cookie, [
        ['case', a.caseId],
        ['do', 'take'],
      ]),
      cookie,
    );
    expect(html).toContain('0 taken, 1 already taken by someone else.');
    const none = await followed(await bulk(cookie, [['do', 'take']]), cookie);
    expect(none).toContain('Tick the cases in the table first.');
  });

  it('transfers the ticked cases it holds, each audited and its resident told; a case not held is counted, not moved', async () => {
    const workers = caseWorkers(h);
    await workers.drain();
    const sentBefore = textsTo(h.calls, R4).length;
    const cookie = await signIn(h.user(STAFF));
    const res = await bulk(cookie, [
      ['case', a.caseId],
      ['case', b.caseId],
      ['case', c.caseId],
      ['department', 'wanshan-education'],
      ['reason', '这是学校的事'],
      ['do', 'transfer'],
    ]);
    const html = await followed(res, cookie);
    expect(html).toContain('转走了 2 件，1 件不在您手上，要先受理才能转。');
    expect((await caseRow(a.caseId)).departmentCode).toBe('wanshan-education');
    expect((await caseRow(b.caseId)).departmentCode).toBe('wanshan-education');
    expect((await caseRow(c.caseId)).departmentCode).toBe('wanshan-neighbourhood');
    const moved = await h.db.auditLog.findMany({
      where: { action: 'case.transfer', actorTelegramId: BigInt(STAFF) },
    });
    expect(moved.map((r) => r.caseId).sort()).toEqual([a.caseId, b.caseId].sort());
    await workers.drain();
    expect(
      textsTo(h.calls, R4)
        .slice(sentBefore)
        .filter((t) => t.includes('万山区教育局')),
    ).toHaveLength(2);
  });

  it('wrong input: nothing ticked, a forged or unknown case id, too many, an unknown department, no reason', async () => {
    const cookie = await signIn(h.user(STAFF));
    expect(await followed(await bulk(cookie, [['do', 'take']]), cookie)).toContain(
      '请先在表格里勾选要办的事项。',
    );
    expect(await followed(await bulk(cookie, [['case', d.caseId]]), cookie)).toContain(
      '请先在表格里勾选要办的事项。',
    );
    expect(
      await followed(
        await bulk(cookie, [
          ['case', d.caseId],
          ['do', 'delete'],
        ]),
        cookie,
      ),
    ).toContain('请先在表格里勾选要办的事项。');
    const forged = await followed(
      await bulk(cookie, [
        ['case', 'not-a-case'],
        ['case', '00000000-0000-4000-8000-000000000000'],
        ['case', ''],
        ['do', 'take'],
      ]),
      cookie,
    );
    expect(forged).toContain('受理了 0 件，2 件找不到。');
    expect(
      (await h.db.auditLog.findMany({ where: { action: 'access.denied', actorTelegramId: BigInt(STAFF) } }))
        .map(detail)
        .filter((x) => x.attempted === 'take' && x.reason === 'no_such_case'),
    ).toHaveLength(2);
    const many = Array.from(
      { length: 51 },
      (_, i) => ['case', `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`] as [string, string],
    );
    expect(await followed(await bulk(cookie, [...many, ['do', 'take']]), cookie)).toContain(
      '一次最多办 50 件',
    );
    // Transfers refused before any case is touched: d stays as it is.
    expect((await h.deps.staff.take(STAFF, d.caseId, 'console')).ok).toBe(true);
    for (const department of ['wanshan-nowhere', '', 'wanshan-neighbourhood', 'x'.repeat(5000)]) {
      const page = await followed(
        await bulk(cookie, [
          ['case', d.caseId],
          ['department', department],
          ['reason', '原因'],
          ['do', 'transfer'],
        ]),
        cookie,
      );
      expect(page).toContain('请选一个要转去的部门。');
    }
    for (const reason of ['', '   ', '长'.repeat(2001)]) {
      const page = await followed(
        await bulk(cookie, [
          ['case', d.caseId],
          ['department', 'wanshan-education'],
          ['reason', reason],
          ['do', 'transfer'],
        ]),
        cookie,
      );
      expect(page).toContain('请写上转过去的原因（不超过 2000 字）。');
    }
    expect((await caseRow(d.caseId)).departmentCode).toBe('wanshan-neighbourhood');
    expect(await h.db.auditLog.count({ where: { action: 'case.transfer', caseId: d.caseId } })).toBe(0);
  });

  it("another department's staff: counted as not found, audited, nothing changed", async () => {
    const cookie = await signIn(h.user(OTHER_DEPT));
    const before = await caseRow(c.caseId);
    const html = await followed(
      await bulk(cookie, [
        ['case', c.caseId],
        ['do', 'take'],
      ]),
      cookie,
    );
    expect(html).toContain('受理了 0 件，1 件找不到。');
    expect((await caseRow(c.caseId)).assigneeId).toBe(before.assigneeId);
    expect((await auditRows('access.denied', OTHER_DEPT)).map(detail)).toContainEqual({
      attempted: 'take',
      reason: 'other_department',
    });
  });

  it('a worker (not department staff), nobody signed in, a removed member, a forged form token: refused', async () => {
    const worker = await signIn(h.user(WORKER));
    const res = await bulk(worker, [
      ['case', c.caseId],
      ['do', 'take'],
    ]);
    expect(res.status).toBe(403);
    expect((await auditRows('access.denied', WORKER)).map(detail)).toContainEqual({
      attempted: 'take',
      reason: 'not_staff',
    });
    const anonymousPost = await app.request('/queue/bulk', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([
        ['case', c.caseId],
        ['do', 'take'],
      ]).toString(),
    });
    expect(anonymousPost.status).toBe(401);
    const gone = 83_010;
    const id = await makeStaff(h, gone, 'wanshan-neighbourhood', { displayName: '要走的人' });
    const goneCookie = await signIn(h.user(gone));
    const goneCsrf = await csrfOf(goneCookie);
    await h.db.staffMember.update({ where: { id }, data: { active: false, removedAt: new Date() } });
    expect(
      (
        await bulk(
          goneCookie,
          [
            ['case', d.caseId],
            ['do', 'take'],
          ],
          goneCsrf,
        )
      ).status,
    ).toBe(401);
    const staffCookie = await signIn(h.user(STAFF));
    const forged = await bulk(
      staffCookie,
      [
        ['case', c.caseId],
        ['do', 'take'],
      ],
      'forged-token',
    );
    expect(forged.status).toBe(403);
    expect(await forged.text()).not.toContain('受理了');
    const row = await caseRow(c.caseId);
    const staffEn = await h.db.staffMember.findFirstOrThrow({ where: { telegramId: BigInt(STAFF_EN) } });
    expect(row.assigneeId).toBe(staffEn.id);
  });
});
