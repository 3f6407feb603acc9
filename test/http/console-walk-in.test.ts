// Residents without Telegram (issue 12), through hono's app.request over the real database and the use cases
// main.ts wires: registering a resident at the window (who may, for which community; wrong, empty, oversized,
// forged input; the consent the clerk records; an ID number already registered; encrypted and audited),
// what staff do on such a resident's case becoming "to tell" items instead of Telegram messages, the to-tell
// list and the case page's banner (scope, the audited full phone, "told by phone / at the window" audited,
// CSRF, forged ids), and the bot's registration later attaching the Telegram account to the record.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILED_FOR_YOU_KIND } from '../../src/app/cases.ts';
import { fieldName } from '../../src/app/filing-form.ts';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { renderCard } from '../../src/bot/features/staff.ts';
import { composeConsoleDesk } from '../../src/compose.ts';
import { maskPhone } from '../../src/domain/mask.ts';
import { createHarness, type Harness, type SimUser } from '../support/bot-harness.ts';
import { answerEveryStep, formWords } from '../support/filing-answers.ts';
import { makeIdNumber } from '../support/fixtures.ts';
import { registerResident, takeSteps } from '../support/flows.ts';
import { registrationScript } from '../support/registration-script.ts';
import { fileSuggestion, makeStaff } from '../support/staff-scene.ts';
import { CONSOLE_BASE, type ConsoleApp, consoleAppOver, consoleRequests } from './console-support.ts';

const CLERK = 83_001;
const OTHER_DEPT = 83_002;
const WORKER = 83_003;
const WORKER_OTHER = 83_004;
const FAR_STAFF = 83_005;
const ADMIN = 83_006;
const NOBODY = 83_007;
const LATER_TELEGRAM = 83_101;
const NAME_MISMATCH = 83_102;
const HR = 83_008;
const PHONE = '13700002468';
const ID = makeIdNumber({ birthDate: '1948-03-09', seq: 731, sex: 'female' });

let h: Harness;
let app: ConsoleApp;
let desk: ReturnType<typeof composeConsoleDesk>;
let wangjiaBuilding: string;
let dongshengBuilding: string;
let bijiangBuilding: string;
const cookies = new Map<number, string>();

beforeAll(async () => {
  h = await createHarness({
    adminIds: [ADMIN],
    adjustDeps: (deps) => {
      deps.consoleUrl = CONSOLE_BASE;
    },
  });
  desk = composeConsoleDesk({ db: h.db, cipher: h.cipher, deps: h.deps });
  app = consoleAppOver(h, { lookup: h.deps.consoleLookup, ...desk });
  await makeStaff(h, CLERK, 'wanshan-neighbourhood', { displayName: '窗口小王' });
  await makeStaff(h, OTHER_DEPT, 'wanshan-education', { displayName: '教育局小刘' });
  await makeStaff(h, FAR_STAFF, 'bijiang-neighbourhood', { displayName: '碧江小李' });
  for (const [id, community] of [
    [WORKER, 'wanshan-wangjia'],
    [WORKER_OTHER, 'wanshan-dongsheng'],
  ] as const) {
    await h.db.staffMember.create({
      data: { telegramId: BigInt(id), role: 'worker', communityCode: community, displayName: `社区${id}` },
    });
  }
  const building = async (community: string) =>
    (await h.db.building.findFirstOrThrow({ where: { communityCode: community, code: '1' } })).id;
  wangjiaBuilding = await building('wanshan-wangjia');
  dongshengBuilding = await building('wanshan-dongsheng');
  bijiangBuilding = await building('bijiang-aitun');
  for (const who of [CLERK, OTHER_DEPT, WORKER, WORKER_OTHER, FAR_STAFF, ADMIN]) {
    cookies.set(who, await signIn(h.user(who)));
  }
});
afterAll(() => h.close());

const requests = consoleRequests(() => app);
/** A session cookie, signed in from the link /console sent (throws for someone who gets no link). */
const signIn = (u: SimUser) => requests.signIn(u);
const get = (path: string, who: number) => requests.get(path, cookies.get(who));

async function post(path: string, who: number, form: Record<string, string>, withCsrf = true) {
  const cookie = cookies.get(who) as string;
  return requests.post(path, cookie, withCsrf ? { _csrf: await requests.csrfOn(cookie), ...form } : form);
}

const form = (over: Record<string, string> = {}) => ({
  place: `wanshan-wangjia/${wangjiaBuilding}`,
  unit: '2',
  room: '501',
  name: '田桂英',
  phone: PHONE,
  idNumber: ID,
  consent: 'yes',
  ...over,
});

const audits = (action: string, actor: number) =>
  h.db.auditLog.findMany({ where: { action, actorTelegramId: BigInt(actor) }, orderBy: { id: 'asc' } });
