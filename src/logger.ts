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
const MOBILE_LIKE = /(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])/g;

export function scrubText(text: string): string {
  return text.replace(ID_LIKE, '$1*************$2').replace(MOBILE_LIKE, '$1****$2');
}

function scrubError(err: unknown): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? scrubText(err) : err;
  const plain = pino.stdSerializers.err(err);
  return {
    ...plain,
    message: scrubText(plain.message),
    stack: plain.stack ? scrubText(plain.stack) : plain.stack,
  };
}
