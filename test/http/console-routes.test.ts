// The web console's routes through hono's app.request (no socket), over the real database and the same
// use cases the bot calls: sign-in from the link /console sends (in the real bot, through the harness), the
// session's time-outs and end, the form token, the queue and the case actions, and every refusal audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { type CaseWorkers, caseWorkers, fileSuggestion, makeStaff } from '../support/staff-scene.ts';
import {
  CONSOLE_BASE,
  type ConsoleApp,
  consoleAppOver,
  consoleLinkFor,
  consoleRequests,
} from './console-support.ts';

const STAFF = 81_001;
const STAFF_EN = 81_002;
const OTHER_DEPT = 81_003;
const WORKER = 81_004;
const ADMIN = 81_005;
const RESIDENT = 81_101;

let h: Harness;
let workers: CaseWorkers;
let app: ConsoleApp;
let offsetMs = 0;
let resident: SimUser;
let residentId: string;

beforeAll(async () => {
  h = await createHarness({
    adminIds: [ADMIN],
    now: () => new Date(Date.now() + offsetMs),
    adjustDeps: (deps) => {
      deps.consoleUrl = CONSOLE_BASE;
    },
  });
  workers = caseWorkers(h);
  app = consoleAppOver(h, {
    now: () => new Date(Date.now() + offsetMs),
  });
  resident = h.user(RESIDENT);
  residentId = await registerResident(resident);
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
});
afterAll(() => h.close());

const { signIn, get, post, csrfOn } = consoleRequests(() => app);
/** Sends /console in `u`'s chat and returns the link's secret (and the bot's message). */
const linkFor = (u: SimUser) => consoleLinkFor(u);

async function auditRows(action: string, actor?: number) {
  return h.db.auditLog.findMany({
    where: { action, ...(actor === undefined ? {} : { actorTelegramId: BigInt(actor) }) },
    orderBy: { id: 'asc' },
  });
}

/** The resident may have only so many open cases: earlier tests' cases are closed before a test files more. */
async function closeOpenCases() {
  await h.db.case.updateMany({ where: { status: { notIn: ['closed'] } }, data: { status: 'closed' } });
}

const detail = (row: { detail: unknown } | undefined) => row?.detail as Record<string, unknown>;

describe('/console in the bot', () => {
  it('gives staff a one-time link without a preview; only its keyed hash is stored', async () => {
    const { token, text, options } = await linkFor(h.user(STAFF));
    expect(text).toContain('5 分钟内有效，只能用一次');
    expect(options).toEqual({ is_disabled: true });
    const rows = await h.db.consoleLoginLink.findMany();
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows.map((r) => Buffer.from(r.tokenHash).toString('base64url')))).not.toContain(
      token,
    );
    expect((await auditRows('console.link', STAFF)).length).toBeGreaterThan(0);
  });

  it('tells a resident, kindly and in their language, that it is for staff (audited)', async () => {
    const zh = sentTexts(await resident.text('/console'));
    expect(zh).toEqual([expect.stringContaining('这个命令是给工作人员用的')]);
    expect(zh[0]).toContain('/services');
    // English is the resident's own choice (/language): the deployment's language comes first.
    const enResident = h.user(81_102, { languageCode: 'en' });
    await enResident.text('/language');
    await enResident.tap('English');
    const en = sentTexts(await enResident.text('/console'));
    expect(en).toEqual([expect.stringContaining('This command is for staff')]);
    const refused = await auditRows('access.denied', RESIDENT);
    expect(refused.map(detail)).toContainEqual({ attempted: 'console_link', reason: 'not_staff' });
  });

  it('tells staff when this installation has no console', async () => {
    const before = h.deps.consoleUrl;
    h.deps.consoleUrl = undefined;
    try {
      expect(sentTexts(await h.user(STAFF).text('/console'))).toEqual([
        expect.stringContaining('还没有开通网页版工作台'),
      ]);
    } finally {
      h.deps.consoleUrl = before;
    }
  });
});

