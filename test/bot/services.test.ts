import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeAnswers } from '../../src/app/cases.ts';
import { createCatalogue, DEFAULT_SERVICES } from '../../src/domain/catalogue/index.ts';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { birthDateForAge, makeIdNumber } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';

let h: Harness;
let nextUserId = 40_000;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

async function resident(opts?: Parameters<typeof registerResident>[1]): Promise<SimUser> {
  const u = h.user(nextUserId++);
  await registerResident(u, opts);
  return u;
}

async function casesOf(u: SimUser) {
  const r = await h.db.resident.findUniqueOrThrow({
    where: { telegramId: BigInt(u.id) },
    select: { id: true },
  });
  return h.db.case.findMany({
    where: { residentId: r.id },
    include: { attachments: true },
    orderBy: { submittedAt: 'asc' },
  });
}

const photoUpdate = (u: SimUser, group?: string, size = 50_000) =>
  u.send(
    u.message({
      photo: [
        {
          file_id: `ph-${Math.random()}`,
          file_unique_id: `u-${Math.random()}`,
          width: 800,
          height: 600,
          file_size: size,
        },
      ],
      ...(group ? { media_group_id: group } : {}),
    }),
  );

describe('school enrolment', () => {
  it('files a request for a child, with an album of document photos, to the district education bureau', async () => {
    const u = await resident();
    await addMember(h, u.id, { name: '杨小花', relation: 'child', birthDate: birthDateForAge(6) });
    await u.text('/services');
    await u.tap('🎒 孩子上学');
    expect(u.lastText()).toContain('给哪个孩子');
    await u.tap('杨小花');
    await u.tap('小学一年级');
    expect(u.lastText()).toContain('原来在哪个学校');
    await u.tap('跳过');
    expect(u.lastText()).toContain('想上哪个学校');
    await u.tap('万山区第五小学');
    await u.tap('跳过'); // special needs
    expect(u.lastText()).toContain('不满 14 岁');
    await u.tap('✅ 同意');
    expect(u.lastText()).toContain('户口本');
    // An album: three photos arriving as three updates with one media group → one acknowledgement.
    const album = [
      await photoUpdate(u, 'alb-1'),
      await photoUpdate(u, 'alb-1'),
      await photoUpdate(u, 'alb-1'),
    ];
    expect(album.flatMap(sentTexts)).toEqual([expect.stringContaining('收到照片')]);
    await u.tap('✅ 好了');
    const summary = u.lastText();
    expect(summary).toContain('孩子：杨小花');
    expect(summary).toContain('证件照片：3 张照片');
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toMatch(/编号：EDU-\d{4}-\d{6}/);
    const [c] = await casesOf(u);
    expect(c?.departmentCode).toBe('wanshan-education');
    expect(c?.serviceCode).toBe('school_enrolment');
    expect(c?.priority).toBe('normal');
    expect(c?.attachments).toHaveLength(3);
    expect(Buffer.from(c?.answersCipher ?? []).toString('utf8')).not.toContain('杨小花');
    expect(c && describeAnswers(c, h.cipher, createCatalogue(DEFAULT_SERVICES)).map((a) => a.stepId)).toEqual(
      ['child', 'stage', 'previousSchool', 'school', 'specialNeeds', 'guardianConsent', 'documents'],
    );
  });

  it('warns gently when the grade does not fit the child\u2019s age, and lets the parent choose again', async () => {
    const u = await resident();
    await addMember(h, u.id, {
      name: '杨小明',
      relation: 'child',
      birthDate: birthDateForAge(6),
      sex: 'male',
    });
    await u.text('/services');
    await u.tap('🎒 孩子上学');
    await u.tap('杨小明');
    await u.tap('初三');
    expect(u.lastText()).toContain('今年 6 岁');
    await u.tap('重新选');
    expect(u.lastText()).toContain('要上几年级');
    await u.tap('幼儿园');
    expect(u.lastText()).toContain('原来在哪个学校');
  });

  it('adds the child on the spot when the household file has none', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('🎒 孩子上学');
    expect(u.lastText()).toContain('还没有孩子');
    await u.tap('➕ 添加家人');
    await u.text('杨小军');
    await u.tap('子女');
    await u.text(birthDateForAge(9));
    await u.tap('跳过'); // no ID number yet
    await u.tap('男');
    await u.tap('✅ 对的，提交'); // the member's summary
    expect(u.texts().join('\n')).toContain('杨小军 已经加到您家里了');
    expect(u.lastText()).toContain('要上几年级');
    await u.tap('小学三年级');
    await u.text('老家村小');
    await u.tap('就近安排（教育局安排）');
    await u.text('有哮喘，体育课要注意');
    await u.tap('✅ 同意');
    await u.tap('没有，跳过');
    expect(u.lastText()).toContain('孩子：杨小军');
    await u.tap('✅ 对的，提交');
    const [c] = await casesOf(u);
    expect(c?.serviceCode).toBe('school_enrolment');
  });

  it('stops without a case when the guardian does not consent', async () => {
    const u = await resident();
    await addMember(h, u.id, { name: '杨小丽', relation: 'child', birthDate: birthDateForAge(7) });
    await u.text('/services');
    await u.tap('🎒 孩子上学');
    await u.tap('杨小丽');
    await u.tap('小学二年级');
    await u.tap('跳过');
    await u.tap('就近安排（教育局安排）');
    await u.tap('跳过');
    await u.tap('不同意');
    expect(u.lastText()).toContain('没有您的同意');
    expect(await casesOf(u)).toHaveLength(0);
  });
});

