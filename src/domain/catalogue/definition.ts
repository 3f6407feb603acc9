// A service definition as data (reference/services/<code>.json), checked with zod and compiled into the
// ServiceDefinition the form, the use cases and the staff views use. The vocabulary is small on purpose
// (README, "Services as data"): conditions on earlier answers, a person's age range, named rules with
// parameters (rules.ts), due times, documents. A mistake is a DefinitionError naming the file, the service,
// the step and what is wrong.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EMPLOYMENT_STATUSES } from '../employment.ts';
import { RELATIONS } from '../household.ts';
import { ageOn } from '../id-number.ts';
import { NAMED_RULES, RULE_NAMES } from './rules.ts';
import type {
  Condition,
  DepartmentKind,
  Due,
  ServiceAnswers,
  ServiceDefinition,
  ServiceStep,
  StepContext,
} from './types.ts';
import { REFERENCE_SOURCES, value } from './types.ts';

export const DEPARTMENT_KINDS = [
  'education',
  'health',
  'civil_affairs',
  'human_resources',
  'public_security',
  'neighbourhood',
] as const satisfies readonly DepartmentKind[];

/** What is wrong with a definition, in words an operator can act on (also the admin's /reload answer). */
export class DefinitionError extends Error {
  constructor(
    readonly file: string,
    readonly service: string | null,
    readonly step: string | null,
    readonly problem: string,
    /** What is wrong, for the admin's language (`params` fill its words). */
    readonly code: DefinitionProblem,
    readonly params: Record<string, string> = {},
  ) {
    super(
      `${file}: ${service ? `service "${service}"` : 'service ?'}${step ? `, step "${step}"` : ''}: ${problem}`,
    );
    this.name = 'DefinitionError';
  }
}

/** The kinds of mistake (each has words in both languages: `common:admin.definition_problems.<code>`). */
export const DEFINITION_PROBLEMS = [
  'unreadable',
  'invalid',
  'unknown_kind',
  'not_an_option',
  'rule_param',
  'duplicate_code',
  'duplicate_step',
  'unknown_step',
  'later_step',
  'bad_age_range',
  'missing_text',
  'unknown_rule',
] as const;
export type DefinitionProblem = (typeof DEFINITION_PROBLEMS)[number];

const id = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,40}$/, 'use letters, digits and _');
const ageRange = z
  .object({
    min: z.number().int().min(0).max(150).optional(),
    max: z.number().int().min(0).max(150).optional(),
  })
  .strict();

type ConditionInput =
  | { step: string; is: string }
  | { step: string; isNot: string }
  | { step: string; in: string[] }
  | { step: string; age: { min?: number; max?: number } }
  | { anyOf: ConditionInput[] }
  | { allOf: ConditionInput[] };

const condition: z.ZodType<ConditionInput> = z.lazy(() =>
  z.union([
    z.object({ step: id, is: z.string() }).strict(),
    z.object({ step: id, isNot: z.string() }).strict(),
    z.object({ step: id, in: z.array(z.string()).min(1) }).strict(),
    z.object({ step: id, age: ageRange }).strict(),
    z.object({ anyOf: z.array(condition).min(1) }).strict(),
    z.object({ allOf: z.array(condition).min(1) }).strict(),
  ]),
);

const due = z.union([
  z.object({ workingDays: z.number().int().min(1).max(90) }).strict(),
  z.object({ calendarDays: z.number().int().min(1).max(90) }).strict(),
  z.object({ hours: z.number().int().min(1).max(72) }).strict(),
]);

export const STEP_KINDS = ['choice', 'text', 'money', 'person', 'reference', 'files', 'phone'] as const;

const base = { id, when: condition.optional(), optional: z.boolean().optional() };
const stepSchema = z.discriminatedUnion('kind', [
  z
    .object({
      ...base,
      kind: z.literal('choice'),
      options: z.array(id).min(1).max(20),
      columns: z.number().int().min(1).max(4).optional(),
      multiple: z
        .object({ min: z.number().int().min(1).max(20) })
        .strict()
        .optional(),
      warn: z
        .object({ rule: z.string(), message: id, params: z.record(z.string(), z.string()).optional() })
        .strict()
        .optional(),
      stopOn: z.array(id).optional(),
      tell: z.record(z.string(), id).optional(),
      resets: z.array(id).optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('text'),
      maxLength: z.number().int().min(1).max(4000),
      voice: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('money'),
      max: z.number().int().min(1).max(1_000_000_000),
      voice: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('person'),
      includeSelf: z.boolean(),
      age: ageRange.optional(),
      relations: z.array(z.enum(RELATIONS)).min(1).optional(),
      allowAdd: z.boolean().optional(),
      multiple: z
        .object({ min: z.number().int().min(1).max(20) })
        .strict()
        .optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('reference'),
      source: z.enum(REFERENCE_SOURCES),
      stageFrom: id.optional(),
      extraOption: id.optional(),
    })
    .strict(),
  z.object({ ...base, kind: z.literal('files'), max: z.number().int().min(1).max(10) }).strict(),
  z.object({ ...base, kind: z.literal('phone') }).strict(),
]);

