// What departments need from the forms (issue 11, point 6), through the real update path in both languages:
// the dibao household kept with the case and shown to staff with relation and age; the child's age on a school
// case; answers rebuilt in the staff member's language (a Chinese clerk never sees "Primary grade 1"); money
// typed the way people say it, with exact errors; a household member's relation checked against their age.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAnswers } from '../../src/app/case-answers.ts';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { ageOn } from '../../src/domain/id-number.ts';
import {
  createHarness,
  type Harness,
  inlineButtons,
  type SimUser,
  sentTexts,
} from '../support/bot-harness.ts';
import { birthDateForAge, makeIdNumber } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';
import { makeStaff } from '../support/staff-scene.ts';

let h: Harness;
let nextUserId = 91_000;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const RESIDENT_BIRTH = '1982-04-04';
const age = (birthDate: string) => ageOn(birthDate, new Date());

async function toEnglish(u: SimUser): Promise<void> {
  await u.text('/language');
  await u.tap('English');
}

async function resident(lang: 'zh' | 'en' = 'zh'): Promise<SimUser> {
  const u = h.user(nextUserId++);
  await registerResident(u, { birthDate: RESIDENT_BIRTH });
  if (lang === 'en') await toEnglish(u);
  return u;
}

async function staffOf(departmentCode: string, lang: 'zh' | 'en'): Promise<SimUser> {
  const id = nextUserId++;
  await makeStaff(h, id, departmentCode);
  const s = h.user(id);
  if (lang === 'en') await toEnglish(s);
  return s;
}

async function onlyCase(u: SimUser) {
  const r = await h.db.resident.findUniqueOrThrow({
    where: { telegramId: BigInt(u.id) },
    select: { id: true },
  });
  const cases = await h.db.case.findMany({ where: { residentId: r.id } });
  expect(cases).toHaveLength(1);
  return cases[0] as (typeof cases)[number];
}

async function cardFor(staff: SimUser, caseId: string): Promise<string> {
  return sentTexts(await staff.press(`st:open:${caseId}`))[0] ?? '';
}

/** A birth date as the bot says it: "2017年10月7日" / "7 Oct 2017". */
const spoken = (iso: string, lang: 'zh' | 'en') => {
  const [y, m, d] = iso.split('-').map(Number);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return lang === 'zh' ? `${y}年${m}月${d}日` : `${d} ${months[(m as number) - 1]} ${y}`;
};