describe('medical green channel', () => {
  it('an emergency is urgent, alerts the on-duty staff at once, and gives a card to show at the hospital', async () => {
    await h.db.staffMember.createMany({
      data: [
        {
          telegramId: 70_001n,
          role: 'staff',
          departmentCode: 'wanshan-health',
          displayName: '值班医生',
          onDuty: true,
        },
        {
          telegramId: 70_002n,
          role: 'staff',
          departmentCode: 'wanshan-health',
          displayName: '休息',
          onDuty: false,
        },
        {
          telegramId: 70_003n,
          role: 'staff',
          departmentCode: 'bijiang-health',
          displayName: '别区',
          onDuty: true,
        },
      ],
    });
    const u = await resident();
    await u.text('/services');
    await u.tap('🏥 看病绿色通道');
    expect(u.lastText()).toContain('是急病吗？现在就有危险吗？');
    const answered = sentTexts(await u.tap('🚑 是，很急'));
    expect(answered[0]).toContain('有生命危险请马上打 120');
    expect(answered[1]).toContain('是谁要看病');
    await u.tap('杨光明');
    expect(u.lastText()).toContain('哪家医院');
    await u.tap('万山区人民医院');
    expect(u.lastText()).toContain('打哪个电话');
    await u.tap(/用登记的手机号 138\*\*\*\*1234/);
    expect(u.lastText()).toContain('是不是急病：🚑 是，很急');
    await u.tap('✅ 对的，提交');
    const texts = u.texts().slice(-2);
    expect(texts[0]).toMatch(/编号：MED-\d{4}-\d{6}/);
    expect(texts[0]).toContain('正在通知值班的工作人员');
    expect(texts[0]).not.toContain('已经收到');
    expect(texts[1]).toContain('就医绿色通道确认单（急诊）');
    expect(texts[1]).toContain('不用交押金，出院时再结算');
    expect(texts[1]).toContain('病人：杨光明');
    expect(texts[1]).toMatch(/身份证：522\*{13}[\dX]{2}/);
    const [c] = await casesOf(u);
    expect(c?.priority).toBe('urgent');
    expect(c?.departmentCode).toBe('wanshan-health');
    expect((c?.dueAt.getTime() ?? 0) - (c?.submittedAt.getTime() ?? 0)).toBeLessThanOrEqual(
      2 * 3600_000 + 5_000,
    );
    const alerts = await h.db.notification.findMany({ where: { caseId: c?.id, kind: 'staff.urgent_case' } });
    expect(alerts.map((a) => a.telegramId)).toEqual([70_001n]);
    expect(JSON.stringify(alerts[0]?.payload)).not.toContain('杨光明');
  });

  it('an outpatient visit for a household member with a typed phone is a normal case', async () => {
    const u = await resident();
    await addMember(h, u.id, {
      name: '杨奶奶',
      relation: 'parent',
      birthDate: '1950-02-02',
      idNumber: makeIdNumber({ birthDate: '1950-02-02', sex: 'female', seq: 77 }),
    });
    await u.text('/services');
    await u.tap('🏥 看病绿色通道');
    await u.tap('不是急病');
    expect(u.lastText()).toContain('是要住院，还是看门诊');
    await u.tap('门诊');
    await u.tap('杨奶奶');
    await u.tap('铜仁市人民医院');
    expect(sentTexts(await u.text('痛'.repeat(1001)))[0]).toContain('最多 1000 个字');
    await u.text('膝盖疼了一个月，走路困难');
    await u.tap('都不是');
    expect(sentTexts(await u.text('12345'))[0]).toContain('11 位');
    await u.text('139 0000 5678');
    await u.tap('✅ 对的，提交');
    const [c] = await casesOf(u);
    expect(c?.priority).toBe('normal');
    expect(u.texts().at(-1)).toContain('病人：杨奶奶');
    expect(u.texts().at(-1)).toContain('就医绿色通道确认单（门诊）');
    expect(u.texts().at(-2)).not.toContain('值班');
  });
});

