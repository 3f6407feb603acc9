// The console's red-line page (/labour): households with labour but nobody employed, through hono's
// app.request over the real database and the same use case as /labour in Telegram (src/app/labour.ts): the
// district's human-resources staff see their district, a community worker their community, an admin every
// one; anyone else is refused and audited; phones masked; each page shown is an audit row naming the
// residents; links lead to the household files; a wrong page number is the nearest page. Both languages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskPhone } from '../../src/domain/mask.ts';
import { createConsoleApp } from '../../src/http/console/app.tsx';
import { createLogger } from '../../src/logger.ts';
import { createHarness, type Harness, type SimUser } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { makeStaff } from '../support/staff-scene.ts';

const BASE = 'http://console.test';
const HR = 83_001;
const HR_EN = 83_002;
const EDUCATION = 83_003;
const WORKER = 83_004;
const WORKER_OTHER = 83_005;
const ADMIN = 83_006;
const BIJIANG_HR = 83_007;
const IDLE = 83_101; // Wangjia, nobody employed: listed
const EMPLOYED = 83_102; // Wangjia, employed: not listed
const DONGSHENG = 83_103; // Dongsheng (also Wanshan), nobody employed: listed for Wanshan's HR
const PHONE_IDLE = '13800002222';

let h: Harness;
let app: ReturnType<typeof createConsoleApp>;
const cookies = new Map<number, string>();
const households = new Map<number, string>();

beforeAll(async () => {
  h = await createHarness({
    adminIds: [ADMIN],
    adjustDeps: (deps) => {
      deps.consoleUrl = BASE;
    },
  });
  app = createConsoleApp({
    auth: h.deps.console,
    staff: h.deps.staff,
    lookup: h.deps.consoleLookup,
    labour: h.deps.labour,
    catalogue: h.deps.catalogue,
    communities: () => h.deps.reference.listCommunities(),
    translator: h.deps.translator,
    defaultLocale: 'zh-CN',
    secure: false,
    logger: createLogger('silent'),
  });
  await registerResident(h.user(IDLE), { name: '杨光明', phone: PHONE_IDLE });
  await registerResident(h.user(EMPLOYED), { name: '王大山', phone: '13800003333' });
  await registerResident(h.user(DONGSHENG), {
    name: '李秀英',
    phone: '13800004444',
    community: '冲广坪社区',
    building: '1栋',
    unit: '1 单元',
    room: '101',
  });
  for (const id of [IDLE, EMPLOYED, DONGSHENG]) {
    const r = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
    households.set(id, r.householdId);
  }
  await h.db.resident.update({
    where: { telegramId: BigInt(EMPLOYED) },
    data: { employmentStatus: 'employed_local' },
  });
  await makeStaff(h, HR, 'wanshan-human-resources', { displayName: '人社小李' });
  await makeStaff(h, HR_EN, 'wanshan-human-resources', { displayName: 'Li Na' });
  await makeStaff(h, EDUCATION, 'wanshan-education', { displayName: '教育局小刘' });
  await makeStaff(h, BIJIANG_HR, 'bijiang-human-resources', { displayName: '碧江人社小周' });
  for (const [id, community, name] of [
    [WORKER, 'wanshan-wangjia', '社区小张'],
    [WORKER_OTHER, 'bijiang-aitun', '艾坪小陈'],
  ] as const) {
    await h.db.staffMember.create({
      data: { telegramId: BigInt(id), role: 'worker', communityCode: community, displayName: name },
    });
  }
  for (const who of [HR, HR_EN, EDUCATION, WORKER, WORKER_OTHER, ADMIN, BIJIANG_HR])
    cookies.set(who, await signIn(h.user(who)));
  await app.request('/lang', {
    method: 'POST',
    headers: { cookie: cookies.get(HR_EN) as string, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: await csrfOf(HR_EN), locale: 'en', back: '/labour' }),
  });
});
afterAll(() => h.close());

async function signIn(u: SimUser): Promise<string> {
  const calls = await u.text('/console');
  const text = String(calls.find((c) => c.method === 'sendMessage')?.payload.text ?? '');
  const token = new RegExp(`${BASE}/login/([A-Za-z0-9_-]+)`).exec(text)?.[1];
  if (!token) throw new Error(`no link in: ${text}`);
  const res = await app.request(`/login/${token}`, { method: 'POST' });
  const cookie = /bm_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error('no session cookie');
  return `bm_session=${cookie}`;
}

const get = (path: string, who?: number) =>
  app.request(path, { headers: who === undefined ? {} : { cookie: cookies.get(who) as string } });

