// Start: read the configuration, open the database (embedded when DATABASE_URL is unset), apply the
// migrations, load the reference data, start the bot (long polling or webhook), shut down cleanly.
import { mkdir, writeFile } from 'node:fs/promises';
import { Api, type Bot, GrammyError, HttpError } from 'grammy';
import { createNoticePhotos } from './app/console/notice-photo.ts';
import { createHousekeeping } from './app/jobs/housekeeping.ts';
import { createPiiCipher, generateMasterKey, type PiiKey } from './app/pii-cipher.ts';
import { checkPiiKeys, PiiKeyMismatchError, sealRatingComments } from './app/pii-key-check.ts';
import { setCommandMenus } from './bot/commands.ts';
import type { BotContext } from './bot/context.ts';
import { createBot } from './bot/create-bot.ts';
import { resolveLocale } from './bot/i18n.ts';
import { ALLOWED_UPDATES, startPolling } from './bot/polling.ts';
import { telegramClient } from './bot/telegram-client.ts';
import { telegramFileSource } from './bot/telegram-file-source.ts';
import { telegramPhotoUploader } from './bot/telegram-photo-upload.ts';
import { createUpdateGate } from './bot/update-gate.ts';
import { compose, composeCaseWorkers, composeConsoleDesk, composeNoticeSender } from './compose.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createDb, poolStats } from './db/client.ts';
import { migrateDatabase, pendingMigrations } from './db/migrate.ts';
import { openDatabase } from './db/open.ts';
import { loadReferenceData, readReferenceData } from './db/reference-data.ts';
import { createNotificationRepository } from './db/repositories/notifications.ts';
import { createOpsStatsRepository } from './db/repositories/ops-stats.ts';
import { createPiiKeyCheckRepository } from './db/repositories/pii-key-check.ts';
import { createUpdateReceiptRepository } from './db/repositories/update-receipts.ts';
import { DefinitionError } from './domain/catalogue/index.ts';
import { createConsoleApp } from './http/console/app.tsx';
import { startConsoleServer } from './http/console/server.ts';
import { readinessCheck, startHttpServer } from './http/server.ts';
import { keyFile, readKeyring } from './keyring.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, observeDatabase } from './metrics.ts';

const SHUTDOWN_DEADLINE_MS = 10_000;
/** How often an instance looks for definition versions other instances loaded. */
const SERVICE_VERSIONS_MS = 60_000;

/** A problem the operator can fix: printed as plain words, without a stack trace. */
class StartupError extends Error {}

async function piiKeysFor(config: Config, logger: Logger): Promise<PiiKey[]> {
  const ring = await readKeyring(config);
  if (ring) return ring;
  // Embedded mode only (config refuses DATABASE_URL without PII_KEY): keep a generated key beside the data.
  const file = keyFile(config.dataDir);
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, `${generateMasterKey()}\n`, { mode: 0o600, flag: 'wx' });
  logger.warn(
    { file },
    'generated a new key for personal data; back it up with the data folder — without it the ID numbers cannot be read. In production set PII_KEY instead.',
  );
  const made = await readKeyring(config);
  if (!made) throw new StartupError(`could not read the key just written to ${file}`);
  return made;
}

const IDENTITY_ATTEMPTS = 5;

/**
 * getMe, with a few spaced attempts: Telegram (or the county's proxy) may be unreachable for a moment at
 * boot. grammY's own bot.init() retries network errors for ever, which leaves a newcomer staring at nothing.
 */
