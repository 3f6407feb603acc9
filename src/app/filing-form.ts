// A catalogue service's form as a web form (the console at the window; any later web form): the same steps,
// conditions (`when`), warnings, stops and checks as the chat form (src/bot/conversations/service-request.ts
// turns the same definition into chat steps), read from one submit of the values typed and ticked. Nothing
// here knows a service: every service of reference/services works, and any added later.
//
// Read in the steps' order, a step's `when` sees the answers before it, as in the chat: a step an earlier
// answer hides is left out (and what was typed for it dropped). A file step is not asked here: at the
// window the documents are seen on paper (src/app/filing.ts records which). The use case checks the
// answers again (src/domain/case-rules.ts answersValid) before anything is filed.
import type {
  ServiceAnswers,
  ServiceDefinition,
  ServiceStep,
  StepContext,
} from '../domain/catalogue/index.ts';
import { checkTyped, offeredPeople, referenceList } from '../domain/catalogue/rules.ts';
import { parsePhone } from '../domain/phone.ts';
import { REGISTERED_PHONE } from './cases.ts';
import type { NamedOption } from './reference.ts';

/** What was posted: a field's values (a ticked list sends several). */
export type RawForm = Record<string, string | string[] | undefined>;

/** The HTML name of a step's field; a phone step's typed number has its own. */
export const fieldName = (stepId: string) => `f_${stepId}`;
export const typedName = (stepId: string) => `f_${stepId}_typed`;
/** A phone step's choice "a number typed here" (beside the registered number). */
export const TYPED_PHONE = 'typed';

/** How much of a wrong value is kept to show again (the check refuses it anyway). */
const KEEP_CHARS = 5000;
/** How many values of one field are read at most (a forged post with thousands). */
const KEEP_VALUES = 64;

export interface FieldError {
  /** `required`, `too_few`, `invalid`, or a step check's code (`too_long`, `too_big`, `format` …). */
  error: string;
  params?: Record<string, string>;
}

export interface WebField {
  step: ServiceStep;
  /** The choices offered (choice, person, reference; a phone step's registered number). */
  options: { value: string; label: string }[];
  /** The values as sent, to show again (kept when wrong). */
  sent: string[];
  /** A phone step's typed number as sent. */
  typed: string;
  error: FieldError | null;
  /** A gentle warning (locale `services:<code>.steps.<id>.warnings.<message>`): the clerk may keep it. */
  warning: { message: string; params: Record<string, string | number> } | null;
  /** Something to tell the resident at once (`services:<code>.steps.<id>.tell.<key>`), e.g. "call 120". */
  tell: string | null;
}

export interface WebForm {
  /** The steps asked, given the answers so far, in order (file steps left out). */
  fields: WebField[];
  /** The valid answers. */
  answers: ServiceAnswers;
  /** A choice that ends the form without a case (e.g. consent declined). */
  stopped: { stepId: string; value: string } | null;
  /** Every step asked has a valid answer (or is optional): ready to confirm. */
  complete: boolean;
}

/** How answers read back (the clerk's language): the chat form's labels. */
export interface FormWords {
  option(step: ServiceStep, option: string): string;
  money(yuan: number): string;
  place(p: NamedOption): string;
  registeredPhone(masked: string): string;
}

/** The resident's side of the form: their household, their phone (masked), their district's lists. */
export interface FormHousehold {
  people: StepContext['people'];
  phoneMasked: string;
  hospitals(): Promise<readonly NamedOption[]>;
  schools(stage: 'kindergarten' | 'primary' | 'junior'): Promise<readonly NamedOption[]>;
  /** The district's skills-training courses open for sign-up (not started, a seat left). */
  courses(): Promise<readonly NamedOption[]>;
}

const valuesOf = (raw: RawForm, name: string): string[] => {
  const v = raw[name];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list
    .slice(0, KEEP_VALUES)
    .map((x) => String(x).slice(0, KEEP_CHARS))
    .filter((x) => x.trim() !== '');
};

/** The choices a step offers given the answers so far (null: a typed step). */
async function optionsOf(
  step: ServiceStep,
  answers: ServiceAnswers,
  household: FormHousehold,
  words: FormWords,
  today: Date,
): Promise<{ value: string; label: string }[]> {
  switch (step.kind) {
    case 'choice':
      return step.options.map((o) => ({ value: o, label: words.option(step, o) }));
    case 'person':
      return offeredPeople(step, household.people, today).map((p) => ({ value: p.id, label: p.name }));
    case 'reference': {
      const which = referenceList(step, answers);
      const list =
        which.source === 'hospitals'
          ? await household.hospitals()
          : which.source === 'courses'
            ? await household.courses()
            : await household.schools(which.stage);
      const extra = step.extraOption
        ? [{ value: step.extraOption, label: words.option(step, step.extraOption) }]
        : [];
      return [...extra, ...list.map((p) => ({ value: p.code, label: words.place(p) }))];
    }
    case 'phone':
      return [{ value: REGISTERED_PHONE, label: words.registeredPhone(household.phoneMasked) }];
    default:
      return [];
  }
}