const residentCount = () => h.db.resident.count();

/**
 * A case for a resident without Telegram, filed by the clerk at the window (the filing use case over
 * cases.submitFor, as the console's filing form files it): the generic form's answers, `preset` by step.
 */
async function fileAtWindow(
  residentId: string,
  serviceCode: string,
  preset: Record<string, string>,
): Promise<{ caseId: string; number: string }> {
  const raw = await answerEveryStep(desk.filing, CLERK, residentId, serviceCode, preset);
  const extras = { householdConfirmed: true, documentsSeen: [], note: null };
  const r = await desk.filing.file(CLERK, residentId, serviceCode, raw, formWords, extras, randomUUID());
  if (!r.ok) throw new Error(`not filed: ${JSON.stringify(r.error).slice(0, 300)}`);
  return { caseId: r.value.caseId, number: r.value.number };
}

const fileForWalkIn = (residentId: string, text: string, anonymous = false) =>
  fileAtWindow(residentId, 'suggestion', {
    topic: 'safety',
    content: text,
    anonymous: anonymous ? 'anonymous' : 'named',
  });

describe('registering a resident at the window', () => {
  it('shows the form with the consent text to read out, only the communities the clerk serves', async () => {
    const clerk = await (await get('/residents/new', CLERK)).text();
    expect(clerk).toContain('在窗口给居民登记');
    expect(clerk).toContain('我们会保存您填的名字、电话、身份证号和住址');
    expect(clerk).toContain('我已经念给居民听了，他/她同意');
    expect(clerk).toContain(`wanshan-wangjia/${wangjiaBuilding}`);
    expect(clerk).toContain(`wanshan-dongsheng/${dongshengBuilding}`);
    expect(clerk).not.toContain(bijiangBuilding);
    const worker = await (await get('/residents/new', WORKER)).text();
    expect(worker).toContain(wangjiaBuilding);
    expect(worker).not.toContain(dongshengBuilding);
  });

  it('refuses someone who is not staff, and is audited', async () => {
    const nobody = await signIn(h.user(NOBODY)).catch(() => null);
    // A resident or stranger gets no sign-in link at all; the use case refuses them too.
    expect(nobody).toBeNull();
    expect((await h.deps.staff.card(NOBODY, '00000000-0000-4000-8000-000000000000')).ok).toBe(false);
    const { walkIn } = composeConsoleDesk({ db: h.db, cipher: h.cipher, deps: h.deps });
    expect(await walkIn.form(NOBODY)).toEqual({ ok: false, error: 'not_allowed' });
    const input = {
      communityCode: 'wanshan-wangjia',
      buildingId: wangjiaBuilding,
      unit: '2',
      room: '501',
      name: '田桂英',
      phone: PHONE,
      idNumber: ID,
      consent: true,
    };
    expect(await walkIn.register(NOBODY, input)).toEqual({ ok: false, error: 'not_allowed' });
    expect((await audits('access.denied', NOBODY)).map((r) => r.detail)).toContainEqual({
      attempted: 'walk_in',
      reason: 'not_staff',
    });
  });

  it('refuses a form without its CSRF token; nothing is stored', async () => {
    const before = await residentCount();
    const res = await post('/residents/new', CLERK, form(), false);
    expect(res.status).toBe(403);
    expect(await residentCount()).toBe(before);
  });

  it('without the consent ticked: says so, keeps what was typed, stores nothing', async () => {
    const before = await residentCount();
    const { consent: _no, ...rest } = form();
    const res = await post('/residents/new', CLERK, rest);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('居民还没有同意');
    expect(html).toContain('value="田桂英"');
    expect(html).toContain(`value="${ID}"`);
    expect(await residentCount()).toBe(before);
  });

  it('wrong, empty and oversized fields: each named in plain words, nothing stored', async () => {
    const before = await residentCount();
    const wrongId = `${ID.slice(0, 17)}${ID.endsWith('1') ? '2' : '1'}`;
    const wrong = await post('/residents/new', CLERK, form({ idNumber: wrongId, name: '', phone: '12345' }));
    expect(wrong.status).toBe(422);
    const html = await wrong.text();
    expect(html).toContain('这个身份证号有一位不对');
    expect(html).toContain('名字不能空着');
    expect(html).toContain('这个手机号不对');
    expect(html).not.toMatch(/Error|undefined|stack/);
    const big = await post('/residents/new', CLERK, form({ name: '田'.repeat(5000), room: '9'.repeat(300) }));
    expect(big.status).toBe(422);
    expect(await big.text()).toContain('有几项填得不对');
    const unit = await post('/residents/new', CLERK, form({ unit: '99' }));
    expect(unit.status).toBe(422);
    expect(await unit.text()).toContain('这个楼栋或单元找不到');
    expect(await residentCount()).toBe(before);
  });

  it('refuses a forged building, another community (worker) and another district (staff), audited', async () => {
    const before = await residentCount();
    const forged = await post(
      '/residents/new',
      CLERK,
      form({ place: 'wanshan-wangjia/00000000-0000-4000-8000-000000000000' }),
    );
    expect(forged.status).toBe(422);
    const mixed = await post(
      '/residents/new',
      CLERK,
      form({ place: `wanshan-wangjia/${dongshengBuilding}` }),
    );
    expect(mixed.status).toBe(422);
    const worker = await post('/residents/new', WORKER_OTHER, form());
    expect(worker.status).toBe(403);
    const far = await post('/residents/new', FAR_STAFF, form());
    expect(far.status).toBe(403);
    expect(await residentCount()).toBe(before);
    for (const who of [WORKER_OTHER, FAR_STAFF]) {
      expect((await audits('access.denied', who)).at(-1)?.detail).toEqual({
        attempted: 'walk_in',
        reason: 'other_community',
      });
    }
  });

  it('registers: no Telegram id, consent recorded with the clerk, encrypted and hashed as the bot does, audited', async () => {
    const res = await post('/residents/new', CLERK, form());
    expect(res.status).toBe(303);
    const r = await h.db.resident.findFirstOrThrow({ where: { name: '田桂英' } });
    expect(res.headers.get('location')).toBe(`/residents/${r.id}/registered`);
    expect(r.telegramId).toBeNull();
    expect(r.consentRecordedBy).toBe(BigInt(CLERK));
    expect(r.consentVersion).toBe('2026-11-v1');
    expect(r.birthDate.toISOString().slice(0, 10)).toBe('1948-03-09');
    expect(r.sex).toBe('female');
    expect(Buffer.from(r.idNumberCipher).toString('latin1')).not.toContain(ID);
    expect(h.cipher.decrypt(r.idNumberCipher, piiAt.residentIdNumber(r.id))).toBe(ID);
    expect(h.cipher.decrypt(r.phoneCipher, piiAt.residentPhone(r.id))).toBe(PHONE);
    expect(Buffer.from(r.idNumberHash)).toEqual(Buffer.from(h.cipher.hash(ID)));
    expect(Buffer.from(r.phoneHash as Uint8Array)).toEqual(Buffer.from(h.cipher.hash(PHONE)));
    const household = await h.db.household.findUniqueOrThrow({ where: { id: r.householdId } });
    expect(household).toMatchObject({ communityCode: 'wanshan-wangjia', unit: '2', room: '501' });
    const row = (await audits('resident.registered_at_window', CLERK)).at(-1);
    expect(row?.subject).toBe(`resident:${r.id}`);
    expect(JSON.stringify(row?.detail)).not.toContain(ID);
    // The confirmation: masked, with the next step (filing for them); not for another community's worker.
    const page = await (await get(`/residents/${r.id}/registered`, CLERK)).text();
    expect(page).toContain('登记好了');
    expect(page).toContain(maskPhone(PHONE));
    expect(page).not.toContain(PHONE);
    expect(page).not.toContain(ID);
    expect(page).toContain(`href="/residents/${r.id}/file"`);
    expect((await get(`/residents/${r.id}/registered`, WORKER)).status).toBe(200);
    expect((await get(`/residents/${r.id}/registered`, WORKER_OTHER)).status).toBe(404);
    expect((await get('/residents/not-a-uuid/registered', CLERK)).status).toBe(404);
  });

  it('an ID number already registered: "already registered" with a link to that file, no duplicate', async () => {
    const before = await residentCount();
    const res = await post('/residents/new', CLERK, form({ name: '别人', unit: '1', room: '101' }));
    expect(res.status).toBe(409);
    const html = await res.text();
    const r = await h.db.resident.findFirstOrThrow({ where: { name: '田桂英' } });
    expect(html).toContain('这个身份证号已经登记过了');
    expect(html).toContain(`href="/households/${r.householdId}"`);
    expect(await residentCount()).toBe(before);
    expect(await audits('resident.window_duplicate', CLERK)).toHaveLength(1);
  });

  it('a search by an ID number that finds nobody links to the registration', async () => {
    const nobody = makeIdNumber({ birthDate: '1950-05-05', seq: 733, sex: 'male' });
    const html = await (await post('/search', CLERK, { q: nobody })).text();
    expect(html).toContain('href="/residents/new"');
  });
});

