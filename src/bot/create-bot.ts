// The bot, built from explicit dependencies so that main.ts, the tests and the benchmarks build the same
// thing. Order matters: one update per chat at a time (sequentialize) before the conversations read their
// state; commands that must always work (/cancel, /language, /help) before the conversations; the
// conversations before the features that would otherwise see form answers.
import { conversations, createConversation } from '@grammyjs/conversations';
import { limit } from '@grammyjs/ratelimiter';
import { sequentialize } from '@grammyjs/runner';
import { Bot, type BotConfig, type BotError, type ErrorHandler } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { type PiiCipher, PiiIntegrityError } from '../app/pii-cipher.ts';
import type { Metrics } from '../metrics.ts';
import type { BotContext, BotDeps, FormContext } from './context.ts';
import { encryptedConversationStorage, type StateStore } from './conversation-storage.ts';
import { CANNED_ADD, cannedReplyForm } from './conversations/canned-reply.ts';
import { CASE_DOCUMENTS, caseDocuments } from './conversations/case-documents.ts';
import {
  CASE_ANSWER,
  CASE_RATE,
  CASE_REOPEN,
  caseAnswer,
  caseRate,
  caseReopen,
} from './conversations/case-followup.ts';
import { JOB_OFFERS, jobOffersForm } from './conversations/job-offers.ts';
import { MEMBER, memberForm } from './conversations/member.ts';
import { NOTICE, noticeConversation } from './conversations/notice.ts';
import { REGISTRATION, registration } from './conversations/registration.ts';
import { SERVICE_REQUEST, type ServicePrefill, serviceRequest } from './conversations/service-request.ts';
import { STAFF_ACTION, type StaffActionKind, staffAction } from './conversations/staff-action.ts';
import { adminFeature } from './features/admin.ts';
import { globalCommands, groupGuard, startFeature } from './features/basics.ts';
import { casesFeature } from './features/cases.ts';
import { consoleFeature } from './features/console.ts';
import { contactFeature } from './features/contact.ts';
import { employmentFeature } from './features/employment.ts';
import { householdFeature } from './features/household.ts';
import { inboundFeature } from './features/inbound.ts';
import { jobOffersFeature } from './features/job-offers.ts';
import { labourFeature } from './features/labour.ts';
import { mainMenuFeature } from './features/main-menu.ts';
import { noticeButtons, noticesFeature } from './features/notices.ts';
import { privacyFeature } from './features/privacy.ts';
import { reachabilityFeature } from './features/reachability.ts';
import { staffFeature } from './features/staff.ts';
import { staffGroupFeature } from './features/staff-group.ts';
import { endedFormReply, type FormStateLimits } from './form-limits.ts';
import { createDraftStore } from './forms/drafts.ts';
import { resolveLocale } from './i18n.ts';
import { sequenceKey } from './update-gate.ts';
import { attemptOf } from './update-handling.ts';
import { prefetchedFor } from './update-prefetch.ts';

/** Bump when a conversation changes incompatibly: residents in the middle of a form start it again. */
export const CONVERSATION_VERSION = 3;

export interface CreateBotOptions {
  token: string;
  deps: BotDeps;
  conversationState: StateStore;
  cipher: PiiCipher;
  /** Preset in tests and benchmarks so that no getMe call is made. */
  botInfo?: UserFromGetMe;
  client?: BotConfig<BotContext>['client'];
  metrics?: Metrics;
  /** Per resident: at most `limit` updates in `windowMs`; the rest are dropped with one polite word. */
  flood?: { limit: number; windowMs: number };
  /** How much one form may keep (default FORM_STATE_LIMITS); tests make it small. */
  formStateLimits?: FormStateLimits;
}

/** Where a resident starts each form again (said when a form is ended at its limits). */
export const WAY_BACK_IN: Readonly<Record<string, string>> = {
  [REGISTRATION]: '/start',
  [MEMBER]: '/household',
  [SERVICE_REQUEST]: '/services',
  [NOTICE]: '/notice',
  [STAFF_ACTION]: '/queue',
  [CANNED_ADD]: '/canned',
  [CASE_ANSWER]: '/mycases',
  [CASE_RATE]: '/mycases',
  [CASE_REOPEN]: '/mycases',
  [CASE_DOCUMENTS]: '/mycases',
};

