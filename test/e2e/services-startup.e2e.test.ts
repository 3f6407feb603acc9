// The real bot process with a services folder of its own (SERVICES_DIR): a definition with a mistake stops
// the start with one plain line naming the file, the service, the step and what is wrong (exit code 1, no
// stack trace, the bot never starts polling); the folder put right, it starts and keeps the versions.
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVICES_DIR } from '../../src/domain/catalogue/index.ts';
import { useEmulatorScene } from './scene.ts';
import { BotProcess } from './support.ts';

const TOKEN = '123456789:AAe2e-token-for-the-services-test-bot';
const KEY = 'c3'.repeat(32);

const scene = useEmulatorScene();
const { processes } = scene;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bianmin-services-e2e-'));
  for (const f of await readdir(DEFAULT_SERVICES_DIR))
    await copyFile(path.join(DEFAULT_SERVICES_DIR, f), path.join(dir, f));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function start(): BotProcess {
  const p = new BotProcess({
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: scene.emulator.apiRoot,
    DATABASE_URL: scene.db.url,
    PII_KEY: KEY,
    SERVICES_DIR: dir,
    LOG_LEVEL: 'info',
  });
  processes.push(p);
  return p;
}

describe('the service definitions are checked at start', () => {
  it('a mistake stops the start with one line; put right, the bot starts', async () => {
    const file = path.join(dir, '4-suggestion.json');
    const good = JSON.parse(await readFile(file, 'utf8')) as {
      steps: { id: string; when?: unknown }[];
    };
    const broken = structuredClone(good);
    const content = broken.steps.find((s) => s.id === 'content');
    if (!content) throw new Error('the suggestion has no content step');
    content.when = { step: 'topics', is: 'other' };
    await writeFile(file, JSON.stringify(broken));

    const refused = start();
    expect(await refused.exited).toEqual({ code: 1, signal: null });
    const lines = refused.stderr.trim().split('\n');
    expect(lines).toEqual([
      `Bianmin cannot start: ${file}: service "suggestion", step "content": "when" names step "topics", which does not exist`,
    ]);
    expect(refused.logs().some((l) => l.msg === 'long polling started')).toBe(false);

    await writeFile(file, JSON.stringify(good));
    const started = start();
    await started.waitForLog('long polling started', 60_000);
    // Every shipped service (reference/services), each in its first version.
    const shipped = (await readdir(DEFAULT_SERVICES_DIR)).filter((f) => f.endsWith('.json')).length;
    expect(shipped).toBe(8);
    expect(started.logs().find((l) => l.msg === 'service definitions loaded')).toMatchObject({
      services: shipped,
      versions: shipped,
    });
    started.child.kill('SIGTERM');
    expect((await started.exited).code).toBe(0);
  }, 240_000);
});
