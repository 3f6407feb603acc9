// One conversation for every service of the catalogue: the catalogue's steps become form steps, the form
// engine asks them, the case use case checks them again and files the case. A new service needs a catalogue
// entry and a locale section (`services:<code>.*`), nothing here.
import { REGISTERED_PHONE, type SubmitResult } from '../../app/cases.ts';
import type { HouseholdView } from '../../app/households.ts';
import type { Locale } from '../../config.ts';
import { MAX_OPEN_CASES_PER_SERVICE, MAX_URGENT_CASES_PER_DAY } from '../../domain/abuse-limits.ts';
import type { ServiceDefinition, ServiceStep, StepContext } from '../../domain/catalogue/index.ts';
import { schoolStageOf } from '../../domain/catalogue/services.ts';
import { ageOn } from '../../domain/id-number.ts';
import { parsePhone } from '../../domain/phone.ts';
import { myCaseButtons, registerButton } from '../buttons.ts';
import { type BotConversation, type BotDeps, type FormContext, localeName } from '../context.ts';
import { beijingTime } from '../format-time.ts';
import { takeDraft } from '../forms/drafts.ts';
import {
  type Answer,
  type Answers,
  backToMenu,
  declareForm,
  type FormStep,
  plainName,
  runWholeForm,
  type TextResult,
} from '../forms/engine.ts';
import type { TFunction } from '../i18n.ts';
import { fromParsed } from './from-parsed.ts';
import { conversationLocale } from './locale.ts';
import { addMemberInline } from './member.ts';

export const SERVICE_REQUEST = 'service';
const ADD_PERSON = '__add__';

function people(h: HouseholdView): StepContext['people'] {
  return [
    { id: h.resident.id, name: h.resident.name, birthDate: h.resident.birthDate, self: true },
    ...h.members.map((m) => ({ id: m.id, name: m.name, birthDate: m.birthDate, self: false })),
  ];
}

const digits = (s: string) => s.normalize('NFKC').replace(/[\s,，元块]/g, '');

/** Turns one catalogue step into a form step (prompt, buttons or text check) for this resident. */
function formStep(
  service: ServiceDefinition,
  step: ServiceStep,
  env: {
    t: TFunction;
    household: HouseholdView;
    addPerson: () => Promise<Answer | null>;
    today: () => Date;
  },
): FormStep {
  const key = `services:${service.code}.steps.${step.id}`;
  const ctxOf = (a: Answers): StepContext => ({
    answers: a,
    today: env.today(),
    people: people(env.household),
  });
  const base: FormStep = {
    id: step.id,
    prompt: (t) => t(`${key}.prompt`),
    when: step.when ? (a) => (step.when as NonNullable<ServiceStep['when']>)(ctxOf(a)) : undefined,
    optional: step.optional ? () => true : undefined,
  };
  switch (step.kind) {
    case 'choice':
      return {
        ...base,
        columns: step.columns,
        stopOn: step.stopOn,
        choices: () => step.options.map((o) => ({ value: o, label: env.t(`${key}.options.${o}`) })),
        warn: step.warn
          ? (answer, a, today) => {
              const warning = step.warn?.(answer.value ?? '', { ...ctxOf(a), today });
              if (!warning) return null;
              const childId = a.child?.value;
              const child = env.household.members.find((m) => m.id === childId);
              return env.t(`${key}.warnings.${warning}`, { age: child ? ageOn(child.birthDate, today) : '' });
            }
          : undefined,
      };
    case 'text':
      return {
        ...base,
        voice: step.voice,
        text: (input): TextResult => {
          const text = input.trim();
          if (text.length === 0) return { ok: false, error: 'empty' };
          if (text.length > step.maxLength)
            return { ok: false, error: 'too_long', params: { max: String(step.maxLength) } };
          return step.schema.safeParse(text).success
            ? { ok: true, value: text }
            : { ok: false, error: 'invalid' };
        },
      };
    case 'money':
      return {
        ...base,
        text: (input): TextResult => {
          const n = digits(input);
          if (!/^\d{1,9}$/.test(n)) return { ok: false, error: 'invalid' };
          if (Number(n) > step.max) return { ok: false, error: 'too_big' };
          return { ok: true, value: String(Number(n)), label: `${Number(n)} 元` };
        },
      };
    case 'person':
      return {
        ...base,
        prompt: (t, _a, today) => {
          const any = people(env.household).some(
            (p) => (step.includeSelf || !p.self) && (!step.filter || step.filter(p, today)),
          );
          return any ? t(`${key}.prompt`) : `${t(`${key}.prompt`)}\n${t(`${key}.none`)}`;
        },
        choices: () => {
          const today = env.today();
          const list = people(env.household)
            .filter((p) => (step.includeSelf || !p.self) && (!step.filter || step.filter(p, today)))
            .map((p) => ({ value: p.id, label: p.name }));
          return step.allowAdd
            ? [...list, { value: ADD_PERSON, label: env.t('services:common.add_person') }]
            : list;
        },
        after: async (answer) => (answer.value === ADD_PERSON ? env.addPerson() : answer),
      };
    case 'reference':
      return {
        ...base,
        choices: async (ctx, a, locale) => {
          const district = env.household.community.districtCode;
          const extra = step.extraOption
            ? [{ value: step.extraOption, label: env.t(`${key}.options.${step.extraOption}`) }]
            : [];
          if (step.source === 'hospitals') {
            return (await ctx.deps.reference.hospitals(district)).map((h) => ({
              value: h.code,
              label: localeName(locale, h),
            }));
          }
          const stage =
            schoolStageOf(step.stageFrom ? (a[step.stageFrom]?.value ?? null) : null) ?? 'primary';
          const schools = await ctx.deps.reference.schools(district, stage);
          return [...extra, ...schools.map((s) => ({ value: s.code, label: localeName(locale, s) }))];
        },
      };
    case 'files':
      return { ...base, files: { max: step.max } };
    case 'phone':
      return {
        ...base,
        choices: () => [
          {
            value: REGISTERED_PHONE,
            label: env.t('services:common.registered_phone', { phone: env.household.resident.phoneMasked }),
          },
        ],
        text: (input) => fromParsed(parsePhone(input)),
      };
  }
}

