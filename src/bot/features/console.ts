// /console: a staff member, community worker or admin gets a one-time link that signs them in to the web
// console (src/http/console). The link is a bearer secret: sent without a link preview (Telegram's preview
// fetcher would otherwise open it — harmless, since only the page's POST uses it, but it need not travel),
// valid five minutes, used once. Anyone else is told, kindly, that it is for staff, with their way in.
import { Composer } from 'grammy';
import { LINK_VALID_MS } from '../../app/console/auth.ts';
import type { BotContext } from '../context.ts';

export function consoleFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.chatType('private').command('console', async (ctx) => {
    const base = ctx.deps.consoleUrl;
    if (!base) {
      const staff = await ctx.deps.console.canSignIn(ctx.from.id);
      await ctx.reply(ctx.t(staff ? 'console:bot.not_enabled' : 'console:bot.not_staff'));
      return;
    }
    const issued = await ctx.deps.console.issueLink(ctx.from.id);
    if (!issued.ok) {
      await ctx.reply(ctx.t('console:bot.not_staff'));
      return;
    }
    await ctx.reply(
      ctx.t('console:bot.link', {
        url: `${base}/login/${issued.value.token}`,
        minutes: Math.round(LINK_VALID_MS / 60_000),
      }),
      { link_preview_options: { is_disabled: true } },
    );
  });
  return composer;
}
