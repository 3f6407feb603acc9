// The real bot process against an external PostgreSQL: the first start records its PII_KEY; a start with
// another key stops at once with plain words that name PII_KEY and PII_KEYS (exit code 1, no stack trace)
// instead of starting and failing every read later; a ring that adds a new key in front of the known one
// (PII_KEYS, for a rotation) starts.
import { describe, expect, it } from 'vitest';
import { useEmulatorScene } from './scene.ts';
import { BotProcess } from './support.ts';

const TOKEN = '123456789:AAe2e-token-for-the-pii-key-test-bot';
const KEY_A = 'a1'.repeat(32);
const KEY_B = 'b2'.repeat(32);

const scene = useEmulatorScene();
const { processes } = scene;

function start(keys: Record<string, string>): BotProcess {
  const p = new BotProcess({
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: scene.emulator.apiRoot,
    DATABASE_URL: scene.db.url,
    LOG_LEVEL: 'info',
    ...keys,
  });
  processes.push(p);
  return p;
}

async function startAndStop(keys: Record<string, string>): Promise<BotProcess> {
  const p = start(keys);
  await p.waitForLog('long polling started', 60_000);
  p.child.kill('SIGTERM');
  expect((await p.exited).code).toBe(0);
  return p;
}

describe('the personal-data key is checked at start', () => {
  it('records the first key, refuses another in plain words, and accepts a ring that keeps the known key', async () => {
    const first = await startAndStop({ PII_KEY: KEY_A });
    expect(first.logs().some((l) => l.msg === 'personal-data key check recorded')).toBe(true);

    const wrong = start({ PII_KEY: KEY_B });
    expect(await wrong.exited).toEqual({ code: 1, signal: null });
    expect(wrong.stderr).toContain('Bianmin cannot start');
    expect(wrong.stderr).toContain('PII_KEY');
    expect(wrong.stderr).toContain('PII_KEYS');
    expect(wrong.stderr).not.toMatch(/^\s+at /m);
    expect(wrong.output()).not.toContain(KEY_B);
    expect(wrong.logs().some((l) => l.msg === 'long polling started')).toBe(false);

    await startAndStop({ PII_KEY: KEY_A });
    await startAndStop({ PII_KEYS: `2:${KEY_B},1:${KEY_A}` });
  }, 240_000);
});
