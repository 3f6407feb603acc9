// Key rotation (npm run rotate-keys, README "Personal data"): every ciphertext not yet in the current format
// under the current key is decrypted (with whichever key of the ring made it, or as version 1) and encrypted
// again under the current key, bound to its row and column; the keyed hashes of the same rows are computed
// again under the current key. Table by table, in batches read in key order; each row is written by one
// short statement, and only if it still holds what was read (the bot may have written it meanwhile, already
// under the current key). Resumable: a second run skips every row already rotated. While it runs, look-ups
// by ID number use every key's hash (PiiCipher.hashes).
import { type PiiCipher, type PiiContext, piiAt } from '../app/pii-cipher.ts';
import type { Db } from './client.ts';

/** A column that holds ciphertexts: where it is, its row key, and the hash computed from its plaintext. */
interface CipherColumn {
  table: string;
  column: string;
  /** The primary key's columns (compared as a row value for the key order). */
  key: string[];
  /** SQL casts of the key columns as selected (text for uuid, so that they come back as strings). */
  keySelect: string[];
  /** SQL casts of the key parameters ('::uuid', '::bigint', '' for text). */
  keyCast: string[];
  context(row: Record<string, unknown>): PiiContext;
  /** Recomputed from the plaintext under the current key (the ID number's keyed hash). */
  hashColumn?: string;
  /** Other columns needed for the context (case_event's case). */
  extra?: string[];
}

const uuidKey = { key: ['id'], keySelect: ['id::text as id'], keyCast: ['::uuid'] };

export const CIPHER_COLUMNS: readonly CipherColumn[] = [
  {
    table: 'resident',
    column: 'phone_cipher',
    ...uuidKey,
    context: (r) => piiAt.residentPhone(String(r.id)),
    hashColumn: 'phone_hash',
  },
  {
    table: 'resident',
    column: 'id_number_cipher',
    ...uuidKey,
    context: (r) => piiAt.residentIdNumber(String(r.id)),
    hashColumn: 'id_number_hash',
  },
  {
    table: 'household_member',
    column: 'id_number_cipher',
    ...uuidKey,
    context: (r) => piiAt.memberIdNumber(String(r.id)),
    hashColumn: 'id_number_hash',
  },
  { table: 'case', column: 'answers_cipher', ...uuidKey, context: (r) => piiAt.caseAnswers(String(r.id)) },
  {
    table: 'case',
    column: 'rating_comment_cipher',
    ...uuidKey,
    context: (r) => piiAt.caseRatingComment(String(r.id)),
  },
  {
    table: 'case_event',
    column: 'note_cipher',
    key: ['id'],
    keySelect: ['id'],
    keyCast: ['::bigint'],
    extra: ['case_id::text as case_id'],
    context: (r) => piiAt.caseEventNote(String(r.case_id)),
  },
  {
    table: 'job_recommendation',
    column: 'job_cipher',
    ...uuidKey,
    context: (r) => piiAt.jobRecommendation(String(r.id)),
  },
  {
    table: 'registration_conflict',
    column: 'registration_cipher',
    key: ['telegram_id'],
    keySelect: ['telegram_id'],
    keyCast: ['::bigint'],
    context: (r) => piiAt.conflictRegistration(r.telegram_id as bigint),
  },
  {
    table: 'conversation_state',
    column: 'data',
    key: ['key'],
    keySelect: ['key'],
    keyCast: [''],
    context: (r) => piiAt.conversationState(String(r.key)),
  },
  {
    table: 'update_receipt',
    column: 'payload',
    key: ['bot_id', 'update_id'],
    keySelect: ['bot_id', 'update_id'],
    keyCast: ['::bigint', '::bigint'],
    context: (r) => piiAt.updatePayload(r.bot_id as bigint, r.update_id as bigint),
  },
];

/**
 * How a problem names its row: a uuid key as it is (it says nothing of a person), any other key (a Telegram id,
 * a chat's form key) not at all — the report is printed and may be pasted anywhere.
 */