/** Texts: nested objects of non-empty strings (i18next's tree under `services:<code>.`). */
type TextTree = { [key: string]: string | TextTree };
const textTree: z.ZodType<TextTree> = z.lazy(() =>
  z.record(z.string().regex(/^[A-Za-z0-9_]+$/), z.union([z.string().trim().min(1), textTree])),
);

export const SERVICE_LANGUAGES = ['zh-CN', 'en'] as const;

const serviceSchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, 'lower-case letters, digits and _'),
    version: z.number().int().min(1),
    retired: z.boolean().optional(),
    departmentKind: z.enum(DEPARTMENT_KINDS),
    due,
    urgentDue: due.optional(),
    urgentWhen: condition.optional(),
    anonymousWhen: condition.optional(),
    needsHousehold: z.enum(['members', 'confirm_alone']).optional(),
    confirmationCard: z.boolean().optional(),
    /** What filing a case changes in the household file: the employment status of the person a step names. */
    sets: z
      .object({ employment: z.object({ step: id, status: z.enum(EMPLOYMENT_STATUSES) }).strict() })
      .strict()
      .optional(),
    /** Its cases may be answered with job recommendations (the job-seeking service). */
    recommendations: z.boolean().optional(),
    documents: z.array(id),
    steps: z.array(z.unknown()).min(1).max(30),
    /** The service's texts in both languages (README, "Services as data"). */
    texts: z.object({ 'zh-CN': textTree, en: textTree }).strict(),
  })
  .strict();

export type ServiceFile = z.infer<typeof serviceSchema>;
type StepInput = z.infer<typeof stepSchema>;

/** zod's first issue as plain words with its path; `field` is the path alone (the admin's message). */
function issueText(err: z.ZodError): { text: string; field: string } {
  const issue = err.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '-';
  if (!issue) return { text: 'invalid', field };
  return { text: `${issue.path.length > 0 ? `"${field}": ` : ''}${issue.message}`, field };
}

/** Where a condition looks (the step ids it names), for the "unknown step" check. */
function conditionSteps(c: ConditionInput): string[] {
  if ('anyOf' in c) return c.anyOf.flatMap(conditionSteps);
  if ('allOf' in c) return c.allOf.flatMap(conditionSteps);
  return [c.step];
}

type Fail = (problem: string, code: DefinitionProblem, params?: Record<string, string>) => never;

function checkAgeRange(r: { min?: number; max?: number } | undefined, fail: Fail) {
  if (r && r.min === undefined && r.max === undefined)
    fail('an age range needs min or max', 'bad_age_range', { min: '-', max: '-' });
  if (r?.min !== undefined && r.max !== undefined && r.min > r.max)
    fail(`age range min ${r.min} is above max ${r.max}`, 'bad_age_range', {
      min: String(r.min),
      max: String(r.max),
    });
}

function conditionAges(c: ConditionInput): { min?: number; max?: number }[] {
  if ('anyOf' in c) return c.anyOf.flatMap(conditionAges);
  if ('allOf' in c) return c.allOf.flatMap(conditionAges);
  return 'age' in c ? [c.age] : [];
}

/** A condition as a predicate over the answers and the household. */
export function evaluate(c: Condition, ctx: StepContext): boolean {
  if ('anyOf' in c) return c.anyOf.some((x) => evaluate(x, ctx));
  if ('allOf' in c) return c.allOf.every((x) => evaluate(x, ctx));
  const v = value(ctx.answers, c.step);
  // A multiple choice's value is its options joined with ",": a condition looks at each.
  const chosen = v === null ? [] : v.split(',');
  if ('is' in c) return chosen.includes(c.is);
  if ('isNot' in c) return !chosen.includes(c.isNot);
  if ('in' in c) return chosen.some((x) => c.in.includes(x));
  // The person (or any of the people) that step chose.
  return chosen.some((id) => {
    const person = ctx.people.find((p) => p.id === id);
    return person !== undefined && inAgeRange(ageOn(person.birthDate, ctx.today), c.age);
  });
}

