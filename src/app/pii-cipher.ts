/**
 * Encryption at rest for personal data (ID numbers, phones, health and income answers).
 *
 * One 32-byte master key (env var, see parseMasterKey) yields two independent subkeys through
 * HKDF-SHA256, so the key behind the look-up hash is never the encryption key:
 *   - encryption: AES-256-GCM, a fresh random 12-byte IV per message;
 *   - keyed hash: HMAC-SHA256 (32 bytes) for equality look-ups (`id_number_hash`). Callers hash the
 *     canonical value (e.g. the 18-character ID from parseIdNumber), never raw input.
 *
 * Blob layout (version 1), 29 bytes + plaintext length:
 *   [0]      version byte, 0x01 (also bound into the tag as additional authenticated data)
 *   [1..12]  IV, 12 bytes
 *   [13..28] GCM authentication tag, 16 bytes
 *   [29..]   ciphertext (UTF-8 plaintext, same length)
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export interface PiiCipher {
  encrypt(plain: string): Buffer;
  /** Throws an Error (never containing the plaintext) when the blob is malformed, tampered or foreign. */
  decrypt(blob: Buffer | Uint8Array): string;
  /** HMAC-SHA256 of the UTF-8 value under the hash subkey: 32 bytes, deterministic per master key. */
  hash(value: string): Buffer;
  encryptJson(value: unknown): Buffer;
  decryptJson<T = unknown>(blob: Buffer | Uint8Array): T;
}

const KEY_BYTES = 32;
const VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
const HKDF_SALT = Buffer.from('bianmin/pii', 'utf8');
const ENCRYPTION_INFO = 'bianmin/pii/aes-256-gcm/v1';
const HASH_INFO = 'bianmin/pii/hmac-sha256/v1';

export function createPiiCipher(masterKey: Buffer): PiiCipher {
  if (!(masterKey instanceof Uint8Array) || masterKey.length !== KEY_BYTES) {
    const got = masterKey instanceof Uint8Array ? `${masterKey.length} bytes` : typeof masterKey;
    throw new Error(`PII master key must be exactly ${KEY_BYTES} bytes (got ${got})`);
  }
  const encryptionKey = deriveKey(masterKey, ENCRYPTION_INFO);
  const hashKey = deriveKey(masterKey, HASH_INFO);
  const aad = Buffer.from([VERSION]);

  const encrypt = (plain: string): Buffer => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([aad, iv, cipher.getAuthTag(), ciphertext]);
  };

  const decrypt = (blob: Buffer | Uint8Array): string => {
    const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    if (bytes.length < HEADER_BYTES) throw new Error('PII blob is too short to be a ciphertext');
    if (bytes[0] !== VERSION) throw new Error(`PII blob has an unknown version byte ${bytes[0]}`);
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const tag = bytes.subarray(1 + IV_BYTES, HEADER_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    // update() yields plaintext before final() has checked the tag: only return it once final() passes.
    const plain = decipher.update(bytes.subarray(HEADER_BYTES));
    try {
      decipher.final();
    } catch {
      plain.fill(0);
      throw new Error('PII blob failed authentication (tampered, truncated or encrypted with another key)');
    }
    return plain.toString('utf8');
  };

  return {
    encrypt,
    decrypt,
    hash: (value) => createHmac('sha256', hashKey).update(value, 'utf8').digest(),
    encryptJson: (value) => {
      const json = JSON.stringify(value);
      if (json === undefined) throw new Error('encryptJson: value is not JSON-serialisable');
      return encrypt(json);
    },
    decryptJson: <T>(blob: Buffer | Uint8Array) => JSON.parse(decrypt(blob)) as T,
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

/** A new random master key as 64 hex characters. */
export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString('hex');
}

function deriveKey(masterKey: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, HKDF_SALT, info, KEY_BYTES));
}
