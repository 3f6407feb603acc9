// The household file's work statuses through the real bot: the resident keeps them up to date with buttons
// (both languages; forged, stale and stray input), a job-seeking service marks the person it names as
// looking, and /labour shows the district's HR staff and the community's workers the households with labour
// but nobody employed (masked, audited, paged; refused to anyone else).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { householdButtons, labourButton } from '../../src/bot/buttons.ts';
import { createHarness, type Harness, inlineButtons, type SimUser } from '../support/bot-harness.ts';
import { birthDateForAge, makeIdNumber } from '../support/fixtures.ts';
import { addMember, fileJobSeeking, registerResident } from '../support/flows.ts';
import { addWorker } from '../support/seed-residents.ts';
import { makeStaff } from '../support/staff-scene.ts';

let h: Harness;
let nextId = 71_001;
const ADMIN = 71_999;

beforeAll(async () => {
  h = await createHarness({ adminIds: [ADMIN] });
});
afterAll(() => h.close());

async function resident(
  opts: { name?: string; community?: string; building?: string } = {},
): Promise<SimUser> {
  const u = h.user(nextId++);
  await registerResident(u, opts);
  return u;
}
const statusOf = async (u: SimUser) =>
  (await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(u.id) } })).employmentStatus;
const residentIdOf = async (u: SimUser) =>
  (await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(u.id) } })).id;
const alertOf = (calls: Awaited<ReturnType<SimUser['press']>>) =>
  calls.find((c) => c.method === 'answerCallbackQuery')?.payload;

describe('a resident keeps the work status of their household up to date', () => {
  it('in Chinese: the household file shows it, three taps change it, audited', async () => {
    const u = await resident({ name: '杨光明' });
    const wife = await addMember(h, u.id, {
      name: '王小梅',
      relation: 'spouse',
      birthDate: '1984-02-02',
      idNumber: makeIdNumber({ birthDate: '1984-02-02', seq: 711, sex: 'female' }),
    });
    await u.text('/household');
    expect(u.lastText()).toContain('💼 工作情况：\n杨光明：还没填\n王小梅：还没填');
    await u.tap('💼 填工作情况');
    expect(u.lastText()).toBe('要填谁的工作情况？点一下名字。');
    await u.tap('王小梅：还没填');
    expect(u.lastText()).toBe('王小梅现在是什么情况？');
    await u.tap('🚌 在外地打工');
    expect(u.lastText()).toBe('记下了：王小梅，在外地打工。');
    const member = await h.db.householdMember.findUniqueOrThrow({ where: { id: wife } });
    expect(member.employmentStatus).toBe('employed_away');
    const audit = await h.db.auditLog.findFirstOrThrow({
      where: { action: 'employment.set', subject: `member:${wife}` },
    });
    expect(audit.actorTelegramId).toBe(BigInt(u.id));
    expect(audit.detail).toMatchObject({ status: 'employed_away', by: 'resident' });
    // Someone marked looking is offered the job-seeking service as the next step.
    await u.tap('💼 再填一个人');
    await u.tap('杨光明：还没填');
    await u.tap('🔎 在找工作');
    expect(u.lastText()).toBe('记下了：杨光明，在找工作。\n想请社区帮忙找工作，可以点下面的“求职登记”。');
    expect(u.findButton('👷 求职登记')).toBeDefined();
    expect(await statusOf(u)).toBe('looking');
    await u.text('/household');
    expect(u.lastText()).toContain('杨光明：在找工作\n王小梅：在外地打工');
    // The copy of their data says it too.
    const calls = await u.text('/mydata');
    const doc = calls.find((c) => c.method === 'sendDocument')?.payload as
      | { document: { content: string } }
      | undefined;
    expect(doc?.document.content).toContain('💼 工作情况：\n杨光明：在找工作\n王小梅：在外地打工');
  });

  it('in English, with the same buttons', async () => {
    const u = await resident({ name: '杨光明' });
    await u.text('/language');
    await u.tap('English');
    await u.text('/household');
    expect(u.lastText()).toContain('💼 Work:\n杨光明: not given yet');
    await u.tap('💼 Work status');
    expect(u.lastText()).toBe('Whose work status? Tap a name.');
    await u.tap('杨光明: not given yet');
    expect(u.lastText()).toBe('What does 杨光明 do now?');
    await u.tap('🏭 Works locally');
    expect(u.lastText()).toBe('Saved: 杨光明, works locally.');
    expect(await statusOf(u)).toBe('employed_local');
    // A forged person: the alert in English too, nothing written.
    const forged = await u.press(
      householdButtons.employmentSet.pack({
        personId: '00000000-0000-4000-8000-000000000000',
        status: 'looking',
      }),
    );
    expect(alertOf(forged)?.text).toBe(
      'That person is no longer in your household file. Please look at “My household” again.',
    );
    expect(await statusOf(u)).toBe('employed_local');
    // After the switch, no Chinese but the resident's own name.
    const english = u.texts().slice(u.texts().indexOf('OK, I will talk to you in English from now on.'));
    expect(english.join('\n').replaceAll('杨光明', '')).not.toMatch(/\p{Script=Han}/u);
  });

  it('forged, stale and stray input changes nothing', async () => {
    const owner = await resident();
    const ownerId = await residentIdOf(owner);
    const intruder = await resident();
    // Someone else's person: refused as not found (an alert), nothing written.
    const forged = await intruder.press(
      householdButtons.employmentSet.pack({ personId: ownerId, status: 'student' }),
    );
    expect(alertOf(forged)).toMatchObject({
      text: expect.stringContaining('没找到这个人'),
      show_alert: true,
    });
    const picked = await intruder.press(householdButtons.employmentPerson.pack({ personId: ownerId }));
    expect(alertOf(picked)?.text).toContain('没找到这个人');
    expect(await statusOf(owner)).toBeNull();
    // Not a status, not a uuid: not this kind's data at all; a stale button's answer, nothing written.
    await intruder.press(`hh:jobs:${ownerId}:retired`);
    await intruder.press('hh:jobs:not-a-uuid:student');
    expect(await statusOf(owner)).toBeNull();
    expect(await statusOf(intruder)).toBeNull();
    // Someone not registered is offered registration.
    const stranger = h.user(nextId++);
    await stranger.press(householdButtons.employmentSet.pack({ personId: ownerId, status: 'looking' }));
    expect(stranger.lastText()).toBe('还没有登记家庭，先登记一下吧。');
    await stranger.press(householdButtons.employment.pack({}));
    expect(stranger.lastText()).toBe('还没有登记家庭，先登记一下吧。');
    // A sticker or words while the status buttons are showing: the buttons still work afterwards.
    await owner.text('/household');
    await owner.tap('💼 填工作情况');
    await owner.tap(/^杨光明：/);
    await owner.sticker();
    await owner.text('我在上班');
    expect(await statusOf(owner)).toBeNull();
    await owner.tap('🎒 在上学');
    expect(await statusOf(owner)).toBe('student');
    // A member removed meanwhile: the old button says so.
    const kid = await addMember(h, owner.id, {
      name: '周小红',
      relation: 'child',
      birthDate: birthDateForAge(15),
    });
    await owner.text('/household');
    await owner.tap('💼 填工作情况');
    await h.deps.households.removeMember(owner.id, kid);
    const gone = await owner.tap('周小红：还没填');
    expect(alertOf(gone)?.text).toContain('没找到这个人');
  });
});

