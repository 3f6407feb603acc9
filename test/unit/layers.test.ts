// The port rule (README, "Layout"), as biome.json enforces it: the use cases (src/app, its jobs
// included) import neither src/db nor src/bot; src/bot and src/http import nothing of src/db.
// Each case writes a small file into the folder it speaks for, lints it with the project's Biome and
// removes it again. (Biome's --stdin-file-path mode prints no lint diagnostics, so a real file it is.)
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const biome = path.join(root, 'node_modules/.bin/biome');
const RULE = 'lint/style/noRestrictedImports';

/** Lints `source` as if it were `file` (relative to the repository root). */
function lint(file: string, source: string): { status: number | null; output: string } {
  const full = path.join(root, `${file.replace(/\.ts$/, '')}.layers-probe-${process.pid}.ts`);
  writeFileSync(full, source);
  try {
    const run = spawnSync(biome, ['lint', '--colors=off', full], { cwd: root, encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(full, { force: true });
  }
}

const probe = (from: string) => `import type { Db } from '${from}';\n\nexport type Probe = Db;\n`;

describe('the port rule', () => {
  it('refuses a use case that imports from src/db', () => {
    const result = lint('src/app/probe.ts', probe('../db/client.ts'));
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(RULE);
    expect(result.output).toContain('The use cases must not know the database');
  });

  it('refuses a job (src/app/jobs) that imports a repository or the bot', () => {
    const repo = lint('src/app/jobs/probe.ts', probe('../../db/repositories/deadlines.ts'));
    expect(repo.status).not.toBe(0);
    expect(repo.output).toContain(RULE);
    const bot = lint('src/app/jobs/probe.ts', probe('../../bot/context.ts'));
    expect(bot.status).not.toBe(0);
    expect(bot.output).toContain('The use cases must not know Telegram');
  });

  it('refuses the bot importing anything of src/db, a repository or the database driver', () => {
    const errors = lint('src/bot/probe.ts', probe('../db/errors.ts'));
    expect(errors.status).not.toBe(0);
    expect(errors.output).toContain('The bot reaches storage through use cases');
    const repo = lint('src/bot/probe.ts', probe('../db/repositories/update-receipts.ts'));
    expect(repo.status).not.toBe(0);
    expect(repo.output).toContain(RULE);
    expect(repo.output).toContain('The bot reaches storage through use cases');
    const deep = lint('src/bot/features/probe.ts', probe('../../db/repositories/case-stats.ts'));
    expect(deep.status).not.toBe(0);
    expect(deep.output).toContain(RULE);
    const prisma = lint('src/bot/probe.ts', probe('@prisma/client'));
    expect(prisma.status).not.toBe(0);
    expect(prisma.output).toContain(RULE);
  });

  it('refuses the HTTP server importing from src/db', () => {
    const result = lint('src/http/probe.ts', probe('../db/client.ts'));
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(RULE);
  });

  it('lets a use case import the domain, and the bot a use case', () => {
    const app = lint('src/app/probe.ts', probe('../domain/notice.ts'));
    expect(app.output).not.toContain(RULE);
    expect(app.status).toBe(0);
    const bot = lint('src/bot/probe.ts', probe('../app/admin.ts'));
    expect(bot.output).not.toContain(RULE);
    expect(bot.status).toBe(0);
  });
});
