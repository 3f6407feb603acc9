// Update receipts: which Telegram updates this bot has handled, shared by every instance through PostgreSQL.
// A claim is one atomic INSERT … ON CONFLICT, so two instances given the same update at the same moment
// cannot both win. A claim is a lease: if its holder dies, the update may be claimed again once the lease
// has run out (or at once by a poller, which is the only consumer there is). Times are the database's own
// clock (`now()`), so instances whose clocks disagree still agree on leases. No update content is stored.
import { randomUUID } from 'node:crypto';
import { type Db, hotQuery } from '../client.ts';
import type { TelegramUserState } from './telegram-users.ts';

export type ClaimResult =
  /** This caller now holds the update; `attempt` counts every claim so far, this one included. */
  | {
      kind: 'claimed';
      token: string;
      attempt: number;
      /** The sender's record, touched in the same statement (when `opts.user` was given). */
      user?: TelegramUserState;
      /** The conversation state's ciphertext read in the same statement (when `opts.stateKey` was given): null = none. */
      state?: Uint8Array | null;
    }
  /** Handled (or set aside) before: nothing to do. */
  | { kind: 'finished' }
  /** Someone else is handling it right now. */
  | { kind: 'busy' };

export interface ClaimOptions {
  leaseMs: number;
  steal?: boolean;
  /** Also record that this private-chat user wrote to us, and return their locale and whether registered. */
  user?: { telegramId: number; chatId: number; languageCode: string | undefined };
  /** Also read this conversation state row. */
  stateKey?: string;
}

/** A conversation state change to write with the update's outcome: ciphertext, or null to delete the row. */
export interface StateWrite {
  key: string;
  data: Uint8Array | null;
}

// Columns are `timestamp without time zone` holding UTC (Prisma's convention).
const NOW = `(now() at time zone 'utc')`;

/**
 * The statement that puts a state change beside the receipt's update (one round trip and one commit for both:
 * each statement costs this one Node thread a round trip, and each commit waits for the disk).
 * `$n` is the first free parameter number.
 */
function stateChange(
  state: StateWrite | undefined,
  n: number,
): { name: string; cte: string; params: unknown[] } {
  if (!state) return { name: '', cte: '', params: [] };
  if (state.data === null) {
    return {
      name: '-state-delete',
      cte: `with st as (delete from conversation_state where key = $${n}::text) `,
      params: [state.key],
    };
  }
  return {
    name: '-state-write',
    cte: `with st as (insert into conversation_state (key, data, updated_at)
                      values ($${n}::text, $${n + 1}::bytea, ${NOW})
                      on conflict (key) do update set data = excluded.data, updated_at = excluded.updated_at) `,
    params: [state.key, Buffer.from(state.data.buffer, state.data.byteOffset, state.data.byteLength)],
  };
}

