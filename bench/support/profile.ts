// CPU profiles summarised by where the time went: by package, by our own folders, and the VM's own entries
// (garbage collection, socket writes, idle). Either a stretch of work in this process (the inspector's
// sampling profiler, as `node --cpu-prof` takes it), or a .cpuprofile file another process wrote with
// `node --cpu-prof`, possibly cut to a window of time. In a bundle (dist/*.mjs, scripts/build.mjs) every
// module's code follows a `// src/…/x.ts` line that esbuild writes: a sample's line number tells its module.
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber?: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  /** Microseconds, on the clock of process.hrtime (CLOCK_MONOTONIC). */
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by category, largest first. */
  rows: { what: string; ms: number; share: number }[];
}

/** Where each module of a bundle starts: esbuild's `// path` lines, by 0-based line number. */
type BundleMap = Map<string, { line: number; module: string }[]>;

function bundleModules(url: string): { line: number; module: string }[] {
  const lines = readFileSync(fileURLToPath(url), 'utf8').split('\n');
  const starts: { line: number; module: string }[] = [];
  lines.forEach((text, line) => {
    const m = /^\/\/ ((?:src|bench|test|scripts)\/\S+\.[cm]?[jt]s)$/.exec(text);
    if (m) starts.push({ line, module: m[1] as string });
  });
  return starts;
}

function ourFolder(file: string): string {
  if (file.startsWith('bench/') || file.startsWith('test/')) return 'benchmark driver';
  const parts = file.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : `${parts[0]}/*.ts`;
}

function category(node: ProfileNode, bundles: BundleMap): string {
  const { url, functionName } = node.callFrame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(idle)') return 'idle (waiting for I/O)';
    if (functionName === 'writev' || functionName === 'writeBuffer' || functionName === 'writeUtf8String')
      return 'socket writes (syscalls)';
    return `VM: ${functionName || '(anonymous)'}`;
  }
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 13).split('/');
    return (parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]) ?? url;
  }
  if (/\/dist\/[^/]+\.mjs$/.test(url) && url.startsWith('file:')) {
    let starts = bundles.get(url);
    if (!starts) {
      starts = bundleModules(url);
      bundles.set(url, starts);
    }
    const line = node.callFrame.lineNumber ?? 0;
    const module = starts.findLast((s) => s.line <= line)?.module;
    return module ? ourFolder(module) : 'bundle (before its first module)';
  }
  const src = /\/(src\/[^/]+|bench|test)\//.exec(url);
  if (src) return src[1] === 'bench' || src[1] === 'test' ? 'benchmark driver' : (src[1] as string);
  if (url.startsWith('node:internal/deps/undici')) return "undici (Node's fetch)";
  if (url.startsWith('node:internal/webstreams')) return 'web streams (fetch bodies)';
  if (url.startsWith('node:')) return 'Node built-ins';
  return url;
}

/** Self time by category; with `window` (µs, the profile's clock), only the samples taken within it. */
export function summariseProfile(p: CpuProfile, window?: { from: number; to: number }): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const bundles: BundleMap = new Map();
  const self = new Map<string, number>();
  let total = 0;
  let at = p.startTime;
  p.samples.forEach((id, i) => {
    const delta = p.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.from || at > window.to)) return;
    const dt = delta / 1000;
    total += dt;
    const node = byId.get(id);
    if (!node) return;
    const what = category(node, bundles);
    self.set(what, (self.get(what) ?? 0) + dt);
  });
  const rows = [...self].map(([what, ms]) => ({ what, ms, share: ms / total })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total, rows };
}

/** Now on the clock of a profile's time stamps (µs). */
export const hrtimeUs = () => Number(process.hrtime.bigint() / 1000n);

export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

export async function profile<T>(work: () => Promise<T>): Promise<{ result: T; summary: ProfileSummary }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  // Only the samples taken while `work` ran: Profiler.start itself (V8 logging the code already loaded) and
  // Profiler.stop are sampled too, as a "dispatch" of a hundred milliseconds or more in a large program.
  const from = hrtimeUs();
  type Raw = { profile: CpuProfile };
  let result: T;
  let p: CpuProfile;
  let to = 0;
  try {
    result = await work();
  } finally {
    to = hrtimeUs();
    p = ((await session.post('Profiler.stop')) as unknown as Raw).profile;
    session.disconnect();
  }
  return { result, summary: summariseProfile(p, { from, to }) };
}