export const inAgeRange = (age: number, r: { min?: number; max?: number }): boolean =>
  (r.min === undefined || age >= r.min) && (r.max === undefined || age <= r.max);

/** A condition over the answers alone (urgency, anonymity: decided at submission). */
const onAnswers = (c: Condition) => (answers: ServiceAnswers) =>
  evaluate(c, { answers, today: new Date(), people: [] });

/** JSON with every object's keys sorted: the same content gives the same text, however it was stored. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** The content hash of a definition: two files with the same content are the same version. */
export function definitionHash(file: ServiceFile): string {
  return createHash('sha256').update(canonical(file)).digest('hex').slice(0, 16);
}

/**
 * Parses and checks one definition file's text. Its texts are checked too: every text a step needs, in both
 * languages, and no text in one language only — a missing text is a load error rather than a blank button.
 */
export function parseServiceFile(file: string, text: string): ServiceDefinition {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new DefinitionError(
      file,
      null,
      null,
      `not valid JSON (${err instanceof Error ? err.message : String(err)})`,
      'unreadable',
    );
  }
  const code =
    typeof raw === 'object' && raw !== null && typeof (raw as { code?: unknown }).code === 'string'
      ? (raw as { code: string }).code
      : null;
  const top = serviceSchema.safeParse(raw);
  if (!top.success) {
    const { text: problem, field } = issueText(top.error);
    throw new DefinitionError(file, code, null, problem, 'invalid', { field });
  }
  const def = top.data;
  const steps: StepInput[] = [];
  const seen = new Set<string>();
  for (const [i, s] of def.steps.entries()) {
    const stepId =
      typeof s === 'object' && s !== null && typeof (s as { id?: unknown }).id === 'string'
        ? (s as { id: string }).id
        : `#${i + 1}`;
    const parsed = stepSchema.safeParse(s);
    if (!parsed.success) {
      const kind = String((s as { kind?: unknown } | null)?.kind);
      if (!(STEP_KINDS as readonly string[]).includes(kind))
        throw new DefinitionError(
          file,
          def.code,
          stepId,
          `unknown step kind "${kind}" (${STEP_KINDS.join(', ')})`,
          'unknown_kind',
          { kind },
        );
      const { text: problem, field } = issueText(parsed.error);
      throw new DefinitionError(file, def.code, stepId, problem, 'invalid', { field });
    }
    if (seen.has(parsed.data.id))
      throw new DefinitionError(
        file,
        def.code,
        stepId,
        'a step with this id comes earlier',
        'duplicate_step',
      );
    seen.add(parsed.data.id);
    steps.push(parsed.data);
  }
  const ids = steps.map((s) => s.id);
  for (const [i, s] of steps.entries()) {
    const fail: Fail = (problem, c, params = {}) => {
      throw new DefinitionError(file, def.code, s.id, problem, c, params);
    };
    const earlier = new Set(ids.slice(0, i));
    const mustBeEarlier = (target: string, what: string) => {
      if (!ids.includes(target))
        fail(`${what} names step "${target}", which does not exist`, 'unknown_step', { target });
      if (!earlier.has(target))
        fail(`${what} names step "${target}", which is not asked before it`, 'later_step', { target });
    };
    if (s.when) {
      for (const target of conditionSteps(s.when)) mustBeEarlier(target, '"when"');
      for (const r of conditionAges(s.when)) checkAgeRange(r, fail);
    }
    if (s.kind === 'person') {
      checkAgeRange(s.age, fail);
      if (s.multiple && s.allowAdd)
        fail('a step with "multiple" cannot have "allowAdd"', 'invalid', { field: 'multiple' });
    }
    if (s.kind === 'reference' && s.stageFrom) mustBeEarlier(s.stageFrom, '"stageFrom"');
    // The case holds the seat of one course (its plain course code): one course step per service.
    if (s.kind === 'reference' && s.source === 'courses') {
      if (steps.findIndex((x) => x.kind === 'reference' && x.source === 'courses') !== i)
        fail('a service may have one step of source "courses"', 'invalid', { field: 'source' });
      if (s.extraOption || s.stageFrom)
        fail('a step of source "courses" takes no "extraOption" or "stageFrom"', 'invalid', {
          field: 'source',
        });
    }
    if (s.kind === 'choice') {
      for (const v of [...(s.stopOn ?? []), ...Object.keys(s.tell ?? {})])
        if (!s.options.includes(v)) fail(`"${v}" is not one of the options`, 'not_an_option', { value: v });
      if (s.multiple && s.multiple.min > s.options.length)
        fail(`"multiple.min" ${s.multiple.min} is more than the ${s.options.length} options`, 'invalid', {
          field: 'multiple.min',
        });
      if (s.multiple && (s.stopOn || s.tell || s.warn))
        fail('a step with "multiple" cannot have "stopOn", "tell" or "warn"', 'invalid', {
          field: 'multiple',
        });
      for (const target of s.resets ?? [])
        if (!ids.includes(target))
          fail(`"resets" names step "${target}", which does not exist`, 'unknown_step', { target });
      if (s.warn) {
        const rule = NAMED_RULES[s.warn.rule];
        if (!rule)
          fail(`unknown rule "${s.warn.rule}" (${RULE_NAMES.join(', ')})`, 'unknown_rule', {
            rule: s.warn.rule,
          });
        for (const p of rule?.stepParams ?? []) {
          const target = s.warn.params?.[p];
          if (!target)
            fail(`rule "${s.warn.rule}" needs the parameter "${p}"`, 'rule_param', {
              rule: s.warn.rule,
              param: p,
            });
          else mustBeEarlier(target, `rule "${s.warn.rule}"`);
        }
      }
    }
  }
  for (const key of ['urgentWhen', 'anonymousWhen'] as const) {
    const c = def[key];
    if (!c) continue;
    for (const target of conditionSteps(c))
      if (!ids.includes(target))
        throw new DefinitionError(
          file,
          def.code,
          null,
          `"${key}" names step "${target}", which does not exist`,
          'unknown_step',
          { target },
        );
  }
  const effect = def.sets?.employment;
  if (effect) {
    const target = steps.find((s) => s.id === effect.step);
    if (!target)
      throw new DefinitionError(
        file,
        def.code,
        null,
        `"sets.employment" names step "${effect.step}", which does not exist`,
        'unknown_step',
        { target: effect.step },
      );
    if (target.kind !== 'person' || target.multiple)
      throw new DefinitionError(
        file,
        def.code,
        target.id,
        '"sets.employment" needs a step that names one person',
        'invalid',
        { field: 'sets.employment.step' },
      );
  }
  checkTexts(file, def, steps);
  return compile(def, steps, definitionHash(def));
}