export function createUpdateReceiptRepository(db: Db) {
  return {
    /**
     * Claims an update. `steal` also takes an update whose lease is still running: right for a poller,
     * which is the only process fetching updates, so an unfinished claim can only be a dead predecessor's.
     * With `user` and `stateKey`, the sender's record is touched and their conversation state read in the
     * same statement — only when the claim is won (a finished duplicate touches nothing).
     */
    async claim(botId: number, updateId: number, opts: ClaimOptions): Promise<ClaimResult> {
      const token = randomUUID();
      const params: unknown[] = [botId, updateId, token, opts.leaseMs / 1000, opts.steal ?? false];
      let touch = '';
      let userColumns = '';
      if (opts.user) {
        const p = params.length + 1;
        params.push(opts.user.telegramId, opts.user.chatId, opts.user.languageCode ?? null);
        touch = `, touch as (
           insert into telegram_user (telegram_id, chat_id, language_code, unreachable, first_seen_at, updated_at)
           select $${p}::bigint, $${p + 1}::bigint, $${p + 2}::text, false, ${NOW}, ${NOW}
            where exists (select 1 from claim)
           on conflict (telegram_id) do update
              set chat_id = excluded.chat_id, language_code = excluded.language_code, unreachable = false,
                  updated_at = excluded.updated_at
           returning locale,
                     exists (select 1 from resident r where r.telegram_id = telegram_user.telegram_id) as registered)`;
        userColumns = `, (select locale from touch) as locale, (select registered from touch) as registered`;
      }
      let stateColumn = '';
      if (opts.stateKey !== undefined) {
        params.push(opts.stateKey);
        stateColumn = `, (select data from conversation_state
                           where key = $${params.length}::text and exists (select 1 from claim)) as state`;
      }
      // The status sub-select sees the table as it was before this statement: it tells a finished update from
      // one someone else holds when the claim was not won.
      const { rows } = await hotQuery<{
        attempts: number | null;
        status: string | null;
        locale?: string | null;
        registered?: boolean | null;
        state?: Uint8Array | null;
      }>(
        db,
        `receipt-claim${opts.user ? '-user' : ''}${opts.stateKey !== undefined ? '-state' : ''}`,
        `with claim as (
           insert into update_receipt (bot_id, update_id, status, attempts, claim_token, lease_until, first_seen_at)
           values ($1::bigint, $2::bigint, 'in_progress', 1, $3::uuid, ${NOW} + make_interval(secs => $4::float8), ${NOW})
           on conflict (bot_id, update_id) do update
              set status = 'in_progress',
                  attempts = update_receipt.attempts + 1,
                  claim_token = excluded.claim_token,
                  lease_until = excluded.lease_until
            where update_receipt.status = 'failed'
               or (update_receipt.status = 'in_progress' and ($5::boolean or update_receipt.lease_until < ${NOW}))
           returning attempts)${touch}
         select (select attempts from claim) as attempts,
                (select status::text from update_receipt where bot_id = $1::bigint and update_id = $2::bigint) as status
                ${userColumns}${stateColumn}`,
        params,
      );
      const row = rows[0];
      if (row && row.attempts !== null) {
        const claimed: ClaimResult = { kind: 'claimed', token, attempt: Number(row.attempts) };
        if (opts.user) claimed.user = { locale: row.locale ?? null, registered: row.registered === true };
        if (opts.stateKey !== undefined) claimed.state = row.state ?? null;
        return claimed;
      }
      return row?.status === 'done' || row?.status === 'set_aside' ? { kind: 'finished' } : { kind: 'busy' };
    },

    /**
     * Records the outcome, if the claim is still ours (a lease that ran out may have passed it on), and writes
     * the update's conversation state change in the same statement (whether or not the claim is still ours:
     * the state is the resident's, written as the handler left it).
     */
    async finish(
      botId: number,
      updateId: number,
      token: string,
      status: 'done' | 'set_aside',
      state?: StateWrite,
    ): Promise<boolean> {
      const change = stateChange(state, 5);
      const { rowCount } = await hotQuery(
        db,
        `receipt-finish${change.name}`,
        `${change.cte}update update_receipt set status = $4::update_receipt_status, finished_at = ${NOW},
                lease_until = null, claim_token = null
          where bot_id = $1::bigint and update_id = $2::bigint and claim_token = $3::uuid`,
        [botId, updateId, token, status, ...change.params],
      );
      return rowCount === 1;
    },

    /**
     * Gives a failed attempt back, so that the next delivery of the update may claim it at once; the state
     * change the failed attempt left is written with it, as the conversation plugin writes it after a failure.
     */
    async release(botId: number, updateId: number, token: string, state?: StateWrite): Promise<boolean> {
      const change = stateChange(state, 4);
      const { rowCount } = await hotQuery(
        db,
        `receipt-release${change.name}`,
        `${change.cte}update update_receipt set status = 'failed', lease_until = null, claim_token = null
          where bot_id = $1::bigint and update_id = $2::bigint and claim_token = $3::uuid`,
        [botId, updateId, token, ...change.params],
      );
      return rowCount === 1;
    },

    /** Forgets receipts first seen before `cutoff` (Telegram keeps an update at most 24 hours). */
    async deleteOlderThan(cutoff: Date): Promise<number> {
      return db.updateReceipt.deleteMany({ where: { firstSeenAt: { lt: cutoff } } }).then((r) => r.count);
    },
  };
}

export type UpdateReceiptRepository = ReturnType<typeof createUpdateReceiptRepository>;
