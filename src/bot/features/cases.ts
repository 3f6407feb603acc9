// /services (the menu of the catalogue), /mycases (the resident's cases, newest first, paginated), /case
// <number>, and the buttons on a case: withdraw, answer, rate, reopen, hear (or see) again what staff sent
// as a voice message or a photo. Button data carries the case's
// internal id; every press asks the use case, which checks that the case is the presser's own. The buttons
// (`mc:`, `svc:`) are defined in ../buttons.ts; other features put them on messages to residents too.
import { Composer, InlineKeyboard } from 'grammy';
import type { MyCaseView } from '../../app/cases.ts';
import { isOpen } from '../../domain/case-status.ts';
import { mainMenuButton, myCaseButtons, onButton, registerButton, serviceButtons } from '../buttons.ts';
import { type BotContext, nowOf } from '../context.ts';
import { CASE_DOCUMENTS } from '../conversations/case-documents.ts';
import { CASE_ANSWER, CASE_RATE, CASE_REOPEN } from '../conversations/case-followup.ts';
import { SERVICE_REQUEST } from '../conversations/service-request.ts';
import { compactTime, dueBy, spokenAt } from '../format-time.ts';
import { backToMenu } from '../forms/engine.ts';
import { hospitalCardText } from '../hospital-card.ts';
import type { TFunction } from '../i18n.ts';
import { jobsButtonFor } from './job-offers.ts';
import { offerDraft } from './main-menu.ts';
import { byTypedNumber, clearButtons, onKeep, onOpen, yesNo } from './shared.ts';

export function servicesMenu(ctx: BotContext): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const s of ctx.deps.catalogue.list())
    kb.text(ctx.t(`services:${s.code}.name`), serviceButtons.service.pack({ service: s.code })).row();
  return kb;
}

export function renderCase(v: MyCaseView, t: TFunction, now: Date): string {
  const lines = [
    t('mycases:view', {
      number: v.number,
      service: t(`services:${v.serviceCode}.name`),
      status: `${t(`mycases:status.${v.status}`)}${v.priority === 'urgent' ? t('mycases:urgent') : ''}`,
      submittedAt: spokenAt(v.submittedAt, now, t),
      dueAt: dueBy(v.dueAt, now, t),
    }),
    '',
    t('mycases:history_title'),
    ...v.history.map((h) =>
      t('mycases:history_line', {
        at: spokenAt(h.at, now, t),
        what:
          t([`mycases:event.${h.kind}`, `mycases:status.${h.toStatus ?? 'submitted'}`]) +
          (h.note && h.kind !== 'rated' ? t('mycases:history_note', { note: h.note }) : '') +
          h.files.map((k) => ` ${t(`media:kind.${k}`)}`).join(''),
      }),
    ),
  ];
  if (v.rating) lines.push('', t('mycases:rating_line', { stars: t(`mycases:rate.stars.${v.rating}`) }));
  return lines.join('\n');
}

/** How many of the latest voice messages and photos from staff the case view offers again. */
const REPLAY_BUTTONS = 3;

function caseKeyboard(v: MyCaseView, t: TFunction, now: Date): InlineKeyboard {
  const kb = new InlineKeyboard();
  const caseId = v.id;
  if (v.can.card)
    kb.text(t(`services:${v.serviceCode}.card.button`), myCaseButtons.card.pack({ caseId })).row();
  for (const f of v.staffFiles.slice(-REPLAY_BUTTONS)) {
    const label = t(`media:replay.${f.kind}`, { at: compactTime(f.at, t, now) });
    kb.text(label, myCaseButtons.replay.pack({ caseId, n: f.n })).row();
  }
  if (v.can.answer) kb.text(t('mycases:buttons.answer'), myCaseButtons.answer.pack({ caseId })).row();
  if (v.can.rate) kb.text(t('mycases:buttons.rate'), myCaseButtons.rate.pack({ caseId })).row();
  if (v.can.reopen) kb.text(t('mycases:buttons.reopen'), myCaseButtons.reopen.pack({ caseId })).row();
  if (v.can.addDocuments)
    kb.text(t('inbound:buttons.documents'), myCaseButtons.documents.pack({ caseId })).row();
  if (v.can.withdraw) kb.text(t('mycases:buttons.withdraw'), myCaseButtons.withdraw.pack({ caseId })).row();
  return kb.text(t('mycases:back_to_list'), myCaseButtons.page.pack({ page: 0 }));
}

