// Job recommendations through the real bot: the HR staff member holding a job seeker's case writes several
// jobs (one short form each, wrong/empty/oversized/stray input re-asked), sends them; the resident is told
// through the outbox, reads them as a list, says "I'm interested" on one (once; forged and stale presses
// change nothing); the staff member is told and sees it on the card. In both languages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobButtons } from '../../src/bot/buttons.ts';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { fileJobSeeking, registerResident } from '../support/flows.ts';
import { type CaseWorkers, caseWorkers, fileSuggestion, makeStaff } from '../support/staff-scene.ts';

let h: Harness;
let workers: CaseWorkers;
let nextId = 74_001;
const HR = 74_901;
const HR_EN = 74_902;

beforeAll(async () => {
  h = await createHarness();
  workers = caseWorkers(h);
  await makeStaff(h, HR, 'wanshan-human-resources', { displayName: '人社小李' });
  await makeStaff(h, HR_EN, 'wanshan-human-resources', { displayName: 'Li' });
});
afterAll(() => h.close());

/** A resident who files a job-seeking request for themselves; resolves to them and the case number. */
async function jobSeeker(): Promise<{ u: SimUser; number: string }> {
  const u = h.user(nextId++);
  await registerResident(u);
  await fileJobSeeking(u, '杨光明');
  const number = /HRS-\d{4}-\d{6}/.exec(u.lastText())?.[0] as string;
  expect(number).toBeDefined();
  return { u, number };
}

const jobsOf = (number: string) =>
  h.db.jobRecommendation.findMany({ where: { case: { number } }, orderBy: { position: 'asc' } });

