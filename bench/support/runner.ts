// The benchmark runner behind bench/run.ts: runs the benchmarks asked for, one after the other, on one
// PostgreSQL server (started on first use), and rewrites BENCHMARKS.md with a section per benchmark.
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { type BenchServer, startBenchServer } from './postgres.ts';

export interface BenchContext {
  /** The PostgreSQL server of this run: scratch databases, its version and settings. */
  server(): Promise<BenchServer>;
  /** A progress line on stdout (the figures go into the returned section). */
  log(message: string): void;
}

export interface BenchModule {
  /** Measures, and returns the body of the section (Markdown: figures, goals, notes). */
  run(ctx: BenchContext): Promise<string>;
}

export interface Benchmark {
  /** Lower-case, used on the command line (`npm run bench -- <name>`) and as the section's marker. */
  name: string;
  title: string;
  load(): Promise<BenchModule>;
}

const HEADER = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts); each section is replaced when its benchmark runs again
(\`npm run bench -- <name>\`), the others are kept. Every section says when and on what it was measured and
the command that reproduces it. With no \`DATABASE_URL\` the benchmarks start their own embedded PostgreSQL
(under \`.data-bench/\`) and work in scratch databases they drop afterwards; with \`DATABASE_URL\` they use
that server (its user needs CREATEDB).
`;

const SECTION = /<!-- bench:([a-z0-9-]+) -->\n[\s\S]*?<!-- \/bench:\1 -->\n?/g;

/** The sections of an existing BENCHMARKS.md, by benchmark name. */
export function parseSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const match of text.matchAll(SECTION)) sections.set(match[1] as string, match[0].trimEnd());
  return sections;
}

/** Load averages over 1, 5 and 15 minutes, as `uptime` shows them. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

function machine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const memGb = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `${cpus.length} × ${model}, ${memGb} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export async function runBenchmarks(all: Benchmark[], args: string[], file: string): Promise<void> {
  const names = args.filter((a) => !a.startsWith('-'));
  const unknown = names.filter((n) => !all.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${all.map((b) => b.name).join(', ')}`);
    process.exit(2);
  }
  const chosen = names.length === 0 ? all : all.filter((b) => names.includes(b.name));
  const log = (message: string) =>
    process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

  let server: Promise<BenchServer> | undefined;
  const ctx: BenchContext = {
    server: () => {
      server ??= startBenchServer(log);
      return server;
    },
    log,
  };
  let failed = 0;
  try {
    for (const bench of chosen) {
      const loadBefore = loadAverage();
      log(`${bench.name}: starting (load average ${loadBefore})`);
      const started = new Date();
      try {
        const body = (await (await bench.load()).run(ctx)).trim();
        const pg = server ? (await server).description : 'no database';
        const section = [
          `<!-- bench:${bench.name} -->`,
          `## ${bench.title}`,
          '',
          `Reproduce: \`npm run bench -- ${bench.name}\` · measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ` +
            `${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`,
          '',
          `Machine: ${machine()}; ${pg}. Shared with other engineers' work (tests, builds) while measured: ` +
            `load average ${loadBefore} before, ${loadAverage()} after.`,
          '',
          body,
          `<!-- /bench:${bench.name} -->`,
        ].join('\n');
        log(`${bench.name}: done`);
        // Written after each benchmark, so that a later failure keeps what was measured; read again just
        // before, so that sections written meanwhile by another run are kept.
        const current = parseSections(await readFile(file, 'utf8').catch(() => ''));
        current.set(bench.name, section);
        await writeFile(file, render(all, current));
      } catch (err) {
        failed++;
        console.error(`${bench.name}: failed; its section in BENCHMARKS.md is left as it was`);
        console.error(err);
      }
    }
  } finally {
    if (server) await (await server).stop();
  }
  if (failed > 0) process.exit(1);
}

function render(all: Benchmark[], sections: Map<string, string>): string {
  const order = [
    ...all.map((b) => b.name),
    ...[...sections.keys()].filter((n) => !all.some((b) => b.name === n)),
  ];
  const body = order.flatMap((name) => {
    const section = sections.get(name);
    return section ? [section] : [];
  });
  return `${HEADER}\n${body.join('\n\n')}\n`;
}
