// The start-up check of the keyring against the database (README, "Personal data"): each key's check value
// is written at its first start; a later start with another key under a known id, or with no key the
// database knows, is refused in plain words instead of starting and failing every read. Also seals the
// rating comments that a migration moved out of their clear-text column (first byte 0x00).
import { type PiiCipher, piiAt } from './pii-cipher.ts';

export interface KeyCheckRow {
  keyId: string;
  checkValue: Uint8Array;
}

/** Storage of the key check (src/db/repositories/pii-key-check.ts). */
export interface PiiKeyCheckStore {
  checks(): Promise<KeyCheckRow[]>;
  /** Adds the rows whose key id is not there yet (a concurrent start may add the same: kept once). */
  addChecks(rows: KeyCheckRow[]): Promise<void>;
  /** One resident's encrypted ID number: data written before key checks existed is tried with the ring. */
  sampleResident(): Promise<{ id: string; idNumberCipher: Uint8Array } | null>;
  /** Rating comments not yet encrypted (moved by a migration, first byte 0x00), a batch. */
  unsealedComments(limit: number): Promise<{ caseId: string; commentCipher: Uint8Array }[]>;
  /** Replaces one unsealed comment by its ciphertext, unless it changed meanwhile. */
  sealComment(caseId: string, unsealed: Uint8Array, sealed: Uint8Array): Promise<void>;
}

/** The keyring does not match the database: the message names the setting and says what to do. */
export class PiiKeyMismatchError extends Error {
  override name = 'PiiKeyMismatchError';
}

const ADVICE =
  'Start with the key the data was encrypted with (PII_KEY, or PII_KEYS when there are several). A new key is added with PII_KEYS, the old one kept after it, and npm run rotate-keys (README, "Personal data").';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * Checks the ring against the database; records the check value of each key seen for the first time.
 * Throws PiiKeyMismatchError when a key is not the one known under its id, or when none of the keys is
 * known (and, on the first start with key checks, when the existing data does not open with the ring).
 */
export async function checkPiiKeys(store: PiiKeyCheckStore, cipher: PiiCipher): Promise<{ added: string[] }> {
  const mine = cipher.keyChecks().map((k) => ({ keyId: k.keyId, checkValue: k.check }));
  const verify = (known: KeyCheckRow[]) => {
    const byId = new Map(known.map((r) => [r.keyId, r.checkValue]));
    for (const k of mine) {
      const stored = byId.get(k.keyId);
      if (stored && !same(stored, k.checkValue)) {
        throw new PiiKeyMismatchError(
          `PII_KEY / PII_KEYS: the key with id "${k.keyId}" is not the key this database's personal data was encrypted with under that id. ${ADVICE}`,
        );
      }
      const renamed = known.find((r) => r.keyId !== k.keyId && same(r.checkValue, k.checkValue));
      if (renamed && !stored) {
        throw new PiiKeyMismatchError(
          `PII_KEYS: the key given with id "${k.keyId}" is the key this database knows as "${renamed.keyId}"; keep its id (the encrypted data names its key by id).`,
        );
      }
    }
    return byId;
  };
  const known = await store.checks();
  const byId = verify(known);
  if (known.length === 0) {
    const sample = await store.sampleResident();
    if (sample) {
      try {
        cipher.decrypt(sample.idNumberCipher, piiAt.residentIdNumber(sample.id));
      } catch {
        throw new PiiKeyMismatchError(
          `PII_KEY / PII_KEYS: the personal data in this database cannot be read with the key given. ${ADVICE}`,
        );
      }
    }
  } else if (!mine.some((k) => byId.has(k.keyId))) {
    throw new PiiKeyMismatchError(
      `PII_KEY / PII_KEYS: none of the keys given is a key this database's personal data was encrypted with (it knows key id ${known.map((r) => `"${r.keyId}"`).join(', ')}). ${ADVICE}`,
    );
  }
  const missing = mine.filter((k) => !byId.has(k.keyId));
  if (missing.length > 0) {
    await store.addChecks(missing);
    verify(await store.checks()); // a concurrent start may have written another key under the same id
  }
  return { added: missing.map((k) => k.keyId) };
}

/** Encrypts the rating comments a migration left marked as not yet sealed. Returns how many. */
export async function sealRatingComments(store: PiiKeyCheckStore, cipher: PiiCipher): Promise<number> {
  let sealed = 0;
  for (;;) {
    const batch = await store.unsealedComments(200);
    if (batch.length === 0) return sealed;
    for (const row of batch) {
      const text = Buffer.from(row.commentCipher).subarray(1).toString('utf8');
      await store.sealComment(
        row.caseId,
        row.commentCipher,
        cipher.encrypt(text, piiAt.caseRatingComment(row.caseId)),
      );
      sealed++;
    }
  }
}
