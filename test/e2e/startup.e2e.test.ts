// Starting the real bot process the way a newcomer does: without a token it stops at once with plain
// words; with one and no DATABASE_URL it runs its own PostgreSQL under the data folder, answers, survives a
// kill -9 (the orphaned server and stale postmaster.pid are recovered on the next start), keeps its data
// and its key, and stops cleanly on SIGTERM.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess, type Emulator, hasButton, SimulatedUser, startEmulator } from './support.ts';

const TOKEN = '123456789:AAe2e-token-for-the-startup-test-bot';

let emulator: Emulator;
let dataRoot: string;
const processes: BotProcess[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
  dataRoot = await mkdtemp(path.join(os.tmpdir(), 'bianmin-startup-'));
  await chmod(dataRoot, 0o755); // as root, the OS user postgres must be able to reach the data folder
}, 30_000);

afterEach(({ task }) => {
  if (task.result?.state === 'fail') for (const p of processes) console.error(p.output());
});

afterAll(async () => {
  for (const p of processes) {
    if (p.running) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }
  await emulator?.stop();
  await rm(dataRoot, { recursive: true, force: true });
});

function start(env: Record<string, string>): BotProcess {
  const p = new BotProcess(env);
  processes.push(p);
  return p;
}

describe('starting the bot', () => {
  it('without BOT_TOKEN stops at once and says what is missing and how to get it, without a stack trace', async () => {
    const p = start({ DATA_DIR: path.join(dataRoot, 'unused') });
    expect(await p.exited).toEqual({ code: 78, signal: null });
    expect(p.stderr).toContain('BOT_TOKEN is missing');
    expect(p.stderr).toContain('@BotFather');
    expect(p.stderr).not.toMatch(/^\s+at /m);
  });

  it('with a token and no DATABASE_URL: embedded database, answers, recovers from kill -9, keeps its data', async () => {
    const dataDir = path.join(dataRoot, '.data');
    const env = {
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    };
    const first = start(env);
    await first.waitForLog('long polling started', 60_000);
    expect(first.logs().some((l) => l.msg.includes('generated a new key'))).toBe(true);
    const key = await readFile(path.join(dataDir, 'pii.key'), 'utf8');
    const u = new SimulatedUser(emulator, TOKEN, 515151);
    await u.command('/start', hasButton('📝 登记我家'));

    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const second = start(env);
    await second.waitForLog('long polling started', 60_000);
    // The same key (no new one generated), the same database (the resident's chosen language is still there).
    expect(second.logs().some((l) => l.msg.includes('generated a new key'))).toBe(false);
    expect(await readFile(path.join(dataDir, 'pii.key'), 'utf8')).toBe(key);
    await u.command('/language', hasButton('English'));
    await u.tap('English', 'English');

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    const third = start(env);
    await third.waitForLog('long polling started', 60_000);
    await u.command('/help', '/household see and change');
    third.child.kill('SIGTERM');
    expect(await third.exited).toEqual({ code: 0, signal: null });
    // The embedded server was stopped with the bot (PostgreSQL removes its pid file on a clean stop).
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 90_000); // three starts of the bot with its embedded PostgreSQL
});
