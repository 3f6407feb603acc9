import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { birthDateForAge, makeIdNumber } from '../support/fixtures.ts';
import { registerResident } from '../support/flows.ts';

let h: Harness;
let nextUserId = 3000;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

async function registeredUser(): Promise<SimUser> {
  const u = h.user(nextUserId++);
  await registerResident(u, {
    building: '1栋',
    unit: '1 单元',
    room: '101',
    name: '周建国',
    phone: '13800000100',
    idNumber: makeIdNumber({ birthDate: '1980-01-15', seq: u.id % 900 }),
  });
  return u;
}

async function members(u: SimUser) {
  const r = await h.db.resident.findUniqueOrThrow({
    where: { telegramId: BigInt(u.id) },
    select: { household: { select: { members: true } } },
  });
  return r.household.members;
}

describe('/household', () => {
  it('tells an unregistered resident and offers to register', async () => {
    const u = h.user(nextUserId++);
    const texts = sentTexts(await u.text('/household'));
    expect(texts[0]).toContain('还没有登记');
    expect(u.findButton('📝 登记我家')).toBeDefined();
  });

  it('adds a young child without an ID number (skip), asking the sex instead', async () => {
    const u = await registeredUser();
    await u.text('/household');
    await u.tap('➕ 添加家人');
    await u.text('周小燕');
    await u.tap('子女');
    await u.text(birthDateForAge(5).replaceAll('-', '/'));
    expect(u.lastText()).toContain('跳过');
    await u.tap('跳过');
    expect(u.lastText()).toContain('男还是女');
    await u.tap('女');
    expect(u.lastText()).toContain('请核对');
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toContain('周小燕 已经加到');
    const [m] = await members(u);
    expect(m).toMatchObject({ name: '周小燕', relation: 'child', sex: 'female', idNumberCipher: null });
    await u.text('/household');
    expect(u.lastText()).toMatch(/周小燕（子女，女，\d{4}年\d{1,2}月\d{1,2}日出生）身份证：未填/);
  });

  it('an adult member needs a valid ID number that matches the birth date; the sex comes from the ID', async () => {
    const u = await registeredUser();
    await u.text('/household');
    await u.tap('➕ 添加家人');
    await u.text('周母');
    await u.tap('父母');
    await u.text('1955年3月8日');
    expect(u.findButton('跳过')).toBeUndefined(); // no "skip" for an adult
    expect(sentTexts(await u.text('/skip'))[0]).toContain('正在填写');
    const other = makeIdNumber({ birthDate: '1956-03-08', sex: 'female', seq: 12 });
    expect(sentTexts(await u.text(other))[0]).toContain('1956-03-08');
    const id = makeIdNumber({ birthDate: '1955-03-08', sex: 'female', seq: 12 });
    const calls = await u.text(id);
    expect(calls.some((c) => c.method === 'deleteMessage')).toBe(true);
    // No sex question (the ID says it); the work status is asked of an adult, and may be skipped.
    expect(u.lastText()).toContain('他/她现在做什么工作？');
    await u.tap('跳过');
    expect(u.lastText()).toContain('请核对');
    await u.tap('✅ 对的，提交');
    const [m] = await members(u);
    expect(m?.sex).toBe('female');
    expect(m?.idNumberCipher && h.cipher.decrypt(m.idNumberCipher, piiAt.memberIdNumber(m.id))).toBe(id);
    await u.text('/household');
    expect(u.lastText()).toContain('522*************');
    expect(u.lastText()).not.toContain(id);
  });

  it('refuses the resident\u2019s own ID number and a duplicate member', async () => {
    const u = await registeredUser();
    const own = makeIdNumber({ birthDate: '1980-01-15', seq: u.id % 900 });
    await u.text('/household');
    await u.tap('➕ 添加家人');
    await u.text('周建国');
    await u.tap('其他');
    await u.text('1980-01-15');
    await u.text(own);
    await u.tap('跳过'); // work status
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toContain('您自己的身份证号');
    expect(await members(u)).toHaveLength(0);
  });

  it('edits a member, keeping the stored ID number', async () => {
    const u = await registeredUser();
    const id = makeIdNumber({ birthDate: '1982-05-05', sex: 'female', seq: 44 });
    await u.text('/household');
    await u.tap('➕ 添加家人');
    await u.text('王芳');
    await u.tap('配偶');
    await u.text('1982-05-05');
    await u.text(id);
    await u.tap('跳过'); // work status
    await u.tap('✅ 对的，提交');
    await u.text('/household');
    await u.tap('✏️ 改 王芳');
    expect(u.lastText()).toContain('名字');
    await u.text('王芳芳');
    await u.tap('不改，用原来的'); // relation
    await u.tap('不改，用原来的'); // birth date
    await u.tap('不改，用原来的'); // ID number
    await u.tap('跳过'); // work status (none yet)
    expect(u.lastText()).toContain('名字：王芳芳');
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toContain('已经改好了');
    const [m] = await members(u);
    expect(m?.name).toBe('王芳芳');
    expect(m?.idNumberCipher && h.cipher.decrypt(m.idNumberCipher, piiAt.memberIdNumber(m.id))).toBe(id);
  });

  it('removes a member after a confirmation, and "no" keeps them', async () => {
    const u = await registeredUser();
    await u.text('/household');
    await u.tap('➕ 添加家人');
    await u.text('周小军');
    await u.tap('子女');
    await u.text(birthDateForAge(3));
    await u.tap('跳过');
    await u.tap('男');
    await u.tap('✅ 对的，提交');
    await u.text('/household');
    await u.tap('🗑 删 周小军');
    expect(u.lastText()).toContain('确定要把 周小军');
    await u.tap('不删');
    expect(await members(u)).toHaveLength(1);
    await u.text('/household');
    await u.tap('🗑 删 周小军');
    await u.tap('确定删除');
    expect(u.lastText()).toContain('删掉了');
    expect(await members(u)).toHaveLength(0);
  });

  it('forged buttons cannot touch another household\u2019s member', async () => {
    const owner = await registeredUser();
    await owner.text('/household');
    await owner.tap('➕ 添加家人');
    await owner.text('周小红');
    await owner.tap('子女');
    await owner.text(birthDateForAge(8));
    await owner.tap('跳过');
    await owner.tap('女');
    await owner.tap('✅ 对的，提交');
    const [victim] = await members(owner);
    const memberId = victim?.id as string;

    const intruder = await registeredUser();
    const del = await intruder.press(`hh:del:${memberId}`);
    expect(del.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('没找到');
    await intruder.press(`hh:delok:${memberId}`);
    expect(intruder.lastText()).toContain('没找到');
    await intruder.press(`hh:edit:${memberId}`);
    expect(intruder.lastText()).toContain('没找到');
    expect(await members(owner)).toHaveLength(1);
    // An unregistered stranger gets the same answer.
    const stranger = h.user(nextUserId++);
    await stranger.press(`hh:delok:${memberId}`);
    expect(stranger.lastText()).toContain('没找到');
  });

  it('wrong input in the member form is re-asked', async () => {
    const u = await registeredUser();
    await u.text('/household');
    await u.tap('➕ 添加家人');
    expect(sentTexts(await u.sticker())[0]).toContain('只要文字');
    expect(sentTexts(await u.text('🙂'))[0]).toContain('不能有数字、表情');
    await u.text('周丽');
    expect(sentTexts(await u.text('女儿'))[0]).toContain('请点上面');
    await u.tap('子女');
    expect(sentTexts(await u.text('去年'))[0]).toContain('没看懂这个日期');
    expect(sentTexts(await u.text('2015-02-30'))[0]).toContain('没有这一天');
    expect(sentTexts(await u.text('2099-01-01'))[0]).toContain('还没到');
    await u.text('2015-02-28');
    expect(u.lastText()).toContain('身份证号');
  });
});
