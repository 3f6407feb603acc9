// Composing a community notice in the console, through hono's app.request over the real database: the form,
// the count (plain and htmx), the preview of each language version exactly as the bot renders it, sending
// (one notice per form key, the author's chat for the progress report), every wrong input answered in plain
// words in both languages with nothing lost, and every refusal audited: a worker of another community, a
// department's staff, a resident, a removed worker, a form without its token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeConsoleDesk } from '../../src/compose.ts';
import { createHarness, type Harness } from '../support/bot-harness.ts';
import { buildingsOf, seedResidents } from '../support/seed-residents.ts';
import { makeStaff } from '../support/staff-scene.ts';
import { CONSOLE_BASE, type ConsoleApp, consoleAppOver, consoleRequests } from './console-support.ts';

const WORKER = 83_001;
const WORKER_EN = 83_002;
const OTHER_WORKER = 83_003;
const STAFF = 83_004;
const ADMIN = 83_005;
const GONE = 83_006;
const WANGJIA = 'wanshan-wangjia';
const DAY = 86_400_000;

let h: Harness;
let app: ConsoleApp;
let b1: string;
let b2: string;
const now = () => new Date();

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
  for (const [id, community] of [
    [WORKER, WANGJIA],
    [WORKER_EN, WANGJIA],
    [OTHER_WORKER, 'wanshan-dongsheng'],
    [GONE, WANGJIA],
  ] as const) {
    await h.db.staffMember.create({
      data: { telegramId: BigInt(id), role: 'worker', communityCode: community, displayName: `社区${id}` },
    });
  }
  await h.db.telegramUser.upsert({
    where: { telegramId: BigInt(WORKER_EN) },
    create: { telegramId: BigInt(WORKER_EN), chatId: BigInt(WORKER_EN), locale: 'en' },
    update: { locale: 'en' },
  });
  await makeStaff(h, STAFF, 'wanshan-neighbourhood', { displayName: '王主任' });
  const [x, y] = await buildingsOf(h.db, WANGJIA);
  b1 = x?.id as string;
  b2 = y?.id as string;
  // Three residents in the first building, two in the second.
  await seedResidents(
    h.db,
    WANGJIA,
    [83_101, 83_102, 83_103, 83_104, 83_105].map((telegramId, i) => ({
      telegramId,
      buildingId: i < 3 ? b1 : b2,
    })),
  );
}, 120_000);
afterAll(() => h.close());

const { signIn, get, post } = consoleRequests(() => app);

/** The form as first shown: its token and its key. */
async function openForm(cookie: string): Promise<{ csrf: string; key: string; html: string }> {
  const res = await get('/notices/new', cookie);
  expect(res.status).toBe(200);
  const html = await res.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const key = /name="key" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf || !key) throw new Error('no form token or key');
  return { csrf, key, html };
}

const unescapeHtml = (s: string) =>
  s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

/** A Beijing wall-clock time `days` from now, as a datetime-local input sends it. */
const beijingInput = (days: number) =>
  new Date(Date.now() + days * DAY + 8 * 3_600_000).toISOString().slice(0, 16);

const denied = async (actor: number) =>
  (await h.db.auditLog.findMany({ where: { action: 'access.denied', actorTelegramId: BigInt(actor) } })).map(
    (r) => r.detail as Record<string, unknown>,
  );

const noticesBy = (author: number) => h.db.notice.findMany({ where: { authorTelegramId: BigInt(author) } });

describe('the form and the count', () => {
  it('a worker sees the form with the whole community counted, linked from the notices page', async () => {
    const cookie = await signIn(h.user(WORKER));
    expect(await (await get('/notices', cookie)).text()).toContain('href="/notices/new"');
    const { html } = await openForm(cookie);
    expect(html).toContain('写社区通知');
    expect(html).toContain('能收到的居民：5 位。');
    // Photos stay in Telegram, and the page says so (no dead upload control).
    expect(html).toContain('请在 Telegram 里发 /notice 写');
    expect(html).not.toContain('type="file"');
  });

  it('counts the chosen buildings, with and without htmx (htmx gets the same page, it swaps the audience part)', async () => {
    const cookie = await signIn(h.user(WORKER));
    const { csrf, key } = await openForm(cookie);
    const form: [string, string][] = [
      ['_csrf', csrf],
      ['key', key],
      ['textZh', '明天停水'],
      ['audience', 'buildings'],
      ['buildings[]', b1],
      ['op', 'count'],
    ];
    const plain = await post('/notices/new', cookie, form);
    expect(plain.status).toBe(200);
    const html = await plain.text();
    expect(html).toContain('能收到的居民：3 位。');
    // What was typed is still there.
    expect(html).toContain('>明天停水</textarea>');
    expect(html).toMatch(new RegExp(`value="${b1}" checked`));
    const htmx = await post('/notices/new', cookie, [...form, ['buildings[]', b2]], { 'hx-request': 'true' });
    expect(await htmx.text()).toMatch(
      /<fieldset id="audience"[^>]*hx-post="\/notices\/new"[\s\S]*能收到的居民：5 位。/,
    );
  });

  it('counting an audience without its choice says what is missing, in English too', async () => {
    const cookie = await signIn(h.user(WORKER_EN));
    const { csrf, key } = await openForm(cookie);
    const res = await post('/notices/new', cookie, [
      ['_csrf', csrf],
      ['key', key],
      ['audience', 'open_case'],
      ['op', 'count'],
    ]);
    const html = unescapeHtml(await res.text());
    expect(html).toContain('You chose residents with an open request but no service.');
    expect(html).toContain('Choose who gets it to see how many residents that is.');
  });
});

