// One conversation for every service of the catalogue: the catalogue's steps become form steps, the form
// engine asks them, the case use case checks them again and files the case. A new service needs a catalogue
// entry and a locale section (`services:<code>.*`), nothing here.
import { householdPeople } from '../../app/case-answers.ts';
import { REGISTERED_PHONE, type SubmitResult } from '../../app/cases.ts';
import type { HouseholdView } from '../../app/households.ts';
import type { CommunityContact } from '../../app/reference.ts';
import type { Locale } from '../../config.ts';
import { MAX_OPEN_CASES_PER_SERVICE, MAX_URGENT_CASES_PER_DAY } from '../../domain/abuse-limits.ts';
import {
  courseStep,
  type FileRef,
  type ServiceDefinition,
  type ServiceStep,
  type StepContext,
  takesVoice,
} from '../../domain/catalogue/index.ts';
import { checkTyped, offeredPeople, referenceList } from '../../domain/catalogue/rules.ts';
import { ageOn } from '../../domain/id-number.ts';
import { parsePhone } from '../../domain/phone.ts';
import { moneyLabel } from '../answer-words.ts';
import { myCaseButtons, registerButton } from '../buttons.ts';
import { submissionContactText } from '../contact-render.ts';
import { type BotConversation, type BotDeps, type FormContext, localeName } from '../context.ts';
import { birthDay, dueBy } from '../format-time.ts';
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
  voiceLabel,
} from '../forms/engine.ts';
import { hospitalCardText } from '../hospital-card.ts';
import type { TFunction } from '../i18n.ts';
import { courseFormStep } from './course-step.ts';
import { fromParsed } from './from-parsed.ts';
import { conversationLocale } from './locale.ts';
import { addMemberInline } from './member.ts';

export const SERVICE_REQUEST = 'service';
const ADD_PERSON = '__add__';

