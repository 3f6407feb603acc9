// The embedded PostgreSQL server itself: real processes, real folders, no mocks. These run with or without
// DATABASE_URL (that only changes which server the other tests use).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type EmbeddedLogger, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { createTestDatabase } from '../support/db.ts';

const childScript = fileURLToPath(new URL('../support/embedded-child.ts', import.meta.url));
const tempDirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of tempDirs) await fs.rm(dir, { recursive: true, force: true });
});

async function tempDataDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bianmin-embedded-test-'));
  tempDirs.push(dir);
  return dir;
}

function recordingLogger(): EmbeddedLogger & { messages: string[] } {
  const messages: string[] = [];
  const record = (_o: object, msg?: string) => void messages.push(msg ?? '');
  return { messages, info: record, warn: record };
}

async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

const systemId = async (url: string) =>
  (await query<{ id: string }>(url, 'select system_identifier::text as id from pg_control_system()'))[0]?.id;

function isAlive(pid: number): boolean {
  try {
    const stat = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
    return stat !== '' && !stat.startsWith('Z');
  } catch {
    return false;
  }
}

const postmasterPid = async (dataDir: string) =>
  Number((await fs.readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);

describe('startEmbeddedPostgres', () => {
  it('initialises an empty folder, answers queries, and stops (twice without harm)', async () => {
    const dataDir = await tempDataDir();
    const db = await startEmbeddedPostgres({ dataDir });
    // Clients reach it through the unix socket in its data directory (TCP on 127.0.0.1 stays open for tools).
    expect(db.url).toMatch(/^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/bianmin\?host=%2F.+%2Fpg$/);
    expect(new URL(db.url).port).not.toBe('5432');
    expect(await query(db.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    await db.stop();
    await db.stop();
    await expect(query(db.url, 'select 1')).rejects.toThrow();
    const state = await fs.stat(path.join(dataDir, 'embedded-postgres.json'));
    expect(state.mode & 0o777).toBe(0o600);
  });

  it('reuses the data, port and password on the next start, without initdb', async () => {
    const dataDir = await tempDataDir();
    const first = await startEmbeddedPostgres({ dataDir });
    await query(first.url, "create table kept (v text); insert into kept values ('still here')");
    const firstId = await systemId(first.url);
    await first.stop();

    const logger = recordingLogger();
    const second = await startEmbeddedPostgres({ dataDir, logger });
    try {
      expect(second.url).toBe(first.url);
      expect(await query(second.url, 'select v from kept')).toEqual([{ v: 'still here' }]);
      expect(await systemId(second.url)).toBe(firstId); // a new initdb would give a new identifier
      expect(logger.messages.join('\n')).not.toMatch(/initialised/);
    } finally {
      await second.stop();
    }
  });

  it('recovers after the node process that ran the server was killed with SIGKILL', async () => {
    const dataDir = await tempDataDir();
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`child exited early (code ${code})`)));
    });
    const { url } = JSON.parse(line) as { url: string };
    await query(url, "create table survivors (v text); insert into survivors values ('intact')");
    const orphan = await postmasterPid(dataDir);

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(isAlive(orphan)).toBe(true); // the server outlived its node process

    const logger = recordingLogger();
    const db = await startEmbeddedPostgres({ dataDir, logger });
    try {
      expect(logger.messages.join('\n')).toMatch(/orphaned/);
      expect(isAlive(orphan)).toBe(false);
      expect(await query(db.url, 'select v from survivors')).toEqual([{ v: 'intact' }]);
    } finally {
      await db.stop();
    }
  });

  it('removes a stale postmaster.pid, whether its pid is dead or belongs to another program', async () => {
    const dataDir = await tempDataDir();
    const db = await startEmbeddedPostgres({ dataDir });
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    const content = await fs.readFile(pidFile, 'utf8');
    await db.stop();

    const dead = spawnSync('true').pid;
    const stranger = spawn('sleep', ['60']);
    children.push(stranger);
    for (const pid of [dead, stranger.pid as number]) {
      await fs.writeFile(pidFile, content.replace(/^\d+/, String(pid)));
      const logger = recordingLogger();
      const again = await startEmbeddedPostgres({ dataDir, logger });
      try {
        expect(logger.messages.join('\n')).toMatch(/stale postmaster\.pid/);
        expect(await query(again.url, 'select 1 as one')).toEqual([{ one: 1 }]);
        expect(await postmasterPid(dataDir)).not.toBe(pid);
      } finally {
        await again.stop();
      }
    }
    expect(isAlive(stranger.pid as number)).toBe(true);

    // Clear errors instead of a bare `undefined`: the folder in use, and the port taken.
    const running = await startEmbeddedPostgres({ dataDir });
    try {
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toMatchObject({
        code: 'IN_USE',
        message: expect.stringMatching(/in use .* this process/),
      });
      expect(await query(running.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await running.stop();
    }
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      await expect(startEmbeddedPostgres({ dataDir, port })).rejects.toThrow(
        new RegExp(`port ${port} on 127.0.0.1 is taken`),
      );
    } finally {
      blocker.close();
    }
  });

  it('two starts at once on a fresh folder: one initdb, one server, one clear IN_USE error', async () => {
    const dataDir = await tempDataDir();
    const results = await Promise.allSettled([
      startEmbeddedPostgres({ dataDir }),
      startEmbeddedPostgres({ dataDir }),
    ]);
    const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    try {
      expect(started).toHaveLength(1);
      expect(failed).toMatchObject([{ code: 'IN_USE' }]);
      expect(await query(started[0]?.url ?? '', 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await Promise.all(started.map((db) => db.stop()));
    }
  });

  it.runIf(process.getuid?.() === 0)(
    'as root, refuses a data folder the postgres user cannot reach',
    async () => {
      const closed = await tempDataDir(); // mkdtemp makes it 0700: not traversable by "postgres"
      await expect(startEmbeddedPostgres({ dataDir: path.join(closed, 'data') })).rejects.toMatchObject({
        code: 'NOT_TRAVERSABLE',
        message: expect.stringContaining(`chmod o+x ${closed}`),
      });
    },
  );
});

describe('createTestDatabase', () => {
  it('clones a fresh database per call and drops it', async () => {
    const started = performance.now();
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase({ migrated: false })]);
    const ms = performance.now() - started;
    expect(a.url).not.toBe(b.url);
    expect(ms).toBeLessThan(2_000);
    await query(a.url, 'create table only_in_a (id int)');
    const tables = (url: string) =>
      query<{ n: number }>(url, "select count(*)::int as n from pg_tables where schemaname = 'public'");
    expect(await tables(b.url)).toEqual([{ n: 0 }]);
    if (inject('pgTemplateMigrated')) {
      const applied = await query<{ n: number }>(a.url, 'select count(*)::int as n from _prisma_migrations');
      expect(applied[0]?.n).toBeGreaterThan(0);
    }
    const keep = new pg.Client({ connectionString: a.url }); // drop() must end open connections
    keep.on('error', () => {});
    await keep.connect();
    await Promise.all([a.drop(), b.drop()]);
    await a.drop();
    const left = await query<{ n: number }>(
      inject('pgAdminUrl'),
      `select count(*)::int as n from pg_database where datname in ('${a.name}', '${b.name}')`,
    );
    expect(left).toEqual([{ n: 0 }]);
    await keep.end().catch(() => {});
  });
});
