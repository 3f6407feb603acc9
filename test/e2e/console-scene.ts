// The scene of the console's browser tests: the real process (`npm start`'s dist/main.mjs, long polling the
// telegram-test-api emulator, CONSOLE_PORT set) over a fresh database, its staff, workers and admins, the
// residents registered through the bot (test/support/registration-script.ts), and a real browser; with the
// helpers every console browser test uses — the sign-in link the bot sends on /console, signing in from it,
// axe-core once per page, the watcher of the browser's problems, screenshots to test-output/console/.
// Call useConsoleScene inside the file's `describe.skipIf(!chromiumPath)`, so that a machine without the browser
// skips its hooks too.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { PersonFixture } from '../support/fixtures.ts';
import { type Registrant, registrationScript } from '../support/registration-script.ts';
import { launchBrowser, seriousAccessibilityFindings } from './browser.ts';
import { type EmulatorScene, useEmulatorScene } from './scene.ts';
import { BotProcess, type Expect, freePort, hasButton, REPO_ROOT, SimulatedUser } from './support.ts';

/** Where the console's screenshots go. */
export const SHOTS = path.join(REPO_ROOT, 'test-output', 'console');

/** A staff member (a department's) or a community worker, written to staff_member once the process started. */
export interface ConsoleStaff {
  telegramId: number;
  role: 'staff' | 'worker';
  displayName: string;
  /** A staff member's department. */
  department?: string;
  /** A worker's community. */
  community?: string;
  /** 'en': the person chose English in the bot (telegram_user.locale). */
  locale?: 'en';
}

/** A department's staff member: by default 王主任 of the neighbourhood committee. */
export const staffMember = (
  telegramId: number,
  department = 'wanshan-neighbourhood',
  displayName = '王主任',
): ConsoleStaff => ({ telegramId, role: 'staff', department, displayName });

/** A community's worker: by default 社区小张 of Wangjia (旺家社区). */
export const communityWorker = (
  telegramId: number,
  community = 'wanshan-wangjia',
  displayName = '社区小张',
): ConsoleStaff => ({ telegramId, role: 'worker', community, displayName });

/** A resident registered through the bot in the scene's set-up, in the order given. */
export interface ConsoleResident {
  telegramId: number;
  person: PersonFixture;
  /** Where, when not the script's usual community, building, unit and room 302. */
  at?: Registrant;
}

export interface ConsoleSceneOptions {
  token: string;
  piiKey: string;
  staff?: ConsoleStaff[];
  /** ADMIN_TELEGRAM_IDS. */
  admins?: number[];
  residents?: ConsoleResident[];
}

export interface ConsoleScene extends EmulatorScene {
  readonly bot: BotProcess;
  /** http://127.0.0.1:<port>, the console's origin. */
  readonly consoleUrl: string;
  readonly browser: Browser;
  /** The person with this Telegram id in a private chat with the bot (one object per id). */
  user(telegramId: number): SimulatedUser;
  /** The sign-in link the bot sends `who` on /console. */
  signInLink(who: SimulatedUser | number): Promise<string>;
  /** Signs `who` in on `page` from the bot's link; resolves on the start page (the queue, or / for workers). */
  signIn(page: Page, who: SimulatedUser | number): Promise<void>;
  /** axe-core finds nothing serious or critical on the page; checked once per path (ids as :id) and label. */
  accessible(page: Page, label: string): Promise<void>;
}

/** The console scene of a test file: started in beforeAll, stopped (with the emulator and database) after. */
export function useConsoleScene(opts: ConsoleSceneOptions): ConsoleScene {
  const scene = useEmulatorScene();
  let bot: BotProcess | undefined;
  let consoleUrl: string | undefined;
  let browser: Browser | undefined;
  const users = new Map<number, SimulatedUser>();
  const checked = new Set<string>();

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the console scene starts in beforeAll');
    return value;
  };
  const user = (telegramId: number): SimulatedUser => {
    let u = users.get(telegramId);
    if (!u) {
      u = new SimulatedUser(scene.emulator, opts.token, telegramId);
      users.set(telegramId, u);
    }
    return u;
  };
  const signInLink = async (who: SimulatedUser | number): Promise<string> => {
    const u = typeof who === 'number' ? user(who) : who;
    const reply = await u.command('/console', '/login/');
    const link = /(http:\/\/\S+\/login\/[A-Za-z0-9_-]{43})/.exec(reply.text)?.[1];
    if (!link) throw new Error(`no link in: ${reply.text}`);
    return link;
  };

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    const port = await freePort();
    consoleUrl = `http://127.0.0.1:${port}`;
    bot = await startConsoleProcess(scene, opts, port, consoleUrl);
    await addStaff(scene.db.url, opts.staff ?? []);
    browser = await launchBrowser();
    for (const r of opts.residents ?? []) await registerThroughBot(user(r.telegramId), r.person, r.at);
  }, 90_000);
  // (The emulator's scene kills the process and drops the database after this.)
  afterAll(async () => {
    await browser?.close();
  });

  return {
    get emulator() {
      return scene.emulator;
    },
    get db() {
      return scene.db;
    },
    processes: scene.processes,
    get bot() {
      return started(bot);
    },
    get consoleUrl() {
      return started(consoleUrl);
    },
    get browser() {
      return started(browser);
    },
    user,
    signInLink,
    async signIn(page, who) {
      await page.goto(await signInLink(who));
      await page.getByRole('button', { name: /登录|Sign in/ }).click();
      await page.waitForURL(/\/(queue)?$/);
    },
    async accessible(page, label) {
      const key = `${new URL(page.url()).pathname.replace(/[0-9a-f-]{36}/, ':id')} ${label}`;
      if (checked.has(key)) return;
      checked.add(key);
      expect(await seriousAccessibilityFindings(page), key).toEqual([]);
    },
  };
}

