// Where, when, whom to call — through the real bot, in both languages, on a clock the test sets: the end of
// a submission (what to bring, the centre, the window, open now or when, the phone, the due time in words),
// /contact (registered or not, open, lunch, after hours, closed day, holiday; in a form; in a group; with
// stray words after it), /help (the centre and 12345), a rejection carrying 12345, and the case view and
// staff card without ISO dates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { type CaseWorkers, caseWorkers, fileSuggestion, makeStaff } from '../support/staff-scene.ts';

/** A Beijing wall-clock time as an instant. */
const bj = (wall: string) => new Date(`${wall.replace(' ', 'T')}:00+08:00`);
/** Monday 7 December 2026, 10:00 in Beijing: the centres are open (lunch at noon). */
const MONDAY_10 = bj('2026-12-07 10:00');
const ISO_DATE = /\d{4}-\d{2}-\d{2}/;
const CHINESE = /[\u4e00-\u9fff]/;

const ADMIN = 91_999;
let h: Harness;
let clock = MONDAY_10;
let workers: CaseWorkers;
let nextUserId = 90_000;
beforeAll(async () => {
  h = await createHarness({ now: () => clock, adminIds: [ADMIN] });
  workers = caseWorkers(h, { now: () => clock });
});
afterAll(() => h.close());

async function resident(opts?: Parameters<typeof registerResident>[1]): Promise<SimUser> {
  const u = h.user(nextUserId++);
  await registerResident(u, opts);
  return u;
}

async function toEnglish(u: SimUser): Promise<void> {
  await u.text('/language');
  await u.tap('English');
}

describe('the end of a submission', () => {
  it('dibao (Chinese): what to bring, the centre with the civil-affairs window, open now, the phone, the due day', async () => {
    clock = MONDAY_10;
    const u = await resident();
    await u.text('/services');
    await u.tap('💰 申请低保');
    await u.tap('对，家里只有我');
    await u.text('800');
    await u.tap('生病');
    await u.tap('都没有');
    await u.tap('✅ 同意核对');
    await u.tap('没有，跳过');
    await u.tap('✅ 对的，提交');
    const text = u.lastText();
    expect(text).toMatch(/编号：CIV-\d{4}-\d{6}/);
    // 30 working days from Monday 7 December (no 2027 holidays in the demo calendar): Monday 18 January.
    expect(text).toContain('我们会在2027年1月18日（星期一）下午6点前答复您');
    expect(text).toContain('📎 到窗口时请带上：\n• 户口本\n• 收入证明\n• 残疾证（如有）');
    expect(text).toContain('去这里办：\n📍 旺家社区便民服务中心，3号窗口（万山区民政局）');
    expect(text).toContain('地址：万山区旺家社区 5 栋旁服务大厅一楼');
    expect(text).toContain(
      '开门时间：周一到周五 上午8点半到中午12点，下午2点到5点半；周六 上午9点到中午12点；周日休息；节假日休息',
    );
    expect(text).toContain('现在开着，中午12点开始午休。');
    expect(text).toContain('☎️ 电话：0856-3520101');
    expect(text).not.toMatch(ISO_DATE);
    expect(text).not.toContain('北京时间');
    // The button to the case is still there.
    expect(u.findButton('📋 看这件事')).toBeDefined();
  });

  it('a suggestion (English, after hours): no checklist, the neighbourhood window, when it opens, the due time', async () => {
    clock = bj('2026-12-11 18:30'); // Friday evening: next opening Saturday 9:00.
    const u = await resident();
    await toEnglish(u);
    await u.text('/services');
    await u.tap('📮 Suggestion box');
    await u.tap('Safety');
    await u.text('The light on the 3rd floor stairs has been broken for a week');
    await u.tap(/skip/i);
    await u.tap('Give my name');
    await u.tap('✅ Correct, submit');
    const text = u.lastText();
    expect(text).toMatch(/Number: SUG-\d{4}-\d{6}/);
    expect(text).toContain('We will answer by 6:30 pm, Fri 18 Dec');
    expect(text).not.toContain('Please bring');
    expect(text).toContain(
      'Where to go:\n📍 Wangjia Community Service Centre, window 6 (Wanshan District Neighbourhood Committee)',
    );
    expect(text).toContain(
      'Opening hours: Mon–Fri 8:30 am–noon, 2 pm–5:30 pm; Sat 9 am–noon; Sun closed; closed on public holidays',
    );
    expect(text).toContain('Closed for today; opens again at 9 am tomorrow.');
    expect(text).toContain('☎️ Phone: 0856-3520101');
    expect(text).not.toMatch(CHINESE);
    expect(text).not.toMatch(ISO_DATE);
  });

  it('a resident of a community served by a shared centre is sent to that centre', async () => {
    clock = bj('2026-12-07 12:30'); // lunch break
    const u = await resident({ community: '正光社区', building: '1栋', unit: '1 单元' });
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('安全');
    await u.text('楼下路灯不亮');
    await u.tap('没有，跳过');
    await u.tap('写上我的名字');
    await u.tap('✅ 对的，提交');
    const text = u.lastText();
    expect(text).toContain('我们会在12月14日（星期一）中午12点半前答复您');
    expect(text).toContain('📍 矮屯便民服务中心，6号窗口（碧江区社区居委会）');
    expect(text).toContain('现在是午休时间，下午2点半再开门。');
    expect(text).toContain('☎️ 电话：0856-5230303');
  });
});