describe('dibao: the confirmed household goes with the case, and staff see it with relation and age', () => {
  it('zh resident; the card in Chinese and in English; the snapshot outlives changes to the household file', async () => {
    const u = await resident();
    await addMember(h, u.id, {
      name: '李秀英',
      relation: 'spouse',
      birthDate: '1984-01-01',
      idNumber: makeIdNumber({ birthDate: '1984-01-01', sex: 'female', seq: 501 }),
    });
    const sonBirth = birthDateForAge(9);
    const sonId = await addMember(h, u.id, {
      name: '杨小军',
      relation: 'child',
      birthDate: sonBirth,
      sex: 'male',
    });
    await u.text('/services');
    await u.tap('💰 申请低保');
    expect(u.lastText()).toContain(`李秀英（配偶，1984年1月1日出生，${age('1984-01-01')}岁）`);
    expect(u.lastText()).toContain(`杨小军（子女，${spoken(sonBirth, 'zh')}出生，9岁）`);
    await u.tap('对，就是这些人');
    await u.text('一千五');
    await u.tap('生病');
    await u.tap('都没有');
    await u.tap('✅ 同意核对');
    await u.tap('没有，跳过');
    expect(u.lastText()).toContain('全家每月收入：1500 元');
    await u.tap('✅ 对的，提交');
    const c = await onlyCase(u);

    // Kept with the case, inside its encrypted answers.
    const stored = h.cipher.decryptJson<StoredAnswers>(c.answersCipher, piiAt.caseAnswers(c.id));
    expect(stored.household).toBe(true);
    expect(stored.people?.map((p) => [p.name, p.relation, p.birthDate])).toEqual([
      ['杨光明', 'self', RESIDENT_BIRTH],
      ['李秀英', 'spouse', '1984-01-01'],
      ['杨小军', 'child', sonBirth],
    ]);
    expect(Buffer.from(c.answersCipher).toString('utf8')).not.toContain('李秀英');

    // The household file changes afterwards: the case keeps what was confirmed.
    expect((await h.deps.households.removeMember(u.id, sonId)).ok).toBe(true);

    const zh = await cardFor(await staffOf(c.departmentCode, 'zh'), c.id);
    expect(zh).toContain('全家每月收入：1500 元');
    expect(zh).toContain('主要原因：生病');
    expect(zh).toContain('申请时确认的家里人（共 3 人）：');
    expect(zh).toContain(`• 杨光明（申请人本人，${age(RESIDENT_BIRTH)}岁）`);
    expect(zh).toContain(`• 李秀英（配偶，${age('1984-01-01')}岁）`);
    expect(zh).toContain('• 杨小军（子女，9岁）');

    const en = await cardFor(await staffOf(c.departmentCode, 'en'), c.id);
    expect(en).toContain('Household income per month: ¥1,500');
    expect(en).toContain('Main reason: Illness');
    expect(en).toContain('Household confirmed when applying (3 in all):');
    expect(en).toContain(`• 杨光明 (the applicant, aged ${age(RESIDENT_BIRTH)})`);
    expect(en).toContain('• 杨小军 (Child, aged 9)');
    expect(en).not.toMatch(/[，。：（）元]/);

    // The resident's copy lists the people the case keeps; erasure takes them with the answers.
    const mydata = (await u.text('/mydata')).find((call) => call.method === 'sendDocument');
    const copy = (mydata?.payload as { document: { content: string } } | undefined)?.document.content ?? '';
    expect(copy).toContain('这件事记下的人（提交时的样子）：');
    expect(copy).toContain(`杨小军，子女，${sonBirth} 出生`);
    expect(copy).toContain(`李秀英，配偶，1984-01-01 出生`);
    await u.text('/deleteme');
    await u.tap(/确定删除/);
    const erased = await h.db.case.findUniqueOrThrow({ where: { id: c.id } });
    expect(erased.answersCipher).toHaveLength(0);
  });

  it('en resident: the list to confirm is in English, and a household changed meanwhile is not filed', async () => {
    const u = await resident('en');
    await addMember(h, u.id, {
      name: 'Li Xiuying',
      relation: 'spouse',
      birthDate: '1984-01-01',
      idNumber: makeIdNumber({ birthDate: '1984-01-01', sex: 'female', seq: 502 }),
    });
    await u.text('/services');
    await u.tap('💰 Minimum living allowance (dibao)');
    expect(u.lastText()).toContain(`Li Xiuying (Spouse, born 1 Jan 1984, aged ${age('1984-01-01')})`);
    expect(u.lastText()).not.toMatch(/[，。：（）]/);
    await u.tap("Yes, that's everyone");
    // Someone else of the household adds a member while the form is being filled in.
    await addMember(h, u.id, { name: 'Yang Xiaojun', relation: 'child', birthDate: birthDateForAge(4) });
    await u.text('800');
    await u.tap('Illness');
    await u.tap('None of these');
    await u.tap('✅ I agree');
    await u.tap('None, skip');
    expect(u.lastText()).toContain('Household income per month: ¥800');
    await u.tap('✅ Correct, submit');
    expect(u.lastText()).toContain('Your household file changed just now');
    expect(u.lastText()).toContain('/services');
    const r = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(u.id) } });
    expect(await h.db.case.count({ where: { residentId: r.id } })).toBe(0);
  });
});

describe('money: Chinese numerals accepted, and exactly what is wrong', () => {
  it('zh: wrong, empty, oversized and unexpected input, then 1.5万', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('💰 申请低保');
    await u.tap('对，家里只有我');
    expect(sentTexts(await u.text('不知道'))[0]).toBe('请只写数字，例如 1500。');
    expect(sentTexts(await u.text('   '))[0]).toContain('不能空着');
    expect(sentTexts(await u.text('1000-2000'))[0]).toContain('请只写一个数');
    expect(sentTexts(await u.text('一千到两千'))[0]).toContain('请只写一个数');
    expect(sentTexts(await u.text('1500.5'))[0]).toContain('不要小数点');
    expect(sentTexts(await u.text('2000000'))[0]).toContain('全家每个月的收入');
    expect(sentTexts(await u.text('1'.repeat(5000)))[0]).toContain('请只写数字');
    expect(sentTexts(await u.sticker())[0]).toMatch(/打字|数字/);
    const forged = await u.press('f:999999:c:0');
    expect(forged.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('过期');
    await u.text('1.5万');
    expect(u.lastText()).toContain('生活困难主要是因为什么');
    await u.tap('年纪大');
    await u.tap('都没有');
    await u.tap('✅ 同意核对');
    await u.tap('没有，跳过');
    expect(u.lastText()).toContain('全家每月收入：15000 元');
    await u.tap('✅ 对的，提交');
    const c = await onlyCase(u);
    const en = await cardFor(await staffOf(c.departmentCode, 'en'), c.id);
    expect(en).toContain('Household income per month: ¥15,000');
    expect(en).toContain('Main reason: Old age');
  });

  it('en: the same mistakes are explained in English; 3000元 is read', async () => {
    const u = await resident('en');
    await u.text('/services');
    await u.tap('💰 Minimum living allowance (dibao)');
    await u.tap('Yes, I live alone');
    expect(sentTexts(await u.text('a lot'))[0]).toBe('Please write just the number, for example 1500.');
    expect(sentTexts(await u.text('1000~2000'))[0]).toContain('Please write one number');
    expect(sentTexts(await u.text('99.9'))[0]).toContain('whole number of yuan');
    expect(sentTexts(await u.text('99999999'))[0]).toContain('too big');
    for (const said of [
      'Please write just the number',
      'Please write one number',
      'whole number of yuan',
      'too big',
    ]) {
      expect(u.texts().find((t) => t.includes(said))).not.toMatch(/[，。：；！？（）、元]/);
    }
    await u.text('3000元');
    await u.tap('No work');
    await u.tap('None of these');
    await u.tap('✅ I agree');
    await u.tap('None, skip');
    expect(u.lastText()).toContain('Household income per month: ¥3,000');
    await u.tap('✅ Correct, submit');
    const c = await onlyCase(u);
    const zh = await cardFor(await staffOf(c.departmentCode, 'zh'), c.id);
    expect(zh).toContain('全家每月收入：3000 元');
    expect(zh).toContain('主要原因：没有工作');
    expect(zh).not.toContain('No work');
  });
});

