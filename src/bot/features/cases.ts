// /services (the menu of the catalogue), /mycases (the resident's cases, newest first, paginated), /case
// <number>, and the buttons on a case: withdraw, answer, rate, reopen. Button data carries the case's
// internal id; every press asks the use case, which checks that the case is the presser's own.
//
// Buttons other features may put on messages to residents (e.g. notifications from staff):
//   mc:open:<caseId>  open the case     mc:ans:<caseId>  answer the staff's question
//   mc:rate:<caseId>  rate the answer   mc:reopen:<caseId>  ask to reopen
import { Composer, InlineKeyboard } from 'grammy';
import type { MyCaseView } from '../../app/cases.ts';
import type { Locale } from '../../config.ts';
import type { BotContext } from '../context.ts';
import { CASE_ANSWER, CASE_RATE, CASE_REOPEN } from '../conversations/case-followup.ts';
import { SERVICE_REQUEST } from '../conversations/service-request.ts';
import { beijingTime } from '../format-time.ts';
import type { TFunction } from '../i18n.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const caseButton = (action: string) => new RegExp(`^mc:${action}:(${UUID})$`);

export function servicesMenu(ctx: BotContext): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const s of ctx.deps.catalogue.list()) kb.text(ctx.t(`services:${s.code}.name`), `svc:${s.code}`).row();
  return kb;
}

export function renderCase(v: MyCaseView, t: TFunction, locale: Locale): string {
  const lines = [
    t('mycases:view', {
      number: v.number,
      service: t(`services:${v.serviceCode}.name`),
      status: `${t(`mycases:status.${v.status}`)}${v.priority === 'urgent' ? t('mycases:urgent') : ''}`,
      submittedAt: beijingTime(v.submittedAt, locale),
      dueAt: beijingTime(v.dueAt, locale),
    }),
    '',
    t('mycases:history_title'),
    ...v.history.map((h) =>
      t('mycases:history_line', {
        at: beijingTime(h.at, locale),
        what:
          t([`mycases:event.${h.kind}`, `mycases:status.${h.toStatus ?? 'submitted'}`]) +
          (h.note && h.kind !== 'rated' ? t('mycases:history_note', { note: h.note }) : ''),
      }),
    ),
  ];
  if (v.rating) lines.push('', t('mycases:rating_line', { stars: t(`mycases:rate.stars.${v.rating}`) }));
  return lines.join('\n');
}

function caseKeyboard(v: MyCaseView, t: TFunction): InlineKeyboard {
  const kb = new InlineKeyboard();
  if (v.can.answer) kb.text(t('mycases:buttons.answer'), `mc:ans:${v.id}`).row();
  if (v.can.rate) kb.text(t('mycases:buttons.rate'), `mc:rate:${v.id}`).row();
  if (v.can.reopen) kb.text(t('mycases:buttons.reopen'), `mc:reopen:${v.id}`).row();
  if (v.can.withdraw) kb.text(t('mycases:buttons.withdraw'), `mc:wd:${v.id}`).row();
  return kb.text(t('mycases:back_to_list'), 'mc:page:0');
}

