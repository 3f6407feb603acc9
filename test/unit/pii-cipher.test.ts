import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createPiiCipher,
  generateMasterKey,
  PiiIntegrityError,
  parseKeyring,
  parseMasterKey,
  piiAt,
} from '../../src/app/pii-cipher.ts';
import { adultMan } from '../support/fixtures.ts';

const KEY_A = Buffer.alloc(32, 0xa1);
const KEY_B = Buffer.alloc(32, 0xb2);
const cipher = createPiiCipher(KEY_A);

/** Blob layout: [version 2][key id length 1]["1"][IV 12][tag 16][ciphertext]. */
const IV_AT = 3;
const TAG_AT = 15;
const DATA_AT = 31;
const AT = piiAt.residentIdNumber('00000000-0000-4000-8000-000000000001');

function flipByte(blob: Buffer, index: number): Buffer {
  const copy = Buffer.from(blob);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

describe('encrypt / decrypt', () => {
  it.each([
    ['ID number', adultMan.idNumber],
    ['Chinese text', '张三丰，住院，心脏不舒服；低保户'],
    ['emoji and mixed scripts', 'ئەخمەت · José 😀'],
    ['empty string', ''],
    ['long text', '病'.repeat(10_000)],
  ])('round-trips %s', (_label, plain) => {
    const blob = cipher.encrypt(plain, AT);
    expect(Buffer.isBuffer(blob)).toBe(true);
    expect(blob[0]).toBe(2);
    expect(blob.subarray(1, 3).toString('latin1')).toBe('\u00011'); // key id "1"
    expect(blob.length).toBe(DATA_AT + Buffer.byteLength(plain, 'utf8'));
    expect(cipher.decrypt(blob, AT)).toBe(plain);
  });

  it('does not leave the plaintext visible in the blob', () => {
    const blob = cipher.encrypt(adultMan.idNumber, AT);
    expect(blob.includes(Buffer.from(adultMan.idNumber))).toBe(false);
  });

  it('two encryptions of the same text differ (fresh IV each time)', () => {
    const a = cipher.encrypt('522201198503081234', AT);
    const b = cipher.encrypt('522201198503081234', AT);
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(IV_AT, TAG_AT).equals(b.subarray(IV_AT, TAG_AT))).toBe(false);
  });

  it('decrypts a Uint8Array view (as the database driver returns bytes)', () => {
    const blob = cipher.encrypt('王小梅', AT);
    const backing = new Uint8Array(blob.length + 8);
    backing.set(blob, 4);
    expect(cipher.decrypt(backing.subarray(4, 4 + blob.length), AT)).toBe('王小梅');
    expect(cipher.decrypt(new Uint8Array(blob), AT)).toBe('王小梅');
  });

  it('another cipher with the same master key decrypts', () => {
    expect(createPiiCipher(Buffer.from(KEY_A)).decrypt(cipher.encrypt('同一把钥匙', AT), AT)).toBe(
      '同一把钥匙',
    );
  });
});

