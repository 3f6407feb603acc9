// Where the database is: DATABASE_URL when set, otherwise an embedded PostgreSQL under the data folder.
// Shared by main.ts and the db scripts, so `npm run db:migrate` works on the same database the bot uses.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { dataDirProblem, startEmbeddedPostgres } from './embedded.ts';

export interface OpenedDatabase {
  url: string;
  embedded: boolean;
  /** Stops the embedded server (no-op for an external database). */
  close(): Promise<void>;
}

/** Used as root when the OS user `postgres` cannot reach the data folder (a clone under /root, say). */
export const ROOT_FALLBACK_DIR = '/var/lib/bianmin';

/**
 * The folder the embedded server keeps its files in. As root, PostgreSQL runs as the OS user `postgres`,
 * which must be able to pass through every parent of the folder; a project cloned under /root or a 0700
 * temporary folder fails that. Rather than loosening the permissions of the user's folders, the cluster then
 * lives under /var/lib/bianmin/<name>-<hash of the requested path>: the same place on every start.
 */
export async function embeddedDataDir(
  requested: string,
  logger: Logger,
  fallbackRoot = ROOT_FALLBACK_DIR,
): Promise<string> {
  const dataDir = path.resolve(requested);
  const problem = await dataDirProblem(dataDir);
  if (!problem) return dataDir;
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 10);
  const fallback = path.join(fallbackRoot, `${path.basename(path.dirname(dataDir))}-${hash}`);
  const stillBlocked = await dataDirProblem(fallback);
  if (stillBlocked) throw new Error(problem);
  logger.warn(
    { requested: dataDir, using: fallback },
    'running as root and the OS user "postgres" cannot reach the data folder; the embedded database lives in the folder shown instead (set DATA_DIR to choose another)',
  );
  return fallback;
}

export async function openDatabase(opts: {
  databaseUrl: string | undefined;
  dataDir: string;
  logger: Logger;
}): Promise<OpenedDatabase> {
  if (opts.databaseUrl) return { url: opts.databaseUrl, embedded: false, close: async () => undefined };
  const dataDir = await embeddedDataDir(opts.dataDir, opts.logger);
  opts.logger.info({ dataDir }, 'no DATABASE_URL: starting the embedded PostgreSQL');
  const server = await startEmbeddedPostgres({ dataDir, logger: opts.logger });
  return { url: server.url, embedded: true, close: () => server.stop() };
}
