// What the append-only audit log keeps of a refusal: never the text someone typed after `/open` or put in a
// forged button (it may be a name, a phone and an ID number), only a case number that parses or the
// length; and no more than MAX_REFUSAL_AUDIT_ROWS_PER_HOUR refusal rows per sender per hour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REFUSAL_AUDIT_ROWS_PER_HOUR } from '../../src/domain/abuse-limits.ts';
import { createHarness, type Harness } from '../support/bot-harness.ts';
import { adultWoman } from '../support/fixtures.ts';
import { makeStaff } from '../support/staff-scene.ts';

let h: Harness;
const ADMIN = 75_999;
const NAME = adultWoman.name;
const PHONE = adultWoman.phone;
const ID = adultWoman.idNumber;
const TYPED = `${NAME} ${PHONE} ${ID}`;

beforeAll(async () => {
  h = await createHarness({ adminIds: [ADMIN] });
  await makeStaff(h, 75_001, 'wanshan-neighbourhood', { displayName: '窗口' });
});
afterAll(() => h.close());

/** Every audit row as text (all columns), for a search like an auditor's. */
async function auditText(): Promise<string> {
  const rows = await h.db.$queryRaw<{ row: string }[]>`select a::text as row from audit_log a`;
  return rows.map((r) => r.row).join('\n');
}

describe('refusals in the audit log', () => {
  it('a name, phone and ID number typed after /open or sent in a forged button are not stored', async () => {
    const staff = h.user(75_001);
    const resident = h.user(65_001);
    const admin = h.user(ADMIN);
    const before = await h.db.auditLog.count({ where: { action: 'access.denied' } });
    await staff.text(`/open ${TYPED}`);
    await resident.text(`/open ${TYPED}`);
    // Forged buttons of each family the bot answers (Telegram allows 64 bytes of callback data).
    await resident.press(`st:open:${PHONE}${ID}`);
    await resident.press(`st:${NAME}${PHONE}${ID}`.slice(0, 40));
    await staff.press(`st:act:reply:${ID}${PHONE}`);
    await resident.press(`ad:${PHONE}:${ID}`);
    await admin.press(`ad:zz:${NAME}${ID}`);
    const rows = await h.db.auditLog.findMany({ where: { action: 'access.denied' }, orderBy: { id: 'asc' } });
    expect(rows.length).toBeGreaterThanOrEqual(before + 6);
    const all = await auditText();
    for (const secret of [NAME, PHONE, ID, ID.slice(0, 14), PHONE.slice(3)]) {
      expect(all, secret).not.toContain(secret);
    }
    // What is kept instead: the length of what was typed, the button's family.
    const details = rows.slice(before).map((r) => r.detail as { typedLength?: number });
    expect(details.some((d) => d.typedLength === TYPED.length)).toBe(true);
    expect(rows.slice(before).some((r) => r.subject === 'button:ad')).toBe(true);
  });

  it('a case number that parses is kept, as the number', async () => {
    const resident = h.user(65_002);
    await resident.text('/open  mz 2026 000042');
    const row = await h.db.auditLog.findFirstOrThrow({
      where: { actorTelegramId: 65_002n, action: 'access.denied' },
    });
    expect(row.subject).toBe('case:MZ-2026-000042');
  });

  it(`at most ${MAX_REFUSAL_AUDIT_ROWS_PER_HOUR} refusal rows per sender per hour; further refusals are still refused`, async () => {
    const flooder = h.user(65_003);
    const count = () => h.db.auditLog.count({ where: { actorTelegramId: 65_003n, action: 'access.denied' } });
    for (let i = 0; i < MAX_REFUSAL_AUDIT_ROWS_PER_HOUR + 5; i++) {
      const calls = await flooder.press(`st:forged:${i}`);
      expect(calls.some((c) => c.method === 'answerCallbackQuery')).toBe(true);
    }
    expect(await count()).toBe(MAX_REFUSAL_AUDIT_ROWS_PER_HOUR);
    // Still refused, by command and for admin commands too, and still not written.
    const open = await flooder.text('/open MZ-2026-000001');
    expect(open.map((c) => String(c.payload.text ?? '')).join('\n')).toContain('没找到这件事');
    const stats = await flooder.text('/stats');
    expect(stats.map((c) => String(c.payload.text ?? '')).join('\n')).toContain('只有管理员能用');
    expect(await count()).toBe(MAX_REFUSAL_AUDIT_ROWS_PER_HOUR);
    // Another sender is not affected.
    await h.user(65_004).press('st:forged:x');
    expect(await h.db.auditLog.count({ where: { actorTelegramId: 65_004n, action: 'access.denied' } })).toBe(
      1,
    );
  });
});
