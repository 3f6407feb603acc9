// /start, /help, /language, /cancel and the group-chat guard.
import { Composer, InlineKeyboard } from 'grammy';
import { languageButton, onButton, registerButton } from '../buttons.ts';
import { setChatCommandMenu } from '../commands.ts';
import type { BotContext } from '../context.ts';
import { REGISTRATION } from '../conversations/registration.ts';
import { mainMenuKeyboard } from '../menu-labels.ts';
import { contactHelpText } from './contact.ts';
import { offerDraft } from './main-menu.ts';
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
    // A registered resident gets the main menu back (a form may have replaced it with "share my number").
    await ctx.reply(ctx.t(active ? 'cancel.done' : 'cancel.nothing'), {
      reply_markup: ctx.registered ? mainMenuKeyboard(ctx.t) : { remove_keyboard: true },
    });
  });

  priv.command('help', showHelp);

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
    // The next step in the new language: the main menu (its labels change too), or the way to register.
    await ctx.reply(
      `${ctx.t('language.changed')}${ctx.registered ? '' : `\n\n${ctx.t('start.offer_register')}`}`,
      {
        reply_markup: ctx.registered
          ? mainMenuKeyboard(ctx.t)
          : new InlineKeyboard().text(ctx.t('start.register_button'), registerButton.pack({})),
      },
    );
    const staff = (await ctx.deps.staff.whoami(ctx.from.id)) !== null;
    const worker = await ctx.deps.notices.canCompose(ctx.from.id);
    const labour = await ctx.deps.labour.mayList(ctx.from.id);
    await setChatCommandMenu(ctx.api, ctx.chat.id, locale, isAdmin(ctx), ctx.deps, {
      staff,
      worker,
      labour,
    });
  });

  return composer;
}

/** /help: what the bot can do (and, for staff and admins, their commands). */
export async function showHelp(ctx: BotContext): Promise<void> {
  const from = ctx.from;
  if (!from) return;
  const parts = [ctx.t('help.text'), await contactHelpText(ctx)];
  if ((await ctx.deps.staff.whoami(from.id)) !== null) parts.push(ctx.t('staff:help'));
  if (isAdmin(ctx)) parts.push(ctx.t('help.admin'), ctx.t('manage:help'));
  await ctx.reply(parts.join('\n\n'));
}

/** The first greeting's way in: register (or go on with a registration put aside), and the other language. */
function newcomerKeyboard(ctx: BotContext): InlineKeyboard {
  const other = ctx.locale === 'zh-CN' ? 'en' : 'zh-CN';
  return new InlineKeyboard()
    .text(ctx.t('start.register_button'), registerButton.pack({}))
    .row()
    .text(ctx.t('aside:switch_language'), languageButton.pack({ locale: other }));
}

export function startFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  priv.command('start', async (ctx) => {
    const name = ctx.from.first_name ? ` ${ctx.from.first_name}` : '';
    if (ctx.registered) {
      await ctx.reply(ctx.t('start.greeting_registered', { name }), {
        reply_markup: mainMenuKeyboard(ctx.t),
      });
      return;
    }
    if (await offerDraft(ctx, REGISTRATION)) return;
    await ctx.reply(`${ctx.t('start.greeting_new', { name })}\n\n${ctx.t('start.offer_register')}`, {
      reply_markup: newcomerKeyboard(ctx),
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
