// The few rules a definition names instead of spelling out (README, "Services as data"). Each is plain
// code, tested in test/unit/catalogue-rules.test.ts; a definition names one with its parameters, e.g.
// `"warn": { "rule": "school_stage_age", "params": { "person": "child" }, "message": "age_mismatch" }`.
import { ageOn } from '../id-number.ts';
import { parseMoney } from '../money.ts';
import {
  type MoneyStep,
  type PersonStep,
  type ReferenceStep,
  type ServiceAnswers,
  type StepContext,
  type TextStep,
  value,
} from './types.ts';

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

/** The school list a stage answer asks for (a reference step's `stageFrom`). */
export function schoolStageOf(stage: string | null): 'kindergarten' | 'primary' | 'junior' | null {
  if (!stage) return null;
  if (stage === 'kindergarten') return 'kindergarten';
  return stage.startsWith('primary') ? 'primary' : stage.startsWith('junior') ? 'junior' : null;
}

/** Whether a chosen school stage is usual for the age of the person an earlier step named. */
export function schoolStageMatchesAge(stage: string, age: number | null): boolean {
  const range = usualAges(stage);
  if (age === null || !range) return true;
  return age >= range[0] && age <= range[1];
}

/** The medical green channel's code (its urgent alerts and the hospital card speak of it). */
export const MEDICAL_GREEN_CHANNEL = 'medical_green_channel';

/** The kinds of care the green channel knows (the hospital card's wording follows it). */
export const CARE_TYPES = ['emergency', 'inpatient', 'outpatient'] as const;
export type CareType = (typeof CARE_TYPES)[number];

/**
 * The kind of care a medical case is for: an emergency when the first answer said so (or, for cases filed
 * before that question existed, when the kind of care said so), else the kind of care chosen.
 */
export function medicalCareType(a: ServiceAnswers): CareType | null {
  if (value(a, 'emergency') === 'yes') return 'emergency';
  const care = value(a, 'careType');
  return (CARE_TYPES as readonly string[]).includes(care ?? '') ? (care as CareType) : null;
}

/** The age of the person an earlier person step chose, on the form's day. */
export function personAge(c: StepContext, stepId: string): number | null {
  const id = value(c.answers, stepId);
  const person = c.people.find((p) => p.id === id);
  return person ? ageOn(person.birthDate, c.today) : null;
}

export interface NamedRule {
  /** Parameters that name an earlier step (checked at load). */
  stepParams: readonly string[];
  /** A warning's text parameters when the value looks wrong; null when it is fine. */
  check(
    value: string,
    c: StepContext,
    params: Record<string, string>,
  ): { params: Record<string, string | number> } | null;
}

export const NAMED_RULES: Record<string, NamedRule | undefined> = {
  /** The school stage vs the child's age: `params.person` is the step that chose the child. */
  school_stage_age: {
    stepParams: ['person'],
    check(stage, c, params) {
      const age = personAge(c, params.person ?? '');
      return schoolStageMatchesAge(stage, age) ? null : { params: { age: age ?? '' } };
    },
  },
};

export const RULE_NAMES = Object.keys(NAMED_RULES);

/** Which reference list a reference step offers, given the answers so far (schools follow a stage answer). */
export function referenceList(
  step: ReferenceStep,
  answers: ServiceAnswers,
):
  | { source: 'hospitals' }
  | { source: 'courses' }
  | { source: 'schools'; stage: 'kindergarten' | 'primary' | 'junior' } {
  if (step.source === 'hospitals' || step.source === 'courses') return { source: step.source };
  return {
    source: 'schools',
    stage: schoolStageOf(step.stageFrom ? value(answers, step.stageFrom) : null) ?? 'primary',
  };
}

/**
 * What a step's typed answer must be, from its definition (the chat form and any other form use it; the
 * use case checks the answers again): free text within `maxLength`, a sum of yuan up to `max`.
 */
export type TypedCheck =
  | { ok: true; value: string }
  | { ok: false; error: string; params?: Record<string, string> };

export function checkTyped(step: TextStep | MoneyStep, input: string): TypedCheck {
  if (step.kind === 'money') {
    const r = parseMoney(input);
    if (!r.ok) return { ok: false, error: r.error };
    return r.value > step.max ? { ok: false, error: 'too_big' } : { ok: true, value: String(r.value) };
  }
  const text = input.trim();
  if (text.length === 0) return { ok: false, error: 'empty' };
  if (text.length > step.maxLength)
    return { ok: false, error: 'too_long', params: { max: String(step.maxLength) } };
  return step.schema.safeParse(text).success ? { ok: true, value: text } : { ok: false, error: 'invalid' };
}

/** The household members a person step offers: the resident only with `includeSelf`, then its filter. */
export function offeredPeople<P extends StepContext['people'][number]>(
  step: PersonStep,
  people: readonly P[],
  today: Date,
): P[] {
  return people.filter((p) => (step.includeSelf || !p.self) && (!step.filter || step.filter(p, today)));
}