/**
 * One a second on average over a minute, with room for a burst: an album of ten photos, or a resident who
 * taps quickly through a form, never meets it; a script sending several a second is cut to a trickle.
 */
export const FLOOD_LIMIT = { limit: 60, windowMs: 60_000 };

export function createBot(opts: CreateBotOptions): Bot<BotContext> {
  const { deps } = opts;
  const bot = new Bot<BotContext>(opts.token, { botInfo: opts.botInfo, client: opts.client });
  const drafts = createDraftStore(opts.conversationState, opts.cipher, deps.logger);

  bot.use(sequentialize(sequenceKey));

  bot.use(async (ctx, next) => {
    ctx.deps = deps;
    ctx.drafts = drafts;
    ctx.registered = false;
    let stored: string | null = null;
    if (ctx.chat?.type === 'private' && ctx.from) {
      // Touched with the update's claim when it came through the update gate; directly otherwise.
      const state =
        prefetchedFor(ctx.update)?.user ??
        (await deps.users.touch(ctx.from.id, ctx.chat.id, ctx.from.language_code));
      stored = state.locale;
      ctx.registered = state.registered;
    }
    ctx.locale = resolveLocale(stored, deps.defaultLocale);
    ctx.t = deps.translator.t(ctx.locale);
    await next();
  });

  // One resident flooding the bot is slowed (their surplus updates are dropped, with one polite message per
  // window); nobody else is: the count is per sender. Kept in memory, so per instance.
  const flood = opts.flood ?? FLOOD_LIMIT;
  const told = new Map<number, number>();
  bot.use(
    limit<BotContext, never>({
      timeFrame: flood.windowMs,
      limit: flood.limit,
      alwaysReply: true,
      keyGenerator: (ctx) => ctx.from?.id.toString(),
      onLimitExceeded: async (ctx) => {
        opts.metrics?.rateLimited.inc();
        const from = ctx.from?.id ?? 0;
        const now = Date.now();
        const first = now - (told.get(from) ?? 0) >= flood.windowMs;
        if (first) told.set(from, now);
        if (told.size > 10_000) told.clear(); // a bound: entries matter for one window only
        try {
          // A pressed button always gets its spinner stopped; a message gets one answer per window.
          if (ctx.callbackQuery)
            await ctx.answerCallbackQuery(first ? { text: ctx.t('errors.too_fast') } : {});
          else if (first && ctx.chat?.type === 'private') await ctx.reply(ctx.t('errors.too_fast'));
        } catch {
          // Only a courtesy: a failed notice must not turn the dropped update into a failed one.
        }
      },
    }),
  );

  const guarded = bot.errorBoundary(answerWithApology(deps.isStorageUnavailable));
  guarded.use(groupGuard());
  // A department group's "take" button (the only thing staff do in a group).
  guarded.use(staffGroupFeature());
  // Only private chats reach the forms: a group never starts a registration.
  const priv = guarded.chatType('private');
  // Blocked / unblocked (my_chat_member) is not part of any form.
  priv.use(reachabilityFeature());
  priv.use(
    conversations({
      storage: {
        type: 'context',
        version: CONVERSATION_VERSION,
        adapter: encryptedConversationStorage<BotContext>(
          opts.conversationState,
          opts.cipher,
          deps.logger,
          opts.formStateLimits,
        ),
      },
    }),
  );
  // A form found at its limits was ended by the storage: say so, before anything else sees the update.
  priv.use(endedFormReply((form) => WAY_BACK_IN[form] ?? '/start'));
  priv.use(globalCommands());
  priv.use(contactFeature());
  // "I have read this" on a notice works in the middle of a form too.
  priv.use(noticeButtons());
  // A resident's rights work at any time, also in the middle of a form.
  priv.use(privacyFeature());
  priv.use(
    createConversation<BotContext, FormContext>(
      (c, ctx, resume?: string) => registration(c, ctx, deps, resume),
      { id: REGISTRATION },
    ),
  );
  priv.use(
    createConversation<BotContext, FormContext>(
      (c, ctx, memberId?: string) => memberForm(c, ctx, deps, memberId),
      { id: MEMBER },
    ),
  );
  priv.use(
    createConversation<BotContext, FormContext>(
      (c, ctx, code: string, resume?: string | null, prefill?: ServicePrefill | null) =>
        serviceRequest(c, ctx, deps, code, resume, prefill),
      {
        id: SERVICE_REQUEST,
      },
    ),
  );
  priv.use(
    createConversation<BotContext, FormContext>((c, ctx) => noticeConversation(c, ctx, deps), { id: NOTICE }),
  );
  priv.use(
    createConversation<BotContext, FormContext>(
      (c, ctx, caseId: string, kind: StaffActionKind) => staffAction(c, ctx, deps, caseId, kind),
      { id: STAFF_ACTION },
    ),
  );
  priv.use(
    createConversation<BotContext, FormContext>(
      (c, ctx, caseId: string) => jobOffersForm(c, ctx, deps, caseId),
      { id: JOB_OFFERS },
    ),
  );
  priv.use(
    createConversation<BotContext, FormContext>(
      (c, ctx, departmentCode: string) => cannedReplyForm(c, ctx, deps, departmentCode),
      { id: CANNED_ADD },
    ),
  );
  for (const [id, run] of [
    [CASE_ANSWER, caseAnswer],
    [CASE_RATE, caseRate],
    [CASE_REOPEN, caseReopen],
    [CASE_DOCUMENTS, caseDocuments],
  ] as const) {
    priv.use(
      createConversation<BotContext, FormContext>((c, ctx, caseId: string) => run(c, ctx, deps, caseId), {
        id,
      }),
    );
  }
  // The main menu's labels (also mid-form: the form has put itself aside), and its buttons.
  priv.use(mainMenuFeature());
  priv.use(startFeature());
  priv.use(casesFeature());
  priv.use(householdFeature());
  priv.use(employmentFeature());
  priv.use(labourFeature());
  priv.use(jobOffersFeature());
  priv.use(noticesFeature());
  priv.use(staffFeature());
  priv.use(consoleFeature());
  priv.use(adminFeature());
  // Last: whatever a resident sends outside a form goes somewhere, and a button nobody handled is stale.
  priv.use(inboundFeature());
  return bot;
}

