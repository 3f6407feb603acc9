// The composition root: repositories → use cases → what the bot needs. main.ts, the tests and the
// benchmarks all build the program through here, so they exercise the same wiring.
import { createCaseService } from './app/cases.ts';
import { createHouseholdService } from './app/households.ts';
import type { PiiCipher } from './app/pii-cipher.ts';
import { createPrivacyService } from './app/privacy.ts';
import type { BotDeps } from './bot/context.ts';
import { createTranslator, type Translator } from './bot/i18n.ts';
import type { Locale } from './config.ts';
import type { Db } from './db/client.ts';
import { loadReferenceData, readReferenceData } from './db/reference-data.ts';
import { createCaseRepository } from './db/repositories/cases.ts';
import { createConversationStateRepository } from './db/repositories/conversation-state.ts';
import { createHouseholdRepository } from './db/repositories/households.ts';
import { createPrivacyRepository } from './db/repositories/privacy.ts';
import { createReferenceRepository } from './db/repositories/reference.ts';
import { createRoutingRepository } from './db/repositories/routing.ts';
import { createTelegramUserRepository } from './db/repositories/telegram-users.ts';
import { createCatalogue, DEFAULT_SERVICES, type ServiceDefinition } from './domain/catalogue/index.ts';
import type { Logger } from './logger.ts';

export interface ComposeOptions {
  /** The services catalogue (tests add services of their own). */
  services?: readonly ServiceDefinition[];
  db: Db;
  cipher: PiiCipher;
  logger: Logger;
  defaultLocale: Locale;
  adminTelegramIds: readonly number[];
  referenceDataFile: string;
  translator?: Translator;
  now?: () => Date;
}

export function compose(opts: ComposeOptions) {
  const { db, cipher, logger } = opts;
  const now = opts.now ?? (() => new Date());
  const reference = createReferenceRepository(db);
  const routing = createRoutingRepository(db);
  const householdStore = createHouseholdRepository(db);
  const catalogue = createCatalogue(opts.services ?? DEFAULT_SERVICES);
  const households = createHouseholdService({ store: householdStore, reference, cipher, now });
  const cases = createCaseService({
    catalogue,
    households: householdStore,
    routing,
    cases: createCaseRepository(db),
    cipher,
    now,
  });
  const deps: BotDeps = {
    households,
    cases,
    catalogue,
    privacy: createPrivacyService({ store: createPrivacyRepository(db), cipher, catalogue, now }),
    reference: { ...reference, schools: routing.schools, hospitals: routing.hospitals },
    users: createTelegramUserRepository(db),
    reloadReferenceData: async () => ({
      ...(await loadReferenceData(db, await readReferenceData(opts.referenceDataFile))),
    }),
    translator: opts.translator ?? createTranslator(),
    logger,
    defaultLocale: opts.defaultLocale,
    adminTelegramIds: opts.adminTelegramIds,
  };
  return { deps, conversationState: createConversationStateRepository(db) };
}
