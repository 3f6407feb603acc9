import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Composer } from 'grammy';
import { describe, expect, it } from 'vitest';
import {
  adminButtons,
  button,
  communityNoticeButtons,
  definedButtons,
  family,
  languageButton,
  myCaseButtons,
  onButton,
  queueButton,
  serviceButtons,
  staffButtons,
  staffStepButtons,
  UUID_PATTERN,
} from '../../src/bot/buttons.ts';
import type { BotContext } from '../../src/bot/context.ts';
// Importing the bot defines every kind the features use.
import '../../src/bot/create-bot.ts';

const CASE = '3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a1b';

describe('the button codec', () => {
  const open = button('tz:open', { caseId: 'uuid' });
  const page = button('tz:page', { filter: ['open', 'mine'] as const, page: 'int' });

  it('packs and unpacks typed values', () => {
    expect(open.pack({ caseId: CASE })).toBe(`tz:open:${CASE}`);
    expect(open.unpack(`tz:open:${CASE}`)).toEqual({ caseId: CASE });
    expect(page.unpack(page.pack({ filter: 'mine', page: 3 }))).toEqual({ filter: 'mine', page: 3 });
    expect(page.pattern.test('tz:page:mine:3')).toBe(true);
  });

  it('refuses forged, stale and foreign data', () => {
    for (const data of [
      'tz:open:not-a-uuid',
      `tz:open:${CASE}:extra`,
      `tz:open:${CASE.toUpperCase()}`,
      'tz:page:all:1',
      'tz:page:open:-1',
      'tz:page:open:1234567',
      `tz:pagex:open:1`,
      '',
      `xx:open:${CASE}`,
    ]) {
      expect(open.unpack(data) ?? page.unpack(data), data).toBeUndefined();
    }
  });

  it('refuses to pack what it could not read back, or more than 64 bytes', () => {
    expect(() => open.pack({ caseId: 'x' })).toThrow();
    expect(() => page.pack({ filter: 'open', page: -2 })).toThrow();
    const long = button('tz:long', { a: 'uuid', b: 'uuid' });
    expect(() => long.pack({ a: CASE, b: CASE })).toThrow(/cannot carry/);
  });

  it('refuses a second definition of a head and a head outside the grammar', () => {
    expect(() => button('tz:open', { caseId: 'uuid' })).toThrow(/twice/);
    // The same head with other fields is another kind (`ad:inv:staff`, `ad:inv:d:<code>`).
    const both = button('tz:open', { scope: ['d', 'c'], code: 'code' });
    expect(both.pack({ scope: 'd', code: 'wanshan-1' })).toBe('tz:open:d:wanshan-1');
    expect(open.unpack('tz:open:d:wanshan-1')).toBeUndefined();
    expect(() => button('TZ:Open', {})).toThrow(/grammar/);
    expect(() => button('tz:a:b', {})).toThrow(/grammar/);
  });

  it('reads days and codes, and tells whether data is a kind’s', () => {
    const period = button('tz:day', { from: 'day', to: 'day' });
    expect(period.unpack('tz:day:20260101:20270101')).toEqual({ from: '20260101', to: '20270101' });
    expect(period.unpack('tz:day:2026011:20270101')).toBeUndefined();
    expect(open.is(`tz:open:${CASE}`)).toBe(true);
    expect(open.is(undefined)).toBe(false);
    expect(open.unpack(undefined)).toBeUndefined();
  });

  it('keeps the data of buttons already sent to people’s chats', () => {
    expect(myCaseButtons.page.pack({ page: 0 })).toBe('mc:page:0');
    expect(myCaseButtons.withdrawConfirmed.pack({ caseId: CASE })).toBe(`mc:wdok:${CASE}`);
    expect(staffButtons.act.pack({ action: 'ask', caseId: CASE })).toBe(`st:act:ask:${CASE}`);
    expect(queueButton.pack({ filter: 'mine', page: 2 })).toBe('sq:mine:2');
    expect(staffStepButtons.cancel.pack({})).toBe('sa:cancel');
    expect(adminButtons.inviteUnit.unpack('ad:inv:d:wanshan-neighbourhood')).toEqual({
      unit: 'd',
      code: 'wanshan-neighbourhood',
    });
    expect(adminButtons.inviteRole.pack({ role: 'worker' })).toBe('ad:inv:worker');
    expect(adminButtons.export.pack({ kind: 'pii', from: '20260101', to: '20270101' })).toBe(
      'ad:exp:pii:20260101:20270101',
    );
    expect(communityNoticeButtons.preference.pack({ turn: 'off' })).toBe('nt:off');
    expect(communityNoticeButtons.read.pack({ noticeId: CASE })).toBe(`nt:read:${CASE}`);
    expect(languageButton.pack({ locale: 'zh-CN' })).toBe('lang:zh-CN');
    // `svc:menu` is also a service code's shape: its handler is registered first (features/cases.ts).
    expect(serviceButtons.service.unpack('svc:school_enrolment')).toEqual({ service: 'school_enrolment' });
    expect(serviceButtons.service.is(serviceButtons.menu.pack({}))).toBe(true);
  });

  it('keeps every kind the bot defines inside Telegram’s 64 bytes', () => {
    const kinds = definedButtons().filter((k) => !k.head.startsWith('tz:'));
    for (const k of kinds) expect(Buffer.byteLength(k.widest()), k.head).toBeLessThanOrEqual(64);
  });

  it('hands the typed values to the handler and matches families', async () => {
    const composer = new Composer<BotContext>();
    const seen: unknown[] = [];
    onButton(composer, page, (_ctx, v) => {
      seen.push(v);
    });
    expect(family('tz', 'qq').test('qq:anything')).toBe(true);
    expect(family('tz').test('tzx:1')).toBe(false);
    expect(new RegExp(`^${UUID_PATTERN}$`).test(CASE)).toBe(true);
    const ctx = {
      update: { update_id: 1, callback_query: { id: '1', data: 'tz:page:open:2', chat_instance: '1' } },
      callbackQuery: { id: '1', data: 'tz:page:open:2', chat_instance: '1' },
      has: (filter: string) => filter === 'callback_query:data',
    } as unknown as BotContext;
    await composer.middleware()(ctx, async () => {});
    expect(seen).toEqual([{ filter: 'open', page: 2 }]);
  });
});

