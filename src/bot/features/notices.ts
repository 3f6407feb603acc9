// Community notices in the chat: /notice (compose, workers and admins), /notices (the list with figures
// for workers and admins; for residents, whether they get ordinary notices), /notices off|on, cancelling a
// scheduled notice, and the residents' "I have read this" button. Every press asks the use case, which
// checks the presser's rights again. The buttons (`nt:`) are defined in ../buttons.ts; the read receipt's
// is installed before the forms, so that it works in the middle of one.
import { Composer, InlineKeyboard } from 'grammy';
import { NOTICES_PAGE_SIZE, type NoticeSummary } from '../../app/notices.ts';
import { noticeTitle, remaining, totalOf } from '../../domain/notice.ts';
import { communityNoticeButtons as buttons, onButton } from '../buttons.ts';
import { type BotContext, localeName } from '../context.ts';
import { NOTICE } from '../conversations/notice.ts';
import { compactTime } from '../format-time.ts';
import { audienceLabel } from '../notice-render.ts';
import { clearButtons, onKeep, onOpen, yesNo } from './shared.ts';

/** Presses that must work even while the resident is in the middle of a form. */
export function noticeButtons(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');
  onButton(priv, buttons.read, async (ctx, { noticeId }) => {
    const r = await ctx.deps.notices.markRead(ctx.from.id, noticeId);
    if (!r.ok) {
      await ctx.answerCallbackQuery({ text: ctx.t('notices:resident.read_unknown') });
      return;
    }
    await ctx.answerCallbackQuery({
      text: ctx.t(r.value === 'recorded' ? 'notices:resident.read_thanks' : 'notices:resident.read_again'),
    });
    if (r.value === 'recorded') {
      await ctx
        .editMessageReplyMarkup({
          reply_markup: new InlineKeyboard().text(
            ctx.t('notices:resident.read_done_button'),
            buttons.read.pack({ noticeId }),
          ),
        })
        .catch(() => undefined);
    }
  });
  onButton(priv, buttons.preview, async (ctx) => {
    await ctx.answerCallbackQuery({ text: ctx.t('notices:resident.preview_press'), show_alert: true });
  });
  return composer;
}

function statusLine(ctx: BotContext, b: NoticeSummary): string {
  switch (b.status) {
    case 'scheduled':
      return ctx.t('notices:status.scheduled', { at: compactTime(b.scheduledAt, ctx.t) });
    case 'done':
      return ctx.t('notices:status.done', { at: compactTime(b.finishedAt ?? b.scheduledAt, ctx.t) });
    default:
      return ctx.t(`notices:status.${b.status}`);
  }
}

function figures(ctx: BotContext, b: NoticeSummary): string | null {
  if (b.status === 'scheduled' || b.status === 'cancelled') return null;
  const c = b.counts;
  let line = ctx.t('notices:list.figures', {
    delivered: c.delivered,
    total: Math.max(totalOf(c), b.recipientCount),
    left: remaining(c),
    unreachable: c.unreachable,
    failed: c.failed,
  });
  if (c.uncertain > 0) line += ctx.t('notices:list.uncertain', { count: c.uncertain });
  if (b.important) line += ctx.t('notices:list.reads', { count: b.readCount });
  return line;
}

async function showList(ctx: BotContext, page: number): Promise<void> {
  const list = await ctx.deps.notices.list(ctx.from?.id ?? 0, page);
  if (!list.ok) {
    await showPreference(ctx);
    return;
  }
  const { items, total, pages } = list.value;
  if (total === 0) {
    await ctx.reply(`${ctx.t('notices:list.none')}\n${ctx.t('notices:list.self_prefs')}`);
    return;
  }
  const communities = new Map((await ctx.deps.reference.listCommunities()).map((c) => [c.code, c]));
  const buildingNames = new Map<string, string>();
  for (const code of new Set(
    items.filter((b) => b.audience.kind === 'buildings').map((b) => b.communityCode),
  )) {
    for (const b of await ctx.deps.reference.listBuildings(code))
      buildingNames.set(b.id, localeName(ctx.locale, b));
  }
  const p = list.value.page;
  const kb = new InlineKeyboard();
  const blocks = items.map((b, i) => {
    const n = p * NOTICES_PAGE_SIZE + i + 1;
    const community = communities.get(b.communityCode);
    const block = [
      ctx.t('notices:list.item', {
        n,
        status: statusLine(ctx, b),
        title: noticeTitle(b.textZh, 30),
        community: community ? localeName(ctx.locale, community) : b.communityCode,
        audience: audienceLabel(ctx.t, b.audience, (ids) => ids.map((id) => buildingNames.get(id) ?? '?')),
        kind: ctx.t(b.important ? 'notices:kind.important' : 'notices:kind.normal'),
      }),
    ];
    const f = figures(ctx, b);
    if (f) block.push(f);
    if (b.status === 'scheduled')
      kb.text(ctx.t('notices:list.cancel_button', { n }), buttons.cancel.pack({ noticeId: b.id })).row();
    return block.join('\n');
  });
  if (p > 0) kb.text(ctx.t('notices:list.previous'), buttons.page.pack({ page: p - 1 }));
  if (p < pages - 1) kb.text(ctx.t('notices:list.next'), buttons.page.pack({ page: p + 1 }));
  await ctx.reply(
    [
      ctx.t('notices:list.title', { total, page: p + 1, pages }),
      ...blocks,
      ctx.t('notices:list.self_prefs'),
    ].join('\n\n'),
    { reply_markup: kb },
  );
}