describe('telling a resident without Telegram', () => {
  let residentId: string;
  let filed: { caseId: string; number: string };
  let tellId: string;

  beforeAll(async () => {
    residentId = (await h.db.resident.findFirstOrThrow({ where: { name: '田桂英' } })).id;
    filed = await fileForWalkIn(residentId, '楼下的路灯坏了');
  });

  it("staff's reply becomes a to-tell item, not a Telegram message; the case says so", async () => {
    expect((await h.deps.staff.take(CLERK, filed.caseId, 'console')).ok).toBe(true);
    const before = await h.db.notification.count({
      where: { caseId: filed.caseId, kind: { startsWith: 'resident.' } },
    });
    const res = await post(`/cases/${filed.caseId}/reply`, CLERK, { text: '下周一来修，请留意。' });
    expect(res.status).toBe(303);
    expect(
      await h.db.notification.count({ where: { caseId: filed.caseId, kind: { startsWith: 'resident.' } } }),
    ).toBe(before);
    const tells = await h.db.residentTell.findMany({ where: { caseId: filed.caseId } });
    expect(tells).toHaveLength(1);
    expect(tells[0]).toMatchObject({ residentId, kind: 'resident.reply', toldAt: null });
    expect(tells[0]?.eventId).not.toBeNull();
    tellId = tells[0]?.id as string;
    expect(res.headers.get('location')).toBe(`/cases/${filed.caseId}?notice=reply`);
    const page = await (await get(`/cases/${filed.caseId}?notice=reply`, CLERK)).text();
    expect(page).toContain('已经记到“待告知”里');
    expect(page).not.toContain('回复已经发给居民');
    expect(page).toContain('没有（请打电话或在窗口告诉他/她）');
    expect(page).toContain('这位居民没有用 Telegram：请打电话或在窗口告诉他/她');
    expect(page).toContain('工作人员回复了');
    expect(page).toContain(`action="/tell/${tellId}/told"`);
    // The bot's staff card says the same.
    const card = await h.deps.staff.card(CLERK, filed.caseId);
    if (!card.ok) throw new Error('no card');
    expect(card.value.resident?.noTelegram).toBe(true);
    expect(renderCard(h.deps.translator.t('zh-CN'), 'zh-CN', card.value)).toContain(
      '这位居民没有用 Telegram，收不到机器人的消息：有了答复请打电话或在窗口告诉他/她。',
    );
    expect(renderCard(h.deps.translator.t('en'), 'en', card.value)).toContain(
      'tell them the answer by phone',
    );
  });

  it('the to-tell list: what staff said, the phone masked; only for who serves them', async () => {
    const html = await (await get('/tell', CLERK)).text();
    expect(html).toContain(filed.number);
    expect(html).toContain('下周一来修，请留意。');
    expect(html).toContain('田桂英');
    expect(html).toContain(maskPhone(PHONE));
    expect(html).not.toContain(PHONE);
    expect(await (await get('/tell', WORKER)).text()).toContain(filed.number);
    expect(await (await get('/tell', ADMIN)).text()).toContain(filed.number);
    for (const who of [WORKER_OTHER, OTHER_DEPT, FAR_STAFF]) {
      const other = await (await get('/tell', who)).text();
      expect(other).not.toContain(filed.number);
      expect(other).toContain('现在没有要告知的事');
    }
  });

  it('the full phone on request, audited; refused for someone else and for a forged id', async () => {
    const res = await post(`/tell/${tellId}/phone`, CLERK, {});
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(PHONE);
    const row = (await audits('pii.view', CLERK)).at(-1);
    expect(row?.subject).toBe(`resident:${residentId}`);
    expect(row?.detail).toMatchObject({ fields: ['phone'], for: 'tell' });
    const other = await post(`/tell/${tellId}/phone`, WORKER_OTHER, {});
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain(PHONE);
    expect((await audits('access.denied', WORKER_OTHER)).at(-1)?.detail).toMatchObject({
      attempted: 'tell_phone',
      reason: 'out_of_scope',
    });
    expect((await post('/tell/not-an-id/phone', CLERK, {})).status).toBe(404);
    expect((await post('/tell/00000000-0000-4000-8000-000000000000/phone', CLERK, {})).status).toBe(404);
  });

  it('"told": CSRF, forged ids, someone else and a wrong "how" are refused; nothing changes', async () => {
    expect((await post(`/tell/${tellId}/told`, CLERK, { how: 'phone' }, false)).status).toBe(403);
    expect((await post(`/tell/${tellId}/told`, OTHER_DEPT, { how: 'phone' })).status).toBe(404);
    expect(
      (await post('/tell/00000000-0000-4000-8000-000000000000/told', CLERK, { how: 'phone' })).status,
    ).toBe(404);
    const how = await post(`/tell/${tellId}/told`, CLERK, { how: 'email' });
    expect(how.status).toBe(200);
    expect(await how.text()).toContain('请选是打电话还是在窗口告诉的');
    expect((await h.db.residentTell.findUniqueOrThrow({ where: { id: tellId } })).toldAt).toBeNull();
  });

  it('told by phone: recorded with who and how, audited, gone from the list; a second time says so', async () => {
    const res = await post(`/tell/${tellId}/told`, CLERK, { how: 'phone', back: '/tell' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/tell?notice=told');
    const row = await h.db.residentTell.findUniqueOrThrow({ where: { id: tellId } });
    expect(row.toldHow).toBe('phone');
    expect(row.toldBy).toBe(BigInt(CLERK));
    expect(row.toldAt).not.toBeNull();
    expect((await audits('tell.told', CLERK)).at(-1)).toMatchObject({
      caseId: filed.caseId,
      subject: `resident:${residentId}`,
      detail: { how: 'phone', what: 'resident.reply', item: tellId },
    });
    const list = await (await get('/tell?notice=told', CLERK)).text();
    expect(list).toContain('记下了');
    expect(list).toContain('现在没有要告知的事');
    const again = await post(`/tell/${tellId}/told`, WORKER, { how: 'window' });
    expect(await again.text()).toContain('这件事已经有人告诉过居民了');
    expect((await h.db.residentTell.findUniqueOrThrow({ where: { id: tellId } })).toldHow).toBe('phone');
  });

  it('a transfer and a resolution become items too; an anonymous suggestion does not name its author', async () => {
    expect((await h.deps.staff.resolve(CLERK, filed.caseId, '已经修好了。')).ok).toBe(true);
    const kinds = (
      await h.db.residentTell.findMany({ where: { caseId: filed.caseId }, orderBy: { createdAt: 'asc' } })
    ).map((t) => t.kind);
    expect(kinds).toEqual(['resident.reply', 'resident.resolved']);
    const second = await fileForWalkIn(residentId, '垃圾没人收');
    expect((await h.deps.staff.take(CLERK, second.caseId, 'console')).ok).toBe(true);
    expect((await h.deps.staff.transfer(CLERK, second.caseId, 'wanshan-civil-affairs', '民政的事')).ok).toBe(
      true,
    );
    const moved = await h.db.residentTell.findMany({ where: { caseId: second.caseId } });
    const anonymous = await fileForWalkIn(residentId, '有人在楼道堆东西', true);
    expect((await h.deps.staff.take(CLERK, anonymous.caseId, 'console')).ok).toBe(true);
    expect((await h.deps.staff.reply(CLERK, anonymous.caseId, '我们去看看')).ok).toBe(true);
    expect(await h.db.residentTell.count({ where: { caseId: anonymous.caseId } })).toBe(0);
    expect(await (await get('/tell', CLERK)).text()).not.toContain(anonymous.number);
    expect(moved.map((t) => [t.kind, t.params])).toEqual([
      ['resident.transferred', { to: 'wanshan-civil-affairs' }],
    ]);
  });
  it('jobs recommended to a job seeker without Telegram become an item the HR window tells', async () => {
    await makeStaff(h, HR, 'wanshan-human-resources', { displayName: '人社小周' });
    cookies.set(HR, await signIn(h.user(HR)));
    const id = makeIdNumber({ birthDate: '1990-08-08', seq: 739, sex: 'female' });
    const registered = await post(
      '/residents/new',
      CLERK,
      form({ name: '罗小芳', idNumber: id, room: '702' }),
    );
    expect(registered.status).toBe(303);
    const seeker = (await h.db.resident.findFirstOrThrow({ where: { name: '罗小芳' } })).id;
    const filed = await fileAtWindow(seeker, 'job_seeking', {});
    expect((await h.deps.staff.take(HR, filed.caseId, 'console')).ok).toBe(true);
    const sent = await h.deps.jobOffers.recommend(HR, filed.caseId, [
      { employer: '万山园区电子厂', pay: '每月3500元', place: '万山工业园', contact: '李经理 13800000000' },
    ]);
    expect(sent.ok).toBe(true);
    const items = await h.db.residentTell.findMany({ where: { caseId: filed.caseId } });
    expect(items.map((t) => [t.kind, t.params])).toEqual([['resident.jobs_recommended', { count: '1' }]]);
    expect(
      await h.db.notification.count({ where: { caseId: filed.caseId, kind: 'resident.jobs_recommended' } }),
    ).toBe(0);
    expect(await (await get('/tell', HR)).text()).toContain('给居民推荐了 1 个工作');
  });
});

describe('the bot: a resident registered at the window starts the bot later', () => {
  it('registering with the same ID number and name attaches the Telegram account; answers then go to Telegram', async () => {
    const r = await h.db.resident.findFirstOrThrow({ where: { name: '田桂英' } });
    const before = await residentCount();
    const u = h.user(LATER_TELEGRAM);
    await registerResident(u, { name: '田桂英', phone: PHONE, idNumber: ID });
    expect(await residentCount()).toBe(before);
    const after = await h.db.resident.findUniqueOrThrow({ where: { id: r.id } });
    expect(after.telegramId).toBe(BigInt(LATER_TELEGRAM));
    expect(after.householdId).toBe(r.householdId);
    expect(after.consentRecordedBy).toBeNull();
    expect(await h.db.registrationConflict.count({ where: { telegramId: BigInt(LATER_TELEGRAM) } })).toBe(0);
    expect((await audits('registration.attached', LATER_TELEGRAM)).at(-1)?.subject).toBe(`resident:${r.id}`);
    // Their cases from the window now reach them in Telegram.
    const open = await h.db.case.findMany({ where: { residentId: r.id } });
    expect(open.every((c) => c.telegramId === BigInt(LATER_TELEGRAM))).toBe(true);
    const third = await fileSuggestion(h, u, { text: '电梯坏了' });
    expect((await h.deps.staff.take(CLERK, third.caseId, 'console')).ok).toBe(true);
    expect((await h.deps.staff.reply(CLERK, third.caseId, '明天修')).ok).toBe(true);
    expect(await h.db.residentTell.count({ where: { caseId: third.caseId } })).toBe(0);
    expect(
      await h.db.notification.count({
        where: { caseId: third.caseId, telegramId: BigInt(LATER_TELEGRAM), kind: 'resident.reply' },
      }),
    ).toBe(1);
    const card = await h.deps.staff.card(CLERK, third.caseId);
    expect(card.ok && card.value.resident?.noTelegram).toBe(false);
  });

  it('a different name with a window-registered ID number is the usual check at the window (a conflict)', async () => {
    const id = makeIdNumber({ birthDate: '1951-07-07', seq: 735, sex: 'male' });
    const res = await post('/residents/new', CLERK, form({ name: '龙正华', idNumber: id, room: '502' }));
    expect(res.status).toBe(303);
    const u = h.user(NAME_MISMATCH);
    await takeSteps(u, registrationScript(id, { name: '龙大华', phone: '13600001357' }));
    expect(u.lastText()).toContain('核对一下身份证');
    const window = await h.db.resident.findFirstOrThrow({ where: { name: '龙正华' } });
    expect(window.telegramId).toBeNull();
    const conflict = await h.db.registrationConflict.findUniqueOrThrow({
      where: { telegramId: BigInt(NAME_MISMATCH) },
    });
    // The window checks the ID card and moves the registration: the window's record under that number is
    // ended (erased as /deleteme would), the Telegram registrant registered.
    expect(await h.deps.registrationConflicts.move(ADMIN, conflict.id)).toEqual({
      ok: true,
      value: { firstEnded: true },
    });
    expect(await h.db.resident.count({ where: { id: window.id } })).toBe(0);
    const moved = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(NAME_MISMATCH) } });
    expect(moved.name).toBe('龙大华');
    expect(Buffer.from(moved.idNumberHash)).toEqual(Buffer.from(h.cipher.hash(id)));
  });
});

