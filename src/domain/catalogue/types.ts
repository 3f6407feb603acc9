// The services catalogue: each service is data (reference/services/<code>.json, compiled by definition.ts)
// — its code, the department kind it routes to (resolved per district at submission), how its due time and
// urgency are decided, and the steps of its form. Adding a service is a definition file plus a locale
// section (`services:<code>.*`); no handler changes.
import type { z } from 'zod';
import type { EmploymentStatus } from '../employment.ts';
import type { Relation } from '../household.ts';

export type DepartmentKind =
  | 'education'
  | 'health'
  | 'civil_affairs'
  | 'human_resources'
  | 'public_security'
  | 'neighbourhood';

/** What a form's answers look like once the resident confirmed them (plain data, JSON-safe). */
export interface FileRef {
  kind: 'photo' | 'voice' | 'document';
  fileId: string;
  fileUniqueId: string;
  mimeType?: string;
  sizeBytes?: number;
  durationSeconds?: number;
}

export interface AnswerValue {
  value: string | null;
  /** How the answer is shown back (masked where needed). */
  label: string;
  files?: FileRef[];
}

export type ServiceAnswers = Record<string, AnswerValue | undefined>;

export interface StepContext {
  answers: ServiceAnswers;
  today: Date;
  /** The household as the form sees it (people's birth dates for age checks). */
  people: { id: string; name: string; birthDate: string; self: boolean; relation?: Relation }[];
}

/** A step's `when` as data (README, "Services as data"): an earlier answer's value, or a person's age. */
export type Condition =
  | { step: string; is: string }
  | { step: string; isNot: string }
  | { step: string; in: string[] }
  | { step: string; age: { min?: number; max?: number } }
  | { anyOf: Condition[] }
  | { allOf: Condition[] };

interface BaseStep {
  id: string;
  /** Ask this step only when true (compiled from `condition`). */
  when?: (c: StepContext) => boolean;
  condition?: Condition;
  optional?: boolean;
}

/** A fixed list of options; labels are `services:<code>.steps.<id>.options.<option>`. */
export interface ChoiceStep extends BaseStep {
  kind: 'choice';
  options: readonly string[];
  columns?: number;
  /** Several options may be chosen (at least `min`); the value is them joined with ",". */
  multiple?: { min: number };
  /**
   * A gentle warning (locale key `warnings.<message>` under the step, with its parameters) when the choice
   * looks wrong; the resident may keep it.
   */
  warn?: (
    value: string,
    c: StepContext,
  ) => { message: string; params: Record<string, string | number> } | null;
  /** Choosing one of these ends the form without a case (e.g. consent declined). */
  stopOn?: readonly string[];
  /**
   * Something to tell the resident at once when this value is chosen, before the next question (locale key
   * `services:<code>.steps.<id>.tell.<key>`), e.g. "call 120 now".
   */
  tell?: (value: string) => string | null;
  /** Steps asked again when this answer is changed from the summary (those it shows or hides). */
  resets?: readonly string[];
}

/**
 * Free text checked by a zod schema; over-long text is refused with a clear message. Free text is what a
 * resident may just as well say: a voice message is taken instead (kept as a voice attachment for staff)
 * unless `voice` is false. Answers that need exact characters (names, ID numbers, phones, money) are other
 * kinds of step.
 */
export interface TextStep extends BaseStep {
  kind: 'text';
  schema: z.ZodType<string>;
  maxLength: number;
  /** Whether a voice message is also an answer (default true). */
  voice?: boolean;
}

/**
 * A whole number of yuan (income), typed in digits or Chinese numerals; or said aloud (a voice message kept
 * for staff to hear, as free text is) unless `voice` is false: someone who cannot type the figure is not
 * stopped by it, and the department checks the income anyway.
 */
export interface MoneyStep extends BaseStep {
  kind: 'money';
  max: number;
  /** Whether a voice message is also an answer (default true). */
  voice?: boolean;
}

