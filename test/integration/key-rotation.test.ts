// Key rotation (src/db/key-rotation.ts, npm run rotate-keys) against a real PostgreSQL, with data made the
// way the bot makes it: interrupted halfway, then resumed. Afterwards every ciphertext is under the new key
// and opens with the new key alone, the keyed hashes are the new key's, nothing is lost (a resident's copy of
// their data is the same before and after), and a look-up by ID number finds the person during the rotation
// (under either key's hash) and after it.
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiiCipher, type PiiCipher, piiAt } from '../../src/app/pii-cipher.ts';
import { compose } from '../../src/compose.ts';
import { CIPHER_COLUMNS, rotateKeys, rowsLeftToRotate } from '../../src/db/key-rotation.ts';
import { createCaseRepository } from '../../src/db/repositories/cases.ts';
import { createLogger } from '../../src/logger.ts';
import { createHarness, type Harness, REFERENCE_FILE, TEST_KEY } from '../support/bot-harness.ts';
import { makeIdNumber } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';

const NEW_KEY = Buffer.alloc(32, 0x5e);
const ring = createPiiCipher([
  { id: '2', key: NEW_KEY },
  { id: '1', key: TEST_KEY },
]);
const newOnly = createPiiCipher([{ id: '2', key: NEW_KEY }]);
const RESIDENTS = [9101, 9102, 9103];

let h: Harness;
const ids = new Map<number, string>();
let memberIdNumber = '';

/** The app's services over the same database with another keyring (the bot restarted with PII_KEYS). */
const servicesWith = (cipher: PiiCipher) =>
  compose({
    db: h.db,
    cipher,
    logger: createLogger('silent'),
    defaultLocale: 'zh-CN',
    adminTelegramIds: [],
    referenceDataFile: REFERENCE_FILE,
  }).deps;

/** A version-1 ciphertext (no key id, no context), as written before key ids existed. */
function legacy(plain: string): Uint8Array<ArrayBuffer> {
  const key = Buffer.from(
    hkdfSync('sha256', TEST_KEY, Buffer.from('bianmin/pii'), 'bianmin/pii/aes-256-gcm/v1', 32),
  );
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  c.setAAD(Buffer.from([1]));
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return new Uint8Array(Buffer.concat([Buffer.from([1]), iv, c.getAuthTag(), data]));
}

async function registrationAttempt(cipher: PiiCipher, telegramId: number, idNumber: string) {
  const building = await h.db.building.findFirstOrThrow({
    where: { communityCode: 'bijiang-aitun', code: '2' },
  });
  await h.db.telegramUser.upsert({
    where: { telegramId: BigInt(telegramId) },
    create: { telegramId: BigInt(telegramId), chatId: BigInt(telegramId) },
    update: {},
  });
  return servicesWith(cipher).households.register(telegramId, {
    communityCode: 'bijiang-aitun',
    buildingId: building.id,
    unit: '1',
    room: '909',
    name: '冒名者',
    phone: '13812345678',
    idNumber,
    consent: true,
  });
}

/** Everything each resident can ask for (/mydata), without the time it was made. */
async function copies(cipher: PiiCipher) {
  const privacy = servicesWith(cipher).privacy;
  const out: unknown[] = [];
  for (const id of RESIDENTS) {
    const mine = await privacy.exportMine(id);
    // Each copy is audited and lists the copies made before it: what a rotation must keep is the data.
    out.push({ ...mine, generatedAt: undefined, audit: undefined });
  }
  return out;
}

