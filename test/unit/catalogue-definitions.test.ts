// Services as data (src/domain/catalogue/definition.ts, load.ts, rules.ts): the shipped definitions load
// and keep the four services' behaviour; each kind of mistake is reported with the file, the service, the
// step and what is wrong; the named rules and the conditions do what the README says.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answersValid } from '../../src/domain/case-rules.ts';
import {
  DEFAULT_SERVICES,
  DEFAULT_SERVICES_DIR,
  DefinitionError,
  evaluate,
  loadServiceDir,
  parseServiceFile,
  type ReferenceStep,
  type ServiceAnswers,
  type StepContext,
} from '../../src/domain/catalogue/index.ts';
import {
  checkTyped,
  medicalCareType,
  referenceList,
  schoolStageMatchesAge,
  schoolStageOf,
} from '../../src/domain/catalogue/rules.ts';

const today = new Date('2026-11-23T10:00:00+08:00');
const people: StepContext['people'] = [
  { id: 'me', name: '张伟', birthDate: '1980-05-01', self: true },
  { id: 'kid', name: '张小明', birthDate: '2018-03-01', self: false, relation: 'child' },
  { id: 'gran', name: '李秀英', birthDate: '1950-02-01', self: false, relation: 'parent' },
];
const a = (value: string | null) => ({ value, label: value ?? '' });
const ctx = (answers: ServiceAnswers): StepContext => ({ answers, today, people });

/** A small valid definition; each test breaks one thing. */
function definition(): Record<string, unknown> {
  const texts = (zh: boolean) => ({
    name: zh ? '🍚 老年助餐' : '🍚 Meals for older people',
    fields: { who: zh ? '谁吃饭' : 'Who', meals: zh ? '几顿' : 'Meals', note: zh ? '说明' : 'Note' },
    steps: {
      who: {
        prompt: zh ? '给谁登记？' : 'Who is it for?',
        none: zh ? '家里没有 60 岁以上的人。' : 'Nobody is 60 or over.',
      },
      meals: {
        prompt: zh ? '每天吃几顿？' : 'How many meals a day?',
        options: zh ? { lunch: '午饭', both: '午饭和晚饭' } : { lunch: 'Lunch', both: 'Lunch and supper' },
      },
      note: { prompt: zh ? '还有什么要说的？' : 'Anything else?' },
    },
  });
  return {
    code: 'elderly_meals',
    version: 1,
    departmentKind: 'neighbourhood',
    due: { workingDays: 3 },
    documents: [],
    steps: [
      { id: 'who', kind: 'person', includeSelf: true, age: { min: 60 } },
      { id: 'meals', kind: 'choice', options: ['lunch', 'both'] },
      { id: 'note', kind: 'text', maxLength: 200, optional: true, when: { step: 'meals', is: 'both' } },
    ],
    texts: { 'zh-CN': texts(true), en: texts(false) },
  };
}

type Def = ReturnType<typeof definition> & {
  steps: Record<string, unknown>[];
  texts: Record<'zh-CN' | 'en', Record<string, Record<string, unknown>>>;
};
const FILE = 'reference/services/elderly_meals.json';

/** The error a broken definition gives (its message and its code). */
function errorOf(change: (d: Def) => void, text?: string): { message: string; code: string } {
  const d = definition() as Def;
  change(d);
  try {
    parseServiceFile(FILE, text ?? JSON.stringify(d));
  } catch (err) {
    if (err instanceof DefinitionError) return { message: err.message, code: err.code };
    throw err;
  }
  throw new Error('the definition was accepted');
}

