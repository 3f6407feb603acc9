// The four services of the one-stop window (PRODUCT.md). Texts live in locales/*/services.json.
import { z } from 'zod';
import { ageOn } from '../id-number.ts';
import { type ServiceAnswers, type ServiceDefinition, type StepContext, value } from './types.ts';

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

/** The kinds of care the green channel knows (the hospital card's wording follows it). */
export const CARE_TYPES = ['emergency', 'inpatient', 'outpatient'] as const;
export type CareType = (typeof CARE_TYPES)[number];

const isEmergency = (a: ServiceAnswers) => value(a, 'emergency') === 'yes';

/**
 * The kind of care a medical case is for: an emergency when the first answer said so (or, for cases filed
 * before that question existed, when the kind of care said so), else the kind of care chosen.
 */
export function medicalCareType(a: ServiceAnswers): CareType | null {
  if (isEmergency(a)) return 'emergency';
  const care = value(a, 'careType');
  return (CARE_TYPES as readonly string[]).includes(care ?? '') ? (care as CareType) : null;
}

/**
 * The first question is "is it an emergency, right now?": on yes the resident is told at once to call 120,
 * and only the patient, the hospital and a phone are asked (the case is urgent); on no, in-patient or
 * out-patient, then the rest.
 */
export const medicalGreenChannel: ServiceDefinition = {
  code: 'medical_green_channel',
  departmentKind: 'health',
  due: { workingDays: 2 },
  urgentDue: { hours: 2 },
  urgency: (a) => (medicalCareType(a) === 'emergency' ? 'urgent' : 'normal'),
  confirmationCard: true,
  documents: ['id_card'],
  steps: [
    {
      id: 'emergency',
      kind: 'choice',
      options: ['yes', 'no'],
      columns: 1,
      tell: (v) => (v === 'yes' ? 'call_120' : null),
      resets: ['careType', 'description', 'poorHousehold'],
    },
    {
      id: 'careType',
      kind: 'choice',
      options: ['inpatient', 'outpatient'],
      columns: 2,
      when: (c) => !isEmergency(c.answers),
    },
    { id: 'patient', kind: 'person', includeSelf: true },
    { id: 'hospital', kind: 'reference', source: 'hospitals' },
    {
      id: 'description',
      kind: 'text',
      schema: plainText(1000),
      maxLength: 1000,
      voice: true,
      when: (c) => !isEmergency(c.answers),
    },
    {
      // Today's terms: households lifted out of poverty (脱贫户) and households under monitoring against
      // falling back (监测户); "not sure" is an answer too (staff check it).
      id: 'poorHousehold',
      kind: 'choice',
      options: ['lifted', 'monitored', 'neither', 'unsure'],
      columns: 2,
      when: (c) => !isEmergency(c.answers),
    },
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