/** Why a follow-up on the case is not allowed now, as the key of its one line (`inbound:refused.*`). */
export function refusal(
  action: 'answer' | 'rate' | 'reopen' | 'addDocuments',
  v: Pick<MyCaseView, 'status' | 'rating'>,
): string {
  const open = isOpen(v.status);
  switch (action) {
    case 'answer':
      return open ? 'not_asked' : 'ended';
    case 'rate':
      return v.rating !== null ? 'rated' : 'not_done';
    case 'reopen':
      if (open) return 'still_open';
      return v.status === 'resolved' || v.status === 'closed' ? 'reopen_expired' : 'ended';
    case 'addDocuments':
      return 'documents';
  }
}

/** /services: the services (and, first, a form of one put aside, to go on with). */
export async function showServicesMenu(ctx: BotContext): Promise<void> {
  if (!ctx.registered) {
    await ctx.reply(ctx.t('services:menu.need_register'), {
      reply_markup: new InlineKeyboard().text(
        ctx.t('services:menu.register_button'),
        registerButton.pack({}),
      ),
    });
    return;
  }
  await offerDraft(ctx, SERVICE_REQUEST);
  await ctx.reply(ctx.t('services:menu.title'), { reply_markup: servicesMenu(ctx) });
}

/** /mycases: the resident's cases, newest first, a page at a time. */
export async function showMyCases(ctx: BotContext, page: number): Promise<void> {
  const from = ctx.from;
  if (!from) return;
  const list = await ctx.deps.cases.listMine(from.id, page);
  if (!list.ok) return showServicesMenu(ctx);
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
      myCaseButtons.open.pack({ caseId: c.id }),
    ).row();
  }
  const p = list.value.page;
  if (p > 0) kb.text(ctx.t('mycases:previous'), myCaseButtons.page.pack({ page: p - 1 }));
  if (p < pages - 1) kb.text(ctx.t('mycases:next'), myCaseButtons.page.pack({ page: p + 1 }));
  await ctx.reply(ctx.t('mycases:title', { total, page: p + 1, pages }), { reply_markup: kb });
}

