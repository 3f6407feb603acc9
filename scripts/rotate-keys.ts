import { parseArgs } from 'node:util';
import { createPiiCipher, type PiiKey } from '../src/app/pii-cipher.ts';
import { checkPiiKeys, PiiKeyMismatchError, sealRatingComments } from '../src/app/pii-key-check.ts';
import { createDb } from '../src/db/client.ts';
import { rotateKeys, rowsLeftToRotate } from '../src/db/key-rotation.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { createPiiKeyCheckRepository } from '../src/db/repositories/pii-key-check.ts';
import { keyFile, readKeyring } from '../src/keyring.ts';
import { createLogger } from '../src/logger.ts';

const env = (name: string) => (process.env[name]?.trim() ? process.env[name]?.trim() : undefined);

function fail(message: string, code = 64): never {
  console.error(message);
  process.exit(code);
}

let batch = 200;
try {
  const { values } = parseArgs({ options: { batch: { type: 'string' } } });
  if (values.batch !== undefined) {
    batch = Number(values.batch);
    if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) throw new Error('--batch must be 1–10000');
  }
} catch (err) {
  fail(`${(err as Error).message}\nusage: npm run rotate-keys -- [--batch 200]`);
}

const dataDir = env('DATA_DIR') ?? './.data';

async function keyring(): Promise<PiiKey[]> {
  try {
    const ring = await readKeyring({ piiKeys: env('PII_KEYS'), piiKey: env('PII_KEY'), dataDir });
    if (ring) return ring;
    throw new Error(`none is set, and there is no ${keyFile(dataDir)}`);
  } catch (err) {
    fail(
      `PII_KEYS / PII_KEY: ${(err as Error).message}. Set PII_KEYS=<new id>:<new key>,<old id>:<old key>.`,
    );
  }
}

const ring = await keyring();
if (ring.length < 2) {
  console.error(
    'Only one key is set: every ciphertext is brought to the current format under it (no new key). To change keys, set PII_KEYS=<new id>:<new key>,<old id>:<old key>.',
  );
}
const logger = createLogger(env('LOG_LEVEL') ?? 'warn');
const database = await openDatabase({ databaseUrl: env('DATABASE_URL'), dataDir, logger });
let code = 0;
try {
  await migrateDatabase(database.url);
  const db = createDb(database.url);
  try {
    const cipher = createPiiCipher(ring);
    const store = createPiiKeyCheckRepository(db);
    // The bot records a new key when it starts with it. Not recorded yet: the bot still runs without the new
    // key, and would fail to read every row rotated under it.
    const known = await store.checks();
    if (known.length > 0 && !known.some((k) => k.keyId === cipher.currentKeyId)) {
      throw new PiiKeyMismatchError(
        `The key "${cipher.currentKeyId}" is new to this database: restart the bot with the same PII_KEYS first (it then writes new data under the new key and reads both), then run npm run rotate-keys again.`,
      );
    }
    await checkPiiKeys(store, cipher);
    await sealRatingComments(store, cipher);
    let stop = false;
    process.once('SIGINT', () => {
      stop = true;
      console.error('stopping after this batch; run npm run rotate-keys again to go on');
    });
    const report = await rotateKeys(db, cipher, {
      batchSize: batch,
      shouldStop: () => stop,
      onBatch: (place, n) => console.error(`${place}: ${n} re-encrypted under key "${cipher.currentKeyId}"`),
    });
    for (const problem of report.problems) console.error(`  ${problem}`);
    const left = await rowsLeftToRotate(db, cipher);
    if (Object.keys(left).length === 0) {
      console.error(
        `Done: every ciphertext is under key "${cipher.currentKeyId}". The old keys may now be removed from PII_KEYS (restart the bot after).`,
      );
    } else {
      console.error(
        `Not finished; still under an old key: ${JSON.stringify(left)}. Run npm run rotate-keys again.`,
      );
      code = 1;
    }
  } finally {
    await db.$disconnect();
  }
} catch (err) {
  console.error(
    err instanceof PiiKeyMismatchError ? err.message : err instanceof Error ? err.message : String(err),
  );
  code = 1;
} finally {
  await database.close();
}
process.exit(code);
