// The console's figures, export and notice follow-up through hono's app.request, over the real database:
// the charts (well-formed SVG with titles, a table beside each, each bar a link to exactly its cases), the
// CSV (BOM, escaping, no personal data unless an admin confirmed), the unread households of an important
// notice and the reminder to exactly them (fixed by the notice sender's own start), and every refusal
// audited: another department, another community, a resident, a removed member, a form without its token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weekOf } from '../../src/app/console/figures.ts';
import { composeConsoleDesk } from '../../src/compose.ts';
import { createNoticeDeliveryRepository } from '../../src/db/repositories/notice-deliveries.ts';
import { beijingDateString } from '../../src/domain/beijing-time.ts';
import { audienceDay } from '../../src/domain/notice.ts';
import { createHarness, type Harness, type SimUser } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { buildingsOf, seedResidents } from '../support/seed-residents.ts';
import { fileSuggestion, makeStaff } from '../support/staff-scene.ts';
import { CONSOLE_BASE, type ConsoleApp, consoleAppOver, consoleRequests } from './console-support.ts';

const STAFF = 82_001;
const STAFF_EN = 82_002;
const OTHER_DEPT = 82_003;
const WORKER = 82_004;
const OTHER_WORKER = 82_005;
const ADMIN = 82_006;
const RESIDENT = 82_101;
const WANGJIA = 'wanshan-wangjia';
const HOUR = 3_600_000;
/** An export period that holds every case of the test (at most a year). */
const FROM = beijingDateString(new Date(Date.now() - 100 * 24 * HOUR));
const TO = beijingDateString(new Date(Date.now() + 24 * HOUR));

let h: Harness;
let app: ConsoleApp;
let offsetMs = 0;
let resident: SimUser;
let idNumber: string;
const now = () => new Date(Date.now() + offsetMs);
/** The cases filed for the figures: on time, late, open and overdue, rated. */
const cases: Record<
  'onTime' | 'late' | 'overdue' | 'rated' | 'comma' | 'monday',
  { caseId: string; number: string }
> = {} as never;

beforeAll(async () => {
  h = await createHarness({
    adminIds: [ADMIN],
    now,
    adjustDeps: (deps) => {
      deps.consoleUrl = CONSOLE_BASE;
    },
  });
  app = consoleAppOver(h, {
    now,
    ...composeConsoleDesk({ db: h.db, cipher: h.cipher, deps: h.deps }),
  });
  resident = h.user(RESIDENT);
  idNumber = await registerResident(resident);
  await makeStaff(h, STAFF, 'wanshan-neighbourhood', { displayName: '王主任' });
  await makeStaff(h, STAFF_EN, 'wanshan-neighbourhood', { displayName: 'Li Wei' });
  await makeStaff(h, OTHER_DEPT, 'wanshan-education', { displayName: '教育局小刘' });
  for (const [id, community] of [
    [WORKER, WANGJIA],
    [OTHER_WORKER, 'wanshan-dongsheng'],
  ] as const) {
    await h.db.staffMember.create({
      data: { telegramId: BigInt(id), role: 'worker', communityCode: community, displayName: `社区${id}` },
    });
  }
  // English is the person's own choice (/language).
  await h.db.telegramUser.upsert({
    where: { telegramId: BigInt(STAFF_EN) },
    create: { telegramId: BigInt(STAFF_EN), chatId: BigInt(STAFF_EN), locale: 'en' },
    update: { locale: 'en' },
  });

  // Five suggestions this week, with times set as their work went: the figures count what the rows say.
  const at = now();
  const hoursAgo = (n: number) => new Date(at.getTime() - n * HOUR);
  const file = async (text: string) => {
    const c = await fileSuggestion(h, resident, { text });
    // A resident may have only so many open cases: each is settled before the next is filed.
    await h.db.case.update({ where: { id: c.caseId }, data: { status: 'closed' } });
    return c;
  };
  cases.onTime = await file('楼道灯坏了');
  cases.late = await file('垃圾没人收');
  cases.overdue = await file('电梯响');
  cases.rated = await file('路灯不亮');
  cases.comma = await file('水管漏水');
  cases.monday = await file('健身器材坏了');
  const set = (id: string, data: Parameters<typeof h.db.case.update>[0]['data']) =>
    h.db.case.update({ where: { id }, data });
  // Everything was submitted a few hours ago (the week may have just begun: within the same week).
  const submitted = new Date(Math.max(hoursAgo(5).getTime(), Date.parse(`${weekOf(at)}T00:00:00+08:00`)));
  const later = (m: number) => new Date(submitted.getTime() + m * 60_000);
  await set(cases.onTime.caseId, {
    status: 'resolved',
    submittedAt: submitted,
    dueAt: later(120),
    firstResponseAt: later(10),
    resolvedAt: later(30),
  });
  await set(cases.late.caseId, {
    status: 'resolved',
    submittedAt: submitted,
    dueAt: later(5),
    firstResponseAt: later(20),
    resolvedAt: later(40),
  });
  await set(cases.overdue.caseId, { status: 'in_progress', submittedAt: submitted, dueAt: later(1) });
  await set(cases.rated.caseId, {
    status: 'closed',
    submittedAt: submitted,
    dueAt: later(600),
    firstResponseAt: later(15),
    resolvedAt: later(50),
    rating: 5,
  });
  await set(cases.comma.caseId, {
    status: 'submitted',
    submittedAt: submitted,
    dueAt: new Date(at.getTime() + 48 * HOUR),
  });
  // Ten past midnight on last week's Monday in Beijing: still Sunday in UTC, but last week's in the figures.
  await set(cases.monday.caseId, {
    submittedAt: new Date(Date.parse(`${lastWeek()}T00:10:00+08:00`)),
    dueAt: new Date(at.getTime() + 240 * HOUR),
  });
}, 120_000);
afterAll(() => h.close());

