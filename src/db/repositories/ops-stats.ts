// Figures for /metrics that come from the database. Indexed queries only: a scrape every few seconds
// must stay cheap with millions of rows (notification (status, next_attempt_at)).
import type { ReadinessDeps } from '../../http/server.ts';
import type { DatabaseProbe } from '../../metrics.ts';
import type { Db } from '../client.ts';

export function createOpsStatsRepository(
  db: Db,
): Pick<DatabaseProbe, 'notificationBacklog'> & Pick<ReadinessDeps, 'ping'> {
  return {
    async notificationBacklog(): Promise<{ kind: string; pending: number; oldestSeconds: number }[]> {
      // Ages computed by the database: its columns hold UTC without a zone.
      const rows = await db.$queryRaw<{ kind: string; pending: bigint; oldest_seconds: number }[]>`
        select kind, count(*) as pending,
               extract(epoch from (now() at time zone 'utc') - min(created_at))::float8 as oldest_seconds
          from notification where status = 'pending' group by kind`;
      return rows.map((r) => ({
        kind: r.kind,
        pending: Number(r.pending),
        oldestSeconds: Math.max(0, Number(r.oldest_seconds)),
      }));
    },

    /** A round trip, for readiness. */
    async ping(): Promise<void> {
      await db.$queryRaw`select 1`;
    },
  };
}
