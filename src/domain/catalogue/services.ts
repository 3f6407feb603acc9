// The four services of the one-stop window (PRODUCT.md). Texts live in locales/*/services.json.
import { z } from 'zod';
import { ageOn } from '../id-number.ts';
import { type ServiceDefinition, type StepContext, value } from './types.ts';

const plainText = (max: number) => z.string().trim().min(1).max(max);

const personAge = (c: StepContext, stepId: string): number | null => {
  const id = value(c.answers, stepId);
  const person = c.people.find((p) => p.id === id);
  return person ? ageOn(person.birthDate, c.today) : null;
};

export const SCHOOL_STAGES = [
  'kindergarten',
  'primary_1',
  'primary_2',
  'primary_3',
  'primary_4',
  'primary_5',
  'primary_6',
  'junior_1',
  'junior_2',
  'junior_3',
] as const;

/** The usual age range for a stage (a year either side is normal: birthdays, late starts). */
export function usualAges(stage: string): [number, number] | null {
  if (stage === 'kindergarten') return [3, 6];
  const m = /^(primary|junior)_(\d)$/.exec(stage);
  if (!m) return null;
  const start = (m[1] === 'primary' ? 6 : 12) + Number(m[2]) - 1;
  return [start - 1, start + 1];
}

export function schoolStageOf(stage: string | null): 'kindergarten' | 'primary' | 'junior' | null {
  if (!stage) return null;
  if (stage === 'kindergarten') return 'kindergarten';
  return stage.startsWith('primary') ? 'primary' : stage.startsWith('junior') ? 'junior' : null;
}

export const schoolEnrolment: ServiceDefinition = {
  code: 'school_enrolment',
  departmentKind: 'education',
  due: { workingDays: 5 },
  needsHousehold: 'members',
  documents: ['household_register', 'relocation_certificate'],
  steps: [
    {
      id: 'child',
      kind: 'person',
      includeSelf: false,
      filter: (p, today) => !p.self && ageOn(p.birthDate, today) < 18,
      allowAdd: true,
    },
    {
      id: 'stage',
      kind: 'choice',
      options: SCHOOL_STAGES,
      columns: 3,
      warn: (stage, c) => {
        const age = personAge(c, 'child');
        const range = usualAges(stage);
        if (age === null || !range) return null;
        return age < range[0] || age > range[1] ? 'age_mismatch' : null;
      },
    },
    { id: 'previousSchool', kind: 'text', schema: plainText(100), maxLength: 100, optional: true },
    { id: 'school', kind: 'reference', source: 'schools', stageFrom: 'stage', extraOption: 'nearest' },
    { id: 'specialNeeds', kind: 'text', schema: plainText(500), maxLength: 500, optional: true },
    {
      // PIPL art. 31: personal information of a child under 14 needs the guardian's consent.
      id: 'guardianConsent',
      kind: 'choice',
      options: ['agree', 'decline'],
      columns: 2,
      stopOn: ['decline'],
      when: (c) => {
        const age = personAge(c, 'child');
        return age !== null && age < 14;
      },
    },
    { id: 'documents', kind: 'files', max: 6, optional: true },
  ],
};

export const medicalGreenChannel: ServiceDefinition = {
  code: 'medical_green_channel',
  departmentKind: 'health',
  due: { workingDays: 2 },
  urgentDue: { hours: 2 },
  urgency: (a) => (value(a, 'careType') === 'emergency' ? 'urgent' : 'normal'),
  confirmationCard: true,
  documents: ['id_card'],
  steps: [
    { id: 'patient', kind: 'person', includeSelf: true },
    { id: 'hospital', kind: 'reference', source: 'hospitals' },
    { id: 'careType', kind: 'choice', options: ['emergency', 'inpatient', 'outpatient'], columns: 1 },
    { id: 'description', kind: 'text', schema: plainText(1000), maxLength: 1000, voice: true },
    { id: 'poorHousehold', kind: 'choice', options: ['yes', 'no'], columns: 2 },
    { id: 'phone', kind: 'phone' },
  ],
};

export const dibao: ServiceDefinition = {
  code: 'dibao',
  departmentKind: 'civil_affairs',
  due: { workingDays: 30 },
  needsHousehold: 'confirm_alone',
  documents: ['household_register', 'income_proof', 'disability_certificate'],
  steps: [
    { id: 'income', kind: 'money', max: 1_000_000 },
    {
      id: 'reason',
      kind: 'choice',
      options: ['illness', 'disability', 'old_age', 'unemployment', 'other'],
      columns: 2,
    },
    {
      id: 'reasonDetail',
      kind: 'text',
      schema: plainText(500),
      maxLength: 500,
      when: (c) => value(c.answers, 'reason') === 'other',
    },
    { id: 'assets', kind: 'choice', options: ['none', 'some'], columns: 1 },
    {
      id: 'assetsDetail',
      kind: 'text',
      schema: plainText(500),
      maxLength: 500,
      when: (c) => value(c.answers, 'assets') === 'some',
    },
    {
      id: 'verificationConsent',
      kind: 'choice',
      options: ['agree', 'decline'],
      columns: 2,
      stopOn: ['decline'],
    },
    { id: 'documents', kind: 'files', max: 8, optional: true },
  ],
};

export const suggestion: ServiceDefinition = {
  code: 'suggestion',
  departmentKind: 'neighbourhood',
  due: { calendarDays: 7 },
  anonymous: (a) => value(a, 'anonymous') === 'anonymous',
  documents: [],
  steps: [
    {
      id: 'topic',
      kind: 'choice',
      options: ['environment', 'property', 'safety', 'employment', 'other'],
      columns: 2,
    },
    { id: 'content', kind: 'text', schema: plainText(1000), maxLength: 1000, voice: true },
    { id: 'photo', kind: 'files', max: 3, optional: true },
    { id: 'anonymous', kind: 'choice', options: ['named', 'anonymous'], columns: 1 },
  ],
};
