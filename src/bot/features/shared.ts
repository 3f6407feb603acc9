// Small pieces several features share: a press that only opens something, the two-button confirmation
// question and its "no, leave it" answer, and the command that opens a case by the number a person typed.
import { type Composer, type Filter, InlineKeyboard } from 'grammy';
import { type ButtonKind, type ButtonValues, type FieldKind, onButton } from '../buttons.ts';
import type { BotContext } from '../context.ts';

/** A press that only opens something (a list, a case, a form): the spinner stops, then `open` runs. */
export function onOpen<C extends BotContext, F extends Record<string, FieldKind>>(
  composer: Composer<C>,
  kind: ButtonKind<F>,
  open: (ctx: Filter<C, 'callback_query:data'>, values: ButtonValues<F>) => unknown,
): void {
  onButton(composer, kind, async (ctx, values) => {
    await ctx.answerCallbackQuery();
    await open(ctx, values);
  });
}

/** A question's two answers side by side: do it, or leave it. Each is [label, packed data]. */
export function yesNo(yes: [string, string], no: [string, string]): InlineKeyboard {
  return new InlineKeyboard().text(...yes).text(...no);
}

/** Removes the buttons from the message a press came from (already gone or too old: nothing to do). */
export async function clearButtons(ctx: BotContext): Promise<void> {
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
}

/** "No, leave it" on a confirmation question: its buttons go, and one line says nothing changed. */
export function onKeep<C extends BotContext>(
  composer: Composer<C>,
  kind: ButtonKind<Record<string, FieldKind>>,
  keptKey: string,
): void {
  onButton(composer, kind, async (ctx) => {
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    await ctx.reply(ctx.t(keptKey));
  });
}

/**
 * A command that opens a case by the number typed after it (`/case 2026-000123`, `/open …`): the usage line
 * when nothing was typed, `notFound`'s text when the use case finds nothing the person may see.
 */
export function byTypedNumber<E>(
  usageKey: string,
  find: (
    ctx: BotContext,
    telegramId: number,
    typed: string,
  ) => Promise<{ ok: true; value: string } | { ok: false; error: E }>,
  notFound: (ctx: BotContext, error: E) => string,
  open: (ctx: BotContext, caseId: string) => Promise<void>,
): (ctx: BotContext & { match: string; from: { id: number } }) => Promise<void> {
  return async (ctx) => {
    const typed = ctx.match.trim();
    if (!typed) {
      await ctx.reply(ctx.t(usageKey));
      return;
    }
    const found = await find(ctx, ctx.from.id, typed);
    if (!found.ok) {
      await ctx.reply(notFound(ctx, found.error));
      return;
    }
    await open(ctx, found.value);
  };
}
