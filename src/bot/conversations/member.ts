// Add a household member, or change one (the same form, prefilled, with "keep it as it is").

import type { Locale } from '../../config.ts';
import { EMPLOYMENT_STATUSES, WORKING_AGE } from '../../domain/employment.ts';
import { RELATIONS, relationAgeProblem, SEXES } from '../../domain/household.ts';
import { ageOn, parseIdNumber } from '../../domain/id-number.ts';
import { maskIdNumber } from '../../domain/mask.ts';
import { idNumberRequiredFor, parseBirthDate, parsePersonName } from '../../domain/person.ts';
import type { BotConversation, BotDeps, FormContext } from '../context.ts';
import {
  type Answers,
  backToMenu,
  declareForm,
  type FormStep,
  runWholeForm,
  type SummaryHook,
} from '../forms/engine.ts';
import type { TFunction } from '../i18n.ts';
import { fromParsed } from './from-parsed.ts';
import { conversationLocale } from './locale.ts';

export const MEMBER = 'member';
export const KEEP_ID = 'keep';

const value = (a: Answers, id: string) => a[id]?.value ?? null;

/** Buttons for a fixed list (relations, sexes), labelled `common:<labels>.<value>` in the resident's language. */
const choicesOf =
  (values: readonly string[], labels: string): FormStep['choices'] =>
  (ctx, _a, locale) => {
    const t = ctx.deps.translator.t(locale);
    return values.map((v) => ({ value: v, label: t(`common:${labels}.${v}`) }));
  };

/** Why the chosen relation and birth date do not fit the resident's own birth date (an error code), or null. */
function relationProblem(a: Answers, residentBirthDate: string | null, today: Date) {
  const relation = value(a, 'relation');
  const birthDate = value(a, 'birthDate');
  if (!residentBirthDate || !relation || !birthDate) return null;
  const problem = relationAgeProblem(relation, birthDate, residentBirthDate, today);
  return problem ? { code: problem, params: { birthDate, age: String(ageOn(birthDate, today)) } } : null;
}

/**
 * The engine's summary, unless the relation and the birth date cannot both be right (a relation changed from
 * the summary, a birth date kept while editing): then it says why and offers only "change" and "cancel".
 */
function memberSummary(
  t: TFunction,
  steps: FormStep[],
  residentBirthDate: string | null,
  today: Date,
): SummaryHook {
  return {
    async render(_c, a) {
      const lines = steps
        .filter((step) => step.when?.(a) ?? true)
        .map((step) =>
          t('form:summary_line', {
            field: t(`household:member.fields.${step.id}`),
            answer: a[step.id]?.label ?? '—',
          }),
        );
      const text = `${t('form:summary_title')}\n${lines.join('\n')}`;
      const problem = relationProblem(a, residentBirthDate, today);
      if (!problem) return { text };
      const why = t(`household:member.errors.birthDate.${problem.code}`, problem.params);
      return { text: `${text}\n\n⚠️ ${why}\n${t('household:member.relation_fix')}`, confirm: null };
    },
  };
}

function memberSteps(editing: boolean, residentBirthDate: string | null, today: Date): FormStep[] {
  const keepable = () => editing;
  return [
    {
      id: 'name',
      prompt: (t) => t('household:member.ask.name'),
      keepable,
      text: (input) => fromParsed(parsePersonName(input)),
    },
    {
      id: 'relation',
      prompt: (t) => t('household:member.ask.relation'),
      keepable,
      choices: choicesOf(RELATIONS, 'relation'),
      columns: 2,
    },
    {
      id: 'birthDate',
      prompt: (t) => t('household:member.ask.birthDate'),
      keepable,
      text: (input, a, today) => {
        const birth = parseBirthDate(input, today);
        if (!birth.ok) return { ok: false, error: birth.error };
        const problem = relationProblem(
          { ...a, birthDate: { value: birth.value, label: birth.value } },
          residentBirthDate,
          today,
        );
        return problem
          ? { ok: false, error: problem.code, params: problem.params }
          : { ok: true, value: birth.value, label: birth.value };
      },
    },
    {
      id: 'idNumber',
      prompt: (t, a, today) => {
        const birth = value(a, 'birthDate');
        const optional = birth !== null && !idNumberRequiredFor(birth, today);
        return t(optional ? 'household:member.ask.idNumber_optional' : 'household:member.ask.idNumber');
      },
      keepable: (a) => editing && value(a, 'idNumber') === KEEP_ID,
      optional: (a, today) => {
        const birth = value(a, 'birthDate');
        return birth !== null && !idNumberRequiredFor(birth, today);
      },
      text: (input, a, today) => {
        const r = parseIdNumber(input, today);
        if (!r.ok) return { ok: false, error: r.error };
        const birth = value(a, 'birthDate');
        if (birth !== null && birth !== r.value.birthDate) {
          return { ok: false, error: 'birth_date_mismatch', params: { idBirthDate: r.value.birthDate } };
        }
        return { ok: true, value: r.value.idNumber, label: maskIdNumber(r.value.idNumber) };
      },
      sensitiveEcho: (t, answer) => t('household:member.id_received', { masked: answer.label }),
    },
    {
      id: 'sex',
      // An ID number already says it (17th digit): only ask when there is none.
      when: (a) => value(a, 'idNumber') === null,
      prompt: (t) => t('household:member.ask.sex'),
      keepable,
      choices: choicesOf(SEXES, 'sex'),
      columns: 2,
    },
    {
      // Work status (the same five as /household's "💼"), for someone of working age; may be skipped.
      id: 'work',
      when: (a) => {
        const birth = value(a, 'birthDate');
        return birth !== null && ageOn(birth, today) >= WORKING_AGE.min;
      },
      prompt: (t) => t('household:member.ask.work'),
      keepable: (a) => editing && value(a, 'work') !== null,
      optional: () => true,
      choices: (ctx, _a, locale) => {
        const t = ctx.deps.translator.t(locale);
        return EMPLOYMENT_STATUSES.map((s) => ({ value: s, label: t(`employment:status_button.${s}`) }));
      },
      columns: 1,
    },
  ];
}

