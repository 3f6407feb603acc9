// Whether an error means "the database cannot be reached right now" (server down, restarting, refusing
// connections, connection dropped) rather than a bug or a bad query. The bot answers such a failure with
// "try again in a minute" instead of an apology, and does not count it against the update.
// Looks through Prisma's wrapping (code, meta.driverAdapterError), pg's own errors and `cause` chains —
// never at bare socket codes: a Telegram call that cannot connect is not a database problem.

const PRISMA_UNREACHABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 08xxx connection exceptions,
// 53300 too_many_connections.
const SQLSTATE = /^(57P0[123]|08\d\d\d|53300)$/;
const MESSAGES =
  /Connection terminated|Can't reach database server|server closed the connection|the database system is (starting up|shutting down|in recovery)|timeout exceeded when trying to connect|Client has encountered a connection error/i;

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 6) return false;
  const e = err as {
    code?: unknown;
    kind?: unknown;
    originalCode?: unknown;
    message?: unknown;
    meta?: { driverAdapterError?: unknown };
    cause?: unknown;
  };
  if (typeof e.code === 'string' && PRISMA_UNREACHABLE.has(e.code)) return true;
  if (typeof e.code === 'string' && SQLSTATE.test(e.code)) return true;
  if (typeof e.originalCode === 'string' && SQLSTATE.test(e.originalCode)) return true;
  if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  return (
    isDatabaseUnavailable(e.meta?.driverAdapterError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1)
  );
}

// Socket failures of a connection to PostgreSQL. `isDatabaseUnavailable` never trusts bare socket codes (a
// Telegram call that cannot connect is not a database problem), so an error from a statement sent straight
// through pg (client.ts, hotQuery) is marked as the database's by `asDatabaseError`.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  // The embedded server's unix socket, gone while the server is down.
  'ENOENT',
]);

/** The database could not be reached by a statement sent through `hotQuery`. */
export class DatabaseUnreachableError extends Error {
  readonly kind = 'DatabaseNotReachable';
  constructor(cause: unknown) {
    super('the database cannot be reached', { cause });
    this.name = 'DatabaseUnreachableError';
  }
}

/** A pg error as the database's: socket failures become DatabaseUnreachableError; the rest as they are. */
export function asDatabaseError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SOCKET_CODES.has(code) ? new DatabaseUnreachableError(err) : err;
}
