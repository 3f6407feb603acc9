// PostgreSQL restarted in the middle of a registration: while it is down the resident is told to try again
// in a minute (once, not at every message); when it is back the same bot — no restart — carries on with
// the form where it was. Runs its own embedded server (never the shared one), stopped and started here.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiiCipher } from '../../src/app/pii-cipher.ts';
import { createBot } from '../../src/bot/create-bot.ts';
import { createUpdateGate } from '../../src/bot/update-gate.ts';
import { compose } from '../../src/compose.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { loadReferenceData, readReferenceData } from '../../src/db/reference-data.ts';
import { createUpdateReceiptRepository } from '../../src/db/repositories/update-receipts.ts';
import { createLogger } from '../../src/logger.ts';
import {
  BOT_INFO,
  fakeTelegram,
  type Harness,
  REFERENCE_FILE,
  SimUser,
  TEST_KEY,
  TEST_TOKEN,
} from '../support/bot-harness.ts';
import { adultMan } from '../support/fixtures.ts';

const PORT = 54_000 + Math.floor(Math.random() * 900);

describe('the database restarted mid-conversation', () => {
  let dir: string;
  let server: EmbeddedPostgres;
  let db: Db;
  let u: SimUser;
  const telegram = fakeTelegram();

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bianmin-restart-'));
    await fs.chmod(dir, 0o755);
    server = await startEmbeddedPostgres({ dataDir: dir, port: PORT });
    await migrateDatabase(server.url);
    db = createDb(server.url, { poolSize: 4, connectionTimeoutMs: 1_000 });
    await loadReferenceData(db, await readReferenceData(REFERENCE_FILE));
    const cipher = createPiiCipher(TEST_KEY);
    const { deps, conversationState } = compose({
      db,
      cipher,
      logger: createLogger('silent'),
      defaultLocale: 'zh-CN',
      adminTelegramIds: [],
      referenceDataFile: REFERENCE_FILE,
    });
    const bot = createBot({
      token: TEST_TOKEN,
      deps,
      conversationState,
      cipher,
      botInfo: BOT_INFO,
      client: { fetch: telegram.fetch },
    });
    const gate = createUpdateGate({
      bot,
      deps,
      inbox: createUpdateReceiptRepository(db),
      cipher,
      unavailableReplyGapMs: 60_000,
    });
    const viaGate = { handle: (up: Update) => gate.process(up), calls: telegram.calls };
    u = new SimUser(viaGate as unknown as Harness, 3_000_001);
  }, 120_000);

  afterAll(async () => {
    await db?.$disconnect();
    await server?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('asks to try again in a minute while it is down, then goes on with the form by itself', async () => {
    await u.text('/start');
    await u.tap('📝 登记我家');
    await u.tap('旺家社区');
    await u.tap('3栋');
    expect(u.lastText()).toContain('单元');

    await server.stop();
    await u.tap('2 单元');
    await u.text('302');
    const during = u.texts().slice(-2);
    expect(during.filter((t) => t.includes('请过一分钟再发一次'))).toHaveLength(1);

    server = await startEmbeddedPostgres({ dataDir: dir, port: PORT });
    // Same bot, same pool: the unit question is asked again from the stored state.
    await u.tap('2 单元');
    expect(u.lastText()).toMatch(/房间|门牌|室/);
    await u.text('302');
    await u.text(adultMan.name);
    await u.text(adultMan.phone);
    await u.text(adultMan.idNumber);
    await u.tap('✅ 对的，提交');
    await u.tap('✅ 同意');
    expect(u.lastText()).toContain('登记好了');
    expect(await db.resident.count()).toBe(1);
  }, 120_000);
});
