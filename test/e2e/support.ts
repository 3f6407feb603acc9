// End-to-end helpers: the telegram-test-api emulator on a free local port, a simulated resident that talks
// to it over the emulator's client HTTP API, and the real bot process (dist/main.mjs, built and run as
// `npm start` builds and runs it) as a child.
//
// Facts about telegram-test-api 4.2.1 this file relies on:
// - the bot's getUpdates ignores `offset` but marks each update `isRead` when it hands it out, so the bot
//   never sees an update twice; the client's POST /getUpdates does the same for the bot's messages.
// - the packaged TelegramClient#getUpdates retries in the background after its timeout and then swallows
//   the next message, so this file reads the bot's messages with single POST /getUpdates calls instead.
// - a callback query's `message` is whatever the client sends: we send the real message_id, otherwise the
//   bot's edits of that message have nothing to point at.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import type { InlineKeyboardButton } from 'grammy/types';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { buildEntry, startCommand } from '../../scripts/build.mjs';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

// What `npm start` runs: its prestart build (src/ bundled to dist/main.mjs), then node with the start
// script's flags and environment.
await buildEntry('src/main.ts', 'dist/main.mjs');
const START = await startCommand();

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

export interface Emulator {
  server: TelegramServer;
  apiRoot: string;
  stop(): Promise<void>;
}

/** The emulator on 127.0.0.1 and a port nobody uses (it cannot listen on port 0: it turns 0 into 9000). */
export async function startEmulator(): Promise<Emulator> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // storeTimeout: seconds before unread messages are dropped; far beyond the test's length.
    const server = new TelegramServer({ host: '127.0.0.1', port, storeTimeout: 600 });
    try {
      await server.start();
      return { server, apiRoot: server.config.apiURL, stop: async () => void (await server.stop()) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw err;
    }
  }
}

/** A message the bot sent, as the emulator stored it (the raw sendMessage body). */
export interface BotMessage {
  messageId: number;
  text: string;
  buttons: InlineKeyboardButton.CallbackButton[];
}

interface StoredBotMessage {
  messageId: number;
  message: { text?: string; reply_markup?: { inline_keyboard?: InlineKeyboardButton[][] } };
}

/** A resident in a private chat with the bot; chat id = user id, as in Telegram. */
export class SimulatedUser {
  readonly received: BotMessage[] = [];
  private readonly client;

  constructor(
    private readonly emulator: Emulator,
    private readonly token: string,
    readonly id: number,
  ) {
    this.client = emulator.server.getClient(token, { userId: id, chatId: id, firstName: '三丰' });
  }

  /** Sends a command (with its bot_command entity) and waits for a reply that satisfies `until`. */
  async command(text: string, until: Expect): Promise<BotMessage> {
    return this.act(() => this.client.sendCommand(this.client.makeCommand(text)), until);
  }

  async text(text: string, until: Expect): Promise<BotMessage> {
    return this.act(() => this.client.sendMessage(this.client.makeMessage(text)), until);
  }

  /** Taps the inline button labelled `label` on the newest message that has one. */
  async tap(label: string, until: Expect): Promise<BotMessage> {
    const holder = this.received.findLast((m) => m.buttons.some((b) => b.text === label));
    const button = holder?.buttons.find((b) => b.text === label);
    if (!holder || !button) {
      throw new Error(`no button "${label}" in the chat; the bot said:\n${this.transcript()}`);
    }
    const query = this.client.makeCallbackQuery(button.callback_data, {
      message: { message_id: holder.messageId },
    });
    return this.act(() => this.client.sendCallback(query), until);
  }