describe('callback data is written only by buttons.ts', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const families = [...new Set(definedButtons().map((k) => k.head.split(':')[0] as string))].filter(
    (f) => f !== 'tz',
  );
  const handWritten = [
    // a literal as a button's data
    /callback_data:\s*['"`]/,
    // a handler that matches data with its own string or regular expression
    /callbackQuery\(\s*(?:['"`/]|new RegExp)/,
    // a literal that starts like a kind's data (`'mc:…`, `` `st:${…}` ``), wherever it is
    new RegExp(`['"\`](?:${families.join('|')}):`),
    // data built or matched with a short prefix of its own: f:${seq} in a template, /^nb:(\d+)/
    /`[a-z]{1,4}:\$\{/,
    /\/\^[a-z]{1,4}:/,
  ];
  const withoutComments = (source: string) =>
    source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
  const offences = (source: string) => handWritten.filter((re) => re.test(withoutComments(source)));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? files(path.join(dir, e.name))
        : e.name.endsWith('.ts')
          ? [path.join(dir, e.name)]
          : [],
    );
  const sources = files(path.join(root, 'src/bot'))
    .map((f) => path.relative(root, f).split(path.sep).join('/'))
    .filter((f) => f !== 'src/bot/buttons.ts');

  it('finds what it looks for', () => {
    expect(families).toEqual(
      expect.arrayContaining(['mc', 'st', 'sq', 'hh', 'ad', 'gp', 'nt', 'svc', 'lang']),
    );
    for (const snippet of [
      "kb.text(ctx.t('x'), 'mc:page:0')",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to scan, not a template
      'kb.text(t(`x`), `st:open:${c.id}`)',
      "{ text: 'x', callback_data: 'hh:show' }",
      "priv.callbackQuery('pd:keep', handler)",
      'groups.callbackQuery(/^gp:/, handler)',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to scan, not a template
      'priv.callbackQuery(new RegExp(`^nt:cx:(${UUID})$`), handler)',
      "if (data === 'sa:cancel') return;",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to scan, not a template
      'return `f:${seq}:${code}`;',
      "const m = /^nb:(\\d+):(ok)$/.exec(data ?? '');",
    ]) {
      expect(offences(snippet), snippet).not.toEqual([]);
    }
    for (const snippet of [
      "kb.text(ctx.t('mycases:next'), myCaseButtons.page.pack({ page: 1 }))",
      "{ text: t('x'), callback_data: householdButtons.show.pack({}) }",
      "priv.callbackQuery(family('st', 'sq'), handler)",
      '// The buttons (`mc:`, `svc:`) are defined in ../buttons.ts',
    ]) {
      expect(offences(snippet), snippet).toEqual([]);
    }
  });

  it('no file under src/bot but buttons.ts writes or matches it by hand', () => {
    const found = sources.filter((f) => offences(readFileSync(path.join(root, f), 'utf8')).length > 0);
    expect(found).toEqual([]);
  });
});