describe('in Chinese', () => {
  it('writes two jobs, sends them; the resident reads them and is interested in one; staff are told', async () => {
    const { u, number } = await jobSeeker();
    const staff = h.user(HR);
    await staff.text('/next');
    await workers.drain();
    await staff.tap('👷 推荐工作');
    expect(staff.texts().at(-2)).toContain(`给 ${number} 推荐工作`);
    expect(staff.lastText()).toContain('第 1 份工作：是哪个单位');
    // Wrong input at every step: a sticker, empty, over-long, a stray button.
    expect(sentTexts(await staff.sticker()).join('\n')).toMatch(/打字|文字/);
    await staff.text('   ');
    expect(staff.lastText()).toContain('请写单位名称。');
    await staff.text('厂'.repeat(61));
    expect(staff.lastText()).toContain('写短一点，不超过 60 个字。');
    // A forged or outdated button of the form: an alert, and the question stays.
    const stale = await staff.press('f:999:c:0');
    expect(stale.find((c) => c.method === 'answerCallbackQuery')?.payload.show_alert).toBe(true);
    expect(staff.lastText()).toContain('第 1 份工作：是哪个单位');
    await staff.text('万山园区电子厂');
    await staff.text('钱'.repeat(41));
    expect(staff.lastText()).toContain('不超过 40 个字');
    await staff.text('每月3500元，包吃住');
    await staff.text('万山工业园3号厂房');
    await staff.text('');
    expect(staff.lastText()).toContain('请写联系方式。');
    await staff.text('李经理 13800000000');
    expect(staff.lastText()).toContain('第 1 份工作\n🏢 单位：万山园区电子厂\n💰 工资：每月3500元，包吃住');
    await staff.tap('下一步');
    expect(staff.lastText()).toContain('已经填好 1 份。接下来？');
    await staff.tap('➕ 再加一份');
    expect(staff.lastText()).toContain('第 2 份工作：是哪个单位');
    await staff.text('社区扶贫车间');
    await staff.text('计件，每天80到120元');
    await staff.text('旺家社区5栋一楼');
    await staff.text('王主任 13900000000');
    await staff.tap('下一步');
    await staff.tap('📤 发给居民（2 份）');
    expect(staff.lastText()).toBe(`✅ 已经把 2 份工作发给 ${number} 的居民。居民点“有兴趣”时会告诉您。`);
    const jobs = await jobsOf(number);
    expect(jobs.map((j) => j.position)).toEqual([1, 2]);
    // Encrypted: no word of the job in the row.
    expect(Buffer.from(jobs[0]?.jobCipher as Uint8Array).toString('utf8')).not.toContain('电子厂');
    expect(await h.db.auditLog.count({ where: { action: 'case.jobs_recommended' } })).toBeGreaterThan(0);

    await workers.drain();
    expect(u.lastText()).toContain('👷 工作人员给您推荐了工作');
    await u.tap('👷 看推荐的工作');
    const list = u.texts().slice(-4);
    expect(list[0]).toBe(`👷 给您推荐的工作（${number}），共 2 份：`);
    expect(list[1]).toBe(
      '第 1 份工作\n🏢 单位：万山园区电子厂\n💰 工资：每月3500元，包吃住\n📍 地点：万山工业园3号厂房\n☎️ 联系：李经理 13800000000',
    );
    expect(list[3]).toContain('对哪份有兴趣，就点那份下面的“我有兴趣”');
    await u.tap('👍 我有兴趣');
    // The latest "I'm interested" is the second job's.
    expect(u.lastText()).toBe(
      '好的，已经告诉工作人员：您对第 2 份工作（社区扶贫车间）有兴趣。他们会联系您。',
    );
    const again = await u.press(
      jobButtons.interested.pack({ jobId: (await jobsOf(number))[1]?.id as string }),
    );
    expect(again.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('已经说过');
    const stored = await jobsOf(number);
    expect(stored.map((j) => j.interestedAt !== null)).toEqual([false, true]);
    // Their copy of their data lists the jobs and their interest.
    const copy = (await u.text('/mydata')).find((c) => c.method === 'sendDocument')?.payload as
      | { document: { content: string } }
      | undefined;
    expect(copy?.document.content).toContain('👷 推荐的工作（2 份）：');
    expect(copy?.document.content).toContain(
      '2. 社区扶贫车间，计件，每天80到120元，旺家社区5栋一楼，王主任 13900000000（您说了有兴趣）',
    );
    // The request's own view leads to the list again, the one they were interested in marked.
    await u.text(`/case ${number}`);
    await u.tap('👷 看推荐的工作（2 份）');
    expect(u.texts().at(-2)).toContain('第 2 份工作\n🏢 单位：社区扶贫车间');
    expect(u.texts().at(-2)).toContain('✅ 您说了有兴趣');

    await workers.drain();
    expect(staff.lastText()).toBe(`👍 居民对 ${number}（👷 求职登记）推荐的第 2 份工作有兴趣，请联系居民。`);
    await staff.tap('📋 打开');
    expect(staff.lastText()).toContain('👷 推荐的工作（2 份）：');
    expect(staff.lastText()).toContain(
      '2. 社区扶贫车间，计件，每天80到120元，旺家社区5栋一楼，王主任 13900000000 👍 居民有兴趣',
    );
    expect(staff.lastText()).not.toContain(
      '1. 万山园区电子厂，每月3500元，包吃住，万山工业园3号厂房，李经理 13800000000 👍',
    );
  });

  it('"don\u2019t send" keeps nothing; another resident, another department or a wrong case are refused', async () => {
    const { u, number } = await jobSeeker();
    const staff = h.user(HR);
    await staff.text('/next');
    await staff.tap('👷 推荐工作');
    await staff.text('万山园区电子厂');
    await staff.text('每月3500元');
    await staff.text('万山工业园');
    await staff.text('李经理 13800000000');
    await staff.tap('下一步');
    await staff.tap('✖️ 不发了');
    expect(staff.lastText()).toBe('没有发，填的工作没有保存。');
    expect(await jobsOf(number)).toHaveLength(0);

    const c = await h.db.case.findFirstOrThrow({ where: { number } });
    // Staff of another department, and a resident, pressing the staff's button.
    await makeStaff(h, 74_950, 'wanshan-education');
    const edu = h.user(74_950);
    await edu.press(jobButtons.write.pack({ caseId: c.id }));
    expect(edu.lastText()).toBe('找不到这件事，或者您不是这个部门的工作人员。');
    await u.press(jobButtons.write.pack({ caseId: c.id }));
    expect(u.lastText()).toBe('找不到这件事，或者您不是这个部门的工作人员。');
    // A case that is not job seeking cannot take jobs, even for its own staff.
    const other = await fileSuggestion(h, u);
    await staff.press(jobButtons.write.pack({ caseId: other.caseId }));
    expect(staff.lastText()).toBe('找不到这件事，或者您不是这个部门的工作人员。');
    // Someone else's list, and a forged job, are refused as not found.
    const stranger = h.user(nextId++);
    const peek = await stranger.press(jobButtons.list.pack({ caseId: c.id }));
    expect(peek.find((x) => x.method === 'answerCallbackQuery')?.payload.text).toContain('找不到这份工作了');
    const forged = await u.press(
      jobButtons.interested.pack({ jobId: '00000000-0000-4000-8000-000000000000' }),
    );
    expect(forged.find((x) => x.method === 'answerCallbackQuery')?.payload.text).toContain(
      '找不到这份工作了',
    );
    // The resident's own list, with nothing recommended yet.
    await u.press(jobButtons.list.pack({ caseId: c.id }));
    expect(u.lastText()).toBe('这件事还没有推荐的工作。有了会马上告诉您。');
  });

  it('a job interesting the resident after the case closed is refused', async () => {
    const { u, number } = await jobSeeker();
    const staff = h.user(HR);
    await staff.text('/next');
    const c = await h.db.case.findFirstOrThrow({ where: { number } });
    const sent = await h.deps.jobOffers.recommend(HR, c.id, [
      { employer: '万山园区电子厂', pay: '每月3500元', place: '万山工业园', contact: '李经理 13800000000' },
    ]);
    expect(sent).toEqual({ ok: true, value: { positions: [1] } });
    // Oversized and empty jobs are refused by the use case whatever a front end sends.
    for (const bad of [
      [],
      [{ employer: '', pay: 'x', place: 'x', contact: 'x' }],
      Array(11).fill({ employer: 'a', pay: 'b', place: 'c', contact: 'd' }),
    ])
      expect(await h.deps.jobOffers.recommend(HR, c.id, bad)).toEqual({ ok: false, error: 'invalid' });
    await h.db.case.update({ where: { id: c.id }, data: { status: 'closed' } });
    const job = (await jobsOf(number))[0];
    const late = await u.press(jobButtons.interested.pack({ jobId: job?.id as string }));
    expect(late.find((x) => x.method === 'answerCallbackQuery')?.payload.text).toContain('已经办完了');
    expect((await jobsOf(number))[0]?.interestedAt).toBeNull();
    // Erasing their data takes the jobs recommended to them with it.
    await u.text('/deleteme');
    await u.tap('确定删除');
    expect(await jobsOf(number)).toHaveLength(0);
  });
});

describe('in English', () => {
  it('the staff form, the resident\u2019s list and "I\u2019m interested"', async () => {
    const { u, number } = await jobSeeker();
    await u.text('/language');
    await u.tap('English');
    const staff = h.user(HR_EN);
    await staff.text('/language');
    await staff.tap('English');
    await staff.text('/next');
    await staff.tap('👷 Recommend jobs');
    expect(staff.lastText()).toContain('Job 1: which employer');
    await staff.text(' ');
    expect(staff.lastText()).toContain("Please write the employer's name.");
    await staff.text('Wanshan Electronics');
    await staff.text('x'.repeat(41));
    expect(staff.lastText()).toContain('Please keep it under 40 characters.');
    await staff.text('3,500 yuan a month');
    await staff.text('Wanshan industrial park');
    await staff.text('Mr Li 13800000000');
    await staff.tap('Next');
    await staff.tap('📤 Send to the resident (1)');
    expect(staff.lastText()).toBe(
      `✅ 1 jobs sent to the resident of ${number}. You will be told when they are interested.`,
    );
    await workers.drain();
    expect(u.lastText()).toContain('👷 Staff have recommended some jobs for you');
    await u.tap('👷 See the jobs');
    expect(u.texts().at(-2)).toBe(
      'Job 1\n🏢 Employer: Wanshan Electronics\n💰 Pay: 3,500 yuan a month\n📍 Place: Wanshan industrial park\n☎️ Contact: Mr Li 13800000000',
    );
    const forged = await u.press(
      jobButtons.interested.pack({ jobId: '00000000-0000-4000-8000-000000000000' }),
    );
    expect(forged.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toBe(
      'That job is no longer there. Please look in “My requests”.',
    );
    await u.tap("👍 I'm interested");
    expect(u.lastText()).toBe(
      'Done: the staff know you are interested in job 1 (Wanshan Electronics). They will get in touch.',
    );
    await workers.drain();
    expect(staff.lastText()).toBe(
      `👍 The resident of ${number} (👷 Job seeking) is interested in job 1 you recommended. Please get in touch.`,
    );
  });
});