beforeAll(async () => {
  h = await createHarness();
  for (const [i, telegramId] of RESIDENTS.entries()) {
    const u = h.user(telegramId);
    ids.set(
      telegramId,
      await registerResident(u, {
        idNumber: makeIdNumber({ birthDate: `1970-01-0${i + 1}`, seq: 300 + i }),
      }),
    );
    const filed = await h.deps.cases.submit(
      telegramId,
      'suggestion',
      {
        topic: { value: 'safety', label: '安全' },
        content: { value: `楼道灯坏了 ${i}`, label: `楼道灯坏了 ${i}` },
        anonymous: { value: 'named', label: '写上我的名字' },
      },
      `rotation:${telegramId}`,
    );
    if (!filed.ok) throw new Error(filed.error);
    // Staff resolve it with a note (encrypted), the resident rates it with a comment (encrypted).
    const caseId = filed.value.caseId;
    const resolved = await createCaseRepository(h.db).transition({
      caseId,
      from: ['submitted'],
      to: 'resolved',
      patch: { resolvedAt: new Date() },
      event: {
        actorKind: 'staff',
        kind: 'resolved',
        noteCipher: h.cipher.encrypt(`已经修好 ${i}`, piiAt.caseEventNote(caseId)),
      },
    });
    expect(resolved).toBe('ok');
    expect((await h.deps.cases.rate(telegramId, caseId, 4, `修得很快 ${i}`)).ok).toBe(true);
  }
  memberIdNumber = makeIdNumber({ birthDate: '1995-05-05', seq: 401 });
  const memberId = await addMember(h, 9101, {
    name: '王芳芳',
    relation: 'spouse',
    birthDate: '1995-05-05',
    idNumber: memberIdNumber,
  });
  // One ciphertext still in the old format (written before key ids): rotated too.
  await h.db.householdMember.update({
    where: { id: memberId },
    data: { idNumberCipher: legacy(memberIdNumber) },
  });
  // A form put aside (its draft) and a form in progress: both encrypted in conversation_state.
  const u = h.user(9104);
  await u.text('/start');
  await u.tap('📝 登记我家');
  await u.tap('旺家社区');
  await u.text('/mycases');
  await u.text('/register');
  expect(await h.db.conversationState.count({ where: { key: { in: ['9104', 'draft:9104'] } } })).toBe(2);
}, 120_000);
afterAll(() => h.close());