describe('signing in', () => {
  it('GET asks "sign in as …?" and changes nothing; POST signs in once, with a strict HttpOnly cookie', async () => {
    const { token } = await linkFor(h.user(STAFF));
    for (let i = 0; i < 2; i++) {
      const page = await get(`/login/${token}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('以“王主任”的身份登录？');
      expect(html).toContain(`action="/login/${token}"`);
    }
    const before = (await auditRows('console.sign_in', STAFF)).length;
    const res = await app.request(`/login/${token}`, { method: 'POST' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^bm_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure');
    expect((await auditRows('console.sign_in', STAFF)).length).toBe(before + 1);

    // Used: refused on both methods, the POST audited.
    const again = await app.request(`/login/${token}`, { method: 'POST' });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('已经用过了');
    expect((await get(`/login/${token}`)).status).toBe(400);
    const refused = await auditRows('access.denied', STAFF);
    expect(refused.map(detail)).toContainEqual({ attempted: 'console_sign_in', reason: 'used' });
  });

  it('refuses an expired link (after 5 minutes), audited', async () => {
    const { token } = await linkFor(h.user(STAFF));
    offsetMs = 5 * 60_000 + 1_000;
    try {
      const res = await app.request(`/login/${token}`, { method: 'POST' });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('已经过期了');
    } finally {
      offsetMs = 0;
    }
    const refused = await auditRows('access.denied', STAFF);
    expect(refused.map(detail)).toContainEqual({ attempted: 'console_sign_in', reason: 'expired' });
  });

  it('refuses a made-up, empty, oversized or strange link, audited without a person', async () => {
    for (const bad of ['A'.repeat(43), 'x', 'A'.repeat(5000), '%F0%9F%98%80', "'><script>"]) {
      const res = await app.request(`/login/${encodeURIComponent(bad)}`, { method: 'POST' });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain('没有这个登录链接');
      expect(html).not.toContain('<script>');
    }
    const rows = await h.db.auditLog.findMany({ where: { action: 'access.denied', actorTelegramId: null } });
    expect(rows.map(detail)).toContainEqual({ attempted: 'console_sign_in', reason: 'unknown' });
    expect((await app.request('/login/', { method: 'POST' })).status).toBe(401);
  });

  it('writes at most 300 rows an hour for refusals of nobody known (a flood of made-up links)', async () => {
    // The hour of the flood is ten hours ahead (the audit log is append-only: the rows stay, out of the way).
    const ahead = 10 * 3600_000;
    const at = new Date(Date.now() + ahead - 60_000);
    await h.db.auditLog.createMany({
      data: Array.from({ length: 300 }, () => ({
        at,
        action: 'access.denied',
        detail: { attempted: 'console_sign_in', reason: 'unknown' },
      })),
    });
    const count = () =>
      h.db.auditLog.count({ where: { action: 'access.denied', actorTelegramId: null, at: { gte: at } } });
    offsetMs = ahead;
    try {
      const res = await app.request(`/login/${'B'.repeat(43)}`, { method: 'POST' });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('没有这个登录链接');
      expect(await count()).toBe(300);
    } finally {
      offsetMs = 0;
    }
  });

  it('sends every page with the security headers', async () => {
    for (const res of [await get('/'), await get('/assets/console.css'), await get('/login/x')]) {
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const htmx = await get('/assets/htmx.min.js');
    expect(htmx.status).toBe(200);
    expect(htmx.headers.get('content-type')).toContain('javascript');
    expect(await htmx.text()).toContain('htmx');
    expect((await get('/assets/../../package.json')).status).not.toBe(200);
  });

  it('without a session every page shows how to sign in', async () => {
    for (const path of ['/', '/queue', '/cases/00000000-0000-4000-8000-000000000000']) {
      const res = await get(path);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('给便民机器人发 /console');
    }
    expect((await get('/queue', 'bm_session=forged-value')).status).toBe(401);
    expect((await post('/queue/next', undefined, {})).status).toBe(401);
  });
});

describe('the session', () => {
  it('ends after 30 idle minutes, and after 12 hours whatever the activity', async () => {
    const cookie = await signIn(h.user(STAFF));
    offsetMs = 31 * 60_000;
    try {
      const res = await get('/queue', cookie);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('30 分钟没有操作');
      expect(res.headers.get('set-cookie')).toContain('bm_session=;');
    } finally {
      offsetMs = 0;
    }
    const busy = await signIn(h.user(STAFF));
    for (let m = 25; m < 12 * 60; m += 25) {
      offsetMs = m * 60_000;
      expect((await get('/help', busy)).status).toBe(200);
    }
    offsetMs = 12 * 3600_000 + 60_000;
    try {
      const res = await get('/queue', busy);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('已满 12 小时');
    } finally {
      offsetMs = 0;
    }
  });

  it('signs out (audited), and the cookie no longer works', async () => {
    const cookie = await signIn(h.user(STAFF));
    const res = await post('/logout', cookie, { _csrf: await csrfOn(cookie) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('您已经退出登录');
    expect((await auditRows('console.sign_out', STAFF)).length).toBeGreaterThan(0);
    expect((await get('/queue', cookie)).status).toBe(401);
  });

  it('a removed staff member is out at their next request (audited)', async () => {
    const gone = 81_009;
    const id = await makeStaff(h, gone, 'wanshan-neighbourhood', { displayName: '要离开的人' });
    const cookie = await signIn(h.user(gone));
    expect((await get('/queue', cookie)).status).toBe(200);
    await h.db.staffMember.update({ where: { id }, data: { active: false, removedAt: new Date() } });
    const res = await get('/queue', cookie);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('您已经不是工作人员了');
    expect((await auditRows('access.denied', gone)).map(detail)).toContainEqual({
      attempted: 'console_session',
      reason: 'not_staff',
    });
    // Their session is gone: reinstating them does not bring it back.
    await h.db.staffMember.update({ where: { id }, data: { active: true, removedAt: null } });
    expect((await get('/queue', cookie)).status).toBe(401);
  });

  it('refuses a form without the right token (a forged cross-site post), audited', async () => {
    const cookie = await signIn(h.user(STAFF));
    const { caseId } = await fileSuggestion(h, resident, { text: '伪造表单测试' });
    const forms: Record<string, string>[] = [
      {},
      { _csrf: '' },
      { _csrf: 'x'.repeat(43) },
      { _csrf: 'x'.repeat(10_000) },
    ];
    for (const form of forms) {
      const res = await post(`/cases/${caseId}/take`, cookie, form);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('表单已经失效');
    }
    // JSON instead of a form: no token either.
    const json = await app.request(`/cases/${caseId}/take`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ _csrf: await csrfOn(cookie) }),
    });
    expect(json.status).toBe(403);
    // Another session's token is not this one's.
    const other = await signIn(h.user(STAFF_EN));
    expect((await post(`/cases/${caseId}/take`, cookie, { _csrf: await csrfOn(other) })).status).toBe(403);
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).assigneeId).toBeNull();
    expect((await auditRows('access.denied', STAFF)).map(detail)).toContainEqual({
      attempted: 'console_form',
      reason: 'csrf',
    });
    // A form posted from another site is refused, even with the right token, and a sign-in too.
    const crossSite = await app.request(`/cases/${caseId}/take`, {
      method: 'POST',
      headers: {
        cookie,
        origin: 'http://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: await csrfOn(cookie) }).toString(),
    });
    expect(crossSite.status).toBe(403);
    const { token } = await linkFor(h.user(STAFF));
    const foreignSignIn = await app.request(`/login/${token}`, {
      method: 'POST',
      headers: { origin: 'http://evil.example' },
    });
    expect(foreignSignIn.status).toBe(403);
    expect(foreignSignIn.headers.get('set-cookie')).toBeNull();
    const fetchedCrossSite = await app.request(`/login/${token}`, {
      method: 'POST',
      headers: { origin: 'null', 'sec-fetch-site': 'cross-site' },
    });
    expect(fetchedCrossSite.status).toBe(403);
    // The console's own forms: Origin "null" (no-referrer), Sec-Fetch-Site same-origin.
    const sameSite = await app.request(`http://localhost/login/${token}`, {
      method: 'POST',
      headers: { origin: 'null', 'sec-fetch-site': 'same-origin' },
    });
    expect(sameSite.status).toBe(303);
    const anonymous = await h.db.auditLog.findMany({
      where: { action: 'access.denied', actorTelegramId: null },
    });
    expect(anonymous.map(detail)).toContainEqual({ attempted: 'console_form', reason: 'cross_origin' });
    // A body over 64 KB is refused before anything reads it.
    expect((await post(`/cases/${caseId}/note`, cookie, { text: 'x'.repeat(70_000) })).status).toBe(413);
  });
});

