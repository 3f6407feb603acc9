// A fake Telegram for the black-box benchmark, over HTTP on 127.0.0.1: the Bot API as a bot process sees it
// (its TELEGRAM_API_ROOT), and the two ways updates reach a bot —
// - long polling: `offer()` queues an update; getUpdates answers with the oldest unconfirmed ones (at most
//   `limit`, at most 100), drops those below `offset` (the bot's confirmation), and holds the request up to
//   `timeout` seconds while nothing is queued, answering as soon as something is;
// - webhook: `offer()` hands the update to a deliverer that POSTs it as Telegram does: with the
//   X-Telegram-Bot-Api-Secret-Token header, a chat's next update only once its previous one was answered
//   2xx, delivered again after any other answer (or a failed connection), at most `maxConnections`
//   requests at once, spread over the instances' URLs in turn (a load balancer in front of them).
// Every other method is answered at once as Telegram would (sendMessage returns the message, edits return
// it, answerCallbackQuery / deleteMessage / setMyCommands / deleteWebhook … return true), with no rate
// limits. Every call is recorded per chat — its time, method, text and inline buttons — so that a simulated
// resident waits for the bot's reply by watching these calls (never by the POST's answer: a webhook may
// answer before it handles the update) and taps the buttons the bot really sent.
import http, { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update } from 'grammy/types';

export interface Button {
  text: string;
  data: string;
  messageId: number;
}

export interface ApiCall {
  /** performance.now() of this process when the request's body was read. */
  at: number;
  method: string;
  text?: string;
  buttons?: Button[];
}

interface Waiter {
  from: number;
  test: (call: ApiCall) => boolean;
  resolve: (index: number) => void;
}

interface ChatLog {
  calls: ApiCall[];
  waiter?: Waiter;
}

/** Methods answered as Telegram answers them; any other method is answered `true` and listed in `unknown`. */
const KNOWN = new Set([
  'getMe',
  'getUpdates',
  'sendMessage',
  'editMessageText',
  'editMessageReplyMarkup',
  'editMessageCaption',
  'sendPhoto',
  'sendDocument',
  'sendVoice',
  'answerCallbackQuery',
  'deleteMessage',
  'deleteMessages',
  'sendChatAction',
  'setMyCommands',
  'deleteMyCommands',
  'getMyCommands',
  'setChatMenuButton',
  'setWebhook',
  'deleteWebhook',
  'getWebhookInfo',
  'getChat',
]);
/** Deliveries of one webhook update before it is given up (with the retry pause: seconds of trying). */
const MAX_DELIVERIES = 200;
const MESSAGES = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'sendVoice']);
const EDITS = new Set(['editMessageText', 'editMessageReplyMarkup', 'editMessageCaption']);

export interface WebhookDelivery {
  urls: string[];
  secret: string;
  /** Telegram's setWebhook max_connections (1–100, default 40): requests in flight at once, in all. */
  maxConnections: number;
  /** Pause before an update answered non-2xx (or not answered) is delivered again. */
  retryPauseMs: number;
}

export interface WebhookFigures {
  posts: number;
  /** Answers by status and body, e.g. "200 handled", "503 busy", "error ECONNRESET". */
  answers: Map<string, number>;
}

export interface PollingFigures {
  /** getUpdates requests answered, and how many of them carried updates. */
  requests: number;
  batches: number;
  updates: number;
}