describe("school: the child's age on the card, and the answers in the staff member's language", () => {
  it('an English-speaking resident files; the Chinese clerk reads Chinese, the English one English', async () => {
    const u = await resident('en');
    await addMember(h, u.id, { name: '杨小花', relation: 'child', birthDate: birthDateForAge(6) });
    await u.text('/services');
    await u.tap('🎒 School place for a child');
    await u.tap('杨小花');
    await u.tap('Primary grade 1');
    await u.tap('Skip'); // previous school
    await u.tap('Wanshan No. 5 Primary School');
    await u.text('She is shy'); // special needs, as typed
    await u.tap('✅ I agree');
    await u.tap('None, skip');
    await u.tap('✅ Correct, submit');
    const c = await onlyCase(u);

    const zh = await cardFor(await staffOf(c.departmentCode, 'zh'), c.id);
    expect(zh).toContain('孩子：杨小花（子女，6岁）');
    expect(zh).toContain('上几年级：小学一年级');
    expect(zh).toContain('想上的学校：万山区第五小学');
    expect(zh).toContain('特别情况：She is shy');
    expect(zh).toContain('监护人同意：✅ 同意');
    for (const english of ['Primary grade 1', 'Wanshan No. 5', 'I agree']) expect(zh).not.toContain(english);

    const en = await cardFor(await staffOf(c.departmentCode, 'en'), c.id);
    expect(en).toContain('Child: 杨小花 (Child, aged 6)');
    expect(en).toContain('Grade: Primary grade 1');
    expect(en).toContain('Preferred school: Wanshan No. 5 Primary School');
  });

  it('a Chinese-speaking resident files; the English clerk reads English, "nearest" included', async () => {
    const u = await resident();
    await addMember(h, u.id, {
      name: '杨小东',
      relation: 'child',
      birthDate: birthDateForAge(13),
      sex: 'male',
    });
    await u.text('/services');
    await u.tap('🎒 孩子上学');
    await u.tap('杨小东');
    await u.tap('初一');
    await u.tap('跳过');
    await u.tap(/就近/);
    await u.tap('跳过');
    await u.tap('✅ 同意');
    await u.tap('没有，跳过');
    await u.tap('✅ 对的，提交');
    const c = await onlyCase(u);
    const en = await cardFor(await staffOf(c.departmentCode, 'en'), c.id);
    expect(en).toContain('Child: 杨小东 (Child, aged 13)');
    expect(en).toContain('Grade: Junior grade 1');
    expect(en).toContain('Preferred school: Nearest (arranged by the education bureau)');
    expect(en).not.toMatch(/初中|就近|同意/);
  });
});

