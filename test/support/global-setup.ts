// Vitest global setup: one PostgreSQL server per run and one migrated template database, which
// test/support/db.ts clones for every test database (CREATE DATABASE … TEMPLATE is a file copy: fast).
// DATABASE_URL set: that server is used (its user needs CREATEDB). Otherwise the embedded server runs with
// its data in .data-test/ (kept between runs: no initdb), or in a temporary folder when .data-test/ cannot
// be used (another test run holds it, or root's `postgres` user cannot reach the checkout).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import {
  dataDirProblem,
  type EmbeddedPostgres,
  EmbeddedPostgresError,
  startEmbeddedPostgres,
} from '../../src/db/embedded.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A database on the test server to run CREATE/DROP DATABASE from. */
    pgAdminUrl: string;
    /** The template that createTestDatabase() clones. */
    pgTemplate: string;
    /** False when migrations could not be applied to the template (migrateDatabase not implemented). */
    pgTemplateMigrated: boolean;
    /** Every database of this run is named t_<pgRunId>_…, so teardown can find the ones a test left. */
    pgRunId: string;
  }
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = randomBytes(4).toString('hex');
  const server = process.env.DATABASE_URL ? null : await startTestServer();
  const adminUrl = process.env.DATABASE_URL ?? (server?.db.url as string);
  if (server) await dropDatabases(adminUrl, '^(t|tpl)_[0-9a-f]{8}(_|$)'); // left by killed runs

  const template = `tpl_${runId}`;
  const teardown = async () => {
    await dropDatabases(adminUrl, `^(t_${runId}_|tpl_${runId}$)`).catch((err: unknown) => {
      console.warn(`test teardown: could not drop this run's databases: ${(err as Error).message}`);
    });
    await server?.db.stop();
    if (server?.tempDir) await fs.rm(server.tempDir, { recursive: true, force: true });
  };
  try {
    await sql(adminUrl, `create database ${template} template template0`);
    const migrated = await migrateTemplate(withDatabase(adminUrl, template));
    // Nobody may connect to the template: a connection would make every CREATE DATABASE … TEMPLATE fail.
    await sql(adminUrl, `alter database ${template} with allow_connections false`);
    project.provide('pgAdminUrl', adminUrl);
    project.provide('pgTemplate', template);
    project.provide('pgTemplateMigrated', migrated);
    project.provide('pgRunId', runId);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}

async function startTestServer(): Promise<{ db: EmbeddedPostgres; tempDir?: string }> {
  const dataDir = path.join(repoRoot, '.data-test');
  const problem = await dataDirProblem(dataDir);
  if (!problem) {
    try {
      return { db: await startEmbeddedPostgres({ dataDir }) };
    } catch (err) {
      if (!(err instanceof EmbeddedPostgresError && err.code === 'IN_USE')) throw err;
    }
  }
  // Another run holds .data-test/, or it is unreachable as root: a fresh server in a folder of our own.
  const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bianmin-test-pg-'));
  try {
    return { db: await startEmbeddedPostgres({ dataDir: tempDir }), tempDir };
  } catch (err) {
    await fs.rm(tempDir, { recursive: true, force: true });
    throw err;
  }
}

async function migrateTemplate(url: string): Promise<boolean> {
  try {
    await migrateDatabase(url);
    return true;
  } catch (err) {
    if (!/not implemented/i.test((err as Error).message)) throw err;
    console.warn('test setup: migrateDatabase is not implemented yet; test databases start without tables');
    return false;
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function dropDatabases(adminUrl: string, pattern: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'select datname from pg_database where datname ~ $1',
      [pattern],
    );
    for (const { datname } of rows) {
      await client.query(`drop database if exists ${client.escapeIdentifier(datname)} with (force)`);
    }
  } finally {
    await client.end();
  }
}