async function showPreference(ctx: BotContext): Promise<void> {
  const off = await ctx.deps.notices.noticesOff(ctx.from?.id ?? 0);
  await ctx.reply(ctx.t(off ? 'notices:prefs.status_off' : 'notices:prefs.status_on'), {
    reply_markup: new InlineKeyboard().text(
      ctx.t(off ? 'notices:prefs.on_button' : 'notices:prefs.off_button'),
      buttons.preference.pack({ turn: off ? 'on' : 'off' }),
    ),
  });
}

export function noticesFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  priv.command('notice', async (ctx) => {
    if (!(await ctx.deps.notices.canCompose(ctx.from.id))) {
      await ctx.reply(ctx.t('notices:compose.not_allowed'));
      return;
    }
    await ctx.conversation.enter(NOTICE);
  });

  priv.command('notices', async (ctx) => {
    const arg = ctx.match.trim().toLowerCase();
    if (arg === 'off' || arg === 'on') {
      await ctx.deps.notices.setNoticesOff(ctx.from.id, arg === 'off');
      await ctx.reply(ctx.t(arg === 'off' ? 'notices:prefs.turned_off' : 'notices:prefs.turned_on'));
      return;
    }
    if (arg) {
      await ctx.reply(ctx.t('notices:prefs.usage'));
      return;
    }
    if (await ctx.deps.notices.canCompose(ctx.from.id)) await showList(ctx, 0);
    else await showPreference(ctx);
  });

  onButton(priv, buttons.preference, async (ctx, { turn }) => {
    const off = turn === 'off';
    await ctx.deps.notices.setNoticesOff(ctx.from.id, off);
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    await ctx.reply(ctx.t(off ? 'notices:prefs.turned_off' : 'notices:prefs.turned_on'));
  });

  onOpen(priv, buttons.page, (ctx, { page }) => showList(ctx, page));

  onButton(priv, buttons.cancel, async (ctx, { noticeId }) => {
    const found = await ctx.deps.notices.get(ctx.from.id, noticeId);
    if (!found.ok) {
      await ctx.answerCallbackQuery({ text: ctx.t('notices:cancel.not_found'), show_alert: true });
      return;
    }
    const b = found.value;
    if (b.status !== 'scheduled') {
      await ctx.answerCallbackQuery({
        text: ctx.t(
          b.status === 'cancelled' ? 'notices:cancel.already_cancelled' : 'notices:cancel.already_started',
        ),
        show_alert: true,
      });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('notices:cancel.confirm', { title: noticeTitle(b.textZh, 30) }), {
      reply_markup: yesNo(
        [ctx.t('notices:cancel.yes'), buttons.cancelConfirmed.pack({ noticeId: b.id })],
        [ctx.t('notices:cancel.no'), buttons.keep.pack({})],
      ),
    });
  });

  onButton(priv, buttons.cancelConfirmed, async (ctx, { noticeId }) => {
    const r = await ctx.deps.notices.cancel(ctx.from.id, noticeId);
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    if (r.ok) {
      await ctx.reply(ctx.t('notices:cancel.done'));
      return;
    }
    const key =
      r.error === 'already_started' || r.error === 'already_cancelled' ? r.error : ('not_found' as const);
    await ctx.reply(ctx.t(`notices:cancel.${key}`));
  });

  onKeep(priv, buttons.keep, 'notices:cancel.kept');

  return composer;
}
