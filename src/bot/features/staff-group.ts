// A department's Telegram group: new cases are posted there (by the deadline watcher, through the outbox)
// with a "take" button. A press by anyone who is not active staff of that department is refused with an
// alert (and an audit row, written by the use case); a press by staff takes the case, the post is edited to
// show who took it, and the card goes to the taker's private chat. The button (`gp:take`) is defined in
// ../buttons.ts.
import { Composer } from 'grammy';
import { family, groupButtons, onButton } from '../buttons.ts';
import type { BotContext } from '../context.ts';
import { groupPost } from '../notification-render.ts';
import { renderCard, staffErrorText } from './staff.ts';

export function staffGroupFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const groups = composer.chatType(['group', 'supergroup']);

  onButton(groups, groupButtons.take, async (ctx, { caseId }) => {
    const taken = await ctx.deps.staff.take(ctx.from.id, caseId, 'group');
    if (!taken.ok) {
      await ctx.answerCallbackQuery({
        text:
          taken.error === 'not_found' ? ctx.t('staff:group.not_allowed') : staffErrorText(ctx.t, taken.error),
        show_alert: true,
      });
      return;
    }
    ctx.deps.wakeDispatcher?.();
    await ctx.answerCallbackQuery({
      text: ctx.t('staff:group.taken_by_you', { number: taken.value.number }),
    });
    const card = await ctx.deps.staff.card(ctx.from.id, caseId);
    if (!card.ok) return;
    const c = card.value;
    // The post now says who took it (the outbox's refresh edits it too; an unchanged edit is harmless).
    const post = groupPost(
      ctx.t,
      ctx.deps.defaultLocale,
      {
        id: c.id,
        number: c.number,
        serviceCode: c.serviceCode,
        status: c.status,
        priority: c.priority,
        dueAt: c.dueAt,
        department: { ...c.department, telegramGroupId: BigInt(ctx.chat.id) },
        assignee: c.assignee,
        rating: null,
      },
      BigInt(ctx.chat.id),
    );
    await ctx
      .editMessageText(post.text, { reply_markup: post.keyboard ?? { inline_keyboard: [] } })
      .catch(() => undefined);
    // The card goes to a private chat (never to the group: it shows personal data).
    await ctx.api
      .sendMessage(ctx.from.id, renderCard(ctx.deps.translator.t(ctx.locale), ctx.locale, c).slice(0, 4000))
      .catch((err: unknown) =>
        ctx.deps.logger.info({ err: String(err) }, 'could not send the card privately'),
      );
  });

  groups.callbackQuery(family('gp'), async (ctx) => {
    await ctx.deps.staff.forgedButton(ctx.from.id, ctx.callbackQuery.data);
    await ctx.answerCallbackQuery({ text: ctx.t('staff:group.not_allowed'), show_alert: true });
  });
  return composer;
}
