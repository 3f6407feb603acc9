// Update receipts: which Telegram updates this bot has handled, shared by every instance through PostgreSQL.
// A claim is one atomic INSERT … ON CONFLICT, so two instances given the same update at the same moment
// cannot both win. A claim is a lease: if its holder dies, the update may be claimed again once the lease
// has run out (or at once by a poller, which is the only consumer there is). Times are the database's own
// clock (`now()`), so instances whose clocks disagree still agree on leases. No update content is stored.
import { randomUUID } from 'node:crypto';
import type { Db } from '../client.ts';

export type ClaimResult =
  /** This caller now holds the update; `attempt` counts every claim so far, this one included. */
  | { kind: 'claimed'; token: string; attempt: number }
  /** Handled (or set aside) before: nothing to do. */
  | { kind: 'finished' }
  /** Someone else is handling it right now. */
  | { kind: 'busy' };

// Columns are `timestamp without time zone` holding UTC (Prisma's convention).
const NOW = `(now() at time zone 'utc')`;

export function createUpdateReceiptRepository(db: Db) {
  return {
    /**
     * Claims an update. `steal` also takes an update whose lease is still running: right for a poller,
     * which is the only process fetching updates, so an unfinished claim can only be a dead predecessor's.
     */
    async claim(
      botId: number,
      updateId: number,
      opts: { leaseMs: number; steal?: boolean },
    ): Promise<ClaimResult> {
      const token = randomUUID();
      const leaseSeconds = opts.leaseMs / 1000;
      const rows = await db.$queryRawUnsafe<{ attempts: number }[]>(
        `insert into update_receipt (bot_id, update_id, status, attempts, claim_token, lease_until, first_seen_at)
         values ($1, $2, 'in_progress', 1, $3::uuid, ${NOW} + make_interval(secs => $4), ${NOW})
         on conflict (bot_id, update_id) do update
            set status = 'in_progress',
                attempts = update_receipt.attempts + 1,
                claim_token = excluded.claim_token,
                lease_until = excluded.lease_until
          where update_receipt.status = 'failed'
             or (update_receipt.status = 'in_progress' and ($5 or update_receipt.lease_until < ${NOW}))
         returning attempts`,
        BigInt(botId),
        BigInt(updateId),
        token,
        leaseSeconds,
        opts.steal ?? false,
      );
      const claimed = rows[0];
      if (claimed) return { kind: 'claimed', token, attempt: Number(claimed.attempts) };
      const current = await db.updateReceipt.findUnique({
        where: { botId_updateId: { botId: BigInt(botId), updateId: BigInt(updateId) } },
        select: { status: true },
      });
      return current?.status === 'done' || current?.status === 'set_aside'
        ? { kind: 'finished' }
        : { kind: 'busy' };
    },

    /** Records the outcome, if the claim is still ours (a lease that ran out may have passed it on). */
    async finish(
      botId: number,
      updateId: number,
      token: string,
      status: 'done' | 'set_aside',
    ): Promise<boolean> {
      const n = await db.$executeRawUnsafe(
        `update update_receipt set status = $4::update_receipt_status, finished_at = ${NOW},
                lease_until = null, claim_token = null
          where bot_id = $1 and update_id = $2 and claim_token = $3::uuid`,
        BigInt(botId),
        BigInt(updateId),
        token,
        status,
      );
      return n === 1;
    },

    /** Gives a failed attempt back, so that the next delivery of the update may claim it at once. */
    async release(botId: number, updateId: number, token: string): Promise<boolean> {
      const n = await db.$executeRawUnsafe(
        `update update_receipt set status = 'failed', lease_until = null, claim_token = null
          where bot_id = $1 and update_id = $2 and claim_token = $3::uuid`,
        BigInt(botId),
        BigInt(updateId),
        token,
      );
      return n === 1;
    },

    /** Forgets receipts first seen before `cutoff` (Telegram keeps an update at most 24 hours). */
    async deleteOlderThan(cutoff: Date): Promise<number> {
      return db.updateReceipt.deleteMany({ where: { firstSeenAt: { lt: cutoff } } }).then((r) => r.count);
    },
  };
}

export type UpdateReceiptRepository = ReturnType<typeof createUpdateReceiptRepository>;