type Read = { answer: ServiceAnswers[string] } | { error: FieldError } | { stop: string } | null;

/** One step's answer from what was sent; null: nothing sent. */
function readStep(
  step: ServiceStep,
  sent: string[],
  typed: string,
  options: { value: string; label: string }[],
  words: FormWords,
): Read {
  const label = (v: string) => options.find((o) => o.value === v)?.label ?? v;
  const known = (v: string) => options.some((o) => o.value === v);
  switch (step.kind) {
    case 'choice':
    case 'person':
    case 'reference': {
      if (sent.length === 0) return null;
      const multiple = step.kind === 'reference' ? undefined : step.multiple;
      if (!multiple) {
        const v = sent[0] as string;
        if (sent.length > 1 || !known(v)) return { error: { error: 'invalid' } };
        if (step.kind === 'choice' && step.stopOn?.includes(v)) return { stop: v };
        return { answer: { value: v, label: label(v) } };
      }
      if (new Set(sent).size !== sent.length || !sent.every(known)) return { error: { error: 'invalid' } };
      if (sent.length < multiple.min)
        return { error: { error: 'too_few', params: { min: String(multiple.min) } } };
      // In the list's order, as the chat form gives them.
      const chosen = options.filter((o) => sent.includes(o.value));
      return {
        answer: { value: chosen.map((o) => o.value).join(','), label: chosen.map((o) => o.label).join('、') },
      };
    }
    case 'text':
    case 'money': {
      if (sent.length === 0) return null;
      const r = checkTyped(step, sent[0] as string);
      if (!r.ok) return { error: { error: r.error, params: r.params } };
      return {
        answer: { value: r.value, label: step.kind === 'money' ? words.money(Number(r.value)) : r.value },
      };
    }
    case 'phone': {
      const choice = sent[0];
      if (choice === REGISTERED_PHONE && typed.trim() === '')
        return { answer: { value: REGISTERED_PHONE, label: label(REGISTERED_PHONE) } };
      if (typed.trim() === '') return choice === TYPED_PHONE || choice === undefined ? null : invalid();
      const r = parsePhone(typed);
      return r.ok ? { answer: { value: r.value, label: r.value } } : { error: { error: r.error } };
    }
    case 'files':
      return null;
  }
}

const invalid = (): Read => ({ error: { error: 'invalid' } });

/**
 * Reads the form as sent. `required`: a step asked but left empty is an error (the clerk asked to go on to
 * the confirmation); otherwise only wrong values are (the form was sent to show the steps an answer opens).
 */
export async function readWebForm(
  service: ServiceDefinition,
  raw: RawForm,
  household: FormHousehold,
  words: FormWords,
  today: Date,
  opts: { required: boolean },
): Promise<WebForm> {
  const answers: ServiceAnswers = {};
  const fields: WebField[] = [];
  let stopped: WebForm['stopped'] = null;
  let complete = true;
  for (const step of service.steps) {
    const context: StepContext = { answers, today, people: household.people };
    if (step.when && !step.when(context)) continue;
    if (step.kind === 'files') continue;
    const options = await optionsOf(step, answers, household, words, today);
    const sent = valuesOf(raw, fieldName(step.id));
    const typed = step.kind === 'phone' ? (valuesOf(raw, typedName(step.id))[0] ?? '') : '';
    const read = readStep(step, sent, typed, options, words);
    const field: WebField = { step, options, sent, typed, error: null, warning: null, tell: null };
    if (read === null) {
      if (!step.optional) {
        complete = false;
        if (opts.required) field.error = { error: 'required' };
      }
    } else if ('error' in read) {
      complete = false;
      field.error = read.error;
    } else if ('stop' in read) {
      stopped ??= { stepId: step.id, value: read.stop };
    } else if (read.answer) {
      answers[step.id] = read.answer;
      const value = read.answer.value ?? '';
      if (step.kind === 'choice') {
        field.warning = step.warn?.(value, { answers, today, people: household.people }) ?? null;
        field.tell = step.tell?.(value) ?? null;
      }
    }
    fields.push(field);
  }
  return { fields, answers, stopped, complete: complete && stopped === null };
}
