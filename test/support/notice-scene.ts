// A scene for the notice sender: a fresh migrated database with the reference data and N registered
// residents, a notice created through the use case, and senders built like main.ts builds them (optionally
// with a wrapped store or transport, to count or to freeze one as a killed process would be).
import { Api } from 'grammy';
import {
  createNoticeSender,
  type NoticeSender,
  type NoticeTransport,
  type SenderOptions,
  type SenderStore,
} from '../../src/app/jobs/notice-sender.ts';
import { createNoticeService, type NoticeService } from '../../src/app/notices.ts';
import { createTranslator } from '../../src/bot/i18n.ts';
import { createNoticeReporter, createNoticeTransport } from '../../src/bot/notice-transport.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { loadReferenceData, readReferenceData } from '../../src/db/reference-data.ts';
import { createNoticeDeliveryRepository } from '../../src/db/repositories/notice-deliveries.ts';
import { createNoticeRepository } from '../../src/db/repositories/notices.ts';
import { createCatalogue, DEFAULT_SERVICES } from '../../src/domain/catalogue/index.ts';
import { type DeliveryCounts, emptyCounts, type NoticeDraft } from '../../src/domain/notice.ts';
import { createLogger } from '../../src/logger.ts';
import { REFERENCE_FILE } from './bot-harness.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { buildingsOf, type SeedResident, seedResidents } from './seed-residents.ts';

export const WANGJIA = 'wanshan-wangjia';
export const ADMIN = 9_000_001;
export const SENDER_TOKEN = '123456789:AAsender-token-for-the-fake-bot-api-tests';

export interface Scene {
  db: Db;
  database: TestDatabase;
  service: NoticeService;
  buildings: { id: string; code: string }[];
  close(): Promise<void>;
}

export async function createScene(opts: { now?: () => Date } = {}): Promise<Scene> {
  const database = await createTestDatabase();
  const db = createDb(database.url, { poolSize: 8 });
  await loadReferenceData(db, await readReferenceData(REFERENCE_FILE));
  const service = createNoticeService({
    store: createNoticeRepository(db),
    catalogue: createCatalogue(DEFAULT_SERVICES),
    adminTelegramIds: [ADMIN],
    now: opts.now ?? (() => new Date()),
  });
  return {
    db,
    database,
    service,
    buildings: await buildingsOf(db, WANGJIA),
    async close() {
      await db.$disconnect();
      await database.drop();
    },
  };
}

/** `count` residents of Wangjia, telegram ids from `firstId`, spread over its buildings. */
export function residents(
  scene: Scene,
  count: number,
  firstId: number,
  each: (i: number) => Partial<SeedResident> = () => ({}),
): SeedResident[] {
  return Array.from({ length: count }, (_, i) => ({
    telegramId: firstId + i,
    buildingId: (scene.buildings[i % scene.buildings.length] as { id: string }).id,
    ...each(i),
  }));
}

export async function seed(scene: Scene, people: SeedResident[]): Promise<void> {
  await seedResidents(scene.db, WANGJIA, people);
}

export function draft(patch: Partial<NoticeDraft> = {}): NoticeDraft {
  return {
    communityCode: WANGJIA,
    textZh: '明天上午 9 点到 11 点停水，请提前接好水。',
    textEn: null,
    photoFileId: null,
    audience: { kind: 'community' },
    important: false,
    scheduledAt: null,
    ...patch,
  };
}

let keys = 0;
/** Creates a notice as the admin; resolves to its id. */
export async function createNotice(scene: Scene, patch: Partial<NoticeDraft> = {}): Promise<string> {
  const r = await scene.service.create(
    { telegramId: ADMIN, chatId: ADMIN, locale: 'zh-CN' },
    draft(patch),
    `test:${process.pid}:${keys++}`,
  );
  if (!r.ok) throw new Error(`create failed: ${r.error}`);
  return r.value.id;
}

export const FAST: Partial<SenderOptions> = {
  idleMs: 20,
  maintenanceMs: 100,
  progressEveryMs: 300,
  claimLeaseMs: 1500,
  sendLeaseMs: 1500,
  retryDelay: (attempt) => 60 * attempt,
};

export interface SenderParts {
  store: SenderStore;
  transport: NoticeTransport;
}

/** A sender as main.ts builds one, against `apiRoot`; `wrap` may replace its store or transport. */
export function makeSender(
  db: Db,
  apiRoot: string,
  opts: Partial<SenderOptions> & { wrap?: (parts: SenderParts) => SenderParts; timeoutSeconds?: number } = {},
): NoticeSender {
  const api = new Api(SENDER_TOKEN, { apiRoot, timeoutSeconds: opts.timeoutSeconds ?? 5 });
  const translator = createTranslator();
  const parts: SenderParts = {
    store: createNoticeDeliveryRepository(db, { defaultLocale: 'zh-CN' }),
    transport: createNoticeTransport(api, translator),
  };
  const { store, transport } = opts.wrap ? opts.wrap(parts) : parts;
  return createNoticeSender({
    logger: createLogger(process.env.LOG_LEVEL ?? 'silent'),
    adminTelegramIds: [ADMIN],
    reporter: createNoticeReporter(api, translator),
    rate: 25,
    ...FAST,
    ...opts,
    store,
    transport,
  });
}

/** A store that stops answering once `frozen()` is true: what a killed process leaves behind. */
export function freezable(store: SenderStore, frozen: () => boolean): SenderStore {
  return new Proxy(store, {
    get(target, key: keyof SenderStore) {
      const real = target[key] as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => (frozen() ? new Promise(() => undefined) : real.apply(target, args));
    },
  });
}

export async function countsOf(db: Db, noticeId: string): Promise<DeliveryCounts> {
  const rows = await db.noticeDelivery.groupBy({
    by: ['status'],
    where: { noticeId },
    _count: { _all: true },
  });
  const counts = emptyCounts();
  for (const r of rows) counts[r.status] = r._count._all;
  return counts;
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 40_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once the notice is done and its final report has been sent (or given up). */
export function finished(db: Db, noticeId: string, timeoutMs?: number) {
  return waitFor(
    `notice ${noticeId} to finish`,
    () =>
      db.notice.findFirst({
        where: { id: noticeId, status: 'done', reportMessageId: { not: null } },
        select: { recipientCount: true, readCount: true, reportMessageId: true },
      }),
    timeoutMs,
  );
}
