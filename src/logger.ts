// pino with personal fields redacted wherever they appear. Handlers never log update payloads; this is the
// second line of defence if something does.
import pino, { type Logger } from 'pino';

export type { Logger };

const PERSONAL_FIELDS = [
  'idNumber',
  'phone',
  'phoneNumber',
  'phone_number',
  'name',
  'text',
  'caption',
  'contact',
  'first_name',
  'last_name',
  'username',
  'answers',
  'piiKey',
  'botToken',
  'token',
  'password',
  'databaseUrl',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    redact: {
      paths: [
        ...PERSONAL_FIELDS,
        ...PERSONAL_FIELDS.map((f) => `*.${f}`),
        ...PERSONAL_FIELDS.map((f) => `*.*.${f}`),
      ],
      censor: '[redacted]',
    },
    serializers: { err: (err: unknown) => scrubError(err) },
  };
  return destination ? pino(options, destination) : pino(options);
}

// Error messages can quote a value (a database error echoing a row, a parse error echoing input):
// mask anything shaped like a resident ID number or a mainland mobile number before it is written.
const ID_LIKE = /(?<![0-9])([0-9]{3})[0-9]{13}([0-9][0-9Xx])(?![0-9])/g;
const MOBILE_LIKE = /(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])/g;

export function scrubText(text: string): string {
  return text.replace(ID_LIKE, '$1*************$2').replace(MOBILE_LIKE, '$1****$2');
}

/**
 * Scalar fields of an error that say what went wrong without quoting data: Node's system errors (code,
 * errno, syscall), PostgreSQL's (severity, routine and the constraint, table and column names; never
 * `detail`, which echoes the row), Prisma's (code, clientVersion). Anything else an error carries is left
 * out: a library's error may hold the request it failed on (grammY's GrammyError holds the Bot API call's
 * `payload`, where a button label or a message holds a resident's name; a BotError holds the whole update
 * context).
 */
const SAFE_ERROR_FIELDS = [
  'code',
  'errno',
  'syscall',
  'severity',
  'routine',
  'constraint',
  'table',
  'column',
  'clientVersion',
] as const;
const MAX_CAUSES = 3;

const isErrorLike = (v: unknown): v is Error =>
  v instanceof Error || (typeof v === 'object' && v !== null && 'message' in v && 'stack' in v);

const typeOf = (err: Error): string =>
  typeof err.constructor === 'function' ? err.constructor.name : err.name;

/** grammY's GrammyError (the Bot API answered with an error), recognised by its shape. */
function isGrammyError(
  err: Error,
): err is Error & { method: string; error_code: number; description: string } {
  const e = err as unknown as Record<string, unknown>;
  return (
    err.name === 'GrammyError' &&
    typeof e.method === 'string' &&
    typeof e.error_code === 'number' &&
    typeof e.description === 'string'
  );
}

/**
 * The `err` serializer: type, message and stack (ID- and phone-shaped numbers masked), the safe fields
 * above, and the error's `cause` (or a wrapper's `error`) the same way, a few levels deep. A Bot API error
 * is written as its method, error code and description only; a network error to the Bot API (grammY's
 * HttpError) as its message and the inner error's type and code (the inner message may quote the request
 * URL, which holds the bot token).
 */
export function scrubError(err: unknown, depth = 0): unknown {
  if (!isErrorLike(err)) return typeof err === 'string' ? scrubText(err) : err;
  const type = typeOf(err);
  if (isGrammyError(err)) {
    return {
      type,
      method: err.method,
      error_code: err.error_code,
      description: scrubText(err.description),
      message: scrubText(`Call to '${err.method}' failed! (${err.error_code}: ${err.description})`),
    };
  }
  const out: Record<string, unknown> = {
    type,
    message: scrubText(String(err.message)),
    stack: typeof err.stack === 'string' ? scrubText(err.stack) : undefined,
  };
  const fields = err as unknown as Record<string, unknown>;
  for (const key of SAFE_ERROR_FIELDS) {
    const v = fields[key];
    if (typeof v === 'string') out[key] = scrubText(v);
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = v;
  }
  if (type === 'HttpError' || err.name === 'HttpError') {
    const inner = fields.error;
    if (isErrorLike(inner)) {
      const code = (inner as unknown as Record<string, unknown>).code;
      out.error = {
        type: typeOf(inner),
        ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
      };
    }
    return out;
  }
  if (depth < MAX_CAUSES) {
    if (isErrorLike(fields.cause)) out.cause = scrubError(fields.cause, depth + 1);
    if (isErrorLike(fields.error)) out.error = scrubError(fields.error, depth + 1);
  }
  return out;
}
