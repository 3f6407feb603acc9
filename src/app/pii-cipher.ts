/**
 * Encryption at rest for personal data (ID numbers, phones, health and income answers).
 *
 * A keyring of 32-byte master keys (PII_KEYS, or PII_KEY alone: see config.ts), each with a short id; the
 * first is current. Each master key yields independent subkeys through HKDF-SHA256, so the key behind the
 * look-up hash is never the encryption key:
 *   - encryption: AES-256-GCM, a fresh random 12-byte IV per message;
 *   - keyed hash: HMAC-SHA256 (32 bytes) for equality look-ups (`id_number_hash`). Callers hash the
 *     canonical value (e.g. the 18-character ID from parseIdNumber), never raw input;
 *   - key check: an HMAC of a constant, stored in `pii_key_check` (pii-key-check.ts), so that a wrong key
 *     is refused at start instead of failing every read later.
 *
 * Blob layout, version 2 (written now), 31 + id length + plaintext length bytes:
 *   [0]        version byte, 0x02
 *   [1]        key id length n (1..16)
 *   [2..2+n]   key id (ASCII): which key of the ring encrypted it
 *   then       IV (12 bytes), GCM authentication tag (16 bytes), ciphertext (UTF-8 plaintext, same length)
 * The additional authenticated data is the header (version, key id) followed by the context: the table, the
 * column and the row key the ciphertext belongs to. A ciphertext copied into another row or column fails
 * authentication.
 *
 * Version 1 (written before key ids existed), 29 bytes + plaintext length: [0x01][IV 12][tag 16][ciphertext],
 * its AAD the version byte alone (no context). Still read (under whichever key of the ring opens it) until
 * `npm run rotate-keys` has rewritten it as version 2.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** Where a ciphertext belongs: bound into its authenticated data. */
export interface PiiContext {
  table: string;
  column: string;
  /** The row's key (its uuid, or the parts of a composite key joined by ':'). */
  row: string;
}

/**
 * Every column that holds a ciphertext, and the context each is bound to. The rotation (scripts/rotate-keys.ts)
 * walks the same list.
 */
export const piiAt = {
  residentPhone: (residentId: string): PiiContext => ({
    table: 'resident',
    column: 'phone_cipher',
    row: residentId,
  }),
  residentIdNumber: (residentId: string): PiiContext => ({
    table: 'resident',
    column: 'id_number_cipher',
    row: residentId,
  }),
  memberIdNumber: (memberId: string): PiiContext => ({
    table: 'household_member',
    column: 'id_number_cipher',
    row: memberId,
  }),
  caseAnswers: (caseId: string): PiiContext => ({ table: 'case', column: 'answers_cipher', row: caseId }),
  caseRatingComment: (caseId: string): PiiContext => ({
    table: 'case',
    column: 'rating_comment_cipher',
    row: caseId,
  }),
  /**
   * A case event's note is bound to its case (the event's own id is made by the database when it is
   * written): moved to another case it fails; between two events of one case it is not told apart.
   */
  caseEventNote: (caseId: string): PiiContext => ({
    table: 'case_event',
    column: 'note_cipher',
    row: caseId,
  }),
  /** A job the human-resources window recommends on a case (src/app/job-offers.ts). */
  jobRecommendation: (id: string): PiiContext => ({
    table: 'job_recommendation',
    column: 'job_cipher',
    row: id,
  }),
  /** A registration conflict is one per account: bound to the second registrant's Telegram id. */
  conflictRegistration: (telegramId: bigint | number): PiiContext => ({
    table: 'registration_conflict',
    column: 'registration_cipher',
    row: String(telegramId),
  }),
  conversationState: (key: string): PiiContext => ({ table: 'conversation_state', column: 'data', row: key }),
  /** A form put aside (src/bot/forms/drafts.ts): a row of conversation_state keyed `draft:<chat>`. */
  formDraft: (chatKey: string): PiiContext => ({
    table: 'conversation_state',
    column: 'data',
    row: `draft:${chatKey}`,
  }),
  updatePayload: (botId: bigint | number, updateId: bigint | number): PiiContext => ({
    table: 'update_receipt',
    column: 'payload',
    row: `${botId}:${updateId}`,
  }),
} as const;

/** One master key of the ring. */
export interface PiiKey {
  id: string;
  key: Buffer;
}

/**
 * A ciphertext that fails its check: tampered with, moved to another row or column, or made with a key that
 * is not (or no longer) in the ring. Carries where it was read (table, column, row key: no personal data).
 */
export class PiiIntegrityError extends Error {
  constructor(
    message: string,
    readonly context: PiiContext | undefined,
  ) {
    super(context ? `${message} (${context.table}.${context.column}, row ${context.row})` : message);
    this.name = 'PiiIntegrityError';
  }
}

