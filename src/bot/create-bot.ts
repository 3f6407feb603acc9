// The bot, built from explicit dependencies so that main.ts, the tests and the benchmarks build the same
// thing. Order matters: one update per chat at a time (sequentialize) before the conversations read their
// state; commands that must always work (/cancel, /language, /help) before the conversations; the
// conversations before the features that would otherwise see form answers.
import { conversations, createConversation } from '@grammyjs/conversations';
import { sequentialize } from '@grammyjs/runner';
import { Bot, type BotConfig, type BotError, Composer, type ErrorHandler, InlineKeyboard } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { PiiCipher } from '../app/pii-cipher.ts';
import type { BotContext, BotDeps, FormContext } from './context.ts';
import { encryptedConversationStorage, type StateStore } from './conversation-storage.ts';
import {
  CASE_ANSWER,
  CASE_RATE,
  CASE_REOPEN,
  caseAnswer,
  caseRate,
  caseReopen,
} from './conversations/case-followup.ts';
import { MEMBER, memberForm } from './conversations/member.ts';
import { REGISTRATION, registration } from './conversations/registration.ts';
import { SERVICE_REQUEST, serviceRequest } from './conversations/service-request.ts';
import { adminFeature } from './features/admin.ts';
import { globalCommands, groupGuard, startFeature } from './features/basics.ts';
import { casesFeature } from './features/cases.ts';
import { householdFeature } from './features/household.ts';
import { resolveLocale } from './i18n.ts';

/** Bump when a conversation changes incompatibly: residents in the middle of a form start it again. */
export const CONVERSATION_VERSION = 1;

export interface CreateBotOptions {
  token: string;
  deps: BotDeps;
  conversationState: StateStore;
  cipher: PiiCipher;
  /** Preset in tests and benchmarks so that no getMe call is made. */
  botInfo?: UserFromGetMe;
  client?: BotConfig<BotContext>['client'];
}

export function createBot(opts: CreateBotOptions): Bot<BotContext> {
  const { deps } = opts;
  const bot = new Bot<BotContext>(opts.token, { botInfo: opts.botInfo, client: opts.client });

  bot.use(sequentialize((ctx) => (ctx.chat?.id ?? ctx.from?.id)?.toString()));

  bot.use(async (ctx, next) => {
    ctx.deps = deps;
    ctx.registered = false;
    let stored: string | null = null;
    if (ctx.chat?.type === 'private' && ctx.from) {
      const state = await deps.users.touch(ctx.from.id, ctx.chat.id, ctx.from.language_code);
      stored = state.locale;
      ctx.registered = state.registered;
    }
    ctx.locale = resolveLocale(stored, ctx.from?.language_code, deps.defaultLocale);
    ctx.t = deps.translator.t(ctx.locale);
    await next();
  });

  const guarded = bot.errorBoundary(answerWithApology);
  guarded.use(groupGuard());
  // Only private chats reach the forms: a group never starts a registration.
  const priv = guarded.chatType('private');
  priv.use(
    conversations({
      storage: {
        type: 'key',
        version: CONVERSATION_VERSION,
        getStorageKey: (ctx) => ctx.chat?.id.toString(),
        adapter: encryptedConversationStorage(opts.conversationState, opts.cipher, deps.logger),
      },
    }),
  );
  priv.use(globalCommands());
  priv.use(
    createConversation<BotContext, FormContext>((c, ctx) => registration(c, ctx, deps), { id: REGISTRATION }),
  );
  priv.use(
    createConversation<BotContext, FormContext>(
      (c, ctx, memberId?: string) => memberForm(c, ctx, deps, memberId),
      { id: MEMBER },
    ),
  );
  priv.use(
    createConversation<BotContext, FormContext>(
      (c, ctx, code: string) => serviceRequest(c, ctx, deps, code),
      {
        id: SERVICE_REQUEST,
      },
    ),
  );
  for (const [id, run] of [
    [CASE_ANSWER, caseAnswer],
    [CASE_RATE, caseRate],
    [CASE_REOPEN, caseReopen],
  ] as const) {
    priv.use(
      createConversation<BotContext, FormContext>((c, ctx, caseId: string) => run(c, ctx, deps, caseId), {
        id,
      }),
    );
  }
  priv.use(startFeature());
  priv.use(casesFeature());
  priv.use(householdFeature());
  priv.use(adminFeature());
  priv.use(fallback());
  return bot;
}

/** Whatever nobody handled: an old button, or a message the bot does not understand. */
function fallback(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on('callback_query', async (ctx) => {
    await ctx.answerCallbackQuery({ text: ctx.t('errors.stale_button') });
  });
  // Someone who types instead of tapping gets the ways in as buttons, not just a pointer to /help.
  composer.on('message', async (ctx) => {
    const kb = new InlineKeyboard();
    if (ctx.registered) {
      kb.text(ctx.t('start.services_button'), 'svc:menu')
        .row()
        .text(ctx.t('start.mycases_button'), 'mc:page:0');
    } else {
      kb.text(ctx.t('start.register_button'), 'reg:start');
    }
    await ctx.reply(ctx.t('errors.not_understood'), { reply_markup: kb });
  });
  return composer;
}

/** Logs the failure (never the update's content) and tells the resident, in their language. */
const answerWithApology: ErrorHandler<BotContext> = async (err: BotError<BotContext>) => {
  const ctx = err.ctx;
  const cause = err.error;
  ctx.deps?.logger.error({ updateId: ctx.update.update_id, err: cause }, 'update handling failed');
  try {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    if (ctx.chat) await ctx.reply(ctx.t('errors.generic'));
  } catch {
    // Telegram itself failed: nothing more to say to the resident.
  }
};
