// The residents' main menu: four large buttons kept under the message box (../menu-labels.ts), what each
// one does (MAIN_MENU), the "🏠 main menu" button under every final message, and a form put aside
// (../forms/aside.ts) offered again — "go on with it" or "start again" — where its way back leads.
import { Composer, InlineKeyboard } from 'grammy';
import { draftButtons, mainMenuButton, onButton, registerButton } from '../buttons.ts';
import type { BotContext } from '../context.ts';
import { REGISTRATION } from '../conversations/registration.ts';
import { RESUME, SERVICE_REQUEST } from '../conversations/service-request.ts';
import { type FormDraft, plainName } from '../forms/engine.ts';
import { type MenuEntry, mainMenuKeyboard, menuEntryOf } from '../menu-labels.ts';
import { showMyCases, showServicesMenu } from './cases.ts';
import { showCommunityContact } from './contact.ts';
import { showHousehold } from './household.ts';

/** The "🏠 main menu" button for under a final message (forms/aside.ts makes it). */
export { backToMenu } from '../forms/engine.ts';

/** What each main-menu button does, in one place. ☎️ "contact us": the centre, its hours, windows, phone. */
export const MAIN_MENU: Record<MenuEntry, { action: (ctx: BotContext) => Promise<void> }> = {
  services: { action: (ctx) => showServicesMenu(ctx) },
  mycases: { action: (ctx) => showMyCases(ctx, 0) },
  household: { action: (ctx) => showHousehold(ctx) },
  contact: { action: (ctx) => showCommunityContact(ctx) },
};

/** The main menu for a registered resident; the way to register for anyone else. */
export async function showMainMenu(ctx: BotContext): Promise<void> {
  if (ctx.registered) {
    await ctx.reply(ctx.t('aside:menu.title'), { reply_markup: mainMenuKeyboard(ctx.t) });
    return;
  }
  if (await offerDraft(ctx, REGISTRATION)) return;
  await ctx.reply(ctx.t('start.offer_register'), {
    reply_markup: new InlineKeyboard().text(ctx.t('start.register_button'), registerButton.pack({})),
  });
}

/** The draft's form, named for the resident. */
function draftName(ctx: BotContext, draft: FormDraft): string {
  if (draft.form === SERVICE_REQUEST) return plainName(ctx.t(`services:${draft.args[0]}.name`));
  return ctx.t([`aside:forms.${draft.form}`, 'aside:forms.other']);
}

/**
 * When the chat has a draft of `form` (put aside, less than a week ago), offers to go on with it or to
 * start again; says whether it did.
 */
export async function offerDraft(ctx: BotContext, form: string): Promise<boolean> {
  if (!ctx.chat) return false;
  const draft = await ctx.drafts.peek(ctx.chat.id, Date.now());
  if (!draft || draft.form !== form) return false;
  if (form === SERVICE_REQUEST && !ctx.deps.catalogue.offered(draft.args[0] ?? '')) return false;
  const name = draftName(ctx, draft);
  await ctx.reply(ctx.t('aside:resume_offer', { form: name, answered: Object.keys(draft.answers).length }), {
    reply_markup: new InlineKeyboard()
      .text(ctx.t('aside:resume_button', { form: name }), draftButtons.resume.pack({}))
      .row()
      .text(ctx.t('aside:restart_button'), draftButtons.restart.pack({})),
  });
  return true;
}

export function mainMenuFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  // The four labels, in either language, wherever they arrive (a form waiting for an answer has put
  // itself aside before this runs).
  priv.on('message:text').filter(
    (ctx) => menuEntryOf(ctx.message.text) !== undefined,
    async (ctx) => {
      const entry = menuEntryOf(ctx.message.text) as MenuEntry;
      await MAIN_MENU[entry].action(ctx);
    },
  );

  onButton(priv, mainMenuButton, async (ctx) => {
    await ctx.answerCallbackQuery();
    await showMainMenu(ctx);
  });

  // Go on with a draft, or start its form again. The draft is read again at the press: gone (a week old,
  // already resumed), the press says so and the main menu follows.
  for (const [kind, resume] of [
    [draftButtons.resume, true],
    [draftButtons.restart, false],
  ] as const) {
    onButton(priv, kind, async (ctx) => {
      const draft = await ctx.drafts.peek(ctx.chat.id, Date.now());
      if (!draft) {
        await ctx.answerCallbackQuery({ text: ctx.t('aside:resume_gone'), show_alert: true });
        await showMainMenu(ctx);
        return;
      }
      await ctx.answerCallbackQuery();
      await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
      if (!resume) await ctx.drafts.drop(ctx.chat.id);
      await ctx.conversation.enter(draft.form, ...draft.args, ...(resume ? [RESUME] : []));
    });
  }
  return composer;
}
