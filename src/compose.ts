// The composition root: repositories → use cases → what the bot needs. main.ts, the tests and the
// benchmarks all build the program through here, so they exercise the same wiring.
import path from 'node:path';
import type { Api } from 'grammy';
import { createAdminService } from './app/admin.ts';
import { createCaseService } from './app/cases.ts';
import { createAuditLogView } from './app/console/audit-log.ts';
import { createConsoleAuth } from './app/console/auth.ts';
import { createFiguresService } from './app/console/figures.ts';
import { createNoticeComposer } from './app/console/notice-compose.ts';
import { createNoticeFollowUp } from './app/console/notice-followup.ts';
import { createConsoleLookup } from './app/console/search.ts';
import { createFilingService } from './app/filing.ts';
import { createHouseholdService, setEmploymentStatus } from './app/households.ts';
import { createInboundService } from './app/inbound.ts';
import { createJobOfferService } from './app/job-offers.ts';
import { createDeadlineWatcher } from './app/jobs/deadline-watcher.ts';
import { createNoticeSender, type SenderOptions } from './app/jobs/notice-sender.ts';
import { createNotificationDispatcher, type DispatcherOptions } from './app/jobs/notification-dispatcher.ts';
import { createLabourService } from './app/labour.ts';
import { createNoticeService } from './app/notices.ts';
import { createNotificationSource } from './app/notification-content.ts';
import type { PiiCipher } from './app/pii-cipher.ts';
import { createPrivacyService } from './app/privacy.ts';
import { createReachabilityService } from './app/reachability.ts';
import { createReferenceService } from './app/reference.ts';
import { createRegistrationConflictService } from './app/registration-conflicts.ts';
import { createTellService } from './app/resident-tell.ts';
import { createStaffAccess } from './app/staff/access.ts';
import { createStaffService } from './app/staff.ts';
import { createUrgentAlertFollowUp } from './app/urgent-alerts.ts';
import { createWalkInService } from './app/walk-in.ts';
import type { BotDeps } from './bot/context.ts';
import { createTranslator, type Translator } from './bot/i18n.ts';
import { createNoticeReporter, createNoticeTransport } from './bot/notice-transport.ts';
import { createNotificationSender } from './bot/notification-render.ts';
import type { Locale } from './config.ts';
import type { Db } from './db/client.ts';
import { isDatabaseUnavailable } from './db/errors.ts';
import {
  loadReferenceData,
  type ReferenceData,
  ReferenceDataError,
  readReferenceData,
} from './db/reference-data.ts';
import { createCaseStatsRepository } from './db/repositories/case-stats.ts';
import { createCaseRepository } from './db/repositories/cases.ts';
import { createConsoleRepository } from './db/repositories/console.ts';
import { createConsoleFiguresRepository } from './db/repositories/console-figures.ts';
import { createConsoleLookupRepository } from './db/repositories/console-lookup.ts';
import { createConversationStateRepository } from './db/repositories/conversation-state.ts';
import { createDeadlineRepository } from './db/repositories/deadlines.ts';
import { createHouseholdRepository } from './db/repositories/households.ts';
import { createJobOfferRepository } from './db/repositories/job-offers.ts';
import { createLabourRepository, createLabourScopeRepository } from './db/repositories/labour.ts';
import { createNoticeDeliveryRepository } from './db/repositories/notice-deliveries.ts';
import { createNoticeFollowUpRepository } from './db/repositories/notice-followup.ts';
import { createNoticeRepository } from './db/repositories/notices.ts';
import { createNotificationRepository } from './db/repositories/notifications.ts';
import { createPrivacyRepository } from './db/repositories/privacy.ts';
import { createReferenceRepository } from './db/repositories/reference.ts';
import { createRegistrationConflictRepository } from './db/repositories/registration-conflicts.ts';
import { createRoutingRepository } from './db/repositories/routing.ts';
import { createServiceDefinitionRepository } from './db/repositories/service-definitions.ts';
import { createStaffRepository } from './db/repositories/staff.ts';
import { createStaffCaseRepository } from './db/repositories/staff-cases.ts';
import { createTelegramUserRepository } from './db/repositories/telegram-users.ts';
import { createWalkInRepository } from './db/repositories/walk-in.ts';
import {
  createCatalogue,
  DEFAULT_SERVICES_DIR,
  loadServiceDir,
  parseServiceFile,
  type ServiceDefinition,
} from './domain/catalogue/index.ts';
import { fail, ok } from './domain/result.ts';
import type { Logger } from './logger.ts';