describe('when the centre cannot be read', () => {
  it('the resident still gets the number, the due time and what to bring (the rest is left out)', async () => {
    clock = MONDAY_10;
    const u = await resident();
    const reference = h.deps.reference;
    const original = reference.contactFor;
    reference.contactFor = async () => {
      throw new Error('database gone for a moment');
    };
    try {
      await u.text('/services');
      await u.tap('💰 申请低保');
      await u.tap('对，家里只有我');
      await u.text('800');
      await u.tap('生病');
      await u.tap('都没有');
      await u.tap('✅ 同意核对');
      await u.tap('没有，跳过');
      await u.tap('✅ 对的，提交');
    } finally {
      reference.contactFor = original;
    }
    const text = u.lastText();
    expect(text).toMatch(/编号：CIV-\d{4}-\d{6}/);
    expect(text).toContain('下午6点前答复您');
    expect(text).toContain('• 收入证明');
    expect(text).not.toContain('去这里办');
  });
});

describe('/contact', () => {
  it('a registered resident (Chinese): their centre, open now, the hotline and 120', async () => {
    clock = MONDAY_10;
    const u = await resident();
    const [text] = sentTexts(await u.text('/contact'));
    expect(text).toContain('☎️ 找社区');
    expect(text).toContain('您住在旺家社区，到这里办事：');
    expect(text).toContain('📍 旺家社区便民服务中心');
    expect(text).toContain('现在开着，中午12点开始午休。');
    expect(text).toContain('☎️ 电话：0856-3520101');
    expect(text).toContain(
      '办什么事去几号窗口：\n1号窗口：孩子上学、上幼儿园\n2号窗口：看病、就医绿色通道\n3号窗口：低保、困难救助',
    );
    expect(text).toContain('6号窗口：意见建议、邻里的事');
    expect(text).toContain('12345');
    expect(text).toContain('120');
    expect(text).not.toMatch(ISO_DATE);
  });

  it('closed days and holidays say when it opens next, in words (both languages)', async () => {
    const u = await resident();
    clock = bj('2026-12-13 10:00'); // Sunday
    expect(sentTexts(await u.text('/contact'))[0]).toContain('今天休息，明天上午8点半开门。');
    clock = bj('2026-12-07 07:45');
    expect(sentTexts(await u.text('/contact'))[0]).toContain('现在还没开门，上午8点半开门。');
    clock = bj('2026-10-01 10:00'); // National Day, closed to 7 October
    expect(sentTexts(await u.text('/contact'))[0]).toContain('今天放假，10月8日（星期四）上午8点半开门。');
    await toEnglish(u);
    expect(sentTexts(await u.text('/contact'))[0]).toContain(
      'Closed today for the public holiday; opens again at 8:30 am, Thu 8 Oct.',
    );
    clock = bj('2026-12-07 15:00');
    const [text] = sentTexts(await u.text('/contact'));
    expect(text).toContain('You live in Wangjia Community. This is where to go:');
    expect(text).toContain('Open now, until 5:30 pm.');
    expect(text).toContain('Window 3: living allowance (dibao), other assistance');
    expect(text).toContain("Citizens' service hotline: 12345");
    expect(text).not.toMatch(CHINESE);
  });

  it('someone not registered sees every centre with the communities it serves, and can register from there', async () => {
    clock = MONDAY_10;
    const u = h.user(nextUserId++);
    const [text] = sentTexts(await u.text('/contact'));
    expect(text).toContain('各个社区的便民服务中心：');
    for (const name of [
      '旺家社区便民服务中心',
      '冲广坪社区便民服务中心',
      '矮屯便民服务中心',
      '世昌社区便民服务中心',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toContain('管这些社区：矮屯社区、正光社区');
    // Shichang's centre is closed on Saturdays and Sundays.
    expect(text).toContain('周一到周五 上午8点半到中午12点，下午2点到5点半；周六到周日休息；节假日休息');
    expect(text).toContain('12345');
    await u.tap('📝 登记我家');
    expect(u.lastText()).toContain('您住在哪个社区');
    expect(u.findButton('旺家社区')).toBeDefined();
  });

  it('someone not registered, in English: every centre in English words only', async () => {
    clock = MONDAY_10;
    const u = h.user(nextUserId++);
    await toEnglish(u);
    const [text] = sentTexts(await u.text('/contact'));
    expect(text).toContain('The community service centres:');
    expect(text).toContain('For: Aitun Community, Zhengguang Community');
    expect(text).toContain('Sat–Sun closed');
    expect(text).not.toMatch(CHINESE);
    expect(u.findButton('📝 Register my household')).toBeDefined();
  });

  it('words after the command, over-long ones too, change nothing', async () => {
    clock = MONDAY_10;
    const u = await resident();
    const [plain] = sentTexts(await u.text('/contact'));
    expect(sentTexts(await u.text('/contact 旺家'))).toEqual([plain]);
    expect(sentTexts(await u.text(`/contact ${'x'.repeat(3000)}`))).toEqual([plain]);
  });

  it('in the middle of a form it answers, and the form goes on where it was', async () => {
    clock = MONDAY_10;
    const u = await resident();
    await u.text('/services');
    await u.tap('💰 申请低保');
    expect(u.lastText()).toContain('只有您一个人');
    expect(sentTexts(await u.text('/contact'))[0]).toContain('📍 旺家社区便民服务中心');
    await u.tap('对，家里只有我');
    expect(u.lastText()).toContain('每个月一共收入');
  });

  it("in a group it only points to a private chat (nothing of anyone's address there)", async () => {
    const u = await resident();
    const calls = await u.send({
      update_id: 9_100_001,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: -100777, type: 'group', title: '旺家社区群' },
        from: u.from,
        text: '/contact',
        entities: [{ type: 'bot_command', offset: 0, length: 8 }],
      },
    });
    const texts = sentTexts(calls);
    expect(texts).toEqual([expect.stringContaining('私下')]);
    expect(texts[0]).not.toContain('0856');
  });
});