async function startConsoleProcess(
  scene: EmulatorScene,
  opts: ConsoleSceneOptions,
  port: number,
  consoleUrl: string,
): Promise<BotProcess> {
  const bot = new BotProcess({
    BOT_TOKEN: opts.token,
    TELEGRAM_API_ROOT: scene.emulator.apiRoot,
    DATABASE_URL: scene.db.url,
    PII_KEY: opts.piiKey,
    LOG_LEVEL: 'info',
    CONSOLE_PORT: String(port),
    CONSOLE_URL: consoleUrl,
    ...(opts.admins?.length ? { ADMIN_TELEGRAM_IDS: opts.admins.join(',') } : {}),
  });
  scene.processes.push(bot);
  await bot.waitForLog('long polling started', 40_000);
  await bot.waitForLog('console started', 5_000);
  return bot;
}

/** The staff rows, once start-up has loaded the departments (as an admin's invite and /join would write them). */
async function addStaff(databaseUrl: string, staff: ConsoleStaff[]): Promise<void> {
  if (staff.length === 0) return;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const s of staff) {
      await client.query(
        `insert into staff_member (id, telegram_id, role, department_code, community_code, display_name)
         values (gen_random_uuid(), $1, $2, $3, $4, $5)`,
        [s.telegramId, s.role, s.department ?? null, s.community ?? null, s.displayName],
      );
      if (s.locale === 'en') {
        await client.query(
          `insert into telegram_user (telegram_id, chat_id, locale, updated_at) values ($1, $1, 'en', now())
           on conflict (telegram_id) do update set locale = 'en'`,
          [s.telegramId],
        );
      }
    }
  } finally {
    await client.end();
  }
}

/**
 * Registers `who` through the bot as `u`, step by step (test/support/registration-script.ts): each step waits for
 * the reply that holds the next step's button (or, before a text, for the next reply); the last for "登记好了".
 */
export async function registerThroughBot(
  u: SimulatedUser,
  who: PersonFixture,
  at: Registrant = {},
): Promise<void> {
  const steps = registrationScript(who.idNumber, { ...at, name: who.name, phone: who.phone });
  for (const [i, step] of steps.entries()) {
    const next = steps[i + 1];
    const until: Expect = !next ? '登记好了' : 'tap' in next ? hasButton(next.tap) : () => true;
    if ('tap' in step) await u.tap(step.tap, until);
    else if (step.text.startsWith('/')) await u.command(step.text, until);
    else await u.text(step.text, until);
  }
}

/** Files a suggestion (📮 意见箱, safety, signed, no photo) through the bot as `u`; returns its number. */
export async function fileSuggestion(u: SimulatedUser, text: string): Promise<string> {
  await u.command('/services', hasButton('📮 意见箱'));
  await u.tap('📮 意见箱', hasButton('安全'));
  await u.tap('安全', '意见');
  await u.text(text, hasButton('没有，跳过'));
  await u.tap('没有，跳过', hasButton('写上我的名字'));
  await u.tap('写上我的名字', hasButton('✅ 对的，提交'));
  const done = await u.tap('✅ 对的，提交', (m) => /SUG-\d{4}-\d{6}/.test(m.text));
  return /SUG-\d{4}-\d{6}/.exec(done.text)?.[0] as string;
}

/**
 * Problems the browser reports on `page` (script errors, CSP refusals, failed loads): a test expects none.
 * `expected` lets through the console errors a test causes on purpose (a refused form's 422, say).
 */
export function watch(page: Page, expected: (text: string) => boolean = () => false): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected(m.text()))
      problems.push(`${page.url()}: ${m.text()} (${JSON.stringify(m.location())})`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  return problems;
}

/** A screenshot of `page` as test-output/console/<name>.png (the viewport, or the whole page). */
export async function shot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: opts.fullPage ?? false });
}