export interface FakeTelegram {
  /** For TELEGRAM_API_ROOT. */
  url: string;
  /** Makes an update available to the bot (queued for getUpdates, or delivered to the webhook). */
  offer(update: Update): void;
  /** Switches delivery to webhooks (nothing is queued for getUpdates afterwards); null switches back. */
  deliverByWebhook(delivery: WebhookDelivery | null): void;
  /** The calls made for a chat so far (the list grows; indexes are stable). */
  calls(chatId: number): readonly ApiCall[];
  /** Resolves to the index of the first call for the chat at or after `from` that passes `test`, or null. */
  waitFor(
    chatId: number,
    from: number,
    test: (call: ApiCall) => boolean,
    timeoutMs: number,
  ): Promise<number | null>;
  /**
   * When an update first reached the bot (returned by getUpdates, or POSTed), and how many calls its chat
   * had by then: the bot's calls after that moment answer this update, not the one before (Bianmin takes a
   * chat's updates one at a time; its poller asks for the next batch only when a batch is done, and a
   * webhook gets a chat's next update only after the previous one was answered). Forgotten once read.
   */
  delivered(updateId: number): Delivered | undefined;
  /** Calls by method since the start (getUpdates included). */
  methods: Map<string, number>;
  /** Methods called that this fake does not know (answered `true`). */
  unknown: Set<string>;
  /** TCP connections the bot opened to this Bot API so far. */
  connections(): number;
  polling: PollingFigures;
  webhook: WebhookFigures;
  /** Updates offered and not yet confirmed (polling) or answered 2xx (webhook). */
  pending(): number;
  close(): Promise<void>;
}

export interface Delivered {
  at: number;
  callIndex: number;
}

interface Poller {
  res: ServerResponse;
  limit: number;
  timer: NodeJS.Timeout;
}

const botUser = (token: string) => ({
  id: Number(token.split(':')[0]),
  is_bot: true,
  first_name: '便民',
  username: 'bianmin_blackbox_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
});