describe('the queue and the case', () => {
  it('lists the department’s open cases with filters and badges, and takes the next one', async () => {
    const cookie = await signIn(h.user(STAFF));
    await closeOpenCases();
    const filed = await fileSuggestion(h, resident, { text: '路灯坏了' });
    const queue = await (await get('/queue', cookie)).text();
    expect(queue).toContain('万山');
    expect(queue).toContain(filed.number);
    expect(queue).toContain('受理下一件');
    expect(await (await get('/queue?filter=unassigned', cookie)).text()).toContain(filed.number);
    expect(await (await get('/queue?filter=mine', cookie)).text()).not.toContain(filed.number);
    expect(await (await get('/queue?urgent=1', cookie)).text()).not.toContain(filed.number);
    expect(await (await get('/queue?overdue=1', cookie)).text()).not.toContain(filed.number);
    expect(await (await get('/queue?service=suggestion', cookie)).text()).toContain(filed.number);
    expect(await (await get('/queue?service=dibao', cookie)).text()).not.toContain(filed.number);
    // Made-up filters are ignored, not errors.
    for (const q of [
      'filter=%00',
      'service=../../x',
      'page=-3',
      'page=99999999999',
      'page=abc',
      'urgent=yes',
    ]) {
      expect((await get(`/queue?${q}`, cookie)).status).toBe(200);
    }
    // Overdue once its due time has passed.
    await h.db.case.update({ where: { id: filed.caseId }, data: { dueAt: new Date(Date.now() - 60_000) } });
    const late = await (await get('/queue?overdue=1', cookie)).text();
    expect(late).toContain(filed.number);
    expect(late).toContain('已超期');
    // Take next until the queue is empty: each goes to its case page.
    let res = await post('/queue/next', cookie, { _csrf: await csrfOn(cookie) });
    while (res.headers.get('location')?.startsWith('/cases/')) {
      expect(res.status).toBe(303);
      expect((await get(res.headers.get('location') as string, cookie)).status).toBe(200);
      res = await post('/queue/next', cookie, { _csrf: await csrfOn(cookie) });
    }
    expect(res.headers.get('location')).toBe('/queue?notice=empty');
    expect(await (await get('/queue?notice=empty', cookie)).text()).toContain('没有没人受理的事了');
    await workers.drain();
  });

  it('takes and resolves a case through the bot’s use cases: the resident is told in Telegram, each step audited', async () => {
    const cookie = await signIn(h.user(STAFF));
    await closeOpenCases();
    const { caseId, number } = await fileSuggestion(h, resident, { text: '3栋门口积水' });
    const card = await (await get(`/cases/${caseId}`, cookie)).text();
    // Masked as on the bot's staff card: the phone and ID number never in full.
    expect(card).toContain('杨光明');
    expect(card).toContain('138****1234');
    expect(card).toContain('522*************');
    expect(card).not.toContain(residentId);
    expect(card).not.toContain('13800001234');
    expect(card).toContain('3栋门口积水');
    expect(card).toContain('我来办');
    expect((await auditRows('case.view', STAFF)).some((r) => r.caseId === caseId)).toBe(true);

    const taken = await post(`/cases/${caseId}/take`, cookie, { _csrf: await csrfOn(cookie) });
    expect(taken.status).toBe(303);
    expect(taken.headers.get('location')).toBe(`/cases/${caseId}?notice=take`);
    expect(await (await get(`/cases/${caseId}?notice=take`, cookie)).text()).toContain('您受理了这件事');
    const takeAudit = (await auditRows('case.take', STAFF)).find((r) => r.caseId === caseId);
    expect(detail(takeAudit)).toMatchObject({ via: 'console' });
    await workers.drain();
    expect(resident.lastText()).toContain('您的事已经受理了');
    expect(resident.lastText()).toContain(number);

    const csrf = await csrfOn(cookie, `/cases/${caseId}`);
    expect((await post(`/cases/${caseId}/note`, cookie, { _csrf: csrf, text: '已联系物业' })).status).toBe(
      303,
    );
    const resolved = await post(`/cases/${caseId}/resolve`, cookie, {
      _csrf: csrf,
      text: '物业已经清理了积水',
    });
    expect(resolved.status).toBe(303);
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('resolved');
    await workers.drain();
    expect(resident.lastText()).toContain('物业已经清理了积水');
    // The internal note never reached the resident.
    expect(resident.texts().join('\n')).not.toContain('已联系物业');
    const page = await (await get(`/cases/${caseId}`, cookie)).text();
    expect(page).toContain('已联系物业');
    expect(page).toContain('内部');
    expect((await auditRows('case.resolve', STAFF)).some((r) => r.caseId === caseId)).toBe(true);
    expect((await auditRows('case.note', STAFF)).some((r) => r.caseId === caseId)).toBe(true);
  });

  it('refuses empty, oversized and unexpected input, keeping what was typed', async () => {
    const cookie = await signIn(h.user(STAFF));
    await closeOpenCases();
    const { caseId } = await fileSuggestion(h, resident, { text: '输入测试' });
    const csrf = await csrfOn(cookie);
    expect((await post(`/cases/${caseId}/take`, cookie, { _csrf: csrf })).status).toBe(303);
    for (const text of ['', '   ', 'x'.repeat(2001)]) {
      const res = await post(`/cases/${caseId}/reply`, cookie, { _csrf: csrf, text });
      expect(res.status).toBe(422);
      expect(await res.text()).toContain('内容不对');
    }
    const kept = await (
      await post(`/cases/${caseId}/reply`, cookie, { _csrf: csrf, text: `${'长'.repeat(2001)}` })
    ).text();
    expect(kept).toContain('长'.repeat(50));
    // A transfer to a department that is not offered (forged), or none.
    for (const department of ['no-such-department', 'wanshan-neighbourhood', '']) {
      const res = await post(`/cases/${caseId}/transfer`, cookie, {
        _csrf: csrf,
        text: '不归我们',
        department,
      });
      expect(res.status).toBe(422);
    }
    expect((await post(`/cases/${caseId}/explode`, cookie, { _csrf: csrf })).status).toBe(404);
    expect((await post(`/cases/not-a-uuid/take`, cookie, { _csrf: csrf })).status).toBe(404);
    expect((await auditRows('access.denied', STAFF)).map(detail)).toContainEqual(
      expect.objectContaining({ attempted: 'take', reason: 'no_such_case' }),
    );
    // Taking a case that is already taken: a conflict, shown on the case page.
    const again = await post(`/cases/${caseId}/take`, cookie, { _csrf: csrf });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('别人刚刚已经处理了这件事');
    // Released back to the queue.
    expect((await post(`/cases/${caseId}/release`, cookie, { _csrf: csrf })).status).toBe(303);
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).assigneeId).toBeNull();
    await workers.drain();
  });

  it('refuses a case of another department, and the queue to a worker, both audited', async () => {
    await closeOpenCases();
    const { caseId, number } = await fileSuggestion(h, resident, { text: '别的部门看不到' });
    const other = await signIn(h.user(OTHER_DEPT));
    const page = await get(`/cases/${caseId}`, other);
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain(number);
    expect((await post(`/cases/${caseId}/take`, other, { _csrf: await csrfOn(other) })).status).toBe(404);
    expect(await (await get('/queue', other)).text()).not.toContain(number);
    const refusals = (await auditRows('access.denied', OTHER_DEPT)).map(detail);
    expect(refusals).toContainEqual(
      expect.objectContaining({ attempted: 'view', reason: 'other_department' }),
    );
    expect(refusals).toContainEqual(
      expect.objectContaining({ attempted: 'take', reason: 'other_department' }),
    );

    const worker = await signIn(h.user(WORKER));
    const home = await get('/', worker);
    expect(home.status).toBe(200);
    const text = await home.text();
    expect(text).toContain('您是旺家社区的社区工作人员');
    expect(text).toContain('/notice');
    expect(text).not.toContain('href="/queue"');
    const queue = await get('/queue', worker);
    expect(queue.status).toBe(403);
    expect(await queue.text()).toContain('队列只给部门工作人员用');
    expect((await get(`/cases/${caseId}`, worker)).status).toBe(404);
    expect((await auditRows('access.denied', WORKER)).map(detail)).toContainEqual(
      expect.objectContaining({ attempted: 'queue', reason: 'not_staff' }),
    );

    const admin = await signIn(h.user(ADMIN));
    expect(await (await get('/', admin)).text()).toContain('您是管理员');
  });
});