export interface ComposeOptions {
  /** The services catalogue (tests add services of their own); else read from `servicesDir`. */
  services?: readonly ServiceDefinition[];
  /** SERVICES_DIR: the service definition files (default reference/services). */
  servicesDir?: string;
  db: Db;
  cipher: PiiCipher;
  logger: Logger;
  defaultLocale: Locale;
  adminTelegramIds: readonly number[];
  referenceDataFile: string;
  translator?: Translator;
  now?: () => Date;
  /** CONSOLE_URL: the web console's address, for the sign-in links /console sends. */
  consoleUrl?: string;
}

export function compose(opts: ComposeOptions) {
  const { db, cipher, logger } = opts;
  const now = opts.now ?? (() => new Date());
  const reference = createReferenceRepository(db);
  const routing = createRoutingRepository(db);
  const householdStore = createHouseholdRepository(db);
  const translator = opts.translator ?? createTranslator();
  const servicesDir = opts.servicesDir ?? DEFAULT_SERVICES_DIR;
  // A mistake in a definition (or a missing text in either language) throws a DefinitionError here: the
  // program refuses to start rather than show a blank button.
  const catalogue = createCatalogue(opts.services ?? loadServiceDir(servicesDir));
  translator.addServiceTexts(catalogue.all());
  const definitions = createServiceDefinitionRepository(db);

  /**
   * Reads the services folder again (a mistake throws a DefinitionError and changes nothing), keeps the
   * versions in the database, and puts the new catalogue in place with every earlier version it knows of:
   * cases filed under them are read with their own definition and texts.
   */
  let currentServices: readonly ServiceDefinition[] = catalogue.all();
  /** Versions kept in the database, read once each (null: one the vocabulary no longer reads). */
  const parsedVersions = new Map<string, ServiceDefinition | null>();
  async function earlierVersions(current: readonly ServiceDefinition[]): Promise<ServiceDefinition[]> {
    const currentHashes = new Set(current.map((s) => `${s.code}:${s.hash}`));
    const earlier: ServiceDefinition[] = [];
    for (const row of await definitions.all()) {
      const key = `${row.code}:${row.hash}`;
      if (currentHashes.has(key)) continue;
      if (!parsedVersions.has(key)) {
        try {
          const def = parseServiceFile(
            `service_definition ${row.code} v${row.version}`,
            JSON.stringify(row.definition),
          );
          parsedVersions.set(key, { ...def, hash: row.hash, retired: true });
        } catch (err) {
          // A version the vocabulary no longer reads: its cases show their stored labels.
          logger.warn(
            { code: row.code, version: row.version, err },
            'an earlier service definition is not read',
          );
          parsedVersions.set(key, null);
        }
      }
      const def = parsedVersions.get(key);
      if (def) earlier.push(def);
    }
    return earlier;
  }
  async function loadServices(): Promise<{ services: number; versions: number }> {
    const current = opts.services ?? loadServiceDir(servicesDir);
    await definitions.record(
      current.map((s) => ({ code: s.code, hash: s.hash, version: s.version, definition: s.source })),
    );
    const earlier = await earlierVersions(current);
    currentServices = current;
    catalogue.replace(current, earlier);
    translator.addServiceTexts(catalogue.all());
    return { services: catalogue.list().length, versions: earlier.length + current.length };
  }
  /**
   * Versions another instance loaded since (it was given a newer file, or /reload): known here too, so
   * their cases are shown with their own definition everywhere. The services offered do not change.
   */
  async function refreshServiceVersions(): Promise<number> {
    const earlier = await earlierVersions(currentServices);
    const added = earlier.length + currentServices.length - catalogue.all().length;
    if (added <= 0) return 0;
    catalogue.replace(currentServices, earlier);
    translator.addServiceTexts(catalogue.all());
    return added;
  }
  const households = createHouseholdService({ store: householdStore, reference, cipher, now });
  const cases = createCaseService({
    catalogue,
    households: householdStore,
    routing,
    cases: createCaseRepository(db),
    cipher,
    now,
    employment: {
      setEmploymentStatus: (person, status, by) => setEmploymentStatus(householdStore, person, status, by),
    },
  });
  const staffRepo = createStaffRepository(db);
  const consoleLookupStore = createConsoleLookupRepository(db);
  const notifications = createNotificationRepository(db);
  const admin = createAdminService({
    adminTelegramIds: opts.adminTelegramIds,
    staff: staffRepo,
    stats: createCaseStatsRepository(db),
    cipher,
    now,
  });
  const privacy = createPrivacyService({ store: createPrivacyRepository(db), cipher, catalogue, now });
  const labour = createLabourService({
    store: createLabourRepository(db),
    scope: createLabourScopeRepository(db),
    cipher,
    adminTelegramIds: opts.adminTelegramIds,
    now,
  });
  const deps: BotDeps = {
    households,
    cases,
    inbound: createInboundService({
      households: householdStore,
      routing,
      cases: createCaseRepository(db),
      cipher,
      now,
    }),
    catalogue,
    staff: createStaffService({
      staff: staffRepo,
      staffCases: createStaffCaseRepository(db),
      cases: createCaseRepository(db),
      households: householdStore,
      onDutyStaff: (departmentCode) => routing.onDutyStaff(departmentCode),
      catalogue,
      facilities: routing,
      cipher,
      now,
    }),
    admin,
    registrationConflicts: createRegistrationConflictService({
      conflicts: createRegistrationConflictRepository(db),
      households: householdStore,
      checkAdmin: (telegramId, attempted) => admin.checkAdmin(telegramId, attempted),
      eraseRegistration: (telegramId) => privacy.eraseMine(telegramId),
      eraseWindowRegistration: (residentId) => privacy.eraseWithoutTelegram(residentId),
      cipher,
    }),
    reachability: createReachabilityService({ store: notifications, now }),
    notices: createNoticeService({
      store: createNoticeRepository(db),
      catalogue,
      adminTelegramIds: opts.adminTelegramIds,
      now,
    }),
    privacy,
    jobOffers: createJobOfferService({
      store: createJobOfferRepository(db),
      access: createStaffAccess({ staff: staffRepo, cases: createCaseRepository(db), now }),
      cipher,
      now,
      catalogue,
    }),
    labour,
    reference: createReferenceService({
      reference,
      facilities: routing,
      contacts: {
        communityOf: async (telegramId) =>
          (await householdStore.findByTelegramId(telegramId))?.community ?? null,
        department: routing.department,
        calendarExceptions: routing.calendarExceptions,
        windows: routing.windows,
      },
      now,
    }),
    now,
    users: createTelegramUserRepository(db),
    console: createConsoleAuth({
      store: createConsoleRepository(db),
      staff: staffRepo,
      adminTelegramIds: opts.adminTelegramIds,
      cipher,
      now,
      labour,
    }),
    consoleLookup: createConsoleLookup({
      store: consoleLookupStore,
      staff: staffRepo,
      adminTelegramIds: opts.adminTelegramIds,
      cipher,
      now,
      redLine: labour,
    }),
    auditLog: createAuditLogView({
      store: consoleLookupStore,
      staff: staffRepo,
      adminTelegramIds: opts.adminTelegramIds,
      now,
    }),
    consoleUrl: opts.consoleUrl,
    reloadServices: loadServices,
    refreshServiceVersions,
    reloadReferenceData: async () => {
      let data: ReferenceData;
      try {
        data = await readReferenceData(opts.referenceDataFile);
      } catch (err) {
        if (!(err instanceof ReferenceDataError)) throw err;
        logger.warn({ err }, 'reference data reload refused');
        return fail({ file: path.basename(err.file), places: [...err.places] });
      }
      const counts = await loadReferenceData(db, data);
      reference.invalidate();
      return ok({ ...counts });
    },
    isStorageUnavailable: isDatabaseUnavailable,
    translator,
    logger,
    defaultLocale: opts.defaultLocale,
    adminTelegramIds: opts.adminTelegramIds,
  };
  return {
    deps,
    conversationState: createConversationStateRepository(db),
    /** Active staff members' chats and languages, for their command menus. */
    staffChats: () => staffRepo.activeStaffChats(),
  };
}

