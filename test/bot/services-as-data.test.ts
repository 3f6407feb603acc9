// Services as data, end to end: a fifth service exists only as a definition file in a folder of this test
// (beside copies of the four shipped ones) — no TypeScript — and a resident files it through the real update
// path in both languages, with wrong input at every step. Then the file changes: a broken version is refused
// at /reload (the admin is told in their own language, the catalogue stays), version 2 replaces version 1
// while the case filed under version 1 still shows its own steps and words, and a retired (then removed)
// service is no longer offered while its open case is still worked by staff. Last, a reference file with
// mistakes: /reload names the places to fix in the admin's language, not in an English error message.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVICES_DIR, parseServiceFile } from '../../src/domain/catalogue/index.ts';
import {
  type ApiCall,
  createHarness,
  type Harness,
  inlineButtons,
  REFERENCE_FILE,
  type SimUser,
  sentTexts,
} from '../support/bot-harness.ts';
import { elder, makeIdNumber } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';
import { residentWithElder, speak, strayInputs } from '../support/service-form-scene.ts';
import { makeStaff } from '../support/staff-scene.ts';

const ADMIN = 64_900;
const ADMIN_EN = 64_901;
const FILE = '5-elderly_meals.json';
/** How many services ship (reference/services): the menu holds them and the test's own. */
const SHIPPED = readdirSync(DEFAULT_SERVICES_DIR).filter((f) => f.endsWith('.json')).length;