describe('the shipped definitions', () => {
  it('load, in menu order, each with a version, a content hash and both languages', () => {
    const services = loadServiceDir(DEFAULT_SERVICES_DIR);
    expect(services.map((s) => s.code)).toEqual([
      'school_enrolment',
      'medical_green_channel',
      'dibao',
      'suggestion',
      'job_seeking',
      'insurance_transfer',
      'hukou_transfer',
      'skills_training',
    ]);
    for (const s of services) {
      expect(s.version).toBe(1);
      expect(s.hash).toMatch(/^[0-9a-f]{16}$/);
      expect(s.retired).toBe(false);
      expect(Object.keys(s.texts).sort()).toEqual(['en', 'zh-CN']);
    }
    expect(DEFAULT_SERVICES.map((s) => s.hash)).toEqual(services.map((s) => s.hash));
  });

  it("the README's worked example (a fifth service) loads as written", () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const example = /as `reference\/services\/5-elderly_meals\.json`:\n\n```json\n([\s\S]*?)\n```/.exec(
      readme,
    )?.[1];
    const service = parseServiceFile('README.md', example ?? '');
    expect(service.code).toBe('elderly_meals');
    expect(service.steps.map((s) => s.id)).toEqual(['who', 'meals', 'note', 'phone']);
  });

  it('the same content is the same version, whatever the order of its keys', () => {
    const d = definition();
    const reordered = Object.fromEntries(Object.entries(d).reverse());
    expect(parseServiceFile('a.json', JSON.stringify(reordered)).hash).toBe(
      parseServiceFile('b.json', JSON.stringify(d)).hash,
    );
    const changed = { ...d, version: 2 };
    expect(parseServiceFile('c.json', JSON.stringify(changed)).hash).not.toBe(
      parseServiceFile('b.json', JSON.stringify(d)).hash,
    );
  });

  it('the school form: children only, the consent asked under 14, the stage checked against the age', () => {
    const school = DEFAULT_SERVICES.find((s) => s.code === 'school_enrolment');
    const child = school?.steps.find((s) => s.id === 'child');
    const consent = school?.steps.find((s) => s.id === 'guardianConsent');
    const stage = school?.steps.find((s) => s.id === 'stage');
    if (child?.kind !== 'person' || stage?.kind !== 'choice') throw new Error('unexpected steps');
    expect(people.filter((p) => !p.self && (child.filter?.(p, today) ?? true)).map((p) => p.id)).toEqual([
      'kid',
    ]);
    expect(consent?.when?.(ctx({ child: a('kid') }))).toBe(true);
    expect(consent?.when?.(ctx({ child: a('gran') }))).toBe(false);
    // 张小明 is 8: primary 3 is usual, junior 3 is not (the warning carries the age).
    expect(stage.warn?.('primary_3', ctx({ child: a('kid') }))).toBeNull();
    expect(stage.warn?.('junior_3', ctx({ child: a('kid') }))).toEqual({
      message: 'age_mismatch',
      params: { age: 8 },
    });
  });

  it('the green channel: "yes, an emergency" is urgent, says "call 120" and skips three questions', () => {
    const medical = DEFAULT_SERVICES.find((s) => s.code === 'medical_green_channel');
    const emergency = medical?.steps[0];
    if (emergency?.kind !== 'choice') throw new Error('unexpected steps');
    expect(emergency.tell?.('yes')).toBe('call_120');
    expect(emergency.tell?.('no')).toBeNull();
    expect(medical?.urgency?.({ emergency: a('yes') })).toBe('urgent');
    expect(medical?.urgency?.({ emergency: a('no'), careType: a('inpatient') })).toBe('normal');
    // A case filed before the first question existed: the kind of care said so.
    expect(medical?.urgency?.({ careType: a('emergency') })).toBe('urgent');
    const asked = (answers: ServiceAnswers) =>
      medical?.steps.filter((s) => !s.when || s.when(ctx(answers))).map((s) => s.id);
    expect(asked({ emergency: a('yes') })).toEqual(['emergency', 'patient', 'hospital', 'phone']);
    expect(asked({ emergency: a('no') })).toHaveLength(7);
  });

  it('dibao and the suggestion: detail asked on "other" and "some"; anonymous when chosen', () => {
    const dibao = DEFAULT_SERVICES.find((s) => s.code === 'dibao');
    const detail = dibao?.steps.find((s) => s.id === 'reasonDetail');
    expect(detail?.when?.(ctx({ reason: a('other') }))).toBe(true);
    expect(detail?.when?.(ctx({ reason: a('illness') }))).toBe(false);
    const suggestion = DEFAULT_SERVICES.find((s) => s.code === 'suggestion');
    expect(suggestion?.anonymous?.({ anonymous: a('anonymous') })).toBe(true);
    expect(suggestion?.anonymous?.({ anonymous: a('named') })).toBe(false);
  });
});

