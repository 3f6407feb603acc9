// Someone who knows a person's ID number registers as them first. When the real person registers, nothing
// tells them that anyone else used the number: their registration waits for an ID-card check at the
// community service window (a registration conflict, kept encrypted). After the check an administrator
// moves the registration to them (/conflicts): the first registration is ended as /deleteme ends one and
// its holder is told so in plain words; or dismisses it. Each step is audited without personal data; the
// first registrant is told nothing until (and unless) their registration is ended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFLICT_DAYS, createHousekeeping, NOTIFICATION_DAYS } from '../../src/app/jobs/housekeeping.ts';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { createNotificationRepository } from '../../src/db/repositories/notifications.ts';
import { createLogger } from '../../src/logger.ts';
import { createHarness, type Harness, type SimUser } from '../support/bot-harness.ts';
import { adultWoman } from '../support/fixtures.ts';
import { registerResident, takeSteps } from '../support/flows.ts';
import { registrationScript } from '../support/registration-script.ts';
import { type CaseWorkers, caseWorkers, fileSuggestion, textsTo } from '../support/staff-scene.ts';

const ADMIN = 77_999;
const ID = adultWoman.idNumber;
const IMPOSTOR = { name: '冒名人', phone: '13911112222', room: '1101', building: '5栋' };
const REAL = { name: adultWoman.name, phone: adultWoman.phone, room: '302' };

let h: Harness;
let workers: CaseWorkers;
let impostor: SimUser;
let real: SimUser;
let admin: SimUser;

beforeAll(async () => {
  h = await createHarness({ adminIds: [ADMIN] });
  workers = caseWorkers(h);
  impostor = h.user(67_001);
  real = h.user(67_002);
  admin = h.user(ADMIN);
});
afterAll(() => h.close());

const chatTexts = (u: SimUser) => textsTo(h.calls, u.id);
/** Every audit row as text (all columns), as an auditor would search it. */
async function auditText(): Promise<string> {
  const rows = await h.db.$queryRaw<{ row: string }[]>`select a::text as row from audit_log a`;
  return rows.map((r) => r.row).join('\n');
}
const hash = () => new Uint8Array(h.cipher.hash(ID));

