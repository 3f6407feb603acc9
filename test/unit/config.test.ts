import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const TOKEN = '123456789:AAabcdefghijklmnopqrstuvwxyz0123456789';
const KEY = 'ab'.repeat(32);

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env, '/srv/bianmin');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('needs only BOT_TOKEN and fills in the defaults', () => {
    const c = loadConfig({ BOT_TOKEN: TOKEN }, '/srv/bianmin');
    expect(c).toMatchObject({
      mode: 'polling',
      databaseUrl: undefined,
      dataDir: '/srv/bianmin/.data',
      logLevel: 'info',
      defaultLocale: 'zh-CN',
      adminTelegramIds: [],
      webhook: undefined,
    });
  });

  it('says what is missing and how to get a token', () => {
    for (const env of [{}, { BOT_TOKEN: '' }, { BOT_TOKEN: '   ' }]) {
      const p = problems(env);
      expect(p).toHaveLength(1);
      expect(p[0]).toMatch(/^BOT_TOKEN is missing: ask @BotFather/);
    }
    expect(problems({ BOT_TOKEN: 'not-a-token' })[0]).toMatch(/^BOT_TOKEN does not look like a bot token/);
  });

  it('reports every problem at once, each by its variable name', () => {
    const p = problems({
      BOT_TOKEN: 'x',
      LOG_LEVEL: 'loud',
      DEFAULT_LOCALE: 'fr',
      ADMIN_TELEGRAM_IDS: '12, abc',
      DATABASE_URL: 'mysql://db',
      TELEGRAM_API_ROOT: 'not a url',
    });
    const names = p.map((line) => line.split(' ')[0]);
    expect(names.sort()).toEqual(
      [
        'ADMIN_TELEGRAM_IDS',
        'BOT_TOKEN',
        'DATABASE_URL',
        'DEFAULT_LOCALE',
        'LOG_LEVEL',
        'PII_KEY',
        'TELEGRAM_API_ROOT',
      ].sort(),
    );
    expect(p.join('\n')).toContain('"abc" is not a Telegram user id');
  });

  it('requires PII_KEY with an external database, and accepts hex or base64', () => {
    expect(problems({ BOT_TOKEN: TOKEN, DATABASE_URL: 'postgresql://db/bianmin' })[0]).toMatch(
      /^PII_KEY is required when DATABASE_URL is set/,
    );
    expect(problems({ BOT_TOKEN: TOKEN, DATABASE_URL: 'postgresql://db/b', PII_KEY: 'short' })[0]).toMatch(
      /^PII_KEY must be 32/,
    );
    expect(loadConfig({ BOT_TOKEN: TOKEN, DATABASE_URL: 'postgresql://db/b', PII_KEY: KEY }).piiKey).toBe(
      KEY,
    );
    const b64 = Buffer.alloc(32, 1).toString('base64');
    expect(loadConfig({ BOT_TOKEN: TOKEN, PII_KEY: b64 }).piiKey).toBe(b64);
  });

  it('takes PII_KEYS (id:key pairs, the current first) instead of PII_KEY, and refuses both or a bad ring', () => {
    const ring = `2:${'b'.repeat(64)},1:${KEY}`;
    const c = loadConfig({ BOT_TOKEN: TOKEN, DATABASE_URL: 'postgresql://db/b', PII_KEYS: ring });
    expect(c.piiKeys).toBe(ring);
    expect(c.piiKey).toBeUndefined();
    expect(problems({ BOT_TOKEN: TOKEN, PII_KEY: KEY, PII_KEYS: ring })[0]).toMatch(
      /^PII_KEY and PII_KEYS are both set/,
    );
    const bad = problems({ BOT_TOKEN: TOKEN, PII_KEYS: `1:${KEY},1:${KEY}` });
    expect(bad[0]).toMatch(/^PII_KEYS .*appears twice/);
    expect(bad.join('\n')).not.toContain(KEY);
    expect(problems({ BOT_TOKEN: TOKEN, PII_KEYS: KEY })[0]).toMatch(/^PII_KEYS each entry must be id:key/);
  });

  it('parses admin ids and the Bot API root', () => {
    const c = loadConfig({
      BOT_TOKEN: TOKEN,
      ADMIN_TELEGRAM_IDS: '1001, 1002 1003',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081',
    });
    expect(c.adminTelegramIds).toEqual([1001, 1002, 1003]);
    expect(c.telegramApiRoot).toBe('http://127.0.0.1:8081');
  });

  it('webhook mode requires its URL and secret; polling does not', () => {
    const p = problems({ BOT_TOKEN: TOKEN, BOT_MODE: 'webhook' });
    expect(p.map((l) => l.split(' ')[0]).sort()).toEqual(['WEBHOOK_SECRET', 'WEBHOOK_URL']);
    expect(
      problems({
        BOT_TOKEN: TOKEN,
        BOT_MODE: 'webhook',
        WEBHOOK_URL: 'https://bot.example.cn/tg',
        WEBHOOK_SECRET: 'short',
      })[0],
    ).toMatch(/^WEBHOOK_SECRET must be 16–256/);
    const c = loadConfig({
      BOT_TOKEN: TOKEN,
      BOT_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.example.cn/tg',
      WEBHOOK_SECRET: 's'.repeat(32),
      PORT: '9090',
    });
    expect(c.webhook).toEqual({
      url: 'https://bot.example.cn/tg',
      secret: 's'.repeat(32),
      setOnStart: true,
      port: 9090,
    });
    expect(problems({ BOT_TOKEN: TOKEN, BOT_MODE: 'carrier-pigeon' })[0]).toMatch(
      /^BOT_MODE must be "polling" or "webhook"/,
    );
  });

  it('/readyz and /metrics only when asked for: METRICS_PORT, on 127.0.0.1 unless METRICS_HOST says otherwise', () => {
    const webhook = {
      BOT_TOKEN: TOKEN,
      BOT_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.example.cn/tg',
      WEBHOOK_SECRET: 's'.repeat(32),
    };
    // By default the public port (the webhook's) has no metrics listener beside it.
    expect(loadConfig(webhook)).toMatchObject({ httpPort: 8080, metrics: undefined });
    expect(loadConfig({ BOT_TOKEN: TOKEN, PORT: '9000' })).toMatchObject({
      httpPort: 9000,
      metrics: undefined,
    });
    expect(loadConfig({ ...webhook, METRICS_PORT: '9464' }).metrics).toEqual({
      port: 9464,
      host: '127.0.0.1',
    });
    expect(loadConfig({ BOT_TOKEN: TOKEN, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics).toEqual({
      port: 9464,
      host: '0.0.0.0',
    });
    expect(problems({ BOT_TOKEN: TOKEN, METRICS_PORT: 'prometheus' })).toEqual([
      'METRICS_PORT must be a port number, such as 9464',
    ]);
    expect(problems({ BOT_TOKEN: TOKEN, METRICS_PORT: '70000' })[0]).toMatch(/^METRICS_PORT must be a port/);
    expect(problems({ BOT_TOKEN: TOKEN, METRICS_PORT: '9464', METRICS_HOST: 'a b' })[0]).toMatch(
      /^METRICS_HOST must be an address/,
    );
  });

  it('the console only when asked for: CONSOLE_PORT, on 127.0.0.1 unless CONSOLE_HOST says otherwise', () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN }).console).toBeUndefined();
    expect(loadConfig({ BOT_TOKEN: TOKEN, CONSOLE_PORT: '8090' }).console).toEqual({
      port: 8090,
      host: '127.0.0.1',
      url: 'http://127.0.0.1:8090',
      secure: false,
    });
    expect(
      loadConfig({
        BOT_TOKEN: TOKEN,
        CONSOLE_PORT: '8090',
        CONSOLE_HOST: '0.0.0.0',
        CONSOLE_URL: 'https://console.example.cn/',
      }).console,
    ).toEqual({ port: 8090, host: '0.0.0.0', url: 'https://console.example.cn', secure: true });
    expect(
      loadConfig({ BOT_TOKEN: TOKEN, CONSOLE_PORT: '8090', CONSOLE_URL: 'http://10.0.0.5:8090' }).console
        ?.url,
    ).toBe('http://10.0.0.5:8090');
    // Never on the webhook's (public) port, nor on the metrics' listener.
    const webhook = {
      BOT_TOKEN: TOKEN,
      BOT_MODE: 'webhook',
      WEBHOOK_URL: 'https://bot.example.cn/tg',
      WEBHOOK_SECRET: 's'.repeat(32),
    };
    expect(problems({ ...webhook, CONSOLE_PORT: '8080' })).toEqual([
      'CONSOLE_PORT must differ from PORT: the console has a listener of its own',
    ]);
    expect(problems({ BOT_TOKEN: TOKEN, METRICS_PORT: '9464', CONSOLE_PORT: '9464' })).toEqual([
      'CONSOLE_PORT must differ from METRICS_PORT: the console has a listener of its own',
    ]);
    expect(problems({ BOT_TOKEN: TOKEN, CONSOLE_PORT: 'console' })).toEqual([
      'CONSOLE_PORT must be a port number, such as 8090',
    ]);
    expect(problems({ BOT_TOKEN: TOKEN, CONSOLE_PORT: '0' })[0]).toMatch(/^CONSOLE_PORT must be a port/);
    expect(problems({ BOT_TOKEN: TOKEN, CONSOLE_PORT: '8090', CONSOLE_HOST: 'a b' })[0]).toMatch(
      /^CONSOLE_HOST must be an address/,
    );
    expect(problems({ BOT_TOKEN: TOKEN, CONSOLE_PORT: '8090', CONSOLE_URL: 'ftp://x.cn' })[0]).toMatch(
      /^CONSOLE_URL must be the address staff open the console at/,
    );
    expect(problems({ BOT_TOKEN: TOKEN, CONSOLE_PORT: '8090', CONSOLE_URL: 'http://x.cn/?a=1' })[0]).toMatch(
      /^CONSOLE_URL must not have a \? or # part/,
    );
    expect(problems({ BOT_TOKEN: TOKEN, CONSOLE_URL: 'http://x.cn' })).toEqual([
      'CONSOLE_URL is set but CONSOLE_PORT is not: set CONSOLE_PORT to turn the console on',
    ]);
  });

  it('NOTICE_RATE: 25 messages a second by default, at most 30 (Telegram’s limit)', () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN }).noticeRate).toBe(25);
    expect(loadConfig({ BOT_TOKEN: TOKEN, NOTICE_RATE: '30' }).noticeRate).toBe(30);
    // The variable's first name is still read; the new one wins when both are set.
    expect(loadConfig({ BOT_TOKEN: TOKEN, BROADCAST_RATE: '20' }).noticeRate).toBe(20);
    expect(loadConfig({ BOT_TOKEN: TOKEN, BROADCAST_RATE: '20', NOTICE_RATE: '10' }).noticeRate).toBe(10);
    expect(loadConfig({ BOT_TOKEN: TOKEN, NOTICE_RATE: '12.5' }).noticeRate).toBe(12.5);
    expect(problems({ BOT_TOKEN: TOKEN, NOTICE_RATE: '31' })).toEqual([
      "NOTICE_RATE must be at most 30 messages a second (Telegram's limit for a bot)",
    ]);
    expect(problems({ BOT_TOKEN: TOKEN, NOTICE_RATE: '0' })[0]).toMatch(/^NOTICE_RATE must be at least 1/);
    expect(problems({ BOT_TOKEN: TOKEN, NOTICE_RATE: 'fast' })[0]).toMatch(/^NOTICE_RATE must be a number/);
  });
});