describe('rotating to a new key, interrupted halfway and resumed', () => {
  let before: unknown[];

  it('starts from data every key of the ring reads', async () => {
    before = await copies(ring);
    expect(JSON.stringify(before)).toContain(ids.get(9101));
    expect(JSON.stringify(before)).toContain(memberIdNumber);
    expect(JSON.stringify(before)).toContain('已经修好 0');
    expect(JSON.stringify(before)).toContain('修得很快 2');
    expect(await copies(createPiiCipher(TEST_KEY))).toEqual(before);
  });

  it('an interrupted run leaves some rows on each key; the data stays readable and found by ID number', async () => {
    const residents = RESIDENTS.length;
    const first = await rotateKeys(h.db, ring, { batchSize: 1, maxRows: residents + 1 });
    expect(first.complete).toBe(false);
    expect(first.rotated['resident.phone_cipher']).toBe(residents);
    expect(first.rotated['resident.id_number_cipher']).toBe(1);
    const left = await rowsLeftToRotate(h.db, ring);
    expect(left['resident.id_number_cipher']).toBe(residents - 1);
    expect(left['case.answers_cipher']).toBe(residents);

    // Half the ID numbers are hashed under the new key, half under the old one.
    const hashes = await h.db.resident.findMany({ select: { telegramId: true, idNumberHash: true } });
    const underNew = hashes.filter((r) =>
      Buffer.from(r.idNumberHash).equals(newOnly.hash(ids.get(Number(r.telegramId)) as string)),
    );
    expect(underNew).toHaveLength(1);
    // A look-up by ID number (registering someone's number again) finds every one of them.
    for (const [n, telegramId] of RESIDENTS.entries()) {
      const attempt = await registrationAttempt(ring, 9200 + n, ids.get(telegramId) as string);
      expect(attempt).toEqual({ ok: false, error: 'needs_check' });
    }
    // The bot (restarted with the ring) reads everything meanwhile.
    expect(await copies(ring)).toEqual(before);
  });

  it('the resumed run finishes: every ciphertext under the new key, hashes recomputed, nothing lost', async () => {
    const second = await rotateKeys(h.db, ring, { batchSize: 2 });
    expect(second.complete).toBe(true);
    expect(second.problems).toEqual([]);
    expect(second.rotated['resident.phone_cipher']).toBe(0); // already done by the first run: skipped
    expect(second.rotated['household_member.id_number_cipher']).toBe(1);
    expect(second.rotated['conversation_state.data']).toBeGreaterThan(0);
    expect(await rowsLeftToRotate(h.db, ring)).toEqual({});

    // Every ciphertext column holds only the new key's format.
    for (const col of CIPHER_COLUMNS) {
      const [row] = await h.db.$queryRawUnsafe<{ n: number }[]>(
        `select count(*)::int as n from "${col.table}" where "${col.column}" is not null and length("${col.column}") > 1
           and substring("${col.column}" from 1 for 3) <> decode('020132', 'hex')`,
      );
      expect(row?.n, `${col.table}.${col.column}`).toBe(0);
    }
    // The old key may go: the new key alone reads everything, and the copies are as before.
    expect(await copies(newOnly)).toEqual(before);
    const state = await h.db.conversationState.findUniqueOrThrow({ where: { key: '9104' } });
    expect(() => newOnly.decryptJson(state.data, piiAt.conversationState(state.key))).not.toThrow();
    const draft = await h.db.conversationState.findUniqueOrThrow({ where: { key: 'draft:9104' } });
    expect(newOnly.decryptJson(draft.data, piiAt.formDraft('9104'))).toMatchObject({ form: 'registration' });
    // The keyed hashes are the new key's, and look-ups by ID number work with it alone.
    for (const telegramId of RESIDENTS) {
      const r = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(telegramId) } });
      expect(Buffer.from(r.idNumberHash).equals(newOnly.hash(ids.get(telegramId) as string))).toBe(true);
      // The phone's hash too (the console's search by phone).
      const phone = newOnly.decrypt(r.phoneCipher, piiAt.residentPhone(r.id));
      expect(Buffer.from(r.phoneHash as Uint8Array).equals(newOnly.hash(phone))).toBe(true);
    }
    const member = await h.db.householdMember.findFirstOrThrow({ where: { name: '王芳芳' } });
    expect(Buffer.from(member.idNumberHash as Uint8Array).equals(newOnly.hash(memberIdNumber))).toBe(true);
    expect(await registrationAttempt(newOnly, 9300, ids.get(9102) as string)).toEqual({
      ok: false,
      error: 'needs_check',
    });
    // A third run finds nothing to do.
    const third = await rotateKeys(h.db, ring);
    expect(Object.values(third.rotated).reduce((a, b) => a + b, 0)).toBe(0);
  });
});

describe('what only a keyed hash holds, across a rotation', () => {
  const ADMIN = 9500;
  const withAdmins = (cipher: PiiCipher) =>
    compose({
      db: h.db,
      cipher,
      logger: createLogger('silent'),
      defaultLocale: 'zh-CN',
      adminTelegramIds: [ADMIN],
      referenceDataFile: REFERENCE_FILE,
    }).deps;

  it('an invite code made under the old key is still taken by the bot restarted with the new ring', async () => {
    const oldOnly = createPiiCipher([{ id: '1', key: TEST_KEY }]);
    const made = await withAdmins(oldOnly).admin.createInvite(ADMIN, {
      role: 'staff',
      departmentCode: 'wanshan-education',
    });
    if (!made.ok) throw new Error(made.error);
    // Only the code's hash is stored, so the rotation cannot move it: the new key alone does not know it …
    const refused = await withAdmins(newOnly).admin.join(9501, made.value.code, '李明');
    expect(refused).toEqual({ ok: false, error: 'invalid' });
    // … but the ring (new key first, the old one still in it) does, and the code is used once.
    const joined = await withAdmins(ring).admin.join(9501, made.value.code, '李明');
    expect(joined.ok).toBe(true);
    const again = await withAdmins(ring).admin.join(9502, made.value.code, '王强');
    expect(again).toEqual({ ok: false, error: 'invalid' });
  });
});
