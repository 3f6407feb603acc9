// The log never holds what a Bot API call carried: a GrammyError holds the call's payload (a household
// member's name reached the log inside a button label), an HttpError the failed request, a BotError the
// whole update. The `err` serializer (src/logger.ts) writes the method, error code and description only.
import { BotError, GrammyError, HttpError } from 'grammy';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubText } from '../../src/logger.ts';

const NAME = '王秀英';
const ID_NUMBER = '520603195505123427';
const PHONE = '13812345678';

function capture() {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (s: string) => lines.push(s) });
  return { logger, lines };
}

/** A failed call whose payload holds personal data deep inside (a button label), as grammY throws it. */
function buttonError(): GrammyError {
  return new GrammyError(
    "Call to 'editMessageReplyMarkup' failed!",
    { ok: false, error_code: 400, description: 'Bad Request: BUTTON_DATA_INVALID' },
    'editMessageReplyMarkup',
    {
      chat_id: 42,
      message_id: 7,
      reply_markup: {
        inline_keyboard: [[{ text: `${NAME} ${ID_NUMBER}`, callback_data: 'm:1' }]],
      },
      caption_entities: [{ type: 'phone_number', offset: 0, length: 11, note: PHONE }],
    },
  );
}

function expectClean(line: string | undefined): void {
  expect(line).toBeDefined();
  for (const secret of [NAME, ID_NUMBER, PHONE, 'BUTTON_LABEL', 'SECRET-TOKEN']) {
    expect(line).not.toContain(secret);
  }
}

describe('the error serializer', () => {
  it('writes a GrammyError as its method, error code and description, never its payload', () => {
    const { logger, lines } = capture();
    logger.error({ err: buttonError() }, 'could not edit the buttons');
    expectClean(lines[0]);
    const err = JSON.parse(lines[0] ?? '{}').err;
    expect(err).toEqual({
      type: 'GrammyError',
      method: 'editMessageReplyMarkup',
      error_code: 400,
      description: 'Bad Request: BUTTON_DATA_INVALID',
      message: "Call to 'editMessageReplyMarkup' failed! (400: Bad Request: BUTTON_DATA_INVALID)",
    });
  });

  it('also as the first argument, and inside a BotError (which holds the whole update)', () => {
    const { logger, lines } = capture();
    logger.error(buttonError());
    const ctx = {
      update: { update_id: 1, message: { from: { first_name: NAME }, text: `BUTTON_LABEL ${ID_NUMBER}` } },
    };
    logger.error({ err: new BotError(buttonError(), ctx as never) }, 'update handling failed');
    logger.error({ err: new Error('wrapped', { cause: buttonError() }) }, 'wrapped');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expectClean(line);
      expect(line).toContain('editMessageReplyMarkup');
      expect(line).toContain('BUTTON_DATA_INVALID');
    }
  });

  it('writes an HttpError with the inner error type and code only (its message may quote the URL)', () => {
    const { logger, lines } = capture();
    const inner = Object.assign(
      new Error('request to https://api.telegram.org/bot1:SECRET-TOKEN/sendMessage failed'),
      { code: 'ECONNRESET', request: { body: NAME } },
    );
    logger.warn({ err: new HttpError("Network request for 'sendMessage' failed!", inner) }, 'network');
    expectClean(lines[0]);
    const err = JSON.parse(lines[0] ?? '{}').err;
    expect(err).toMatchObject({
      type: 'HttpError',
      message: "Network request for 'sendMessage' failed!",
      error: { type: 'Error', code: 'ECONNRESET' },
    });
  });

  it('keeps the useful fields of other errors and masks ID and phone numbers in their message', () => {
    const { logger, lines } = capture();
    const pgError = Object.assign(new Error(`duplicate key for ${ID_NUMBER} / ${PHONE}`), {
      code: '23505',
      constraint: 'resident_id_hash_key',
      table: 'resident',
      detail: `Key (name)=(${NAME}) already exists.`,
      row: { name: NAME },
    });
    logger.error({ err: pgError }, 'database');
    expectClean(lines[0]);
    expect(JSON.parse(lines[0] ?? '{}').err).toMatchObject({
      type: 'Error',
      code: '23505',
      constraint: 'resident_id_hash_key',
      table: 'resident',
      message: 'duplicate key for 520*************27 / 138****5678',
    });
  });
});

describe('scrubText', () => {
  it('masks mobile numbers with or without the country code, and ID numbers', () => {
    for (const [raw, masked] of [
      ['call 13812345678 now', 'call 138****5678 now'],
      ['call +8613812345678 now', 'call 138****5678 now'],
      ['call 86 13812345678 now', 'call 138****5678 now'],
      ['call 8613812345678', 'call 138****5678'],
      ['id 522601199003071234 ok', 'id 522*************34 ok'],
    ] as const) {
      expect(scrubText(raw)).toBe(masked);
    }
    // Longer digit runs are left alone (an order number is not a phone).
    expect(scrubText('order 981381234567890')).toBe('order 981381234567890');
  });
});