describe('a broken definition gives the file, the service, the step and what is wrong', () => {
  it('bad JSON', () => {
    const e = errorOf(() => {}, '{ "code": "elderly_meals", ');
    expect(e.code).toBe('unreadable');
    expect(e.message).toMatch(/^reference\/services\/elderly_meals\.json: service \?: not valid JSON \(/);
  });

  it('an unknown step kind', () => {
    const e = errorOf((d) => {
      d.steps[1] = { id: 'meals', kind: 'slider', options: ['lunch', 'both'] };
    });
    expect(e).toEqual({
      code: 'unknown_kind',
      message: `${FILE}: service "elderly_meals", step "meals": unknown step kind "slider" (choice, text, money, person, reference, files, phone)`,
    });
  });

  it('"when" naming an unknown step, or one asked later', () => {
    expect(
      errorOf((d) => {
        d.steps[2] = { ...d.steps[2], when: { step: 'meal', is: 'both' } };
      }),
    ).toEqual({
      code: 'unknown_step',
      message: `${FILE}: service "elderly_meals", step "note": "when" names step "meal", which does not exist`,
    });
    expect(
      errorOf((d) => {
        d.steps[1] = { ...d.steps[1], when: { step: 'note', is: 'x' } };
      }),
    ).toEqual({
      code: 'later_step',
      message: `${FILE}: service "elderly_meals", step "meals": "when" names step "note", which is not asked before it`,
    });
  });

  it('a missing English text, and a text in one language only', () => {
    expect(
      errorOf((d) => {
        delete d.texts.en.steps?.meals;
      }),
    ).toEqual({
      code: 'missing_text',
      message: `${FILE}: service "elderly_meals", step "meals": no en text "steps.meals.prompt"`,
    });
    expect(
      errorOf((d) => {
        (d.texts['zh-CN'].fields as Record<string, string>).extra = '多余的';
      }),
    ).toEqual({
      code: 'missing_text',
      message: `${FILE}: service "elderly_meals": no en text "fields.extra"`,
    });
    expect(
      errorOf((d) => {
        const steps = d.texts['zh-CN'].steps as Record<string, { options: Record<string, string> }>;
        if (steps.meals) steps.meals.options.both = ' ';
      }).code,
    ).toBe('invalid');
  });

  it('"sets.employment": a person step that exists, one person, a known status', () => {
    const sets = (employment: Record<string, unknown>) => (d: Def) => {
      Object.assign(d, { sets: { employment } });
    };
    expect(errorOf(sets({ step: 'whom', status: 'looking' }))).toEqual({
      code: 'unknown_step',
      message: `${FILE}: service "elderly_meals": "sets.employment" names step "whom", which does not exist`,
    });
    expect(errorOf(sets({ step: 'meals', status: 'looking' }))).toEqual({
      code: 'invalid',
      message: `${FILE}: service "elderly_meals", step "meals": "sets.employment" needs a step that names one person`,
    });
    expect(
      errorOf((d) => {
        d.steps[0] = { ...d.steps[0], multiple: { min: 1 } };
        sets({ step: 'who', status: 'looking' })(d);
      }).code,
    ).toBe('invalid');
    const e = errorOf(sets({ step: 'who', status: 'retired' }));
    expect(e.code).toBe('invalid');
    expect(e.message).toMatch(
      /^reference\/services\/elderly_meals\.json: service "elderly_meals": "sets\.employment\.status": /,
    );
    expect(errorOf((d) => Object.assign(d, { recommendations: 'yes' })).code).toBe('invalid');
    const d = definition();
    const ok = parseServiceFile(
      FILE,
      JSON.stringify({
        ...d,
        sets: { employment: { step: 'who', status: 'looking' } },
        recommendations: true,
      }),
    );
    expect(ok.setsEmployment).toEqual({ step: 'who', status: 'looking' });
    expect(ok.recommendations).toBe(true);
    expect(parseServiceFile(FILE, JSON.stringify(d)).recommendations).toBe(false);
  });

  it('a bad age range', () => {
    expect(
      errorOf((d) => {
        d.steps[0] = { ...d.steps[0], age: { min: 60, max: 18 } };
      }),
    ).toEqual({
      code: 'bad_age_range',
      message: `${FILE}: service "elderly_meals", step "who": age range min 60 is above max 18`,
    });
    expect(
      errorOf((d) => {
        d.steps[2] = { ...d.steps[2], when: { step: 'who', age: {} } };
      }).message,
    ).toBe(`${FILE}: service "elderly_meals", step "note": an age range needs min or max`);
  });

  it('a duplicate step id', () => {
    expect(
      errorOf((d) => {
        d.steps.push({ id: 'meals', kind: 'phone' });
      }),
    ).toEqual({
      code: 'duplicate_step',
      message: `${FILE}: service "elderly_meals", step "meals": a step with this id comes earlier`,
    });
  });

  it('a courses step: its "none" text in both languages, one per service, no extra option', () => {
    const withCourse = (d: Def, extra: Record<string, unknown> = {}) => {
      d.steps.push({ id: 'course', kind: 'reference', source: 'courses', ...extra });
      for (const [lang, none] of [
        ['zh-CN', '现在没有能报的班。'],
        ['en', 'No course is open now.'],
      ] as const) {
        (d.texts[lang].fields as Record<string, string>).course = lang === 'en' ? 'Course' : '培训班';
        (d.texts[lang].steps as Record<string, unknown>).course = {
          prompt: lang === 'en' ? 'Which course?' : '报哪个班？',
          ...(none ? { none } : {}),
        };
      }
    };
    const ok = definition() as Def;
    withCourse(ok);
    const service = parseServiceFile(FILE, JSON.stringify(ok));
    expect(service.steps.at(-1)).toMatchObject({ kind: 'reference', source: 'courses' });
    expect(referenceList(service.steps.at(-1) as ReferenceStep, {})).toEqual({ source: 'courses' });
    expect(
      errorOf((d) => {
        withCourse(d);
        delete (d.texts.en.steps as Record<string, Record<string, unknown>>).course?.none;
      }),
    ).toEqual({
      code: 'missing_text',
      message: `${FILE}: service "elderly_meals", step "course": no en text "steps.course.none"`,
    });
    expect(
      errorOf((d) => {
        withCourse(d);
        d.steps.push({ id: 'course2', kind: 'reference', source: 'courses' });
      }),
    ).toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('step "course2": a service may have one step'),
    });
    expect(errorOf((d) => withCourse(d, { extraOption: 'any' }))).toMatchObject({
      code: 'invalid',
      message: expect.stringContaining('takes no "extraOption"'),
    });
    expect(
      errorOf((d) => {
        d.steps.push({ id: 'course', kind: 'reference', source: 'classes' });
      }).code,
    ).toBe('invalid');
  });

  it('a wrong field, an unknown rule, an option that is not one, a missing rule parameter', () => {
    expect(
      errorOf((d) => {
        d.departmentKind = 'tax';
      }).code,
    ).toBe('invalid');
    expect(
      errorOf((d) => {
        d.departmentKind = 'tax';
      }).message,
    ).toMatch(/^reference\/services\/elderly_meals\.json: service "elderly_meals": "departmentKind": /);
    expect(
      errorOf((d) => {
        d.steps[1] = { ...d.steps[1], warn: { rule: 'moon_phase', message: 'odd' } };
      }).message,
    ).toBe(`${FILE}: service "elderly_meals", step "meals": unknown rule "moon_phase" (school_stage_age)`);
    expect(
      errorOf((d) => {
        d.steps[1] = { ...d.steps[1], stopOn: ['dinner'] };
      }).message,
    ).toBe(`${FILE}: service "elderly_meals", step "meals": "dinner" is not one of the options`);
    expect(
      errorOf((d) => {
        d.steps[1] = { ...d.steps[1], warn: { rule: 'school_stage_age', message: 'odd' } };
      }).message,
    ).toBe(
      `${FILE}: service "elderly_meals", step "meals": rule "school_stage_age" needs the parameter "person"`,
    );
    expect(
      errorOf((d) => {
        d.steps[2] = { ...d.steps[2], maxLength: 'long' };
      }).message,
    ).toMatch(
      /^reference\/services\/elderly_meals\.json: service "elderly_meals", step "note": "maxLength": /,
    );
  });

  it('two files with the same code: the second names the first', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bianmin-services-'));
    try {
      writeFileSync(path.join(dir, 'a.json'), JSON.stringify(definition()));
      writeFileSync(path.join(dir, 'b.json'), JSON.stringify(definition()));
      expect(() => loadServiceDir(dir)).toThrow(
        `${path.join(dir, 'b.json')}: service "elderly_meals": the same code as ${path.join(dir, 'a.json')}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('conditions and named rules', () => {
  it('is, isNot, in, age, anyOf, allOf', () => {
    const c = ctx({ meals: a('both'), who: a('gran') });
    expect(evaluate({ step: 'meals', is: 'both' }, c)).toBe(true);
    expect(evaluate({ step: 'meals', isNot: 'both' }, c)).toBe(false);
    expect(evaluate({ step: 'missing', isNot: 'both' }, c)).toBe(true);
    expect(evaluate({ step: 'meals', in: ['lunch', 'both'] }, c)).toBe(true);
    expect(evaluate({ step: 'missing', in: ['lunch'] }, c)).toBe(false);
    expect(evaluate({ step: 'who', age: { min: 60 } }, c)).toBe(true);
    expect(evaluate({ step: 'who', age: { max: 59 } }, c)).toBe(false);
    expect(evaluate({ step: 'meals', age: { min: 0 } }, c)).toBe(false);
    expect(
      evaluate(
        {
          anyOf: [
            { step: 'meals', is: 'lunch' },
            { step: 'who', age: { min: 70 } },
          ],
        },
        c,
      ),
    ).toBe(true);
    expect(
      evaluate(
        {
          allOf: [
            { step: 'meals', is: 'both' },
            { step: 'who', age: { max: 70 } },
          ],
        },
        c,
      ),
    ).toBe(false);
  });

  it('a multiple choice: at least `min` distinct options; a condition looks at each one chosen', async () => {
    const d = definition() as Def;
    d.steps[1] = { id: 'meals', kind: 'choice', options: ['lunch', 'both'], multiple: { min: 1 } };
    const service = parseServiceFile(FILE, JSON.stringify(d));
    const lists = { hospitals: async () => [], schools: async () => [], courses: async () => [] };
    const valid = (meals: string) =>
      answersValid(service, ctx({ who: a('gran'), meals: a(meals), note: a('软一点') }), lists);
    expect(await valid('lunch,both')).toBe(true);
    expect(await valid('lunch,lunch')).toBe(false);
    expect(await valid('lunch,supper')).toBe(false);
    expect(await valid('')).toBe(false);
    expect(evaluate({ step: 'meals', is: 'both' }, ctx({ meals: a('lunch,both') }))).toBe(true);
    expect(evaluate({ step: 'meals', isNot: 'both' }, ctx({ meals: a('lunch,both') }))).toBe(false);
    expect(
      errorOf((x) => {
        x.steps[1] = { id: 'meals', kind: 'choice', options: ['lunch', 'both'], multiple: { min: 3 } };
      }).message,
    ).toBe(`${FILE}: service "elderly_meals", step "meals": "multiple.min" 3 is more than the 2 options`);
    expect(
      errorOf((x) => {
        x.steps[1] = {
          id: 'meals',
          kind: 'choice',
          options: ['lunch', 'both'],
          multiple: { min: 1 },
          stopOn: ['both'],
        };
      }).message,
    ).toBe(
      `${FILE}: service "elderly_meals", step "meals": a step with "multiple" cannot have "stopOn", "tell" or "warn"`,
    );
  });

  it('several people (a person step with `multiple`): each one offered, none twice, at least `min`', async () => {
    const d = definition() as Def;
    d.steps[0] = { id: 'who', kind: 'person', includeSelf: true, age: { min: 6 }, multiple: { min: 1 } };
    const service = parseServiceFile(FILE, JSON.stringify(d));
    const lists = { hospitals: async () => [], schools: async () => [], courses: async () => [] };
    const valid = (who: string) => answersValid(service, ctx({ who: a(who), meals: a('lunch') }), lists);
    expect(await valid('me,kid,gran')).toBe(true);
    expect(await valid('gran')).toBe(true);
    expect(await valid('gran,gran')).toBe(false);
    expect(await valid('gran,stranger')).toBe(false);
    // An age condition holds when any of the people chosen is in the range.
    expect(evaluate({ step: 'who', age: { min: 70 } }, ctx({ who: a('kid,gran') }))).toBe(true);
    expect(evaluate({ step: 'who', age: { min: 70 } }, ctx({ who: a('kid,me') }))).toBe(false);
    expect(
      errorOf((x) => {
        x.steps[0] = { id: 'who', kind: 'person', includeSelf: true, allowAdd: true, multiple: { min: 1 } };
      }).message,
    ).toBe(`${FILE}: service "elderly_meals", step "who": a step with "multiple" cannot have "allowAdd"`);
  });

  it('a person step offers the ages and relations it names', () => {
    const d = definition() as Def;
    d.steps[0] = { id: 'who', kind: 'person', includeSelf: false, age: { min: 5 }, relations: ['parent'] };
    const who = parseServiceFile(FILE, JSON.stringify(d)).steps[0];
    if (who?.kind !== 'person') throw new Error('unexpected step');
    expect(people.filter((p) => who.filter?.(p, today)).map((p) => p.id)).toEqual(['gran']);
  });

  it('schoolStageMatchesAge: a year either side of the usual age is fine', () => {
    expect(schoolStageMatchesAge('primary_1', 6)).toBe(true);
    expect(schoolStageMatchesAge('primary_1', 5)).toBe(true);
    expect(schoolStageMatchesAge('primary_1', 8)).toBe(false);
    expect(schoolStageMatchesAge('kindergarten', 3)).toBe(true);
    expect(schoolStageMatchesAge('kindergarten', 8)).toBe(false);
    expect(schoolStageMatchesAge('junior_3', 14)).toBe(true);
    // Nothing to compare with: no warning.
    expect(schoolStageMatchesAge('junior_3', null)).toBe(true);
    expect(schoolStageMatchesAge('college', 20)).toBe(true);
  });

  it('checkTyped: what a text or money step takes, from its definition', () => {
    const d = parseServiceFile(FILE, JSON.stringify(definition()));
    const note = d.steps.find((s) => s.id === 'note');
    if (note?.kind !== 'text') throw new Error('unexpected step');
    expect(checkTyped(note, '  软一点  ')).toEqual({ ok: true, value: '软一点' });
    expect(checkTyped(note, '   ')).toEqual({ ok: false, error: 'empty' });
    expect(checkTyped(note, '软'.repeat(201))).toEqual({
      ok: false,
      error: 'too_long',
      params: { max: '200' },
    });
    const income = { id: 'income', kind: 'money' as const, max: 5000 };
    expect(checkTyped(income, '一千五百元')).toEqual({ ok: true, value: '1500' });
    expect(checkTyped(income, '9000')).toEqual({ ok: false, error: 'too_big' });
    expect(checkTyped(income, '很多')).toMatchObject({ ok: false });
  });

  it('medicalCareType: the emergency answer first, then the kind of care', () => {
    expect(medicalCareType({ emergency: a('yes'), careType: a('outpatient') })).toBe('emergency');
    expect(medicalCareType({ emergency: a('no'), careType: a('inpatient') })).toBe('inpatient');
    expect(medicalCareType({ careType: a('emergency') })).toBe('emergency');
    expect(medicalCareType({ careType: a('dental') })).toBeNull();
  });

  it('referenceList: hospitals, or the schools of the stage answered (primary when none)', () => {
    const schools: ReferenceStep = { id: 'school', kind: 'reference', source: 'schools', stageFrom: 'stage' };
    expect(referenceList(schools, { stage: a('junior_2') })).toEqual({ source: 'schools', stage: 'junior' });
    expect(referenceList(schools, { stage: a('kindergarten') })).toEqual({
      source: 'schools',
      stage: 'kindergarten',
    });
    expect(referenceList(schools, {})).toEqual({ source: 'schools', stage: 'primary' });
    expect(referenceList({ id: 'h', kind: 'reference', source: 'hospitals' }, {})).toEqual({
      source: 'hospitals',
    });
    expect(schoolStageOf('primary_4')).toBe('primary');
  });
});
