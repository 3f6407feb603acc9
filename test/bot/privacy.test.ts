// Residents' rights: /mydata (a file of everything held about them and their household), /deleteme (with a
// confirmation: personal data and household file erased, anonymised case figures kept), and the nightly
// retention rule for closed cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { createCaseRepository } from '../../src/db/repositories/cases.ts';
import {
  type ApiCall,
  createHarness,
  type Harness,
  type SimUser,
  sentTexts,
} from '../support/bot-harness.ts';
import { makeIdNumber } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';

let h: Harness;
let nextUserId = 80_000;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

let key = 0;
async function fileSuggestion(u: SimUser, text: string) {
  const r = await h.deps.cases.submit(
    u.id,
    'suggestion',
    {
      topic: { value: 'safety', label: '安全' },
      content: { value: text, label: text },
      anonymous: { value: 'named', label: '写上我的名字' },
    },
    `test:${u.id}:${key++}:privacy`,
  );
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const documentOf = (calls: ApiCall[]) => {
  const call = calls.find((c) => c.method === 'sendDocument');
  return call?.payload as { document: { filename: string; content: string }; caption: string } | undefined;
};

describe('/mydata', () => {
  it('sends a file with everything held about the resident and their household, and audits it', async () => {
    const u = h.user(nextUserId++);
    const idNumber = await registerResident(u, { name: '杨光明' });
    const childId = makeIdNumber({ birthDate: '2012-06-01', seq: 777 });
    await addMember(h, u.id, {
      name: '杨小树',
      relation: 'child',
      birthDate: '2012-06-01',
      idNumber: childId,
    });
    const filed = await fileSuggestion(u, '楼道灯坏了三天');
    await createCaseRepository(h.db).transition({
      caseId: filed.caseId,
      from: ['submitted'],
      to: 'accepted',
      event: {
        actorKind: 'staff',
        kind: 'taken',
        noteCipher: h.cipher.encrypt('明天去修', piiAt.caseEventNote(filed.caseId)),
      },
    });
    const calls = await u.text('/mydata');
    const doc = documentOf(calls);
    expect(doc, JSON.stringify(calls.map((c) => c.method))).toBeDefined();
    expect(doc?.document.filename).toMatch(/^我的资料-\d{4}-\d{2}-\d{2}\.txt$/);
    expect(doc?.caption).toContain('不要转给别人');
    const text = doc?.document.content ?? '';
    for (const expected of [
      String(u.id),
      '杨光明',
      '13800001234',
      idNumber,
      '旺家社区',
      '杨小树',
      childId,
      filed.number,
      '楼道灯坏了三天',
      '明天去修',
      '已受理',
    ]) {
      expect(text).toContain(expected);
    }
    // The chat itself never shows the numbers in full.
    for (const c of calls.filter((x) => x.method === 'sendMessage')) {
      expect(JSON.stringify(c.payload)).not.toContain(idNumber);
    }
    const audit = await h.db.auditLog.findMany({
      where: { action: 'personal_data_exported', actorTelegramId: BigInt(u.id) },
    });
    expect(audit).toHaveLength(1);
  });

  it('in English for a resident who chose English; someone unregistered gets their account only', async () => {
    const u = h.user(nextUserId++, { languageCode: 'en' });
    await u.text('/language');
    await u.tap('English');
    const doc = documentOf(await u.text('/mydata'));
    expect(doc?.document.filename).toMatch(/^my-data-/);
    expect(doc?.document.content).toContain('Not registered.');
    expect(doc?.document.content).toContain(`Telegram id: ${u.id}`);
    expect(doc?.document.content).toContain('No requests yet.');
  });
});

describe('/deleteme', () => {
  it('asks first; "no" keeps everything', async () => {
    const u = h.user(nextUserId++);
    await registerResident(u);
    const asked = sentTexts(await u.text('/deleteme'));
    expect(asked[0]).toContain('确定要删除');
    expect(asked[0]).toContain('不能恢复');
    expect(sentTexts(await u.tap('不删了'))[0]).toContain('什么都没有删除');
    expect(await h.db.resident.count({ where: { telegramId: BigInt(u.id) } })).toBe(1);
  });

  it('erases the personal data and household file, and keeps anonymised case figures', async () => {
    const u = h.user(nextUserId++);
    await registerResident(u);
    await addMember(h, u.id, { name: '杨小林', relation: 'child', birthDate: '2015-06-01' });
    const open = await fileSuggestion(u, '电梯坏了');
    const done = await fileSuggestion(u, '垃圾没人收');
    await h.db.case.update({ where: { id: done.caseId }, data: { status: 'closed', closedAt: new Date() } });
    await h.db.caseAttachment.create({
      data: { caseId: done.caseId, kind: 'photo', fileId: 'ph', fileUniqueId: 'ph-u' },
    });
    const before = await h.db.case.findUniqueOrThrow({ where: { id: open.caseId } });
    // A half-filled form is personal data too.
    await u.text('/services');
    await u.tap(/意见箱/);

    await u.text('/deleteme');
    const texts = sentTexts(await u.tap('确定删除'));
    expect(texts[0]).toContain('已经删除');
    expect(texts[0]).toContain('2 件');

    const tid = BigInt(u.id);
    expect(await h.db.resident.count({ where: { telegramId: tid } })).toBe(0);
    expect(await h.db.householdMember.count({ where: { name: '杨小林' } })).toBe(0);
    expect(await h.db.telegramUser.count({ where: { telegramId: tid } })).toBe(0);
    expect(await h.db.conversationState.count({ where: { key: String(u.id) } })).toBe(0);
    expect(await h.db.notification.count({ where: { telegramId: tid } })).toBe(0);
    const cases = await h.db.case.findMany({ where: { id: { in: [open.caseId, done.caseId] } } });
    expect(cases).toHaveLength(2);
    for (const c of cases) {
      expect(c.residentId).toBeNull();
      expect(c.telegramId).toBeNull();
      expect(c.answersCipher.length).toBe(0);
      expect(c.anonymisedAt).not.toBeNull();
      expect(c.serviceCode).toBe('suggestion');
    }
    const wasOpen = cases.find((c) => c.id === open.caseId);
    expect(wasOpen?.status).toBe('withdrawn');
    expect(wasOpen?.departmentCode).toBe(before.departmentCode);
    expect(wasOpen?.submittedAt).toEqual(before.submittedAt);
    expect(await h.db.caseAttachment.count({ where: { caseId: done.caseId } })).toBe(0);
    const audit = await h.db.auditLog.findFirst({
      where: { action: 'personal_data_erased' },
      orderBy: { id: 'desc' },
    });
    expect(audit?.detail).toEqual({ cases: 2, withdrawn: 1 });
    expect(audit?.actorTelegramId).toBeNull();

    // Afterwards the bot treats them as a newcomer.
    expect(sentTexts(await u.text('/household'))[0]).toContain('还没有登记');
  });

  it('someone the bot holds nothing about is told so', async () => {
    const u = h.user(nextUserId++);
    await u.text('/deleteme');
    await u.tap('确定删除');
    // Writing to the bot created their account row; that is all there was, and it is gone now.
    expect(await h.db.telegramUser.count({ where: { telegramId: BigInt(u.id) } })).toBe(0);
    await h.db.telegramUser.deleteMany({ where: { telegramId: BigInt(u.id) } });
    const again = await h.deps.privacy.eraseMine(u.id);
    expect(again).toEqual({ erased: false, cases: 0 });
  });
});

describe('retention of closed cases', () => {
  it('strips personal data from cases closed longer ago than the period, in batches, once', async () => {
    const u = h.user(nextUserId++);
    await registerResident(u);
    const day = 86_400_000;
    const old1 = await fileSuggestion(u, '旧事一');
    const old2 = await fileSuggestion(u, '旧事二');
    const recent = await fileSuggestion(u, '新事');
    const longAgo = new Date(Date.now() - 400 * day);
    await h.db.case.updateMany({
      where: { id: { in: [old1.caseId, old2.caseId] } },
      data: { status: 'closed', closedAt: longAgo },
    });
    await h.db.case.update({
      where: { id: recent.caseId },
      data: { status: 'withdrawn', closedAt: new Date(Date.now() - 10 * day) },
    });
    // Filed once the others are closed (at most MAX_OPEN_CASES_PER_SERVICE open at once).
    const stillOpen = await fileSuggestion(u, '没办完');
    await h.db.case.update({ where: { id: stillOpen.caseId }, data: { submittedAt: longAgo } });

    expect(await h.deps.privacy.applyRetention(365, 1)).toBe(2);
    const rows = await h.db.case.findMany({
      where: { id: { in: [old1.caseId, old2.caseId, recent.caseId, stillOpen.caseId] } },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of [old1.caseId, old2.caseId]) {
      expect(byId.get(id)?.residentId).toBeNull();
      expect(byId.get(id)?.answersCipher.length).toBe(0);
      expect(byId.get(id)?.status).toBe('closed');
    }
    for (const id of [recent.caseId, stillOpen.caseId]) {
      expect(byId.get(id)?.residentId).not.toBeNull();
      expect(byId.get(id)?.answersCipher.length).toBeGreaterThan(0);
    }
    expect(await h.deps.privacy.applyRetention(365)).toBe(0);
    // The resident still sees their anonymised case in the count, without its content.
    const mine = await h.deps.privacy.exportMine(u.id);
    expect(mine?.cases.map((c) => c.number)).not.toContain(old1.number);
  });
});