describe('minimum living allowance', () => {
  it('asks a resident living alone to confirm, checks the income, and stops without consent to verification', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('💰 申请低保');
    expect(u.lastText()).toContain('只有您一个人');
    await u.tap('对，家里只有我');
    expect(u.lastText()).toContain('每个月一共收入');
    expect(sentTexts(await u.text('很多'))[0]).toContain('请只写数字，例如 1500');
    expect(sentTexts(await u.text('99999999'))[0]).toContain('太大');
    await u.text('１,５００元');
    await u.tap('其他原因');
    await u.text('老伴去世，一个人生活');
    await u.tap('都没有');
    await u.tap('不同意');
    expect(u.lastText()).toContain('没法办低保');
    expect(await casesOf(u)).toHaveLength(0);
  });

  it('lists the household and files the application with the members counted', async () => {
    const u = await resident({ community: '矮屯社区', building: '1栋', unit: '1 单元' });
    await addMember(h, u.id, {
      name: '李秀英',
      relation: 'spouse',
      birthDate: '1984-01-01',
      idNumber: makeIdNumber({ birthDate: '1984-01-01', sex: 'female', seq: 66 }),
    });
    await u.text('/services');
    await u.tap('💰 申请低保');
    expect(u.lastText()).toContain('李秀英');
    await u.tap('对，就是这些人');
    await u.text('800');
    await u.tap('生病');
    await u.tap('有一些');
    await u.text('一辆旧摩托车');
    await u.tap('✅ 同意核对');
    await u.tap('没有，跳过');
    expect(u.lastText()).toContain('全家每月收入：800 元');
    await u.tap('✅ 对的，提交');
    const [c] = await casesOf(u);
    expect(c?.departmentCode).toBe('bijiang-civil-affairs');
    expect(u.texts().join('\n')).toMatch(/CIV-\d{4}-\d{6}/);
  });

  it('"add family first" stops and points to /household', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('💰 申请低保');
    await u.tap('先去加家人');
    expect(u.lastText()).toContain('/household');
  });
});

