// The console's search, household files and audit log, through hono's app.request over the real database
// and the same use cases main.ts wires: who finds whom (a department's staff, a community's workers, admins),
// ID numbers and phones found by their keyed hash and shown masked, every search / file / full-number view
// audited, and every refusal (another department, another community, a resident, a removed member, a
// forged id, a forged form) refused and audited. Wrong input in both languages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_PAGE_SIZE, maskDigitRuns } from '../../src/app/console/audit-log.ts';
import { classifyQuery } from '../../src/app/console/search.ts';
import { maskIdNumber, maskPhone } from '../../src/domain/mask.ts';
import { createHarness, type Harness, type SimUser } from '../support/bot-harness.ts';
import { makeIdNumber } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';
import { fileSuggestion, makeStaff } from '../support/staff-scene.ts';
import { CONSOLE_BASE, type ConsoleApp, consoleAppOver, consoleRequests } from './console-support.ts';

const STAFF = 82_001;
const STAFF_EN = 82_002;
const OTHER_DEPT = 82_003;
const WORKER = 82_004;
const WORKER_OTHER = 82_005;
const ADMIN = 82_006;
const REMOVED = 82_007;
const RESIDENT = 82_101;
const RESIDENT_B = 82_102;
const PHONE_A = '13800001234';
const PHONE_B = '13900005678';
const CHILD_ID = makeIdNumber({ birthDate: '2015-06-01', seq: 871, sex: 'female' });

let h: Harness;
let app: ConsoleApp;
let resident: SimUser;
let idA: string;
let idB: string;
let householdA: string;
let residentA: string;
let householdB: string;
let caseA: { caseId: string; number: string };
const cookies = new Map<number, string>();

beforeAll(async () => {
  h = await createHarness({
    adminIds: [ADMIN],
    adjustDeps: (deps) => {
      deps.consoleUrl = CONSOLE_BASE;
    },
  });
  app = consoleAppOver(h, {
    lookup: h.deps.consoleLookup,
    auditLog: h.deps.auditLog,
  });
  resident = h.user(RESIDENT);
  idA = await registerResident(resident, { name: '杨光明', phone: PHONE_A });
  await addMember(h, RESIDENT, {
    name: '杨小花',
    relation: 'child',
    birthDate: '2015-06-01',
    idNumber: CHILD_ID,
  });
  idB = await registerResident(h.user(RESIDENT_B), {
    name: '李秀英',
    phone: PHONE_B,
    community: '冲广坪社区',
    building: '1栋',
    unit: '1 单元',
    room: '101',
  });
  const a = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(RESIDENT) } });
  householdA = a.householdId;
  residentA = a.id;
  householdB = (await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(RESIDENT_B) } }))
    .householdId;
  caseA = await fileSuggestion(h, resident);
  await makeStaff(h, STAFF, 'wanshan-neighbourhood', { displayName: '王主任' });
  await makeStaff(h, STAFF_EN, 'wanshan-neighbourhood', { displayName: 'Li Wei' });
  await makeStaff(h, OTHER_DEPT, 'wanshan-education', { displayName: '教育局小刘' });
  await makeStaff(h, REMOVED, 'wanshan-neighbourhood', { displayName: '已调走的小赵' });
  for (const [id, community, name] of [
    [WORKER, 'wanshan-wangjia', '社区小张'],
    [WORKER_OTHER, 'wanshan-dongsheng', '冲广坪小陈'],
  ] as const) {
    await h.db.staffMember.create({
      data: { telegramId: BigInt(id), role: 'worker', communityCode: community, displayName: name },
    });
  }
  for (const who of [STAFF, STAFF_EN, OTHER_DEPT, WORKER, WORKER_OTHER, ADMIN, REMOVED]) {
    cookies.set(who, await signIn(h.user(who)));
  }
  // Li Wei reads English (the person's own choice, as /language in the bot).
  await post('/lang', STAFF_EN, { locale: 'en', back: '/search' });
});
afterAll(() => h.close());

const requests = consoleRequests(() => app);
const { signIn } = requests;
const cookieOf = (who: number) => cookies.get(who) as string;
const get = (path: string, who?: number) =>
  app.request(path, { headers: who === undefined ? {} : { cookie: cookieOf(who) } });

const csrfOf = (who: number) => requests.csrfOn(cookieOf(who), '/search');

async function post(path: string, who: number, form: Record<string, string>, withCsrf = true) {
  return requests.post(path, cookieOf(who), withCsrf ? { _csrf: await csrfOf(who), ...form } : form);
}

