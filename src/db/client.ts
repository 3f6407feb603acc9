import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
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