async function csrfOf(who: number): Promise<string> {
  const html = await (await get('/search', who)).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no csrf token');
  return token;
}

const auditRows = (who: number, action: string) =>
  h.db.auditLog.findMany({
    where: { actorTelegramId: BigInt(who), action },
    orderBy: { id: 'asc' },
  });

describe('the red-line page', () => {
  it("the district's human-resources staff: every household of Wanshan below the line, masked, audited", async () => {
    const res = await get('/labour', HR);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('有劳动力但没人上班的家庭');
    expect(html).toContain('共 2 户');
    expect(html).toContain('杨光明');
    expect(html).toContain('李秀英');
    expect(html).not.toContain('王大山');
    expect(html).toContain(maskPhone(PHONE_IDLE));
    expect(html).not.toContain(PHONE_IDLE);
    expect(html).toContain(`href="/households/${households.get(IDLE)}"`);
    expect(html).toContain(`href="/households/${households.get(DONGSHENG)}"`);
    expect(html).toMatch(/旺家社区[^<]*栋[^<]*单元/);
    const views = await auditRows(HR, 'pii.view');
    expect(views.at(-1)?.detail).toMatchObject({ via: 'labour', page: 0 });
    const residents = await h.db.resident.findMany({
      where: { telegramId: { in: [BigInt(IDLE), BigInt(DONGSHENG)] } },
    });
    for (const r of residents) expect(views.at(-1)?.subject).toContain(`resident:${r.id}`);
  });

  it('a community worker sees their community only; the link opens the household file', async () => {
    const html = await (await get('/labour', WORKER)).text();
    expect(html).toContain('共 1 户');
    expect(html).toContain('杨光明');
    expect(html).not.toContain('李秀英');
    expect(html).toContain('href="/labour"');
    const file = await get(`/households/${households.get(IDLE)}`, WORKER);
    expect(file.status).toBe(200);
    expect(await file.text()).toContain('杨光明');
  });

  it('another district: nobody of theirs below the line is said plainly', async () => {
    for (const who of [BIJIANG_HR, WORKER_OTHER]) {
      const html = await (await get('/labour', who)).text();
      expect(html).toContain('现在没有这样的家庭');
      expect(html).not.toContain('杨光明');
    }
  });

  it("human-resources staff open the file of a household on their list, and no other household's", async () => {
    const file = await get(`/households/${households.get(IDLE)}`, HR);
    expect(file.status).toBe(200);
    expect(await file.text()).toContain('杨光明');
    // Not below the red line (someone employed), no case with them: not theirs to open.
    expect((await get(`/households/${households.get(EMPLOYED)}`, HR)).status).toBe(404);
    // Another district's human resources, another department: refused, audited.
    for (const who of [BIJIANG_HR, EDUCATION]) {
      const res = await get(`/households/${households.get(IDLE)}`, who);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('杨光明');
      const denied = await auditRows(who, 'access.denied');
      expect(denied.at(-1)?.detail).toMatchObject({ attempted: 'household' });
    }
  });

  it('an admin sees every community', async () => {
    const html = await (await get('/labour', ADMIN)).text();
    expect(html).toContain('杨光明');
    expect(html).toContain('李秀英');
  });

  it('in English for a reader who chose it, with no Chinese but the names and places', async () => {
    const html = await (await get('/labour', HR_EN)).text();
    expect(html).toContain('Households with labour but nobody employed');
    expect(html).toContain('2 households');
    expect(html).toContain('Household file');
  });

  it('the menu links the page for those who may see it, and not for other departments', async () => {
    for (const who of [HR, WORKER, ADMIN, BIJIANG_HR])
      expect(await (await get('/search', who)).text()).toContain('href="/labour"');
    expect(await (await get('/search', EDUCATION)).text()).not.toContain('href="/labour"');
  });

  it('refused and audited for staff of another department; no session goes to sign in', async () => {
    const res = await get('/labour', EDUCATION);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('杨光明');
    const denied = await auditRows(EDUCATION, 'access.denied');
    expect(denied.at(-1)?.detail).toMatchObject({ what: 'labour' });
    const anonymous = await get('/labour');
    expect([302, 303, 401]).toContain(anonymous.status);
    expect(await anonymous.text()).not.toContain('杨光明');
  });

  it('wrong page numbers: text, zero, negative, huge — the nearest page, never an error', async () => {
    for (const page of ['abc', '0', '-1', '999999', '1'.repeat(50), '']) {
      const res = await get(`/labour?page=${encodeURIComponent(page)}`, HR);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('杨光明');
    }
  });
});
