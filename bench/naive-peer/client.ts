// The naive peer's Prisma client: generated on first use from bench/naive-peer/schema.prisma into
// node_modules/.cache (so the project's schema and generated client stay untouched), and its two tables
// created with raw SQL in the benchmark's scratch database.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SessionDelegate } from '@grammyjs/storage-prisma';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const output = path.join(repoRoot, 'node_modules/.cache/bianmin-naive-peer');

/** What the peer uses of its client: the session delegate storage-prisma wants, and one insert. */
export interface NaiveClient {
  session: SessionDelegate;
  registration: { create(args: { data: { chatId: bigint; answers: string } }): Promise<unknown> };
  $disconnect(): Promise<void>;
}

export const NAIVE_TABLES = `
  create table if not exists "Session" (key text primary key, value text not null);
  create table if not exists registration (
    id serial primary key, chat_id bigint not null, answers text not null,
    created_at timestamp(3) not null default current_timestamp);`;

function generate(): void {
  const r = spawnSync(
    process.execPath,
    ['scripts/prisma.mjs', 'generate', '--schema', 'bench/naive-peer/schema.prisma'],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  if (r.status !== 0)
    throw new Error(`generating the naive peer's Prisma client failed:\n${r.stderr}${r.stdout}`);
}

/** The generated client's entry (TypeScript: run through tsx, or bundle it first), generated if missing. */
export function naiveClientSource(): string {
  const file = path.join(output, 'client.ts');
  if (!existsSync(file)) generate();
  return file;
}

/** `module`: the generated client bundled to JavaScript (for a plain `node` process); its source otherwise. */
export async function naiveClient(
  databaseUrl: string,
  poolSize: number,
  module?: string,
): Promise<NaiveClient> {
  // A computed path: the type check must not depend on a generated file.
  const mod = (await import(pathToFileURL(module ?? naiveClientSource()).href)) as {
    PrismaClient: new (opts: { adapter: PrismaPg }) => NaiveClient;
  };
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const adapterPool = pool as unknown as ConstructorParameters<typeof PrismaPg>[0];
  return new mod.PrismaClient({ adapter: new PrismaPg(adapterPool, { disposeExternalPool: true }) });
}