describe("a household member's relation is checked against their age", () => {
  it('zh, /household: a "spouse" born in 2019 is refused with the reason; back, choose child, saved', async () => {
    const u = await resident();
    await u.text('/household');
    await u.tap('➕ 添加家人');
    await u.text('杨小宝');
    // Typing where a button is expected, and a forged button, leave the question as it was.
    expect(sentTexts(await u.text('配偶'))[0]).toContain('请点');
    const forged = await u.press('f:999999:c:0');
    expect(forged.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('过期');
    await u.tap('配偶');
    const refused = sentTexts(await u.text('2019-03-01'))[0] ?? '';
    expect(refused).toContain('配偶要年满 18 岁');
    expect(refused).toContain(`才 ${age('2019-03-01')} 岁`);
    expect(refused).toContain('⬅️ 上一步');
    // Wrong, empty, oversized and unexpected answers to the same question.
    expect(sentTexts(await u.text('   '))[0]).toContain('出生日期不能空着');
    expect(sentTexts(await u.text('去年'))[0]).toContain('没看懂这个日期');
    expect(sentTexts(await u.text('9'.repeat(5000)))[0]).toMatch(/日期/);
    expect(sentTexts(await u.sticker())[0]).toMatch(/打字/);
    await u.tap('⬅️ 上一步');
    await u.tap('子女');
    await u.text('2019-03-01');
    await u.tap('跳过'); // no ID card under 16
    await u.tap('男');
    expect(u.lastText()).toContain('• 关系：子女');
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toContain('杨小宝 已经加到您家里了');
  });

  it('zh: a child older than the resident and a parent younger than them are refused', async () => {
    const u = await resident();
    await u.text('/household');
    await u.tap('➕ 添加家人');
    await u.text('杨老大');
    await u.tap('子女');
    expect(sentTexts(await u.text('1950-01-01'))[0]).toContain('子女要比您小 12 岁以上');
    await u.tap('⬅️ 上一步');
    await u.tap('父母');
    expect(sentTexts(await u.text('1990-01-01'))[0]).toContain('父母要比您大 12 岁以上');
    await u.text('1950-01-01');
    expect(u.lastText()).toContain('身份证号');
  });

  it('zh, editing: a relation changed from the summary that no longer fits cannot be confirmed, only changed', async () => {
    const u = await resident();
    await addMember(h, u.id, { name: '杨小丽', relation: 'child', birthDate: birthDateForAge(9) });
    await u.text('/household');
    await u.tap('✏️ 改 杨小丽');
    await u.tap('不改，用原来的'); // name
    await u.tap('配偶');
    // The birth date is kept as it was: it no longer fits the new relation.
    await u.tap('不改，用原来的');
    await u.tap('跳过'); // ID number
    const shown = (await u.tap('不改，用原来的')).filter((c) => c.method === 'sendMessage').at(-1); // sex
    const summary = u.lastText();
    expect(shown && inlineButtons(shown).map((b) => b.text)).toEqual(['✏️ 修改', '❌ 不填了']);
    expect(summary).toContain('⚠️ 配偶要年满 18 岁');
    expect(summary).toContain('请点“✏️ 修改”');
    await u.tap('✏️ 修改');
    await u.tap('关系');
    await u.tap('子女');
    expect(u.lastText()).not.toContain('⚠️');
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toContain('杨小丽 的信息已经改好了');
    // The use case refuses it too, whatever front end sends it.
    const members = (await h.deps.households.getHousehold(u.id))?.members ?? [];
    const member = members.find((m) => m.name === '杨小丽');
    const again = await h.deps.households.updateMember(u.id, member?.id ?? '', {
      name: '杨小丽',
      relation: 'spouse',
      birthDate: member?.birthDate ?? '',
      sex: 'female',
      idNumber: null,
    });
    expect(again).toEqual({ ok: false, error: 'relation_age' });
  });

  it('en, adding the child inside the school form: a "spouse" born in 2019 is refused in English', async () => {
    const u = await resident('en');
    await addMember(h, u.id, { name: 'Yang Dada', relation: 'child', birthDate: birthDateForAge(7) });
    await u.text('/services');
    await u.tap('🎒 School place for a child');
    await u.tap('➕ Add a family member');
    await u.text('Yang Xiaobao');
    await u.tap('Spouse');
    const refused = sentTexts(await u.text('2019-03-01'))[0] ?? '';
    expect(refused).toContain('A spouse must be at least 18');
    expect(refused).toContain(`they are only ${age('2019-03-01')}`);
    expect(refused).not.toMatch(/[，。：；！？（）、]/);
    expect(sentTexts(await u.text(''.padEnd(3, ' ')))[0]).toContain('Please type the birth date');
    expect(sentTexts(await u.text('x'.repeat(5000)))[0]).toContain('could not read that date');
    await u.tap('⬅️ Back');
    await u.tap('Child');
    await u.text('2019-03-01');
    await u.tap('Skip');
    await u.tap('Male');
    await u.tap('✅ Correct, submit');
    expect(u.texts().join('\n')).toContain('Now back to your request');
    expect(u.lastText()).toContain('Which grade');
  });
});