describe('erasing a resident without Telegram at their request', () => {
  it('a clerk of their community erases them as /deleteme would; audited; nobody else can', async () => {
    const id = makeIdNumber({ birthDate: '1944-02-02', seq: 737, sex: 'female' });
    const res = await post('/residents/new', WORKER, form({ name: '石秀兰', idNumber: id, room: '601' }));
    expect(res.status).toBe(303);
    const r = await h.db.resident.findFirstOrThrow({ where: { name: '石秀兰' } });
    const filed = await fileForWalkIn(r.id, '想问问低保怎么办');
    expect((await h.deps.staff.take(CLERK, filed.caseId, 'console')).ok).toBe(true);
    expect((await h.deps.staff.reply(CLERK, filed.caseId, '请带户口本来窗口')).ok).toBe(true);
    expect(await h.db.residentTell.count({ where: { residentId: r.id } })).toBe(1);

    // The household file links to it for a resident without Telegram.
    const file = await (await get(`/households/${r.householdId}`, WORKER)).text();
    expect(file).toContain(`href="/residents/${r.id}/erase"`);
    expect(await (await get(`/residents/${r.id}/erase`, WORKER)).text()).toContain('确定删除');
    // Someone else's, a forged id, without the form token: refused, nothing gone.
    expect((await post(`/residents/${r.id}/erase`, WORKER_OTHER, {})).status).toBe(404);
    expect((await post(`/residents/${r.id}/erase`, FAR_STAFF, {})).status).toBe(404);
    expect((await post('/residents/00000000-0000-4000-8000-000000000000/erase', WORKER, {})).status).toBe(
      404,
    );
    expect((await post(`/residents/${r.id}/erase`, WORKER, {}, false)).status).toBe(403);
    expect(await h.db.resident.count({ where: { id: r.id } })).toBe(1);
    expect((await audits('access.denied', WORKER_OTHER)).at(-1)?.detail).toEqual({
      attempted: 'walk_in_erase',
      reason: 'other_community',
    });

    const done = await post(`/residents/${r.id}/erase`, WORKER, {});
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('已经删除了');
    expect(await h.db.resident.count({ where: { id: r.id } })).toBe(0);
    expect(await h.db.household.count({ where: { id: r.householdId } })).toBe(0);
    expect(await h.db.residentTell.count({ where: { caseId: filed.caseId } })).toBe(0);
    const c = await h.db.case.findUniqueOrThrow({ where: { id: filed.caseId } });
    expect(c.residentId).toBeNull();
    expect(c.anonymisedAt).not.toBeNull();
    expect(c.status).toBe('withdrawn');
    expect((await audits('resident.erased_at_window', WORKER)).at(-1)?.detail).toEqual({
      community: 'wanshan-wangjia',
      cases: 1,
    });
    expect(await h.db.auditLog.count({ where: { subject: { contains: r.id } } })).toBe(0);
    expect((await post(`/residents/${r.id}/erase`, WORKER, {})).status).toBe(404);
  });

  it('a resident on Telegram is not erased from the console (they use /deleteme)', async () => {
    const r = await h.db.resident.findFirstOrThrow({ where: { telegramId: BigInt(LATER_TELEGRAM) } });
    expect((await get(`/residents/${r.id}/erase`, CLERK)).status).toBe(404);
    expect((await post(`/residents/${r.id}/erase`, CLERK, {})).status).toBe(404);
    expect(await h.db.resident.count({ where: { id: r.id } })).toBe(1);
  });
});

