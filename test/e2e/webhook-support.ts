// The real bot process in webhook mode, for the end-to-end fault tests and the two-instance benchmark:
// `node dist/main.mjs` (as `npm start` runs it) with BOT_MODE=webhook on a port of its own, talking to a fake Bot
// API server (test/support/fake-bot-api.ts), and a resident whose updates the test posts to the webhook as
// Telegram would — with the secret header, one update per POST. In webhook mode the POST is answered once the
// update was handled, so the bot's replies have reached the fake Bot API by the time it returns — unless its
// chat was held by the other instance ("queued"): then the replies come when that instance gets to it.
import type { InlineKeyboardButton, Update } from 'grammy/types';
import pg from 'pg';
import type { FakeBotApi } from '../support/fake-bot-api.ts';
import { BotProcess, freePort } from './support.ts';

export { registrationScript } from '../support/registration-script.ts';

export const E2E_TOKEN = '123456789:AAe2e-token-for-the-webhook-instances';
export const E2E_PII_KEY = 'b2'.repeat(32);
export const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789';
export const WEBHOOK_PATH = '/telegram/webhook';

export interface WebhookInstance {
  process: BotProcess;
  /** Where Telegram would POST updates. */
  url: string;
  port: number;
  /** Its /metrics (on METRICS_PORT, a listener of its own), unless started without one. */
  metricsUrl: string | undefined;
}

/**
 * Starts one instance and waits until it takes updates (migrations, reference data, getMe). With `metrics`
 * (the default) METRICS_PORT is set: /readyz and /metrics on a port of their own (not on the webhook's).
 */
export async function startWebhookInstance(opts: {
  apiRoot: string;
  databaseUrl: string;
  env?: Record<string, string>;
  metrics?: boolean;
}): Promise<WebhookInstance> {
  const port = await freePort();
  const metricsPort = opts.metrics === false ? undefined : await freePort();
  const url = `http://127.0.0.1:${port}${WEBHOOK_PATH}`;
  const process = new BotProcess({
    BOT_TOKEN: E2E_TOKEN,
    BOT_MODE: 'webhook',
    WEBHOOK_URL: url,
    WEBHOOK_SECRET,
    WEBHOOK_SET_ON_START: 'false',
    PORT: String(port),
    ...(metricsPort === undefined ? {} : { METRICS_PORT: String(metricsPort) }),
    TELEGRAM_API_ROOT: opts.apiRoot,
    DATABASE_URL: opts.databaseUrl,
    PII_KEY: E2E_PII_KEY,
    LOG_LEVEL: 'info',
    ...opts.env,
  });
  try {
    await process.waitForLog('webhook mode: taking updates', 60_000);
  } catch (err) {
    process.child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${process.output()}`);
  }
  return {
    process,
    url,
    port,
    metricsUrl: metricsPort === undefined ? undefined : `http://127.0.0.1:${metricsPort}/metrics`,
  };
}

/** POSTs one update the way Telegram does; resolves to the HTTP status and the body (the gate's outcome). */
export async function postUpdate(
  url: string,
  update: Update,
  secret: string | null = WEBHOOK_SECRET,
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(update) });
  return { status: res.status, body: await res.text() };
}

/**
 * Delivers an update to one instance until it is answered 2xx, as Telegram does: a 5xx (shutting down, or the
 * inbox could not be written) is delivered again after a pause. Resolves to every answer it got, in order.
 */
export async function deliver(url: string, update: Update, pauseMs = 100): Promise<string[]> {
  const outcomes: string[] = [];
  for (let attempt = 1; attempt <= 20; attempt++) {
    const { status, body } = await postUpdate(url, update);
    outcomes.push(`${status} ${body}`);
    if (status < 300) return outcomes;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  throw new Error(`update ${update.update_id} never accepted: ${outcomes.join(', ')}`);
}

let nextUpdateId = 700_000_000 + Math.floor(Math.random() * 1_000_000) * 100;

/** A resident in a private chat; builds the updates, reads the bot's messages from the fake Bot API. */
export class HookResident {
  private nextMessageId = 1;

  constructor(
    private readonly api: FakeBotApi,
    readonly id: number,
  ) {}

  private get from() {
    return { id: this.id, is_bot: false, first_name: '三丰', language_code: 'zh-hans' };
  }

  private get chat() {
    return { id: this.id, type: 'private' as const, first_name: '三丰' };
  }

  /** A message of this chat's resident, with `content` (its text, its photo …). */
  private message(content: Record<string, unknown>): Update {
    return {
      update_id: nextUpdateId++,
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: this.chat,
        from: this.from,
        ...content,
      },
    } as Update;
  }

  /** A text message (a command when it starts with "/"). */
  text(text: string): Update {
    const entities = text.startsWith('/')
      ? [{ type: 'bot_command' as const, offset: 0, length: text.split(' ')[0]?.length ?? text.length }]
      : undefined;
    return this.message({ text, entities });
  }

  /** A tap on the newest inline button labelled `label` the bot sent to this chat. */
  tap(label: string): Update {
    const button = this.messages()
      .flatMap((m) => m.buttons)
      .findLast((b) => b.text === label);
    if (!button) {
      throw new Error(`no button "${label}" for ${this.id}; the bot said:\n${this.texts().join('\n')}`);
    }
    return {
      update_id: nextUpdateId++,
      callback_query: {
        id: `cq${nextUpdateId}`,
        from: this.from,
        chat_instance: `ci${this.id}`,
        data: button.callback_data,
        message: {
          message_id: 1,
          date: Math.floor(Date.now() / 1000),
          chat: this.chat,
          text: '…',
        },
      },
    } as Update;
  }

  /** A photo, as one part of an album when `mediaGroupId` is given. */
  photo(fileId: string, mediaGroupId?: string): Update {
    return this.message({
      photo: [{ file_id: fileId, file_unique_id: `u-${fileId}`, width: 800, height: 600, file_size: 90_000 }],
      ...(mediaGroupId ? { media_group_id: mediaGroupId } : {}),
    });
  }

  /** The messages the fake Bot API accepted for this chat (sendMessage / sendPhoto), oldest first. */
  messages(): { text: string; buttons: InlineKeyboardButton.CallbackButton[] }[] {
    return (this.api.accepted.get(this.id) ?? []).map((m) => {
      const markup = m.replyMarkup as { inline_keyboard?: InlineKeyboardButton[][] } | undefined;
      const buttons = (markup?.inline_keyboard ?? [])
        .flat()
        .filter((b): b is InlineKeyboardButton.CallbackButton => 'callback_data' in b);
      return { text: m.text, buttons };
    });
  }

  texts(): string[] {
    return this.messages().map((m) => m.text);
  }

  /** How many of the bot's messages to this chat contain `part`. */
  count(part: string): number {
    return this.texts().filter((t) => t.includes(part)).length;
  }
}

export function stepUpdate(resident: HookResident, step: { text: string } | { tap: string }): Update {
  return 'text' in step ? resident.text(step.text) : resident.tap(step.tap);
}

/** Runs one statement on `url` over a connection of its own; resolves to its rows. */
export async function sqlRows<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  values?: unknown[],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