/** Someone of the household: the resident or a member; `filter` narrows the list (e.g. children). */
export interface PersonStep extends BaseStep {
  kind: 'person';
  includeSelf: boolean;
  filter?: (person: { birthDate: string; self: boolean; relation?: Relation }, today: Date) => boolean;
  /** The ages and relations offered (the data `filter` is compiled from). */
  age?: { min?: number; max?: number };
  relations?: readonly Relation[];
  /** Offer to add a household member on the spot. */
  allowAdd?: boolean;
  /** Several people may be chosen (at least `min`); the value is their ids joined with ",". */
  multiple?: { min: number };
}

/**
 * A reference-data list for the resident's district: schools of a stage, hospitals, or skills-training
 * courses (those not started yet with a seat left; the case takes a seat of the one chosen; nothing to
 * offer ends the form with the step's `none` text).
 */
export interface ReferenceStep extends BaseStep {
  kind: 'reference';
  source: ReferenceSource;
  /** For schools: which stage, from an earlier answer. */
  stageFrom?: string;
  /** An extra first option, e.g. "nearest, arranged by the education bureau". */
  extraOption?: string;
}

/** Photos (and scanned documents); albums welcome; "done" when finished. */
export interface FilesStep extends BaseStep {
  kind: 'files';
  max: number;
}

/** The resident's phone, prefilled from the household file. */
export interface PhoneStep extends BaseStep {
  kind: 'phone';
}

export const REFERENCE_SOURCES = ['schools', 'hospitals', 'courses'] as const;
export type ReferenceSource = (typeof REFERENCE_SOURCES)[number];

export type ServiceStep =
  | ChoiceStep
  | TextStep
  | MoneyStep
  | PersonStep
  | ReferenceStep
  | FilesStep
  | PhoneStep;

export type Due = { workingDays: number } | { calendarDays: number } | { hours: number };

export interface ServiceDefinition {
  code: string;
  /** The definition's `version`, and its content hash (a case keeps both; src/db keeps every version). */
  version: number;
  hash: string;
  /** No longer offered; its open cases go on. */
  retired: boolean;
  /** The definition as written (kept by version, so an earlier case is read with its own). */
  source: unknown;
  /** Its texts (`services:<code>.…`) in each language, as nested objects of strings. */
  texts: Record<'zh-CN' | 'en', Record<string, unknown>>;
  departmentKind: DepartmentKind;
  /** Due time for a normal case, and for an urgent one. */
  due: Due;
  urgentDue?: Due;
  urgency?: (answers: ServiceAnswers) => 'normal' | 'urgent';
  /** Whether the case hides the resident from staff (anonymous suggestion). */
  anonymous?: (answers: ServiceAnswers) => boolean;
  steps: readonly ServiceStep[];
  /** Documents the department expects (locale keys `services:<code>.documents.<doc>`). */
  documents: readonly string[];
  /** Before the form: needs household members (stops and points to /household when there are none). */
  needsHousehold?: 'members' | 'confirm_alone';
  /** After submission the resident gets a card to show (medical green channel). */
  confirmationCard?: boolean;
  /** Filing a case sets the employment status of the person its `step` names (job seeking: "looking"). */
  setsEmployment?: { step: string; status: EmploymentStatus };
  /** Its cases may be answered with job recommendations. */
  recommendations?: boolean;
}

/** The service's course step (a reference step of source `courses`; a definition has at most one). */
export const courseStep = (service: Pick<ServiceDefinition, 'steps'>): ReferenceStep | undefined =>
  service.steps.find((s): s is ReferenceStep => s.kind === 'reference' && s.source === 'courses');

export const value = (a: ServiceAnswers, id: string): string | null => a[id]?.value ?? null;

/** Whether a text step takes a voice message as its answer (free text does, unless it says otherwise). */
export const takesVoice = (step: TextStep | MoneyStep): boolean => step.voice !== false;