/** The texts a definition needs (keys under `services:<code>.`), with the step each belongs to. */
export function requiredTexts(
  def: ServiceFile,
  steps: readonly StepInput[],
): { step: string | null; key: string }[] {
  const out: { step: string | null; key: string }[] = [{ step: null, key: 'name' }];
  for (const d of def.documents) out.push({ step: null, key: `documents.${d}` });
  if (def.needsHousehold === 'confirm_alone') out.push({ step: null, key: 'members_title' });
  if (def.urgentWhen) out.push({ step: null, key: 'urgent.alerting' }, { step: null, key: 'urgent.nobody' });
  if (def.confirmationCard) out.push({ step: null, key: 'card.title' }, { step: null, key: 'card.button' });
  for (const s of steps) {
    const k = `steps.${s.id}`;
    out.push({ step: s.id, key: `fields.${s.id}` }, { step: s.id, key: `${k}.prompt` });
    if (s.kind === 'choice') {
      for (const o of s.options) out.push({ step: s.id, key: `${k}.options.${o}` });
      for (const t of new Set(Object.values(s.tell ?? {}))) out.push({ step: s.id, key: `${k}.tell.${t}` });
      if (s.warn) out.push({ step: s.id, key: `${k}.warnings.${s.warn.message}` });
    }
    if (s.kind === 'person' && (s.age || s.relations || !s.includeSelf))
      out.push({ step: s.id, key: `${k}.none` });
    if (s.kind === 'reference' && s.extraOption)
      out.push({ step: s.id, key: `${k}.options.${s.extraOption}` });
    if (s.kind === 'reference' && s.source === 'courses') out.push({ step: s.id, key: `${k}.none` });
  }
  return out;
}

/** The keys of a text tree, dotted. */
function textKeys(tree: TextTree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : textKeys(v, `${prefix}${k}.`),
  );
}