export function casesFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  priv.command('services', showServicesMenu);
  // Before `svc:<service>`, whose pattern `svc:menu` also matches.
  onOpen(priv, serviceButtons.menu, showServicesMenu);
  onButton(priv, serviceButtons.service, async (ctx, { service: code }) => {
    if (!ctx.deps.catalogue.offered(code)) {
      await ctx.answerCallbackQuery({ text: ctx.t('errors.stale_button') });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter(SERVICE_REQUEST, code);
  });

  const showCase = async (ctx: BotContext, caseId: string) => {
    const from = ctx.from;
    if (!from) return;
    const view = await ctx.deps.cases.getMine(from.id, caseId);
    if (!view.ok) {
      await ctx.reply(ctx.t('mycases:not_found'));
      return;
    }
    const kb = caseKeyboard(view.value, ctx.t, nowOf(ctx));
    // A job seeker's case with jobs recommended: the list first (features/job-offers.ts).
    const jobs = await jobsButtonFor(ctx, view.value);
    if (jobs) kb.inline_keyboard.unshift([jobs]);
    await ctx.reply(renderCase(view.value, ctx.t, nowOf(ctx)), { reply_markup: kb });
  };

  priv.command('mycases', (ctx) => showMyCases(ctx, 0));
  onOpen(priv, myCaseButtons.page, (ctx, { page }) => showMyCases(ctx, page));
  onOpen(priv, myCaseButtons.open, (ctx, { caseId }) => showCase(ctx, caseId));
  priv.command(
    'case',
    byTypedNumber(
      'mycases:case_usage',
      (ctx, telegramId, typed) => ctx.deps.cases.findMineByNumber(telegramId, typed),
      (ctx) => ctx.t('mycases:not_found'),
      showCase,
    ),
  );

  onButton(priv, myCaseButtons.withdraw, async (ctx, { caseId }) => {
    const view = await ctx.deps.cases.getMine(ctx.from.id, caseId);
    if (!view.ok || !view.value.can.withdraw) {
      await ctx.answerCallbackQuery({
        text: ctx.t(view.ok ? 'mycases:not_allowed' : 'mycases:not_found'),
        show_alert: true,
      });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('mycases:withdraw_confirm', { number: view.value.number }), {
      reply_markup: yesNo(
        [ctx.t('mycases:withdraw_yes'), myCaseButtons.withdrawConfirmed.pack({ caseId: view.value.id })],
        [ctx.t('mycases:withdraw_no'), myCaseButtons.keep.pack({})],
      ),
    });
  });
  onButton(priv, myCaseButtons.withdrawConfirmed, async (ctx, { caseId }) => {
    const result = await ctx.deps.cases.withdraw(ctx.from.id, caseId);
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    if (!result.ok) {
      await ctx.reply(ctx.t(result.error === 'not_allowed' ? 'mycases:not_allowed' : 'mycases:not_found'));
      return;
    }
    const view = await ctx.deps.cases.getMine(ctx.from.id, caseId);
    await ctx.reply(ctx.t('mycases:withdrawn', { number: view.ok ? view.value.number : '' }), {
      reply_markup: backToMenu(ctx.t),
    });
  });
  onKeep(priv, myCaseButtons.keep, 'mycases:kept');

  onButton(priv, myCaseButtons.replay, async (ctx, { caseId, n }) => {
    const file = await ctx.deps.cases.replayFile(ctx.from.id, caseId, n);
    if (!file.ok) {
      await ctx.answerCallbackQuery({ text: ctx.t('media:replay.gone'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    const { kind, fileId, at, number, serviceCode } = file.value;
    const caption = ctx.t('media:replay.caption', {
      service: ctx.t(`services:${serviceCode}.name`),
      number,
      at: compactTime(at, ctx.t, nowOf(ctx)),
    });
    // A file Telegram no longer knows is said in plain words, not with the apology for a fault.
    const sent =
      kind === 'voice' ? ctx.replyWithVoice(fileId, { caption }) : ctx.replyWithPhoto(fileId, { caption });
    await sent.catch(() => ctx.reply(ctx.t('media:replay.gone')));
  });

  // The hospital card again, at any time (the resident is standing at the hospital desk).
  onButton(priv, myCaseButtons.card, async (ctx, { caseId }) => {
    const card = await ctx.deps.cases.card(ctx.from.id, caseId);
    if (!card.ok) {
      await ctx.answerCallbackQuery({
        text: ctx.t(
          card.error === 'not_allowed'
            ? 'services:medical_green_channel.card.not_shown'
            : 'mycases:not_found',
        ),
        show_alert: true,
      });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.reply(hospitalCardText(ctx.t, card.value.serviceCode, card.value, nowOf(ctx)), {
      reply_markup: backToMenu(ctx.t),
    });
  });

  // Each follow-up is checked before it asks anything: one line saying why not, and the way on.
  for (const [kind, conversation, action] of [
    [myCaseButtons.answer, CASE_ANSWER, 'answer'],
    [myCaseButtons.rate, CASE_RATE, 'rate'],
    [myCaseButtons.reopen, CASE_REOPEN, 'reopen'],
    [myCaseButtons.documents, CASE_DOCUMENTS, 'addDocuments'],
  ] as const) {
    onOpen(priv, kind, async (ctx, { caseId }) => {
      const view = await ctx.deps.cases.getMine(ctx.from.id, caseId);
      if (!view.ok) {
        await ctx.reply(ctx.t('mycases:not_found'));
        return;
      }
      if (!view.value.can[action]) {
        await ctx.reply(ctx.t(`inbound:refused.${refusal(action, view.value)}`), {
          reply_markup: new InlineKeyboard()
            .text(ctx.t('inbound:buttons.open_case'), myCaseButtons.open.pack({ caseId: view.value.id }))
            .row()
            .text(ctx.t('aside:menu.back'), mainMenuButton.pack({})),
        });
        return;
      }
      await ctx.conversation.enter(conversation, caseId);
    });
  }
  return composer;
}