export interface PiiCipher {
  /** The id of the key new ciphertexts are made with. */
  readonly currentKeyId: string;
  /** Every key id of the ring, the current one first. */
  readonly keyIds: readonly string[];
  encrypt(plain: string, ctx: PiiContext): Buffer;
  /**
   * Throws a PiiIntegrityError (never containing the plaintext) when the blob is malformed, tampered, moved
   * from another row or column, or made with a key that is not in the ring.
   */
  decrypt(blob: Buffer | Uint8Array, ctx: PiiContext): string;
  /** HMAC-SHA256 of the UTF-8 value under the current key's hash subkey: 32 bytes, deterministic per key. */
  hash(value: string): Buffer;
  /** The value's hash under every key of the ring, the current first: look-ups while a rotation runs. */
  hashes(value: string): Buffer[];
  encryptJson(value: unknown, ctx: PiiContext): Buffer;
  decryptJson<T = unknown>(blob: Buffer | Uint8Array, ctx: PiiContext): T;
  /** The key id a blob was made with; null for a version-1 blob (made before key ids). */
  keyIdOf(blob: Buffer | Uint8Array): string | null;
  /** Whether a blob is already in the current format under the current key (rotation skips it). */
  isCurrent(blob: Buffer | Uint8Array): boolean;
  /** Each key's check value (an HMAC of a constant under a subkey of its own), the current first. */
  keyChecks(): { keyId: string; check: Buffer }[];
}

const KEY_BYTES = 32;
const LEGACY_VERSION = 0x01;
const VERSION = 0x02;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const LEGACY_HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
const HKDF_SALT = Buffer.from('bianmin/pii', 'utf8');
const ENCRYPTION_INFO = 'bianmin/pii/aes-256-gcm/v1';
const HASH_INFO = 'bianmin/pii/hmac-sha256/v1';
const CHECK_INFO = 'bianmin/pii/key-check/v1';
const CHECK_CONSTANT = 'bianmin: this is the key the personal data is encrypted with';
/** The id of the key given as PII_KEY alone (or the embedded mode's pii.key). */
export const DEFAULT_KEY_ID = '1';
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;

interface DerivedKey {
  id: string;
  header: Buffer;
  encryptionKey: Buffer;
  hashKey: Buffer;
  check: Buffer;
}

