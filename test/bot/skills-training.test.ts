// Skills training sign-up (技能培训报名) as shipped: reference/services/8-skills_training.json, no TypeScript of
// its own; the courses come from the reference data (reference/tongren.json, `courses`). Through the real
// update path in both languages: only people of 16 to 60, only the district's courses not started yet with a
// seat left, wrong input at every step gets a plain answer and the question again, a course that filled up
// while the resident was filling in is said so and the others offered, nothing to offer points elsewhere, and
// the case goes to the district's human-resources window due in 5 working days with the course in the card.
// Two residents taking the last seat at once: one gets it, the other is refused (real PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHarness,
  type Harness,
  inlineButtons,
  type SimUser,
  sentTexts,
} from '../support/bot-harness.ts';
import { child, elder, makeIdNumber } from '../support/fixtures.ts';
import { registerResident } from '../support/flows.ts';
import { workingAgeHousehold, wrongInputs } from '../support/service-form-scene.ts';
import { makeStaff } from '../support/staff-scene.ts';

let h: Harness;
// Monday 7 December 2026, 10:00 in Beijing: five working days later is Monday 14 December.
const monday = new Date('2026-12-07T10:00:00+08:00');
const han = /\p{Script=Han}/u;
let nextId = 77_001;
const HR = 77_900;
const SEWING = 'wanshan-sewing-2701';
const ELECTRICIAN = 'wanshan-electrician-2701';
const HOUSEKEEPING = 'tr-housekeeping-2612';

beforeAll(async () => {
  h = await createHarness({ now: () => monday });
  await makeStaff(h, HR, 'wanshan-human-resources', { displayName: '人社小李' });
});
afterAll(() => h.close());

/** The callback data of the last question's first choice, e.g. `f:12:c:0`. */
function lastChoiceData(u: SimUser): string {
  for (let i = h.calls.length - 1; i >= 0; i--) {
    const call = h.calls[i];
    if (!call || Number(call.payload.chat_id) !== u.id) continue;
    const data = inlineButtons(call)
      .map((b) => b.callback_data ?? '')
      .find((d) => /^f:\d+:c:0$/.test(d));
    if (data) return data;
  }
  throw new Error('no question with choices in the chat');
}

/** Another resident of Wangjia signs up for `course` through the use case (their answers as the form gives). */
async function signUpElsewhere(course: string) {
  const other = h.user(nextId++);
  await registerResident(other);
  const r = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(other.id) } });
  return h.deps.cases.submit(
    other.id,
    'skills_training',
    {
      person: { value: r.id, label: r.name },
      course: { value: course, label: course },
      attend: { value: 'daily', label: 'daily' },
      phone: { value: 'registered', label: 'registered' },
    },
    `test:${other.id}:skills`,
  );
}

