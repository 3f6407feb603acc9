// Where the database is: DATABASE_URL when set, otherwise an embedded PostgreSQL under the data folder.
// Shared by main.ts and the db scripts, so `npm run db:migrate` works on the same database the bot uses.
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { startEmbeddedPostgres } from './embedded.ts';

export interface OpenedDatabase {
  url: string;
  embedded: boolean;
  /** Stops the embedded server (no-op for an external database). */
  close(): Promise<void>;
}

export async function openDatabase(opts: {
  databaseUrl: string | undefined;
  dataDir: string;
  logger: Logger;
}): Promise<OpenedDatabase> {
  if (opts.databaseUrl) return { url: opts.databaseUrl, embedded: false, close: async () => undefined };
  const dataDir = path.resolve(opts.dataDir);
  opts.logger.info({ dataDir }, 'no DATABASE_URL: starting the embedded PostgreSQL');
  const server = await startEmbeddedPostgres({ dataDir, logger: opts.logger });
  return { url: server.url, embedded: true, close: () => server.stop() };
}
