// Schema migrations: prisma/migrations is the only source of truth, applied by Prisma's own
// `prisma migrate deploy` (through scripts/prisma.mjs, which falls back to the offline schema-engine stand-in
// where the native engine binary is missing), and a cheap read-only check of what is still pending.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import pg from 'pg';

// Paths come from this file's place in the repository, not from the process's cwd.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const prismaScript = path.join(repoRoot, 'scripts', 'prisma.mjs');
const migrationsDir = path.join(repoRoot, 'prisma', 'migrations');

/** How much of the CLI's output an error message carries: Prisma puts the cause at the end. */
const OUTPUT_TAIL = 4_000;

/**
 * Applies every pending migration in prisma/migrations to the database at `databaseUrl` (creating the
 * database if it does not exist). A no-op when nothing is pending. Throws with the CLI's own error text.
 */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  // cwd = the repository, so the CLI finds prisma.config.ts, which reads DATABASE_URL.
  const { exit, stdout, stderr } = await run(process.execPath, [prismaScript, 'migrate', 'deploy'], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  if (exit === 0) return;
  const output = [stderr, stdout]
    .map((text) => tail(stripVTControlCharacters(text).replaceAll(databaseUrl, '<DATABASE_URL>').trim()))
    .filter(Boolean)
    .join('\n--- stdout ---\n');
  throw new Error(`prisma migrate deploy failed (exit ${exit}):\n${output}`);
}

/**
 * Names of the migrations in prisma/migrations that the database has not applied (finished and not rolled
 * back in `_prisma_migrations`), in order. Every one of them for a database without that table; [] when the
 * database is up to date. Reads only; meant for a readiness check.
 */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const onDisk = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    // Prisma keeps its table in the schema named by the URL's `?schema=` (default public); pg ignores that
    // parameter, so name the schema explicitly.
    const schema = new URL(databaseUrl).searchParams.get('schema') ?? 'public';
    const { rows } = await client.query<{ migration_name: string }>(
      `select migration_name from ${client.escapeIdentifier(schema)}._prisma_migrations
        where finished_at is not null and rolled_back_at is null`,
    );
    const applied = new Set(rows.map((row) => row.migration_name));
    return onDisk.filter((name) => !applied.has(name));
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return onDisk; // undefined_table: never migrated
    throw error;
  } finally {
    await client.end();
  }
}

function tail(text: string): string {
  return text.length > OUTPUT_TAIL ? `…${text.slice(-OUTPUT_TAIL)}` : text;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ exit: number | NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ exit: code ?? signal, stdout, stderr }));
  });
}
