// One zod schema over the environment. Every problem is reported at once, by variable name, in words a
// newcomer can act on — main.ts prints them without a stack trace.
import path from 'node:path';
import { z } from 'zod';
import { parseKeyring } from './app/pii-cipher.ts';

const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const SUPPORTED_LOCALES: readonly Locale[] = LOCALES;

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const telegramIdList = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return [] as number[];
      const ids: number[] = [];
      for (const part of text.split(/[\s,]+/).filter(Boolean)) {
        if (!/^\d{1,15}$/.test(part)) {
          ctx.addIssue({ code: 'custom', message: `"${part}" is not a Telegram user id (digits only)` });
          return z.NEVER;
        }
        ids.push(Number(part));
      }
      return ids;
    }),
);

/**
 * An optional number setting whose messages name its unit ("must be a number of days, such as 1095"); the
 * example is also the default.
 */
function amount(
  unit: string,
  example: number,
  limits: { whole?: boolean; min: number; minText?: string; max?: number; maxText?: string },
) {
  let n = z.coerce.number({ message: `must be a number of ${unit}, such as ${example}` });
  if (limits.whole) n = n.int({ message: `must be a whole number of ${unit}` });
  n = n.min(limits.min, { message: `must be at least ${limits.minText ?? `${limits.min} ${unit}`}` });
  if (limits.max !== undefined)
    n = n.max(limits.max, { message: `must be at most ${limits.maxText ?? `${limits.max} ${unit}`}` });
  return z.preprocess(emptyToUndefined, n.default(example));
}

const common = {
  BOT_TOKEN: z.preprocess(
    emptyToUndefined,
    z
      .string({ error: 'is missing: ask @BotFather in Telegram for a token (/newbot) and set BOT_TOKEN' })
      .trim()
      .regex(/^\d{5,}:[A-Za-z0-9_-]{30,}$/, {
        message:
          'does not look like a bot token (expected something like 123456789:AA…); copy it again from @BotFather',
      }),
  ),
  TELEGRAM_API_ROOT: z.preprocess(
    emptyToUndefined,
    z.url({ message: 'must be a URL such as http://127.0.0.1:8081' }).optional(),
  ),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, {
        message: 'must be a postgresql:// URL (leave it unset to use the embedded database)',
      })
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./.data')),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  DEFAULT_LOCALE: z.preprocess(emptyToUndefined, z.enum(LOCALES).default('zh-CN')),
  ADMIN_TELEGRAM_IDS: telegramIdList,
  PII_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, {
        message: 'must be 32 random bytes as 64 hex characters (generate one with: openssl rand -hex 32)',
      })
      .optional(),
  ),
  // Several keys (rotation): id:key pairs, the current first (README, "Personal data").
  PII_KEYS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .superRefine((text, ctx) => {
        if (text === undefined) return;
        try {
          parseKeyring(text);
        } catch (err) {
          ctx.addIssue({
            code: 'custom',
            message: `${(err as Error).message} (PII_KEYS is id:key pairs, the current key first, such as 2:<64 hex>,1:<64 hex>)`,
          });
        }
      }),
  ),
  REFERENCE_DATA_FILE: z.preprocess(emptyToUndefined, z.string().default('reference/tongren.json')),
  SERVICES_DIR: z.preprocess(emptyToUndefined, z.string().default('reference/services')),
  CASE_RETENTION_DAYS: amount('days', 1095, { whole: true, min: 30 }),
  NOTICE_RATE: amount('messages a second', 25, {
    min: 1,
    minText: '1 message a second',
    max: 30,
    maxText: "30 messages a second (Telegram's limit for a bot)",
  }),
  // Renewed every third of it while an instance works on the chat: this is how long a dead instance can hold
  // up a resident's chat before another takes it over.
  UPDATE_LEASE_SECONDS: amount('seconds', 15, { whole: true, min: 5, max: 3600 }),
  // /readyz and /metrics (and /healthz) on a listener of their own, only when asked for: they tell anyone who
  // can reach them how busy the service is, so they are not on the public port by default.
  METRICS_PORT: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a port number, such as 9464' })
      .int({ message: 'must be a port number, such as 9464' })
      .min(1, { message: 'must be a port number from 1 to 65535' })
      .max(65535, { message: 'must be a port number from 1 to 65535' })
      .optional(),
  ),
  METRICS_HOST: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.:_-]+$/, {
        message: 'must be an address to listen on, such as 127.0.0.1 (the default) or 0.0.0.0',
      })
      .default('127.0.0.1'),
  ),
  // The web console for staff (src/http/console): on a listener of its own, only when asked for. It is for
  // the office's network: 127.0.0.1 unless CONSOLE_HOST says otherwise, never on the webhook's port.
  CONSOLE_PORT: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a port number, such as 8090' })
      .int({ message: 'must be a port number, such as 8090' })
      .min(1, { message: 'must be a port number from 1 to 65535' })
      .max(65535, { message: 'must be a port number from 1 to 65535' })
      .optional(),
  ),
  CONSOLE_HOST: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.:_-]+$/, {
        message: 'must be an address to listen on, such as 127.0.0.1 (the default) or 0.0.0.0',
      })
      .default('127.0.0.1'),
  ),
  // The address staff type to reach the console (the bot's sign-in links start with it).
  CONSOLE_URL: z.preprocess(
    emptyToUndefined,
    z
      .url({
        protocol: /^https?$/,
        message:
          'must be the address staff open the console at, such as http://10.0.0.5:8090 or https://console.example.cn',
      })
      .refine((u) => !/[?#]/.test(u), { message: 'must not have a ? or # part' })
      .optional(),
  ),
};

const polling = z.object({
  ...common,
  BOT_MODE: z.literal('polling'),
  // Optional in polling mode: /healthz on this port (and /readyz, /metrics only if METRICS_PORT is the same).
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65535).optional()),
});

