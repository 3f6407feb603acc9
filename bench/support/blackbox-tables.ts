// Tables and lines of the black-box benchmark's section (bench/blackbox.ts), from its figures.
import os from 'node:os';
import { type Figures, type Phase, p3, pct } from './blackbox-figures.ts';
import type { ProfileSummary } from './profile.ts';
import { ms, percentile, table } from './stats.ts';

export const cores = os.cpus().length;
export const n = (value: number) => value.toLocaleString('en');
export const p2 = (values: number[]) =>
  [50, 95].map((q) => ms(percentile(values, q), percentile(values, q) >= 100 ? 0 : 1)).join(' / ');

export function residentsCell(f: Figures): string {
  return `${n(f.finished)} / ${f.stalled.length} / ${n(f.residents)}${f.midway > 0 ? ` (${n(f.midway)} mid-form at the end)` : ''}`;
}

export const LATENCY_HEAD = [
  '',
  'updates/s',
  'first answer p50 / p95 / p99',
  'next question p50 / p95 / p99',
  'waiting for delivery p50 / p95',
  'delivered → first answer p50 / p95',
  'finished / stalled / residents',
];

export function latencyRow(
  label: string,
  f: Figures,
  rate = `**${f.rate.toFixed(0)}**`,
): (string | number)[] {
  return [label, rate, p3(f.first), p3(f.ready), p2(f.waiting), p2(f.handling), residentsCell(f)];
}

export const COST_HEAD = [
  '',
  'Bot API calls / update',
  'bot CPU ms / update',
  'bot process busy (of a core)',
  'PostgreSQL CPU ms / update (busy)',
  'harness CPU ms / update (busy)',
  `machine busy (${cores} cores)`,
  'DB requests waiting for a connection: mean / max',
  'connections opened to the Bot API',
];

export function costRow(label: string, f: Figures): (string | number)[] {
  return [
    label,
    f.callsPerUpdate.toFixed(2),
    f.botMs.map((v) => v.toFixed(2)).join(' + '),
    f.botBusy.map(pct).join(' + '),
    `${f.pgMs.toFixed(2)} (${pct(f.pgBusy)})`,
    `${f.harnessMs.toFixed(2)} (${pct(f.harnessBusy)})`,
    pct(f.machine),
    f.poolWaiting ? `${f.poolWaiting.mean.toFixed(1)} / ${f.poolWaiting.max}` : 'n/a',
    n(f.connections),
  ];
}

export function profileTable(p: ProfileSummary, updates: number): string {
  const top = p.rows.slice(0, 14);
  const rest = p.rows.slice(14).reduce((s, r) => s + r.ms, 0);
  const rows = top.map((r) => [r.what, (r.ms / updates).toFixed(3), pct(r.share)]);
  if (rest > 0) rows.push(['everything else', (rest / updates).toFixed(3), pct(rest / p.totalMs)]);
  return table(['where (self time)', 'ms per update', 'share'], rows);
}

export function topOf(p: ProfileSummary, updates: number, count = 4): string {
  return p.rows
    .filter((r) => !r.what.startsWith('idle'))
    .slice(0, count)
    .map((r) => `${r.what} ${(r.ms / updates).toFixed(2)}`)
    .join(', ');
}

export function methodsLine(phase: Phase, updates: number): string {
  return [...phase.methods]
    .filter(([m]) => m !== 'getUpdates')
    .sort((x, y) => y[1] - x[1])
    .map(([m, c]) => `${m} ${(c / updates).toFixed(2)}`)
    .join(', ');
}

export function stalledLine(label: string, f: Figures, stallMs: number): string[] {
  if (f.stalled.length === 0) return [];
  const examples = f.stalled
    .slice(0, 3)
    .map(
      (r) =>
        `resident ${r.id} at step ${(r.stalledAt?.step ?? 0) + 1}, the bot last said "${r.stalledAt?.lastText}"`,
    )
    .join('; ');
  return [`- ${label}: ${f.stalled.length} stalled (no reply within ${stallMs / 1000} s), e.g. ${examples}`];
}
