// "Where do I go, when is it open, whom do I call": /contact (and the main menu's "☎️ 找社区", which calls
// `showCommunityContact`). A registered resident sees their community's service centre; someone not
// registered yet sees every centre and a button to register. Both get the 12345 hotline and 120.
import { Composer, InlineKeyboard } from 'grammy';
import { registerButton } from '../buttons.ts';
import { allCentresText, residentContactText, windowsText } from '../contact-render.ts';
import { type BotContext, nowOf } from '../context.ts';

/** The resident's centre (or every centre), the hotline and the emergency number, in one message. */
export async function showCommunityContact(ctx: BotContext): Promise<void> {
  const now = nowOf(ctx);
  const contact = ctx.from ? await ctx.deps.reference.contactFor(ctx.from.id, null) : null;
  const tail = [ctx.t('contact:hotline'), ctx.t('contact:emergency')].join('\n');
  if (contact) {
    const parts = [ctx.t('contact:title'), residentContactText(contact, now, ctx.t, ctx.locale)];
    if (contact.centre && contact.windows.length > 0) parts.push(windowsText(contact.windows, ctx.t));
    await ctx.reply([...parts, tail].join('\n\n'));
    return;
  }
  const centres = await ctx.deps.reference.allCentres();
  const parts = [ctx.t('contact:title')];
  if (centres.length > 0) parts.push(allCentresText(centres, now, ctx.t, ctx.locale));
  parts.push(tail, ctx.t('contact:unregistered_hint'));
  await ctx.reply(parts.join('\n\n'), {
    reply_markup: new InlineKeyboard().text(ctx.t('start.register_button'), registerButton.pack({})),
  });
}

/** /contact: works at any time, also in the middle of a form (like /help). */
export function contactFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.chatType('private').command('contact', (ctx) => showCommunityContact(ctx));
  return composer;
}

/** The part of /help that says where to go: the resident's centre, or a pointer to /contact; and 12345. */
export async function contactHelpText(ctx: BotContext): Promise<string> {
  const contact = ctx.from ? await ctx.deps.reference.contactFor(ctx.from.id, null) : null;
  const parts = [ctx.t('contact:help_title')];
  parts.push(
    contact
      ? residentContactText(contact, nowOf(ctx), ctx.t, ctx.locale)
      : ctx.t('contact:help_unregistered'),
  );
  parts.push(ctx.t('contact:hotline'));
  return parts.join('\n');
}