describe('in English', () => {
  it('the form, its errors and the to-tell list read in English, no Chinese UI words', async () => {
    const EN = 83_009;
    await makeStaff(h, EN, 'wanshan-neighbourhood', { displayName: 'Li Wei' });
    cookies.set(EN, await signIn(h.user(EN)));
    await post('/lang', EN, { locale: 'en', back: '/residents/new' });
    const page = await (await get('/residents/new', EN)).text();
    expect(page).toContain('Register a resident at the window');
    expect(page).toContain('I read it to the resident and they agreed');
    const rest = form({
      idNumber: makeIdNumber({ birthDate: '1960-06-06', seq: 741, sex: 'male' }),
    });
    const refused = await (await post('/residents/new', EN, { ...rest, phone: '123' })).text();
    expect(refused).toContain('Some items are not right');
    expect(refused).toContain('it should have 11 digits');
    const main = (html: string) => html.slice(html.indexOf('<main'), html.indexOf('</main>'));
    // Only what was typed (and the community names) may be Chinese.
    expect(
      main(refused)
        .replace(/value="[^"]*"/g, '')
        .replace(/<option[^>]*>[^<]*<\/option>/g, '')
        .replace(/label="[^"]*"/g, ''),
    ).not.toMatch(/[\u4e00-\u9fff]/);
    const list = await (await get('/tell', EN)).text();
    expect(list).toContain('To tell: residents without Telegram');
  });
});

