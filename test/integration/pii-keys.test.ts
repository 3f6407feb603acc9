// The start-up key check (src/app/pii-key-check.ts) against a real PostgreSQL: the first start records the
// key, a start with another key is refused in words that name PII_KEY / PII_KEYS, a key added for rotation
// is recorded, and data written before key checks existed is tried with the key given. Also the rating
// comments a migration moved out of their clear-text column, sealed at start.
import { createCipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiiCipher, type PiiKey, piiAt } from '../../src/app/pii-cipher.ts';
import { checkPiiKeys, PiiKeyMismatchError, sealRatingComments } from '../../src/app/pii-key-check.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { createPiiKeyCheckRepository } from '../../src/db/repositories/pii-key-check.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const KEY_A = Buffer.alloc(32, 0x0a);
const KEY_B = Buffer.alloc(32, 0x0b);
const KEY_C = Buffer.alloc(32, 0x0c);

const databases: TestDatabase[] = [];
const dbs: Db[] = [];
async function freshDb(): Promise<Db> {
  const database = await createTestDatabase();
  databases.push(database);
  const db = createDb(database.url, { poolSize: 2 });
  dbs.push(db);
  return db;
}
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.$disconnect()));
  await Promise.all(databases.map((d) => d.drop()));
});

const start = (db: Db, keys: PiiKey[] | Buffer) =>
  checkPiiKeys(createPiiKeyCheckRepository(db), createPiiCipher(keys));

describe('the key check at start', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDb();
  });

  it('records the key at the first start, and accepts it again', async () => {
    expect(await start(db, KEY_A)).toEqual({ added: ['1'] });
    expect(await db.piiKeyCheck.count()).toBe(1);
    const row = await db.piiKeyCheck.findUniqueOrThrow({ where: { keyId: '1' } });
    // The check value is not the key, nor anything the key encrypts or hashes with.
    expect(Buffer.from(row.checkValue).equals(KEY_A)).toBe(false);
    expect(await start(db, KEY_A)).toEqual({ added: [] });
  });

  it('refuses another PII_KEY, in words naming PII_KEY and PII_KEYS', async () => {
    const refused = await start(db, KEY_B).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PiiKeyMismatchError);
    expect((refused as Error).message).toMatch(/PII_KEY/);
    expect((refused as Error).message).toMatch(/PII_KEYS/);
    expect((refused as Error).message).not.toContain(KEY_B.toString('hex'));
    expect(await db.piiKeyCheck.count()).toBe(1);
  });

  it('refuses a ring none of whose keys the database knows', async () => {
    await expect(start(db, [{ id: '2', key: KEY_B }])).rejects.toThrow(/none of the keys given/);
  });

  it('refuses a known key under another id (ciphertexts name their key by id)', async () => {
    await expect(start(db, [{ id: 'renamed', key: KEY_A }])).rejects.toThrow(/knows as "1"/);
  });

  it('records a new current key given with the old one (rotation), then refuses a wrong key under that id', async () => {
    const ring = [
      { id: '2', key: KEY_B },
      { id: '1', key: KEY_A },
    ];
    expect(await start(db, ring)).toEqual({ added: ['2'] });
    // After the rotation the old key may leave the ring.
    expect(await start(db, [{ id: '2', key: KEY_B }])).toEqual({ added: [] });
    await expect(
      start(db, [
        { id: '2', key: KEY_C },
        { id: '1', key: KEY_A },
      ]),
    ).rejects.toThrow(/id "2" is not the key/);
  });
});

describe('the first start with key checks on a database that already holds personal data', () => {
  /** A resident whose ID number was encrypted the old way (version 1, before key ids). */
  async function residentEncryptedBefore(db: Db, key: Buffer) {
    const encKey = Buffer.from(
      hkdfSync('sha256', key, Buffer.from('bianmin/pii'), 'bianmin/pii/aes-256-gcm/v1', 32),
    );
    const seal = (plain: string) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', encKey, iv, { authTagLength: 16 });
      c.setAAD(Buffer.from([1]));
      const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return new Uint8Array(Buffer.concat([Buffer.from([1]), iv, c.getAuthTag(), data]));
    };
    await db.$executeRawUnsafe(`insert into district (code, name_zh, name_en) values ('d', 'd', 'd')`);
    await db.$executeRawUnsafe(
      `insert into community (code, district_code, name_zh, name_en) values ('c', 'd', 'c', 'c')`,
    );
    const building = await db.building.create({
      data: { communityCode: 'c', code: '1', nameZh: '1', nameEn: '1', units: 1 },
    });
    const household = await db.household.create({
      data: { communityCode: 'c', buildingId: building.id, unit: '1', room: '101' },
    });
    await db.telegramUser.create({ data: { telegramId: 42n, chatId: 42n } });
    await db.resident.create({
      data: {
        telegramId: 42n,
        householdId: household.id,
        name: '王小梅',
        phoneCipher: seal('13900000002'),
        idNumberCipher: seal('522201199011202466'),
        idNumberHash: new Uint8Array(32),
        birthDate: new Date('1990-11-20'),
        sex: 'female',
        consentVersion: '1',
        consentAt: new Date(),
      },
    });
  }

  it('refuses a key that does not open the existing data, and accepts the one that does', async () => {
    const db = await freshDb();
    await residentEncryptedBefore(db, KEY_A);
    await expect(start(db, KEY_B)).rejects.toThrow(/cannot be read with the key given/);
    expect(await db.piiKeyCheck.count()).toBe(0);
    expect(await start(db, KEY_A)).toEqual({ added: ['1'] });
  });
});

describe('rating comments moved out of their clear-text column by the migration', () => {
  it('are encrypted at start, bound to their case', async () => {
    const db = await freshDb();
    const cipher = createPiiCipher(KEY_A);
    await db.$executeRawUnsafe(`insert into district (code, name_zh, name_en) values ('d', 'd', 'd')`);
    await db.$executeRawUnsafe(
      `insert into department (code, district_code, kind, name_zh, name_en, window_no, case_prefix)
       values ('dep', 'd', 'education', 'x', 'x', '1', 'EDU')`,
    );
    const caseId = randomUUID();
    await db.$executeRawUnsafe(
      `insert into "case" (id, number, service_code, department_code, answers_cipher, due_at, submission_key,
                           updated_at, rating, rating_comment_cipher)
       values ($1::uuid, 'EDU-2026-000001', 's', 'dep', '\\x00', now(), 'k1', now(), 4,
               '\\x00'::bytea || convert_to('修得很快，谢谢', 'UTF8'))`,
      caseId,
    );
    const store = createPiiKeyCheckRepository(db);
    expect(await sealRatingComments(store, cipher)).toBe(1);
    const row = await db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(Buffer.from(row.commentCipher as Uint8Array).toString('utf8')).not.toContain('修得很快');
    expect(cipher.decrypt(row.commentCipher as Uint8Array, piiAt.caseRatingComment(caseId))).toBe(
      '修得很快，谢谢',
    );
    expect(await sealRatingComments(store, cipher)).toBe(0);
  });
});