const search = (who: number, q: string) => post('/search', who, { q });

async function auditRows(action: string, actor: number) {
  return h.db.auditLog.findMany({
    where: { action, actorTelegramId: BigInt(actor) },
    orderBy: { id: 'asc' },
  });
}
const lastDetail = async (action: string, actor: number) =>
  (await auditRows(action, actor)).at(-1)?.detail as Record<string, unknown> | undefined;

describe('what a search box takes', () => {
  const today = new Date('2026-12-06T12:00:00Z');
  it('tells a case number, an ID number, a phone and a name apart, the way people type them', () => {
    expect(classifyQuery(' edu 2026 000042 ', today)).toEqual({
      ok: true,
      value: { by: 'case', value: 'EDU-2026-000042' },
    });
    const id = makeIdNumber({ birthDate: '1960-01-02', seq: 11, sex: 'male' });
    expect(classifyQuery(`${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}`, today)).toEqual({
      ok: true,
      value: { by: 'id', value: id },
    });
    expect(classifyQuery('+86 138 0000 1234', today)).toEqual({
      ok: true,
      value: { by: 'phone', value: '13800001234' },
    });
    expect(classifyQuery('１３８００００１２３４', today)).toEqual({
      ok: true,
      value: { by: 'phone', value: '13800001234' },
    });
    expect(classifyQuery('杨光', today)).toEqual({ ok: true, value: { by: 'name', value: '杨光' } });
    expect(classifyQuery('阿依古丽·买买提', today).ok).toBe(true);
  });

  it('refuses empty, oversized, wrong-checksum, odd numbers and symbols, each with its own reason', () => {
    const id = makeIdNumber({ birthDate: '1960-01-02', seq: 11, sex: 'male' });
    const wrong = `${id.slice(0, 17)}${id.endsWith('1') ? '2' : '1'}`;
    expect(classifyQuery('   ', today)).toEqual({ ok: false, error: 'empty' });
    expect(classifyQuery('杨'.repeat(65), today)).toEqual({ ok: false, error: 'too_long' });
    expect(classifyQuery(wrong, today)).toEqual({ ok: false, error: 'bad_id' });
    expect(classifyQuery('123456789', today)).toEqual({ ok: false, error: 'bad_number' });
    expect(classifyQuery('杨', today)).toEqual({ ok: false, error: 'bad_name' });
    expect(classifyQuery('😀😀', today)).toEqual({ ok: false, error: 'bad_name' });
    expect(classifyQuery("<script>alert('x')</script>", today)).toEqual({ ok: false, error: 'bad_name' });
  });
});