describe('languages', () => {
  it('shows each person their stored language, and switches it (the bot’s setting too)', async () => {
    const en = h.user(STAFF_EN, { languageCode: 'en' });
    await en.text('/language');
    await en.tap('English');
    const { text } = await linkFor(en);
    expect(text).toContain('It works for 5 minutes, once');
    // Someone not signed in reads the refusals in their browser's language.
    const refused = await app.request(`/login/${'C'.repeat(43)}`, {
      method: 'POST',
      headers: { 'accept-language': 'en-GB,en;q=0.9' },
    });
    expect(await refused.text()).toContain('This sign-in link cannot be used');
    const cookie = await signIn(en);
    // Wrong input, told in English.
    await closeOpenCases();
    const { caseId } = await fileSuggestion(h, resident, { text: 'English errors' });
    const token = await csrfOn(cookie);
    expect((await post(`/cases/${caseId}/take`, cookie, { _csrf: token })).status).toBe(303);
    const empty = await post(`/cases/${caseId}/reply`, cookie, { _csrf: token, text: ' ' });
    expect(empty.status).toBe(422);
    const page = await empty.text();
    expect(page).toContain('That was not accepted: write 1 to 2000 characters');
    expect(page).not.toContain('内容不对');
    const queue = await (await get('/queue', cookie)).text();
    expect(queue).toContain('<html lang="en">');
    expect(queue).toContain('Take the next case');
    expect(queue).not.toMatch(/[队列受理下一件]/);
    const csrf = await csrfOn(cookie);
    const switched = await post('/lang', cookie, {
      _csrf: csrf,
      locale: 'zh-CN',
      back: '/queue?filter=mine',
    });
    expect(switched.status).toBe(303);
    expect(switched.headers.get('location')).toBe('/queue?filter=mine');
    expect(await (await get('/queue', cookie)).text()).toContain('受理下一件');
    expect(
      (await h.db.telegramUser.findUniqueOrThrow({ where: { telegramId: BigInt(STAFF_EN) } })).locale,
    ).toBe('zh-CN');
    // Only a path of the console may be gone back to; an unknown language changes nothing.
    for (const back of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example',
      'javascript:alert(1)',
    ]) {
      const res = await post('/lang', cookie, { _csrf: csrf, locale: 'en', back });
      expect(res.headers.get('location')).toBe('/');
    }
    await post('/lang', cookie, { _csrf: csrf, locale: 'fr', back: '/' });
    expect(
      (await h.db.telegramUser.findUniqueOrThrow({ where: { telegramId: BigInt(STAFF_EN) } })).locale,
    ).toBe('en');
    const help = await (await get('/help', cookie)).text();
    expect(help).toContain('Keyboard shortcuts');
    expect(help).toContain('<kbd>j</kbd>');
  });
});