describe('/reload', () => {
  it('reloads the centres with the rest, and /contact reads them again', async () => {
    clock = MONDAY_10;
    const u = await resident();
    const before = sentTexts(await u.text('/contact'))[0];
    const [reloaded] = sentTexts(await h.user(ADMIN).text('/reload'));
    expect(reloaded).toContain('4 个社区服务中心');
    expect(sentTexts(await u.text('/contact'))[0]).toBe(before);
    expect(await h.db.serviceCentre.count()).toBe(4);
  });
});

describe('/help', () => {
  it('a registered resident (Chinese): /contact listed, their centre, and the 12345 hotline', async () => {
    clock = MONDAY_10;
    const u = await resident();
    const [text] = sentTexts(await u.text('/help'));
    expect(text).toContain('/contact 找社区');
    expect(text).toContain('有事找社区：\n您住在旺家社区，到这里办事：\n📍 旺家社区便民服务中心');
    expect(text).toContain('☎️ 电话：0856-3520101');
    expect(text).toContain('📞 政务服务便民热线：12345');
  });

  it('someone not registered (English): a pointer to /contact and the hotline', async () => {
    const u = h.user(nextUserId++);
    await toEnglish(u);
    const [text] = sentTexts(await u.text('/help'));
    expect(text).toContain('Send /contact to see where each community service centre is');
    expect(text).toContain("📞 Citizens' service hotline: 12345");
    expect(text).not.toContain('0856');
  });
});

describe('a rejection', () => {
  async function rejected(u: SimUser, staffId: number): Promise<string> {
    const { caseId } = await fileSuggestion(h, u);
    await makeStaff(h, staffId, 'wanshan-neighbourhood');
    const staff = h.user(staffId);
    await staff.press(`st:take:${caseId}`);
    await staff.tap('⛔ 驳回');
    await staff.text('这件事归供电所管，请拨打 95598。');
    await staff.tap('✅ 确定');
    // The resident's notification is queued at the database's clock and the dispatcher sends what is due by
    // the test's: with the test's clock behind the real one (MONDAY_10, once that day had come) it stayed
    // unsent. The rejection's words do not depend on the hour.
    clock = new Date();
    await workers.drain();
    return u.lastText();
  }

  it('tells the resident (Chinese) of the 12345 hotline besides the reason', async () => {
    clock = MONDAY_10;
    const u = await resident();
    const text = await rejected(u, 91_001);
    expect(text).toContain('没能办成');
    expect(text).toContain('95598');
    expect(text).toContain('12345 政务服务便民热线');
  });

  it('and in English', async () => {
    clock = MONDAY_10;
    const u = await resident();
    await toEnglish(u);
    const text = await rejected(u, 91_002);
    expect(text).toContain("call the citizens' service hotline 12345");
  });
});

describe('dates in the case view and on the staff card', () => {
  it('the resident reads days and times in words; staff the compact form; nobody an ISO date', async () => {
    clock = MONDAY_10;
    const u = await resident();
    const { caseId, number } = await fileSuggestion(h, u);
    const view = sentTexts(await u.text(`/case ${number}`))[0] ?? '';
    // Submitted at the database's clock (the real one), said in words all the same.
    expect(view).toMatch(/提交时间：\S*(凌晨|上午|中午|下午|晚上|夜里)\d+点/);
    expect(view).toContain('预计答复：12月14日（星期一）上午10点前');
    expect(view).not.toMatch(ISO_DATE);
    clock = bj('2026-12-13 09:00');
    expect(sentTexts(await u.text(`/case ${number}`))[0]).toContain('预计答复：明天上午10点前');

    await makeStaff(h, 91_003, 'wanshan-neighbourhood');
    const staff = h.user(91_003);
    const card = sentTexts(await staff.press(`st:open:${caseId}`)).join('\n');
    expect(card).toContain('12月14日 10:00');
    expect(card).not.toMatch(ISO_DATE);
  });
});
