// The Bot API client options the bot runs with: a `fetch` that retries, with a cap. It sits below the
// conversations plugin's replay engine (a transformer on bot.api would miss the calls forms make, and one
// passed to the forms would replay its waits at every step), so a 429 costs its wait once.
// - 429: waits `retry_after` if that is at most `maxWaitMs`, then tries again; a longer wait fails the call
//   (the update then fails and is delivered again later: a webhook handler must never sit on a long wait);
// - 5xx and network errors: a short backoff, then again; but a call that may have reached Telegram before the
//   connection failed (a send*) is repeated only on a 5xx answer, never after a timeout or a reset, since
//   Telegram has no idempotency key and the resident would get the message twice;
// - every call has its own timeout (long polling gets its long-poll time on top).
import type { BotConfig } from 'grammy';
import type { Metrics } from '../metrics.ts';
import type { BotContext } from './context.ts';
import { httpFetch } from './http-fetch.ts';

export interface RetryOptions {
  /** Attempts per call, the first included. */
  maxAttempts?: number;
  /** The longest 429 wait honoured. */
  maxWaitMs?: number;
  timeoutMs?: number;
  metrics?: Metrics;
  sleep?: (ms: number) => Promise<void>;
}

type Fetch = typeof globalThis.fetch;

/** Methods that create something each time they are called: not repeated once they may have arrived. */
const NOT_REPEATABLE = /^(send|forward|copy)/;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function replayableBody(body: unknown): Promise<RequestInit['body']> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body as RequestInit['body'];
  // grammY streams multipart uploads; a stream can be sent once, a buffer as often as needed.
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

export function retryingFetch(inner: Fetch, opts: RetryOptions = {}): Fetch {
  const maxAttempts = opts.maxAttempts ?? 3;
  const maxWaitMs = opts.maxWaitMs ?? 5_000;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const sleep = opts.sleep ?? defaultSleep;

  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = url.slice(url.lastIndexOf('/') + 1);
    const body = await replayableBody(init?.body);
    const callerSignal = init?.signal ?? undefined;
    const limitMs = method === 'getUpdates' ? timeoutMs + 60_000 : timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const controller = new AbortController();
      const onAbort = () => controller.abort(callerSignal?.reason);
      callerSignal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () => controller.abort(new Error(`Bot API call ${method} timed out`)),
        limitMs,
      );
      let response: Response;
      try {
        response = await inner(input, { ...init, body, signal: controller.signal });
      } catch (err) {
        if (callerSignal?.aborted) throw err; // stopped on purpose (shutdown)
        if (attempt >= maxAttempts || NOT_REPEATABLE.test(method)) throw err;
        opts.metrics?.telegramRetries.inc({ reason: 'network' });
        await sleep(250 * 2 ** (attempt - 1));
        continue;
      } finally {
        clearTimeout(timer);
        callerSignal?.removeEventListener('abort', onAbort);
      }
      if (response.status === 429 && attempt < maxAttempts) {
        const text = await response.text();
        const retryAfter = retryAfterSeconds(text);
        if (retryAfter !== undefined && retryAfter * 1000 <= maxWaitMs) {
          opts.metrics?.telegramRetries.inc({ reason: '429' });
          await sleep(retryAfter * 1000);
          continue;
        }
        return new Response(text, { status: response.status, headers: response.headers });
      }
      if (response.status >= 500 && attempt < maxAttempts) {
        await response.body?.cancel();
        opts.metrics?.telegramRetries.inc({ reason: '5xx' });
        await sleep(250 * 2 ** (attempt - 1));
        continue;
      }
      return response;
    }
  }) as Fetch;
}

function retryAfterSeconds(text: string): number | undefined {
  try {
    const value = (JSON.parse(text) as { parameters?: { retry_after?: unknown } }).parameters?.retry_after;
    return typeof value === 'number' && value >= 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Client options for createBot: the API root (a local Bot API server, or a test double) and the retries. */
export function telegramClient(
  opts: RetryOptions & { apiRoot?: string; fetch?: Fetch },
): NonNullable<BotConfig<BotContext>['client']> {
  return {
    ...(opts.apiRoot ? { apiRoot: opts.apiRoot } : {}),
    fetch: retryingFetch(opts.fetch ?? httpFetch, opts),
    // The per-call timeout above is the one that matters; grammY's own stays as a last resort.
    timeoutSeconds: 120,
  };
}
