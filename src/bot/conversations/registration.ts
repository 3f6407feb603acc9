// Household registration: address, name, phone, ID number, then a separate consent, then the household
// file is written. Nothing is stored before the resident agrees; until then the answers live only in the
// (encrypted) conversation state, which is deleted when the conversation ends.
import { parseIdNumber } from '../../domain/id-number.ts';
import { maskIdNumber } from '../../domain/mask.ts';
import { parsePersonName, parseRoom } from '../../domain/person.ts';
import { parsePhone } from '../../domain/phone.ts';
import { registerButton } from '../buttons.ts';
import { type BotConversation, type BotDeps, type FormContext, localeName } from '../context.ts';
import { takeDraft } from '../forms/drafts.ts';
import { type Answers, declareForm, type FormStep, runWholeForm } from '../forms/engine.ts';
import type { TFunction } from '../i18n.ts';
import { mainMenuKeyboard } from '../menu-labels.ts';
import { fromParsed } from './from-parsed.ts';
import { conversationLocale } from './locale.ts';

export const REGISTRATION = 'registration';

const value = (a: Answers, id: string) => a[id]?.value ?? '';

export const registrationSteps: FormStep[] = [
  {
    id: 'community',
    prompt: (t) => t('registration:ask.community'),
    choices: async (ctx, _a, locale) =>
      (await ctx.deps.reference.listCommunities()).map((c) => ({
        value: c.code,
        label: localeName(locale, c),
      })),
    resets: ['building', 'unit'],
  },
  {
    id: 'building',
    prompt: (t) => t('registration:ask.building'),
    choices: async (ctx, a, locale) =>
      (await ctx.deps.reference.listBuildings(value(a, 'community'))).map((b) => ({
        value: b.id,
        label: localeName(locale, b),
      })),
    columns: 4,
    resets: ['unit'],
  },
  {
    id: 'unit',
    prompt: (t) => t('registration:ask.unit'),
    choices: async (ctx, a, locale) => {
      const buildings = await ctx.deps.reference.listBuildings(value(a, 'community'));
      const units = buildings.find((b) => b.id === value(a, 'building'))?.units ?? 0;
      const t = ctx.deps.translator.t(locale);
      return Array.from({ length: units }, (_, i) => ({
        value: String(i + 1),
        label: t('registration:unit_label', { unit: i + 1 }),
      }));
    },
    columns: 4,
  },
  {
    id: 'room',
    prompt: (t) => t('registration:ask.room'),
    text: (input) => fromParsed(parseRoom(input)),
  },
  {
    id: 'name',
    prompt: (t) => t('registration:ask.name'),
    text: (input) => fromParsed(parsePersonName(input)),
  },
  {
    id: 'phone',
    prompt: (t) => t('registration:ask.phone'),
    contact: true,
    text: (input) => fromParsed(parsePhone(input)),
  },
  {
    id: 'idNumber',
    prompt: (t) => t('registration:ask.idNumber'),
    text: (input, _a, today) => {
      const r = parseIdNumber(input, today);
      return r.ok
        ? { ok: true, value: r.value.idNumber, label: maskIdNumber(r.value.idNumber) }
        : { ok: false, error: r.error };
    },
    sensitiveEcho: (t, answer) => t('registration:id_received', { masked: answer.label }),
  },
];

const consentStep: FormStep = {
  id: 'consent',
  prompt: (t) => t('registration:ask.consent'),
  choices: (ctx, _a, locale) => {
    const t = ctx.deps.translator.t(locale);
    return [
      { value: 'agree', label: t('registration:agree') },
      { value: 'decline', label: t('registration:decline') },
    ];
  },
  columns: 2,
};

/** The way into registration, under a message that ends without it. */
const registerAgain = (t: TFunction) => ({
  inline_keyboard: [[{ text: t('common:start.register_button'), callback_data: registerButton.pack({}) }]],
});

export async function registration(
  conversation: BotConversation,
  ctx: FormContext,
  deps: BotDeps,
  resume?: string,
): Promise<void> {
  const { locale, t } = await conversationLocale(conversation, deps.translator);
  const registered = await conversation.external((outer) => outer.registered);
  if (registered) {
    await ctx.reply(t('registration:already'), { reply_markup: mainMenuKeyboard(t) });
    return;
  }
  const name = t('aside:forms.registration');
  declareForm(conversation, {
    form: REGISTRATION,
    args: [],
    name,
    wayBack: '/start',
    keepDraft: true,
    unregistered: true,
  });
  const draft = resume ? await takeDraft(conversation, REGISTRATION, [], await conversation.now()) : null;
  await ctx.reply(draft ? t('aside:resuming', { form: name }) : t('registration:intro'));
  const form = await runWholeForm(
    conversation,
    ctx,
    {
      keys: 'registration:',
      steps: registrationSteps,
      draft: true,
      initial: draft?.answers,
      resume: draft !== null,
    },
    t,
    locale,
  );
  if (form.status !== 'done') {
    await ctx.reply(t('form:cancelled'), { reply_markup: registerAgain(t) });
    return;
  }
  const consent = await runWholeForm(
    conversation,
    ctx,
    { keys: 'registration:', steps: [consentStep], summary: false },
    t,
    locale,
  );
  if (consent.status !== 'done' || consent.answers.consent?.value !== 'agree') {
    await ctx.reply(t('registration:declined'), { reply_markup: registerAgain(t) });
    return;
  }
  const a = form.answers;
  const input = {
    communityCode: value(a, 'community'),
    buildingId: value(a, 'building'),
    unit: value(a, 'unit'),
    room: value(a, 'room'),
    name: value(a, 'name'),
    phone: value(a, 'phone'),
    idNumber: value(a, 'idNumber'),
    consent: true,
  };
  const result = await conversation.external(async (outer) => {
    const from = outer.from;
    if (!from) return { ok: false as const, error: 'invalid' as const };
    const r = await outer.deps.households.register(from.id, input);
    if (r.ok) outer.registered = true;
    return r;
  });
  if (result.ok) {
    // Registered: from now on the main menu stays under the message box.
    await ctx.reply(t('registration:saved'), { reply_markup: mainMenuKeyboard(t) });
  } else {
    await ctx.reply(t(`registration:failed.${result.error}`));
  }
}
