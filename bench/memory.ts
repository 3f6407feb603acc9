// Memory of one bot process with 10,000 residents in the middle of a form: a child process of its own
// (bench/memory-child.ts, built like main.ts builds the bot), compiled and run the way `npm start` runs the
// bot (scripts/build.mjs bundles it to JavaScript; node's flags and environment are read from package.json's
// start script), its RSS and heap after a full garbage collection, before any resident and with them all
// half-way through the registration. The forms' state lives in PostgreSQL, so what grows in the process is
// per-resident bookkeeping only (the flood limiter's counters); the database's share is shown beside it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { buildEntry, startCommand } from '../scripts/build.mjs';
import type { Snapshot } from './memory-child.ts';
import { query } from './support/postgres.ts';
import type { BenchContext } from './support/runner.ts';
import { mb, table, verdict } from './support/stats.ts';

const RESIDENTS = Math.round(10_000 * Number(process.env.BENCH_SCALE ?? 1));
const GOAL_MB = 200;

interface ChildReport {
  snapshots: Snapshot[];
  residents: number;
  waiting: number;
  seconds: number;
}

const ROOT = path.resolve(import.meta.dirname, '..');
const CHILD_BUNDLE = 'dist/bench-memory-child.mjs';

/** `npm start`'s command line with the child's bundle in place of the bot's, for the prose. */
async function childCommand(): Promise<{ env: Record<string, string>; args: string[]; shown: string }> {
  const start = await startCommand();
  const args = [...start.nodeArgs, '--expose-gc', CHILD_BUNDLE];
  const env = Object.entries(start.env).map(([k, v]) => `${k}=${v} `);
  return {
    env: start.env,
    args,
    shown: `${env.join('')}node ${[...start.nodeArgs, CHILD_BUNDLE].join(' ')}`,
  };
}

function runChild(
  databaseUrl: string,
  command: { env: Record<string, string>; args: string[] },
): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command.args, {
      cwd: ROOT,
      env: { ...process.env, ...command.env, BENCH_DATABASE_URL: databaseUrl, RESIDENTS: String(RESIDENTS) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line) as ChildReport);
      else reject(new Error(`memory child exited with ${code}:\n${err}${out}`));
    });
  });
}

export async function run(ctx: BenchContext): Promise<string> {
  const server = await ctx.server();
  const database = await server.createDatabase();
  try {
    ctx.log(`memory: ${RESIDENTS.toLocaleString('en')} residents to the middle of the registration`);
    await buildEntry('bench/memory-child.ts', CHILD_BUNDLE);
    const command = await childCommand();
    const r = await runChild(database.url, command);
    const state = (
      await query(
        database.url,
        `select count(*)::int as n, coalesce(sum(octet_length(data)), 0)::bigint as bytes,
                pg_total_relation_size('conversation_state') as relation from conversation_state`,
      )
    ).rows[0] as { n: number; bytes: string; relation: string };
    const snaps = r.snapshots;
    const first = snaps[0] as Snapshot;
    const warm = snaps[3] as Snapshot;
    const last = snaps.at(-1) as Snapshot;
    const col = (f: (s: Snapshot) => number, bold = false) =>
      snaps.map((s) => (bold && s === last ? `**${mb(f(s))}**` : mb(f(s))));
    const perResident = (f: (s: Snapshot) => number) => `${((f(last) - f(warm)) / r.residents).toFixed(0)} B`;
    const measures: [string, (s: Snapshot) => number, boolean][] = [
      ['**RSS**', (s) => s.usage.rss, true],
      ['V8 heap used', (s) => s.usage.heapUsed, false],
      ['V8 heap reserved', (s) => s.usage.heapTotal, false],
      ['Buffers and other external', (s) => s.usage.external, false],
      ['RSS: malloc heap (native allocations)', (s) => s.rss.malloc, false],
      [
        "RSS: other anonymous (V8 spaces, code, WebAssembly, threads' malloc arenas)",
        (s) => s.rss.anonymous,
        false,
      ],
      ['RSS: node binary and files', (s) => s.rss.node + s.rss.files, false],
    ];
    const rssMb = last.usage.rss / 1024 / 1024;
    const fixedMb = warm.usage.rss / 1024 / 1024;
    return [
      `One bot process (\`${command.shown}\`: bundled by scripts/build.mjs and run as \`npm start\` runs ` +
        'dist/main.mjs; built like main.ts: compose, createBot, the update gate; Telegram faked in-process), ' +
        'memory after a full garbage collection at each point, read once the resident set has settled (V8 hands ' +
        'the pages a collection freed back from background threads; read at once, it is a passing peak). ' +
        `${r.residents.toLocaleString('en')} residents taken half-way through the registration, 200 at a time ` +
        `(7 of 11 steps answered; ${r.waiting.toLocaleString('en')} of them left at the phone question), in ` +
        `${r.seconds.toFixed(0)} s.`,
      '',
      table(
        ['', ...snaps.map((s) => s.label), 'per resident mid-form'],
        measures.map(([name, f, bold]) => [name, ...col(f, bold), perResident(f)]),
      ),
      '',
      `Their forms are in PostgreSQL, not in the process: ${state.n.toLocaleString('en')} rows of encrypted ` +
        `conversation state, ${mb(Number(state.bytes))} of data (${(Number(state.bytes) / Math.max(1, state.n)).toFixed(0)} B each), ` +
        `${mb(Number(state.relation))} with the table's indexes and TOAST.`,
      '',
      `Goal: at most ${GOAL_MB} MB — RSS ${rssMb.toFixed(1)} MB: ${verdict(rssMb, GOAL_MB, 'MB', true)}. ` +
        `Of that, ${fixedMb.toFixed(0)} MB is there before the first resident starts a form ` +
        `(${mb(first.usage.rss)} once the modules are loaded, ` +
        `${mb((snaps[2] as Snapshot).usage.rss - (snaps[1] as Snapshot).usage.rss)} more for Prisma's first query); ` +
        'what the residents add is the V8 heap per resident above. The malloc heap grows with the updates in ' +
        'flight (200 at once here), not with the residents waiting, and glibc keeps what it once took.',
    ].join('\n');
  } finally {
    await database.drop();
  }
}
