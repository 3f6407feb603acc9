// What a failed Bot API call means for the broadcast sender.
import { GrammyError, HttpError } from 'grammy';
import { describe, expect, it } from 'vitest';
import { classifySendError } from '../../src/bot/notice-transport.ts';

const telegram = (error_code: number, description: string, retry_after?: number) =>
  new GrammyError(
    `Call to 'sendMessage' failed! (${error_code}: ${description})`,
    { ok: false, error_code, description, parameters: retry_after ? { retry_after } : {} },
    'sendMessage',
    {},
  );

describe('classifySendError', () => {
  it('429: wait as long as Telegram says (at least a second)', () => {
    expect(classifySendError(telegram(429, 'Too Many Requests: retry after 7', 7))).toEqual({
      kind: 'rate_limited',
      retryAfterSeconds: 7,
    });
    expect(classifySendError(telegram(429, 'Too Many Requests'))).toMatchObject({ retryAfterSeconds: 1 });
  });

  it('blocked, deactivated, chat not found: the resident cannot be reached', () => {
    for (const [code, text] of [
      [403, 'Forbidden: bot was blocked by the user'],
      [403, 'Forbidden: user is deactivated'],
      [403, "Forbidden: bot can't initiate conversation with a user"],
      [400, 'Bad Request: chat not found'],
      [400, 'Bad Request: PEER_ID_INVALID'],
    ] as const) {
      expect(classifySendError(telegram(code, text))).toEqual({
        kind: 'unreachable',
        reason: `${code} ${text}`,
      });
    }
  });

  it('5xx and failed connections are retried; a request that timed out is uncertain', () => {
    expect(classifySendError(telegram(502, 'Bad Gateway')).kind).toBe('transient');
    expect(classifySendError(new HttpError('Network request failed', new Error('ECONNREFUSED'))).kind).toBe(
      'transient',
    );
    expect(
      classifySendError(
        new HttpError(
          'Network request failed',
          new Error("Request to 'sendMessage' timed out after 30 seconds"),
        ),
      ),
    ).toMatchObject({ kind: 'uncertain' });
  });

  it('any other answer is a failure for that recipient, with Telegram\u2019s words kept', () => {
    expect(classifySendError(telegram(400, 'Bad Request: message is too long'))).toEqual({
      kind: 'failed',
      reason: '400 Bad Request: message is too long',
    });
    expect(classifySendError(new Error('boom'))).toEqual({ kind: 'failed', reason: 'boom' });
  });
});