describe('search', () => {
  it('finds a resident by ID number for the staff of a department owning their case: masked, linked, audited', async () => {
    const res = await search(STAFF, idA);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('按身份证号查找的结果');
    expect(html).toContain('杨光明');
    expect(html).toContain(maskIdNumber(idA));
    expect(html).toContain(maskPhone(PHONE_A));
    expect(html).not.toContain(idA);
    expect(html).not.toContain(PHONE_A);
    expect(html).toContain(`href="/households/${householdA}"`);
    expect(html).toContain(`href="/cases/${caseA.caseId}"`);
    expect(html).toContain(caseA.number);
    expect(await lastDetail('console.search', STAFF)).toEqual({ by: 'id', people: 1, cases: 1, hidden: 0 });
    // Nothing typed is kept: neither the number nor its digits anywhere in the audit log.
    const all = JSON.stringify(
      await h.db.auditLog.findMany({ select: { subject: true, detail: true } }),
      (_k, v) => (typeof v === 'bigint' ? String(v) : v),
    );
    expect(all).not.toContain(idA);
    expect(all).not.toContain(PHONE_A);
  });

  it('finds a household member by their ID number typed with spaces, and the resident by phone', async () => {
    const spaced = `${CHILD_ID.slice(0, 6)} ${CHILD_ID.slice(6, 14)} ${CHILD_ID.slice(14)}`;
    const member = await (await search(WORKER, spaced)).text();
    expect(member).toContain('杨小花');
    expect(member).toContain('子女');
    expect(member).toContain(maskIdNumber(CHILD_ID));
    expect(member).not.toContain(CHILD_ID);
    const byPhone = await (await search(WORKER, '+86 138-0000-1234')).text();
    expect(byPhone).toContain('按手机号查找的结果');
    expect(byPhone).toContain('杨光明');
    expect(byPhone).not.toContain(PHONE_A);
    expect(await lastDetail('console.search', WORKER)).toMatchObject({ by: 'phone', people: 1, hidden: 0 });
  });

  it('finds by name within what the searcher may see: the community worker their community, the admin all', async () => {
    const worker = await (await search(WORKER, '李秀')).text();
    expect(worker).toContain('没有找到');
    expect(worker).not.toContain('李秀英');
    const other = await (await search(WORKER_OTHER, '李秀')).text();
    expect(other).toContain('李秀英');
    expect(other).toContain(`href="/households/${householdB}"`);
    const admin = await (await search(ADMIN, '杨')).text();
    expect(admin).toContain('请输入姓名');
    const admin2 = await (await search(ADMIN, '杨光')).text();
    expect(admin2).toContain('杨光明');
    expect(admin2).not.toContain(idA);
    // Staff of a department find only the households with one of its cases.
    expect(await (await search(STAFF, '李秀英')).text()).toContain('没有找到');
    expect(await (await search(OTHER_DEPT, '杨光明')).text()).toContain('没有找到');
  });

  it('finds a case by its number, typed any way, for its department; another department and community are refused and audited', async () => {
    const typed = caseA.number.toLowerCase().replaceAll('-', ' ');
    const own = await (await search(STAFF, typed)).text();
    expect(own).toContain(`href="/cases/${caseA.caseId}"`);
    expect(own).toContain(`value="${typed}"`);
    const worker = await (await search(WORKER, caseA.number)).text();
    expect(worker).toContain(caseA.number);
    // The community's worker sees the case and its status, but only its department opens it.
    expect(worker).not.toContain(`href="/cases/${caseA.caseId}"`);

    const refused = await (await search(OTHER_DEPT, caseA.number)).text();
    expect(refused).toContain('没有找到');
    expect(refused).not.toContain(`/cases/${caseA.caseId}`);
    const denied = (await auditRows('access.denied', OTHER_DEPT)).at(-1);
    expect(denied?.caseId).toBe(caseA.caseId);
    expect(denied?.detail).toEqual({ attempted: 'search', reason: 'other_department' });
    expect(await lastDetail('console.search', OTHER_DEPT)).toEqual({
      by: 'case',
      people: 0,
      cases: 0,
      hidden: 1,
    });

    expect(await (await search(WORKER_OTHER, caseA.number)).text()).toContain('没有找到');
    expect(await lastDetail('access.denied', WORKER_OTHER)).toEqual({
      attempted: 'search',
      reason: 'other_community',
    });
  });

  it('leaves out a person found by ID number whom the searcher may not see, and audits the refusal', async () => {
    const html = await (await search(OTHER_DEPT, idA)).text();
    expect(html).toContain('没有找到');
    expect(html).not.toContain('杨光明');
    expect(await lastDetail('access.denied', OTHER_DEPT)).toEqual({
      attempted: 'search',
      reason: 'out_of_scope',
      by: 'id',
      hidden: 1,
    });
    expect(await lastDetail('console.search', OTHER_DEPT)).toEqual({
      by: 'id',
      people: 0,
      cases: 0,
      hidden: 1,
    });
    const other = await (await search(WORKER_OTHER, PHONE_A)).text();
    expect(other).not.toContain('杨光明');
  });

  it('never ties an anonymous suggestion to its household: not in searches by person, not for the community', async () => {
    const anon = await fileSuggestion(h, resident, { text: '有人在楼道里堆杂物', anonymous: true });
    // Resident B's only case is anonymous: it does not open B's household to the department (see below).
    const anonB = await fileSuggestion(h, h.user(RESIDENT_B), { text: '楼下太吵了', anonymous: true });
    const byId = await (await search(STAFF, idA)).text();
    expect(byId).toContain(caseA.number);
    expect(byId).not.toContain(anon.number);
    expect(await (await search(STAFF, idB)).text()).toContain('没有找到');
    expect(await (await search(STAFF, '李秀英')).text()).toContain('没有找到');
    // By its number the department finds it (it is theirs to answer); the community's worker does not.
    expect(await (await search(STAFF, anonB.number)).text()).toContain(`href="/cases/${anonB.caseId}"`);
    expect(await (await search(WORKER, anon.number)).text()).toContain('没有找到');
    expect(await lastDetail('access.denied', WORKER)).toEqual({
      attempted: 'search',
      reason: 'other_community',
    });
    const file = await (await get(`/households/${householdA}`, WORKER)).text();
    expect(file).toContain(caseA.number);
    expect(file).not.toContain(anon.number);
  });

  it('answers wrong input kindly, in Chinese and in English, and searches nothing', async () => {
    const before = (await auditRows('console.search', STAFF)).length;
    const wrongId = `${idA.slice(0, 17)}${idA.endsWith('1') ? '2' : '1'}`;
    const cases: [string, string, string][] = [
      ['', '请先输入要找的内容', 'Please type what you are looking for first'],
      ['x'.repeat(5000), '输入的内容太长了', 'That is too long'],
      [wrongId, '这个身份证号不对', 'That ID number is not right'],
      ['12345', '既不是 11 位手机号', 'neither an 11-digit mobile number'],
      ['🙂', '请输入姓名', 'Please type a name'],
    ];
    for (const [q, zh, en] of cases) {
      const res = await search(STAFF, q);
      expect(res.status).toBe(422);
      expect(await res.text()).toContain(zh);
      const resEn = await search(STAFF_EN, q);
      expect(resEn.status).toBe(422);
      const html = await resEn.text();
      expect(html).toContain(en);
      expect(html).toContain('lang="en"');
    }
    expect((await auditRows('console.search', STAFF)).length).toBe(before);
  });

  it('shows its results in English to an English reader, masked alike', async () => {
    const html = await (await search(STAFF_EN, PHONE_A)).text();
    expect(html).toContain('Found by mobile number');
    expect(html).toContain('Registrant');
    expect(html).toContain(maskPhone(PHONE_A));
    expect(html).not.toMatch(/[\u3000-\u303f\uff01-\uff5e]/u);
  });

  it('refuses a search form without the form token (audited), and anyone not signed in', async () => {
    const res = await post('/search', STAFF, { q: idA }, false);
    expect(res.status).toBe(403);
    expect(await lastDetail('access.denied', STAFF)).toEqual({ attempted: 'console_form', reason: 'csrf' });
    const anon = await app.request('/search', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ q: idA }).toString(),
    });
    expect(anon.status).toBe(401);
    expect(await anon.text()).not.toContain('杨光明');
  });

  it('finds older residents by phone once their phone hash is filled at start-up', async () => {
    await h.db.resident.updateMany({ where: { telegramId: BigInt(RESIDENT_B) }, data: { phoneHash: null } });
    expect(await (await search(ADMIN, PHONE_B)).text()).toContain('没有找到');
    expect(await h.deps.consoleLookup.fillPhoneHashes()).toBe(1);
    expect(await h.deps.consoleLookup.fillPhoneHashes()).toBe(0);
    expect(await (await search(ADMIN, PHONE_B)).text()).toContain('李秀英');
  });
});

