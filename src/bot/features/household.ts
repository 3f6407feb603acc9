// /household: the household file (ID numbers and phone masked) and the buttons to manage members (`hh:`,
// defined in ../buttons.ts).
import { Composer, InlineKeyboard } from 'grammy';
import type { HouseholdView } from '../../app/households.ts';
import type { Locale } from '../../config.ts';
import { MAX_MEMBERS } from '../../domain/household.ts';
import { householdButtons, onButton, registerButton } from '../buttons.ts';
import { type BotContext, localeName } from '../context.ts';
import { MEMBER } from '../conversations/member.ts';
import { birthDay } from '../format-time.ts';
import { backToMenu } from '../forms/engine.ts';
import type { TFunction } from '../i18n.ts';
import { employmentLines } from './employment.ts';
import { clearButtons, onKeep, onOpen, yesNo } from './shared.ts';

type Named = { nameZh: string; nameEn: string };

/** The address's parts in `locale`, for the locale lines that show an address (here and in /mydata). */
export function addressVars(
  locale: Locale,
  a: { community: Named; building: Named; unit: string | number; room: string },
) {
  return {
    community: localeName(locale, a.community),
    building: localeName(locale, a.building),
    unit: a.unit,
    room: a.room,
  };
}

type Member = { name: string; relation: string; sex: string; birthDate: string };

/** One numbered line per member (ID masked here, in full in /mydata): `lineKey`, with `noIdKey` for none. */
export function memberLines<M extends Member>(
  t: TFunction,
  members: M[],
  lineKey: string,
  idNumber: (m: M) => string | null,
  noIdKey: string,
): string[] {
  return members.map((m, i) =>
    t(lineKey, {
      index: i + 1,
      name: m.name,
      relation: t(`common:relation.${m.relation}`),
      sex: t(`common:sex.${m.sex}`),
      birthDate: birthDay(m.birthDate, t),
      idNumber: idNumber(m) ?? t(noIdKey),
    }),
  );
}

export function renderHousehold(h: HouseholdView, t: TFunction, locale: Locale): string {
  const lines = [
    t('household:title'),
    t('household:address', addressVars(locale, h)),
    t('household:resident', {
      name: h.resident.name,
      sex: t(`common:sex.${h.resident.sex}`),
      birthDate: birthDay(h.resident.birthDate, t),
      phone: h.resident.phoneMasked,
      idNumber: h.resident.idNumberMasked,
    }),
    '',
  ];
  if (h.members.length === 0) {
    lines.push(t('household:no_members'));
  } else {
    lines.push(
      t('household:members_title', { count: h.members.length }),
      ...memberLines(t, h.members, 'household:member_line', (m) => m.idNumberMasked, 'household:no_id'),
    );
  }
  lines.push('', ...employmentLines(h, t));
  return lines.join('\n');
}

function householdKeyboard(h: HouseholdView, t: TFunction): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const m of h.members) {
    kb.text(t('household:edit_button', { name: m.name }), householdButtons.edit.pack({ memberId: m.id }))
      .text(t('household:remove_button', { name: m.name }), householdButtons.remove.pack({ memberId: m.id }))
      .row();
  }
  if (h.members.length < MAX_MEMBERS) kb.text(t('household:add_button'), householdButtons.add.pack({}));
  kb.row().text(t('employment:open_button'), householdButtons.employment.pack({}));
  return kb;
}

/** /household: the household file, with the buttons to manage its members. */
export async function showHousehold(ctx: BotContext): Promise<void> {
  const from = ctx.from;
  if (!from) return;
  const h = await ctx.deps.households.getHousehold(from.id);
  if (!h) {
    await ctx.reply(ctx.t('household:not_registered'), {
      reply_markup: new InlineKeyboard().text(ctx.t('start.register_button'), registerButton.pack({})),
    });
    return;
  }
  await ctx.reply(renderHousehold(h, ctx.t, ctx.locale), { reply_markup: householdKeyboard(h, ctx.t) });
}

export function householdFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  priv.command('household', showHousehold);
  onOpen(priv, householdButtons.show, showHousehold);

  onButton(priv, householdButtons.add, async (ctx) => {
    await ctx.answerCallbackQuery();
    if (!ctx.registered) return showHousehold(ctx);
    await ctx.conversation.enter(MEMBER);
  });

  onOpen(priv, householdButtons.edit, (ctx, { memberId }) => ctx.conversation.enter(MEMBER, memberId));

  onButton(priv, householdButtons.remove, async (ctx, { memberId }) => {
    const member = await ctx.deps.households.getMember(ctx.from.id, memberId);
    if (!member) {
      await ctx.answerCallbackQuery({ text: ctx.t('household:member_not_found'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('household:confirm_remove', { name: member.name }), {
      reply_markup: yesNo(
        [
          ctx.t('household:confirm_remove_yes'),
          householdButtons.removeConfirmed.pack({ memberId: member.id }),
        ],
        [ctx.t('household:confirm_remove_no'), householdButtons.keep.pack({})],
      ),
    });
  });

  onButton(priv, householdButtons.removeConfirmed, async (ctx, { memberId }) => {
    const member = await ctx.deps.households.getMember(ctx.from.id, memberId);
    const removed = member ? await ctx.deps.households.removeMember(ctx.from.id, memberId) : null;
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    await ctx.reply(
      member && removed?.ok
        ? ctx.t('household:removed', { name: member.name })
        : ctx.t('household:member_not_found'),
      { reply_markup: backToMenu(ctx.t) },
    );
  });

  onKeep(priv, householdButtons.keep, 'household:kept');

  return composer;
}