/** Turns one catalogue step into a form step (prompt, buttons or text check) for this resident. */
function formStep(
  service: ServiceDefinition,
  step: ServiceStep,
  env: {
    t: TFunction;
    locale: Locale;
    household: HouseholdView;
    addPerson: () => Promise<Answer | null>;
    today: () => Date;
    /** Tells the resident something at once (a step's `tell`), inside the conversation. */
    say: (text: string) => Promise<unknown>;
  },
): FormStep {
  const key = `services:${service.code}.steps.${step.id}`;
  const ctxOf = (a: Answers): StepContext => ({
    answers: a,
    today: env.today(),
    people: householdPeople(env.household),
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
        multi: step.multiple ? { min: step.multiple.min } : undefined,
        stopOn: step.stopOn,
        resets: step.resets ? [...step.resets] : undefined,
        after: step.tell
          ? async (answer) => {
              const tell = step.tell?.(answer.value ?? '');
              if (tell) await env.say(env.t(`${key}.tell.${tell}`));
              return answer;
            }
          : undefined,
        choices: () => step.options.map((o) => ({ value: o, label: env.t(`${key}.options.${o}`) })),
        warn: step.warn
          ? (answer, a, today) => {
              const warning = step.warn?.(answer.value ?? '', { ...ctxOf(a), today });
              return warning ? env.t(`${key}.warnings.${warning.message}`, warning.params) : null;
            }
          : undefined,
      };
    case 'text':
      return { ...base, voice: takesVoice(step), text: (input): TextResult => checkTyped(step, input) };
    case 'money':
      return {
        ...base,
        voice: takesVoice(step),
        text: (input): TextResult => {
          const r = checkTyped(step, input);
          return r.ok ? { ...r, label: moneyLabel(env.t, env.locale, Number(r.value)) } : r;
        },
      };
    case 'person':
      return {
        ...base,
        prompt: (t, _a, today) => {
          const any = offeredPeople(step, householdPeople(env.household), today).length > 0;
          return any ? t(`${key}.prompt`) : `${t(`${key}.prompt`)}\n${t(`${key}.none`)}`;
        },
        choices: () => {
          const today = env.today();
          const list = offeredPeople(step, householdPeople(env.household), today).map((p) => ({
            value: p.id,
            label: p.name,
          }));
          return step.allowAdd
            ? [...list, { value: ADD_PERSON, label: env.t('services:common.add_person') }]
            : list;
        },
        multi: step.multiple ? { min: step.multiple.min } : undefined,
        after: async (answer) => (answer.value === ADD_PERSON ? env.addPerson() : answer),
      };
    case 'reference':
      if (step.source === 'courses')
        return courseFormStep(base, key, {
          t: env.t,
          districtCode: () => env.household.community.districtCode,
        });
      return {
        ...base,
        choices: async (ctx, a, locale) => {
          const district = env.household.community.districtCode;
          const extra = step.extraOption
            ? [{ value: step.extraOption, label: env.t(`${key}.options.${step.extraOption}`) }]
            : [];
          const list = referenceList(step, a);
          // Hospitals (courses are asked by course-step.ts, above).
          if (list.source !== 'schools') {
            return (await ctx.deps.reference.hospitals(district)).map((h) => ({
              value: h.code,
              label: localeName(locale, h),
            }));
          }
          const schools = await ctx.deps.reference.schools(district, list.stage);
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

/**
 * Before the dibao form: the household file is the applicant's household — confirm it, or go and fix it.
 * Resolves to the members confirmed (their ids; the case keeps them as a snapshot), or null.
 */
async function confirmHousehold(
  conversation: BotConversation,
  ctx: FormContext,
  service: ServiceDefinition,
  household: HouseholdView,
  t: TFunction,
  locale: Locale,
  today: Date,
): Promise<string[] | null> {
  const alone = household.members.length === 0;
  const text = alone
    ? t('services:common.alone_check')
    : `${t(`services:${service.code}.members_title`)}\n${household.members
        .map(
          (m) =>
            `• ${t('answers:member_confirm', {
              name: m.name,
              relation: t(`common:relation.${m.relation}`),
              birthDate: birthDay(m.birthDate, t),
              age: ageOn(m.birthDate, today),
            })}`,
        )
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
  if (outcome.status === 'done') return household.members.map((m) => m.id);
  await ctx.reply(t('services:common.alone_stop'), { reply_markup: backToMenu(t) });
  return null;
}

/** What the resident already said outside the form (src/bot/features/inbound.ts): their text or voice. */
export interface ServicePrefill {
  text?: string | null;
  voice?: FileRef | null;
}

/**
 * The service's free-text step (the first text step that takes a voice message) answered with the
 * resident's words, when they fit it; null when there is nothing to prefill or it does not fit.
 */
function prefillAnswer(
  service: ServiceDefinition,
  steps: FormStep[],
  prefill: ServicePrefill | undefined,
  t: TFunction,
): { stepId: string; answer: Answer } | null {
  const step = service.steps.find((s) => s.kind === 'text' && s.voice);
  const formStep = steps.find((s) => s.id === step?.id);
  if (!prefill || !step || !formStep?.text) return null;
  if (prefill.text) {
    const parsed = formStep.text(prefill.text, {}, new Date(0));
    return parsed.ok
      ? { stepId: step.id, answer: { value: parsed.value, label: parsed.label ?? parsed.value } }
      : null;
  }
  if (prefill.voice?.kind === 'voice') {
    const label = voiceLabel(t, prefill.voice);
    return { stepId: step.id, answer: { value: null, label, files: [prefill.voice] } };
  }
  return null;
}

/** The last argument that enters a form to go on with its draft (forms/drafts.ts). */
export const RESUME = 'resume';

export async function serviceRequest(
  conversation: BotConversation,
  ctx: FormContext,
  deps: BotDeps,
  serviceCode: string,
  resume?: string | null,
  prefill?: ServicePrefill | null,
): Promise<void> {
  const { locale, t } = await conversationLocale(conversation, deps.translator);
  const service = deps.catalogue.offered(serviceCode);
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
  // Asked again when a draft is resumed too: the household may have changed meanwhile, and the case keeps
  // the people confirmed (the dibao snapshot).
  let confirmedMembers: string[] | undefined;
  if (service.needsHousehold === 'confirm_alone') {
    const confirmed = await confirmHousehold(
      conversation,
      ctx,
      service,
      household,
      t,
      locale,
      new Date(startedAt),
    );
    if (!confirmed) return;
    confirmedMembers = confirmed;
  }

  let today = new Date(startedAt);
  const env = {
    t,
    locale,
    get household() {
      return household as HouseholdView;
    },
    today: () => today,
    say: (text: string) => ctx.reply(text),
    addPerson: async (): Promise<Answer | null> => {
      const added = await addMemberInline(
        conversation,
        ctx,
        t,
        locale,
        env.household.resident.birthDate,
        today,
      );
      if (!added) return null;
      household = await conversation.external((outer) =>
        outer.from ? outer.deps.households.getHousehold(outer.from.id) : null,
      );
      today = new Date(await conversation.now());
      return { value: added.id, label: added.name };
    },
  };
  const steps = service.steps.map((s) => formStep(service, s, env));
  // A resumed draft has its own answers; words sent outside a form prefill a new one only.
  const prefilled = draft ? null : prefillAnswer(service, steps, prefill ?? undefined, t);
  if (prefilled) await ctx.reply(t('inbound:prefilled'));
  // A course that filled up or started while the resident was filling in: say so, and ask that step again
  // with the courses still open (the other answers kept), then the summary.
  let initial: Answers | undefined =
    draft?.answers ?? (prefilled ? { [prefilled.stepId]: prefilled.answer } : undefined);
  let resumed = draft !== null;
  let kept = prefilled ? [prefilled.stepId] : undefined;
  let result: Awaited<ReturnType<BotDeps['cases']['submit']>>;
  for (;;) {
    const form = await runWholeForm(
      conversation,
      ctx,
      {
        keys: `services:${service.code}.`,
        errorFallback: 'services:errors.',
        steps,
        draft: true,
        initial,
        prefilled: kept,
        resume: resumed,
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
    // The key is fixed when the form starts (replayed identically): a repeated update, a double tap or a
    // crash after the case was written finds the same case instead of making a second one.
    const submissionKey = `${ctx.chat?.id ?? 0}:${service.code}:${startedAt}`;
    const answers = form.answers;
    result = await conversation.external(async (outer) => {
      if (!outer.from) return { ok: false as const, error: 'not_registered' as const };
      return outer.deps.cases.submit(outer.from.id, service.code, answers, submissionKey, confirmedMembers);
    });
    const course = courseStep(service)?.id;
    if (result.ok || !course || (result.error !== 'course_full' && result.error !== 'course_closed')) break;
    await ctx.reply(t(`services:course.${result.error}`, { course: answers[course]?.label ?? '' }));
    // The other answers stand as given (shown in the summary, changeable there); only the course is asked.
    initial = Object.fromEntries(Object.entries(answers).filter(([id]) => id !== course));
    kept = Object.keys(initial);
    resumed = false;
  }
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
  // Where to go, when it is open (by the use cases' clock), what to bring: src/bot/contact-render.ts.
  // The case is filed: a failure here must not keep its number from the resident (the rest is then left out).
  const where = await conversation.external(async (outer) => {
    const now = (outer.deps.now?.() ?? new Date()).toISOString();
    if (!outer.from) return { now, contact: null };
    try {
      return { now, contact: await outer.deps.reference.contactFor(outer.from.id, service.departmentKind) };
    } catch (err) {
      outer.deps.logger.warn({ err }, 'the service centre could not be read for a confirmation');
      return { now, contact: null };
    }
  });
  await confirmSubmission(ctx, service.code, result.value, t, locale, { service, ...where });
}

async function confirmSubmission(
  ctx: FormContext,
  serviceCode: string,
  r: SubmitResult,
  t: TFunction,
  locale: Locale,
  where: { service: ServiceDefinition; now: string; contact: CommunityContact | null },
) {
  const now = new Date(where.now);
  const due = dueBy(r.dueAt, now, t, { urgent: r.priority === 'urgent' });
  const lines = [
    r.created
      ? t('services:common.submitted', { number: r.number, due })
      : t('services:common.submitted_again', { number: r.number }),
  ];
  // Truthful: "being told" only when an alert is on its way to someone; who has it comes later (the
  // notification dispatcher tells the resident once one of them received it, or that nobody could be).
  if (r.alerting !== null)
    lines.push(t(`services:${serviceCode}.urgent.${r.alerting > 0 ? 'alerting' : 'nobody'}`));
  const { service, contact } = where;
  const contactText = submissionContactText(
    { serviceCode: service.code, documents: service.documents, contact },
    now,
    t,
    locale,
  );
  if (contactText) lines.push(contactText);
  await ctx.reply(lines.join('\n\n'), {
    reply_markup: {
      inline_keyboard: [
        [{ text: t('mycases:open_button'), callback_data: myCaseButtons.open.pack({ caseId: r.caseId }) }],
        // Documents the resident said they would bring later can come this way too.
        [
          {
            text: t('inbound:buttons.documents'),
            callback_data: myCaseButtons.documents.pack({ caseId: r.caseId }),
          },
        ],
        ...backToMenu(t).inline_keyboard,
      ],
    },
  });
  // The card comes last (easy to find at the hospital desk), with the way on under it.
  if (r.card)
    await ctx.reply(hospitalCardText(t, serviceCode, { ...r.card, number: r.number, serviceCode }, now), {
      reply_markup: backToMenu(t),
    });
}
