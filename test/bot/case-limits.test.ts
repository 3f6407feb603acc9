// The limits one resident meets (src/domain/abuse-limits.ts): at most MAX_OPEN_CASES_PER_SERVICE open cases
// of one service, and MAX_URGENT_CASES_PER_DAY urgent medical cases per Beijing day — each of which pages
// every on-duty staff member. At the limit it works; over it the resident is told kindly what to do instead,
// nothing is written and nobody is paged; two submissions at once cannot both pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OPEN_CASES_PER_SERVICE, MAX_URGENT_CASES_PER_DAY } from '../../src/domain/abuse-limits.ts';
import { createHarness, type Harness, type SimUser } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';

let h: Harness;
let clock = new Date('2026-12-07T02:00:00Z'); // 10:00 in Beijing
let nextUser = 66_000;
let key = 0;

beforeAll(async () => {
  h = await createHarness({ now: () => clock });
  await h.db.staffMember.create({
    data: {
      telegramId: 76_001n,
      role: 'staff',
      departmentCode: 'wanshan-health',
      displayName: '值班医生',
      onDuty: true,
    },
  });
});
afterAll(() => h.close());

async function resident(): Promise<SimUser> {
  const u = h.user(nextUser++);
  await registerResident(u);
  return u;
}

const suggestion = (u: SimUser) =>
  h.deps.cases.submit(
    u.id,
    'suggestion',
    {
      topic: { value: 'safety', label: '安全' },
      content: { value: '楼道的灯坏了', label: '楼道的灯坏了' },
      anonymous: { value: 'named', label: '写上我的名字' },
    },
    `limits-test:${u.id}:${key++}`,
  );

async function medical(u: SimUser, careType: 'emergency' | 'outpatient') {
  const r = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(u.id) } });
  return h.deps.cases.submit(
    u.id,
    'medical_green_channel',
    careType === 'emergency'
      ? {
          emergency: { value: 'yes', label: '是，很急' },
          patient: { value: r.id, label: r.name },
          hospital: { value: 'ws-peoples', label: '万山区人民医院' },
          phone: { value: 'registered', label: '登记的手机号' },
        }
      : {
          emergency: { value: 'no', label: '不是急病' },
          careType: { value: careType, label: careType },
          patient: { value: r.id, label: r.name },
          hospital: { value: 'ws-peoples', label: '万山区人民医院' },
          description: { value: '胸口疼', label: '胸口疼' },
          poorHousehold: { value: 'neither', label: '都不是' },
          phone: { value: 'registered', label: '登记的手机号' },
        },
    `limits-test:${u.id}:${key++}`,
  );
}

const casesOf = (u: SimUser) => h.db.case.count({ where: { telegramId: BigInt(u.id) } });
const pages = () => h.db.notification.count({ where: { kind: 'staff.urgent_case' } });

