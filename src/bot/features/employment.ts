// The household file's employment statuses (`hh:job*`, defined in ../buttons.ts): from /household's
// "💼 work status", whose status to set, then one of five buttons. Every press is checked again by the use
// case (a forged person id or status changes nothing).
import { Composer, InlineKeyboard } from 'grammy';
import type { HouseholdView } from '../../app/households.ts';
import { EMPLOYMENT_STATUSES, type EmploymentStatus } from '../../domain/employment.ts';
import { householdButtons, mainMenuButton, onButton, registerButton, serviceButtons } from '../buttons.ts';
import type { BotContext } from '../context.ts';
import type { TFunction } from '../i18n.ts';
import { clearButtons } from './shared.ts';

/** The resident first, then the members, with their current status in words. */
export function peopleWithStatus(h: HouseholdView, t: TFunction) {
  const word = (s: EmploymentStatus | null) => (s ? t(`employment:status.${s}`) : t('employment:unknown'));
  return [
    { id: h.resident.id, name: h.resident.name, status: word(h.resident.employmentStatus) },
    ...h.members.map((m) => ({ id: m.id, name: m.name, status: word(m.employmentStatus) })),
  ];
}

/** The household view's block: one line per person. */
export function employmentLines(h: HouseholdView, t: TFunction): string[] {
  return [t('employment:title'), ...peopleWithStatus(h, t).map((p) => t('employment:line', p))];
}

async function notRegistered(ctx: BotContext) {
  await ctx.reply(ctx.t('employment:not_registered'), {
    reply_markup: new InlineKeyboard().text(ctx.t('start.register_button'), registerButton.pack({})),
  });
}

/** The job-seeking service, when the catalogue has one: the next step for someone just marked "looking". */
function jobSeekingService(ctx: BotContext): string | null {
  return (
    ctx.deps.catalogue.list().find((s) => s.setsEmployment?.status === 'looking' && s.recommendations)
      ?.code ?? null
  );
}

export function employmentFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  onButton(priv, householdButtons.employment, async (ctx) => {
    await ctx.answerCallbackQuery();
    const h = await ctx.deps.households.getHousehold(ctx.from.id);
    if (!h) return notRegistered(ctx);
    const kb = new InlineKeyboard();
    for (const p of peopleWithStatus(h, ctx.t))
      kb.text(
        ctx.t('employment:person_button', p),
        householdButtons.employmentPerson.pack({ personId: p.id }),
      ).row();
    await ctx.reply(ctx.t('employment:pick_person'), { reply_markup: kb });
  });

  onButton(priv, householdButtons.employmentPerson, async (ctx, { personId }) => {
    const h = await ctx.deps.households.getHousehold(ctx.from.id);
    if (!h) {
      await ctx.answerCallbackQuery();
      return notRegistered(ctx);
    }
    const person = peopleWithStatus(h, ctx.t).find((p) => p.id === personId);
    if (!person) {
      await ctx.answerCallbackQuery({ text: ctx.t('employment:not_found'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    const kb = new InlineKeyboard();
    for (const status of EMPLOYMENT_STATUSES)
      kb.text(
        ctx.t(`employment:status_button.${status}`),
        householdButtons.employmentSet.pack({ personId, status }),
      ).row();
    await ctx.reply(ctx.t('employment:pick_status', { name: person.name }), { reply_markup: kb });
  });

  onButton(priv, householdButtons.employmentSet, async (ctx, { personId, status }) => {
    const result = await ctx.deps.households.setOwnEmployment(ctx.from.id, personId, status);
    if (!result.ok) {
      if (result.error === 'not_registered') {
        await ctx.answerCallbackQuery();
        return notRegistered(ctx);
      }
      await ctx.answerCallbackQuery({ text: ctx.t('employment:not_found'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    const service = result.value.status === 'looking' ? jobSeekingService(ctx) : null;
    const kb = new InlineKeyboard();
    if (service) kb.text(ctx.t(`services:${service}.name`), serviceButtons.service.pack({ service })).row();
    kb.text(ctx.t('employment:another_button'), householdButtons.employment.pack({})).text(
      ctx.t('aside:menu.back'),
      mainMenuButton.pack({}),
    );
    const saved = ctx.t('employment:saved', {
      name: result.value.name,
      status: ctx.t(`employment:status.${result.value.status}`),
    });
    await ctx.reply(service ? `${saved}\n${ctx.t('employment:looking_hint')}` : saved, { reply_markup: kb });
  });

  return composer;
}