export interface CaseWorkerOptions {
  db: Db;
  cipher: PiiCipher;
  /** An Api of the dispatcher's own: no retrying transformer (it decides about every retry itself). */
  api: Api;
  deps: Pick<BotDeps, 'translator' | 'logger' | 'defaultLocale'>;
  now?: () => Date;
  /** Batch size, lease, polling, pace (tests shorten them). */
  dispatcher?: Partial<
    Pick<
      DispatcherOptions,
      'batchSize' | 'leaseMs' | 'requestTimeoutMs' | 'maxAttempts' | 'pollMs' | 'minIntervalMs'
    >
  >;
  watcherIntervalMs?: number;
}

/** The case workers: the notification dispatcher (the outbox) and the deadline watcher. */
export function composeCaseWorkers(opts: CaseWorkerOptions) {
  const { db, deps } = opts;
  const store = createNotificationRepository(db);
  const dispatcher = createNotificationDispatcher({
    store,
    source: createNotificationSource({ store, cipher: opts.cipher }),
    send: createNotificationSender(opts.api, deps.translator, deps.defaultLocale),
    logger: deps.logger.child({ worker: 'notifications' }),
    now: opts.now,
    afterRecorded: createUrgentAlertFollowUp(store),
    ...opts.dispatcher,
  });
  const routing = createRoutingRepository(db);
  const watcher = createDeadlineWatcher({
    repo: createDeadlineRepository(db),
    calendar: () => routing.calendarExceptions(),
    logger: deps.logger.child({ worker: 'deadlines' }),
    now: opts.now,
    intervalMs: opts.watcherIntervalMs,
    onQueued: () => dispatcher.wake(),
  });
  return { dispatcher, watcher };
}