/** The step a text belongs to (`steps.<id>.…` or `fields.<id>`), for the error. */
function stepOfKey(key: string, ids: readonly string[]): string | null {
  const m = /^(?:steps|fields|stopped)\.([^.]+)/.exec(key);
  return m?.[1] && ids.includes(m[1]) ? m[1] : null;
}

function checkTexts(file: string, def: ServiceFile, steps: readonly StepInput[]) {
  const missing = (lang: string, step: string | null, key: string): never => {
    throw new DefinitionError(file, def.code, step, `no ${lang} text "${key}"`, 'missing_text', {
      lang,
      key,
    });
  };
  const keys = Object.fromEntries(
    SERVICE_LANGUAGES.map((lang) => [lang, new Set(textKeys(def.texts[lang]))]),
  ) as Record<(typeof SERVICE_LANGUAGES)[number], Set<string>>;
  for (const lang of SERVICE_LANGUAGES) {
    for (const { step, key } of requiredTexts(def, steps)) if (!keys[lang].has(key)) missing(lang, step, key);
  }
  // A text in one language only would show the other language's reader a fallback: both or neither.
  const ids = steps.map((s) => s.id);
  for (const lang of SERVICE_LANGUAGES) {
    for (const other of SERVICE_LANGUAGES) {
      for (const key of keys[lang]) if (!keys[other].has(key)) missing(other, stepOfKey(key, ids), key);
    }
  }
}

function compileStep(s: StepInput): ServiceStep {
  const when = s.when ? (c: StepContext) => evaluate(s.when as Condition, c) : undefined;
  const common = { id: s.id, when, condition: s.when, optional: s.optional };
  switch (s.kind) {
    case 'choice': {
      const warn = s.warn;
      const rule = warn ? NAMED_RULES[warn.rule] : undefined;
      return {
        ...common,
        kind: 'choice',
        options: s.options,
        columns: s.columns,
        multiple: s.multiple,
        stopOn: s.stopOn,
        resets: s.resets,
        tell: s.tell ? (v: string) => s.tell?.[v] ?? null : undefined,
        warn:
          warn && rule
            ? (v: string, c: StepContext) => {
                const found = rule.check(v, c, warn.params ?? {});
                return found ? { message: warn.message, params: found.params } : null;
              }
            : undefined,
      };
    }
    case 'text':
      return {
        ...common,
        kind: 'text',
        schema: z.string().trim().min(1).max(s.maxLength),
        maxLength: s.maxLength,
        voice: s.voice,
      };
    case 'money':
      return { ...common, kind: 'money', max: s.max, voice: s.voice };
    case 'person': {
      const { age, relations } = s;
      return {
        ...common,
        kind: 'person',
        includeSelf: s.includeSelf,
        allowAdd: s.allowAdd,
        multiple: s.multiple,
        age,
        relations,
        filter:
          age || relations
            ? (p, today) =>
                (!age || inAgeRange(ageOn(p.birthDate, today), age)) &&
                (!relations || (p.relation !== undefined && relations.includes(p.relation)))
            : undefined,
      };
    }
    case 'reference':
      return {
        ...common,
        kind: 'reference',
        source: s.source,
        stageFrom: s.stageFrom,
        extraOption: s.extraOption,
      };
    case 'files':
      return { ...common, kind: 'files', max: s.max };
    case 'phone':
      return { ...common, kind: 'phone' };
  }
}

function compile(def: ServiceFile, steps: readonly StepInput[], hash: string): ServiceDefinition {
  const out: ServiceDefinition = {
    code: def.code,
    version: def.version,
    hash,
    retired: def.retired ?? false,
    source: def,
    departmentKind: def.departmentKind,
    due: def.due as Due,
    urgentDue: def.urgentDue as Due | undefined,
    urgency: def.urgentWhen
      ? (
          (c) => (a: ServiceAnswers) =>
            onAnswers(c)(a) ? ('urgent' as const) : ('normal' as const)
        )(def.urgentWhen)
      : undefined,
    anonymous: def.anonymousWhen ? onAnswers(def.anonymousWhen) : undefined,
    needsHousehold: def.needsHousehold,
    confirmationCard: def.confirmationCard,
    setsEmployment: def.sets?.employment,
    recommendations: def.recommendations ?? false,
    documents: def.documents,
    steps: steps.map(compileStep),
    texts: def.texts,
  };
  return out;
}
