// A CPU profile of a stretch of work in this process (the inspector's sampling profiler, as
// `node --cpu-prof` takes it), summarised by where the time went: by package, by our own folders, and the
// VM's own entries (garbage collection, socket writes, idle).
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by category, largest first. */
  rows: { what: string; ms: number; share: number }[];
}

function category(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(idle)') return 'idle (waiting for I/O)';
    if (functionName === 'writev' || functionName === 'writeBuffer' || functionName === 'writeUtf8String')
      return 'socket writes (syscalls: PostgreSQL protocol)';
    return `VM: ${functionName || '(anonymous)'}`;
  }
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 13).split('/');
    return (parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]) ?? url;
  }
  const src = /\/(src\/[^/]+|bench|test)\//.exec(url);
  if (src) return src[1] === 'bench' || src[1] === 'test' ? 'benchmark driver' : (src[1] as string);
  if (url.startsWith('node:')) return 'Node built-ins';
  return url;
}

export async function profile<T>(work: () => Promise<T>): Promise<{ result: T; summary: ProfileSummary }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  type Raw = { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
  let result: T;
  let p: Raw['profile'];
  try {
    result = await work();
  } finally {
    p = ((await session.post('Profiler.stop')) as unknown as Raw).profile;
    session.disconnect();
  }
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const node = byId.get(id);
    if (!node) return;
    const what = category(node);
    self.set(what, (self.get(what) ?? 0) + dt);
  });
  const rows = [...self].map(([what, ms]) => ({ what, ms, share: ms / total })).sort((a, b) => b.ms - a.ms);
  return { result, summary: { totalMs: total, rows } };
}
