// Add a household member, or change one (the same form, prefilled, with "keep it as it is").

import type { Locale } from '../../config.ts';
import { RELATIONS, SEXES } from '../../domain/household.ts';
import { parseIdNumber } from '../../domain/id-number.ts';
import { maskIdNumber } from '../../domain/mask.ts';
import { idNumberRequiredFor, parseBirthDate, parsePersonName } from '../../domain/person.ts';
import type { BotConversation, BotDeps, FormContext } from '../context.ts';
import { type Answers, backToMenu, declareForm, type FormStep, runWholeForm } from '../forms/engine.ts';
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

function memberSteps(editing: boolean): FormStep[] {
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
      text: (input, _a, today) => fromParsed(parseBirthDate(input, today)),
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
  ];
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
    };
    await ctx.reply(t('household:member.intro_edit', { name: member.name }));
  } else {
    await ctx.reply(t('household:member.intro_add'));
  }

  const form = await runWholeForm(
    conversation,
    ctx,
    { keys: 'household:member.', steps: memberSteps(memberId !== undefined), initial },
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
): Promise<{ id: string; name: string } | null> {
  const form = await runWholeForm(
    conversation,
    ctx,
    { keys: 'household:member.', steps: memberSteps(false) },
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
  await ctx.reply(t('household:member.saved_inline', { name: input.name }));
  return { id: result.value.memberId, name: input.name };
}