describe('filing at the window for a resident registered there (no Telegram id)', () => {
  it('the registered page → choose a service → the form → confirm → the slip; no Telegram message; the staff told to tell', async () => {
    const id = makeIdNumber({ birthDate: '1946-11-11', seq: 743, sex: 'male' });
    const registered = await post(
      '/residents/new',
      CLERK,
      form({ name: '杨老根', idNumber: id, room: '803' }),
    );
    expect(registered.status).toBe(303);
    const r = await h.db.resident.findFirstOrThrow({ where: { name: '杨老根' } });
    expect(r.telegramId).toBeNull();
    const next = await (await get(registered.headers.get('location') as string, CLERK)).text();
    expect(next).toContain(`href="/residents/${r.id}/file"`);
    const choose = await (await get(`/residents/${r.id}/file`, CLERK)).text();
    expect(choose).toContain(`href="/residents/${r.id}/file/suggestion"`);
    expect(choose).toContain('没有用 Telegram：有进展时请打电话或在窗口告诉他/她');

    const path = `/residents/${r.id}/file/suggestion`;
    const answers = {
      [fieldName('topic')]: 'safety',
      [fieldName('content')]: '楼梯扶手松了',
      [fieldName('anonymous')]: 'named',
      key: randomUUID(),
    };
    const review = await post(path, CLERK, { ...answers, action: 'review' });
    expect(review.status).toBe(200);
    expect(await review.text()).toContain('居民没有用 Telegram：提交后请把打印的回执交给他/她');
    const filed = await post(path, CLERK, { ...answers, action: 'file' });
    expect(filed.status).toBe(303);
    const slipPath = filed.headers.get('location') as string;
    const caseId = /^\/slips\/([0-9a-f-]{36})$/.exec(slipPath)?.[1] as string;
    const row = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(row).toMatchObject({ residentId: r.id, telegramId: null, filedVia: 'window' });
    // No message for a Telegram id the resident has not got; the filing event and its audit row are there.
    expect(await h.db.notification.count({ where: { caseId, kind: FILED_FOR_YOU_KIND } })).toBe(0);
    expect(await h.db.notification.count({ where: { caseId, kind: { startsWith: 'resident.' } } })).toBe(0);
    const [event] = await h.db.caseEvent.findMany({ where: { caseId }, orderBy: { id: 'asc' } });
    expect(event).toMatchObject({ kind: 'filed_at_window', actorKind: 'staff' });
    const audit = await h.db.auditLog.findFirstOrThrow({ where: { caseId, action: 'case.filed_for' } });
    expect(audit.actorTelegramId).toBe(BigInt(CLERK));
    expect(audit.subject).toBe(`resident:${r.id}`);

    // The slip prints with the number and the resident's masked ID number.
    const slip = await (await get(slipPath, CLERK)).text();
    expect(slip).toContain(row.number);
    expect(slip).toContain('办事回执：意见箱');
    expect(slip).not.toContain(id);

    // The staff card and the case page say to tell the resident; a reply becomes a to-tell item.
    const card = await h.deps.staff.card(CLERK, caseId);
    if (!card.ok) throw new Error('no card');
    const text = renderCard(h.deps.translator.t('zh-CN'), 'zh-CN', card.value);
    expect(text).toContain('在窗口替居民提交');
    expect(text).toContain('这位居民没有用 Telegram');
    const second = await fileForWalkIn(r.id, '楼道灯不亮');
    const others = await h.deps.staff.otherCases(CLERK, second.caseId);
    expect(others.ok && others.value.map((o) => o.id)).toEqual([caseId]);
    expect((await h.deps.staff.take(CLERK, caseId, 'console')).ok).toBe(true);
    const res = await post(`/cases/${caseId}/reply`, CLERK, { text: '明天师傅来修。' });
    expect(res.status).toBe(303);
    const items = await h.db.residentTell.findMany({ where: { caseId } });
    expect(items.map((t) => t.kind)).toEqual(['resident.reply']);
    expect(await h.db.notification.count({ where: { caseId, kind: { startsWith: 'resident.' } } })).toBe(0);
    expect(await (await get('/tell', CLERK)).text()).toContain(row.number);
    const page = await (await get(`/cases/${caseId}`, CLERK)).text();
    expect(page).toContain('这位居民没有用 Telegram：请打电话或在窗口告诉他/她');
  });

  it('search results and the household page link "替他/她办事" for those who may file for the resident', async () => {
    const r = await h.db.resident.findFirstOrThrow({ where: { name: '杨老根' } });
    const link = `href="/residents/${r.id}/file"`;
    // The clerk (any registered resident) and the community's worker: the link, on both pages.
    for (const who of [CLERK, WORKER]) {
      expect(await (await post('/search', who, { q: '杨老根' })).text()).toContain(link);
      const file = await (await get(`/households/${r.householdId}`, who)).text();
      expect(file).toContain(link);
      expect(file).toContain('替他/她办事<span class="sr-only"> 杨老根</span>');
    }
    // An admin sees the person and the file, but files for nobody; the link works for the clerk only.
    const found = await (await post('/search', ADMIN, { q: '杨老根' })).text();
    expect(found).toContain(`href="/households/${r.householdId}"`);
    expect(found).not.toContain(link);
    const file = await (await get(`/households/${r.householdId}`, ADMIN)).text();
    expect(file).toContain('杨老根');
    expect(file).not.toContain(link);
    expect((await get(`/residents/${r.id}/file`, ADMIN)).status).toBe(404);
    // Another community's worker: neither the person nor a link, and the filing page is refused.
    expect(await (await post('/search', WORKER_OTHER, { q: '杨老根' })).text()).not.toContain(link);
    expect((await get(`/households/${r.householdId}`, WORKER_OTHER)).status).toBe(404);
    expect((await get(`/residents/${r.id}/file`, WORKER_OTHER)).status).toBe(404);
    expect((await get(`/residents/${r.id}/file`, CLERK)).status).toBe(200);
  });
});
