// A commit probe: while something runs, one row inserted and committed every `everyMs` on a connection of
// its own, timed. A commit waits for PostgreSQL's WAL to reach the disk, so this shows what one commit
// costs on this machine at that moment — the floor under every statement that writes.
import pg from 'pg';
import { percentile } from './stats.ts';

export interface ProbeFigures {
  commits: number;
  p50: number;
  p95: number;
  max: number;
}

export async function probeCommits<T>(
  url: string,
  work: () => Promise<T>,
  everyMs = 50,
): Promise<{ result: T; probe: ProbeFigures }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('create table if not exists bench_commit_probe (at timestamptz not null default now())');
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await client.query('insert into bench_commit_probe default values');
      times.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  try {
    const result = await work();
    return {
      result,
      probe: {
        commits: times.length,
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        max: Math.max(...times),
      },
    };
  } finally {
    running = false;
    await loop;
    await client.query('drop table bench_commit_probe');
    await client.end();
  }
}
