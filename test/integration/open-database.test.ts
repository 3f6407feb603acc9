// The embedded database's folder when the bot runs as root from a folder the OS user "postgres" cannot
// reach (a clone under /root, or a 0700 temporary folder as in CI).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { embeddedDataDir } from '../../src/db/open.ts';
import { createLogger } from '../../src/logger.ts';

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

describe('the embedded data folder', () => {
  it('is the requested one when reachable, else a stable traversable fallback that works', async () => {
    const privateDir = await mkdtemp(path.join(os.tmpdir(), 'bianmin-private-'));
    await chmod(privateDir, 0o700);
    const fallbackParent = await mkdtemp(path.join(os.tmpdir(), 'bianmin-fallback-'));
    await chmod(fallbackParent, 0o711); // like /var/lib
    const fallbackRoot = path.join(fallbackParent, 'lib');
    made.push(privateDir, path.dirname(fallbackRoot));
    const requested = path.join(privateDir, 'proj', '.data');
    const logger = createLogger('silent');

    const chosen = await embeddedDataDir(requested, logger, fallbackRoot);
    const reachableDir = path.join(path.dirname(fallbackRoot), 'open', '.data');
    expect(await embeddedDataDir(reachableDir, logger, fallbackRoot)).toBe(reachableDir);
    if (process.getuid?.() !== 0) {
      // Not root: PostgreSQL runs as this user, who can reach their own folders.
      expect(chosen).toBe(requested);
      return;
    }
    expect(chosen.startsWith(fallbackRoot)).toBe(true);
    expect(await embeddedDataDir(requested, logger, fallbackRoot)).toBe(chosen); // the same on every start
    const server = await startEmbeddedPostgres({ dataDir: chosen, logger });
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      expect((await client.query('select 1 as one')).rows[0]).toEqual({ one: 1 });
      await client.end();
    } finally {
      await server.stop();
    }
  });
});