type Texts = Record<string, unknown>;
const texts = (zh: boolean, version: 1 | 2): Texts => ({
  name: zh ? '🍚 老年助餐' : '🍚 Meals for older people',
  fields: {
    who: zh ? '吃饭的老人' : 'Who',
    meals: zh ? '几顿' : 'Meals',
    ...(version === 1 ? { note: zh ? '说明' : 'Note' } : {}),
    days: zh ? '哪几天' : 'Days',
    phone: zh ? '联系电话' : 'Phone',
  },
  steps: {
    who: {
      prompt: zh ? '给家里哪位老人登记助餐？' : 'Which older person is it for?',
      none: zh ? '家里还没有 60 岁以上的老人。' : 'Nobody in the household is 60 or over yet.',
    },
    meals: {
      prompt: zh ? '每天在食堂吃几顿？' : 'How many meals a day at the canteen?',
      options:
        version === 1
          ? zh
            ? { lunch: '只吃午饭', both: '午饭和晚饭' }
            : { lunch: 'Lunch only', both: 'Lunch and supper' }
          : zh
            ? { lunch: '只吃午饭', supper: '只吃晚饭' }
            : { lunch: 'Lunch only', supper: 'Supper only' },
    },
    ...(version === 1
      ? { note: { prompt: zh ? '吃饭有什么要注意的？（比如不吃辣）' : 'Anything the cook should know?' } }
      : {}),
    days: {
      prompt: zh
        ? '哪几天来吃？可以选几天，选好了点“✅ 选好了”。'
        : 'Which days? Choose any, then tap “✅ Done”.',
      options: zh
        ? { mon: '周一', tue: '周二', wed: '周三', thu: '周四', fri: '周五' }
        : { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri' },
    },
    phone: { prompt: zh ? '食堂打哪个电话找您？' : 'Which phone should the canteen call?' },
  },
});

function definition(version: 1 | 2, extra: Record<string, unknown> = {}) {
  return {
    code: 'elderly_meals',
    version,
    departmentKind: 'neighbourhood',
    due: { workingDays: 3 },
    documents: [],
    steps: [
      // Version 2 takes several older people at once.
      {
        id: 'who',
        kind: 'person',
        includeSelf: true,
        age: { min: 60 },
        ...(version === 2 ? { multiple: { min: 1 } } : {}),
      },
      {
        id: 'meals',
        kind: 'choice',
        options: version === 1 ? ['lunch', 'both'] : ['lunch', 'supper'],
        columns: 1,
      },
      ...(version === 1
        ? [{ id: 'note', kind: 'text', maxLength: 100, voice: false, when: { step: 'meals', is: 'both' } }]
        : []),
      {
        id: 'days',
        kind: 'choice',
        options: ['mon', 'tue', 'wed', 'thu', 'fri'],
        columns: 3,
        multiple: { min: 1 },
      },
      { id: 'phone', kind: 'phone' },
    ],
    texts: { 'zh-CN': texts(true, version), en: texts(false, version) },
    ...extra,
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'bianmin-services-'));
const writeService = (d: unknown) => writeFileSync(path.join(dir, FILE), JSON.stringify(d, null, 2));
const _han = /\p{Script=Han}/u;

let h: Harness;
beforeAll(async () => {
  for (const f of readdirSync(DEFAULT_SERVICES_DIR))
    copyFileSync(path.join(DEFAULT_SERVICES_DIR, f), path.join(dir, f));
  writeService(definition(1));
  h = await createHarness({ servicesDir: dir, adminIds: [ADMIN, ADMIN_EN] });
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A sticker, 5,000 characters and a forged button: each gets a plain answer, and the question stays. */
const wrongInputs = strayInputs;

async function resident(id: number, lang: 'zh' | 'en'): Promise<SimUser> {
  const u = await residentWithElder(h, id, 500);
  await speak(u, lang);
  return u;
}

let caseV1 = '';

/** The labels of the buttons a reply carried. */
const menuLabels = (calls: ApiCall[]) => calls.flatMap((c) => inlineButtons(c).map((b) => b.text));

describe('a fifth service that is only a definition file', () => {
  it('zh: offered in the menu, asks its steps (wrong input re-asked at each), files to the neighbourhood office', async () => {
    const u = await resident(64_001, 'zh');
    await u.text('/services');
    expect(u.findButton('🍚 老年助餐')).toBeDefined();
    await u.tap('🍚 老年助餐');
    expect(u.lastText()).toContain('给家里哪位老人登记助餐？');
    // The person step offers only those of 60 and over: not the resident (44).
    expect(u.findButton(elder.name)).toBeDefined();
    expect(u.findButton('测试')).toBeUndefined();
    await wrongInputs(u, 'zh');
    await u.tap(elder.name);
    expect(u.lastText()).toContain('每天在食堂吃几顿？');
    await wrongInputs(u, 'zh');
    await u.tap('午饭和晚饭');
    // Asked only because of "lunch and supper" (the definition's `when`).
    expect(u.lastText()).toContain('吃饭有什么要注意的？');
    expect(sentTexts(await u.text('不'.repeat(101))).join('\n')).toContain('最多 100 个字');
    expect(sentTexts(await u.text('   ')).join('\n')).toContain('不能空着');
    // voice: false in the file — a voice message is not taken here.
    expect(sentTexts(await u.voice()).join('\n')).toContain('请打字回答');
    await wrongInputs(u, 'zh');
    await u.text('不吃辣，饭要软一点');
    // Several days (the definition's `multiple`): "done" with none chosen is refused in plain words.
    expect(u.lastText()).toContain('哪几天来吃？');
    const none = await u.tap('✅ 选好了');
    expect(none.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({
      text: '请至少选 1 项。',
    });
    await wrongInputs(u, 'zh');
    await u.tap('周一');
    await u.tap('周三');
    await u.tap('✅ 选好了');
    expect(u.lastText()).toContain('食堂打哪个电话找您？');
    expect(sentTexts(await u.text('12345')).join('\n')).toContain('11 位手机号');
    await u.tap(/用登记的手机号/);
    const summary = u.lastText();
    expect(summary).toContain(`吃饭的老人：${elder.name}`);
    expect(summary).toContain('几顿：午饭和晚饭');
    expect(summary).toContain('说明：不吃辣，饭要软一点');
    expect(summary).toContain('哪几天：周一、周三');
    await wrongInputs(u, 'zh');
    await u.tap('✅ 对的，提交');
    expect(u.texts().join('\n')).toMatch(/编号：[A-Z]{3}-\d{4}-\d{6}/);
    const c = await h.db.case.findFirstOrThrow({ where: { serviceCode: 'elderly_meals' } });
    const v1 = parseServiceFile(FILE, JSON.stringify(definition(1)));
    expect(c).toMatchObject({
      departmentCode: 'wanshan-neighbourhood',
      serviceVersion: 1,
      serviceHash: v1.hash,
    });
    caseV1 = c.id;
  });

  it('en: the same in English, every reply in English', async () => {
    const u = await resident(64_002, 'en');
    await u.text('/services');
    await u.tap('🍚 Meals for older people');
    expect(u.lastText()).toContain('Which older person is it for?');
    await wrongInputs(u, 'en');
    await u.tap(elder.name);
    await wrongInputs(u, 'en');
    await u.tap('Lunch only');
    // No note: that step is asked only for lunch and supper.
    expect(u.lastText()).toContain('Which days?');
    await wrongInputs(u, 'en');
    const none = await u.tap('✅ Done');
    expect(none.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({
      text: 'Please choose at least 1.',
    });
    await u.tap('Fri');
    await u.tap('✅ Done');
    expect(u.lastText()).toContain('Which phone should the canteen call?');
    expect(sentTexts(await u.text('12345')).join('\n')).toContain('11-digit mobile number');
    await wrongInputs(u, 'en');
    await u.tap(/registered/i);
    expect(u.lastText()).toContain('Meals: Lunch only');
    expect(u.lastText()).toContain('Days: Fri');
    expect(u.lastText()).not.toContain('Note');
    await u.tap('✅ Correct, submit');
    expect(u.texts().join('\n')).toMatch(/Number: [A-Z]{3}-\d{4}-\d{6}/);
  });

  it('nobody of 60 or over: the question says so, in the words of the definition', async () => {
    const u = h.user(64_003);
    await registerResident(u);
    await u.text('/services');
    await u.tap('🍚 老年助餐');
    expect(u.lastText()).toContain('家里还没有 60 岁以上的老人。');
  });
});

describe('changing the definition', () => {
  it('a broken version is refused at /reload, in the admin’s language, and the catalogue stays', async () => {
    const broken = definition(1);
    delete (broken.texts.en.steps as Record<string, unknown>).meals;
    writeService(broken);
    const zh = sentTexts(await h.user(ADMIN).text('/reload'));
    expect(zh).toContain(
      '服务目录没有换：5-elderly_meals.json 里有错，原来的服务照常办理。\n服务：elderly_meals\n步骤：meals\n问题：缺少英文文字“steps.meals.prompt”\n改好以后再发一次 /reload。',
    );
    const admin = h.user(ADMIN_EN);
    await admin.text('/language');
    await admin.tap('English');
    const en = sentTexts(await admin.text('/reload'));
    expect(en).toContain(
      'The services were not changed: 5-elderly_meals.json has a mistake, and the services stay as they were.\nService: elderly_meals\nStep: meals\nProblem: the English text "steps.meals.prompt" is missing\nFix it and send /reload again.',
    );
    // An unknown step kind, in Chinese.
    const kind = definition(1);
    kind.steps[1] = { id: 'meals', kind: 'slider', options: ['lunch'], columns: 1 };
    writeService(kind);
    expect(sentTexts(await h.user(ADMIN).text('/reload')).join('\n')).toContain(
      '问题：没有“slider”这种步骤（能用的有 choice、text、money、person、reference、files、phone）',
    );
    // Still offered, as it was.
    const u = h.user(64_004);
    await registerResident(u);
    await u.text('/services');
    expect(u.findButton('🍚 老年助餐')).toBeDefined();
  });

  it('version 2 replaces version 1; the case filed under version 1 still shows its own steps and words', async () => {
    writeService(definition(2));
    const reply = sentTexts(await h.user(ADMIN).text('/reload'));
    expect(reply).toContain(`服务目录已重新读取：现在提供 ${SHIPPED + 1} 项服务。`);
    expect(await h.db.serviceDefinition.count({ where: { code: 'elderly_meals' } })).toBe(2);
    // A new request asks version 2's steps: two older people at once, then the new options.
    const u = await resident(64_005, 'zh');
    await addMember(h, u.id, {
      name: '杨老汉',
      relation: 'parent',
      birthDate: '1946-08-08',
      sex: 'male',
      idNumber: makeIdNumber({ birthDate: '1946-08-08', sex: 'male', seq: 777 }),
    });
    await u.text('/services');
    await u.tap('🍚 老年助餐');
    await u.tap(elder.name);
    await u.tap('杨老汉');
    await u.tap('✅ 选好了');
    expect(u.findButton('只吃晚饭')).toBeDefined();
    expect(u.findButton('午饭和晚饭')).toBeUndefined();
    await u.tap('只吃晚饭');
    await u.tap('周五');
    await u.tap('✅ 选好了');
    await u.tap(/用登记的手机号/);
    // Both, in the household list's order.
    expect(u.lastText()).toMatch(new RegExp(`吃饭的老人：(${elder.name}、杨老汉|杨老汉、${elder.name})\n`));
    await u.tap('✅ 对的，提交');
    const v2 = await h.db.case.findFirstOrThrow({
      where: { serviceCode: 'elderly_meals', serviceVersion: 2 },
    });
    expect(v2.serviceHash).toBe(parseServiceFile(FILE, JSON.stringify(definition(2))).hash);
    // Staff see the earlier case with version 1's steps (the note, gone from version 2) and words.
    await makeStaff(h, 64_100, 'wanshan-neighbourhood');
    const card = sentTexts(await h.user(64_100).press(`st:open:${caseV1}`))[0] ?? '';
    expect(card).toContain('几顿：午饭和晚饭');
    expect(card).toContain('说明：不吃辣，饭要软一点');
    expect(card).toContain('哪几天：周一、周三');
  });

  it('a version another instance loaded is learnt here too, without changing what is offered', async () => {
    // Another instance read a version 3 (one more choice) and kept it in the shared table.
    const v3 = definition(2, { version: 3 });
    const meals = v3.steps.find((x) => x.id === 'meals') as { options: string[] };
    meals.options = [...meals.options, 'none'];
    const mealsTexts = (lang: 'zh-CN' | 'en') =>
      (v3.texts[lang].steps as Record<string, { options: Record<string, string> }>).meals;
    Object.assign(mealsTexts('zh-CN')?.options ?? {}, { none: '这周不吃' });
    Object.assign(mealsTexts('en')?.options ?? {}, { none: 'Not this week' });
    const parsed = parseServiceFile('another instance', JSON.stringify(v3));
    await h.db.serviceDefinition.create({
      data: { code: parsed.code, hash: parsed.hash, version: 3, definition: parsed.source as object },
    });
    expect(await h.deps.refreshServiceVersions()).toBe(1);
    expect(await h.deps.refreshServiceVersions()).toBe(0);
    const known = h.deps.catalogue.version('elderly_meals', parsed.hash);
    expect(known?.version).toBe(3);
    expect(h.deps.translator.t('zh-CN')('services:elderly_meals.steps.meals.options.none')).toBe('这周不吃');
    // Here, version 2 is still the one offered.
    expect(h.deps.catalogue.offered('elderly_meals')?.version).toBe(2);
  });

  it('a retired service is not offered nor opened; its open case is still worked, and still shown once its file is gone', async () => {
    const u = h.user(64_001);
    await u.text('/services');
    const old = u.findButton('🍚 老年助餐');
    expect(old).toBeDefined();
    writeService(definition(2, { retired: true }));
    expect(sentTexts(await h.user(ADMIN).text('/reload'))).toContain(
      `服务目录已重新读取：现在提供 ${SHIPPED} 项服务。`,
    );
    expect(menuLabels(await u.text('/services'))).not.toContain('🍚 老年助餐');
    // The old menu's button, and the words that used to open it.
    const pressed = await u.press(old?.button.callback_data ?? '', old?.messageId);
    expect(pressed.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({
      text: expect.stringContaining('不能用了'),
    });
    expect(await h.db.case.count({ where: { serviceCode: 'elderly_meals' } })).toBe(3);
    // Its open case: the resident still sees it, staff take it and answer it.
    expect(menuLabels(await u.text('/mycases')).join('\n')).toContain('老年助餐');
    const staff = h.user(64_100);
    await staff.press(`st:take:${caseV1}`);
    expect((await h.deps.staff.reply(64_100, caseV1, '下周一开始到食堂吃饭')).ok).toBe(true);
    // The file removed altogether: the service is known from the kept versions, the case still shown.
    rmSync(path.join(dir, FILE));
    expect(sentTexts(await h.user(ADMIN).text('/reload'))).toContain(
      `服务目录已重新读取：现在提供 ${SHIPPED} 项服务。`,
    );
    const card = sentTexts(await staff.press(`st:open:${caseV1}`))[0] ?? '';
    expect(card).toContain('老年助餐');
    expect(card).toContain('说明：不吃辣，饭要软一点');
    expect((await h.deps.staff.resolve(64_100, caseV1, '已经安排好了')).ok).toBe(true);
  });
});

describe('/reload of a reference file with mistakes', () => {
  it('names the file and the places to fix in the admin’s language, and changes nothing', async () => {
    const broken = JSON.parse(readFileSync(REFERENCE_FILE, 'utf8')) as {
      communities: { district: string }[];
    };
    const first = broken.communities[0];
    if (first) first.district = 'nowhere';
    const file = path.join(dir, 'tongren-broken.json');
    writeFileSync(file, JSON.stringify(broken));
    const r = await createHarness({ adminIds: [ADMIN, ADMIN_EN], referenceDataFile: file });
    try {
      expect(sentTexts(await r.user(ADMIN).text('/reload'))[0]).toBe(
        '基础资料文件 tongren-broken.json 有错，原来的资料不变。要改的地方：\n• communities.0.district',
      );
      const admin = r.user(ADMIN_EN);
      await admin.text('/language');
      await admin.tap('English');
      expect(sentTexts(await admin.text('/reload'))[0]).toBe(
        'The reference data file tongren-broken.json has mistakes; nothing was changed. To fix:\n• communities.0.district',
      );
      // The services were read all the same.
      expect(sentTexts(await admin.text('/reload'))[1]).toBe(
        `Services reloaded: ${SHIPPED} services are offered now.`,
      );
    } finally {
      await r.close();
    }
  });
});
