// The SQL a use case really sends (Prisma's generated statements with their parameters, taken from the pg
// driver underneath), and its plan as PostgreSQL runs it: EXPLAIN (ANALYZE, BUFFERS) of that very text.
import pg from 'pg';

export interface SentQuery {
  text: string;
  values: unknown[];
}

let capturing: SentQuery[] | null = null;
let installed = false;
const seen = new WeakSet<object>();

function install(): void {
  if (installed) return;
  installed = true;
  for (const proto of [pg.Pool.prototype, pg.Client.prototype] as { query: (...a: unknown[]) => unknown }[]) {
    const original = proto.query;
    proto.query = function (this: unknown, ...args: unknown[]) {
      const config = args[0] as { text?: unknown; values?: unknown } | string;
      if (capturing && typeof config === 'object' && config && typeof config.text === 'string') {
        // A pool's query reaches a client's query with the same config object: keep one.
        if (!seen.has(config)) {
          seen.add(config);
          capturing.push({ text: config.text, values: (config.values as unknown[]) ?? [] });
        }
      }
      return original.apply(this, args);
    };
  }
}

/** Runs `work` and returns the statements it sent (BEGIN/COMMIT left out). */
export async function captureQueries<T>(
  work: () => Promise<T>,
): Promise<{ result: T; queries: SentQuery[] }> {
  install();
  const queries: SentQuery[] = [];
  capturing = queries;
  try {
    return {
      result: await work(),
      queries: queries.filter((q) => !/^\s*(BEGIN|COMMIT|ROLLBACK)\b/i.test(q.text)),
    };
  } finally {
    capturing = null;
  }
}

/** EXPLAIN (ANALYZE, BUFFERS) of a statement, run in a transaction that is rolled back (it may write). */
export async function explainAnalyze(url: string, query: SentQuery): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers) ${query.text}`,
      query.values,
    );
    await client.query('rollback');
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

/** The statement on one line, parameters shown, for a report. */
export function oneLine(query: SentQuery, max = 1_500): string {
  const text = query.text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