describe('preview and send', () => {
  it('previews each language version exactly as residents get it, then sends once however often it is posted', async () => {
    const cookie = await signIn(h.user(WORKER));
    const { csrf, key } = await openForm(cookie);
    const form: [string, string][] = [
      ['_csrf', csrf],
      ['key', key],
      ['textZh', '周六上午打疫苗，请带身份证。'],
      ['textEn', 'Vaccinations on Saturday morning. Please bring your ID card.'],
      ['audience', 'buildings'],
      ['buildings[]', b1],
      ['important', 'yes'],
      ['when', 'now'],
      ['time', ''],
      ['op', 'preview'],
    ];
    const res = await post('/notices/new', cookie, form);
    expect(res.status).toBe(200);
    const html = unescapeHtml(await res.text());
    // The bot's own rendering: header with the community, the text, the read hint and the button's words.
    const zh = h.deps.translator.t('zh-CN');
    const en = h.deps.translator.t('en');
    expect(html).toContain(zh('notices:resident.header_important', { community: '旺家社区' }).split('\n')[0]);
    expect(html).toContain('周六上午打疫苗，请带身份证。');
    expect(html).toContain('Vaccinations on Saturday morning. Please bring your ID card.');
    expect(html).toContain(zh('notices:resident.read_button'));
    expect(html).toContain(en('notices:resident.read_button'));
    expect(html).toContain('用中文的居民收到的');
    expect(html).toContain('用英文的居民收到的');
    expect(html).toContain('<dt>能收到的居民</dt><dd>3 位</dd>');
    expect(html).toContain(`name="key" value="${key}"`);

    const send = form.filter(([k]) => k !== 'op');
    const sent = await post('/notices/new/send', cookie, send);
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe('/notices/new?done=now');
    const again = await post('/notices/new/send', cookie, send);
    expect(again.headers.get('location')).toBe('/notices/new?done=again');
    const made = await noticesBy(WORKER);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({
      communityCode: WANGJIA,
      authorChatId: BigInt(WORKER),
      important: true,
      textEn: 'Vaccinations on Saturday morning. Please bring your ID card.',
      requestKey: `console:${WORKER}:${key}`,
    });
    expect(made[0]).toMatchObject({ audience: 'buildings', buildingIds: [b1] });
    const done = await (await get('/notices/new?done=now', cookie)).text();
    expect(done).toContain('发送进度请看 Telegram 里机器人发给您的消息');
    // A fresh form has a fresh key.
    expect((await openForm(cookie)).key).not.toBe(key);
  });

  it('schedules one for later, in Beijing time; "change" goes back to the form with everything kept', async () => {
    const cookie = await signIn(h.user(WORKER_EN));
    const { csrf, key } = await openForm(cookie);
    const time = beijingInput(2);
    const form: [string, string][] = [
      ['_csrf', csrf],
      ['key', key],
      ['textZh', '下周一体检'],
      ['textEn', ''],
      ['audience', 'community'],
      ['important', 'no'],
      ['when', 'later'],
      ['time', time],
    ];
    const shown = unescapeHtml(
      await (await post('/notices/new', cookie, [...form, ['op', 'preview']])).text(),
    );
    expect(shown).toContain('What every resident gets');
    expect(shown).toContain('Send at this time');
    const edit = await (await post('/notices/new', cookie, [...form, ['op', 'edit']])).text();
    expect(edit).toContain('>下周一体检</textarea>');
    expect(edit).toContain(`value="${time}"`);
    const sent = await post('/notices/new/send', cookie, form);
    expect(sent.headers.get('location')).toBe('/notices/new?done=later');
    const [made] = await noticesBy(WORKER_EN);
    expect(made?.scheduledAt.toISOString()).toBe(new Date(`${time}:00+08:00`).toISOString());
    expect(made?.authorLocale).toBe('en');
  });
});