async function confirmBotIdentity(
  bot: Bot<BotContext>,
  logger: Logger,
  apiRoot: string | undefined,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      bot.botInfo = await bot.api.getMe();
      return;
    } catch (err) {
      if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)) {
        throw new StartupError(
          'Telegram refused BOT_TOKEN. Copy the token again from @BotFather and set BOT_TOKEN.',
        );
      }
      if (!(err instanceof HttpError) && !(err instanceof GrammyError && err.error_code >= 500)) throw err;
      if (attempt >= IDENTITY_ATTEMPTS) {
        throw new StartupError(
          `Telegram cannot be reached (${err.message}). Check the network${apiRoot ? ' and TELEGRAM_API_ROOT' : ''}.`,
        );
      }
      const waitMs = Math.min(2 ** attempt, 10) * 1000;
      logger.warn({ attempt, waitMs, err: err.message }, 'Telegram is not reachable yet; trying again');
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Bianmin cannot start.\n${err.message}\nSee README.md, "Configuration".`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const cleanups: (() => Promise<unknown>)[] = [];

  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  cleanups.unshift(() => database.close());
  const databaseUrl = database.url;

  const shutdown = async (signal: string, code = 0) => {
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    force.unref();
    for (const cleanup of cleanups) {
      await cleanup().catch((err: unknown) => logger.warn({ err }, 'cleanup step failed'));
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const started = Date.now();
    await migrateDatabase(databaseUrl);
    logger.info({ ms: Date.now() - started }, 'database migrations applied');

    const db = createDb(databaseUrl);
    cleanups.unshift(() => db.$disconnect());
    const loaded = await loadReferenceData(db, await readReferenceData(config.referenceDataFile));
    logger.info(loaded, 'reference data loaded');

    const cipher = createPiiCipher(await piiKeysFor(config, logger));
    // The keys must be the ones the data was encrypted with: refused here, not at every read later.
    const keyChecks = createPiiKeyCheckRepository(db);
    try {
      const { added } = await checkPiiKeys(keyChecks, cipher);
      if (added.length > 0) logger.info({ keyIds: added }, 'personal-data key check recorded');
    } catch (err) {
      if (err instanceof PiiKeyMismatchError) throw new StartupError(err.message);
      throw err;
    }
    const sealed = await sealRatingComments(keyChecks, cipher);
    if (sealed > 0) logger.info({ sealed }, 'rating comments encrypted');
    const { deps, conversationState, staffChats } = compose({
      db,
      cipher,
      logger,
      defaultLocale: config.defaultLocale,
      adminTelegramIds: config.adminTelegramIds,
      referenceDataFile: config.referenceDataFile,
      servicesDir: config.servicesDir,
      consoleUrl: config.console?.url,
    });
    // The service definitions: their versions kept, and the earlier ones read back (src/compose.ts).
    const services = await deps.reloadServices();
    logger.info(services, 'service definitions loaded');
    // Residents registered before phones were hashed: the console's search by phone finds them too.
    const phoneHashes = await deps.consoleLookup.fillPhoneHashes();
    if (phoneHashes > 0) logger.info({ phoneHashes }, 'phone hashes filled');
    const metrics = createMetrics();
    const bot = createBot({
      token: config.botToken,
      deps,
      conversationState,
      cipher,
      metrics,
      client: telegramClient({ apiRoot: config.telegramApiRoot, metrics }),
    });

    await confirmBotIdentity(bot, logger, config.telegramApiRoot);
    logger.info({ username: bot.botInfo.username }, 'bot identity confirmed');
    void staffChats()
      .then((chats) =>
        setCommandMenus(
          bot.api,
          deps,
          chats.map((c) => ({
            chatId: Number(c.telegramId),
            locale: resolveLocale(c.locale, deps.defaultLocale),
            labour: c.labour,
          })),
        ),
      )
      .catch((err: unknown) => logger.warn({ err }, 'could not set the command menus'));

    const receipts = createUpdateReceiptRepository(db);
    const gate = createUpdateGate({
      bot,
      deps,
      inbox: receipts,
      cipher,
      metrics,
      leaseMs: config.updateLeaseSeconds * 1000,
      // Chats a dead instance held are taken over within a second of their lease running out.
      sweepMs: 1_000,
    });

    // Nightly: the retention rule for closed cases, old update receipts, abandoned forms, stale conflicts.
    const housekeeping = createHousekeeping({
      applyRetention: (days) => deps.privacy.applyRetention(days),
      receipts,
      forms: conversationState,
      drafts: conversationState.drafts,
      expireConflicts: (cutoff) => deps.registrationConflicts.expire(cutoff),
      caselessNotifications: createNotificationRepository(db),
      retentionDays: config.caseRetentionDays,
      logger,
    });
    housekeeping.start();
    cleanups.unshift(() => housekeeping.stop());
    // Definition versions another instance loaded (a newer file, a /reload there): learnt within a minute,
    // so every instance shows every case with the definition it was filed under.
    const versionsTimer = setInterval(() => {
      deps
        .refreshServiceVersions()
        .then((added) => {
          if (added > 0) logger.info({ added }, 'service definition versions learnt from other instances');
        })
        .catch((err: unknown) => logger.warn({ err }, 'service definition versions could not be read'));
    }, SERVICE_VERSIONS_MS);
    versionsTimer.unref();
    cleanups.unshift(async () => clearInterval(versionsTimer));

    const ops = createOpsStatsRepository(db);
    observeDatabase(metrics, {
      pool: () => poolStats(db),
      notificationBacklog: () => ops.notificationBacklog(),
    });
    // The public port: the webhook and /healthz. /readyz and /metrics only when asked for (METRICS_PORT): on a
    // listener of their own (METRICS_HOST, 127.0.0.1 by default), or on the public port if it is the same.
    const port = config.webhook?.port ?? config.httpPort;
    const opsRoutes = {
      registry: metrics.registry,
      ready: readinessCheck({
        ping: () => ops.ping(),
        pendingMigrations: () => pendingMigrations(databaseUrl),
      }),
    };
    const opsOnPublicPort = config.metrics !== undefined && config.metrics.port === port;
    const http =
      port === undefined
        ? undefined
        : await startHttpServer({
            port,
            logger,
            ops: opsOnPublicPort ? opsRoutes : undefined,
            webhook: config.webhook && {
              path: new URL(config.webhook.url).pathname,
              secret: config.webhook.secret,
              process: (update) => gate.process(update),
            },
          });
    if (http) {
      cleanups.unshift(() => http.close());
      logger.info(
        { port },
        opsOnPublicPort
          ? 'HTTP server started (/healthz, /readyz, /metrics)'
          : 'HTTP server started (/healthz)',
      );
    }
    const opsHttp =
      config.metrics === undefined || opsOnPublicPort
        ? undefined
        : await startHttpServer({
            port: config.metrics.port,
            host: config.metrics.host,
            logger,
            ops: opsRoutes,
          });
    if (opsHttp && config.metrics) {
      cleanups.unshift(() => opsHttp.close());
      logger.info(
        { port: config.metrics.port, host: config.metrics.host },
        'metrics server started (/healthz, /readyz, /metrics)',
      );
    }
    // The case workers: the notification outbox and the deadline watcher. Any number of instances may run
    // them at once. The dispatcher has an Api of its own, without retries: it decides about each retry itself.
    const caseWorkers = composeCaseWorkers({
      db,
      cipher,
      deps,
      api: new Api(config.botToken, { apiRoot: config.telegramApiRoot, timeoutSeconds: 20 }),
    });
    deps.wakeDispatcher = () => caseWorkers.dispatcher.wake();
    caseWorkers.dispatcher.start();
    caseWorkers.watcher.start();
    cleanups.unshift(async () => {
      await caseWorkers.watcher.stop();
      await caseWorkers.dispatcher.stop();
    });
    // Community notices: the sender, with an Api of its own (no retries below it: it decides about each
    // retry itself, and a 429 pauses every instance). Any number of instances share the work and the rate.
    const noticeSender = composeNoticeSender({
      db,
      api: new Api(config.botToken, { apiRoot: config.telegramApiRoot, timeoutSeconds: 20 }),
      logger,
      defaultLocale: config.defaultLocale,
      adminTelegramIds: config.adminTelegramIds,
      rate: config.noticeRate,
      translator: deps.translator,
    });
    noticeSender.start();
    // Stops at a safe point: no new claims, the requests in flight answered and recorded, the rest given back.
    cleanups.unshift(() => noticeSender.stop());
    // The staff's web console, on a listener of its own (CONSOLE_PORT), over the same use cases as the bot.
    if (config.console) {
      const files = telegramFileSource({ token: config.botToken, apiRoot: config.telegramApiRoot });
      const consoleServer = await startConsoleServer({
        app: createConsoleApp({
          auth: deps.console,
          staff: deps.staff,
          lookup: deps.consoleLookup,
          auditLog: deps.auditLog,
          labour: deps.labour,
          catalogue: deps.catalogue,
          communities: () => deps.reference.listCommunities(),
          translator: deps.translator,
          defaultLocale: config.defaultLocale,
          secure: config.console.secure,
          publicOrigin: new URL(config.console.url).origin,
          wakeDispatcher: () => caseWorkers.dispatcher.wake(),
          files,
          // A notice's picture: sent once to the author's chat through the bot's own client, for its file id.
          noticePhotos: createNoticePhotos({
            uploader: telegramPhotoUploader(bot.api, deps.translator),
            files,
            cipher,
          }),
          ...composeConsoleDesk({ db, cipher, deps }),
          logger: logger.child({ http: 'console' }),
        }),
        port: config.console.port,
        host: config.console.host,
        logger,
      });
      // Closed first: no new actions while the workers that send their messages stop.
      cleanups.unshift(() => consoleServer.close());
      logger.info(
        { port: consoleServer.port, host: config.console.host, url: config.console.url },
        'console started',
      );
    }
    // Shutdown, in this order: stop taking updates, finish the ones in hand, then the rest above.
    cleanups.unshift(() => gate.close());

    if (config.mode === 'polling' || !config.webhook) {
      await bot.api
        .deleteWebhook()
        .catch((err: unknown) => logger.warn({ err: String(err) }, 'deleteWebhook failed'));
      const poller = await startPolling({ bot, gate, logger });
      cleanups.unshift(async () => {
        if (poller.isRunning()) await poller.stop();
      });
      logger.info('long polling started');
    } else {
      const hook = config.webhook;
      cleanups.unshift(async () => {
        http?.drain();
        opsHttp?.drain();
      });
      if (hook.setOnStart) {
        await bot.api.setWebhook(hook.url, {
          secret_token: hook.secret,
          allowed_updates: [...ALLOWED_UPDATES],
        });
      }
      await gate.recover();
      logger.info({ port: hook.port }, 'webhook mode: taking updates');
    }
  } catch (err) {
    if (err instanceof StartupError || err instanceof DefinitionError) {
      console.error(`Bianmin cannot start: ${err.message}`);
    } else {
      logger.fatal({ err }, 'start-up failed');
    }
    await shutdown('startup-failure', 1);
  }
}

await main();