type Markup = { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;

/** The chat a call is about: its chat_id, or the chat encoded in a callback query id (`cq:<chat>:<n>`). */
function chatOf(payload: Record<string, unknown>): number | undefined {
  if (payload.chat_id !== undefined) return Number(payload.chat_id);
  const cq = /^cq:(-?\d+):/.exec(String(payload.callback_query_id ?? ''));
  if (cq) return Number(cq[1]);
  const scope = payload.scope as { chat_id?: unknown } | undefined;
  return scope?.chat_id === undefined ? undefined : Number(scope.chat_id);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (!String(req.headers['content-type'] ?? '').includes('json')) return {};
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
}

export async function startFakeTelegram(token: string): Promise<FakeTelegram> {
  const chats = new Map<number, ChatLog>();
  const methods = new Map<string, number>();
  const unknown = new Set<string>();
  const queue: Update[] = [];
  const pollers = new Set<Poller>();
  const polling: PollingFigures = { requests: 0, batches: 0, updates: 0 };
  const webhookFigures: WebhookFigures = { posts: 0, answers: new Map() };
  let nextUpdateId = 500_000_000;
  let nextMessageId = 1;
  let webhook: ReturnType<typeof webhookDeliverer> | null = null;
  const delivered = new Map<number, Delivered>();
  const markDelivered = (update: Update) => {
    if (delivered.has(update.update_id)) return;
    const chatId = update.message?.chat.id ?? update.callback_query?.message?.chat.id;
    const callIndex = chatId === undefined ? 0 : (chats.get(chatId)?.calls.length ?? 0);
    delivered.set(update.update_id, { at: performance.now(), callIndex });
  };

  const log = (chatId: number) => {
    let chat = chats.get(chatId);
    if (!chat) {
      chat = { calls: [] };
      chats.set(chatId, chat);
    }
    return chat;
  };

  const reply = (res: ServerResponse, result: unknown, status = 200) => {
    const body = JSON.stringify(status === 200 ? { ok: true, result } : result);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  /** Answers parked getUpdates requests with what is queued now. */
  const wakePollers = () => {
    if (queue.length === 0) return;
    for (const poller of pollers) {
      pollers.delete(poller);
      clearTimeout(poller.timer);
      answerPoll(poller.res, poller.limit);
    }
  };
  const answerPoll = (res: ServerResponse, limit: number) => {
    const batch = queue.slice(0, limit);
    for (const update of batch) markDelivered(update);
    polling.requests++;
    if (batch.length > 0) {
      polling.batches++;
      polling.updates += batch.length;
    }
    reply(res, batch);
  };

  function getUpdates(res: ServerResponse, payload: Record<string, unknown>) {
    const offset = Number(payload.offset ?? 0);
    if (offset > 0) while (queue.length > 0 && (queue[0] as Update).update_id < offset) queue.shift();
    const limit = Math.min(100, Math.max(1, Number(payload.limit ?? 100)));
    const timeout = Math.max(0, Number(payload.timeout ?? 0));
    if (queue.length > 0 || timeout === 0) return answerPoll(res, limit);
    const poller: Poller = {
      res,
      limit,
      timer: setTimeout(() => {
        pollers.delete(poller);
        answerPoll(res, limit);
      }, timeout * 1000),
    };
    pollers.add(poller);
    res.on('close', () => {
      clearTimeout(poller.timer);
      pollers.delete(poller);
    });
  }

  function record(chatId: number, call: ApiCall) {
    const chat = log(chatId);
    const index = chat.calls.push(call) - 1;
    const w = chat.waiter;
    if (w && index >= w.from && w.test(call)) {
      chat.waiter = undefined;
      w.resolve(index);
    }
  }

  const server = createServer((req, res) => {
    void (async () => {
      const method = (req.url ?? '').split('?')[0]?.split('/').pop() ?? '';
      const payload = await readJson(req).catch(() => ({}) as Record<string, unknown>);
      const at = performance.now();
      methods.set(method, (methods.get(method) ?? 0) + 1);
      if (!KNOWN.has(method)) unknown.add(method);
      if (method === 'getUpdates') return getUpdates(res, payload);
      if (method === 'getMe') return reply(res, botUser(token));
      const chatId = chatOf(payload);
      const call: ApiCall = { at, method };
      let result: unknown = true;
      if (MESSAGES.has(method) || EDITS.has(method)) {
        const messageId = EDITS.has(method) ? Number(payload.message_id) : nextMessageId++;
        const text = payload.text ?? payload.caption;
        if (typeof text === 'string') call.text = text;
        const buttons = ((payload.reply_markup as Markup)?.inline_keyboard ?? [])
          .flat()
          .filter((b) => typeof b.callback_data === 'string')
          .map((b) => ({ text: b.text, data: b.callback_data as string, messageId }));
        if (buttons.length > 0) call.buttons = buttons;
        result = {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId ?? 0, type: 'private' },
          from: botUser(token),
          ...(typeof text === 'string' ? { text } : {}),
          ...(payload.reply_markup ? { reply_markup: payload.reply_markup } : {}),
        };
      } else if (method === 'getMyCommands') {
        result = [];
      } else if (method === 'getWebhookInfo') {
        result = { url: '', has_custom_certificate: false, pending_update_count: queue.length };
      } else if (method === 'getChat') {
        result = { id: chatId ?? 0, type: 'private' };
      }
      if (chatId !== undefined) record(chatId, call);
      reply(res, result);
    })().catch((err: unknown) => {
      if (!res.headersSent) reply(res, { ok: false, error_code: 500, description: String(err) }, 500);
    });
  });
  server.keepAliveTimeout = 60_000;
  let connections = 0;
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  function webhookDeliverer(delivery: WebhookDelivery) {
    // Idle connections are closed before the instances' servers would close them (Node: after 5 s), so
    // that no POST is written into a connection the other side is closing.
    const agent = new http.Agent({ keepAlive: true, maxSockets: delivery.maxConnections, timeout: 4_000 });
    /** Per chat: updates waiting (the head is in flight or about to be). */
    const perChat = new Map<number, Update[]>();
    /** Chats whose head update may be POSTed now, in the order they became so. */
    const ready: number[] = [];
    let inFlight = 0;
    let turn = 0;
    let waiting = 0;
    let closed = false;
    const attempts = new Map<number, number>();

    const pump = () => {
      while (!closed && inFlight < delivery.maxConnections && ready.length > 0) {
        const chatId = ready.shift() as number;
        const update = perChat.get(chatId)?.[0];
        if (update) post(chatId, update);
      }
    };
    const post = (chatId: number, update: Update) => {
      inFlight++;
      const url = new URL(delivery.urls[turn++ % delivery.urls.length] as string);
      markDelivered(update);
      webhookFigures.posts++;
      const body = JSON.stringify(update);
      const tries = (attempts.get(update.update_id) ?? 0) + 1;
      attempts.set(update.update_id, tries);
      const done = (outcome: string, accepted: boolean) => {
        inFlight--;
        webhookFigures.answers.set(outcome, (webhookFigures.answers.get(outcome) ?? 0) + 1);
        // Telegram keeps trying for a day; here an update is given up after MAX_DELIVERIES (its resident
        // then stalls, and the report says so), so that nothing loops for ever.
        const givenUp = !accepted && tries >= MAX_DELIVERIES;
        if (givenUp)
          webhookFigures.answers.set('given up', (webhookFigures.answers.get('given up') ?? 0) + 1);
        if (accepted || givenUp) {
          attempts.delete(update.update_id);
          const list = perChat.get(chatId) ?? [];
          list.shift();
          waiting--;
          if (list.length > 0) ready.push(chatId);
          else perChat.delete(chatId);
          pump();
        } else {
          // Delivered again after a pause; the chat's later updates wait behind it, as at Telegram.
          setTimeout(() => {
            ready.push(chatId);
            pump();
          }, delivery.retryPauseMs);
          pump();
        }
      };
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'x-telegram-bot-api-secret-token': delivery.secret,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            done(`${status} ${text.slice(0, 40)}`.trim(), status >= 200 && status < 300);
          });
          res.on('error', (err) =>
            done(`error ${(err as NodeJS.ErrnoException).code ?? err.message}`, false),
          );
        },
      );
      req.on('error', (err) => {
        // "kept-alive connection": the POST went out on a connection reused from an earlier one.
        const code = (err as NodeJS.ErrnoException).code ?? err.message;
        done(`error ${code}${req.reusedSocket ? ' (kept-alive connection)' : ''}`, false);
      });
      req.end(body);
    };
    return {
      offer(update: Update) {
        const chatId = update.message?.chat.id ?? update.callback_query?.message?.chat.id ?? 0;
        const list = perChat.get(chatId);
        waiting++;
        if (list) {
          list.push(update);
        } else {
          perChat.set(chatId, [update]);
          ready.push(chatId);
          pump();
        }
      },
      pending: () => waiting,
      close: () => {
        closed = true;
        agent.destroy();
      },
    };
  }

  return {
    url: `http://127.0.0.1:${port}`,
    offer(update) {
      update.update_id = nextUpdateId++;
      if (webhook) return webhook.offer(update);
      queue.push(update);
      wakePollers();
    },
    deliverByWebhook(delivery) {
      webhook?.close();
      webhook = delivery ? webhookDeliverer(delivery) : null;
    },
    calls: (chatId) => chats.get(chatId)?.calls ?? [],
    waitFor(chatId, from, test, timeoutMs) {
      const chat = log(chatId);
      for (let i = from; i < chat.calls.length; i++)
        if (test(chat.calls[i] as ApiCall)) return Promise.resolve(i);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          if (chat.waiter === waiter) chat.waiter = undefined;
          resolve(null);
        }, timeoutMs);
        const waiter: Waiter = {
          from,
          test,
          resolve: (index) => {
            clearTimeout(timer);
            resolve(index);
          },
        };
        chat.waiter = waiter;
      });
    },
    delivered(updateId) {
      const d = delivered.get(updateId);
      delivered.delete(updateId);
      return d;
    },
    methods,
    unknown,
    connections: () => connections,
    polling,
    webhook: webhookFigures,
    pending: () => (webhook ? webhook.pending() : queue.length),
    async close() {
      webhook?.close();
      for (const poller of pollers) {
        clearTimeout(poller.timer);
        poller.res.destroy();
      }
      pollers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