describe('suggestion box', () => {
  it('an anonymous suggestion never shows staff who sent it, and the resident still gets the number', async () => {
    const u = await resident({ name: '匿名人' });
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('环境卫生');
    await u.text('3栋后面的垃圾好几天没人收了');
    await photoUpdate(u);
    await u.tap('✅ 好了');
    await u.tap('匿名');
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toMatch(/SUG-\d{4}-\d{6}/);
    const [c] = await casesOf(u);
    expect(c?.anonymous).toBe(true);
    expect(c?.telegramId).toBe(BigInt(u.id)); // the answer can still reach them
    const shown = JSON.stringify(c && describeAnswers(c, h.cipher, createCatalogue(DEFAULT_SERVICES)));
    expect(shown).not.toContain('匿名人');
    expect(shown).not.toContain('1380000');
  });

  it('refuses files over 20 MB, files of other kinds, and over-long text', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('其他');
    expect(sentTexts(await u.text('意'.repeat(1001)))[0]).toContain('最多 1000 个字');
    await u.text('希望多安排几趟公交车');
    expect(sentTexts(await photoUpdate(u, undefined, 25 * 1024 * 1024))[0]).toContain('太大');
    const doc = await u.send(
      u.message({
        document: { file_id: 'd1', file_unique_id: 'd1u', mime_type: 'application/zip', file_size: 1000 },
      }),
    );
    expect(sentTexts(doc)[0]).toContain('照片或 PDF');
    expect(sentTexts(await u.sticker())[0]).toContain('请发照片');
    expect(sentTexts(await u.text('没有照片'))[0]).toContain('请发照片');
    for (let i = 0; i < 4; i++) await photoUpdate(u);
    expect(u.lastText()).toContain('最多收 3 张');
    await u.tap('✅ 好了');
    await u.tap('写上我的名字');
    expect(u.lastText()).toContain('照片：3 张照片');
  });
});