const webhook = z.object({
  ...common,
  BOT_MODE: z.literal('webhook'),
  WEBHOOK_URL: z.url({ message: 'is required in webhook mode: the public https URL Telegram should call' }),
  WEBHOOK_SECRET: z
    .string({ error: 'is required in webhook mode: a random string of 16–256 letters, digits, _ or -' })
    .regex(/^[A-Za-z0-9_-]{16,256}$/, { message: 'must be 16–256 letters, digits, _ or -' }),
  WEBHOOK_SET_ON_START: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('true')),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65535).default(8080)),
});

const envSchema = z.preprocess(
  (env) => {
    const e = env as Record<string, unknown>;
    return { ...e, BOT_MODE: emptyToUndefined(e.BOT_MODE) ?? 'polling' };
  },
  z.discriminatedUnion('BOT_MODE', [polling, webhook], {
    error: 'must be "polling" or "webhook"',
  }),
);

type Env = z.infer<typeof envSchema>;

export interface Config {
  mode: 'polling' | 'webhook';
  botToken: string;
  telegramApiRoot: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  defaultLocale: Locale;
  adminTelegramIds: number[];
  piiKey: string | undefined;
  /** PII_KEYS as written (id:key pairs, the current first); set instead of PII_KEY when rotating keys. */
  piiKeys: string | undefined;
  referenceDataFile: string;
  /** SERVICES_DIR: the service definitions, one JSON file each (README, "Services as data"). */
  servicesDir: string;
  webhook: { url: string; secret: string; setOnStart: boolean; port: number } | undefined;
  /**
   * The public port: the webhook (in webhook mode) and /healthz; none if unset in polling mode. /readyz and
   * /metrics are served there only when `metrics.port` is the same port.
   */
  httpPort: number | undefined;
  /** /readyz, /metrics and /healthz on a listener of their own (METRICS_PORT, METRICS_HOST); none if unset. */
  metrics: { port: number; host: string } | undefined;
  /** Closed cases lose their personal data after this many days. */
  caseRetentionDays: number;
  /** How long an instance's claim on an update lasts before another may take it over. */
  updateLeaseSeconds: number;
  /** Community notices: messages a second, every instance together (at most 30, Telegram's limit). */
  noticeRate: number;
  /**
   * The staff's web console (CONSOLE_PORT, CONSOLE_HOST, CONSOLE_URL); none if CONSOLE_PORT is unset. `url` has
   * no trailing slash; `secure`: it is https, so the session cookie is marked Secure.
   */
  console: { port: number; host: string; url: string; secure: boolean } | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError listing every problem by variable name. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): Config {
  // NOTICE_RATE was first called BROADCAST_RATE; a deployment that still sets the old name keeps working.
  const legacyRate = env.NOTICE_RATE === undefined ? env.BROADCAST_RATE : undefined;
  const parsed = envSchema.safeParse(legacyRate === undefined ? env : { ...env, NOTICE_RATE: legacyRate });
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = issue.path.length > 0 ? issue.path.join('.') : 'BOT_MODE';
        return `${name} ${issue.message}`;
      });
  // Checked outside the schema so that it is reported together with every other problem.
  const hasKey = emptyToUndefined(env.PII_KEY) !== undefined;
  const hasKeys = emptyToUndefined(env.PII_KEYS) !== undefined;
  if (emptyToUndefined(env.DATABASE_URL) !== undefined && !hasKey && !hasKeys) {
    problems.push(
      'PII_KEY is required when DATABASE_URL is set: the key that encrypts personal data (generate one with: openssl rand -hex 32, and keep it safe)',
    );
  }
  if (hasKey && hasKeys) {
    problems.push(
      'PII_KEY and PII_KEYS are both set: set only one (PII_KEYS holds every key, the current first, such as 2:<new key>,1:<old key>)',
    );
  }
  if (parsed.success && parsed.data.CONSOLE_PORT !== undefined) {
    const d = parsed.data;
    const taken = [
      ['PORT', d.PORT],
      ['METRICS_PORT', d.METRICS_PORT],
    ] as const;
    for (const [name, port] of taken) {
      if (port === d.CONSOLE_PORT) {
        problems.push(`CONSOLE_PORT must differ from ${name}: the console has a listener of its own`);
      }
    }
  }
  if (parsed.success && parsed.data.CONSOLE_URL !== undefined && parsed.data.CONSOLE_PORT === undefined) {
    problems.push('CONSOLE_URL is set but CONSOLE_PORT is not: set CONSOLE_PORT to turn the console on');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError([...new Set(problems)]);
  const e = parsed.data;
  return {
    mode: e.BOT_MODE,
    botToken: e.BOT_TOKEN,
    telegramApiRoot: e.TELEGRAM_API_ROOT,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(cwd, e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    defaultLocale: e.DEFAULT_LOCALE,
    adminTelegramIds: e.ADMIN_TELEGRAM_IDS,
    piiKey: e.PII_KEY,
    piiKeys: e.PII_KEYS,
    referenceDataFile: path.resolve(cwd, e.REFERENCE_DATA_FILE),
    servicesDir: path.resolve(cwd, e.SERVICES_DIR),
    webhook:
      e.BOT_MODE === 'webhook'
        ? {
            url: e.WEBHOOK_URL,
            secret: e.WEBHOOK_SECRET,
            setOnStart: e.WEBHOOK_SET_ON_START === 'true',
            port: e.PORT,
          }
        : undefined,
    httpPort: e.PORT,
    metrics: e.METRICS_PORT === undefined ? undefined : { port: e.METRICS_PORT, host: e.METRICS_HOST },
    caseRetentionDays: e.CASE_RETENTION_DAYS,
    updateLeaseSeconds: e.UPDATE_LEASE_SECONDS,
    noticeRate: e.NOTICE_RATE,
    console: consoleConfig(e.CONSOLE_PORT, e.CONSOLE_HOST, e.CONSOLE_URL),
  };
}

function consoleConfig(port: number | undefined, host: string, url: string | undefined): Config['console'] {
  if (port === undefined) return undefined;
  // Without CONSOLE_URL, the address it listens on (right for a console used on the same machine).
  const shown = host.includes(':') ? `[${host}]` : host;
  const base = (url ?? `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${port}`).replace(/\/+$/, '');
  return { port, host, url: base, secure: base.startsWith('https:') };
}