describe('the job-seeking service marks the person it names as looking', () => {
  it('on filing: the member chosen becomes "looking", audited with the case', async () => {
    const u = await resident();
    const born = birthDateForAge(19);
    const son = await addMember(h, u.id, {
      name: '杨小山',
      relation: 'child',
      birthDate: born,
      sex: 'male',
      idNumber: makeIdNumber({ birthDate: born, seq: 713, sex: 'male' }),
    });
    await fileJobSeeking(u, '杨小山');
    expect(u.lastText()).toMatch(/HRS-\d{4}-\d{6}/);
    const member = await h.db.householdMember.findUniqueOrThrow({ where: { id: son } });
    expect(member.employmentStatus).toBe('looking');
    const c = await h.db.case.findFirstOrThrow({ where: { residentId: await residentIdOf(u) } });
    const audit = await h.db.auditLog.findFirstOrThrow({ where: { action: 'employment.set', caseId: c.id } });
    expect(audit.detail).toMatchObject({
      status: 'looking',
      by: 'service',
      service: 'job_seeking',
      person: 'member',
    });
    // The resident's own status is untouched.
    expect(await statusOf(u)).toBeNull();
  });

  it('another service files without touching anyone\u2019s status', async () => {
    const u = await resident();
    await h.deps.cases.submit(
      u.id,
      'suggestion',
      {
        topic: { value: 'other', label: '其他' },
        content: { value: '多种树', label: '多种树' },
        anonymous: { value: 'named', label: '写上我的名字' },
      },
      `employment:${u.id}`,
    );
    expect(await statusOf(u)).toBeNull();
    expect(
      await h.db.auditLog.count({ where: { action: 'employment.set', actorTelegramId: BigInt(u.id) } }),
    ).toBe(0);
  });
});

