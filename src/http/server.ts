// The HTTP side of an instance: Telegram's webhook endpoint, and what a load balancer and Prometheus ask.
// One server serves the routes it is given: the public port (PORT) the webhook and /healthz; /readyz and
// /metrics only on the listener started with `ops` (METRICS_PORT, on 127.0.0.1 unless METRICS_HOST says
// otherwise; the public port too only when METRICS_PORT names it: src/main.ts). Elsewhere they answer 404.
//   POST <webhook path>  an update from Telegram. Without the right X-Telegram-Bot-Api-Secret-Token: 401,
//                        body unread, nothing touched. Not JSON or no update_id: 400; over 1 MiB: 413.
//                        Otherwise the update goes through the update gate and the answer follows its
//                        outcome: 200 handled / duplicate / queued (in the inbox, another instance holds
//                        its chat and takes it next) / set aside / database down (the resident was told),
//                        503 shutting down (Telegram delivers it again). A failed attempt is retried by the
//                        gate itself, before the answer; an error writing it to the inbox answers 500.
//   GET /healthz         200 while the process runs (liveness).
//   GET /readyz          (ops) 200 when the database answers and its migrations are current, else 503 (readiness;
//                        503 too while shutting down, so the balancer stops sending first).
//   GET /metrics         (ops) Prometheus text format.
// grammY's webhookCallback is not used: its answer cannot depend on the gate's outcome, and it reads the
// body before checking the secret.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update } from 'grammy/types';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { UpdateOutcome } from '../bot/update-gate.ts';
import type { Logger } from '../logger.ts';

export const MAX_UPDATE_BYTES = 1024 * 1024;

export interface ReadinessCheck {
  /** Resolves to the problems found; [] means ready. Must not hang: give it its own timeout. */
  (): Promise<string[]>;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** /readyz and /metrics: served only when given (they answer 404 otherwise). */
  ops?: { registry: Registry; ready: ReadinessCheck };
  webhook?: {
    path: string;
    secret: string;
    process(update: Update): Promise<UpdateOutcome>;
  };
}

export interface HttpServer {
  server: Server;
  /** Where it listens (http://host:port). */
  url: string;
  /** Refuse new updates (503) and report not ready; in-flight requests go on. */
  drain(): void;
  close(): Promise<void>;
}

const STATUS: Record<UpdateOutcome, number> = {
  handled: 200,
  duplicate: 200,
  queued: 200,
  set_aside: 200,
  db_unavailable: 200,
  refused: 503,
};

const updateShape = z.looseObject({ update_id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) });

function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, body = '', type = 'text/plain; charset=utf-8'): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return 'too_large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const { logger } = opts;
  let draining = false;

  async function onWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hook = opts.webhook;
    if (!hook) return send(res, 404);
    if (req.method !== 'POST') return send(res, 405);
    if (!sameSecret(req.headers['x-telegram-bot-api-secret-token'], hook.secret)) {
      logger.warn({ remote: req.socket.remoteAddress }, 'webhook call without the right secret refused');
      res.setHeader('connection', 'close');
      send(res, 401, 'unauthorized');
      req.resume();
      return;
    }
    if (draining) return send(res, 503, 'shutting down');
    const body = await readBody(req, MAX_UPDATE_BYTES);
    if (body === 'too_large') {
      res.setHeader('connection', 'close');
      send(res, 413, 'too large');
      req.resume();
      return;
    }
    let update: Update;
    try {
      const parsed = updateShape.safeParse(JSON.parse(body.toString('utf8')));
      if (!parsed.success) return send(res, 400, 'not an update');
      update = parsed.data as unknown as Update;
    } catch {
      return send(res, 400, 'not JSON');
    }
    const outcome = await hook.process(update);
    send(res, STATUS[outcome], outcome);
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = async () => {
      if (opts.webhook && path === opts.webhook.path) return onWebhook(req, res);
      if (req.method !== 'GET') return send(res, 404);
      if (path === '/healthz') return send(res, 200, 'ok');
      const { ops } = opts;
      if (ops && path === '/readyz') {
        const problems = draining ? ['shutting down'] : await ops.ready();
        return problems.length === 0
          ? send(res, 200, 'ready')
          : send(res, 503, `not ready: ${problems.join('; ')}`);
      }
      if (ops && path === '/metrics') {
        return send(res, 200, await ops.registry.metrics(), ops.registry.contentType);
      }
      return send(res, 404);
    };
    route().catch((err: unknown) => {
      logger.error({ err, path }, 'HTTP request failed');
      send(res, 500, 'error');
    });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';

  return {
    server,
    url: `http://${host}:${address.port}`,
    drain() {
      draining = true;
    },
    async close() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    },
  };
}

/** The readiness check: a database round trip and no pending migrations, each bounded in time. */
/** What readiness asks the database (ping: src/db/repositories/ops-stats.ts; migrations: src/db/migrate.ts). */
export interface ReadinessDeps {
  ping(): Promise<void>;
  pendingMigrations(): Promise<string[]>;
  timeoutMs?: number;
}

export function readinessCheck(deps: ReadinessDeps): ReadinessCheck {
  let migrationsCurrent = false; // once current, they stay so for this process's code
  const bounded = <T>(p: Promise<T>, what: string) =>
    Promise.race([
      p,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`${what} timed out`)), deps.timeoutMs ?? 2_000).unref(),
      ),
    ]);
  return async () => {
    try {
      await bounded(deps.ping(), 'database');
    } catch {
      return ['database unreachable'];
    }
    if (migrationsCurrent) return [];
    try {
      const pending = await bounded(deps.pendingMigrations(), 'migrations check');
      if (pending.length > 0) return [`${pending.length} migration(s) pending`];
      migrationsCurrent = true;
      return [];
    } catch {
      return ['migrations could not be checked'];
    }
  };
}