describe('decrypt refuses bad blobs without revealing the plaintext', () => {
  const secret = '522201198503081234 心脏病';
  const blob = cipher.encrypt(secret, AT);

  it.each([
    ['version byte', 0],
    ['first IV byte', IV_AT],
    ['last IV byte', TAG_AT - 1],
    ['first tag byte', TAG_AT],
    ['last tag byte', DATA_AT - 1],
    ['first ciphertext byte', DATA_AT],
    ['last ciphertext byte', blob.length - 1],
  ])('tampered %s', (_label, index) => {
    const tampered = flipByte(blob, index);
    expect(() => cipher.decrypt(tampered, AT)).toThrow(Error);
    try {
      cipher.decrypt(tampered, AT);
    } catch (error) {
      expect(String(error)).not.toContain('522201');
      expect((error as Error).stack ?? '').not.toContain('522201');
    }
  });

  it('truncated blob', () => {
    expect(() => cipher.decrypt(blob.subarray(0, blob.length - 1), AT)).toThrow(/authentication/);
    expect(() => cipher.decrypt(blob.subarray(0, DATA_AT - 1), AT)).toThrow(/too short/);
    expect(() => cipher.decrypt(Buffer.alloc(0), AT)).toThrow(Error);
  });

  it('appended bytes', () => {
    expect(() => cipher.decrypt(Buffer.concat([blob, Buffer.from([0])]), AT)).toThrow(/authentication/);
  });

  it('blob made with another key', () => {
    const other = createPiiCipher(KEY_B);
    expect(() => other.decrypt(blob, AT)).toThrow(/authentication/);
    try {
      other.decrypt(blob, AT);
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });
});

describe('hash', () => {
  it('is 32 bytes and deterministic', () => {
    const a = cipher.hash(adultMan.idNumber);
    expect(a).toHaveLength(32);
    expect(a.equals(cipher.hash(adultMan.idNumber))).toBe(true);
    expect(a.equals(createPiiCipher(Buffer.from(KEY_A)).hash(adultMan.idNumber))).toBe(true);
  });

  it('differs for different values and under another key', () => {
    const a = cipher.hash('522201198503081234');
    expect(a.equals(cipher.hash('522201198503081235'))).toBe(false);
    expect(a.equals(createPiiCipher(KEY_B).hash('522201198503081234'))).toBe(false);
  });

  it('is keyed (not a plain SHA-256) and the hash key is not the encryption key', async () => {
    const { createHash, createHmac } = await import('node:crypto');
    const value = '522201198503081234';
    const h = cipher.hash(value);
    expect(h.equals(createHash('sha256').update(value).digest())).toBe(false);
    expect(h.equals(createHmac('sha256', KEY_A).update(value).digest())).toBe(false);
  });
});

describe('encryptJson / decryptJson', () => {
  it('round-trips structured answers', () => {
    const answers = {
      patient: '张三丰',
      idNumber: adultMan.idNumber,
      inpatient: true,
      income: 1234.5,
      list: [1, 2],
    };
    expect(cipher.decryptJson(cipher.encryptJson(answers, AT), AT)).toEqual(answers);
    expect(cipher.decryptJson<string | null>(cipher.encryptJson(null, AT), AT)).toBeNull();
  });

  it('rejects values JSON cannot carry', () => {
    expect(() => cipher.encryptJson(undefined, AT)).toThrow(Error);
  });
});

describe('master keys', () => {
  it('createPiiCipher rejects keys that are not 32 bytes', () => {
    expect(() => createPiiCipher(Buffer.alloc(16))).toThrow(/32 bytes/);
    expect(() => createPiiCipher(Buffer.alloc(33))).toThrow(/32 bytes/);
    expect(() => createPiiCipher(Buffer.alloc(0))).toThrow(/32 bytes/);
    expect(() => createPiiCipher('a'.repeat(32) as unknown as Buffer)).toThrow(/32 bytes/);
  });

  it('parseMasterKey accepts 64 hex characters (either case, trimmed)', () => {
    const hex = KEY_A.toString('hex');
    expect(parseMasterKey(hex).equals(KEY_A)).toBe(true);
    expect(parseMasterKey(` ${hex.toUpperCase()}\n`).equals(KEY_A)).toBe(true);
  });

  it('parseMasterKey accepts base64 of 32 bytes (standard, unpadded, URL-safe)', () => {
    const key = randomBytes(32);
    expect(parseMasterKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseMasterKey(key.toString('base64').replace(/=$/, '')).equals(key)).toBe(true);
    expect(parseMasterKey(key.toString('base64url')).equals(key)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['63 hex characters', 'a'.repeat(63)],
    ['65 hex characters', 'a'.repeat(65)],
    ['non-hex 64 characters', 'g'.repeat(64)],
    ['base64 of 16 bytes', Buffer.alloc(16, 7).toString('base64')],
    ['base64 of 33 bytes', Buffer.alloc(33, 7).toString('base64')],
    ['non-canonical base64 (trailing bits set)', `${'A'.repeat(42)}B=`],
    ['a passphrase', 'correct horse battery staple'],
  ])('parseMasterKey rejects %s without echoing it', (_label, text) => {
    expect(() => parseMasterKey(text)).toThrow(Error);
    try {
      parseMasterKey(text);
    } catch (error) {
      if (text.length > 0) expect((error as Error).message).not.toContain(text);
    }
  });

  it('generateMasterKey gives 64 fresh hex characters that parseMasterKey accepts', () => {
    const a = generateMasterKey();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(generateMasterKey());
    const c = createPiiCipher(parseMasterKey(a));
    expect(c.decrypt(c.encrypt('ok', AT), AT)).toBe('ok');
  });
});

describe('context: a ciphertext is bound to its table, column and row', () => {
  const rowA = piiAt.residentIdNumber('00000000-0000-4000-8000-00000000000a');
  const rowB = piiAt.residentIdNumber('00000000-0000-4000-8000-00000000000b');
  const blob = cipher.encrypt(adultMan.idNumber, rowA);

  it('opens in its own place only', () => {
    expect(cipher.decrypt(blob, rowA)).toBe(adultMan.idNumber);
    // Another row, another column of the same row, another table: each fails as tampering.
    expect(() => cipher.decrypt(blob, rowB)).toThrow(PiiIntegrityError);
    expect(() => cipher.decrypt(blob, piiAt.residentPhone(rowA.row))).toThrow(PiiIntegrityError);
    expect(() => cipher.decrypt(blob, piiAt.memberIdNumber(rowA.row))).toThrow(/moved from another row/);
  });

  it('the error names the place (no personal data), never the plaintext', () => {
    try {
      cipher.decrypt(blob, rowB);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('resident.id_number_cipher');
      expect((error as Error).message).not.toContain(adultMan.idNumber);
      expect((error as PiiIntegrityError).context).toEqual(rowB);
    }
  });
});

describe('key ids and rotation', () => {
  const legacyBlob = (key: Buffer, plain: string): Buffer => {
    // Version 1, as written before key ids: [0x01][IV][tag][ciphertext], AAD the version byte alone.
    const { hkdfSync } = require('node:crypto') as typeof import('node:crypto');
    const encKey = Buffer.from(
      hkdfSync('sha256', key, Buffer.from('bianmin/pii'), 'bianmin/pii/aes-256-gcm/v1', 32),
    );
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', encKey, iv, { authTagLength: 16 });
    c.setAAD(Buffer.from([1]));
    const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([Buffer.from([1]), iv, c.getAuthTag(), data]);
  };

  it('each ciphertext names its key; the ring opens old keys’ ciphertexts and writes with the first', () => {
    const old = createPiiCipher([{ id: 'a', key: KEY_A }]);
    const ring = createPiiCipher([
      { id: 'b', key: KEY_B },
      { id: 'a', key: KEY_A },
    ]);
    const before = old.encrypt('旧的', AT);
    expect(ring.keyIdOf(before)).toBe('a');
    expect(ring.isCurrent(before)).toBe(false);
    expect(ring.decrypt(before, AT)).toBe('旧的');
    const after = ring.encrypt('新的', AT);
    expect(ring.keyIdOf(after)).toBe('b');
    expect(ring.isCurrent(after)).toBe(true);
    expect(() => old.decrypt(after, AT)).toThrow(/key id "b", which is not in PII_KEYS/);
    expect(ring.hash('x').equals(createPiiCipher([{ id: 'b', key: KEY_B }]).hash('x'))).toBe(true);
    expect(ring.hashes('x').map((h) => h.toString('hex'))).toEqual([
      ring.hash('x').toString('hex'),
      old.hash('x').toString('hex'),
    ]);
  });

  it('version-1 ciphertexts (no key id, no context) stay readable under whichever key made them', () => {
    const blob = legacyBlob(KEY_A, adultMan.idNumber);
    expect(cipher.keyIdOf(blob)).toBeNull();
    expect(cipher.isCurrent(blob)).toBe(false);
    expect(cipher.decrypt(blob, AT)).toBe(adultMan.idNumber);
    const ring = createPiiCipher([
      { id: '2', key: KEY_B },
      { id: '1', key: KEY_A },
    ]);
    expect(ring.decrypt(blob, AT)).toBe(adultMan.idNumber);
    expect(() => createPiiCipher(KEY_B).decrypt(blob, AT)).toThrow(PiiIntegrityError);
  });

  it('a key check value per key, the same for the same key, different for another', () => {
    const [a] = createPiiCipher([{ id: 'x', key: KEY_A }]).keyChecks();
    const [b] = createPiiCipher([{ id: 'x', key: KEY_B }]).keyChecks();
    expect(a?.check.equals(cipher.keyChecks()[0]?.check as Buffer)).toBe(true);
    expect(a?.check.equals(b?.check as Buffer)).toBe(false);
    expect(a?.check.equals(cipher.hash('bianmin: this is the key the personal data is encrypted with'))).toBe(
      false,
    );
  });

  it('parseKeyring reads id:key pairs, the first current, and refuses bad ones without echoing a key', () => {
    const hexA = KEY_A.toString('hex');
    const hexB = KEY_B.toString('hex');
    const ring = parseKeyring(` 2:${hexB}, 1:${hexA} `);
    expect(ring.map((k) => k.id)).toEqual(['2', '1']);
    expect(ring[0]?.key.equals(KEY_B)).toBe(true);
    expect(() => parseKeyring(hexA)).toThrow(/id:key/);
    expect(() => parseKeyring(`1:${hexA},1:${hexB}`)).toThrow(/appears twice/);
    expect(() => parseKeyring('1:short')).toThrow(/64 hex/);
    expect(() => parseKeyring('')).toThrow(/no key/);
    try {
      parseKeyring(`bad id!:${hexA}`);
    } catch (error) {
      expect((error as Error).message).not.toContain(hexA);
    }
  });
});
