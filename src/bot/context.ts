import type { Conversation, ConversationFlavor } from '@grammyjs/conversations';
import type { Context } from 'grammy';
import type { AdminService } from '../app/admin.ts';
import type { CaseService } from '../app/cases.ts';
import type { AuditLogView } from '../app/console/audit-log.ts';
import type { ConsoleAuth } from '../app/console/auth.ts';
import type { ConsoleLookup } from '../app/console/search.ts';
import type { HouseholdService } from '../app/households.ts';
import type { InboundService } from '../app/inbound.ts';
import type { JobOfferService } from '../app/job-offers.ts';
import type { LabourService } from '../app/labour.ts';
import type { NoticeService } from '../app/notices.ts';
import type { PrivacyService } from '../app/privacy.ts';
import type { ReachabilityService } from '../app/reachability.ts';
import type { ReferenceService } from '../app/reference.ts';
import type { RegistrationConflictService } from '../app/registration-conflicts.ts';
import type { StaffService } from '../app/staff.ts';
import type { Locale } from '../config.ts';
import type { Catalogue } from '../domain/catalogue/index.ts';
import type { Result } from '../domain/result.ts';
import type { Logger } from '../logger.ts';
import type { DraftStore } from './forms/drafts.ts';
import type { TFunction, Translator } from './i18n.ts';

/** What the bot knows of a Telegram user at each update. */
export interface TelegramUserState {
  locale: string | null;
  registered: boolean;
}

/**
 * The bot's record of the Telegram users who write to it (src/db/repositories/telegram-users.ts implements
 * it): Telegram glue, like the update gate's inbox (update-inbox.ts), so its port is declared here.
 */
export interface UserStore {
  /** Records that this user wrote (once per update) and returns what the bot needs to answer them. */
  touch(telegramId: number, chatId: number, languageCode: string | undefined): Promise<TelegramUserState>;
  setLocale(telegramId: number, locale: Locale): Promise<void>;
}

/** Everything the bot needs from the rest of the program; built in main.ts (or a test). */
export interface BotDeps {
  households: HouseholdService;
  cases: CaseService;
  /** What a resident sends outside a form, and documents brought later (src/app/inbound.ts). */
  inbound: InboundService;
  catalogue: Catalogue;
  /** Department staff's work on cases: queue, next, card, actions (src/app/staff.ts). */
  staff: StaffService;
  /** Invites, staff, canned replies, figures, export (src/app/admin.ts). */
  admin: AdminService;
  /** Whether a person can be reached (their my_chat_member updates). */
  reachability: ReachabilityService;
  /** A hint to this process's notification dispatcher that there is something to send (set by main.ts). */
  wakeDispatcher?: () => void;
  /** Community notices: compose, list, cancel, read receipts, residents' preference. */
  notices: NoticeService;
  /** Registrations waiting for the window's ID-card check: list, move, dismiss (admins). */
  registrationConflicts: RegistrationConflictService;
  /** /mydata, /deleteme and the retention rule. */
  privacy: PrivacyService;
  labour: LabourService;
  jobOffers: JobOfferService;
  /** The lists the forms offer: communities, buildings, schools, hospitals (src/app/reference.ts). */
  reference: ReferenceService;
  users: UserStore;
  /** The clock the use cases run on (a test may set it); dates in messages are said relative to it. */
  now?: () => Date;
  /** The web console's sign-in (src/app/console/auth.ts): /console sends a one-time link. */
  console: ConsoleAuth;
  /** The console's search, household files and audit-log view (src/app/console/search.ts, audit-log.ts). */
  consoleLookup: ConsoleLookup;
  auditLog: AuditLogView;
  /** The console's address (CONSOLE_URL); unset when this installation has no console. */
  consoleUrl?: string;
  /**
   * Reads the service definitions again (admin command, and at start): a mistake throws a DefinitionError
   * and the catalogue stays as it was.
   */
  reloadServices(): Promise<{ services: number; versions: number }>;
  /** Learns the definition versions other instances loaded since (main.ts, every minute); how many. */
  refreshServiceVersions(): Promise<number>;
  /**
   * Reloads the reference-data file (admin command); resolves to the counts per table, or to where the file
   * is wrong (nothing changed then).
   */
  reloadReferenceData(): Promise<Result<Record<string, number>, { file: string; places: string[] }>>;
  /** Whether an error means the database cannot be reached (src/db/errors.ts; wired in src/compose.ts). */
  isStorageUnavailable(err: unknown): boolean;
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
  /** Forms put aside to be resumed (forms/drafts.ts). */
  drafts: DraftStore;
}

export type BotContext = ConversationFlavor<Context & BotFlavor>;
/** The context inside a conversation: a plain Context (plugins are not inherited). */
export type FormContext = Context;
export type BotConversation = Conversation<BotContext, FormContext>;

/** Now, by the clock the use cases run on. */
export const nowOf = (ctx: { deps: Pick<BotDeps, 'now'> }): Date => ctx.deps.now?.() ?? new Date();

export function localeName(locale: Locale, item: { nameZh: string; nameEn: string }): string {
  return locale === 'zh-CN' ? item.nameZh : item.nameEn;
}
