// `npm run bench` runs every benchmark below in turn; `npm run bench -- forms memory` runs the ones named.
// Each benchmark returns its section of BENCHMARKS.md (figures and goals); the runner heads it with what it
// ran on, when, and the command that reproduces it, then rewrites BENCHMARKS.md, keeping the sections of
// the benchmarks not run this time. To add one: a module exporting `run(ctx: BenchContext): Promise<string>`
// and a line in BENCHMARKS (the order here is the order of the sections in the file).
import path from 'node:path';
import { type Benchmark, runBenchmarks } from './support/runner.ts';

const BENCHMARKS: Benchmark[] = [
  {
    name: 'forms',
    title: 'Form steps per second: the real registration vs. a naive peer',
    load: () => import('./forms.ts'),
  },
  {
    name: 'notices',
    title: 'Community notices: 3,000 recipients at the configured rate, undisturbed and killed half-way',
    load: () => import('./notices.ts'),
  },
  {
    name: 'memory',
    title: 'Memory of one bot process with 10,000 residents in the middle of a form',
    load: () => import('./memory.ts'),
  },
  {
    name: 'webhook',
    title: 'Two instances in webhook mode behind one database',
    load: () => import('./webhook.ts'),
  },
  {
    name: 'blackbox',
    title:
      'Through npm start: 1,000 residents registering at once, polling and two webhook instances, vs a naive grammY bot',
    load: () => import('./blackbox.ts'),
  },
  {
    name: 'claims',
    title: '/next claims per second: 8 staff over 10,000 queued cases',
    load: () => import('./claims.ts'),
  },
  {
    name: 'queries',
    title: 'The queue page and /mycases with 1,000,000 cases',
    load: () => import('./queries.ts'),
  },
];

await runBenchmarks(BENCHMARKS, process.argv.slice(2), path.resolve(import.meta.dirname, '../BENCHMARKS.md'));
