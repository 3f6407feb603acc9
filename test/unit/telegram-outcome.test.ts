// What a failed Bot API call means (src/bot/telegram-outcome.ts), read from the errors grammY itself throws:
// each case below makes a real Api call against a `fetch` that answers (or fails) as Telegram or the network
// would, and classifies what grammY threw.
import { Api, GrammyError, HttpError } from 'grammy';
import { describe, expect, it } from 'vitest';
import {
  classifyTelegramError,
  isEditTargetGone,
  isNotModified,
  isUnreachable,
  redactReason,
} from '../../src/bot/telegram-outcome.ts';

const TOKEN = '123456789:AAsecret-token-that-must-never-be-stored';

/** What grammY throws for one call whose HTTP side is `answer`. */
async function thrownBy(
  answer: (url: string, signal: AbortSignal | undefined) => Promise<Response>,
  timeoutSeconds = 5,
): Promise<unknown> {
  const fetch = ((input: string | URL | Request, init?: RequestInit) =>
    answer(
      String(input instanceof Request ? input.url : input),
      init?.signal ?? undefined,
    )) as typeof globalThis.fetch;
  const api = new Api(TOKEN, { fetch, timeoutSeconds });
  try {
    await api.sendMessage(42, 'hello');
  } catch (err) {
    return err;
  }
  throw new Error('the call did not fail');
}

/** Telegram's refusal: `{ ok: false, error_code, description, parameters }`. */
const telegram = (error_code: number, description: string, retry_after?: number) =>
  thrownBy(async () =>
    Response.json(
      { ok: false, error_code, description, ...(retry_after ? { parameters: { retry_after } } : {}) },
      { status: error_code },
    ),
  );

describe('classifyTelegramError', () => {
  it('429: wait as long as Telegram says (at least a second), whatever a time-out means', async () => {
    const limited = await telegram(429, 'Too Many Requests: retry after 7', 7);
    expect(limited).toBeInstanceOf(GrammyError);
    for (const onTimeout of ['uncertain', 'retry'] as const) {
      expect(classifyTelegramError(limited, onTimeout)).toEqual({
        kind: 'rate_limited',
        retryAfterSeconds: 7,
      });
    }
    expect(classifyTelegramError(await telegram(429, 'Too Many Requests'), 'retry')).toEqual({
      kind: 'rate_limited',
      retryAfterSeconds: 1,
    });
  });

  it('blocked, deactivated, kicked from a group, chat not found: the chat cannot be reached', async () => {
    for (const [code, text] of [
      [403, 'Forbidden: bot was blocked by the user'],
      [403, 'Forbidden: user is deactivated'],
      [403, "Forbidden: bot can't initiate conversation with a user"],
      [403, 'Forbidden: bot was kicked from the supergroup chat'],
      [403, 'Forbidden: bot was kicked from the group chat'],
      [400, 'Bad Request: bot was kicked from the group chat'],
      [400, 'Bad Request: chat not found'],
      [400, 'Bad Request: user not found'],
      [400, 'Bad Request: PEER_ID_INVALID'],
      [400, 'Bad Request: chat_id is empty'],
    ] as const) {
      const err = await telegram(code, text);
      expect(isUnreachable(err), text).toBe(true);
      for (const onTimeout of ['uncertain', 'retry'] as const) {
        expect(classifyTelegramError(err, onTimeout), text).toEqual({
          kind: 'unreachable',
          reason: `${code} ${text}`,
        });
      }
    }
  });

  it('5xx and a connection that failed are tried again', async () => {
    const gateway = await telegram(502, 'Bad Gateway');
    expect(classifyTelegramError(gateway, 'uncertain')).toEqual({
      kind: 'transient',
      reason: '502 Bad Gateway',
    });
    const refused = await thrownBy(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:443')));
    expect(refused).toBeInstanceOf(HttpError);
    for (const onTimeout of ['uncertain', 'retry'] as const) {
      expect(classifyTelegramError(refused, onTimeout)).toEqual({
        kind: 'transient',
        reason: 'network: connect ECONNREFUSED 127.0.0.1:443',
      });
    }
  });

  it('a time-out is uncertain for a community notice and tried again for a case notification', async () => {
    const hung = await thrownBy(
      (_url, signal) =>
        new Promise<Response>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
      1,
    );
    expect(hung).toBeInstanceOf(HttpError);
    const reason = "network: Request to 'sendMessage' timed out after 1 seconds";
    expect(classifyTelegramError(hung, 'uncertain')).toEqual({ kind: 'uncertain', reason });
    expect(classifyTelegramError(hung, 'retry')).toEqual({ kind: 'transient', reason });
  });

  it('any other answer is a failure for that message, with Telegram\u2019s words kept', async () => {
    expect(
      classifyTelegramError(await telegram(400, 'Bad Request: message is too long'), 'uncertain'),
    ).toEqual({
      kind: 'failed',
      reason: '400 Bad Request: message is too long',
    });
    expect(classifyTelegramError(new Error('boom'), 'retry')).toEqual({ kind: 'failed', reason: 'boom' });
    expect(classifyTelegramError('x'.repeat(400), 'retry')).toEqual({
      kind: 'failed',
      reason: 'x'.repeat(300),
    });
  });

  it('never keeps the bot token, which every Bot API URL carries', async () => {
    const err = await thrownBy((url) =>
      Promise.reject(new Error(`request to ${url} failed, reason: ECONNRESET`)),
    );
    const outcome = classifyTelegramError(err, 'retry');
    expect(outcome).toEqual({
      kind: 'transient',
      reason:
        'network: request to https://api.telegram.org/bot<token>/sendMessage failed, reason: ECONNRESET',
    });
    expect(JSON.stringify(outcome)).not.toContain('AAsecret');
    expect(redactReason(`token ${TOKEN} leaked`)).toBe('token <token> leaked');
    expect(classifyTelegramError(new Error(`bad ${TOKEN}`), 'uncertain')).toEqual({
      kind: 'failed',
      reason: 'bad <token>',
    });
  });
});

describe('edits', () => {
  it('"message is not modified" is as good as done; a deleted message is gone', async () => {
    const same = await telegram(
      400,
      'Bad Request: message is not modified: specified new message content and reply markup are exactly the same',
    );
    expect([isNotModified(same), isEditTargetGone(same)]).toEqual([true, false]);
    for (const text of ['Bad Request: message to edit not found', "Bad Request: message can't be edited"]) {
      const gone = await telegram(400, text);
      expect([isNotModified(gone), isEditTargetGone(gone)]).toEqual([false, true]);
    }
    const other = await telegram(403, 'Forbidden: bot was blocked by the user');
    expect([isNotModified(other), isEditTargetGone(other)]).toEqual([false, false]);
    expect(isNotModified(new Error('message is not modified'))).toBe(false);
    expect([isUnreachable(same), isUnreachable(other)]).toEqual([false, true]);
  });
});