/** Before the dibao form: the household file is the applicant's household — confirm it, or go and fix it. */
async function confirmHousehold(
  conversation: BotConversation,
  ctx: FormContext,
  service: ServiceDefinition,
  household: HouseholdView,
  t: TFunction,
  locale: Locale,
): Promise<boolean> {
  const alone = household.members.length === 0;
  const text = alone
    ? t('services:common.alone_check')
    : `${t(`services:${service.code}.members_title`)}\n${household.members
        .map((m) => `• ${m.name}（${t(`common:relation.${m.relation}`)}，${m.birthDate}）`)
        .join('\n')}`;
  const step: FormStep = {
    id: 'household',
    prompt: () => text,
    choices: () => [
      { value: 'yes', label: t(alone ? 'services:common.alone_yes' : 'services:common.members_ok') },
      { value: 'no', label: t(alone ? 'services:common.alone_add' : 'services:common.members_change') },
    ],
    stopOn: ['no'],
  };
  const outcome = await runWholeForm(
    conversation,
    ctx,
    { keys: 'services:common.', steps: [step], summary: false },
    t,
    locale,
  );
  if (outcome.status === 'done') return true;
  await ctx.reply(t('services:common.alone_stop'), { reply_markup: backToMenu(t) });
  return false;
}

/** The last argument that enters a form to go on with its draft (forms/drafts.ts). */
export const RESUME = 'resume';