const rowName = (row: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(row) ? `row ${row}` : 'a row';

export interface RotationReport {
  /** Rows re-encrypted under the current key, by "table.column". */
  rotated: Record<string, number>;
  /** Rows left as they were: changed meanwhile, unreadable, or a hash already taken (see `problems`). */
  skipped: Record<string, number>;
  /** What went wrong with skipped rows, by place (no personal data). */
  problems: string[];
  /** False when stopped by `maxRows` (or `shouldStop`) before every column was walked. */
  complete: boolean;
}

export interface RotationOptions {
  /** Rows read per batch (default 200). */
  batchSize?: number;
  /** Stop after this many rows rotated in this run (the rest is left for the next run). */
  maxRows?: number;
  /** Asked between batches: true stops the run (an interruption). */
  shouldStop?: () => boolean;
  onBatch?: (place: string, rotated: number) => void;
}

/** Whether a PostgreSQL error is a unique violation (a hash already held by another row). */
const isUniqueViolation = (err: unknown) =>
  /23505|unique constraint/i.test(`${(err as { code?: string }).code ?? ''} ${(err as Error).message ?? ''}`);

export async function rotateKeys(
  db: Db,
  cipher: PiiCipher,
  opts: RotationOptions = {},
): Promise<RotationReport> {
  const batchSize = opts.batchSize ?? 200;
  const header = Buffer.concat([
    Buffer.from([0x02, Buffer.byteLength(cipher.currentKeyId, 'ascii')]),
    Buffer.from(cipher.currentKeyId, 'ascii'),
  ]);
  const report: RotationReport = { rotated: {}, skipped: {}, problems: [], complete: false };
  let total = 0;
  for (const col of CIPHER_COLUMNS) {
    const place = `${col.table}.${col.column}`;
    report.rotated[place] = 0;
    report.skipped[place] = 0;
    const t = `"${col.table}"`;
    const c = `"${col.column}"`;
    const keyTuple = `(${col.key.map((k) => `"${k}"`).join(', ')})`;
    let after: unknown[] | null = null;
    for (;;) {
      if (opts.shouldStop?.() || (opts.maxRows !== undefined && total >= opts.maxRows)) return report;
      const limit = opts.maxRows === undefined ? batchSize : Math.min(batchSize, opts.maxRows - total);
      // Parameters: $1 the current header, then the last key read (keyset pagination: one walk a run).
      const afterClause =
        after === null
          ? ''
          : `and ${keyTuple} > (${col.keyCast.map((cast, i) => `$${i + 2}${cast}`).join(', ')})`;
      // Not yet current: another key, or version 1. Empty blobs (a case's answers after erasure) and the rating
      // comments a migration left unsealed (first byte 0x00, sealed at the bot's start) are not ciphertexts.
      const rows: Record<string, unknown>[] = await db.$queryRawUnsafe(
        `select ${[...col.keySelect, ...(col.extra ?? [])].join(', ')}, ${c} as blob from ${t}
          where ${c} is not null and length(${c}) > 1
            and substring(${c} from 1 for 1) <> decode('00', 'hex')
            and substring(${c} from 1 for ${header.length}) <> $1
            ${afterClause}
          order by ${keyTuple} limit ${limit}`,
        new Uint8Array(header),
        ...(after ?? []),
      );
      if (rows.length === 0) break;
      const last = rows[rows.length - 1] as Record<string, unknown>;
      after = col.key.map((k) => last[k]);
      let rotatedHere = 0;
      for (const row of rows) {
        const ctx = col.context(row);
        const old = row.blob as Uint8Array;
        let plain: string;
        try {
          plain = cipher.decrypt(old, ctx);
        } catch (err) {
          report.skipped[place] = (report.skipped[place] ?? 0) + 1;
          report.problems.push(
            `${place} ${rowName(ctx.row)}: ${(err as Error).name} (cannot be read: left as it is)`,
          );
          continue;
        }
        const fresh = new Uint8Array(cipher.encrypt(plain, ctx));
        const keyValues = col.key.map((k) => row[k]);
        // Parameters: $1 the new ciphertext, $2 the old one, then the key, then the new hash.
        const where = col.key.map((k, i) => `"${k}" = $${i + 3}${col.keyCast[i]}`);
        const sets = [`${c} = $1`];
        if (col.hashColumn) sets.push(`"${col.hashColumn}" = $${3 + col.key.length}`);
        try {
          const count = await db.$executeRawUnsafe(
            `update ${t} set ${sets.join(', ')} where ${where.join(' and ')} and ${c} = $2`,
            fresh,
            new Uint8Array(old),
            ...keyValues,
            ...(col.hashColumn ? [new Uint8Array(cipher.hash(plain))] : []),
          );
          if (count === 1) {
            rotatedHere++;
            total++;
          } else {
            report.skipped[place] = (report.skipped[place] ?? 0) + 1; // changed (or gone) meanwhile
          }
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          report.skipped[place] = (report.skipped[place] ?? 0) + 1;
          report.problems.push(
            `${place} ${rowName(ctx.row)}: its keyed hash under the new key is already held by another row (the same ID number registered twice): left as it is`,
          );
        }
      }
      report.rotated[place] = (report.rotated[place] ?? 0) + rotatedHere;
      opts.onBatch?.(place, rotatedHere);
    }
  }
  report.complete = true;
  return report;
}

/** How many ciphertexts are not yet under the current key, by "table.column" (only non-zero ones). */
export async function rowsLeftToRotate(db: Db, cipher: PiiCipher): Promise<Record<string, number>> {
  const header = Buffer.concat([
    Buffer.from([0x02, Buffer.byteLength(cipher.currentKeyId, 'ascii')]),
    Buffer.from(cipher.currentKeyId, 'ascii'),
  ]);
  const left: Record<string, number> = {};
  for (const col of CIPHER_COLUMNS) {
    const c = `"${col.column}"`;
    const [row] = await db.$queryRawUnsafe<{ n: number }[]>(
      `select count(*)::int as n from "${col.table}"
        where ${c} is not null and length(${c}) > 1 and substring(${c} from 1 for 1) <> decode('00', 'hex')
          and substring(${c} from 1 for ${header.length}) <> $1`,
      new Uint8Array(header),
    );
    if (row && row.n > 0) left[`${col.table}.${col.column}`] = row.n;
  }
  return left;
}
