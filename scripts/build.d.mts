// Types of scripts/build.mjs, for the TypeScript that imports it (bench/memory.ts, test/e2e/support.ts).
export function buildEntry(entry: string, outfile: string): Promise<void>;
export function startCommand(): Promise<{ env: Record<string, string>; nodeArgs: string[]; script: string }>;