describe('one household, one file', () => {
  it('shows the community worker the people (relation, age, masked numbers), their cases and notices; audited', async () => {
    const notice = await h.db.notice.create({
      data: {
        communityCode: 'wanshan-wangjia',
        authorTelegramId: BigInt(WORKER),
        authorChatId: BigInt(WORKER),
        authorLocale: 'zh-CN',
        textZh: '明天上午九点停水，请提前接好水。',
        audience: 'community',
        important: true,
        status: 'done',
        scheduledAt: new Date('2026-12-01T01:00:00Z'),
        requestKey: 'lookup-test-1',
      },
    });
    const plain = await h.db.notice.create({
      data: {
        communityCode: 'wanshan-wangjia',
        authorTelegramId: BigInt(WORKER),
        authorChatId: BigInt(WORKER),
        authorLocale: 'zh-CN',
        textZh: '周末广场有义诊。',
        audience: 'community',
        important: false,
        status: 'done',
        scheduledAt: new Date('2026-12-02T01:00:00Z'),
        requestKey: 'lookup-test-2',
      },
    });
    for (const n of [notice, plain]) {
      await h.db.noticeDelivery.create({
        data: {
          noticeId: n.id,
          telegramId: BigInt(RESIDENT),
          chatId: BigInt(RESIDENT),
          locale: 'zh-CN',
          status: 'delivered',
          nextAttemptAt: n.scheduledAt,
          sentAt: n.scheduledAt,
        },
      });
    }
    const unread = await (await get(`/households/${householdA}`, WORKER)).text();
    expect(unread).toContain('户档案：旺家社区');
    expect(unread).toContain('杨光明');
    expect(unread).toContain('登记人');
    expect(unread).toContain('杨小花');
    expect(unread).toContain('子女');
    expect(unread).toMatch(/\d+ 岁/);
    expect(unread).toContain(maskIdNumber(idA));
    expect(unread).toContain(maskIdNumber(CHILD_ID));
    expect(unread).toContain(maskPhone(PHONE_A));
    for (const full of [idA, CHILD_ID, PHONE_A]) expect(unread).not.toContain(full);
    expect(unread).toContain(caseA.number);
    expect(unread).toContain('明天上午九点停水');
    expect(unread).toContain('还没点');
    expect(unread).toContain('不用点');
    await h.db.noticeDelivery.updateMany({
      where: { noticeId: notice.id },
      data: { readAt: new Date('2026-12-01T02:30:00Z') },
    });
    expect(await (await get(`/households/${householdA}`, WORKER)).text()).toContain('点了（');
    const viewed = (await auditRows('household.view', WORKER)).at(-1);
    // The household is named by its registrant, as every audit row about a person (an erasure redacts it).
    expect(viewed?.subject).toBe(`resident:${residentA}`);
    expect(viewed?.detail).toEqual({ via: 'console' });
  });

  it('opens for the staff of a department owning one of its cases, linked from the case page', async () => {
    const casePage = await (await get(`/cases/${caseA.caseId}`, STAFF)).text();
    expect(casePage).toContain(`href="/households/${householdA}"`);
    const file = await get(`/households/${householdA}`, STAFF);
    expect(file.status).toBe(200);
    expect(await file.text()).toContain(`href="/cases/${caseA.caseId}"`);
    const en = await (await get(`/households/${householdA}`, STAFF_EN)).text();
    expect(en).toContain('Household file: Wangjia');
    expect(en).toContain('Yes (1 Dec 10:30)');
    expect(en).toContain('Not asked');
  });

  it('shows the full numbers only on an explicit request, each time audited', async () => {
    const res = await post(`/households/${householdA}/reveal`, WORKER, {});
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(idA);
    expect(html).toContain(CHILD_ID);
    expect(html).toContain(PHONE_A);
    const row = (await auditRows('pii.view', WORKER)).at(-1);
    expect(row?.subject).toMatch(/^resident:[0-9a-f-]{36},member:[0-9a-f-]{36}$/);
    expect(row?.subject).toContain(`resident:${residentA},member:`);
    expect(row?.detail).toEqual({ via: 'console', fields: ['idNumber', 'phone'] });
    // Without the form token: refused (audited), nothing shown.
    const forged = await post(`/households/${householdA}/reveal`, WORKER, {}, false);
    expect(forged.status).toBe(403);
    expect(await forged.text()).not.toContain(idA);
  });

  it('is "not found" to another department, another community, and for a made-up id — each audited', async () => {
    const refusals: [number, string, Record<string, unknown>][] = [
      [OTHER_DEPT, `/households/${householdA}`, { attempted: 'household', reason: 'other_department' }],
      [WORKER_OTHER, `/households/${householdA}`, { attempted: 'household', reason: 'other_community' }],
      [STAFF, `/households/${householdB}`, { attempted: 'household', reason: 'other_department' }],
      [
        WORKER,
        '/households/00000000-0000-4000-8000-000000000000',
        { attempted: 'household', reason: 'no_such_household' },
      ],
      [
        WORKER,
        "/households/'%3E%3Cscript%3E",
        { attempted: 'household', reason: 'no_such_household', typedLength: 10 },
      ],
    ];
    for (const [who, path, detail] of refusals) {
      const res = await get(path, who);
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).not.toContain('杨光明');
      expect(html).not.toContain('李秀英');
      expect(await lastDetail('access.denied', who)).toEqual(detail);
    }
    const reveal = await post(`/households/${householdA}/reveal`, WORKER_OTHER, {});
    expect(reveal.status).toBe(404);
    expect(await reveal.text()).not.toContain(idA);
    expect(await lastDetail('access.denied', WORKER_OTHER)).toEqual({
      attempted: 'household_reveal',
      reason: 'other_community',
    });
  });

  it('is refused to a resident (no session) and to a member removed since signing in (audited)', async () => {
    const res = await get(`/households/${householdA}`);
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('杨光明');
    await h.db.staffMember.updateMany({ where: { telegramId: BigInt(REMOVED) }, data: { active: false } });
    const removed = await get(`/households/${householdA}`, REMOVED);
    expect(removed.status).toBe(401);
    const html = await removed.text();
    expect(html).toContain('您已经不是工作人员了');
    expect(html).not.toContain('杨光明');
    expect(await lastDetail('access.denied', REMOVED)).toEqual({
      attempted: 'console_session',
      reason: 'not_staff',
    });
  });
});