/**
 * The work status chosen in the form, set through the household use case (audited as the resident's, as from
 * /household) once the member is saved; nothing when skipped, kept or hidden (under 16).
 */
async function saveWork(
  conversation: BotConversation,
  memberId: string,
  a: Answers,
  before: string | null,
): Promise<void> {
  const status = value(a, 'work');
  const birth = value(a, 'birthDate');
  if (status === null || status === before || birth === null) return;
  await conversation.external(async (outer) => {
    if (outer.from) await outer.deps.households.setOwnEmployment(outer.from.id, memberId, status);
  });
}

function memberInput(a: Answers) {
  const idValue = value(a, 'idNumber');
  return {
    name: value(a, 'name') ?? '',
    relation: value(a, 'relation') ?? '',
    birthDate: value(a, 'birthDate') ?? '',
    sex: value(a, 'sex') ?? undefined,
    idNumber: idValue === KEEP_ID ? null : idValue,
    keepIdNumber: idValue === KEEP_ID,
  };
}

export async function memberForm(
  conversation: BotConversation,
  ctx: FormContext,
  deps: BotDeps,
  memberId?: string,
): Promise<void> {
  const { locale, t } = await conversationLocale(conversation, deps.translator);
  declareForm(conversation, {
    form: MEMBER,
    args: memberId ? [memberId] : [],
    name: t('aside:forms.member'),
    wayBack: '/household',
    keepDraft: false,
  });
  let initial: Answers = {};
  let workBefore: string | null = null;
  if (memberId) {
    const member = await conversation.external((outer) =>
      outer.from ? outer.deps.households.getMember(outer.from.id, memberId) : null,
    );
    if (!member) {
      await ctx.reply(t('household:member_not_found'));
      return;
    }
    initial = {
      name: { value: member.name, label: member.name },
      relation: { value: member.relation, label: t(`common:relation.${member.relation}`) },
      birthDate: { value: member.birthDate, label: member.birthDate },
      idNumber: member.idNumberMasked
        ? { value: KEEP_ID, label: member.idNumberMasked }
        : { value: null, label: '—' },
      sex: { value: member.sex, label: t(`common:sex.${member.sex}`) },
      work: member.employmentStatus
        ? { value: member.employmentStatus, label: t(`employment:status_button.${member.employmentStatus}`) }
        : { value: null, label: '—' },
    };
    workBefore = member.employmentStatus;
    await ctx.reply(t('household:member.intro_edit', { name: member.name }));
  } else {
    await ctx.reply(t('household:member.intro_add'));
  }

  // The resident's own birth date: a member's relation is checked against it (a "spouse" born in 2019).
  const residentBirthDate = await conversation.external(
    async (outer) =>
      (outer.from ? await outer.deps.households.getHousehold(outer.from.id) : null)?.resident.birthDate ??
      null,
  );
  const today = new Date(await conversation.now());
  const steps = memberSteps(memberId !== undefined, residentBirthDate, today);
  const form = await runWholeForm(
    conversation,
    ctx,
    {
      keys: 'household:member.',
      steps,
      initial,
      summary: memberSummary(t, steps, residentBirthDate, today),
    },
    t,
    locale,
  );
  if (form.status !== 'done') {
    await ctx.reply(t('form:cancelled'), { reply_markup: backToMenu(t) });
    return;
  }
  const input = memberInput(form.answers);
  const result = await conversation.external(async (outer) => {
    if (!outer.from) return { ok: false as const, error: 'invalid' as const };
    return memberId
      ? outer.deps.households.updateMember(outer.from.id, memberId, input)
      : outer.deps.households.addMember(outer.from.id, input);
  });
  if (result.ok) {
    const saved = memberId ?? (result.value as { memberId: string } | null)?.memberId;
    if (saved) await saveWork(conversation, saved, form.answers, workBefore);
    await ctx.reply(
      t(memberId ? 'household:member.saved_edit' : 'household:member.saved_add', { name: input.name }),
      { reply_markup: backToMenu(t) },
    );
  } else {
    await ctx.reply(t(`household:member.failed.${result.error}`), { reply_markup: backToMenu(t) });
  }
}

/**
 * Adds a household member from inside another form ("add the child on the spot"): the member form without
 * its own intro, saved at once. Resolves to the new member, or null when the resident gave up.
 */
export async function addMemberInline(
  conversation: BotConversation,
  ctx: FormContext,
  t: TFunction,
  locale: Locale,
  residentBirthDate: string,
  today: Date,
): Promise<{ id: string; name: string } | null> {
  const steps = memberSteps(false, residentBirthDate, today);
  const form = await runWholeForm(
    conversation,
    ctx,
    {
      keys: 'household:member.',
      steps,
      summary: memberSummary(t, steps, residentBirthDate, today),
    },
    t,
    locale,
  );
  if (form.status !== 'done') return null;
  const input = memberInput(form.answers);
  const result = await conversation.external(async (outer) =>
    outer.from
      ? outer.deps.households.addMember(outer.from.id, input)
      : { ok: false as const, error: 'invalid' as const },
  );
  if (!result.ok) {
    await ctx.reply(t(`household:member.failed.${result.error}`));
    return null;
  }
  await saveWork(conversation, result.value.memberId, form.answers, null);
  await ctx.reply(t('household:member.saved_inline', { name: input.name }));
  return { id: result.value.memberId, name: input.name };
}
