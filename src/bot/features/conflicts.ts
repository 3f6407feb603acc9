// /conflicts (administrators): registrations that named an ID number someone had already registered, each
// waiting for the ID-card check at the community service window. After the check the administrator moves
// the registration to the person who came to the window, or dismisses it; both ask for a confirmation.
// Permissions and audit rows are the use case's (src/app/registration-conflicts.ts); the buttons (`rc:`)
// are defined in ../buttons.ts.
import { Composer, InlineKeyboard } from 'grammy';
import { conflictButtons, family, onButton } from '../buttons.ts';
import { type BotContext, localeName } from '../context.ts';
import { compactTime } from '../format-time.ts';
import { clearButtons, onKeep, yesNo } from './shared.ts';

async function notAllowed(ctx: BotContext): Promise<void> {
  if (ctx.callbackQuery)
    await ctx.answerCallbackQuery({ text: ctx.t('admin.not_allowed'), show_alert: true });
  else await ctx.reply(ctx.t('admin.not_allowed'));
}

async function refused(ctx: BotContext, error: 'not_allowed' | 'not_found' | 'conflict'): Promise<void> {
  if (error === 'not_allowed') return notAllowed(ctx);
  await ctx.answerCallbackQuery({
    text: ctx.t(error === 'conflict' ? 'manage:conflicts.cannot_move' : 'manage:conflicts.gone'),
    show_alert: true,
  });
}

export function conflictsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  priv.command('conflicts', async (ctx) => {
    const list = await ctx.deps.registrationConflicts.list(ctx.from.id);
    if (!list.ok) return notAllowed(ctx);
    if (list.value.length === 0) {
      await ctx.reply(ctx.t('manage:conflicts.none'));
      return;
    }
    const communities = new Map(
      (await ctx.deps.reference.listCommunities()).map((c) => [c.code, localeName(ctx.locale, c)]),
    );
    await ctx.reply(ctx.t('manage:conflicts.title', { count: list.value.length }));
    for (const c of list.value) {
      await ctx.reply(
        ctx.t('manage:conflicts.item', {
          name: c.name,
          idNumber: c.idNumberMasked,
          phone: c.phoneMasked,
          community: communities.get(c.communityCode) ?? c.communityCode,
          at: compactTime(c.createdAt, ctx.t),
        }),
        {
          reply_markup: new InlineKeyboard()
            .text(ctx.t('manage:conflicts.move_button'), conflictButtons.move.pack({ conflictId: c.id }))
            .row()
            .text(
              ctx.t('manage:conflicts.dismiss_button'),
              conflictButtons.dismiss.pack({ conflictId: c.id }),
            ),
          protect_content: true,
        },
      );
    }
  });

  onButton(priv, conflictButtons.move, async (ctx, { conflictId }) => {
    const c = await ctx.deps.registrationConflicts.get(ctx.from.id, conflictId);
    if (!c.ok) return refused(ctx, c.error);
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('manage:conflicts.confirm_move', { name: c.value.name }), {
      reply_markup: yesNo(
        [ctx.t('manage:conflicts.move_yes'), conflictButtons.moveConfirmed.pack({ conflictId })],
        [ctx.t('manage:conflicts.no'), conflictButtons.keep.pack({})],
      ),
    });
  });
  onButton(priv, conflictButtons.moveConfirmed, async (ctx, { conflictId }) => {
    const moved = await ctx.deps.registrationConflicts.move(ctx.from.id, conflictId);
    if (!moved.ok) return refused(ctx, moved.error);
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    ctx.deps.wakeDispatcher?.();
    await ctx.reply(
      ctx.t(moved.value.firstEnded ? 'manage:conflicts.moved_ended' : 'manage:conflicts.moved'),
    );
  });

  onButton(priv, conflictButtons.dismiss, async (ctx, { conflictId }) => {
    const c = await ctx.deps.registrationConflicts.get(ctx.from.id, conflictId, 'conflict_dismiss');
    if (!c.ok) return refused(ctx, c.error);
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('manage:conflicts.confirm_dismiss', { name: c.value.name }), {
      reply_markup: yesNo(
        [ctx.t('manage:conflicts.dismiss_yes'), conflictButtons.dismissConfirmed.pack({ conflictId })],
        [ctx.t('manage:conflicts.no'), conflictButtons.keep.pack({})],
      ),
    });
  });
  onButton(priv, conflictButtons.dismissConfirmed, async (ctx, { conflictId }) => {
    const dismissed = await ctx.deps.registrationConflicts.dismiss(ctx.from.id, conflictId);
    if (!dismissed.ok) return refused(ctx, dismissed.error);
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    ctx.deps.wakeDispatcher?.();
    await ctx.reply(ctx.t('manage:conflicts.dismissed'));
  });
  onKeep(priv, conflictButtons.keep, 'manage:staff.kept');

  // A forged or outdated conflict button.
  priv.callbackQuery(family('rc'), async (ctx) => {
    await ctx.deps.staff.forgedButton(ctx.from.id, ctx.callbackQuery.data);
    await ctx.answerCallbackQuery({ text: ctx.t('errors.stale_button') });
  });
  return composer;
}
