// The catalogue is data: a test-only service (finding work at the human-resources window) exists here only as a
// catalogue entry and a locale section, and works end to end. Routing and due times follow the resident's
// district, the working-day calendar and the service's rules.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readLocaleResources } from '../../src/bot/i18n.ts';
import {
  createCatalogue,
  DEFAULT_SERVICES,
  type ServiceDefinition,
} from '../../src/domain/catalogue/index.ts';
import { createHarness, type Harness } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';

const jobSeeking: ServiceDefinition = {
  code: 'find_work',
  version: 1,
  hash: 'test',
  retired: false,
  source: null,
  texts: { 'zh-CN': {}, en: {} },
  departmentKind: 'human_resources',
  due: { workingDays: 3 },
  documents: [],
  steps: [
    { id: 'trade', kind: 'choice', options: ['construction', 'factory', 'cleaning'], columns: 1 },
    { id: 'experience', kind: 'text', schema: z.string().trim().min(1).max(200), maxLength: 200 },
  ],
};

const jobTexts = (zh: boolean) => ({
  find_work: {
    name: zh ? '👷 找工作' : '👷 Find a job',
    fields: { trade: zh ? '想做的工作' : 'Trade', experience: zh ? '工作经历' : 'Experience' },
    steps: {
      trade: {
        prompt: zh ? '想找什么工作？' : 'What kind of work?',
        options: zh
          ? { construction: '建筑工地', factory: '工厂', cleaning: '保洁' }
          : { construction: 'Building site', factory: 'Factory', cleaning: 'Cleaning' },
      },
      experience: { prompt: zh ? '以前做过什么工作？' : 'What work have you done before?' },
    },
  },
});

describe('a service that is only a catalogue entry and a locale section', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({
      services: [...DEFAULT_SERVICES, jobSeeking],
      extraLocales: { 'zh-CN': { services: jobTexts(true) }, en: { services: jobTexts(false) } },
    });
  });
  afterAll(() => h.close());

  it('appears in the menu, asks its questions, and is routed to the human-resources window of the district', async () => {
    const u = h.user(60_001);
    await registerResident(u, { community: '世昌社区', building: '2栋', unit: '1 单元' });
    await u.text('/services');
    await u.tap('👷 找工作');
    await u.tap('工厂');
    await u.text('在广东电子厂做过三年');
    expect(u.lastText()).toContain('想做的工作：工厂');
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toMatch(/编号：HRS-\d{4}-\d{6}/);
    const c = await h.db.case.findFirstOrThrow({ where: { serviceCode: 'find_work' } });
    expect(c.departmentCode).toBe('songtao-human-resources');
  });
});

describe('routing and due times', () => {
  let h: Harness;
  // Friday 25 September 2026, 10:00 in Beijing: the Mid-Autumn and National Day holidays follow.
  const friday = new Date('2026-09-25T10:00:00+08:00');
  beforeAll(async () => {
    h = await createHarness({ now: () => friday });
  });
  afterAll(() => h.close());

  it('a case filed on the Friday before the holidays is due on the fifth working day after them', async () => {
    const u = h.user(61_001);
    await registerResident(u, { community: '矮屯社区', building: '2栋', unit: '1 单元' });
    const child = await h.deps.households.addMember(u.id, {
      name: '何小妹',
      relation: 'child',
      sex: 'female',
      birthDate: '2019-05-05',
      idNumber: null,
    });
    if (!child.ok) throw new Error(child.error);
    const r = await h.deps.cases.submit(
      u.id,
      'school_enrolment',
      {
        child: { value: child.value.memberId, label: '何小妹' },
        stage: { value: 'primary_2', label: '小学二年级' },
        school: { value: 'nearest', label: '就近安排' },
        guardianConsent: { value: 'agree', label: '同意' },
      },
      `test:${u.id}:friday`,
    );
    expect(r.ok).toBe(true);
    // Mon 28, Tue 29, Wed 30 September; 1–7 October are holidays; Thu 8, Fri 9 October.
    expect(r.ok && r.value.dueAt).toBe(new Date('2026-10-09T18:00:00+08:00').toISOString());
    expect(r.ok && r.value.number).toMatch(/^EDU-2026-\d{6}$/);
    const c = await h.db.case.findFirstOrThrow({
      where: { residentId: { not: null }, serviceCode: 'school_enrolment' },
    });
    expect(c.departmentCode).toBe('bijiang-education');
  });

  it('a suggestion is due in seven calendar days; case numbers count up per department and year', async () => {
    const u = h.user(61_002);
    await registerResident(u, { community: '矮屯社区', building: '3栋', unit: '1 单元' });
    const answers = {
      topic: { value: 'other', label: '其他' },
      content: { value: '多种树', label: '多种树' },
      anonymous: { value: 'named', label: '写上我的名字' },
    };
    const a = await h.deps.cases.submit(u.id, 'suggestion', answers, `test:${u.id}:a`);
    const b = await h.deps.cases.submit(u.id, 'suggestion', answers, `test:${u.id}:b`);
    if (!a.ok || !b.ok) throw new Error('submit failed');
    expect(a.value.dueAt).toBe(new Date('2026-10-02T10:00:00+08:00').toISOString());
    const seq = (n: string) => Number(n.slice(-6));
    expect(seq(b.value.number)).toBe(seq(a.value.number) + 1);
  });
});

describe('the catalogue and its texts', () => {
  const resources = readLocaleResources();

  it('every service, step, option and warning has its text in both languages', () => {
    const missing: string[] = [];
    for (const lang of ['zh-CN', 'en'] as const) {
      const services = resources[lang].services as Record<string, Record<string, unknown>>;
      const get = (path: string) =>
        path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], services);
      for (const s of DEFAULT_SERVICES) {
        const need = [`${s.code}.name`, ...s.documents.map((d) => `${s.code}.documents.${d}`)];
        for (const step of s.steps) {
          need.push(`${s.code}.fields.${step.id}`, `${s.code}.steps.${step.id}.prompt`);
          if (step.kind === 'choice')
            need.push(...step.options.map((o) => `${s.code}.steps.${step.id}.options.${o}`));
          if (step.kind === 'choice' && step.warn)
            need.push(`${s.code}.steps.${step.id}.warnings.age_mismatch`);
          if (step.kind === 'choice' && step.stopOn) need.push(`${s.code}.stopped.${step.id}`);
          if (step.kind === 'reference' && step.extraOption)
            need.push(`${s.code}.steps.${step.id}.options.${step.extraOption}`);
        }
        for (const key of need) if (typeof get(key) !== 'string') missing.push(`${lang}: services:${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('refuses a catalogue with duplicate codes or step ids', () => {
    expect(() => createCatalogue([jobSeeking, jobSeeking])).toThrow(/unique/);
    expect(() =>
      createCatalogue([{ ...jobSeeking, steps: [...jobSeeking.steps, ...jobSeeking.steps] }]),
    ).toThrow(/step ids/);
    expect(() => createCatalogue([{ ...jobSeeking, code: 'Job Seeking!' }])).toThrow(/bad service code/);
  });
});
