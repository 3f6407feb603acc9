// Prisma's migrate CLI through scripts/prisma.mjs — on this machine through the schema-engine stand-in
// (scripts/schema-engine-wasm.mjs), since Prisma's binary host is unreachable. Real CLI, real databases.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDatabase, pendingMigrations } from '../../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const migrationsDir = path.join(repoRoot, 'prisma', 'migrations');
const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrated: false });
  cleanups.push(() => db.drop());
  return db;
}

/** `node scripts/prisma.mjs …` from the repository, with DATABASE_URL set. */
function prisma(args: string[], databaseUrl: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'prisma.mjs'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function migrationNames(): Promise<string[]> {
  const entries = await fs.readdir(migrationsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function shadowDatabases(url: string): Promise<string[]> {
  const rows = await query<{ datname: string }>(
    url,
    `select datname from pg_database where datname like 'prisma_migrate_shadow_db_%'`,
  );
  return rows.map((row) => row.datname);
}

/** Shadow databases that appeared since `before` and stay: leaks (another process's are gone in seconds). */
async function leakedShadowDatabases(url: string, before: string[]): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const left = (await shadowDatabases(url)).filter((name) => !before.includes(name));
    if (left.length === 0 || attempt === 20) return left;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('migrateDatabase', () => {
  it('applies every migration to an empty database, then does nothing', async () => {
    const db = await emptyDatabase();
    const all = await migrationNames();
    expect(all.length).toBeGreaterThan(0);
    expect(await pendingMigrations(db.url)).toEqual(all);

    await migrateDatabase(db.url);

    const tables = await query<{ table_name: string }>(
      db.url,
      `select table_name from information_schema.tables where table_schema = 'public'`,
    );
    expect(tables.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        '_prisma_migrations',
        'district',
        'resident',
        'household_member',
        'conversation_state',
      ]),
    );
    expect(await pendingMigrations(db.url)).toEqual([]);

    const history = `select migration_name, finished_at from _prisma_migrations order by migration_name`;
    const before = await query(db.url, history);
    await migrateDatabase(db.url);
    expect(await query(db.url, history)).toEqual(before);
    expect(await pendingMigrations(db.url)).toEqual([]);
  });

  it("fails with the CLI's own error text", async () => {
    await expect(migrateDatabase('postgresql://postgres@127.0.0.1:1/unreachable')).rejects.toThrow(
      /migrate deploy failed[\s\S]*P1001/,
    );
  });
});

describe('prisma migrate through the schema-engine stand-in', () => {
  // The guard that keeps prisma/schema.prisma and prisma/migrations in step: replays the migrations in a
  // temporary shadow database (the stand-in must drop it again) and compares with the schema.
  it('migrate diff: the migrations produce exactly the schema', async () => {
    const db = await emptyDatabase();
    const shadowsBefore = await shadowDatabases(db.url);
    const { code, output } = await prisma(
      [
        'migrate',
        'diff',
        '--from-migrations',
        'prisma/migrations',
        '--to-schema',
        'prisma/schema.prisma',
        '--exit-code',
      ],
      db.url,
    );
    expect(output).toContain('No difference detected');
    expect(code).toBe(0);
    expect(await leakedShadowDatabases(db.url, shadowsBefore)).toEqual([]);
    // The migrations went to the shadow database, not to this one.
    expect(
      await query(db.url, `select 1 from information_schema.tables where table_schema = 'public'`),
    ).toEqual([]);
  });

  // adapter-pg 7.10.1 on its own would split this migration at the semicolons inside the $$ body, and fail
  // on the `"char"` columns of pg_catalog (relkind, contype…) when the engine describes the database.
  it('handles $$ function bodies and "char" catalog columns', async () => {
    const db = await emptyDatabase();
    const shadowsBefore = await shadowDatabases(db.url);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bianmin-prisma-cli-'));
    cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
    const migrations = path.join(dir, 'migrations');
    await fs.cp(migrationsDir, migrations, { recursive: true });
    await fs.mkdir(path.join(migrations, '99990101000000_touch_trigger'));
    await fs.writeFile(
      path.join(migrations, '99990101000000_touch_trigger', 'migration.sql'),
      `CREATE FUNCTION "touch_updated_at"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := '2000-01-01';
  RETURN NEW;
END;
$$;

CREATE TRIGGER "conversation_state_touch" BEFORE UPDATE ON "conversation_state"
  FOR EACH ROW EXECUTE FUNCTION "touch_updated_at"();
`,
    );
    // A config of its own, to point the CLI at these migrations (plain object: defineConfig only types it).
    const config = path.join(dir, 'prisma.config.mjs');
    await fs.writeFile(
      config,
      `export default ${JSON.stringify({
        schema: path.join(repoRoot, 'prisma', 'schema.prisma'),
        migrations: { path: migrations },
        datasource: { url: db.url },
      })};\n`,
    );

    const deploy = await prisma(['migrate', 'deploy', '--config', config], db.url);
    expect(deploy.output).toContain('99990101000000_touch_trigger');
    expect(deploy.code).toBe(0);
    await query(
      db.url,
      `insert into conversation_state (key, data, updated_at) values ('k', '\\x00', now())`,
    );
    const [touched] = await query<{ year: number }>(
      db.url,
      `update conversation_state set data = '\\x01' returning extract(year from updated_at)::int as year`,
    );
    expect(touched?.year).toBe(2000); // the trigger ran

    // Describes the live database (pg_catalog's "char" columns) and replays the migrations in a shadow one.
    const diff = await prisma(
      [
        'migrate',
        'diff',
        '--config',
        config,
        '--from-config-datasource',
        '--to-migrations',
        migrations,
        '--exit-code',
      ],
      db.url,
    );
    expect(diff.output).toContain('No difference detected');
    expect(diff.code).toBe(0);

    const status = await prisma(['migrate', 'status', '--config', config], db.url);
    expect(status.output).toContain('Database schema is up to date');
    expect(status.code).toBe(0);
    expect(await leakedShadowDatabases(db.url, shadowsBefore)).toEqual([]);
  });
});