describe('every form', () => {
  it('one case only, whatever the double taps and repeated updates', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('安全');
    await u.text('楼道灯坏了');
    await u.tap('没有，跳过');
    await u.tap('写上我的名字');
    const confirm = u.findButton('✅ 对的，提交');
    if (!confirm) throw new Error('no confirm button');
    const press = {
      update_id: 77_000_001,
      callback_query: {
        id: 'dbl',
        from: u.from,
        chat_instance: 'x',
        data: confirm.button.callback_data,
        message: { message_id: 1, date: 0, chat: u.chat, text: '…' },
      },
    };
    await u.send(press as never);
    const second = await u.send(press as never); // the same update again (a webhook retry)
    const third = await u.press(confirm.button.callback_data as string); // a double tap
    expect(second.some((c) => c.method === 'sendMessage')).toBe(false);
    // The form is over: the late tap is a stale button (an alert, then the main menu), not a second case.
    expect(third.find((c) => c.method === 'answerCallbackQuery')?.payload.show_alert).toBe(true);
    expect(sentTexts(third)).toEqual([expect.stringContaining('主菜单')]);
    expect(await casesOf(u)).toHaveLength(1);
  });

  it('a case submitted again from a replayed form (a crash after writing it) is found, not duplicated', async () => {
    const u = await resident();
    const answers = {
      topic: { value: 'other', label: '其他' },
      content: { value: '路灯不亮', label: '路灯不亮' },
      anonymous: { value: 'named', label: '写上我的名字' },
    };
    const first = await h.deps.cases.submit(u.id, 'suggestion', answers, `chat:${u.id}:suggestion:1`);
    const again = await h.deps.cases.submit(u.id, 'suggestion', answers, `chat:${u.id}:suggestion:1`);
    expect(first.ok && again.ok && first.value.caseId === again.value.caseId).toBe(true);
    expect(again.ok && again.value.created).toBe(false);
    expect(await casesOf(u)).toHaveLength(1);
  });

  it('checks every answer again in the use case (forged answers never make a case)', async () => {
    const u = await resident();
    const submit = (answers: unknown, key: string) => h.deps.cases.submit(u.id, 'suggestion', answers, key);
    expect(
      await submit(
        {
          topic: { value: 'weather', label: 'x' },
          content: { value: 'x', label: 'x' },
          anonymous: { value: 'named', label: 'x' },
        },
        'k:1:aaaa',
      ),
    ).toEqual({ ok: false, error: 'invalid' });
    expect(
      await submit(
        { topic: { value: 'other', label: 'x' }, anonymous: { value: 'named', label: 'x' } },
        'k:2:aaaa',
      ),
    ).toEqual({ ok: false, error: 'invalid' });
    expect(
      await submit(
        {
          topic: { value: 'other', label: 'x' },
          content: { value: 'x'.repeat(1001), label: 'x' },
          anonymous: { value: 'named', label: 'x' },
        },
        'k:3:aaaa',
      ),
    ).toEqual({ ok: false, error: 'invalid' });
    expect(
      await submit(
        {
          topic: { value: 'other', label: 'x' },
          content: { value: 'x', label: 'x' },
          anonymous: { value: 'named', label: 'x' },
          extra: { value: 'x', label: 'x' },
        },
        'k:4:aaaa',
      ),
    ).toEqual({ ok: false, error: 'invalid' });
    expect(
      await h.deps.cases.submit(
        u.id,
        'school_enrolment',
        { child: { value: '00000000-0000-4000-8000-000000000000', label: 'x' } },
        'k:5:aaaa',
      ),
    ).toEqual({ ok: false, error: 'invalid' });
    expect(await h.deps.cases.submit(u.id, 'teleportation', {}, 'k:6:aaaa')).toEqual({
      ok: false,
      error: 'unknown_service',
    });
    expect(await h.deps.cases.submit(999_999_999, 'suggestion', {}, 'k:7:aaaa')).toEqual({
      ok: false,
      error: 'not_registered',
    });
    expect(await casesOf(u)).toHaveLength(0);
  });

  it('"back" goes to the previous question, and a restart of the bot mid-form loses nothing', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('物业管理');
    await u.tap('⬅️ 上一步');
    expect(u.lastText()).toContain('关于什么');
    await u.tap('就业');
    h.restart();
    await u.text('希望社区多办招聘会');
    expect(u.lastText()).toContain('照片');
    h.restart();
    await u.tap('没有，跳过');
    await u.tap('写上我的名字');
    expect(u.lastText()).toContain('意见内容：希望社区多办招聘会');
    await u.tap('✅ 对的，提交');
    expect(await casesOf(u)).toHaveLength(1);
  });

  it('a draft left for more than a day offers to continue or start over', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('物业管理');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 25 * 3600_000 });
    try {
      const calls = await u.text('电梯坏了');
      expect(sentTexts(calls)[0]).toContain('填了一半');
      await u.tap('接着填');
      expect(u.lastText()).toContain('意见或建议');
      await u.text('电梯坏了');
      expect(u.lastText()).toContain('照片');
      vi.setSystemTime(Date.now() + 26 * 3600_000);
      await u.tap('没有，跳过');
      await u.tap('重新开始');
      expect(u.texts().slice(-2).join('\n')).toContain('从头开始');
      expect(u.lastText()).toContain('关于什么');
    } finally {
      vi.useRealTimers();
    }
  });

  it('/cancel leaves a service form and nothing is filed', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('🏥 看病绿色通道');
    await u.tap('不是急病');
    await u.tap('住院');
    await u.tap('杨光明');
    expect(sentTexts(await u.text('/cancel'))[0]).toContain('已经退出');
    expect(await casesOf(u)).toHaveLength(0);
  });

  it('an unregistered resident is asked to register first', async () => {
    const u = h.user(nextUserId++);
    expect(sentTexts(await u.text('/services'))[0]).toContain('请先登记');
    await u.press('svc:school_enrolment');
    expect(u.lastText()).toContain('请先登记');
  });
});