describe('skills training sign-up, in Chinese', () => {
  it('offers people of 16 to 60 and open courses, re-asks wrong input, re-offers when the course fills up', async () => {
    const { u, daughter } = await workingAgeHousehold(h, nextId++, 'zh');
    await u.text('/services');
    await u.tap('🧰 技能培训报名');
    expect(u.lastText()).toContain('家里谁要参加培训？');
    expect(u.findButton('杨光明')).toBeDefined();
    expect(u.findButton('杨小梅')).toBeDefined();
    expect(u.findButton(elder.name)).toBeUndefined();
    expect(u.findButton(child.name)).toBeUndefined();
    await wrongInputs(u, 'zh', '家里谁要参加培训？');
    await u.tap('杨小梅');

    // Wanshan's courses not started yet, soonest first, each with its dates, place and seats left; not the
    // pastry course (started on 23 November) nor Bijiang's or Songtao's own.
    const question = u.lastText();
    expect(question).toContain('报哪个培训班？');
    expect(question).toContain(
      '• 家政服务员培训班：12月14日（星期一）到12月25日（星期五），在铜仁职业技术学院继续教育楼，还有 25 个名额',
    );
    expect(question).toContain('• 缝纫工培训班：2027年1月11日（星期一）到2027年1月29日（星期五）');
    expect(question).toContain('• 电工培训班：');
    for (const gone of ['中式面点', '电商直播', '苗绣']) {
      expect(question).not.toContain(gone);
      expect(u.findButton(new RegExp(gone))).toBeUndefined();
    }
    await wrongInputs(u, 'zh', '报哪个培训班？');
    // A forged button past the list (where a full or started course would be): an alert, the question stays.
    const forged = await u.press(lastChoiceData(u).replace(/:c:0$/, ':c:3'));
    expect(forged.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({
      show_alert: true,
    });
    await u.tap('电工培训班');

    expect(u.lastText()).toContain('怎么去上课？');
    await wrongInputs(u, 'zh', '怎么去上课？');
    await u.tap('需要坐接送车');

    expect(u.lastText()).toContain('培训班打哪个电话找您？');
    expect(sentTexts(await u.text('12345')).join('\n')).toContain('11 位手机号');
    expect(sentTexts(await u.sticker()).length).toBeGreaterThan(0);
    await u.text('13912345678');

    const summary = u.lastText();
    for (const line of ['参加培训的人：杨小梅', '培训班：电工培训班', '怎么去上课：需要坐接送车'])
      expect(summary).toContain(line);

    // Meanwhile the electrician course's last seat goes to someone else.
    const taken = await h.db.case.count({ where: { courseCode: ELECTRICIAN } });
    await h.db.course.update({ where: { code: ELECTRICIAN }, data: { seats: taken + 1 } });
    expect((await signUpElsewhere(ELECTRICIAN)).ok).toBe(true);
    await u.tap('✅ 对的，提交');
    expect(u.texts().join('\n')).toContain(
      '真不巧，“电工培训班”刚刚被别人报满了。请换一个培训班，别的都给您留着。',
    );
    expect(u.lastText()).toContain('报哪个培训班？');
    expect(u.lastText()).toContain('• 缝纫工培训班：');
    expect(u.lastText()).not.toContain('电工培训班');
    await u.tap('缝纫工培训班');
    expect(u.lastText()).toContain('培训班：缝纫工培训班');
    expect(u.lastText()).toContain('参加培训的人：杨小梅');
    await u.tap('✅ 对的，提交');

    const confirmation = u.texts().join('\n');
    expect(confirmation).toMatch(/编号：HRS-\d{4}-\d{6}/);
    expect(confirmation).toContain('一寸照片 2 张');
    const c = await h.db.case.findFirstOrThrow({
      where: { serviceCode: 'skills_training', telegramId: BigInt(u.id) },
    });
    expect(c.departmentCode).toBe('wanshan-human-resources');
    expect(c.courseCode).toBe(SEWING);
    expect(c.dueAt.toISOString()).toBe(new Date('2026-12-14T18:00:00+08:00').toISOString());
    expect(await h.db.case.count({ where: { courseCode: ELECTRICIAN } })).toBe(taken + 1);
    expect(daughter).toBeTruthy();

    // The human-resources window sees who and which course on the card.
    const card = sentTexts(await h.user(HR).press(`st:open:${c.id}`)).join('\n');
    expect(card).toContain('技能培训报名');
    expect(card).toContain('杨小梅');
    expect(card).toContain('缝纫工培训班');
    expect(card).toContain('需要坐接送车');
  });

  it('nobody of 16 to 60 in the household: the question says so and where to add people', async () => {
    const u = h.user(nextId++);
    await registerResident(u, {
      birthDate: '1950-01-10',
      idNumber: makeIdNumber({ birthDate: '1950-01-10', seq: 812 }),
    });
    await u.text('/services');
    await u.tap('🧰 技能培训报名');
    expect(u.lastText()).toContain('家里没有 16 到 60 岁的人。');
    expect(await h.db.case.count({ where: { telegramId: BigInt(u.id) } })).toBe(0);
  });

  it('no course open: says so plainly, points to job seeking and the window, and files nothing', async () => {
    const { u } = await workingAgeHousehold(h, nextId++, 'zh');
    const open = await h.db.course.findMany({ where: { active: true }, select: { code: true, seats: true } });
    // Every course of the district full (no seat) or started.
    await h.db.course.updateMany({ where: { code: { in: [SEWING, ELECTRICIAN] } }, data: { seats: 0 } });
    await h.db.course.update({
      where: { code: HOUSEKEEPING },
      data: { startsOn: new Date('2026-12-07T00:00:00Z') },
    });
    try {
      await u.text('/services');
      await u.tap('🧰 技能培训报名');
      await u.tap('杨光明');
      expect(u.lastText()).toContain('现在没有能报名的培训班（都已经开课或者报满了）。');
      expect(u.lastText()).toContain('“👷 求职登记”');
      expect(u.lastText()).toContain('人社窗口');
      await u.tap('好的');
      expect(u.lastText()).toContain('这次没有报名。');
      expect(u.findButton(/主菜单/)).toBeDefined();
      expect(await h.db.case.count({ where: { telegramId: BigInt(u.id) } })).toBe(0);
    } finally {
      for (const c of open) await h.db.course.update({ where: { code: c.code }, data: { seats: c.seats } });
      await h.db.course.update({
        where: { code: HOUSEKEEPING },
        data: { startsOn: new Date('2026-12-14T00:00:00Z') },
      });
    }
  });
});

describe('skills training sign-up, in English', () => {
  it('the same steps, every reply in English, the course named in English', async () => {
    const { u } = await workingAgeHousehold(h, nextId++, 'en');
    await u.text('/services');
    await u.tap('🧰 Skills training sign-up');
    expect(u.lastText()).toContain('Who in the household will take the course?');
    expect(u.findButton(elder.name)).toBeUndefined();
    await wrongInputs(u, 'en', 'Who in the household will take the course?');
    await u.tap('杨光明');
    const question = u.lastText();
    expect(question).toContain('Which course? They are all free.');
    expect(question).toContain('• Housekeeping course: ');
    expect(question).toContain('places left');
    expect(question).not.toMatch(han);
    await wrongInputs(u, 'en', 'Which course?');
    await u.tap('Housekeeping course');
    await wrongInputs(u, 'en', 'How will you get to the classes?');
    await u.tap("It's far: I need a place to stay");
    expect(u.lastText()).toContain('Which phone should the course call?');
    for (const s of sentTexts(await u.text('12345'))) expect(s).not.toMatch(han);
    await u.text('13912345678');
    const summary = u.lastText();
    expect(summary).toContain('Course: Housekeeping course');
    expect(summary).toContain("Getting there: It's far: I need a place to stay");
    await u.tap('✅ Correct, submit');
    expect(u.texts().join('\n')).toMatch(/Number: HRS-\d{4}-\d{6}/);
    const c = await h.db.case.findFirstOrThrow({
      where: { serviceCode: 'skills_training', telegramId: BigInt(u.id) },
    });
    expect(c.courseCode).toBe(HOUSEKEEPING);
  });
});

describe('skills training sign-up, the use case', () => {
  it('two residents taking the last seat at once: one gets it, the other is told the course is full', async () => {
    const taken = await h.db.case.count({ where: { courseCode: SEWING } });
    await h.db.course.update({ where: { code: SEWING }, data: { seats: taken + 1 } });
    const results = await Promise.all([signUpElsewhere(SEWING), signUpElsewhere(SEWING)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? null : r.error))).toEqual(['course_full']);
    expect(await h.db.case.count({ where: { courseCode: SEWING } })).toBe(taken + 1);
    // A withdrawn sign-up frees its seat.
    const winner = results.find((r) => r.ok);
    if (!winner?.ok) throw new Error('no winner');
    await h.db.case.update({ where: { id: winner.value.caseId }, data: { status: 'withdrawn' } });
    expect((await signUpElsewhere(SEWING)).ok).toBe(true);
    await h.db.course.update({ where: { code: SEWING }, data: { seats: 30 } });
  });

  it('refuses a started course, another district’s course, and a person outside 16 to 60', async () => {
    await h.db.course.update({
      where: { code: HOUSEKEEPING },
      data: { startsOn: new Date('2026-12-07T00:00:00Z') },
    });
    try {
      const r = await signUpElsewhere(HOUSEKEEPING);
      expect(r.ok ? null : r.error).toBe('course_closed');
    } finally {
      await h.db.course.update({
        where: { code: HOUSEKEEPING },
        data: { startsOn: new Date('2026-12-14T00:00:00Z') },
      });
    }
    const bijiang = await signUpElsewhere('bijiang-ecommerce-2701');
    expect(bijiang.ok ? null : bijiang.error).toBe('invalid');

    const old = h.user(nextId++);
    await registerResident(old, {
      birthDate: '1950-01-10',
      idNumber: makeIdNumber({ birthDate: '1950-01-10', seq: 813 }),
    });
    const r = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(old.id) } });
    const tooOld = await h.deps.cases.submit(
      old.id,
      'skills_training',
      {
        person: { value: r.id, label: r.name },
        course: { value: SEWING, label: SEWING },
        attend: { value: 'daily', label: 'daily' },
        phone: { value: 'registered', label: 'registered' },
      },
      `test:${old.id}:skills`,
    );
    expect(tooOld.ok ? null : tooOld.error).toBe('invalid');
  });
});