describe('the audit log', () => {
  it('is for admins only: anyone else is refused and audited', async () => {
    for (const who of [STAFF, WORKER]) {
      const res = await get('/audit', who);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('操作记录只给管理员看');
      expect(await lastDetail('access.denied', who)).toEqual({ attempted: 'audit_log', reason: 'not_admin' });
    }
    expect(await (await get('/search', STAFF)).text()).not.toContain('href="/audit"');
    expect(await (await get('/search', ADMIN)).text()).toContain('href="/audit"');
  });

  it('lists the newest first, filtered by person, case and action, with personal data masked', async () => {
    await h.db.auditLog.create({
      data: {
        actorTelegramId: BigInt(WORKER),
        action: 'test.leak',
        subject: `typed:${PHONE_A}`,
        detail: { note: `身份证 ${idA}`, nested: { phone: PHONE_A }, list: [idA] },
      },
    });
    const page = await (await get(`/audit?actor=${WORKER}`, ADMIN)).text();
    expect(page).toContain('test.leak');
    expect(page).toContain('社区小张');
    expect(page).toContain(maskIdNumber(idA));
    expect(page).toContain(maskPhone(PHONE_A));
    expect(page).not.toContain(idA);
    expect(page).not.toContain(PHONE_A);
    // Newest first: the row just written comes before the worker's earlier household views.
    expect(page.indexOf('test.leak')).toBeLessThan(page.indexOf('<code>household.view</code>'));

    const byCase = await (
      await get(`/audit?case=${encodeURIComponent(caseA.number.toLowerCase())}`, ADMIN)
    ).text();
    expect(byCase).toContain('access.denied');
    expect(byCase).toContain(caseA.number);
    expect(byCase).not.toContain('test.leak');

    const byAction = await (await get('/audit?action=household.', ADMIN)).text();
    expect(byAction).toContain('household.view');
    expect(byAction).not.toContain('test.leak');
    expect(byAction).not.toContain('<code>console.search</code>');
    const unknownCase = await (await get('/audit?case=EDU-2026-999999', ADMIN)).text();
    expect(unknownCase).toContain('没有符合条件的记录');
    const seen = (await auditRows('audit.view', ADMIN)).at(-1);
    expect(seen?.detail).toEqual({ filters: ['case'], page: 'first' });
  });

  it('pages by "older entries" links', async () => {
    await h.db.auditLog.createMany({
      data: Array.from({ length: AUDIT_PAGE_SIZE + 5 }, (_, i) => ({
        actorTelegramId: BigInt(ADMIN),
        action: 'test.page',
        detail: { n: i },
      })),
    });
    const first = await (await get('/audit?action=test.page', ADMIN)).text();
    expect(first.match(/<code>test\.page<\/code>/g)?.length).toBe(AUDIT_PAGE_SIZE);
    expect(first).toContain(`n: ${AUDIT_PAGE_SIZE + 4}`);
    const older = /href="(\/audit\?action=test\.page&amp;before=\d+)"/.exec(first)?.[1];
    expect(older).toBeDefined();
    const second = await (await get((older as string).replaceAll('&amp;', '&'), ADMIN)).text();
    expect(second.match(/<code>test\.page<\/code>/g)?.length).toBe(5);
    expect(second).toContain('n: 0');
    expect(second).toContain('href="/audit?action=test.page"');
    expect(second).not.toContain('更早的记录');
  });

  it('refuses filters that cannot be one (letters for an id, not a case number, markup, oversized)', async () => {
    for (const q of [
      'actor=abc',
      'case=hello',
      'action=%3Cscript%3E',
      `actor=${'9'.repeat(40)}`,
      'before=x',
    ]) {
      const res = await get(`/audit?${q}`, ADMIN);
      expect(res.status).toBe(422);
      expect(await res.text()).toContain('筛选条件不对');
    }
  });

  it('masks long digit runs whatever their place', () => {
    expect(maskDigitRuns('13800001234')).toBe(maskPhone('13800001234'));
    expect(maskDigitRuns(`a ${idA} b`)).toBe(`a ${maskIdNumber(idA)} b`);
    expect(maskDigitRuns('EDU-2026-000042')).toBe('EDU-2026-000042');
    const uuid = '53f9b488-949c-48da-9e38-459123456790';
    expect(maskDigitRuns(`resident:${uuid} 13800001234`)).toBe(
      `resident:${uuid} ${maskPhone('13800001234')}`,
    );
  });
});