export function casesFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  const showMenu = async (ctx: BotContext) => {
    if (!ctx.registered) {
      await ctx.reply(ctx.t('services:menu.need_register'), {
        reply_markup: new InlineKeyboard().text(ctx.t('services:menu.register_button'), 'reg:start'),
      });
      return;
    }
    await ctx.reply(ctx.t('services:menu.title'), { reply_markup: servicesMenu(ctx) });
  };
  priv.command('services', showMenu);
  priv.callbackQuery('svc:menu', async (ctx) => {
    await ctx.answerCallbackQuery();
    await showMenu(ctx);
  });
  priv.callbackQuery(/^svc:([a-z][a-z0-9_]{1,40})$/, async (ctx) => {
    const code = ctx.match[1] as string;
    if (!ctx.deps.catalogue.get(code)) {
      await ctx.answerCallbackQuery({ text: ctx.t('errors.stale_button') });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter(SERVICE_REQUEST, code);
  });

  const showList = async (ctx: BotContext, page: number) => {
    const from = ctx.from;
    if (!from) return;
    const list = await ctx.deps.cases.listMine(from.id, page);
    if (!list.ok) return showMenu(ctx);
    const { items, total, pages } = list.value;
    if (total === 0) {
      await ctx.reply(ctx.t('mycases:none'));
      return;
    }
    const kb = new InlineKeyboard();
    for (const c of items) {
      kb.text(
        ctx.t('mycases:item', {
          number: c.number,
          service: ctx.t(`services:${c.serviceCode}.name`),
          status: ctx.t(`mycases:status.${c.status}`),
        }),
        `mc:open:${c.id}`,
      ).row();
    }
    const p = list.value.page;
    if (p > 0) kb.text(ctx.t('mycases:previous'), `mc:page:${p - 1}`);
    if (p < pages - 1) kb.text(ctx.t('mycases:next'), `mc:page:${p + 1}`);
    await ctx.reply(ctx.t('mycases:title', { total, page: p + 1, pages }), { reply_markup: kb });
  };

  const showCase = async (ctx: BotContext, caseId: string) => {
    const from = ctx.from;
    if (!from) return;
    const view = await ctx.deps.cases.getMine(from.id, caseId);
    if (!view.ok) {
      await ctx.reply(ctx.t('mycases:not_found'));
      return;
    }
    await ctx.reply(renderCase(view.value, ctx.t, ctx.locale), {
      reply_markup: caseKeyboard(view.value, ctx.t),
    });
  };

  priv.command('mycases', (ctx) => showList(ctx, 0));
  priv.callbackQuery(/^mc:page:(\d{1,5})$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    await showList(ctx, Number(ctx.match[1]));
  });
  priv.callbackQuery(caseButton('open'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await showCase(ctx, ctx.match[1] as string);
  });
  priv.command('case', async (ctx) => {
    const typed = ctx.match.trim();
    if (!typed) {
      await ctx.reply(ctx.t('mycases:case_usage'));
      return;
    }
    const found = await ctx.deps.cases.findMineByNumber(ctx.from.id, typed);
    if (!found.ok) {
      await ctx.reply(ctx.t('mycases:not_found'));
      return;
    }
    await showCase(ctx, found.value);
  });

  priv.callbackQuery(caseButton('wd'), async (ctx) => {
    const view = await ctx.deps.cases.getMine(ctx.from.id, ctx.match[1] as string);
    if (!view.ok || !view.value.can.withdraw) {
      await ctx.answerCallbackQuery({
        text: ctx.t(view.ok ? 'mycases:not_allowed' : 'mycases:not_found'),
        show_alert: true,
      });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('mycases:withdraw_confirm', { number: view.value.number }), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t('mycases:withdraw_yes'), `mc:wdok:${view.value.id}`)
        .text(ctx.t('mycases:withdraw_no'), 'mc:keep'),
    });
  });
  priv.callbackQuery(caseButton('wdok'), async (ctx) => {
    const caseId = ctx.match[1] as string;
    const result = await ctx.deps.cases.withdraw(ctx.from.id, caseId);
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    if (!result.ok) {
      await ctx.reply(ctx.t(result.error === 'not_allowed' ? 'mycases:not_allowed' : 'mycases:not_found'));
      return;
    }
    const view = await ctx.deps.cases.getMine(ctx.from.id, caseId);
    await ctx.reply(ctx.t('mycases:withdrawn', { number: view.ok ? view.value.number : '' }));
  });
  priv.callbackQuery('mc:keep', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    await ctx.reply(ctx.t('mycases:kept'));
  });

  for (const [action, conversation] of [
    ['ans', CASE_ANSWER],
    ['rate', CASE_RATE],
    ['reopen', CASE_REOPEN],
  ] as const) {
    priv.callbackQuery(caseButton(action), async (ctx) => {
      await ctx.answerCallbackQuery();
      await ctx.conversation.enter(conversation, ctx.match[1] as string);
    });
  }
  return composer;
}
