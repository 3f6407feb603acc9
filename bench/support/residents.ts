// Simulated residents for the benchmarks: a fake Bot API (`fetch`) that answers like Telegram and keeps,
// per chat, the newest button of each label, and the registration walked step by step as update literals.
import type { Update, UserFromGetMe } from 'grammy/types';
import { makeIdNumber } from '../../test/support/fixtures.ts';

export const BENCH_TOKEN = '123456789:AAbench-token-for-the-in-process-bot';
export const BENCH_BOT: UserFromGetMe = {
  id: 123456789,
  is_bot: true,
  first_name: '便民',
  username: 'bianmin_bench_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

interface ChatView {
  buttons: Map<string, { data: string; messageId: number }>;
  lastText: string;
  /** The last few texts sent or edited in, newest last. */
  recent: string[];
  sent: number;
}

type Markup = { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;

/** A fake Bot API below grammY (`client.fetch`): every call answered at once, as Telegram would. */
export function fakeBotApi() {
  const chats = new Map<number, ChatView>();
  const methods = new Map<string, number>();
  let messageId = 1000;
  const view = (chatId: number) => {
    let v = chats.get(chatId);
    if (!v) {
      v = { buttons: new Map(), lastText: '', recent: [], sent: 0 };
      chats.set(chatId, v);
    }
    return v;
  };
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = url.slice(url.lastIndexOf('/') + 1);
    methods.set(method, (methods.get(method) ?? 0) + 1);
    const payload = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    let result: unknown = true;
    if (method === 'sendMessage' || method === 'editMessageText') {
      const chatId = Number(payload.chat_id);
      const id = method === 'sendMessage' ? ++messageId : Number(payload.message_id);
      const v = view(chatId);
      v.lastText = String(payload.text ?? '');
      v.recent.push(v.lastText);
      if (v.recent.length > 3) v.recent.shift();
      if (method === 'sendMessage') v.sent++;
      for (const button of ((payload.reply_markup as Markup)?.inline_keyboard ?? []).flat()) {
        if (button.callback_data) v.buttons.set(button.text, { data: button.callback_data, messageId: id });
      }
      result = {
        message_id: id,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private' },
        from: BENCH_BOT,
        text: v.lastText,
      };
    }
    return new Response(JSON.stringify({ ok: true, result }), { status: 200 });
  }) as typeof globalThis.fetch;
  return { fetch, chats, methods };
}

export type FakeBotApi = ReturnType<typeof fakeBotApi>;

let nextUpdateId = 1;

import { registrationScript, type Step } from '../../test/support/registration-script.ts';

export type { Step };
/** The registration from /start to consent (test/support/registration-script.ts). */
export const registrationSteps = registrationScript;

export const REGISTERED_TEXT = '登记好了';

/** A made-up, valid ID number that differs for each `n` (up to a million residents). */
export function idNumberFor(n: number): string {
  const day = new Date(Date.UTC(1950, 0, 1) + Math.floor(n / 1000) * 86_400_000);
  return makeIdNumber({ birthDate: day.toISOString().slice(0, 10), seq: n % 1000 });
}

export function updateFor(userId: number, step: Step, api: FakeBotApi): Update {
  const from = { id: userId, is_bot: false, first_name: '测试', language_code: 'zh-hans' };
  const chat = { id: userId, type: 'private' as const, first_name: '测试' };
  const date = Math.floor(Date.now() / 1000);
  const update_id = nextUpdateId++;
  if ('text' in step) {
    const entities = step.text.startsWith('/')
      ? [{ type: 'bot_command' as const, offset: 0, length: step.text.length }]
      : undefined;
    return { update_id, message: { message_id: update_id, date, chat, from, text: step.text, entities } };
  }
  const button = api.chats.get(userId)?.buttons.get(step.tap);
  if (!button) {
    throw new Error(
      `resident ${userId}: no button "${step.tap}"; the bot last said: ${api.chats.get(userId)?.lastText}`,
    );
  }
  return {
    update_id,
    callback_query: {
      id: `cq${update_id}`,
      from,
      chat_instance: `ci${userId}`,
      data: button.data,
      message: { message_id: button.messageId, date, chat, from: BENCH_BOT, text: '…' },
    },
  } as Update;
}

/**
 * Walks `steps` for one resident, one update after the other (the next is sent once the previous was
 * handled, as a person does), recording each update's handling time in `latencies` (ms).
 */
export async function walk(
  userId: number,
  steps: Step[],
  api: FakeBotApi,
  handle: (update: Update) => Promise<unknown>,
  latencies: number[],
  /** A pause before each step after the first (a person reading and typing); none by default. */
  thinkMs?: () => number,
): Promise<void> {
  for (const [i, step] of steps.entries()) {
    if (thinkMs && i > 0) await new Promise((resolve) => setTimeout(resolve, thinkMs()));
    const update = updateFor(userId, step, api);
    const started = performance.now();
    await handle(update);
    latencies.push(performance.now() - started);
  }
}
