// Database chores on the database the bot would use (DATABASE_URL, or the embedded one under DATA_DIR):
//   npm run db:migrate   apply pending migrations
//   npm run db:seed      load the reference data file (idempotent)
//   npm run db:status    list pending migrations
import path from 'node:path';
import { createDb } from '../src/db/client.ts';
import { migrateDatabase, pendingMigrations } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { loadReferenceData, readReferenceData } from '../src/db/reference-data.ts';
import { createLogger } from '../src/logger.ts';

const command = process.argv[2];
const logger = createLogger(process.env.LOG_LEVEL ?? 'info');
const env = (name: string) => (process.env[name]?.trim() ? process.env[name]?.trim() : undefined);

if (!['migrate', 'seed', 'status'].includes(command ?? '')) {
  console.error('usage: tsx scripts/db.ts migrate|seed|status');
  process.exit(64);
}

const database = await openDatabase({
  databaseUrl: env('DATABASE_URL'),
  dataDir: env('DATA_DIR') ?? './.data',
  logger,
});
let code = 0;
try {
  if (command === 'migrate') {
    await migrateDatabase(database.url);
    logger.info('migrations applied');
  } else if (command === 'status') {
    const pending = await pendingMigrations(database.url);
    logger.info(
      { pending },
      pending.length ? `${pending.length} migration(s) pending` : 'the database is up to date',
    );
  } else {
    await migrateDatabase(database.url);
    const db = createDb(database.url);
    try {
      const file = path.resolve(env('REFERENCE_DATA_FILE') ?? 'reference/tongren.json');
      logger.info(await loadReferenceData(db, await readReferenceData(file)), 'reference data loaded');
    } finally {
      await db.$disconnect();
    }
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  code = 1;
} finally {
  await database.close();
}
process.exit(code);
