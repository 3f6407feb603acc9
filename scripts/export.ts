// The case export from the command line, on the database the bot uses (DATABASE_URL, or the embedded one
// under DATA_DIR):
//   npm run export -- [--from 2026-10-01] [--to 2026-10-31] [--with-personal-data] [--out cases.csv]
// Dates are Beijing dates, both included; without them, the last 30 days. Without --out the CSV goes to
// standard output. Personal data (names, phones, ID numbers, addresses; never for anonymous suggestions)
// only with --with-personal-data, which needs PII_KEY (or the embedded mode's key file) and is written to the
// audit log with the operating-system user who ran it. The CSV has a UTF-8 byte-order mark for Excel/WPS.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createAdminService } from '../src/app/admin.ts';
import { createPiiCipher, type PiiKey } from '../src/app/pii-cipher.ts';
import { createDb } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { createCaseStatsRepository } from '../src/db/repositories/case-stats.ts';
import { createStaffRepository } from '../src/db/repositories/staff.ts';
import { beijingDateString, beijingInstant } from '../src/domain/beijing-time.ts';
import { readKeyring } from '../src/keyring.ts';
import { createLogger } from '../src/logger.ts';

const USAGE =
  'usage: npm run export -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--with-personal-data] [--out FILE]';
const DAY_MS = 86_400_000;
const env = (name: string) => (process.env[name]?.trim() ? process.env[name]?.trim() : undefined);

function fail(message: string): never {
  console.error(message);
  process.exit(64);
}

let args: { from?: string; to?: string; 'with-personal-data'?: boolean; out?: string };
try {
  args = parseArgs({
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'with-personal-data': { type: 'boolean' },
      out: { type: 'string' },
    },
  }).values;
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`);
}
const isDate = (d: string | undefined) =>
  d === undefined || (/^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d)));
if (!isDate(args.from) || !isDate(args.to)) fail(`dates are YYYY-MM-DD\n${USAGE}`);
const today = beijingDateString(new Date());
const firstDay = args.from ?? new Date(Date.parse(today) - 29 * DAY_MS).toISOString().slice(0, 10);
const lastDay = args.to ?? today;
const from = beijingInstant(firstDay, 0);
const to = beijingInstant(lastDay, 24);
if (from.getTime() >= to.getTime()) fail(`--from must not be after --to\n${USAGE}`);
const withPersonalData = args['with-personal-data'] === true;

const logger = createLogger(env('LOG_LEVEL') ?? 'warn');
const dataDir = env('DATA_DIR') ?? './.data';

async function piiKey(): Promise<PiiKey[]> {
  let ring: PiiKey[] | null;
  try {
    ring = await readKeyring({ piiKeys: env('PII_KEYS'), piiKey: env('PII_KEY'), dataDir });
  } catch (err) {
    fail(`PII_KEYS / PII_KEY: ${(err as Error).message}`);
  }
  if (ring) return ring;
  fail(
    'Personal data needs the key that encrypts it: set PII_KEY or PII_KEYS (or run where DATA_DIR holds pii.key).',
  );
}

const database = await openDatabase({ databaseUrl: env('DATABASE_URL'), dataDir, logger });
let code = 0;
try {
  await migrateDatabase(database.url);
  const db = createDb(database.url);
  try {
    // Without personal data nothing is decrypted: a throwaway key will do.
    const cipher = createPiiCipher(withPersonalData ? await piiKey() : Buffer.alloc(32));
    const admin = createAdminService({
      adminTelegramIds: [],
      staff: createStaffRepository(db),
      stats: createCaseStatsRepository(db),
      cipher,
      now: () => new Date(),
    });
    const result = await admin.exportCases(
      { commandLine: `${os.userInfo().username}@${os.hostname()}` },
      { from, to, withPersonalData },
    );
    if (!result.ok) throw new Error(`export refused: ${result.error}`);
    if (args.out) {
      await writeFile(args.out, result.value.csv, { mode: withPersonalData ? 0o600 : 0o644 });
      console.error(`${result.value.rows} cases (${firstDay} – ${lastDay}) written to ${args.out}`);
    } else {
      process.stdout.write(result.value.csv);
    }
  } finally {
    await db.$disconnect();
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  code = 1;
} finally {
  await database.close();
}
process.exit(code);
