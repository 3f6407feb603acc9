#!/usr/bin/env node
// Compiles the bot to one JavaScript file for `npm start`: `node scripts/build.mjs` writes dist/main.mjs from
// src/main.ts (our TypeScript bundled, the packages left as imports from node_modules). Running the plain
// JavaScript spares the bot process tsx's loader (a worker thread with a V8 heap of its own, and the
// transpiled sources kept with their source maps): about 35 MB of resident memory (BENCHMARKS.md, memory).
// esbuild is the one tsx already brings; a whole build takes a fraction of a second, so `npm start` runs it
// every time and dist/ can never be older than src/. Tests, benchmarks and scripts keep running the
// TypeScript through tsx. `node scripts/build.mjs <entry.ts> <out.mjs>` builds another entry point the same
// way (bench/memory.ts builds the process it measures with it).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * Each module keeps the `import.meta.url` of its own source file, so that paths found relative to it
 * (locales/, prisma/migrations, the Prisma client's __dirname) are the same bundled or not.
 */
const ownImportMeta = {
  name: 'own-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      const contents = source
        .replaceAll('import.meta.url', url)
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      return { contents, loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts' };
    });
  },
};

/**
 * Bundles `entry` into `outfile` (paths from the repository's root); resolves when it is written. The file is
 * replaced whole (written beside it, then renamed), so a bot starting while another build runs never reads
 * half of one.
 */
export async function buildEntry(entry, outfile) {
  const target = path.resolve(root, outfile);
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: target,
    write: false,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    keepNames: true,
    logLevel: 'warning',
    plugins: [ownImportMeta],
  });
  const [output] = result.outputFiles;
  const partial = `${target}.${process.pid}.partial`;
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(partial, output.contents);
  await rename(partial, target);
}

/**
 * How `npm start` runs the bot, from package.json: the environment it sets, node's flags and the script
 * (for the memory benchmark and the end-to-end tests, which run other entry points or the same one that way).
 */
export async function startCommand() {
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  const words = pkg.scripts.start.trim().split(/\s+/);
  const env = {};
  while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [name, ...value] = words.shift().split('=');
    env[name] = value.join('=');
  }
  if (words.shift() !== 'node')
    throw new Error(`package.json's start script does not run node: ${pkg.scripts.start}`);
  const script = words.pop();
  return { env, nodeArgs: words, script };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [entry = 'src/main.ts', outfile = 'dist/main.mjs'] = process.argv.slice(2);
  await buildEntry(entry, outfile);
}
