// A test file's scene for the end-to-end tests (kept apart from support.ts, which the benchmarks import
// outside vitest).
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type BotProcess, type Emulator, startEmulator } from './support.ts';

/**
 * A test file's scene: the emulator and a fresh database, started before its tests and stopped after them,
 * and the bot processes it starts (killed at the end; their output printed when a test fails).
 */
export interface EmulatorScene {
  readonly emulator: Emulator;
  readonly db: TestDatabase;
  readonly processes: BotProcess[];
}

export function useEmulatorScene(): EmulatorScene {
  let emulator: Emulator | undefined;
  let db: TestDatabase | undefined;
  const processes: BotProcess[] = [];
  beforeAll(async () => {
    [emulator, db] = await Promise.all([startEmulator(), createTestDatabase()]);
  }, 60_000);
  afterEach(({ task }) => {
    if (task.result?.state === 'fail') for (const p of processes) console.error(p.output());
  });
  afterAll(async () => {
    for (const p of processes) {
      if (p.running) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    await emulator?.stop();
    await db?.drop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the scene starts in beforeAll');
    return value;
  };
  return {
    get emulator() {
      return started(emulator);
    },
    get db() {
      return started(db);
    },
    processes,
  };
}
