// The processes of the black-box benchmark, and their end: the bot exactly as `npm start` runs it (its
// prestart build, then node with the start script's flags and environment — test/e2e/support.ts), in polling
// mode on an embedded PostgreSQL of its own under a scratch DATA_DIR, or in webhook mode on a shared
// database (test/e2e/webhook-support.ts); and the naive peer (bench/naive-peer/main.ts), bundled the same way.
// Every process started here is stopped at the end, failure or not (SIGTERM, then SIGKILL after a while;
// a PostgreSQL left behind by a killed bot is stopped by the pid in its postmaster.pid), and every scratch
// folder removed.
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildEntry } from '../../scripts/build.mjs';
import { BotProcess, freePort, REPO_ROOT } from '../../test/e2e/support.ts';
import { startWebhookInstance, type WebhookInstance } from '../../test/e2e/webhook-support.ts';
import { naiveClientSource } from '../naive-peer/client.ts';

const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 20_000;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Everything this benchmark started: stopped and removed by `cleanUp()`, whatever happened before. */
export class Started {
  private readonly processes = new Set<BotProcess>();
  private readonly folders: string[] = [];

  /** A scratch folder under the system's temporary folder, traversable by the OS user `postgres`. */
  async folder(prefix: string): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    await fs.chmod(dir, 0o755);
    this.folders.push(dir);
    return dir;
  }

  track(p: BotProcess): BotProcess {
    this.processes.add(p);
    return p;
  }

  /** SIGTERM (a clean shutdown: a profiler writes its profile), SIGKILL if it takes too long. */
  async stop(p: BotProcess): Promise<void> {
    if (p.running) {
      p.child.kill('SIGTERM');
      const ended = await Promise.race([p.exited.then(() => true), wait(STOP_TIMEOUT_MS).then(() => false)]);
      if (!ended && p.running) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    this.processes.delete(p);
  }

  async cleanUp(): Promise<void> {
    await Promise.all([...this.processes].map((p) => this.stop(p)));
    for (const dir of this.folders) {
      // A bot killed before it stopped its embedded server leaves the server running: stop it by its pid.
      const pid = Number(
        (await fs.readFile(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
      );
      if (pid > 0 && alive(pid) && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') {
        process.kill(pid, 'SIGINT'); // fast shutdown
        for (let i = 0; i < 100 && alive(pid); i++) await wait(100);
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      await fs.rm(dir, { recursive: true, force: true });
    }
    this.folders.length = 0;
  }
}

export interface PollingBot {
  process: BotProcess;
  /** Its /metrics (METRICS_PORT is set, so that it is served). */
  metricsUrl: string;
  /** Its embedded database (for counting what it stored). */
  databaseUrl(): string;
}

/**
 * The bot in polling mode with no DATABASE_URL: it starts its own PostgreSQL under `dataDir` (initdb on the
 * first start), migrates it and loads the reference data, then polls `apiRoot`. METRICS_PORT serves /metrics.
 */
export async function startPollingBot(
  started: Started,
  opts: { apiRoot: string; token: string; dataDir: string; nodeArgs?: string[] },
): Promise<PollingBot> {
  const port = await freePort();
  const p = started.track(
    new BotProcess(
      {
        BOT_TOKEN: opts.token,
        TELEGRAM_API_ROOT: opts.apiRoot,
        DATA_DIR: opts.dataDir,
        METRICS_PORT: String(port),
        LOG_LEVEL: 'info',
      },
      { nodeArgs: opts.nodeArgs },
    ),
  );
  try {
    await p.waitForLog('long polling started', START_TIMEOUT_MS);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${p.output()}`);
  }
  return {
    process: p,
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    databaseUrl() {
      const state = JSON.parse(readFileSync(path.join(opts.dataDir, 'embedded-postgres.json'), 'utf8')) as {
        port: number;
        user: string;
        password: string;
      };
      return `postgresql://${encodeURIComponent(state.user)}:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/bianmin`;
    },
  };
}

/** One webhook instance (BOT_MODE=webhook, a port of its own) on `databaseUrl`, tracked for the clean-up. */
export async function startWebhookBot(
  started: Started,
  opts: { apiRoot: string; databaseUrl: string },
): Promise<WebhookInstance> {
  const instance = await startWebhookInstance(opts);
  started.track(instance.process);
  return instance;
}

const NAIVE_BUNDLE = 'dist/bench-naive-peer.mjs';
const NAIVE_CLIENT_BUNDLE = 'dist/bench-naive-client.mjs';

/** The naive peer, bundled (its generated Prisma client too) and run as `npm start` runs the bot. */
export async function startNaivePeer(
  started: Started,
  opts: { apiRoot: string; token: string; databaseUrl: string },
): Promise<BotProcess> {
  await buildEntry(naiveClientSource(), NAIVE_CLIENT_BUNDLE);
  await buildEntry('bench/naive-peer/main.ts', NAIVE_BUNDLE);
  const p = started.track(
    new BotProcess(
      {
        BOT_TOKEN: opts.token,
        TELEGRAM_API_ROOT: opts.apiRoot,
        DATABASE_URL: opts.databaseUrl,
        NAIVE_CLIENT_MODULE: path.join(REPO_ROOT, NAIVE_CLIENT_BUNDLE),
      },
      { script: NAIVE_BUNDLE },
    ),
  );
  try {
    await p.waitForLog('naive peer: polling', START_TIMEOUT_MS);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${p.output()}`);
  }
  return p;
}
