// Small pieces of production operation: when the nightly job runs, and how Bot API calls are retried
// (timeouts, network errors, a 429 too long to wait for).
import { describe, expect, it } from 'vitest';
import { msUntilNext } from '../../src/app/jobs/housekeeping.ts';
import { retryingFetch } from '../../src/bot/telegram-client.ts';
import { isDatabaseUnavailable } from '../../src/db/errors.ts';

describe('the nightly job', () => {
  it('runs next at 03:00 Beijing time', () => {
    // 2026-11-23 02:00 Beijing = 2026-11-22 18:00 UTC: one hour to go.
    expect(msUntilNext(new Date('2026-11-22T18:00:00Z'), 3)).toBe(3_600_000);
    // 03:00 exactly has just run: the next is a day later.
    expect(msUntilNext(new Date('2026-11-22T19:00:00Z'), 3)).toBe(86_400_000);
    expect(msUntilNext(new Date('2026-11-23T01:30:00Z'), 3)).toBe(17.5 * 3_600_000);
  });
});

describe('Bot API retries', () => {
  const hanging = (signal?: AbortSignal | null) =>
    new Promise<Response>((_, reject) =>
      signal?.addEventListener('abort', () => reject(new Error('aborted'))),
    );
  const noSleep = async () => undefined;

  it('a call that times out is tried again, unless it may have sent a message', async () => {
    let calls = 0;
    const fetch = retryingFetch(
      (async (_input: unknown, init?: RequestInit) => {
        calls++;
        if (calls === 1) return hanging(init?.signal);
        return new Response('{"ok":true,"result":true}');
      }) as typeof globalThis.fetch,
      { timeoutMs: 30, sleep: noSleep },
    );
    expect((await fetch('https://api/bot1/answerCallbackQuery', { method: 'POST', body: '{}' })).status).toBe(
      200,
    );
    expect(calls).toBe(2);

    calls = 0;
    const sends = retryingFetch(
      (async (_input: unknown, init?: RequestInit) => {
        calls++;
        return hanging(init?.signal);
      }) as typeof globalThis.fetch,
      { timeoutMs: 30, sleep: noSleep },
    );
    await expect(sends('https://api/bot1/sendMessage', { method: 'POST', body: '{}' })).rejects.toThrow();
    expect(calls).toBe(1);
  });

  it('a 429 longer than the cap is handed back at once, a short one waited for', async () => {
    const waits: number[] = [];
    let calls = 0;
    const fetch = retryingFetch(
      (async () => {
        calls++;
        const retryAfter = calls === 1 ? 2 : 600;
        return new Response(
          JSON.stringify({ ok: false, error_code: 429, parameters: { retry_after: retryAfter } }),
          {
            status: 429,
          },
        );
      }) as typeof globalThis.fetch,
      { maxWaitMs: 5_000, sleep: async (ms) => void waits.push(ms) },
    );
    const res = await fetch('https://api/bot1/sendMessage', { method: 'POST', body: '{}' });
    expect(res.status).toBe(429);
    expect(waits).toEqual([2_000]);
    expect(calls).toBe(2);
    expect(((await res.json()) as { parameters: { retry_after: number } }).parameters.retry_after).toBe(600);
  });

  it('a streamed upload is sent again whole after a 5xx', async () => {
    const bodies: string[] = [];
    const fetch = retryingFetch(
      (async (_input: unknown, init?: RequestInit) => {
        bodies.push(Buffer.from(init?.body as Uint8Array).toString());
        return new Response('{}', { status: bodies.length === 1 ? 502 : 200 });
      }) as typeof globalThis.fetch,
      { sleep: noSleep },
    );
    async function* parts() {
      yield new TextEncoder().encode('--b\r\n');
      yield new TextEncoder().encode('file content');
    }
    await fetch('https://api/bot1/sendDocument', {
      method: 'POST',
      body: parts() as unknown as RequestInit['body'],
    });
    expect(bodies).toEqual(['--b\r\nfile content', '--b\r\nfile content']);
  });
});

describe('database unavailable', () => {
  it('is told apart from other failures', () => {
    expect(isDatabaseUnavailable({ code: 'P1001' })).toBe(true);
    expect(
      isDatabaseUnavailable({
        code: 'P2010',
        meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } },
      }),
    ).toBe(true);
    expect(isDatabaseUnavailable({ cause: { code: '57P01', message: 'terminating connection' } })).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable({ code: 'P2002' })).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('fetch failed'), { code: 'ECONNREFUSED' }))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
  });
});