export interface SenderComposeOptions {
  db: Db;
  /** An Api of the sender's own (no retrying transformer: the sender decides about retries). */
  api: Api;
  logger: Logger;
  defaultLocale: Locale;
  /** ADMIN_TELEGRAM_IDS: a notice's author must still be one, or an active worker of its community. */
  adminTelegramIds: readonly number[];
  /** Messages a second, all instances together (NOTICE_RATE). */
  rate: number;
  translator?: Translator;
  now?: () => Date;
  /** Leases, batch size, polling (tests and benchmarks shorten them). */
  tuning?: Omit<
    SenderOptions,
    'store' | 'transport' | 'reporter' | 'logger' | 'rate' | 'now' | 'adminTelegramIds'
  >;
}

/** The community notices' sender worker (main.ts starts one per instance; tests and benchmarks too). */
export function composeNoticeSender(opts: SenderComposeOptions) {
  const translator = opts.translator ?? createTranslator();
  const now = opts.now ?? (() => new Date());
  return createNoticeSender({
    store: createNoticeDeliveryRepository(opts.db, { defaultLocale: opts.defaultLocale }),
    transport: createNoticeTransport(opts.api, translator),
    reporter: createNoticeReporter(opts.api, translator, now),
    logger: opts.logger.child({ worker: 'notice-sender' }),
    adminTelegramIds: opts.adminTelegramIds,
    rate: opts.rate,
    now,
    ...opts.tuning,
  });
}

/** The console's figures, export and notice follow-up, over the same database and notice rights as the bot. */
export function composeConsoleDesk(opts: {
  db: Db;
  cipher: PiiCipher;
  deps: Pick<
    BotDeps,
    'notices' | 'adminTelegramIds' | 'now' | 'cases' | 'catalogue' | 'reference' | 'privacy'
  >;
}) {
  const now = opts.deps.now ?? (() => new Date());
  const walkInStore = createWalkInRepository(opts.db);
  const staff = createStaffRepository(opts.db);
  const adminTelegramIds = opts.deps.adminTelegramIds;
  return {
    filing: createFilingService({
      catalogue: opts.deps.catalogue,
      cases: opts.deps.cases,
      caseStore: createCaseRepository(opts.db),
      households: createHouseholdRepository(opts.db),
      lookup: createConsoleLookupRepository(opts.db),
      staff,
      reference: opts.deps.reference,
      cipher: opts.cipher,
      now,
    }),
    walkIn: createWalkInService({
      store: walkInStore,
      households: createHouseholdRepository(opts.db),
      reference: createReferenceRepository(opts.db),
      staff,
      adminTelegramIds,
      cipher: opts.cipher,
      privacy: opts.deps.privacy,
      now,
    }),
    tells: createTellService({ store: walkInStore, staff, adminTelegramIds, cipher: opts.cipher, now }),
    figures: createFiguresService({
      store: createConsoleFiguresRepository(opts.db),
      cipher: opts.cipher,
      now,
    }),
    noticeFollowUp: createNoticeFollowUp({
      store: createNoticeFollowUpRepository(opts.db),
      communitiesFor: (telegramId) => opts.deps.notices.communitiesFor(telegramId),
      adminTelegramIds: opts.deps.adminTelegramIds,
      now,
    }),
    noticeComposer: createNoticeComposer({
      notices: opts.deps.notices,
      store: createNoticeFollowUpRepository(opts.db),
      now,
    }),
  };
}
