// A fake Telegram Bot API over HTTP, for the notice sender's tests and benchmark. It enforces Telegram's
// limits the way Telegram answers them — at most `perSecond` messages in any one-second window for the bot,
// at most one message a second to one chat, otherwise 429 with `retry_after` (and, like a flood wait, every
// request is refused until it has passed) — and injects failures: 403 blocked / deactivated, 400 chat not
// found, 5xx, dropped connections, requests that never get an answer. It records every request and, per
// chat, every message it accepted, so a test can count duplicates and lost recipients exactly.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with one request: answer normally, fail it, or leave it without an answer. */
export type Injection =
  | 'ok'
  | {
      status: number;
      description: string;
      /** Sent as parameters.retry_after (with a 429). */
      retryAfter?: number;
    }
  /** Answer normally, but only after this long (an update still in flight, a slow Telegram). */
  | { delayMs: number }
  /** Close the connection before doing anything (the message is not delivered): a network error. */
  | 'drop'
  /** Deliver the message, then never answer (a sender killed while waiting for the answer). */
  | 'deliver-then-hang'
  /** Never answer and do not deliver. */
  | 'hang';

export interface FakeBotApiOptions {
  /** Messages a second for the whole bot (Telegram: about 30). */
  perSecond?: number;
  /** Minimum gap between two messages to one chat (Telegram: about a second). */
  perChatIntervalMs?: number;
  /** Seconds in a 429's retry_after; every request is refused for that long (default 1). */
  retryAfterSeconds?: number;
  blocked?: Iterable<number>;
  deactivated?: Iterable<number>;
  notFound?: Iterable<number>;
  /** Decides per request (attempt counts the requests to that chat, from 1). */
  inject?: (req: { method: string; chatId: number; attempt: number }) => Injection;
}

export interface RecordedRequest {
  at: number;
  method: string;
  chatId: number;
  status: number | 'dropped' | 'hung';
  text?: string;
}

const SENDS = new Set(['sendMessage', 'sendPhoto']);
const COUNTED = new Set(['sendMessage', 'sendPhoto', 'editMessageText', 'editMessageReplyMarkup']);

export interface FakeBotApi {
  /** For grammY's `apiRoot`. */
  url: string;
  requests: RecordedRequest[];
  /** chat id → the texts (or captions) of the messages it accepted, in order. */
  accepted: Map<number, { at: number; text: string; replyMarkup: unknown }[]>;
  /** Per chat, messages accepted more than once. */
  duplicates(): number[];
  count(status: RecordedRequest['status'], method?: string): number;
  close(): Promise<void>;
}

export async function startFakeBotApi(opts: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const perSecond = opts.perSecond ?? 30;
  const perChatIntervalMs = opts.perChatIntervalMs ?? 1000;
  const retryAfter = opts.retryAfterSeconds ?? 1;
  const blocked = new Set(opts.blocked ?? []);
  const deactivated = new Set(opts.deactivated ?? []);
  const notFound = new Set(opts.notFound ?? []);
  const window: number[] = [];
  const lastToChat = new Map<number, number>();
  const attempts = new Map<number, number>();
  const requests: RecordedRequest[] = [];
  const accepted = new Map<number, { at: number; text: string; replyMarkup: unknown }[]>();
  const hanging = new Set<ServerResponse>();
  let floodUntil = 0;
  let messageId = 1;

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const tooMany = (res: ServerResponse, rec: RecordedRequest, seconds: number) => {
    rec.status = 429;
    reply(res, 429, {
      ok: false,
      error_code: 429,
      description: `Too Many Requests: retry after ${seconds}`,
      parameters: { retry_after: seconds },
    });
  };

  async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const method = (req.url ?? '').split('/').pop() ?? '';
      const payload = await body(req).catch(() => ({}) as Record<string, unknown>);
      const chatId = Number(payload.chat_id ?? 0);
      const now = Date.now();
      const rec: RecordedRequest = { at: now, method, chatId, status: 200 };
      requests.push(rec);
      if (method === 'getMe') {
        reply(res, 200, {
          ok: true,
          result: { id: 1, is_bot: true, first_name: 'fake', username: 'fake_bot' },
        });
        return;
      }
      if (!COUNTED.has(method)) {
        reply(res, 200, { ok: true, result: true });
        return;
      }
      const attempt = SENDS.has(method) ? (attempts.get(chatId) ?? 0) + 1 : 1;
      if (SENDS.has(method)) attempts.set(chatId, attempt);
      let injected = opts.inject?.({ method, chatId, attempt }) ?? 'ok';
      if (typeof injected === 'object' && 'delayMs' in injected) {
        await new Promise((resolve) => setTimeout(resolve, (injected as { delayMs: number }).delayMs));
        injected = 'ok';
      }
      if (injected === 'drop') {
        rec.status = 'dropped';
        req.socket.destroy();
        return;
      }
      if (injected === 'hang') {
        rec.status = 'hung';
        hanging.add(res);
        return;
      }
      // Flood control first, as Telegram does: a refused request is not delivered.
      if (now < floodUntil) return tooMany(res, rec, Math.max(1, Math.ceil((floodUntil - now) / 1000)));
      while (window.length > 0 && (window[0] as number) <= now - 1000) window.shift();
      if (window.length >= perSecond) {
        floodUntil = now + retryAfter * 1000;
        return tooMany(res, rec, retryAfter);
      }
      if (SENDS.has(method) && now - (lastToChat.get(chatId) ?? -Infinity) < perChatIntervalMs) {
        return tooMany(res, rec, retryAfter);
      }
      window.push(now);
      if (typeof injected === 'object' && 'status' in injected) {
        rec.status = injected.status;
        reply(res, injected.status, {
          ok: false,
          error_code: injected.status,
          description: injected.description,
          ...(injected.retryAfter === undefined ? {} : { parameters: { retry_after: injected.retryAfter } }),
        });
        return;
      }
      if (SENDS.has(method)) {
        const refusal = blocked.has(chatId)
          ? { status: 403, description: 'Forbidden: bot was blocked by the user' }
          : deactivated.has(chatId)
            ? { status: 403, description: 'Forbidden: user is deactivated' }
            : notFound.has(chatId)
              ? { status: 400, description: 'Bad Request: chat not found' }
              : null;
        if (refusal) {
          rec.status = refusal.status;
          reply(res, refusal.status, {
            ok: false,
            error_code: refusal.status,
            description: refusal.description,
          });
          return;
        }
        lastToChat.set(chatId, now);
        const text = String(payload.text ?? payload.caption ?? '');
        rec.text = text;
        const list = accepted.get(chatId) ?? [];
        list.push({ at: now, text, replyMarkup: payload.reply_markup });
        accepted.set(chatId, list);
        if (injected === 'deliver-then-hang') {
          rec.status = 'hung';
          hanging.add(res);
          return;
        }
      }
      const id = method === 'editMessageText' ? Number(payload.message_id) : ++messageId;
      reply(res, 200, {
        ok: true,
        result: {
          message_id: id,
          date: Math.floor(now / 1000),
          chat: { id: chatId, type: 'private' },
          text: payload.text,
          caption: payload.caption,
        },
      });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted,
    duplicates: () => [...accepted].filter(([, list]) => list.length > 1).map(([chat]) => chat),
    count: (status, method) =>
      requests.filter((r) => r.status === status && (method === undefined || r.method === method)).length,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
