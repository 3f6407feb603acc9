// CPU time of the processes a benchmark starts, read from /proc (Linux): a bot process's own user + system
// time (its children not included), PostgreSQL's (every `postgres` process below this one: the benchmark
// server's, or the one a bot process started for itself), this process's (the harness: fake Telegram and
// the simulated residents), and how busy the whole machine was meanwhile.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { machineBusy } from './stats.ts';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, seconds. */
  seconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const rest = text.slice(close + 2).split(' ');
    return {
      pid,
      ppid: Number(rest[1]),
      comm,
      seconds: (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND,
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

function allProcesses(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => readStat(Number(name)) ?? []);
}

/** Seconds of CPU of every `postgres` process that descends from this one, by pid. */
function postgresBelowUs(): Map<number, number> {
  const all = allProcesses();
  const children = new Map<number, ProcStat[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found = new Map<number, number>();
  const stack = [process.pid];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop() as number) ?? []) {
      if (child.comm === 'postgres') found.set(child.pid, child.seconds);
      stack.push(child.pid);
    }
  }
  return found;
}

export interface CpuSnapshot {
  at: number;
  bots: number[];
  postgres: Map<number, number>;
  harness: NodeJS.CpuUsage;
  cpus: os.CpuInfo[];
}

export function cpuSnapshot(botPids: number[]): CpuSnapshot {
  return {
    at: performance.now(),
    bots: botPids.map((pid) => readStat(pid)?.seconds ?? Number.NaN),
    postgres: postgresBelowUs(),
    harness: process.cpuUsage(),
    cpus: os.cpus(),
  };
}

export interface CpuSpent {
  wallSeconds: number;
  /** CPU seconds of each bot process. */
  bots: number[];
  /** CPU seconds of PostgreSQL (processes that ended meanwhile are missed: the pools keep theirs). */
  postgres: number;
  /** CPU seconds of this process: the fake Telegram and the simulated residents. */
  harness: number;
  /** Share of all the machine's cores busy, everything on it counted (other people's work too). */
  machine: number;
}

export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): CpuSpent {
  let postgres = 0;
  for (const [pid, seconds] of after.postgres) postgres += seconds - (before.postgres.get(pid) ?? 0);
  return {
    wallSeconds: (after.at - before.at) / 1000,
    bots: after.bots.map((s, i) => s - (before.bots[i] ?? 0)),
    postgres,
    harness: (after.harness.user + after.harness.system - before.harness.user - before.harness.system) / 1e6,
    machine: machineBusy(before.cpus, after.cpus),
  };
}
