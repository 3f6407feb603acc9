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

export function createLogger(level: string): Logger {
  return pino({
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
    serializers: { err: pino.stdSerializers.err },
  });
}