  /** Everything the emulator still holds for this bot, both directions, in order (after edits and deletes). */
  async rawHistory(): Promise<unknown[]> {
    const res = await fetch(`${this.emulator.apiRoot}/getUpdatesHistory`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: this.token }),
    });
    return ((await res.json()) as { result: unknown[] }).result;
  }

  /** The bot's messages to this chat as they are now in the emulator (after its edits). */
  async history(): Promise<BotMessage[]> {
    // The history mixes the bot's messages (with `message.chat_id`) and the user's updates.
    const stored = (await this.rawHistory()) as (StoredBotMessage & { message?: { chat_id?: unknown } })[];
    return stored
      .filter((u) => u.message?.chat_id !== undefined && String(u.message.chat_id) === String(this.id))
      .map(toBotMessage);
  }

  transcript(): string {
    return this.received.map((m) => `  [${m.messageId}] ${m.text.replaceAll('\n', ' ⏎ ')}`).join('\n');
  }

  /**
   * Waits for a message the user did not ask for (a notification): the first after the `since`-th message
   * received that satisfies `until`.
   */
  async waitForMessage(until: Expect, since: number, timeoutMs = 10_000): Promise<BotMessage> {
    return this.act(async () => undefined, until, since, timeoutMs);
  }

  /** Does `send`, then reads the bot's new messages until one of them satisfies `until`. */
  private async act(
    send: () => Promise<unknown>,
    until: Expect,
    since = this.received.length,
    timeoutMs = 10_000,
  ): Promise<BotMessage> {
    const seen = since;
    await send();
    const matches = typeof until === 'string' ? (m: BotMessage) => m.text.includes(until) : until;
    try {
      return await waitFor(
        `the bot's reply (${String(until)})`,
        async () => {
          await this.fetchNew();
          return this.received.slice(seen).find(matches);
        },
        timeoutMs,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}; the bot said:\n${this.transcript()}`);
    }
  }

  private async fetchNew(): Promise<void> {
    const res = await fetch(`${this.emulator.apiRoot}/getUpdates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: this.token, chatId: this.id }),
    });
    const body = (await res.json()) as { result: StoredBotMessage[] };
    this.received.push(...body.result.map(toBotMessage));
  }
}

/** Text the awaited reply contains, or a test on the reply. */
export type Expect = string | ((m: BotMessage) => boolean);

export const hasButton =
  (label: string): Expect =>
  (m) =>
    m.buttons.some((b) => b.text === label);

function toBotMessage(u: StoredBotMessage): BotMessage {
  const rows = u.message.reply_markup?.inline_keyboard ?? [];
  const buttons = rows.flat().filter((b): b is InlineKeyboardButton.CallbackButton => 'callback_data' in b);
  return { messageId: u.messageId, text: u.message.text ?? '', buttons };
}

/**
 * The real bot: `node dist/main.mjs` with package.json's start flags (what `npm start` runs after its
 * prestart build) and the given environment, its output captured. One process, so a SIGKILL reaches the bot
 * itself, not a wrapper.
 */
export class BotProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /**
   * `nodeArgs` go before the start script's own flags (a profiler, say); `script` runs another bundle the same
   * way (a benchmark's peer).
   */
  constructor(env: Record<string, string>, opts: { nodeArgs?: string[]; script?: string } = {}) {
    const args = [...(opts.nodeArgs ?? []), ...START.nodeArgs, opts.script ?? START.script];
    this.child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TZ: 'Asia/Shanghai',
        ...START.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** pino's JSON lines on stdout (anything else is skipped). */
  logs(): { level: number; msg: string; [key: string]: unknown }[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line)];
        } catch {
          return [];
        }
      });
  }

  /** Waits for a log line whose message contains `msg`; fails early when the process ends. */
  async waitForLog(msg: string, timeoutMs: number): Promise<void> {
    await waitFor(
      `the log line "${msg}"`,
      () => {
        if (this.logs().some((l) => l.msg.includes(msg))) return true;
        if (!this.running) throw new Error(`the bot exited (code ${this.child.exitCode}) before "${msg}"`);
        return undefined;
      },
      timeoutMs,
    );
  }

  output(): string {
    return `--- bot stdout ---\n${this.stdout}\n--- bot stderr ---\n${this.stderr}`;
  }
}
