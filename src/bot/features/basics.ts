// /start, /help, /language, /cancel and the group-chat guard.
import { Composer, InlineKeyboard } from 'grammy';
import {
  householdButtons,
  languageButton,
  myCaseButtons,
  onButton,
  registerButton,
  serviceButtons,
} from '../buttons.ts';
import { setChatCommandMenu } from '../commands.ts';
import type { BotContext } from '../context.ts';
import { REGISTRATION } from '../conversations/registration.ts';
import { contactHelpText } from './contact.ts';
import { clearButtons } from './shared.ts';

export function isAdmin(ctx: BotContext): boolean {
  return ctx.from !== undefined && ctx.deps.adminTelegramIds.includes(ctx.from.id);
}

/** Commands that work everywhere in a private chat, also in the middle of a form. */
export function globalCommands(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  priv.command('cancel', async (ctx) => {
    const active = Object.keys(ctx.conversation.active()).length > 0;
    await ctx.conversation.exitAll();
    await ctx.reply(ctx.t(active ? 'cancel.done' : 'cancel.nothing'), {
      reply_markup: { remove_keyboard: true },
    });
  });

  priv.command('help', async (ctx) => {
    const parts = [ctx.t('help.text'), await contactHelpText(ctx)];
    if ((await ctx.deps.staff.whoami(ctx.from.id)) !== null) parts.push(ctx.t('staff:help'));
    if (isAdmin(ctx)) parts.push(ctx.t('help.admin'), ctx.t('manage:help'));
    await ctx.reply(parts.join('\n\n'));
  });

  priv.command('language', async (ctx) => {
    await ctx.reply(ctx.t('language.choose'), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t('language.button_zh'), languageButton.pack({ locale: 'zh-CN' }))
        .text(ctx.t('language.button_en'), languageButton.pack({ locale: 'en' })),
    });
  });

  onButton(priv, languageButton, async (ctx, { locale }) => {
    await ctx.deps.users.setLocale(ctx.from.id, locale);
    ctx.locale = locale;
    ctx.t = ctx.deps.translator.t(locale);
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    await ctx.reply(ctx.t('language.changed'));
    const staff = (await ctx.deps.staff.whoami(ctx.from.id)) !== null;
    const worker = await ctx.deps.notices.canCompose(ctx.from.id);
    await setChatCommandMenu(ctx.api, ctx.chat.id, locale, isAdmin(ctx), ctx.deps, { staff, worker });
  });

  return composer;
}

export function startFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  priv.command('start', async (ctx) => {
    const name = ctx.from.first_name ? ` ${ctx.from.first_name}` : '';
    if (ctx.registered) {
      await ctx.reply(ctx.t('start.greeting_registered', { name }), {
        reply_markup: new InlineKeyboard()
          .text(ctx.t('start.services_button'), serviceButtons.menu.pack({}))
          .row()
          .text(ctx.t('start.mycases_button'), myCaseButtons.page.pack({ page: 0 }))
          .row()
          .text(ctx.t('start.household_button'), householdButtons.show.pack({})),
      });
      return;
    }
    await ctx.reply(`${ctx.t('start.greeting_new', { name })}\n\n${ctx.t('start.offer_register')}`, {
      reply_markup: new InlineKeyboard().text(ctx.t('start.register_button'), registerButton.pack({})),
    });
  });

  onButton(priv, registerButton, async (ctx) => {
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    await ctx.conversation.enter(REGISTRATION);
  });

  priv.command('register', async (ctx) => ctx.conversation.enter(REGISTRATION));

  return composer;
}

/** In groups the bot only points people to a private chat: personal data never goes through a group. */
export function groupGuard(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer
    .chatType(['group', 'supergroup'])
    .command(
      ['start', 'help', 'register', 'household', 'services', 'mycases', 'case', 'contact'],
      async (ctx) => {
        await ctx.reply(ctx.t('group.private_only'));
      },
    );
  return composer;
}
