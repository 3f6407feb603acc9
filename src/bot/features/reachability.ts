// Whether a person can be reached: Telegram sends `my_chat_member` when someone blocks the bot ("kicked") or
// unblocks it ("member"). Unblocking queues again the notifications that could not reach them meanwhile
// (the last REQUEUE_DAYS days), so a resident who blocked the bot by mistake still hears about their case.
import { Composer } from 'grammy';
import type { BotContext } from '../context.ts';

export const REQUEUE_DAYS = 30;

export function reachabilityFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.chatType('private').on('my_chat_member', async (ctx) => {
    const status = ctx.myChatMember.new_chat_member.status;
    const who = ctx.myChatMember.from.id;
    if (status === 'kicked') {
      await ctx.deps.reachability.markUnreachable(who);
    } else if (status === 'member') {
      const queued = await ctx.deps.reachability.markReachable(who, REQUEUE_DAYS);
      if (queued > 0) ctx.deps.wakeDispatcher?.();
    }
  });
  return composer;
}