describe('open cases per resident and service', () => {
  it(`${MAX_OPEN_CASES_PER_SERVICE} open of one service are fine; one more is refused until one is done`, async () => {
    const u = await resident();
    for (let i = 0; i < MAX_OPEN_CASES_PER_SERVICE; i++) expect((await suggestion(u)).ok).toBe(true);
    const over = await suggestion(u);
    expect(over).toEqual({ ok: false, error: 'too_many_open' });
    expect(await casesOf(u)).toBe(MAX_OPEN_CASES_PER_SERVICE);
    // Another service is not affected.
    expect((await medical(u, 'outpatient')).ok).toBe(true);
    // Once one is withdrawn, a new one is taken.
    const first = await h.db.case.findFirstOrThrow({
      where: { telegramId: BigInt(u.id), serviceCode: 'suggestion' },
    });
    expect((await h.deps.cases.withdraw(u.id, first.id)).ok).toBe(true);
    expect((await suggestion(u)).ok).toBe(true);
    expect(await suggestion(u)).toEqual({ ok: false, error: 'too_many_open' });
  });

  it('submissions at the same time cannot pass the limit together', async () => {
    const u = await resident();
    const results = await Promise.all(Array.from({ length: 6 }, () => suggestion(u)));
    expect(results.filter((r) => r.ok)).toHaveLength(MAX_OPEN_CASES_PER_SERVICE);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error)).toEqual(
      Array(6 - MAX_OPEN_CASES_PER_SERVICE).fill('too_many_open'),
    );
    expect(await casesOf(u)).toBe(MAX_OPEN_CASES_PER_SERVICE);
  });

  it('a repeated submission (same key) still finds its case at the limit', async () => {
    const u = await resident();
    for (let i = 0; i < MAX_OPEN_CASES_PER_SERVICE - 1; i++) await suggestion(u);
    const input = {
      topic: { value: 'safety', label: '安全' },
      content: { value: '路灯', label: '路灯' },
      anonymous: { value: 'named', label: '写上我的名字' },
    };
    const twice = await Promise.all([
      h.deps.cases.submit(u.id, 'suggestion', input, `limits-test:same:${u.id}`),
      h.deps.cases.submit(u.id, 'suggestion', input, `limits-test:same:${u.id}`),
    ]);
    expect(twice.every((r) => r.ok)).toBe(true);
    expect(new Set(twice.map((r) => r.ok && r.value.caseId)).size).toBe(1);
    const again = await h.deps.cases.submit(u.id, 'suggestion', input, `limits-test:same:${u.id}`);
    expect(again.ok && again.value.created).toBe(false);
  });

  it('the resident is told kindly, in the bot', async () => {
    const u = await resident();
    for (let i = 0; i < MAX_OPEN_CASES_PER_SERVICE; i++) await suggestion(u);
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('环境卫生');
    await u.text('楼下的垃圾没人收');
    await u.tap(/跳过/);
    await u.tap('写上我的名字');
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toContain(`已经有 ${MAX_OPEN_CASES_PER_SERVICE} 件还在办`);
    expect(u.lastText()).toContain('/mycases');
    expect(await casesOf(u)).toBe(MAX_OPEN_CASES_PER_SERVICE);
  });
});

describe('urgent medical cases per resident per day', () => {
  it(`${MAX_URGENT_CASES_PER_DAY} emergencies a day page the on-duty staff; the next is refused and pages nobody`, async () => {
    const u = await resident();
    const before = await pages();
    for (let i = 0; i < MAX_URGENT_CASES_PER_DAY; i++) {
      const r = await medical(u, 'emergency');
      expect(r.ok && r.value.priority).toBe('urgent');
      // Each closed at once: the daily limit counts urgent cases submitted today, open or not.
      if (r.ok) await h.deps.cases.withdraw(u.id, r.value.caseId);
    }
    expect(await pages()).toBe(before + MAX_URGENT_CASES_PER_DAY);
    expect(await medical(u, 'emergency')).toEqual({ ok: false, error: 'too_many_urgent' });
    expect(await pages()).toBe(before + MAX_URGENT_CASES_PER_DAY);
    // An outpatient visit is still taken the same day.
    expect((await medical(u, 'outpatient')).ok).toBe(true);
    // The next Beijing day (00:30 Beijing time): urgent again.
    clock = new Date('2026-12-07T16:30:00Z');
    expect((await medical(u, 'emergency')).ok).toBe(true);
    expect(await pages()).toBe(before + MAX_URGENT_CASES_PER_DAY + 1);
    clock = new Date('2026-12-07T02:00:00Z');
  });

  it('over the limit in the bot: call 120, or the community', async () => {
    const u = await resident();
    for (let i = 0; i < MAX_URGENT_CASES_PER_DAY; i++) {
      const r = await medical(u, 'emergency');
      if (r.ok) await h.deps.cases.withdraw(u.id, r.value.caseId);
    }
    const before = await pages();
    await u.text('/services');
    await u.tap('🏥 看病绿色通道');
    await u.tap('🚑 是，很急');
    await u.tap('杨光明');
    await u.tap('万山区人民医院');
    await u.tap(/用登记的手机号/);
    await u.tap('✅ 对的，提交');
    const said = u.lastText();
    expect(said).toContain('120');
    expect(said).toContain('社区');
    expect(said).toContain(`已经报过 ${MAX_URGENT_CASES_PER_DAY} 次急诊`);
    expect(await pages()).toBe(before);
    expect(await h.db.case.count({ where: { telegramId: BigInt(u.id), status: { not: 'withdrawn' } } })).toBe(
      0,
    );
  });
});
