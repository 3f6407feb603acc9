// The benchmarks' PostgreSQL: the server at DATABASE_URL when it is set (its user needs CREATEDB), otherwise
// an embedded server of their own under .data-bench/ (kept between runs: no initdb), with
// pg_stat_statements loaded so that a benchmark can say which statements its time went to. Every benchmark
// works in scratch databases cloned from one migrated template, dropped when it is done.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  dataDirProblem,
  type EmbeddedPostgres,
  EmbeddedPostgresError,
  startEmbeddedPostgres,
} from '../../src/db/embedded.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';

export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export interface BenchServer {
  adminUrl: string;
  /** One line for BENCHMARKS.md: version, where, the settings that matter for the figures. */
  description: string;
  /** Whether pg_stat_statements can be read (in databases cloned from the template). */
  statements: boolean;
  /** A scratch database: migrated (the default, cloned from the template) or empty. */
  createDatabase(opts?: { migrated?: boolean }): Promise<BenchDatabase>;
  /** One statement on the admin database. */
  sql(text: string): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(import.meta.dirname, '../..');

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function query(url: string, text: string, values?: unknown[]): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

async function startEmbedded(
  log: (m: string) => void,
  dataDir?: string,
): Promise<{ db: EmbeddedPostgres; dataDir: string; tempDir?: string }> {
  if (dataDir) return { db: await startEmbeddedPostgres({ dataDir }), dataDir };
  const preferred = path.join(repoRoot, '.data-bench');
  if (!(await dataDirProblem(preferred))) {
    try {
      return { db: await startEmbeddedPostgres({ dataDir: preferred }), dataDir: preferred };
    } catch (err) {
      if (!(err instanceof EmbeddedPostgresError && err.code === 'IN_USE')) throw err;
    }
  }
  const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bianmin-bench-pg-'));
  await fs.chmod(tempDir, 0o755);
  log(`.data-bench/ cannot be used (another run holds it?); the benchmark server lives in ${tempDir}`);
  return { db: await startEmbeddedPostgres({ dataDir: tempDir }), dataDir: tempDir, tempDir };
}

export async function startBenchServer(log: (m: string) => void): Promise<BenchServer> {
  const runId = randomBytes(4).toString('hex');
  let embedded: { db: EmbeddedPostgres; dataDir: string; tempDir?: string } | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    log('starting the embedded PostgreSQL');
    embedded = await startEmbedded(log);
    adminUrl = embedded.db.url;
    const preload = (await query(adminUrl, 'show shared_preload_libraries')).rows[0]
      ?.shared_preload_libraries as string;
    if (!preload.includes('pg_stat_statements')) {
      // Our own server: load pg_stat_statements (needs a restart; kept in postgresql.auto.conf).
      await query(adminUrl, `alter system set shared_preload_libraries = 'pg_stat_statements'`);
      await embedded.db.stop();
      embedded = { ...(await startEmbedded(log, embedded.dataDir)), tempDir: embedded.tempDir };
      adminUrl = embedded.db.url;
    }
  }
  const admin = adminUrl;
  // Databases of earlier runs that were killed before they could drop theirs.
  const stale = await query(admin, `select datname from pg_database where datname ~ '^bench_[0-9a-f]{8}_'`);
  for (const row of stale.rows) await query(admin, `drop database if exists "${row.datname}" with (force)`);

  const template = `bench_${runId}_template`;
  log('migrating the template database');
  await query(admin, `create database ${template} template template0`);
  await migrateDatabase(withDatabase(admin, template));
  // Read from the admin database (the view covers every database of the server).
  let statements = true;
  try {
    await query(admin, 'create extension if not exists pg_stat_statements');
    await query(admin, 'select 1 from pg_stat_statements limit 1');
  } catch {
    statements = false;
  }
  await query(admin, `alter database ${template} with allow_connections false`);

  const settings = await query(
    admin,
    `select version() as version,
            current_setting('shared_buffers') as shared_buffers,
            current_setting('max_connections') as max_connections,
            current_setting('fsync') as fsync,
            current_setting('synchronous_commit') as synchronous_commit`,
  );
  const s = settings.rows[0] as Record<string, string>;
  const version = /PostgreSQL [\d.]+/.exec(s.version ?? '')?.[0] ?? 'PostgreSQL';
  const description =
    `${version} (${embedded ? 'embedded, same machine' : 'DATABASE_URL'}; shared_buffers ${s.shared_buffers}, ` +
    `max_connections ${s.max_connections}, fsync ${s.fsync}, synchronous_commit ${s.synchronous_commit})`;

  let seq = 0;
  const created = new Set<string>();
  return {
    adminUrl: admin,
    description,
    statements,
    async createDatabase(opts = {}) {
      const name = `bench_${runId}_${++seq}`;
      await query(
        admin,
        `create database ${name} template ${(opts.migrated ?? true) ? template : 'template0'}`,
      );
      created.add(name);
      return {
        name,
        url: withDatabase(admin, name),
        async drop() {
          created.delete(name);
          await query(admin, `drop database if exists ${name} with (force)`);
        },
      };
    },
    sql: (text) => query(admin, text),
    async stop() {
      for (const name of [...created, template]) {
        await query(admin, `drop database if exists ${name} with (force)`).catch(() => undefined);
      }
      if (embedded) {
        await embedded.db.stop();
        if (embedded.tempDir) await fs.rm(embedded.tempDir, { recursive: true, force: true });
      }
    },
  };
}
