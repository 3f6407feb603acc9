// Filing for a resident through the console's routes (hono's app.request over the real database, the use
// cases main.ts wires): find by ID number, choose a service, the form generated from every shipped
// definition, "continue" showing the steps an answer opens, wrong input kept with a plain message next to
// the field, the confirmation, filing, the slip; a forged form without the CSRF token, another community's
// worker, a made-up resident — refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldName } from '../../src/app/filing-form.ts';
import { composeConsoleDesk } from '../../src/compose.ts';
import { createHarness, type Harness } from '../support/bot-harness.ts';
import { makeIdNumber } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';
import { makeStaff } from '../support/staff-scene.ts';
import {
  CONSOLE_BASE,
  type ConsoleApp,
  consoleAppOver,
  consoleRequests,
  type FormFields,
} from './console-support.ts';

const CLERK = 85_001;
const WORKER_OTHER = 85_002;
const CLERK_EN = 85_003;
const RESIDENT = 85_101;
const ADMIN = 85_004;

let h: Harness;
let app: ConsoleApp;
const requests = consoleRequests(() => app);
let residentId: string;
let idNumber: string;
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
    ...composeConsoleDesk({ db: h.db, cipher: h.cipher, deps: h.deps }),
  });
  idNumber = await registerResident(h.user(RESIDENT), { name: '罗桂英', phone: '13700004444' });
  await addMember(h, RESIDENT, {
    name: '罗小军',
    relation: 'child',
    birthDate: '2017-09-09',
    idNumber: makeIdNumber({ birthDate: '2017-09-09', seq: 733, sex: 'male' }),
  });
  residentId = (await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(RESIDENT) } })).id;
  await makeStaff(h, CLERK, 'wanshan-civil-affairs', { displayName: '王红梅' });
  await makeStaff(h, CLERK_EN, 'wanshan-health', { displayName: 'Li Wei' });
  await h.db.staffMember.create({
    data: {
      telegramId: BigInt(WORKER_OTHER),
      role: 'worker',
      communityCode: 'wanshan-dongsheng',
      displayName: '冲广坪小陈',
    },
  });
  for (const who of [CLERK, WORKER_OTHER, CLERK_EN, ADMIN])
    cookies.set(who, await requests.signIn(h.user(who)));
  await post('/lang', CLERK_EN, { locale: 'en', back: '/file' });
});
afterAll(() => h.close());

const cookieOf = (who: number) => cookies.get(who) ?? '';
const get = (path: string, who: number) => requests.get(path, cookieOf(who));

/** A form POST as `who`, with the form token of their session (or, `csrf` false, without it). */
async function post(path: string, who: number, form: FormFields, csrf = true) {
  const pairs = Array.isArray(form) ? form.map(([k, v]): [string, string] => [k, v]) : Object.entries(form);
  const token: [string, string][] = csrf ? [['_csrf', await requests.csrfOn(cookieOf(who), '/file')]] : [];
  return requests.post(path, cookieOf(who), [...token, ...pairs]);
}

const formPath = (code: string) => `/residents/${residentId}/file/${code}`;
const keyOf = (html: string) => /name="key" value="([^"]+)"/.exec(html)?.[1] ?? '';

const DIBAO: [string, string][] = [
  [fieldName('income'), '800'],
  [fieldName('reason'), 'other'],
  [fieldName('assets'), 'none'],
  [fieldName('verificationConsent'), 'agree'],
  ['household_ok', '1'],
];