/** A ring of one key (id DEFAULT_KEY_ID), or of several keys, the first current. */
export function createPiiCipher(keys: Buffer | readonly PiiKey[]): PiiCipher {
  const ring: readonly PiiKey[] = Array.isArray(keys) ? keys : [{ id: DEFAULT_KEY_ID, key: keys as Buffer }];
  if (ring.length === 0) throw new Error('PII keyring is empty');
  const derived: DerivedKey[] = ring.map(({ id, key }) => {
    if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
      const got = key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
      throw new Error(`PII master key must be exactly ${KEY_BYTES} bytes (got ${got})`);
    }
    if (!KEY_ID_PATTERN.test(id)) throw new Error('PII key id must be 1–16 letters, digits, _ or -');
    const idBytes = Buffer.from(id, 'ascii');
    return {
      id,
      header: Buffer.concat([Buffer.from([VERSION, idBytes.length]), idBytes]),
      encryptionKey: deriveKey(key, ENCRYPTION_INFO),
      hashKey: deriveKey(key, HASH_INFO),
      check: createHmac('sha256', deriveKey(key, CHECK_INFO)).update(CHECK_CONSTANT, 'utf8').digest(),
    };
  });
  if (new Set(derived.map((k) => k.id)).size !== derived.length) throw new Error('PII key ids must differ');
  const current = derived[0] as DerivedKey;
  const byId = new Map(derived.map((k) => [k.id, k]));

  const contextBytes = (ctx: PiiContext): Buffer =>
    Buffer.from(`${ctx.table}\u0000${ctx.column}\u0000${ctx.row}`, 'utf8');

  const encrypt = (plain: string, ctx: PiiContext): Buffer => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current.encryptionKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.concat([current.header, contextBytes(ctx)]));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([current.header, iv, cipher.getAuthTag(), ciphertext]);
  };

  /** The plaintext, or null when the tag does not match (nothing of the plaintext is kept). */
  const open = (key: Buffer, aad: Buffer, iv: Buffer, tag: Buffer, data: Buffer): string | null => {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    // update() yields plaintext before final() has checked the tag: only return it once final() passes.
    const plain = decipher.update(data);
    try {
      decipher.final();
    } catch {
      plain.fill(0);
      return null;
    }
    return plain.toString('utf8');
  };

  const view = (blob: Buffer | Uint8Array) => Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);

  const decrypt = (blob: Buffer | Uint8Array, ctx: PiiContext): string => {
    const bytes = view(blob);
    if (bytes[0] === LEGACY_VERSION) {
      if (bytes.length < LEGACY_HEADER_BYTES) throw new PiiIntegrityError('PII blob is too short', ctx);
      const iv = bytes.subarray(1, 1 + IV_BYTES);
      const tag = bytes.subarray(1 + IV_BYTES, LEGACY_HEADER_BYTES);
      const data = bytes.subarray(LEGACY_HEADER_BYTES);
      for (const k of derived) {
        const plain = open(k.encryptionKey, Buffer.from([LEGACY_VERSION]), iv, tag, data);
        if (plain !== null) return plain;
      }
      throw new PiiIntegrityError(
        'PII blob failed authentication (tampered, truncated or encrypted with another key)',
        ctx,
      );
    }
    if (bytes[0] !== VERSION) {
      throw new PiiIntegrityError(`PII blob has an unknown version byte ${bytes[0] ?? '(none)'}`, ctx);
    }
    const idLength = bytes[1] ?? 0;
    const headerBytes = 2 + idLength;
    if (idLength < 1 || bytes.length < headerBytes + IV_BYTES + TAG_BYTES) {
      throw new PiiIntegrityError('PII blob is too short to be a ciphertext', ctx);
    }
    const id = bytes.subarray(2, headerBytes).toString('ascii');
    const key = byId.get(id);
    if (!key) {
      throw new PiiIntegrityError(
        `PII blob was encrypted with key id "${id}", which is not in PII_KEYS`,
        ctx,
      );
    }
    const iv = bytes.subarray(headerBytes, headerBytes + IV_BYTES);
    const tag = bytes.subarray(headerBytes + IV_BYTES, headerBytes + IV_BYTES + TAG_BYTES);
    const aad = Buffer.concat([bytes.subarray(0, headerBytes), contextBytes(ctx)]);
    const plain = open(key.encryptionKey, aad, iv, tag, bytes.subarray(headerBytes + IV_BYTES + TAG_BYTES));
    if (plain === null) {
      throw new PiiIntegrityError(
        'PII blob failed authentication (tampered, truncated, moved from another row or column, or encrypted with another key)',
        ctx,
      );
    }
    return plain;
  };

  const keyIdOf = (blob: Buffer | Uint8Array): string | null => {
    const bytes = view(blob);
    if (bytes[0] !== VERSION) return null;
    return bytes.subarray(2, 2 + (bytes[1] ?? 0)).toString('ascii');
  };

  return {
    currentKeyId: current.id,
    keyIds: derived.map((k) => k.id),
    encrypt,
    decrypt,
    hash: (value) => createHmac('sha256', current.hashKey).update(value, 'utf8').digest(),
    hashes: (value) => derived.map((k) => createHmac('sha256', k.hashKey).update(value, 'utf8').digest()),
    encryptJson: (value, ctx) => {
      const json = JSON.stringify(value);
      if (json === undefined) throw new Error('encryptJson: value is not JSON-serialisable');
      return encrypt(json, ctx);
    },
    decryptJson: <T>(blob: Buffer | Uint8Array, ctx: PiiContext) => JSON.parse(decrypt(blob, ctx)) as T,
    keyIdOf,
    isCurrent: (blob) => {
      const bytes = view(blob);
      return (
        bytes.length > current.header.length &&
        bytes.subarray(0, current.header.length).equals(current.header)
      );
    },
    keyChecks: () => derived.map((k) => ({ keyId: k.id, check: Buffer.from(k.check) })),
  };
}

/**
 * Reads the master key from its environment-variable text: 64 hex characters, or base64 (standard
 * or URL-safe, padding optional) of exactly 32 bytes. Throws an Error that does not echo the key.
 */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const base64 = trimmed.replace(/-/g, '+').replace(/_/g, '/').replace(/=$/, '');
  if (/^[A-Za-z0-9+/]{43}$/.test(base64)) {
    const key = Buffer.from(base64, 'base64');
    // 43 characters carry 258 bits: only a canonical encoding (last 2 bits zero) round-trips.
    if (key.length === KEY_BYTES && key.toString('base64') === `${base64}=`) return key;
  }
  throw new Error(`PII master key must be 64 hex characters or base64 of ${KEY_BYTES} bytes`);
}

/**
 * Reads PII_KEYS: `id:key` pairs separated by commas (the first is current), each key as parseMasterKey
 * takes it. Throws an Error that does not echo a key.
 */
export function parseKeyring(text: string): PiiKey[] {
  const keys: PiiKey[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const colon = part.indexOf(':');
    const id = colon > 0 ? part.slice(0, colon) : '';
    if (!KEY_ID_PATTERN.test(id)) {
      throw new Error('each entry must be id:key, the id 1–16 letters, digits, _ or - (such as 2:<64 hex>)');
    }
    if (keys.some((k) => k.id === id)) throw new Error(`the key id "${id}" appears twice`);
    keys.push({ id, key: parseMasterKey(part.slice(colon + 1)) });
  }
  if (keys.length === 0) throw new Error('holds no key');
  return keys;
}

/** A new random master key as 64 hex characters. */
export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString('hex');
}

function deriveKey(masterKey: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, HKDF_SALT, info, KEY_BYTES));
}
