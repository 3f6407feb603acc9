// In-process bot harness: a real bot (createBot) over a real PostgreSQL database, fed with update
// literals through handleUpdate, with a fake `client.fetch` that records every Bot API call. The fake
// fetch sits below the conversations plugin's replay engine, so it sees the calls made inside forms too.
import path from 'node:path';
import type { Bot } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { createPiiCipher, type PiiCipher } from '../../src/app/pii-cipher.ts';
import type { BotContext, BotDeps } from '../../src/bot/context.ts';
import { createBot } from '../../src/bot/create-bot.ts';
import type { FormStateLimits } from '../../src/bot/form-limits.ts';
import { createTranslator } from '../../src/bot/i18n.ts';
import { createUpdateGate, type UpdateGate } from '../../src/bot/update-gate.ts';
import { compose } from '../../src/compose.ts';
import type { Locale } from '../../src/config.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { loadReferenceData, readReferenceData } from '../../src/db/reference-data.ts';
import { createUpdateReceiptRepository } from '../../src/db/repositories/update-receipts.ts';
import type { ServiceDefinition } from '../../src/domain/catalogue/index.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export const TEST_TOKEN = '123456789:AAtest-token-for-the-in-process-harness';
export const BOT_INFO: UserFromGetMe = {
  id: 123456789,
  is_bot: true,
  first_name: '便民',
  username: 'bianmin_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;
export const REFERENCE_FILE = path.resolve(import.meta.dirname, '../../reference/tongren.json');
export const TEST_KEY = Buffer.alloc(32, 7);

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
}

export interface InlineButton {
  text: string;
  callback_data?: string;
}

/** Telegram's refusal of one call (its error answer), or undefined to answer it normally. */
export type FailCall = (
  call: ApiCall,
) => { error_code: number; description: string; parameters?: { retry_after?: number } } | undefined;

/** Makes a fake Bot API: records each call and answers like Telegram would. `fail` may inject errors. */
export function fakeTelegram(opts: { fail?: FailCall } = {}) {
  const calls: ApiCall[] = [];
  let messageId = 1000;
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = url.slice(url.lastIndexOf('/') + 1);
    const payload = await readPayload(init);
    const call = { method, payload };
    calls.push(call);
    const failure = opts.fail?.(call);
    const body = failure ? { ok: false, ...failure } : { ok: true, result: answer(method, payload) };
    return new Response(JSON.stringify(body), { status: failure ? failure.error_code : 200 });
  }) as typeof globalThis.fetch;

  function answer(method: string, payload: Record<string, unknown>): unknown {
    if (method === 'getMe') return BOT_INFO;
    if (method === 'sendDocument') {
      const document = payload.document as { filename?: string } | undefined;
      return {
        message_id: ++messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: Number(payload.chat_id), type: 'private' },
        from: BOT_INFO,
        document: {
          file_id: `doc${messageId}`,
          file_unique_id: `docu${messageId}`,
          file_name: document?.filename,
        },
        caption: payload.caption,
      };
    }
    if (method === 'sendMessage' || method === 'editMessageText') {
      return {
        message_id: method === 'sendMessage' ? ++messageId : Number(payload.message_id),
        date: Math.floor(Date.now() / 1000),
        chat: { id: Number(payload.chat_id), type: 'private' },
        from: BOT_INFO,
        text: String(payload.text ?? ''),
        reply_markup: payload.reply_markup,
      };
    }
    return true;
  }
  return { fetch, calls };
}

/**
 * The payload of a Bot API call: JSON, or multipart/form-data when the call uploads a file (sendDocument);
 * an uploaded file becomes `{ filename, content }` (content as UTF-8 text) under the field that refers to it.
 */
