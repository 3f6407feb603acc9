// A fresh database per call, cloned from the run's migrated template (see global-setup.ts).
//   const db = await createTestDatabase();        // all migrations applied
//   const empty = await createTestDatabase({ migrated: false });
//   afterAll(() => db.drop());
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

// One small pool per worker for CREATE/DROP DATABASE; allowExitOnIdle so it never holds the worker open.
let adminPool: pg.Pool | undefined;
function admin(): pg.Pool {
  if (!adminPool) {
    adminPool = new pg.Pool({
      connectionString: inject('pgAdminUrl'),
      max: 2,
      idleTimeoutMillis: 2_000,
      allowExitOnIdle: true,
    });
    adminPool.on('error', () => {}); // an idle connection closed by the server is not a test failure
  }
  return adminPool;
}

export async function createTestDatabase(opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const template = (opts.migrated ?? true) ? inject('pgTemplate') : 'template0';
  const name = `t_${inject('pgRunId')}_${randomBytes(5).toString('hex')}`;
  await admin().query(`create database ${name} template ${template}`);
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop() {
      // WITH (FORCE) ends the connections a test left open (Prisma pools linger).
      dropped ??= admin()
        .query(`drop database if exists ${name} with (force)`)
        .then(() => undefined);
      return dropped;
    },
  };
}