const { signIn, get, post, csrfOn } = consoleRequests(() => app);

const denied = async (actor: number) =>
  (
    await h.db.auditLog.findMany({
      where: { action: 'access.denied', actorTelegramId: BigInt(actor) },
      orderBy: { id: 'asc' },
    })
  ).map((r) => r.detail as Record<string, unknown>);

const unescapeHtml = (s: string) =>
  s.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<');

/**
 * Whether `svg` is well-formed XML: every tag closed in order, attributes quoted, no bare `<` or `&` in text
 * (a small checker: no XML parser is among the dependencies, and the browser test parses it for real).
 */
function wellFormed(svg: string): boolean {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  for (m = tag.exec(svg); m; m = tag.exec(svg)) {
    consumed = tag.lastIndex;
    const [, closing, name, , selfClosing, text] = m;
    if (text !== undefined) {
      if (/&(?!(amp|lt|gt|quot|#\d+|#x[0-9a-f]+);)/i.test(text)) return false;
      continue;
    }
    if (closing) {
      if (stack.pop() !== name) return false;
    } else if (!selfClosing) stack.push(name as string);
  }
  return consumed === svg.length && stack.length === 0;
}

/** The Monday before this week's, YYYY-MM-DD. */
const lastWeek = () =>
  new Date(Date.parse(`${weekOf(now())}T00:00:00Z`) - 7 * 24 * HOUR).toISOString().slice(0, 10);

const svgsOf = (html: string) => html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
const barLinks = (svg: string) =>
  [...svg.matchAll(/<a href="([^"]+)" aria-label="([^"]+)"/g)].map((m) => ({
    href: unescapeHtml(m[1] as string),
    label: m[2] as string,
  }));

describe('figures as pictures', () => {
  it('staff see their department: four charts, each well-formed SVG with a title, a table beside it', async () => {
    const cookie = await signIn(h.user(STAFF));
    const res = await get('/figures', cookie);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('万山区社区居委会的数据');
    const svgs = svgsOf(html);
    expect(svgs).toHaveLength(4);
    // The checker itself tells a broken SVG from a good one.
    expect(wellFormed('<svg><g><rect x="1"/></g></svg>')).toBe(true);
    for (const bad of ['<svg><g></svg>', '<svg><text>a & b</text></svg>', '<svg x=1></svg>'])
      expect(wellFormed(bad), bad).toBe(false);
    for (const svg of svgs) {
      expect(wellFormed(svg), svg.slice(0, 200)).toBe(true);
      expect(svg).toMatch(/<title id="chart-[a-z]+-title">[^<]+<\/title>/);
      expect(svg).toMatch(/<desc id="chart-[a-z]+-desc">[^<]+<\/desc>/);
      expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
      // Every bar has its own tooltip.
      expect((svg.match(/<rect [^>]*class="bar/g) ?? []).length).toBe(
        (svg.match(/<rect [^>]*class="bar[^>]*><title>/g) ?? []).length,
      );
    }
    expect((html.match(/<table class="data">/g) ?? []).length).toBe(4);
    // This week: 5 received, 3 resolved; on time 2 of 4 counted (the open one not yet due is not counted).
    const week = weekOf(now());
    const weekly = barLinks(svgs[0] as string);
    const received = weekly.find((b) => b.href.includes(`what=received&week=${week}`));
    expect(received?.label).toContain('收到 5 件');
    expect(weekly.find((b) => b.href.includes(`what=resolved&week=${week}`))?.label).toContain('办结 3 件');
    expect(barLinks(svgs[1] as string)).toEqual([
      {
        href: '/figures/cases?scope=department%3Awanshan-neighbourhood&what=counted&service=suggestion',
        label: '意见箱：4 件里按时 2 件，占 50%',
      },
    ]);
    expect(html).toContain('平均 5.0 星，共 1 个评价。');
  });

  it('each bar leads to exactly its cases', async () => {
    const cookie = await signIn(h.user(STAFF));
    const week = weekOf(now());
    const list = async (query: string) => {
      const res = await get(`/figures/cases?scope=department%3Awanshan-neighbourhood&${query}`, cookie);
      expect(res.status).toBe(200);
      const html = await res.text();
      return Object.values(cases)
        .filter((c) => html.includes(`>${c.number}<`))
        .map((c) => c.number)
        .sort();
    };
    const numbers = (...keys: (keyof typeof cases)[]) => keys.map((k) => cases[k].number).sort();
    expect(await list(`what=received&week=${week}`)).toEqual(
      numbers('onTime', 'late', 'overdue', 'rated', 'comma'),
    );
    expect(await list(`what=resolved&week=${week}`)).toEqual(numbers('onTime', 'late', 'rated'));
    expect(await list('what=counted&service=suggestion')).toEqual(
      numbers('onTime', 'late', 'overdue', 'rated'),
    );
    expect(await list('what=late&service=suggestion')).toEqual(numbers('late', 'overdue'));
    expect(await list('what=rated&rating=5')).toEqual(numbers('rated'));
    expect(await list('what=rated&rating=1')).toEqual([]);
    expect(await list(`what=received&week=${lastWeek()}`)).toEqual(numbers('monday'));
    // The case numbers open the case (their own department's).
    const html = await (await get(`/figures/cases?what=rated&rating=5`, cookie)).text();
    expect(html).toContain(`href="/cases/${cases.rated.caseId}"`);
  });

  it('in English for someone who chose English, with no Chinese words of ours', async () => {
    const cookie = await signIn(h.user(STAFF_EN));
    const html = await (await get('/figures', cookie)).text();
    expect(html).toContain('Cases received and resolved each week');
    expect(html).toContain('Suggestion box: 2 of 4 on time, 50%');
    expect(html).toContain('<html lang="en">');
    const words = html.replace(/<[^>]+>/g, ' ');
    expect(words).not.toMatch(/收到|办结|按时|件/);
  });

  it('refuses another department, another community, an unknown or garbled scope; audited', async () => {
    const staff = await signIn(h.user(STAFF));
    const other = await get('/figures?scope=department%3Awanshan-education', staff);
    expect(other.status).toBe(403);
    expect(await other.text()).toContain('您只能看自己部门或自己社区的数据');
    expect((await get('/figures?scope=community%3Awanshan-wangjia', staff)).status).toBe(403);
    expect((await get('/figures?scope=all', staff)).status).toBe(403);
    expect(
      (await get('/figures/cases?scope=department%3Awanshan-education&what=rated&rating=5', staff)).status,
    ).toBe(403);
    expect(await denied(STAFF)).toEqual(
      expect.arrayContaining([
        {
          attempted: 'figures',
          reason: 'not_allowed',
          scope: { kind: 'department', code: 'wanshan-education' },
        },
        { attempted: 'figures', reason: 'not_allowed', scope: { kind: 'all' } },
        {
          attempted: 'figures_cases',
          reason: 'not_allowed',
          scope: { kind: 'department', code: 'wanshan-education' },
        },
      ]),
    );
    expect((await get('/figures?scope=department%3A..%2Fetc', staff)).status).toBe(404);
    expect((await get('/figures/cases?what=received&week=yesterday', staff)).status).toBe(404);
    expect((await get('/figures/cases?what=rated&rating=9', staff)).status).toBe(404);
    expect((await get('/figures/cases?what=everything', staff)).status).toBe(404);

    const worker = await signIn(h.user(OTHER_WORKER));
    expect((await get('/figures?scope=community%3Awanshan-wangjia', worker)).status).toBe(403);
    expect(await denied(OTHER_WORKER)).toContainEqual({
      attempted: 'figures',
      reason: 'not_allowed',
      scope: { kind: 'community', code: 'wanshan-wangjia' },
    });
  });

  it("a worker sees their community's residents' cases; an admin any scope", async () => {
    const worker = await signIn(h.user(WORKER));
    const own = await get('/figures', worker);
    expect(own.status).toBe(200);
    const html = await own.text();
    expect(html).toContain('旺家社区');
    expect(html).toContain('意见箱：4 件里按时 2 件，占 50%');
    const admin = await signIn(h.user(ADMIN));
    for (const scope of ['all', 'department%3Awanshan-education', 'community%3Awanshan-dongsheng']) {
      expect((await get(`/figures?scope=${scope}`, admin)).status).toBe(200);
    }
    expect((await get('/figures?scope=department%3Anowhere', admin)).status).toBe(404);
    // An admin sees the list, but a case page is its department's staff's: the numbers are not links.
    const list = await (await get('/figures/cases?scope=all&what=rated&rating=5', admin)).text();
    expect(list).toContain(`>${cases.rated.number}<`);
    expect(list).not.toContain(`href="/cases/${cases.rated.caseId}"`);
  });

  it('a resident (no session) gets the sign-in page; a removed member is out at their next request', async () => {
    const res = await get('/figures');
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('登录');
    expect((await get('/export')).status).toBe(401);
    expect((await get('/notices')).status).toBe(401);
    const gone = 82_009;
    const id = await makeStaff(h, gone, 'wanshan-neighbourhood', { displayName: '要离开的人' });
    const cookie = await signIn(h.user(gone));
    expect((await get('/figures', cookie)).status).toBe(200);
    await h.db.staffMember.update({ where: { id }, data: { active: false, removedAt: new Date() } });
    expect((await get('/figures', cookie)).status).toBe(401);
    expect(await denied(gone)).toContainEqual({ attempted: 'console_session', reason: 'not_staff' });
  });
});

describe('the CSV export', () => {
  const csvLines = (body: string) =>
    body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');

  it('staff: their department, without personal data; a BOM for Excel; audited', async () => {
    const cookie = await signIn(h.user(STAFF));
    const form = await (await get('/export', cookie)).text();
    expect(form).toContain('不含个人信息');
    expect(form).not.toContain('name="personal"');
    const res = await post('/export', cookie, {
      _csrf: await csrfOn(cookie, '/export'),
      from: FROM,
      to: TO,
      department: 'wanshan-neighbourhood',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="cases-${FROM.replaceAll('-', '')}-${TO.replaceAll('-', '')}.csv"`,
    );
    // UTF-8's byte-order mark first, so that Excel reads the Chinese right.
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const body = new TextDecoder().decode(bytes);
    const lines = csvLines(body);
    expect(lines[0]).toBe(
      'number,service,department,department_name,status,priority,anonymous,submitted_at,due_at,first_response_at,resolved_at,closed_at,overdue,rating,assignee',
    );
    expect(lines).toHaveLength(1 + Object.keys(cases).length);
    expect(body).not.toContain(idNumber);
    expect(body).not.toContain('杨光明');
    expect(body).not.toContain('13800001234');
    const audit = await h.db.auditLog.findFirstOrThrow({
      where: { action: 'cases.export', actorTelegramId: BigInt(STAFF) },
    });
    expect(audit.detail).toMatchObject({
      withPersonalData: false,
      channel: 'console',
      rows: Object.keys(cases).length,
    });
    expect(audit.subject).toBe('department:wanshan-neighbourhood');
  });

  it('escapes commas, quotes and formula starts', async () => {
    const tricky = await makeStaff(h, 82_010, 'wanshan-neighbourhood', { displayName: '=王,"主任"' });
    await h.db.case.update({ where: { id: cases.comma.caseId }, data: { assigneeId: tricky } });
    const cookie = await signIn(h.user(STAFF));
    const res = await post('/export', cookie, {
      _csrf: await csrfOn(cookie, '/export'),
      from: FROM,
      to: TO,
    });
    const row = csvLines(await res.text()).find((l) => l.startsWith(cases.comma.number));
    expect(row?.endsWith(`,"'=王,""主任"""`)).toBe(true);
  });

  it('refuses staff personal data and another department, and a worker the export; audited', async () => {
    const cookie = await signIn(h.user(STAFF));
    const csrf = await csrfOn(cookie, '/export');
    const personal = await post('/export/confirmed', cookie, {
      _csrf: csrf,
      from: FROM,
      to: TO,
    });
    expect(personal.status).toBe(403);
    expect(await personal.text()).not.toContain(idNumber);
    const other = await post('/export', cookie, {
      _csrf: csrf,
      from: FROM,
      to: TO,
      department: 'wanshan-education',
    });
    expect(other.status).toBe(403);
    expect(await denied(STAFF)).toEqual(
      expect.arrayContaining([
        {
          attempted: 'export',
          reason: 'not_allowed',
          scope: { kind: 'department', code: 'wanshan-education' },
        },
        {
          attempted: 'export_personal',
          reason: 'not_allowed',
          scope: { kind: 'department', code: 'wanshan-neighbourhood' },
        },
      ]),
    );
    const worker = await signIn(h.user(WORKER));
    const res = await get('/export', worker);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('导出只给部门工作人员和管理员用');
    expect(await denied(WORKER)).toContainEqual({ attempted: 'export', reason: 'not_allowed', scope: null });
    expect(await h.db.auditLog.count({ where: { action: 'pii.export' } })).toBe(0);
  });

  it('refuses wrong dates in plain words, and a form without its token', async () => {
    const cookie = await signIn(h.user(STAFF));
    const csrf = await csrfOn(cookie, '/export');
    for (const [from, to] of [
      ['2026-12-31', '2026-01-01'],
      ['', ''],
      ['2020-01-01', '2026-12-31'], // more than a year
      ['a'.repeat(5000), '2026-12-31'],
    ]) {
      const res = await post('/export', cookie, { _csrf: csrf, from: from as string, to: to as string });
      expect(res.status).toBe(422);
      expect(await res.text()).toContain('日期不对');
    }
    // In English for someone who chose English.
    const en = await signIn(h.user(STAFF_EN));
    const wrong = await post('/export', en, { _csrf: await csrfOn(en, '/export'), from: TO, to: FROM });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('Those dates do not work');
    const forged = await post('/export', cookie, { from: FROM, to: TO });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('content-type')).not.toContain('csv');
  });

  it('an admin gets personal data only after the confirmation page; then audited as pii.export', async () => {
    const cookie = await signIn(h.user(ADMIN));
    const form = await (await get('/export', cookie)).text();
    expect(form).toContain('name="personal" value="1"');
    const csrf = await csrfOn(cookie, '/export');
    const ask = await post('/export', cookie, {
      _csrf: csrf,
      from: FROM,
      to: TO,
      department: '',
      personal: '1',
    });
    expect(ask.status).toBe(200);
    expect(ask.headers.get('content-type')).toContain('text/html');
    const page = await ask.text();
    expect(page).toContain('确认导出个人信息？');
    expect(page).not.toContain(idNumber);
    expect(await h.db.auditLog.count({ where: { action: 'pii.export' } })).toBe(0);
    const confirmed = await post('/export/confirmed', cookie, {
      _csrf: csrf,
      from: FROM,
      to: TO,
      department: '',
    });
    expect(confirmed.headers.get('content-disposition')).toContain('-personal.csv');
    const lines = csvLines(await confirmed.text());
    expect(lines[0]).toContain('resident_name,resident_phone,resident_id_number,address');
    const row = lines.find((l) => l.startsWith(cases.rated.number)) ?? '';
    expect(row).toContain(idNumber);
    expect(row).toContain('杨光明');
    const audit = await h.db.auditLog.findFirstOrThrow({ where: { action: 'pii.export' } });
    expect(audit.actorTelegramId).toBe(BigInt(ADMIN));
    expect(audit.detail).toMatchObject({ withPersonalData: true, channel: 'console' });
  });
});

describe('following up an important notice', () => {
  let noticeId: string;
  const readers = [82_201, 82_202];
  const unread = [82_203, 82_204, 82_205];
  const startDue = () =>
    createNoticeDeliveryRepository(h.db, { defaultLocale: 'zh-CN' }).startDue(now(), audienceDay(now()), [
      ADMIN,
    ]);

  beforeAll(async () => {
    const [b1, b2] = await buildingsOf(h.db, WANGJIA);
    await seedResidents(
      h.db,
      WANGJIA,
      [...readers, ...unread].map((telegramId, i) => ({
        telegramId,
        buildingId: (i % 2 === 0 ? b1 : b2)?.id as string,
      })),
    );
    const made = await h.deps.notices.create(
      { telegramId: WORKER, chatId: WORKER, locale: 'zh-CN' },
      {
        communityCode: WANGJIA,
        textZh: '周六上午打疫苗，请带身份证。',
        textEn: null,
        photoFileId: null,
        audience: { kind: 'community' },
        important: true,
        scheduledAt: null,
      },
      'followup-test',
    );
    if (!made.ok) throw new Error(made.error);
    noticeId = made.value.id;
    await startDue();
    for (const id of readers) expect((await h.deps.notices.markRead(id, noticeId)).ok).toBe(true);
  });

  it("lists the worker's important notices and who has not read one, by building and room", async () => {
    const cookie = await signIn(h.user(WORKER));
    const list = await (await get('/notices', cookie)).text();
    expect(list).toContain(`href="/notices/${noticeId}"`);
    expect(list).toContain('周六上午打疫苗');
    const res = await get(`/notices/${noticeId}`, cookie);
    expect(res.status).toBe(200);
    const html = await res.text();
    const rooms = await h.db.household.findMany({
      where: { residents: { some: { telegramId: { in: unread.map(BigInt) } } } },
      select: { room: true },
    });
    for (const r of rooms) expect(html).toContain(`<td>${r.room}</td>`);
    // The registered resident of the harness got it too and has not read it: four unread households.
    expect(html).toContain('还有 4 户没读');
    expect(html).toContain('1 单元');
    const readRooms = await h.db.household.findMany({
      where: { residents: { some: { telegramId: { in: readers.map(BigInt) } } } },
      select: { room: true },
    });
    for (const r of readRooms)
      if (!rooms.some((x) => x.room === r.room)) expect(html).not.toContain(`<td>${r.room}</td>`);
  });

  it('reminds exactly those who have not read it, through the notice sender; at most once an hour; audited', async () => {
    const cookie = await signIn(h.user(WORKER));
    const csrf = await csrfOn(cookie, `/notices/${noticeId}`);
    const res = await post(`/notices/${noticeId}/remind`, cookie, { _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/notices/${noticeId}?notice=reminded`);
    const reminder = await h.db.notice.findFirstOrThrow({ where: { remindsId: noticeId } });
    expect(reminder).toMatchObject({
      audience: 'unread',
      important: true,
      textZh: '周六上午打疫苗，请带身份证。',
    });
    expect(reminder.authorTelegramId).toBe(BigInt(WORKER));
    const audit = await h.db.auditLog.findFirstOrThrow({ where: { action: 'notice.reminded' } });
    expect(audit).toMatchObject({ actorTelegramId: BigInt(WORKER), subject: `notice:${noticeId}` });
    expect(audit.detail).toMatchObject({ residents: 4, reminder: reminder.id });
    // The sender starts it like any notice: its recipients are the unread, fixed now.
    await startDue();
    const to = await h.db.noticeDelivery.findMany({
      where: { noticeId: reminder.id },
      select: { telegramId: true },
    });
    expect(to.map((d) => Number(d.telegramId)).sort()).toEqual([...unread, RESIDENT].sort());

    // Again within the hour: refused in plain words, nothing new.
    const again = await post(`/notices/${noticeId}/remind`, cookie, { _csrf: csrf });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('一小时内已经提醒过了');
    expect(await h.db.notice.count({ where: { remindsId: noticeId } })).toBe(1);
    const page = await (await get(`/notices/${noticeId}`, cookie)).text();
    expect(page).toMatch(/<button type="submit" class="primary" id="remind" disabled/);

    // Reading the reminder counts as reading the notice: that household leaves the list.
    expect((await h.deps.notices.markRead(unread[0] as number, reminder.id)).ok).toBe(true);
    const after = await (await get(`/notices/${noticeId}`, cookie)).text();
    expect(after).toContain('还有 3 户没读');
    // An hour later, the next reminder goes to the three still unread.
    offsetMs = HOUR + 60_000;
    try {
      // (The session ended after 30 idle minutes: signed in again.)
      const later = await signIn(h.user(WORKER));
      const next = await post(`/notices/${noticeId}/remind`, later, { _csrf: await csrfOn(later) });
      expect(next.status).toBe(303);
      await startDue();
      const second = await h.db.notice.findFirstOrThrow({
        where: { remindsId: noticeId, id: { not: reminder.id } },
      });
      const to2 = await h.db.noticeDelivery.findMany({
        where: { noticeId: second.id },
        select: { telegramId: true },
      });
      expect(to2.map((d) => Number(d.telegramId)).sort()).toEqual([unread[1], unread[2], RESIDENT].sort());
      // Once everyone has read it, there is nobody to remind (and the page says so).
      for (const id of [unread[1], unread[2], RESIDENT] as number[])
        expect((await h.deps.notices.markRead(id, noticeId)).ok).toBe(true);
      offsetMs = 2 * HOUR + 120_000;
      const last = await signIn(h.user(WORKER));
      const none = await post(`/notices/${noticeId}/remind`, last, { _csrf: await csrfOn(last) });
      expect(none.status).toBe(409);
      expect(await none.text()).toContain('现在没有没读的人了');
      expect(await h.db.notice.count({ where: { remindsId: noticeId } })).toBe(2);
      expect(await (await get(`/notices/${noticeId}`, last)).text()).toContain('收到的人都已读了');
    } finally {
      offsetMs = 0;
    }
  });

  it('refuses a worker of another community, department staff, a made-up id and a forged form; audited', async () => {
    const other = await signIn(h.user(OTHER_WORKER));
    const res = await get(`/notices/${noticeId}`, other);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('周六上午打疫苗');
    const csrf = await csrfOn(other);
    expect((await post(`/notices/${noticeId}/remind`, other, { _csrf: csrf })).status).toBe(403);
    expect((await get('/notices', other)).status).toBe(200);
    expect(await (await get('/notices', other)).text()).not.toContain(noticeId);
    expect(await denied(OTHER_WORKER)).toEqual(
      expect.arrayContaining([
        { attempted: 'notice_followup', reason: 'not_allowed' },
        { attempted: 'notice_remind', reason: 'not_allowed' },
      ]),
    );
    const staff = await signIn(h.user(STAFF));
    expect((await get('/notices', staff)).status).toBe(403);
    expect(await denied(STAFF)).toContainEqual({ attempted: 'notice_followup', reason: 'not_allowed' });
    const worker = await signIn(h.user(WORKER));
    expect((await get('/notices/00000000-0000-4000-8000-000000000000', worker)).status).toBe(404);
    expect((await get('/notices/not-a-uuid', worker)).status).toBe(404);
    const forged = await post(`/notices/${noticeId}/remind`, worker, {});
    expect(forged.status).toBe(403);
    const admin = await signIn(h.user(ADMIN));
    expect((await get(`/notices/${noticeId}`, admin)).status).toBe(200);
  });
});