async function readPayload(init: RequestInit | undefined): Promise<Record<string, unknown>> {
  const body = init?.body;
  if (!body) return {};
  if (typeof body === 'string') return JSON.parse(body) as Record<string, unknown>;
  const chunks: Buffer[] = [];
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  const headers = new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]);
  const boundary = /boundary=(.+)$/.exec(headers.get('content-type') ?? '')?.[1];
  if (!boundary) return JSON.parse(raw) as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  const files: Record<string, { filename: string; content: string }> = {};
  for (const part of raw.split(`--${boundary}`)) {
    const match = /^\r\n([\s\S]*?)\r\n\r\n([\s\S]*?)\r\n$/.exec(part);
    if (!match) continue;
    const [, head = '', value = ''] = match;
    const name = /name="([^"]+)"/.exec(head)?.[1];
    if (!name) continue;
    const filename = /filename="?([^";\r\n]*)"?/.exec(head)?.[1];
    if (filename !== undefined) files[name] = { filename, content: value };
    else fields[name] = value;
  }
  for (const [key, value] of Object.entries(fields)) {
    const attached =
      typeof value === 'string' && value.startsWith('attach://') ? files[value.slice(9)] : undefined;
    if (attached) fields[key] = attached;
    else if (typeof value === 'string' && /^[[{"]/.test(value)) fields[key] = JSON.parse(value);
  }
  return fields;
}

export interface Harness {
  bot: Bot<BotContext>;
  /** The dependencies the current bot was built with (use cases, to set up a scene quickly). */
  deps: BotDeps;
  db: Db;
  database: TestDatabase;
  cipher: PiiCipher;
  calls: ApiCall[];
  /** Builds a fresh bot over the same database and state: what a restart looks like. */
  restart(): void;
  /** Another bot instance over the same database (its own connection pool), as a second server would be. */
  instance(): Bot<BotContext>;
  /** Hands an update to the current bot: through its update gate unless the harness was made ungated. */
  handle(update: Update): Promise<void>;
  user(id: number, opts?: { languageCode?: string; firstName?: string }): SimUser;
  close(): Promise<void>;
}

let updateId = 1;

export interface HarnessOptions {
  adminIds?: number[];
  defaultLocale?: Locale;
  now?: () => Date;
  /** Lets a test replace a dependency (e.g. with one that fails) before the bot is built. */
  adjustDeps?: (deps: BotDeps) => void;
  /** Injects Bot API failures. */
  fail?: FailCall;
  logger?: Logger;
  /** Extra services for the catalogue, and their texts. */
  services?: readonly ServiceDefinition[];
  extraLocales?: Parameters<typeof createTranslator>[0];
  /** A services folder of the test's own (definition files), loaded as at start (versions kept). */
  servicesDir?: string;
  /** The reference file `/reload` reads (the database starts with the demo file either way). */
  referenceDataFile?: string;
  /** The flood limit; by default none to speak of, since tests drive residents at machine speed. */
  flood?: { limit: number; windowMs: number };
  /**
   * Whether a SimUser's updates go through the update gate (PostgreSQL receipts; the sender's record and the
   * form state read with the claim and written with the outcome), as in production. Default true; false
   * hands them to `bot.handleUpdate` directly, the path without a gate.
   */
  gated?: boolean;
  /** How much one form may keep in the conversation state (default: the bot's FORM_STATE_LIMITS). */
  formStateLimits?: FormStateLimits;
}

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const db = createDb(database.url, { poolSize: 4 });
  await loadReferenceData(db, await readReferenceData(REFERENCE_FILE));
  const cipher = createPiiCipher(TEST_KEY);
  const logger = opts.logger ?? createLogger(process.env.LOG_LEVEL ?? 'silent');
  const telegram = fakeTelegram({ fail: opts.fail });
  let lastDeps: BotDeps | undefined;
  const extraDbs: Db[] = [];
  const build = (onDb: Db = db) => {
    const { deps, conversationState } = compose({
      db: onDb,
      cipher,
      logger,
      defaultLocale: opts.defaultLocale ?? 'zh-CN',
      adminTelegramIds: opts.adminIds ?? [],
      referenceDataFile: opts.referenceDataFile ?? REFERENCE_FILE,
      now: opts.now,
      services: opts.services,
      servicesDir: opts.servicesDir,
      translator: createTranslator(opts.extraLocales),
    });
    opts.adjustDeps?.(deps);
    lastDeps = deps;
    return createBot({
      token: TEST_TOKEN,
      deps,
      conversationState,
      cipher,
      botInfo: BOT_INFO,
      client: { fetch: telegram.fetch },
      flood: opts.flood ?? { limit: 1_000_000, windowMs: 60_000 },
      formStateLimits: opts.formStateLimits,
    });
  };
  const bot = build();
  if (opts.servicesDir) await (lastDeps as BotDeps).reloadServices();
  const receipts = createUpdateReceiptRepository(db);
  // One gate per bot (a restart builds a new bot, and with it a new gate). One attempt: a failure is
  // answered by the error boundary at once, as it is without a gate.
  const gates = new WeakMap<Bot<BotContext>, UpdateGate>();
  const gateOf = (b: Bot<BotContext>) => {
    let gate = gates.get(b);
    if (!gate) {
      gate = createUpdateGate({ bot: b, deps: lastDeps as BotDeps, inbox: receipts, cipher, maxAttempts: 1 });
      gates.set(b, gate);
    }
    return gate;
  };
  const harness: Harness = {
    bot,
    get deps() {
      return lastDeps as BotDeps;
    },
    db,
    database,
    cipher,
    calls: telegram.calls,
    restart() {
      harness.bot = build();
    },
    instance() {
      const other = createDb(database.url, { poolSize: 4 });
      extraDbs.push(other);
      return build(other);
    },
    async handle(update) {
      if (opts.gated === false) {
        await harness.bot.handleUpdate(update);
        return;
      }
      const outcome = await gateOf(harness.bot).process(update);
      if (outcome !== 'handled' && outcome !== 'set_aside' && outcome !== 'duplicate') {
        throw new Error(`update ${update.update_id} was not handled: ${outcome}`);
      }
    },
    user: (id, userOpts) => new SimUser(harness, id, userOpts),
    async close() {
      for (const other of extraDbs) await other.$disconnect();
      await db.$disconnect();
      await database.drop();
    },
  };
  return harness;
}

/** A simulated Telegram user in a private chat with the bot. */
export class SimUser {
  readonly firstName: string;
  readonly languageCode: string;

  constructor(
    private readonly h: Harness,
    readonly id: number,
    opts: { languageCode?: string; firstName?: string } = {},
  ) {
    this.firstName = opts.firstName ?? '测试';
    this.languageCode = opts.languageCode ?? 'zh-hans';
  }

  get from() {
    return { id: this.id, is_bot: false, first_name: this.firstName, language_code: this.languageCode };
  }

  get chat() {
    return { id: this.id, type: 'private' as const, first_name: this.firstName };
  }

  private nextMessageId = 1;

  message(extra: Record<string, unknown>): Update {
    return {
      update_id: updateId++,
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: this.chat,
        from: this.from,
        ...extra,
      },
    } as Update;
  }

  /** Sends an update and returns the Bot API calls it caused. */
  async send(update: Update): Promise<ApiCall[]> {
    const start = this.h.calls.length;
    await this.h.handle(update);

    return this.h.calls.slice(start);
  }

  text(text: string) {
    const entities = text.startsWith('/')
      ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]?.length ?? text.length }]
      : undefined;
    return this.send(this.message({ text, entities }));
  }

  sticker() {
    return this.send(
      this.message({
        sticker: {
          file_id: 'stk',
          file_unique_id: 'stk-u',
          type: 'regular',
          width: 512,
          height: 512,
          is_animated: false,
          is_video: false,
        },
      }),
    );
  }

  photo(mediaGroupId?: string) {
    return this.send(
      this.message({
        photo: [{ file_id: 'ph', file_unique_id: 'ph-u', width: 90, height: 90 }],
        ...(mediaGroupId ? { media_group_id: mediaGroupId } : {}),
      }),
    );
  }

  voice() {
    return this.send(this.message({ voice: { file_id: 'v', file_unique_id: 'v-u', duration: 3 } }));
  }

  contact(phone: string, userId: number = this.id) {
    return this.send(
      this.message({ contact: { phone_number: phone, first_name: this.firstName, user_id: userId } }),
    );
  }

  /** Presses a button with the given callback data (which may be forged) on the given message. */
  press(data: string, messageId = 1) {
    return this.send({
      update_id: updateId++,
      callback_query: {
        id: `cq${updateId}`,
        from: this.from,
        chat_instance: `ci${this.id}`,
        data,
        message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: this.chat,
          from: BOT_INFO,
          text: '…',
        },
      },
    } as Update);
  }

  /** Presses the button labelled `label` in the latest message to this chat that has it. */
  async tap(label: string | RegExp) {
    const found = this.findButton(label);
    if (!found) {
      throw new Error(
        `no button ${String(label)} in the chat; last texts: ${this.texts().slice(-3).join(' | ')}`,
      );
    }
    return this.press(found.button.callback_data as string, found.messageId);
  }

  findButton(label: string | RegExp): { button: InlineButton; messageId: number } | undefined {
    const calls = this.h.calls;
    for (let i = calls.length - 1; i >= 0; i--) {
      const call = calls[i] as ApiCall;
      if (Number(call.payload.chat_id) !== this.id) continue;
      for (const button of inlineButtons(call)) {
        const match = typeof label === 'string' ? button.text === label : label.test(button.text);
        if (match && button.callback_data) return { button, messageId: 1000 + i };
      }
    }
    return undefined;
  }

  /** Texts of every message sent to this chat, oldest first. */
  texts(): string[] {
    return this.h.calls
      .filter(
        (c) =>
          (c.method === 'sendMessage' || c.method === 'editMessageText') &&
          Number(c.payload.chat_id) === this.id,
      )
      .map((c) => String(c.payload.text));
  }

  lastText(): string {
    return this.texts().at(-1) ?? '';
  }
}

export function inlineButtons(call: ApiCall): InlineButton[] {
  const markup = call.payload.reply_markup as { inline_keyboard?: InlineButton[][] } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

export function sentTexts(calls: ApiCall[]): string[] {
  return calls.filter((c) => c.method === 'sendMessage').map((c) => String(c.payload.text));
}