describe('a second registration of an ID number', () => {
  let conflictId: string;

  it('is taken as a conflict: the second registrant is asked to the window, told nothing of the first', async () => {
    await registerResident(impostor, { ...IMPOSTOR, idNumber: ID });
    await fileSuggestion(h, impostor, { text: '冒名人的意见' });
    const toImpostorBefore = chatTexts(impostor).length;
    const sentBefore = h.calls.length;

    await takeSteps(real, registrationScript(ID, REAL));
    const toReal = textsTo(h.calls.slice(sentBefore), real.id);
    expect(toReal.at(-1)).toContain('核对一下身份证');
    expect(toReal.at(-1)).toContain('社区服务中心窗口');
    // Nothing sent to the second registrant names or hints at the first.
    const everything = JSON.stringify(
      h.calls.slice(sentBefore).filter((c) => Number(c.payload.chat_id) === real.id),
    );
    // (The building is not a hint: every building is offered as a button.)
    for (const hint of [IMPOSTOR.name, IMPOSTOR.phone, '139****2222', IMPOSTOR.room]) {
      expect(everything, hint).not.toContain(hint);
    }
    // The answer to the registration (the same questions as anyone's before it) says nothing of a first one.
    const answer = toReal.at(-1) ?? '';
    for (const hint of ['已经登记', '已登记', '别人', '其他人', '冒', '用过']) {
      expect(answer, hint).not.toContain(hint);
    }
    // The first registrant hears nothing; their registration stands.
    expect(chatTexts(impostor)).toHaveLength(toImpostorBefore);
    expect((await h.db.resident.findUnique({ where: { idNumberHash: hash() } }))?.telegramId).toBe(
      BigInt(impostor.id),
    );
    expect(await h.db.resident.count({ where: { telegramId: BigInt(real.id) } })).toBe(0);

    // The conflict: the ID number only as its keyed hash, the registration encrypted.
    const conflict = await h.db.registrationConflict.findUniqueOrThrow({
      where: { telegramId: BigInt(real.id) },
    });
    conflictId = conflict.id;
    expect(Buffer.from(conflict.idNumberHash)).toEqual(Buffer.from(hash()));
    const stored = Buffer.from(conflict.registrationCipher).toString('latin1');
    for (const clear of [ID, REAL.phone, Buffer.from(REAL.name, 'utf8').toString('latin1')]) {
      expect(stored).not.toContain(clear);
    }
    const row = await h.db.$queryRaw<{ row: string }[]>`select c::text as row from registration_conflict c`;
    expect(row.map((r) => r.row).join('')).not.toContain(ID);
    expect(
      h.cipher.decryptJson<{ name: string; idNumber: string }>(
        conflict.registrationCipher,
        piiAt.conflictRegistration(conflict.telegramId),
      ),
    ).toMatchObject({
      name: REAL.name,
      idNumber: ID,
    });

    // Audited, without personal data.
    const audit = await h.db.auditLog.findFirstOrThrow({ where: { action: 'registration.conflict' } });
    expect(audit.actorTelegramId).toBe(BigInt(real.id));
    expect(audit.subject).toBe(`conflict:${conflictId}`);

    // Registering again replaces the conflict (one per account).
    await takeSteps(real, registrationScript(ID, REAL));
    expect(await h.db.registrationConflict.count({ where: { telegramId: BigInt(real.id) } })).toBe(1);
    conflictId = (
      await h.db.registrationConflict.findUniqueOrThrow({ where: { telegramId: BigInt(real.id) } })
    ).id;
  });

  it('is not for anyone but an administrator', async () => {
    for (const u of [real, impostor]) {
      const before = await h.db.auditLog.count({
        where: { actorTelegramId: BigInt(u.id), action: 'access.denied' },
      });
      await u.text('/conflicts');
      expect(u.lastText()).toContain('只有管理员能用');
      await u.press(`rc:mvok:${conflictId}`);
      await u.press(`rc:nook:${conflictId}`);
      expect(
        await h.db.auditLog.count({ where: { actorTelegramId: BigInt(u.id), action: 'access.denied' } }),
      ).toBe(before + 3);
    }
    expect(await h.db.registrationConflict.count({ where: { id: conflictId } })).toBe(1);
  });

  it('after the ID-card check the administrator moves it; the first registrant is told plainly', async () => {
    await admin.text('/conflicts');
    const listed = admin.lastText();
    expect(listed).toContain(REAL.name);
    expect(listed).toMatch(/522\*+\d\d/);
    expect(listed).not.toContain(ID);
    expect(listed).not.toContain(IMPOSTOR.name);
    await admin.tap(/已核对身份证/);
    expect(admin.lastText()).toContain(`核对过 ${REAL.name} 本人的身份证`);
    await admin.tap('确定，改登记');
    expect(admin.lastText()).toContain('原来的登记已经结束');

    // The registration is the real person's now; the impostor's is gone, with their household and cases.
    const resident = await h.db.resident.findUniqueOrThrow({ where: { idNumberHash: hash() } });
    expect(resident.telegramId).toBe(BigInt(real.id));
    expect(resident.name).toBe(REAL.name);
    expect(h.cipher.decrypt(resident.phoneCipher, piiAt.residentPhone(resident.id))).toBe(REAL.phone);
    expect(await h.db.resident.count({ where: { telegramId: BigInt(impostor.id) } })).toBe(0);
    expect(await h.db.case.count({ where: { telegramId: BigInt(impostor.id), anonymisedAt: null } })).toBe(0);
    expect(await h.db.registrationConflict.count()).toBe(0);

    // Both are told, through the outbox.
    await workers.drain();
    expect(chatTexts(impostor).at(-1)).toContain('社区工作人员核对身份证以后已经结束了');
    expect(chatTexts(real).at(-1)).toContain('您家已经登记好了');
    expect(chatTexts(real).join('\n')).not.toContain(IMPOSTOR.name);
    await real.text('/household');
    expect(real.lastText()).toContain(REAL.name);

    // The message that told the first registrant is about no case: once sent, the nightly housekeeping
    // deletes it after NOTIFICATION_DAYS, so their Telegram id does not outlive their erasure.
    const toImpostor = { telegramId: BigInt(impostor.id), kind: 'registration.ended' };
    expect(await h.db.notification.count({ where: { ...toImpostor, status: 'sent' } })).toBe(1);
    const night = (days: number) =>
      createHousekeeping({
        applyRetention: async () => 0,
        receipts: { deleteOlderThan: async () => 0 },
        forms: { deleteOlderThan: async () => 0 },
        caselessNotifications: createNotificationRepository(h.db),
        retentionDays: 1095,
        logger: createLogger('silent'),
        now: () => new Date(Date.now() + days * 86_400_000),
      }).runOnce();
    await night(NOTIFICATION_DAYS - 1);
    expect(await h.db.notification.count({ where: toImpostor })).toBe(1);
    await night(NOTIFICATION_DAYS + 1);
    expect(await h.db.notification.count({ where: toImpostor })).toBe(0);

    // Audited: who moved which conflict; the views of the list; no personal data anywhere in the log.
    const moved = await h.db.auditLog.findFirstOrThrow({ where: { action: 'registration.conflict_moved' } });
    expect(moved.actorTelegramId).toBe(BigInt(ADMIN));
    expect(moved.subject).toBe(`conflict:${conflictId}`);
    expect(await h.db.auditLog.count({ where: { action: 'registration.conflicts_viewed' } })).toBeGreaterThan(
      0,
    );
    const all = await auditText();
    for (const secret of [ID, REAL.name, REAL.phone, IMPOSTOR.name, IMPOSTOR.phone]) {
      expect(all, secret).not.toContain(secret);
    }
  });

  it('or dismisses it: the second registrant is told kindly, the holder nothing', async () => {
    const third = h.user(67_003);
    await takeSteps(third, registrationScript(ID, { name: '第三人', phone: '13733334444' }));
    expect(third.lastText()).toContain('核对一下身份证');
    await workers.drain();
    const toRealBefore = chatTexts(real).length;
    await admin.text('/conflicts');
    expect(admin.lastText()).toContain('第三人');
    await admin.tap('✖️ 不办了');
    await admin.tap('确定，不办了');
    expect(admin.lastText()).toContain('不办了');
    await workers.drain();
    expect(chatTexts(third).at(-1)).toContain('您的登记没有办成');
    expect(chatTexts(third).join('\n')).not.toContain(REAL.name);
    expect(chatTexts(real)).toHaveLength(toRealBefore);
    expect((await h.db.resident.findUniqueOrThrow({ where: { idNumberHash: hash() } })).telegramId).toBe(
      BigInt(real.id),
    );
    const dismissed = await h.db.auditLog.findFirstOrThrow({
      where: { action: 'registration.conflict_dismissed' },
    });
    expect(dismissed.actorTelegramId).toBe(BigInt(ADMIN));
    expect(await h.db.registrationConflict.count()).toBe(0);
    // A stale button for it now: already dealt with.
    await admin.text('/conflicts');
    expect(admin.lastText()).toContain('没有等着核对身份证的登记');
  });

  it('a pending conflict is erased with its registrant (/deleteme)', async () => {
    const fourth = h.user(67_004);
    await takeSteps(fourth, registrationScript(ID, { name: '第四人', phone: '13755556666' }));
    expect(await h.db.registrationConflict.count({ where: { telegramId: BigInt(fourth.id) } })).toBe(1);
    // Their copy (/mydata) holds the registration they are waiting with, in full, for them.
    const copy = await h.deps.privacy.exportMine(fourth.id);
    expect(copy?.pendingRegistration).toMatchObject({ name: '第四人', phone: '13755556666', idNumber: ID });
    await fourth.text('/deleteme');
    await fourth.tap(/删除/);
    expect(await h.db.registrationConflict.count({ where: { telegramId: BigInt(fourth.id) } })).toBe(0);
    // Nothing of them is left in any table the catalogue lists (their Telegram id, name, phone).
    const columns = await h.db.$queryRaw<{ table_name: string; column_name: string }[]>`
      select table_name, column_name from information_schema.columns
       where table_schema = 'public' and data_type not in ('bytea', 'boolean')`;
    expect(columns.length).toBeGreaterThan(50);
    const hits: string[] = [];
    for (const { table_name: t, column_name: c } of columns) {
      for (const needle of [String(fourth.id), '第四人', '13755556666']) {
        const [row] = await h.db.$queryRawUnsafe<{ n: number }[]>(
          `select count(*)::int as n from "${t}" where position($1 in "${c}"::text) > 0`,
          needle,
        );
        if ((row?.n ?? 0) > 0) hits.push(`${t}.${c} holds ${needle}`);
      }
    }
    // The erasure's own update (and its chat's lease) keep the chat id until the nightly sweep (README).
    expect(hits.filter((hit) => !/^(update_receipt|chat_lease)\./.test(hit))).toEqual([]);
  });

  it('a conflict nobody resolves is dropped after CONFLICT_DAYS, its registrant told as at a dismissal', async () => {
    const fifth = h.user(67_005);
    await takeSteps(fifth, registrationScript(ID, { name: '第五人', phone: '13766667777' }));
    const conflict = await h.db.registrationConflict.findUniqueOrThrow({
      where: { telegramId: BigInt(fifth.id) },
    });
    const night = (days: number) =>
      createHousekeeping({
        applyRetention: async () => 0,
        receipts: { deleteOlderThan: async () => 0 },
        forms: { deleteOlderThan: async () => 0 },
        expireConflicts: (cutoff) => h.deps.registrationConflicts.expire(cutoff),
        retentionDays: 1095,
        logger: createLogger('silent'),
        now: () => new Date(conflict.createdAt.getTime() + days * 86_400_000),
      }).runOnce();
    expect((await night(CONFLICT_DAYS - 1)).conflicts).toBe(0);
    expect(await h.db.registrationConflict.count({ where: { id: conflict.id } })).toBe(1);
    expect((await night(CONFLICT_DAYS + 1)).conflicts).toBe(1);
    expect(await h.db.registrationConflict.count({ where: { id: conflict.id } })).toBe(0);
    const audit = await h.db.auditLog.findMany({ where: { subject: `conflict:${conflict.id}` } });
    expect(audit.map((a) => a.action)).toContain('registration.conflict_expired');
    const told = await h.db.notification.findMany({
      where: { telegramId: BigInt(fifth.id), kind: 'registration.not_confirmed' },
    });
    expect(told).toHaveLength(1);
  });
});
