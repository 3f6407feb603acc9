// The black-box benchmark's fake Telegram (bench/support/fake-telegram.ts) behaves as Telegram does where the
// figures depend on it: getUpdates confirms by offset, holds an empty poll for `timeout` and answers it as soon
// as an update comes, hands out at most 100 at a time; webhook delivery sends the secret, keeps a chat's order
// (the next update only after a 2xx) and delivers again after anything else.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram } from '../../bench/support/fake-telegram.ts';

const TOKEN = '123456789:AAfake-telegram-test-token-0123456789';
let tg: FakeTelegram | undefined;

afterEach(async () => {
  await tg?.close();
  tg = undefined;
});

async function call(method: string, body: object = {}): Promise<{ ok: boolean; result: unknown }> {
  const res = await fetch(`${tg?.url}/bot${TOKEN}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { ok: boolean; result: unknown };
}

const message = (chatId: number, text: string): Update => ({
  update_id: 0,
  message: {
    message_id: 1,
    date: 0,
    chat: { id: chatId, type: 'private', first_name: 'x' },
    from: { id: chatId, is_bot: false, first_name: 'x' },
    text,
  },
});

describe('the fake Telegram', () => {
  it('long polling: batches of at most 100, confirmed by offset, an empty poll held until an update comes', async () => {
    tg = await startFakeTelegram(TOKEN);
    for (let i = 0; i < 150; i++) tg.offer(message(1000 + i, `u${i}`));
    const first = (await call('getUpdates', { limit: 100, timeout: 30 })).result as Update[];
    expect(first).toHaveLength(100);
    // Not confirmed yet: the same batch again.
    const again = (await call('getUpdates', { limit: 100, timeout: 30 })).result as Update[];
    expect(again[0]?.update_id).toBe(first[0]?.update_id);
    const last = (first.at(-1) as Update).update_id;
    const second = (await call('getUpdates', { offset: last + 1, timeout: 30 })).result as Update[];
    expect(second).toHaveLength(50);

    const started = performance.now();
    const empty = (await call('getUpdates', { offset: last + 51, timeout: 1 })).result as Update[];
    expect(empty).toHaveLength(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);

    const waiting = call('getUpdates', { offset: last + 51, timeout: 30 });
    setTimeout(() => tg?.offer(message(7, 'late')), 100);
    const late = (await waiting).result as Update[];
    expect(late.map((u) => u.message?.text)).toEqual(['late']);
  });

  it('records the calls per chat, with their buttons, and answers like the Bot API', async () => {
    tg = await startFakeTelegram(TOKEN);
    const sent = await call('sendMessage', {
      chat_id: 42,
      text: 'hello',
      reply_markup: { inline_keyboard: [[{ text: 'yes', callback_data: 'y' }]] },
    });
    expect(sent.ok).toBe(true);
    const id = (sent.result as { message_id: number }).message_id;
    await call('answerCallbackQuery', { callback_query_id: 'cq:42:1' });
    await call('setMyCommands', { commands: [] });
    expect(tg.calls(42).map((c) => c.method)).toEqual(['sendMessage', 'answerCallbackQuery']);
    expect(tg.calls(42)[0]?.buttons).toEqual([{ text: 'yes', data: 'y', messageId: id }]);
    expect((await call('getMe')).result).toMatchObject({ id: 123456789, is_bot: true });
    expect(tg.unknown.size).toBe(0);
  });

  it("webhook: the secret, a chat's next update only after a 2xx, delivered again after a 5xx", async () => {
    const seen: { chat: number; text: string; secret: unknown; at: number }[] = [];
    let failA = true;
    const inFlight = new Map<number, number>();
    let overlapped = false;
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c;
      });
      req.on('end', () => {
        const u = JSON.parse(body) as Update;
        const chat = u.message?.chat.id ?? 0;
        if ((inFlight.get(chat) ?? 0) > 0) overlapped = true;
        inFlight.set(chat, (inFlight.get(chat) ?? 0) + 1);
        seen.push({
          chat,
          text: u.message?.text ?? '',
          secret: req.headers['x-telegram-bot-api-secret-token'],
          at: performance.now(),
        });
        setTimeout(() => {
          inFlight.set(chat, (inFlight.get(chat) ?? 1) - 1);
          if (failA && u.message?.text === 'a') {
            failA = false;
            res.writeHead(500).end('failed');
          } else res.writeHead(200).end('handled');
        }, 20);
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      tg = await startFakeTelegram(TOKEN);
      const { port } = hook.address() as AddressInfo;
      tg.deliverByWebhook({
        urls: [`http://127.0.0.1:${port}/hook`],
        secret: 'the-secret-0123456789',
        maxConnections: 10,
        retryPauseMs: 10,
      });
      for (const text of ['a', 'b', 'c']) tg.offer(message(5, text));
      tg.offer(message(6, 'other'));
      for (let i = 0; i < 200 && tg.pending() > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(tg.pending()).toBe(0);
      expect(seen.filter((s) => s.chat === 5).map((s) => s.text)).toEqual(['a', 'a', 'b', 'c']);
      expect(seen.every((s) => s.secret === 'the-secret-0123456789')).toBe(true);
      expect(overlapped).toBe(false);
      expect(tg.webhook.answers.get('500 failed')).toBe(1);
    } finally {
      hook.closeAllConnections();
      await new Promise<void>((resolve) => hook.close(() => resolve()));
    }
  });
});
