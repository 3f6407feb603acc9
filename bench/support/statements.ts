// What the database spent its time on, from pg_stat_statements (loaded on the benchmarks' own server).
import { query } from './postgres.ts';

export interface StatementFigure {
  calls: number;
  totalMs: number;
  meanMs: number;
  query: string;
}

export async function resetStatements(adminUrl: string): Promise<void> {
  await query(adminUrl, 'select pg_stat_statements_reset()');
}

/** The statements run in `database` since the last reset, most total time first. */
export async function statementsOf(url: string, database: string, limit = 8): Promise<StatementFigure[]> {
  const { rows } = await query(
    url,
    `select s.calls::int as calls, s.total_exec_time as total, s.mean_exec_time as mean, s.query
       from pg_stat_statements s join pg_database d on d.oid = s.dbid
      where d.datname = $1
      order by s.total_exec_time desc`,
    [database],
  );
  return rows.slice(0, limit).map((r) => ({
    calls: Number(r.calls),
    totalMs: Number(r.total),
    meanMs: Number(r.mean),
    query: String(r.query).replace(/\s+/g, ' ').slice(0, 110),
  }));
}

/** Every statement's calls and time in `database` since the last reset. */
export async function statementTotals(url: string, database: string): Promise<{ calls: number; ms: number }> {
  const { rows } = await query(
    url,
    `select coalesce(sum(s.calls), 0)::bigint as calls, coalesce(sum(s.total_exec_time), 0) as ms
       from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = $1
        and s.query not ilike '%pg_stat_statements%'`,
    [database],
  );
  return { calls: Number(rows[0]?.calls ?? 0), ms: Number(rows[0]?.ms ?? 0) };
}
