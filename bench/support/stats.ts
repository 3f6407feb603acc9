// Small figures helpers for the benchmarks.
import type os from 'node:os';

/** The p-th percentile (0–100) of the values, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export const ms = (value: number, digits = 1) => `${value.toFixed(digits)} ms`;

export const rate = (count: number, seconds: number) => Math.round(count / seconds);

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** "met" or "missed by X" for a goal of `goal` (higher is better unless `lowerIsBetter`). */
export function verdict(value: number, goal: number, unit: string, lowerIsBetter = false): string {
  const met = lowerIsBetter ? value <= goal : value >= goal;
  if (met) return '**met**';
  const by = Math.abs(value - goal);
  const pct = ((by / goal) * 100).toFixed(0);
  return `**missed** by ${by.toFixed(by < 10 ? 1 : 0)} ${unit} (${pct} %)`;
}

/** Runs `work` for every item with at most `concurrency` at once. */
export async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

/** A Markdown table. */
export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Busy share of the whole machine (all cores) between two os.cpus() readings, 0–1. */
export function machineBusy(before: os.CpuInfo[], after: os.CpuInfo[]): number {
  let busy = 0;
  let total = 0;
  after.forEach((cpu, i) => {
    const was = before[i]?.times;
    if (!was) return;
    const d = {
      user: cpu.times.user - was.user,
      nice: cpu.times.nice - was.nice,
      sys: cpu.times.sys - was.sys,
      irq: cpu.times.irq - was.irq,
      idle: cpu.times.idle - was.idle,
    };
    busy += d.user + d.nice + d.sys + d.irq;
    total += d.user + d.nice + d.sys + d.irq + d.idle;
  });
  return total > 0 ? busy / total : Number.NaN;
}
