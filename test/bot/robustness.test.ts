import { Api } from 'grammy';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCommandMenus } from '../../src/bot/commands.ts';
import { createTranslator } from '../../src/bot/i18n.ts';
import { createLogger } from '../../src/logger.ts';
import { createHarness, fakeTelegram, type Harness, sentTexts, TEST_TOKEN } from '../support/bot-harness.ts';
import { makeIdNumber } from '../support/fixtures.ts';
import { takeSteps } from '../support/flows.ts';
import { BEFORE, registrationScript } from '../support/registration-script.ts';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

describe('a failing handler', () => {
  let h: Harness;
  const log = capturingLogger();
  beforeAll(async () => {
    h = await createHarness({
      logger: log.logger,
      adjustDeps: (deps) => {
        deps.households.getHousehold = async () => {
          throw new Error('database exploded at 522201198503081234');
        };
      },
    });
  });
  afterAll(() => h.close());

  it('answers the resident with an apology in their language, and logs without the update content', async () => {
    const zh = h.user(5001);
    expect(sentTexts(await zh.text('/household'))).toEqual([expect.stringContaining('对不起，出了点问题')]);
    const en = h.user(5002, { languageCode: 'en' });
    await en.text('/language');
    await en.tap('English');
    expect(sentTexts(await en.text('/household'))).toEqual([
      expect.stringContaining('Sorry, something went wrong'),
    ]);
    const errors = log.lines.filter((l) => l.msg === 'update handling failed');
    expect(errors).toHaveLength(2);
    const logged = JSON.stringify(errors);
    expect(logged).not.toContain('"text"'); // no update payload
    expect(logged).not.toContain('522201198503081234'); // an ID number quoted by an error is masked
    expect(logged).toContain('522*************34');
    expect(logged).toContain('updateId');
    // The same resident can go on using the bot.
    expect(sentTexts(await zh.text('/help'))[0]).toContain('/household');
  });

  it('a pressed button still gets its spinner stopped', async () => {
    const u = h.user(5003);
    const calls = await u.press('hh:show');
    expect(calls.filter((c) => c.method === 'answerCallbackQuery').length).toBeGreaterThanOrEqual(1);
    expect(sentTexts(calls)).toEqual([expect.stringContaining('对不起')]);
  });
});

describe('when Telegram refuses a call', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({
      fail: (call) =>
        call.method === 'deleteMessage' || call.method === 'setMyCommands'
          ? { error_code: 400, description: 'Bad Request: message can\u2019t be deleted' }
          : undefined,
    });
  });
  afterAll(() => h.close());

  it('a message that cannot be deleted does not stop the registration', async () => {
    const u = h.user(5101);
    const who = { building: '1栋', unit: '1 单元', room: '101', name: '吴用', phone: '13800000555' };
    await takeSteps(u, registrationScript('', who).slice(0, BEFORE.idNumber));
    const calls = await u.text(makeIdNumber({ birthDate: '1985-03-08', seq: 555 }));
    expect(calls.some((c) => c.method === 'deleteMessage')).toBe(true);
    expect(u.lastText()).toContain('请核对');
  });

  it('a language change still answers when the menu cannot be set', async () => {
    const u = h.user(5102);
    await u.text('/language');
    const calls = await u.tap('English');
    expect(sentTexts(calls)[0]).toContain('English');
  });
});

describe('command menus', () => {
  const translator = createTranslator();

  it('are set per language and for admins per chat', async () => {
    const telegram = fakeTelegram();
    const api = new Api(TEST_TOKEN, { fetch: telegram.fetch });
    const ok = await setCommandMenus(api, {
      translator,
      logger: pino({ level: 'silent' }),
      adminTelegramIds: [42, 43],
      defaultLocale: 'zh-CN',
    });
    expect(ok).toBe(true);
    const calls = telegram.calls.filter((c) => c.method === 'setMyCommands');
    expect(
      calls.map((c) => [
        c.payload.language_code ?? null,
        (c.payload.scope as { chat_id?: number })?.chat_id ?? null,
      ]),
    ).toEqual([
      [null, null],
      ['zh', null],
      ['en', null],
      [null, 42],
      [null, 43],
    ]);
    expect(JSON.stringify(calls[1]?.payload)).toContain('我家的信息');
    expect(JSON.stringify(calls[2]?.payload)).toContain('My household');
    expect(JSON.stringify(calls[1]?.payload)).not.toContain('reload');
    expect(JSON.stringify(calls[3]?.payload)).toContain('reload');
  });

  it('a failure is logged, never thrown', async () => {
    const telegram = fakeTelegram({
      fail: () => ({ error_code: 500, description: 'Internal Server Error' }),
    });
    const api = new Api(TEST_TOKEN, { fetch: telegram.fetch });
    const log = capturingLogger();
    const ok = await setCommandMenus(api, {
      translator,
      logger: log.logger,
      adminTelegramIds: [],
      defaultLocale: 'zh-CN',
    });
    expect(ok).toBe(false);
    expect(log.lines.filter((l) => l.msg === 'could not set the command menu')).toHaveLength(3);
  });
});
