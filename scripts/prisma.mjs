#!/usr/bin/env node
// Runs the project's Prisma CLI: `node scripts/prisma.mjs <prisma args>`.
// Prisma 7's CLI needs a native schema-engine binary that @prisma/engines' postinstall downloads from Prisma's
// own host; where that host is unreachable the download fails silently and every command that needs the engine
// fails with ENOTFOUND. When the binary is missing (and PRISMA_SCHEMA_ENGINE_BINARY is not set), point the CLI at
// scripts/schema-engine-wasm.mjs, a stand-in built on @prisma/schema-engine-wasm. A machine that has the binary
// keeps the official path.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const prismaCli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
const standIn = fileURLToPath(new URL('./schema-engine-wasm.mjs', import.meta.url));

/** Where the CLI looks for `schema-engine-<target>` (resolveBinary in prisma/build/cli.js), in its order. */
async function nativeSchemaEngineExists() {
  const enginesEntry = require.resolve('@prisma/engines');
  const { getBinaryTargetForCurrentPlatform } = createRequire(enginesEntry)('@prisma/get-platform');
  const target = await getBinaryTargetForCurrentPlatform();
  const name = `schema-engine-${target}${target === 'windows' ? '.exe' : ''}`;
  const prismaBuild = path.dirname(prismaCli);
  const candidates = [
    path.join(require('@prisma/engines').getEnginesPath(), name),
    path.join(prismaBuild, '..', name),
    path.join(prismaBuild, '..', '..', name),
    path.join(prismaBuild, '..', 'runtime', name),
  ];
  return candidates.some((candidate) => existsSync(candidate));
}

const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !(await nativeSchemaEngineExists())) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = standIn;
}

const child = spawn(process.execPath, [prismaCli, ...process.argv.slice(2)], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