describe('/labour: households with labour but nobody employed', () => {
  const HR = 71_901;
  const OTHER_HR = 71_902;
  const WORKER = 71_903;
  const EDU = 71_904;
  let below: SimUser[] = [];

  beforeAll(async () => {
    await makeStaff(h, HR, 'wanshan-human-resources');
    await makeStaff(h, OTHER_HR, 'songtao-human-resources');
    await makeStaff(h, EDU, 'wanshan-education');
    await addWorker(h.db, WORKER, 'wanshan-wangjia');
    // Everyone registered above in Wangjia (the default community) has been given a status or not; mark them
    // all employed so that the list holds only the households made here.
    await h.db.resident.updateMany({ data: { employmentStatus: 'employed_local' } });
    below = [];
    for (let i = 0; i < 9; i++) below.push(await resident({ name: '杨光明' }));
    // In Songtao (another district), also below the line.
    await resident({ community: '世昌社区', building: '2栋' });
  });

  it('HR staff of the district see them, phones masked, eight a page, every page audited', async () => {
    const hr = h.user(HR);
    await hr.text('/labour');
    const first = hr.lastText();
    expect(first).toContain('⚠️ 有劳动力但没人上班的家庭：共 9 户（第 1/2 页）');
    expect(first).toContain('杨光明，138****');
    expect(first).not.toMatch(/1\d{10}/);
    expect(first.match(/^\d+\. 旺家社区/gm)).toHaveLength(8);
    expect(first).toContain('家里 1 人，0 人在找工作，1 人没填工作情况');
    await hr.tap('➡️ 下一页');
    expect(hr.lastText()).toContain('（第 2/2 页）');
    expect(hr.lastText().match(/^\d+\. /gm)).toHaveLength(1);
    const audits = await h.db.auditLog.findMany({
      where: { action: 'pii.view', actorTelegramId: BigInt(HR) },
    });
    expect(audits).toHaveLength(2);
    const subjects = audits.map((a) => a.subject ?? '').join(',');
    for (const u of below) expect(subjects).toContain(`resident:${await residentIdOf(u)}`);
    // A forged page past the end shows the last page.
    await hr.press(labourButton.pack({ page: 99 }));
    expect(hr.lastText()).toContain('（第 2/2 页）');
  });

  it('the community worker sees their community; HR staff of another district see only theirs', async () => {
    const worker = h.user(WORKER);
    await worker.text('/labour');
    expect(worker.lastText()).toContain('共 9 户');
    const other = h.user(OTHER_HR);
    await other.text('/labour');
    expect(other.lastText()).toContain('共 1 户');
    expect(other.lastText()).toContain('世昌社区');
  });

  it('residents and staff of other departments are refused (audited), in their language', async () => {
    const edu = h.user(EDU);
    await edu.text('/labour');
    expect(edu.lastText()).toBe('这个名单只给区人社局的工作人员和社区工作人员看。');
    const u = below[0] as SimUser;
    await u.text('/language');
    await u.tap('English');
    await u.text('/labour');
    expect(u.lastText()).toBe(
      "This list is for the district's human-resources staff and the community's workers.",
    );
    const press = await u.press(labourButton.pack({ page: 0 }));
    expect(alertOf(press)?.show_alert).toBe(true);
    expect(
      await h.db.auditLog.count({ where: { action: 'access.denied', actorTelegramId: BigInt(EDU) } }),
    ).toBeGreaterThan(0);
  });

  it('the community worker can send a notice to job seekers or to the households below the line', async () => {
    const w = h.user(WORKER);
    await w.text('/notice');
    await w.text('园区电子厂招工，周六上午在社区服务中心面试。');
    await w.tap('跳过');
    await w.tap('没有，跳过');
    await w.tap('⚠️ 有劳动力但没人上班的家庭');
    expect(w.texts().at(-2)).toBe('这部分居民一共 9 位。');
    await w.tap('普通通知');
    await w.tap('现在就发');
    expect(w.texts().join('\n')).toContain('有劳动力但没人上班的家庭');
    await w.text('/cancel');
    await w.text('/notice');
    await w.text('技能培训报名开始了。');
    await w.tap('跳过');
    await w.tap('没有，跳过');
    // Only the household whose son filed the job-seeking request has someone looking now.
    await w.tap('👷 家里有人在找工作的');
    expect(w.texts().at(-2)).toBe('这部分居民一共 1 位。');
    await w.text('/cancel');
  });

  it('once someone works, the household leaves the list', async () => {
    const first = below[1] as SimUser;
    await first.text('/household');
    await first.tap('💼 填工作情况');
    await first.tap(/^杨光明：/);
    await first.tap('🏭 在本地上班');
    const hr = h.user(HR);
    await hr.text('/labour');
    expect(hr.lastText()).toContain('共 8 户（第 1/1 页）');
    const buttons = h.calls.at(-1) ? inlineButtons(h.calls.at(-1) as never) : [];
    expect(buttons).toHaveLength(0);
  });
});