describe('wrong input: plain words, both languages, nothing lost', () => {
  const cases: { name: string; fields: [string, string][]; zh: string; en: string }[] = [
    {
      name: 'empty text',
      fields: [['textZh', '   ']],
      zh: '通知内容是空的',
      en: 'The notice text is empty.',
    },
    {
      name: 'text over the limit',
      fields: [['textZh', '长'.repeat(3001)]],
      zh: '内容太长了，最多 3000 个字',
      en: 'The text is too long: at most 3000 characters.',
    },
    {
      name: 'an English version over the limit',
      fields: [['textEn', 'a'.repeat(3001)]],
      zh: '内容太长了，最多 3000 个字',
      en: 'at most 3000 characters',
    },
    {
      name: 'a time in the past',
      fields: [
        ['when', 'later'],
        ['time', beijingInput(-1)],
      ],
      zh: '发送时间已经过去了',
      en: 'That time has passed.',
    },
    {
      name: 'a time more than 30 days ahead',
      fields: [
        ['when', 'later'],
        ['time', beijingInput(31)],
      ],
      zh: '最多提前 30 天',
      en: 'at most 30 days',
    },
    {
      name: 'no time for "later"',
      fields: [['when', 'later']],
      zh: '请选好发送的日期和时间',
      en: 'Please choose the date and time',
    },
    {
      name: 'a time that is no time',
      fields: [
        ['when', 'later'],
        ['time', 'next tuesday'],
      ],
      zh: '请选好发送的日期和时间',
      en: 'Please choose the date and time',
    },
    {
      name: 'buildings without one chosen',
      fields: [['audience', 'buildings']],
      zh: '还没有勾选楼栋',
      en: 'ticked no building',
    },
    {
      name: 'a building of no community (forged)',
      fields: [
        ['audience', 'buildings'],
        ['buildings[]', '00000000-0000-4000-8000-000000000000'],
      ],
      zh: '有这个社区没有的楼栋或事项',
      en: 'a building or service this community does not have',
    },
    {
      name: 'an unknown service',
      fields: [
        ['audience', 'open_case'],
        ['service', 'no-such-service'],
      ],
      zh: '有这个社区没有的楼栋或事项',
      en: 'a building or service this community does not have',
    },
    {
      name: 'an unknown audience (forged)',
      fields: [['audience', 'everyone-everywhere']],
      zh: '有这个社区没有的楼栋或事项',
      en: 'a building or service this community does not have',
    },
    {
      name: 'an open-case audience nobody is in',
      fields: [
        ['audience', 'open_case'],
        ['service', 'school_enrolment'],
      ],
      zh: '没有居民会收到这条通知',
      en: 'no resident would get this notice',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: refused in plain words (Chinese and English), what was typed kept, nothing sent`, async () => {
      for (const [worker, expected] of [
        [WORKER, c.zh],
        [WORKER_EN, c.en],
      ] as const) {
        const cookie = await signIn(h.user(worker));
        const before = (await noticesBy(worker)).length;
        const { csrf, key } = await openForm(cookie);
        const given = new Map<string, string>([
          ['textZh', '楼下修路，请绕行'],
          ['audience', 'community'],
          ['when', 'now'],
        ]);
        const form: [string, string][] = [
          ['_csrf', csrf],
          ['key', key],
          ...[...given].filter(([k]) => !c.fields.some(([f]) => f === k)),
          ...c.fields,
        ];
        for (const [path, extra] of [
          ['/notices/new', [['op', 'preview']]],
          ['/notices/new/send', []],
        ] as const) {
          const res = await post(path, cookie, [...form, ...extra]);
          expect(res.status, `${path} ${c.name}`).toBe(422);
          const html = unescapeHtml(await res.text());
          expect(html).toContain(expected);
          if (worker === WORKER_EN)
            expect(/id="errors">([\s\S]*?)<\/div>/.exec(html)?.[1]).not.toMatch(/[\u4e00-\u9fff]/);
          const text = form.find(([k]) => k === 'textZh')?.[1] ?? '';
          expect(html).toContain(`>${text}</textarea>`);
          expect(html).toContain(`name="key" value="${key}"`);
        }
        expect(await noticesBy(worker)).toHaveLength(before);
      }
    });
  }
});

describe('oversized input', () => {
  it("a body past the limit is refused in plain words in the reader's language, nothing sent", async () => {
    const cookie = await signIn(h.user(WORKER));
    const { csrf, key } = await openForm(cookie);
    const before = (await noticesBy(WORKER)).length;
    const res = await post(
      '/notices/new/send',
      cookie,
      [
        ['_csrf', csrf],
        ['key', key],
        ['textZh', '长'.repeat(30_000)],
        ['audience', 'community'],
        ['when', 'now'],
      ],
      { 'accept-language': 'zh-CN,zh;q=0.9' },
    );
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('这次写的内容太多了，没有收到');
    expect(await noticesBy(WORKER)).toHaveLength(before);
  });
});

describe('refusals, audited', () => {
  it('a worker of another community can neither count nor send to this one', async () => {
    const cookie = await signIn(h.user(OTHER_WORKER));
    const { csrf, key, html } = await openForm(cookie);
    expect(html).toContain('冲广坪社区');
    const form: [string, string][] = [
      ['_csrf', csrf],
      ['key', key],
      ['community', WANGJIA],
      ['textZh', '不是我的社区'],
      ['audience', 'community'],
      ['when', 'now'],
    ];
    for (const [path, extra] of [
      ['/notices/new', [['op', 'count']]],
      ['/notices/new', [['op', 'preview']]],
      ['/notices/new/send', []],
    ] as const) {
      const res = await post(path, cookie, [...form, ...extra]);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('只有社区工作人员（给自己的社区）和管理员能在这里写通知');
    }
    expect(await noticesBy(OTHER_WORKER)).toHaveLength(0);
    const rows = await h.db.auditLog.findMany({
      where: { action: 'access.denied', actorTelegramId: BigInt(OTHER_WORKER) },
    });
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r.subject).toBe(`community:${WANGJIA}`);
      expect(r.detail).toEqual({ attempted: 'notice_compose', reason: 'not_allowed' });
    }
  });

  it('department staff are refused the page (audited); an admin chooses any community', async () => {
    const staff = await signIn(h.user(STAFF));
    const res = await get('/notices/new', staff);
    expect(res.status).toBe(403);
    expect(await denied(STAFF)).toContainEqual({ attempted: 'notice_compose', reason: 'not_allowed' });
    const admin = await signIn(h.user(ADMIN));
    const { html } = await openForm(admin);
    expect(html).toContain('<select id="community" name="community">');
    expect(html).toContain('旺家社区');
    // Changing the community (the htmx count on change): its own buildings, the other one's ticks dropped.
    const { csrf, key } = await openForm(admin);
    const switched = await post('/notices/new', admin, [
      ['_csrf', csrf],
      ['key', key],
      ['community', 'wanshan-dongsheng'],
      ['audience', 'buildings'],
      ['buildings[]', b1],
      ['op', 'count'],
    ]);
    const page = await switched.text();
    expect(page).toContain('<option value="wanshan-dongsheng" selected="">');
    expect(page).not.toContain(b1);
    expect(page).toContain('还没有勾选楼栋');
  });

  it('a resident without a session gets the sign-in page; a removed worker is out at their next request', async () => {
    expect((await get('/notices/new')).status).toBe(401);
    const cookie = await signIn(h.user(GONE));
    const { csrf, key } = await openForm(cookie);
    await h.db.staffMember.updateMany({
      where: { telegramId: BigInt(GONE) },
      data: { active: false, removedAt: new Date() },
    });
    const res = await post('/notices/new/send', cookie, [
      ['_csrf', csrf],
      ['key', key],
      ['textZh', '我已经不在这里工作了'],
      ['audience', 'community'],
      ['when', 'now'],
    ]);
    expect(res.status).toBe(401);
    expect(await noticesBy(GONE)).toHaveLength(0);
    expect(await denied(GONE)).toContainEqual({ attempted: 'console_session', reason: 'not_staff' });
  });

  it('a form without its token (forged) sends nothing and is audited; one from another site too', async () => {
    const cookie = await signIn(h.user(WORKER));
    const { key } = await openForm(cookie);
    const before = (await noticesBy(WORKER)).length;
    const form: [string, string][] = [
      ['key', key],
      ['textZh', '伪造的通知'],
      ['audience', 'community'],
      ['when', 'now'],
    ];
    const forged = await post('/notices/new/send', cookie, [...form, ['_csrf', 'forged']]);
    expect(forged.status).toBe(403);
    const elsewhere = await post('/notices/new/send', cookie, form, { origin: 'https://evil.example' });
    expect(elsewhere.status).toBe(403);
    expect(await noticesBy(WORKER)).toHaveLength(before);
    expect(await denied(WORKER)).toContainEqual({ attempted: 'console_form', reason: 'csrf' });
  });
});
