import { Composer } from 'grammy';
import type { BotContext } from '../context.ts';
import { isAdmin } from './basics.ts';
import { conflictsFeature } from './conflicts.ts';
import { manageFeature } from './manage.ts';

export function adminFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  // Invites, staff, canned replies, figures, export, and /join for the invited.
  composer.use(manageFeature());
  // Registrations waiting for the window's ID-card check.
  composer.use(conflictsFeature());
  composer.chatType('private').command('reload', async (ctx) => {
    if (!isAdmin(ctx)) {
      await ctx.reply(ctx.t('admin.not_allowed'));
      return;
    }
    try {
      const counts = await ctx.deps.reloadReferenceData();
      await ctx.reply(ctx.t('admin.reloaded', counts));
    } catch (err) {
      ctx.deps.logger.warn({ err }, 'reference data reload failed');
      await ctx.reply(
        ctx.t('admin.reload_failed', { problem: err instanceof Error ? err.message : String(err) }),
      );
    }
  });
  return composer;
}