describe('finding the resident and choosing the service', () => {
  it('an ID number finds the resident (masked), with a link to file for them', async () => {
    const res = await post('/file', CLERK, { id: idNumber });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('罗桂英');
    expect(html).not.toContain(idNumber);
    expect(html).toContain(`href="/residents/${residentId}/file"`);
    const bad = await post('/file', CLERK, { id: '123' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('这个身份证号不对');
  });

  it('lists every service offered, each a link to its form', async () => {
    const html = await (await get(`/residents/${residentId}/file`, CLERK)).text();
    for (const s of h.deps.catalogue.list()) expect(html).toContain(`href="${formPath(s.code)}"`);
  });

  it('every shipped service has a form generated from its definition (no code of its own), in both languages', async () => {
    for (const s of h.deps.catalogue.list()) {
      for (const who of [CLERK, CLERK_EN]) {
        const res = await get(formPath(s.code), who);
        expect(res.status, s.code).toBe(200);
        const html = await res.text();
        const first = s.steps.find((st) => st.kind !== 'files' && !st.when);
        expect(html, s.code).toContain(`name="${fieldName(first?.id ?? '')}"`);
        // Every word from the locales: no key left showing.
        expect(html, s.code).not.toMatch(/services:|console:|\.steps\./);
      }
    }
  });
});

describe('the form', () => {
  it('"continue" shows the step an answer opens; wrong money is said next to the field and kept', async () => {
    const first = await (await get(formPath('dibao'), CLERK)).text();
    expect(first).not.toContain(`name="${fieldName('reasonDetail')}"`);
    const key = keyOf(first);
    const more = await post(formPath('dibao'), CLERK, [...DIBAO, ['key', key], ['action', 'continue']]);
    const html = await more.text();
    expect(html).toContain(`name="${fieldName('reasonDetail')}"`);
    const wrong = await post(formPath('dibao'), CLERK, [
      ...DIBAO.filter(([n]) => n !== fieldName('income')),
      [fieldName('income'), '八百多 abc'],
      [fieldName('reasonDetail'), '老伴走了，一个人过'],
      ['key', key],
      ['action', 'review'],
    ]);
    expect(wrong.status).toBe(422);
    const page = await wrong.text();
    expect(page).toContain('八百多 abc');
    expect(page).toContain('老伴走了，一个人过');
    expect(page).toMatch(/field-error[^>]*>[^<]+</);
  });

  it('review → the summary → filed → the slip; the event on the case page', async () => {
    const key = keyOf(await (await get(formPath('dibao'), CLERK)).text());
    const answers: [string, string][] = [
      ...DIBAO,
      [fieldName('reasonDetail'), '腿不好'],
      ['doc', 'household_register'],
      ['key', key],
    ];
    const review = await post(formPath('dibao'), CLERK, [...answers, ['action', 'review']]);
    const summary = await review.text();
    expect(review.status).toBe(200);
    expect(summary).toContain('请和居民一起核对');
    expect(summary).toContain('800 元');
    const filed = await post(formPath('dibao'), CLERK, [...answers, ['action', 'file']]);
    expect(filed.status).toBe(303);
    const slipPath = filed.headers.get('location') ?? '';
    expect(slipPath).toMatch(/^\/slips\/[0-9a-f-]{36}$/);
    const slip = await (await get(slipPath, CLERK)).text();
    const row = await h.db.case.findFirstOrThrow({ where: { residentId, serviceCode: 'dibao' } });
    expect(slip).toContain(row.number);
    expect(slip).toContain('户口本');
    expect(slip).toContain('data-print');
    // Posting the confirmation again finds the same case.
    const again = await post(formPath('dibao'), CLERK, [...answers, ['action', 'file']]);
    expect(again.headers.get('location')).toBe(slipPath);
    expect(await h.db.case.count({ where: { residentId, serviceCode: 'dibao' } })).toBe(1);
    const casePage = await (await get(`/cases/${row.id}`, CLERK)).text();
    expect(casePage).toContain('王红梅');
    expect(casePage).toContain('在窗口替居民提交');
    expect(casePage).toContain('窗口已看过原件：户口本');
  });

  it('a forged form without the CSRF token is refused and files nothing', async () => {
    const before = await h.db.case.count();
    const res = await post(formPath('suggestion'), CLERK, [['action', 'file']], false);
    expect(res.status).toBe(403);
    expect(await h.db.case.count()).toBe(before);
  });

  it('someone who is neither staff nor worker (an admin) is told the page is not theirs, and it is audited', async () => {
    expect((await get('/file', ADMIN)).status).toBe(403);
    const res = await post('/file', ADMIN, { id: idNumber });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('为居民办事只给部门工作人员和社区工作人员用');
    const refused = await h.db.auditLog.findFirst({
      where: { action: 'access.denied', actorTelegramId: BigInt(ADMIN) },
    });
    expect(refused?.detail).toMatchObject({ attempted: 'filing_search', reason: 'not_staff' });
  });

  it('another community’s worker, a made-up resident, an unknown service: not found', async () => {
    expect((await get(`/residents/${residentId}/file`, WORKER_OTHER)).status).toBe(404);
    expect((await get(formPath('dibao'), WORKER_OTHER)).status).toBe(404);
    expect((await post(formPath('dibao'), WORKER_OTHER, [...DIBAO, ['action', 'file']])).status).toBe(404);
    expect((await get('/residents/00000000-0000-4000-8000-000000000000/file', CLERK)).status).toBe(404);
    expect((await get(formPath('lottery'), CLERK)).status).toBe(404);
    expect((await get('/slips/nope', CLERK)).status).toBe(404);
  });
});
