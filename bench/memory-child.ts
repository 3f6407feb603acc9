// The process the memory benchmark measures (bench/memory.ts starts it with --expose-gc): one bot built as
// main.ts builds it, over the scratch database given in BENCH_DATABASE_URL, with RESIDENTS residents taken
// to the middle of the registration (answered up to their name; the phone question open). Prints one JSON
// line of snapshots, each after a full garbage collection: process.memoryUsage() and the resident set split
// by mapping (from /proc/self/smaps).
import { readFileSync } from 'node:fs';
import { loadReference, ourBot } from './support/our-bot.ts';
import { fakeBotApi, idNumberFor, registrationSteps, walk } from './support/residents.ts';
import { pool } from './support/stats.ts';

const url = process.env.BENCH_DATABASE_URL;
const residents = Number(process.env.RESIDENTS ?? 10_000);
if (!url) throw new Error('BENCH_DATABASE_URL is not set');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

export interface Snapshot {
  label: string;
  usage: NodeJS.MemoryUsage;
  /** Resident set by kind of mapping, bytes: malloc's heap, other anonymous memory, the node binary, files. */
  rss: { malloc: number; anonymous: number; node: number; files: number };
}

function residentSet(): Snapshot['rss'] {
  const rss = { malloc: 0, anonymous: 0, node: 0, files: 0 };
  let kind: keyof typeof rss = 'anonymous';
  try {
    for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
      if (mapping) {
        const name = mapping[1] ?? '';
        kind =
          name === '[heap]'
            ? 'malloc'
            : name === '' || name.startsWith('[')
              ? 'anonymous'
              : name.endsWith('/node')
                ? 'node'
                : 'files';
        continue;
      }
      const size = /^Rss:\s+(\d+) kB/.exec(line);
      if (size) rss[kind] += Number(size[1]) * 1024;
    }
  } catch {
    // Not Linux: the split stays empty.
  }
  return rss;
}

const snapshots: Snapshot[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function snapshot(label: string): Promise<void> {
  // Let timers and sockets go quiet, then collect twice (weak references are cleared on the second).
  await sleep(500);
  gc?.();
  gc?.();
  // A full collection copies live objects to fresh pages, and V8's background threads hand the old ones back
  // to the system over the next moments: read right after it, the resident set is a passing peak (seen here:
  // 297 MB read at once, 202 MB a moment later). Read once it has settled (two readings 100 ms apart within
  // 1 MB, or after 5 s).
  let last = process.memoryUsage.rss();
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    const now = process.memoryUsage.rss();
    const settled = Math.abs(now - last) < 1024 * 1024;
    last = now;
    if (settled) break;
  }
  snapshots.push({ label, usage: process.memoryUsage(), rss: residentSet() });
}

await snapshot('modules loaded');
const api = fakeBotApi();
const bot = ourBot(url, api);
await snapshot('bot built');
await bot.db.community.count(); // Prisma compiles queries in WebAssembly, loaded on the first one
await snapshot("Prisma's first query");
await loadReference(bot.db);
// A warm-up that finishes its forms: code compiled, pool connected.
await pool(
  Array.from({ length: 20 }, (_, i) => 5_000_000 + i),
  20,
  (id) => walk(id, registrationSteps(idNumberFor(id)), api, (u) => bot.gate.process(u), []),
);
api.chats.clear();
await snapshot('after 20 finished registrations');
const MID_FORM = 7; // /start, register, community, building, unit, room, name: the phone question is open
const ids = Array.from({ length: residents }, (_, i) => 6_000_000 + i);
const started = performance.now();
let waiting = 0;
for (const [i, half] of [ids.slice(0, residents / 2), ids.slice(residents / 2)].entries()) {
  await pool(half, 200, (id) =>
    walk(id, registrationSteps(idNumberFor(id)).slice(0, MID_FORM), api, (u) => bot.gate.process(u), []),
  );
  waiting += [...api.chats.values()].filter((c) => c.recent.some((t) => t.includes('手机号'))).length;
  api.chats.clear(); // the fake Telegram's memory, not the bot's
  await snapshot(`${((i + 1) * residents) / 2} residents mid-form`);
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ snapshots, residents, waiting, seconds })}\n`);
await bot.close();
process.exit(0);