/**
 * Logs the failure (never the update's content) and tells the resident, in their language: "try again in
 * a minute" when the database is unreachable, an apology otherwise. An update that came through the update
 * gate (update-gate.ts) with attempts to spare is not answered here: the error goes on to the gate, which
 * records the failed attempt so that the update is delivered again and handled then.
 */
const answerWithApology =
  (isStorageUnavailable: (err: unknown) => boolean): ErrorHandler<BotContext> =>
  async (err: BotError<BotContext>) => {
    const ctx = err.ctx;
    const cause = err.error;
    const unavailable = isStorageUnavailable(cause);
    const attempt = attemptOf(ctx.update);
    if (attempt && !attempt.final && !unavailable) throw cause;
    if (attempt) attempt.failure = cause;
    if (unavailable) {
      ctx.deps?.logger.warn(
        { updateId: ctx.update.update_id },
        'database unreachable while handling an update',
      );
    } else if (cause instanceof PiiIntegrityError) {
      // Tampering, or a ciphertext moved from another row or column: said so, with the place (no personal data).
      ctx.deps?.logger.error(
        { updateId: ctx.update.update_id, tampered: cause.context },
        'personal data failed its integrity check (tampered with, or moved from another row or column)',
      );
    } else {
      ctx.deps?.logger.error({ updateId: ctx.update.update_id, err: cause }, 'update handling failed');
    }
    try {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
      if (ctx.chat) await ctx.reply(ctx.t(unavailable ? 'errors.try_again_soon' : 'errors.generic'));
    } catch {
      // Telegram itself failed: nothing more to say to the resident.
    }
  };