export async function serviceRequest(
  conversation: BotConversation,
  ctx: FormContext,
  deps: BotDeps,
  serviceCode: string,
  resume?: string,
): Promise<void> {
  const { locale, t } = await conversationLocale(conversation, deps.translator);
  const service = deps.catalogue.get(serviceCode);
  if (!service) {
    await ctx.reply(t('services:common.failed.unknown_service'), { reply_markup: backToMenu(t) });
    return;
  }
  const name = plainName(t(`services:${service.code}.name`));
  declareForm(conversation, {
    form: SERVICE_REQUEST,
    args: [serviceCode],
    name,
    wayBack: '/services',
    keepDraft: true,
  });
  const startedAt = await conversation.now();
  const draft =
    resume === RESUME ? await takeDraft(conversation, SERVICE_REQUEST, [serviceCode], startedAt) : null;
  let household = await conversation.external((outer) =>
    outer.from ? outer.deps.households.getHousehold(outer.from.id) : null,
  );
  if (!household) {
    await ctx.reply(t('services:menu.need_register'), {
      reply_markup: {
        inline_keyboard: [
          [{ text: t('services:menu.register_button'), callback_data: registerButton.pack({}) }],
        ],
      },
    });
    return;
  }
  if (draft) await ctx.reply(t('aside:resuming', { form: name }));
  else if (resume === RESUME) await ctx.reply(t('aside:resume_gone'));
  if (!draft) await ctx.reply(t('services:common.intro', { service: t(`services:${service.code}.name`) }));
  // A draft was put aside after the household was confirmed (it has answers): not asked again.
  if (
    !draft &&
    service.needsHousehold === 'confirm_alone' &&
    !(await confirmHousehold(conversation, ctx, service, household, t, locale))
  ) {
    return;
  }

  let today = new Date(startedAt);
  const env = {
    t,
    get household() {
      return household as HouseholdView;
    },
    today: () => today,
    addPerson: async (): Promise<Answer | null> => {
      const added = await addMemberInline(conversation, ctx, t, locale);
      if (!added) return null;
      household = await conversation.external((outer) =>
        outer.from ? outer.deps.households.getHousehold(outer.from.id) : null,
      );
      today = new Date(await conversation.now());
      return { value: added.id, label: added.name };
    },
  };
  const steps = service.steps.map((s) => formStep(service, s, env));
  const form = await runWholeForm(
    conversation,
    ctx,
    {
      keys: `services:${service.code}.`,
      errorFallback: 'services:errors.',
      steps,
      draft: true,
      initial: draft?.answers,
      resume: draft !== null,
    },
    t,
    locale,
  );
  if (form.status === 'cancelled') {
    await ctx.reply(t('form:cancelled'), { reply_markup: backToMenu(t) });
    return;
  }
  if (form.status === 'stopped') {
    await ctx.reply(t([`services:${service.code}.stopped.${form.stepId}`, 'services:common.stopped']), {
      reply_markup: backToMenu(t),
    });
    return;
  }
  // The key is fixed when the form starts (replayed identically): a repeated update, a double tap or a crash
  // after the case was written finds the same case instead of making a second one.
  const submissionKey = `${ctx.chat?.id ?? 0}:${service.code}:${startedAt}`;
  const answers = form.answers;
  const result = await conversation.external(async (outer) => {
    if (!outer.from) return { ok: false as const, error: 'not_registered' as const };
    return outer.deps.cases.submit(outer.from.id, service.code, answers, submissionKey);
  });
  if (!result.ok) {
    await ctx.reply(
      t(`services:common.failed.${result.error}`, {
        openMax: MAX_OPEN_CASES_PER_SERVICE,
        urgentMax: MAX_URGENT_CASES_PER_DAY,
      }),
      { reply_markup: backToMenu(t) },
    );
    return;
  }
  await confirmSubmission(ctx, result.value, t, locale);
}

async function confirmSubmission(ctx: FormContext, r: SubmitResult, t: TFunction, locale: Locale) {
  const lines = [
    r.created
      ? t('services:common.submitted', { number: r.number, due: beijingTime(r.dueAt, locale, 'labelled') })
      : t('services:common.submitted_again', { number: r.number }),
  ];
  if (r.created && r.priority === 'urgent') lines.push(t('services:common.urgent_alerted'));
  await ctx.reply(lines.join('\n\n'), {
    reply_markup: {
      inline_keyboard: [
        [{ text: t('mycases:open_button'), callback_data: myCaseButtons.open.pack({ caseId: r.caseId }) }],
        ...backToMenu(t).inline_keyboard,
      ],
    },
  });
  if (r.card) {
    await ctx.reply(
      t('services:common.card', {
        number: r.number,
        patient: r.card.patientName,
        idNumber: r.card.idNumberMasked ?? '—',
        hospital: r.card.hospital,
        date: r.card.date,
      }),
    );
  }
}
