// A county server often runs PostgreSQL in Beijing time. Prisma reads and writes `timestamp` columns as
// UTC, so every connection is set to UTC: column defaults (`now()`) must land at the real instant.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query(`alter database ${database.name} set timezone = 'Asia/Shanghai'`);
  await admin.end();
  db = createDb(database.url, { poolSize: 2 });
});
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

describe('time zone', () => {
  it('now() in SQL (column defaults, lease and deadline queries) is the real instant on a server in Beijing time', async () => {
    const before = Date.now();
    await db.$executeRaw`insert into telegram_user (telegram_id, chat_id, updated_at) values (1, 1, now())`;
    const row = await db.telegramUser.findUniqueOrThrow({ where: { telegramId: 1n } });
    expect(Math.abs(row.firstSeenAt.getTime() - before)).toBeLessThan(60_000);
    expect(Math.abs(row.updatedAt.getTime() - before)).toBeLessThan(60_000);
    const [tz] = await db.$queryRaw<{ tz: string }[]>`select current_setting('TimeZone') as tz`;
    expect(tz?.tz).toBe('UTC');
  });
});
