import type { Conversation, ConversationFlavor } from '@grammyjs/conversations';
import type { Context } from 'grammy';
import type { AdminService } from '../app/admin.ts';
import type { BroadcastService } from '../app/broadcasts.ts';
import type { CaseService } from '../app/cases.ts';
import type { HouseholdService } from '../app/households.ts';
import type { PrivacyService } from '../app/privacy.ts';
import type { ReachabilityService } from '../app/reachability.ts';
import type { ReferenceService } from '../app/reference.ts';
import type { StaffService } from '../app/staff.ts';
import type { Locale } from '../config.ts';
import type { Catalogue } from '../domain/catalogue/index.ts';
import type { Logger } from '../logger.ts';
import type { TFunction, Translator } from './i18n.ts';

/** Everything the bot needs from the rest of the program; built in main.ts (or a test). */
export interface BotDeps {
  households: HouseholdService;
  cases: CaseService;
  catalogue: Catalogue;
  /** Department staff's work on cases: queue, next, card, actions (src/app/staff.ts). */
  staff: StaffService;
  /** Invites, staff, canned replies, figures, export (src/app/admin.ts). */
  admin: AdminService;
  /** Whether a person can be reached (their my_chat_member updates). */
  /** Whether a person can be reached (their my_chat_member updates). */
  reachability: ReachabilityService;
  /** A hint to this process's notification dispatcher that there is something to send (set by main.ts). */
  wakeDispatcher?: () => void;
  /** Community notices: compose, list, cancel, read receipts, residents' preference. */
  broadcasts: BroadcastService;
  /** /mydata, /deleteme and the retention rule. */
  privacy: PrivacyService;
  /** The lists the forms offer: communities, buildings, schools, hospitals (src/app/reference.ts). */
  reference: ReferenceService;
  users: {
    touch(
      telegramId: number,
      chatId: number,
      languageCode: string | undefined,
    ): Promise<{ locale: string | null; registered: boolean }>;
    setLocale(telegramId: number, locale: Locale): Promise<void>;
  };
  /** Reloads the reference-data file (admin command); resolves to the counts per table. */
  reloadReferenceData(): Promise<Record<string, number>>;
  translator: Translator;
  logger: Logger;
  defaultLocale: Locale;
  adminTelegramIds: readonly number[];
}

export interface BotFlavor {
  deps: BotDeps;
  locale: Locale;
  t: TFunction;
  /** Whether the sender has a household file (resolved once per update in private chats). */
  registered: boolean;
}

export type BotContext = ConversationFlavor<Context & BotFlavor>;
/** The context inside a conversation: a plain Context (plugins are not inherited). */
export type FormContext = Context;
export type BotConversation = Conversation<BotContext, FormContext>;

export function localeName(locale: Locale, item: { nameZh: string; nameEn: string }): string {
  return locale === 'zh-CN' ? item.nameZh : item.nameEn;
}
