import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { asDatabaseError } from './errors.ts';
import { PrismaClient } from './generated/client.ts';

export type Db = InstanceType<typeof PrismaClient>;
export type { Prisma } from './generated/client.ts';

// The pool behind each client, so that /metrics can report it (the adapter keeps its own pool private).
const pools = new WeakMap<Db, pg.Pool>();

export function createDb(
  databaseUrl: string,
  opts: { poolSize?: number; connectionTimeoutMs?: number } = {},
): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.poolSize ?? 10,
    // A database that is down must fail a request quickly (the resident is told to try again in a minute)
    // instead of leaving it waiting for the operating system's TCP timeout.
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000,
    // Prisma reads and writes `timestamp` columns as UTC; a server set to Asia/Shanghai would otherwise fill
    // `DEFAULT now()` columns with Beijing wall-clock time, eight hours off.
    options: '-c TimeZone=UTC',
  });
  // The adapter listens for idle-client errors too; this one keeps a server restart from ever being an
  // unhandled 'error' event, before the adapter has connected.
  pool.on('error', () => undefined);
  // The adapter ships newer @types/pg than ours; at run time both are this same `pg` package.
  const adapterPool = pool as unknown as ConstructorParameters<typeof PrismaPg>[0];
  const db = new PrismaClient({ adapter: new PrismaPg(adapterPool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/** Connection counts of the client's pool (for /metrics). */
export function poolStats(db: Db): { total: number; idle: number; waiting: number } | undefined {
  const pool = pools.get(db);
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined;
}

/**
 * A statement sent straight through the client's pg pool, for the few statements on the hottest paths: the
 * update gate's claim and finish (two per update) and /next's claim. Measured on this machine: Prisma's raw
 * query costs the one Node thread 0.15–0.4 ms of CPU per statement against pg's 0.03–0.08 ms, and Prisma
 * sends each statement unnamed, so PostgreSQL parses and plans it every time (0.35 ms for /next's claim,
 * more than its execution). `name` makes it a prepared statement on each connection (parsed and planned
 * once); each distinct text needs its own name. Values go as pg sends them (pass times as ISO text, big ids
 * as text) and come back as pg gives them: `bigint` as string, `bytea` as Buffer.
 */
export async function hotQuery<R>(
  db: Db,
  name: string,
  text: string,
  values: unknown[],
): Promise<{ rows: R[]; rowCount: number }> {
  const pool = pools.get(db);
  if (!pool) throw new Error('hotQuery needs a client made by createDb');
  try {
    const result = await pool.query<R & pg.QueryResultRow>({ name, text, values });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  } catch (err) {
    throw asDatabaseError(err);
  }
}
