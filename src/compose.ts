// The composition root: repositories → use cases → what the bot needs. main.ts, the tests and the
// benchmarks all build the program through here, so they exercise the same wiring.
import { createHouseholdService } from './app/households.ts';
import type { PiiCipher } from './app/pii-cipher.ts';
import type { BotDeps } from './bot/context.ts';
import { createTranslator, type Translator } from './bot/i18n.ts';
import type { Locale } from './config.ts';
import type { Db } from './db/client.ts';
import { loadReferenceData, readReferenceData } from './db/reference-data.ts';
import { createConversationStateRepository } from './db/repositories/conversation-state.ts';
import { createHouseholdRepository } from './db/repositories/households.ts';
import { createReferenceRepository } from './db/repositories/reference.ts';
import { createTelegramUserRepository } from './db/repositories/telegram-users.ts';
import type { Logger } from './logger.ts';

export interface ComposeOptions {
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
  const reference = createReferenceRepository(db);
  const households = createHouseholdService({
    store: createHouseholdRepository(db),
    reference,
    cipher,
    now: opts.now ?? (() => new Date()),
  });
  const deps: BotDeps = {
    households,
    reference,
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
