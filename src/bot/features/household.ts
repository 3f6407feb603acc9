// /household: the household file (ID numbers and phone masked) and the buttons to manage members.
import { Composer, InlineKeyboard } from 'grammy';
import type { HouseholdView } from '../../app/households.ts';
import { MAX_MEMBERS } from '../../domain/household.ts';
import { type BotContext, localeName } from '../context.ts';
import { MEMBER } from '../conversations/member.ts';
import type { TFunction } from '../i18n.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export function renderHousehold(h: HouseholdView, t: TFunction, locale: 'zh-CN' | 'en'): string {
  const lines = [
    t('household:title'),
    t('household:address', {
      community: localeName(locale, h.community),
      building: localeName(locale, h.building),
      unit: h.unit,
      room: h.room,
    }),
    t('household:resident', {
      name: h.resident.name,
      sex: t(`common:sex.${h.resident.sex}`),
      birthDate: h.resident.birthDate,
      phone: h.resident.phoneMasked,
      idNumber: h.resident.idNumberMasked,
    }),
    '',
  ];
  if (h.members.length === 0) {
    lines.push(t('household:no_members'));
  } else {
    lines.push(t('household:members_title', { count: h.members.length }));
    h.members.forEach((m, i) => {
      lines.push(
        t('household:member_line', {
          index: i + 1,
          name: m.name,
          relation: t(`common:relation.${m.relation}`),
          sex: t(`common:sex.${m.sex}`),
          birthDate: m.birthDate,
          idNumber: m.idNumberMasked ?? t('household:no_id'),
        }),
      );
    });
  }
  return lines.join('\n');
}

function householdKeyboard(h: HouseholdView, t: TFunction): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const m of h.members) {
    kb.text(t('household:edit_button', { name: m.name }), `hh:edit:${m.id}`)
      .text(t('household:remove_button', { name: m.name }), `hh:del:${m.id}`)
      .row();
  }
  if (h.members.length < MAX_MEMBERS) kb.text(t('household:add_button'), 'hh:add');
  return kb;
}

export function householdFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  const show = async (ctx: BotContext) => {
    const from = ctx.from;
    if (!from) return;
    const h = await ctx.deps.households.getHousehold(from.id);
    if (!h) {
      await ctx.reply(ctx.t('household:not_registered'), {
        reply_markup: new InlineKeyboard().text(ctx.t('start.register_button'), 'reg:start'),
      });
      return;
    }
    await ctx.reply(renderHousehold(h, ctx.t, ctx.locale), { reply_markup: householdKeyboard(h, ctx.t) });
  };

  priv.command('household', show);
  priv.callbackQuery('hh:show', async (ctx) => {
    await ctx.answerCallbackQuery();
    await show(ctx);
  });

  priv.callbackQuery('hh:add', async (ctx) => {
    await ctx.answerCallbackQuery();
    if (!ctx.registered) return show(ctx);
    await ctx.conversation.enter(MEMBER);
  });

  priv.callbackQuery(new RegExp(`^hh:edit:(${UUID})$`), async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter(MEMBER, ctx.match[1]);
  });

  priv.callbackQuery(new RegExp(`^hh:del:(${UUID})$`), async (ctx) => {
    const member = await ctx.deps.households.getMember(ctx.from.id, ctx.match[1] as string);
    if (!member) {
      await ctx.answerCallbackQuery({ text: ctx.t('household:member_not_found'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('household:confirm_remove', { name: member.name }), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t('household:confirm_remove_yes'), `hh:delok:${member.id}`)
        .text(ctx.t('household:confirm_remove_no'), 'hh:keep'),
    });
  });

  priv.callbackQuery(new RegExp(`^hh:delok:(${UUID})$`), async (ctx) => {
    const memberId = ctx.match[1] as string;
    const member = await ctx.deps.households.getMember(ctx.from.id, memberId);
    const removed = member ? await ctx.deps.households.removeMember(ctx.from.id, memberId) : null;
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    await ctx.reply(
      member && removed?.ok
        ? ctx.t('household:removed', { name: member.name })
        : ctx.t('household:member_not_found'),
    );
  });

  priv.callbackQuery('hh:keep', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    await ctx.reply(ctx.t('household:kept'));
  });

  return composer;
}
