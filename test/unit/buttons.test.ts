import { Composer } from 'grammy';
import { describe, expect, it } from 'vitest';
import { button, definedButtons, family, onButton, UUID_PATTERN } from '../../src/bot/buttons.ts';
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
    expect(() => button('TZ:Open', {})).toThrow(/grammar/);
    expect(() => button('tz:a:b', {})).toThrow(/grammar/);
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
