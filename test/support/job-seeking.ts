// A job-seeking service for tests, as a catalogue entry and its texts (the real one is written as data once
// the catalogue is data: issue 15). Its `person` step names who is looking; filing it marks them "looking"
// (src/domain/employment.ts EMPLOYMENT_ON_SUBMIT), and its cases may be answered with job recommendations.
import { z } from 'zod';
import { DEFAULT_SERVICES, type ServiceDefinition } from '../../src/domain/catalogue/index.ts';
import type { HarnessOptions } from './bot-harness.ts';

export const jobSeeking: ServiceDefinition = {
  code: 'job_seeking',
  version: 1,
  hash: 'test-job-seeking',
  retired: false,
  source: null,
  texts: { 'zh-CN': {}, en: {} },
  departmentKind: 'human_resources',
  due: { workingDays: 5 },
  documents: [],
  steps: [
    { id: 'person', kind: 'person', includeSelf: true },
    { id: 'work', kind: 'choice', options: ['factory', 'workshop', 'other'], columns: 1 },
    { id: 'skills', kind: 'text', schema: z.string().trim().min(1).max(200), maxLength: 200 },
  ],
};

const texts = (zh: boolean) => ({
  job_seeking: {
    name: zh ? '👷 求职登记' : '👷 Job seeking',
    fields: {
      person: zh ? '找工作的人' : 'Who is looking',
      work: zh ? '想做的工作' : 'Work wanted',
      skills: zh ? '会做什么' : 'Skills',
    },
    steps: {
      person: {
        prompt: zh ? '谁要找工作？' : 'Who is looking for work?',
        none: zh ? '家里没有人' : 'Nobody',
      },
      work: {
        prompt: zh ? '想做什么工作？' : 'What kind of work?',
        options: zh
          ? { factory: '园区工厂', workshop: '社区车间', other: '其他' }
          : { factory: 'Factory in the park', workshop: 'Community workshop', other: 'Other' },
      },
      skills: { prompt: zh ? '会做什么？以前做过什么？' : 'What can you do? What have you done before?' },
    },
  },
});

/** The harness options that add the service and its texts. */
export const withJobSeeking: Pick<HarnessOptions, 'services' | 'extraLocales'> = {
  services: [...DEFAULT_SERVICES, jobSeeking],
  extraLocales: { 'zh-CN': { services: texts(true) }, en: { services: texts(false) } },
};
