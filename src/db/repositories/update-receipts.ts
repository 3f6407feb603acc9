// The inbox of Telegram updates and the chat leases, shared by every instance through PostgreSQL (the
// mechanism, and why this one: src/bot/update-gate.ts).
//
// - `update_receipt`: one row per update ever seen (the primary key makes a redelivery or another instance's
//   copy a no-op). An update is written `pending`, with its chat's key and its content encrypted; whoever
//   holds the chat's lease takes the chat's open updates one at a time, lowest `update_id` first, marks each
//   `in_progress` (counting attempts), and finishes it `done` or `set_aside` — clearing its content. When the
//   statement that writes it also takes its chat (nobody held it) and nothing of the chat is open before it,
//   the update is written `in_progress` at once: the usual case costs one statement in, one out.
// - `chat_lease`: who handles a chat right now. Taking it is one atomic upsert; it is a lease, renewed while
//   held, so a dead holder delays the chat by at most the lease. Every write to the inbox "knocks" on the
//   chat's lease row in the same statement (`knocks` + 1). The holder gives the chat up only if no knock came
//   since it last looked and nothing is open: an update written while the holder was finishing is never left
//   behind with nobody holding its chat (a knock that commits after the holder's look changes `knocks`, and
//   the release's row lock re-checks it against the newest row).
//
// Times are the database's own clock (`now()`), so instances whose clocks disagree still agree on leases.

import type { ExpiringRows } from '../../app/jobs/housekeeping.ts';
import type { ChatClaim, EnqueueRow, StateWrite, UpdateInbox } from '../../bot/update-inbox.ts';
import { type Db, hotQuery } from '../client.ts';

// Columns are `timestamp without time zone` holding UTC (Prisma's convention).
const NOW = `(now() at time zone 'utc')`;
const LEASE = (n: number) => `${NOW} + make_interval(secs => $${n}::float8)`;

const bytes = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * The statement that puts a state change beside the update's outcome (one round trip and one commit for
 * both). `$n` is the first free parameter number.
 */
function stateChange(
  state: StateWrite | undefined,
  n: number,
): { name: string; cte: string; params: unknown[] } {
  if (!state) return { name: '', cte: '', params: [] };
  if (state.data === null) {
    return {
      name: '-state-delete',
      cte: `, st as (delete from conversation_state where key = $${n}::text)`,
      params: [state.key],
    };
  }
  return {
    name: '-state-write',
    cte: `, st as (insert into conversation_state (key, data, updated_at)
                   values ($${n}::text, $${n + 1}::bytea, ${NOW})
                   on conflict (key) do update set data = excluded.data, updated_at = excluded.updated_at)`,
    params: [state.key, bytes(state.data)],
  };
}

/** Open updates of a chat: the partial index update_receipt_open_idx holds exactly these. */
const OPEN = 'finished_at is null';

export function createUpdateReceiptRepository(db: Db): UpdateInbox & ExpiringRows {
  const inbox: UpdateInbox = {
    async enqueue(botId, entries, leaseMs) {
      if (entries.length === 0) return [];
      // Lease rows are knocked, and senders touched, in key order: two statements never wait on each other in
      // a cycle. Rows written by this statement are invisible to its other parts, so "nothing of the chat open
      // before it" is read from the table as it was, and the claim is made by inserting the row in_progress.
      const { rows } = await hotQuery<{
        update_id: string;
        fresh: boolean;
        status: string | null;
        holder: string | null;
        knocks: string | null;
        claimed: boolean;
        locale: string | null;
        registered: boolean | null;
        state: Buffer | null;
      }>(
        db,
        'inbox-enqueue',
        `with input as (
           select * from unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::bytea[], $7::uuid[])
                    with ordinality as t(update_id, chat_key, sender, lang, payload, token, ord)),
         knock as (
           insert into chat_lease as l (bot_id, chat_key, token, lease_until, knocks, updated_at)
           select $1::bigint, chat_key, (array_agg(token order by ord))[1],
                  case when (array_agg(token order by ord))[1] is null then null else ${LEASE(8)} end,
                  count(*), ${NOW}
             from input group by chat_key order by chat_key
           on conflict (bot_id, chat_key) do update
              set knocks = l.knocks + excluded.knocks,
                  token = case when excluded.token is not null and (l.token is null or l.lease_until < ${NOW})
                               then excluded.token else l.token end,
                  lease_until = case when excluded.token is not null and (l.token is null or l.lease_until < ${NOW})
                                     then excluded.lease_until else l.lease_until end,
                  updated_at = excluded.updated_at
           returning chat_key, token, knocks),
         prior as (
           select r.update_id, r.status from update_receipt r
            where r.bot_id = $1::bigint and r.update_id in (select update_id from input)),
         first as (
           select distinct on (i.chat_key) i.update_id, i.chat_key, i.token from input i
            where not exists (select 1 from prior p where p.update_id = i.update_id)
            order by i.chat_key, i.update_id),
         claimable as (
           select f.update_id from first f join knock k on k.chat_key = f.chat_key and k.token = f.token
            where not exists (select 1 from update_receipt r
                               where r.bot_id = $1::bigint and r.chat_key = f.chat_key and r.${OPEN}
                                 and r.update_id < f.update_id)),
         ins as (
           insert into update_receipt (bot_id, update_id, status, attempts, chat_key, sender, lang, payload,
                                       claim_token, first_seen_at)
           select $1::bigint, i.update_id,
                  (case when c.update_id is null then 'pending' else 'in_progress' end)::update_receipt_status,
                  case when c.update_id is null then 0 else 1 end, i.chat_key, i.sender, i.lang, i.payload,
                  case when c.update_id is null then null else i.token end, ${NOW}
             from input i left join claimable c on c.update_id = i.update_id
            order by i.ord
           on conflict (bot_id, update_id) do nothing
           returning update_id, status = 'in_progress' as claimed, sender),
         touch as (
           insert into telegram_user (telegram_id, chat_id, language_code, unreachable, first_seen_at, updated_at)
           select i.sender, i.sender, i.lang, false, ${NOW}, ${NOW}
             from ins n join input i on i.update_id = n.update_id
            where n.claimed and i.sender is not null
            order by i.sender
           on conflict (telegram_id) do update
              set chat_id = excluded.chat_id, language_code = excluded.language_code, unreachable = false,
                  updated_at = excluded.updated_at
           returning telegram_id, locale,
                     exists (select 1 from resident r where r.telegram_id = telegram_user.telegram_id) as registered)
         select i.update_id::text, n.update_id is not null as fresh, p.status::text as status,
                k.token::text as holder, k.knocks::text as knocks, coalesce(n.claimed, false) as claimed,
                t.locale, t.registered,
                case when n.claimed and i.sender is not null
                     then (select data from conversation_state cs where cs.key = i.chat_key) end as state
           from input i
           left join prior p on p.update_id = i.update_id
           left join knock k on k.chat_key = i.chat_key
           left join ins n on n.update_id = i.update_id
           left join touch t on n.claimed and t.telegram_id = i.sender
          order by i.ord`,
        [
          botId,
          entries.map((e) => e.updateId),
          entries.map((e) => e.chatKey),
          entries.map((e) => e.sender),
          entries.map((e) => e.lang),
          entries.map((e) => bytes(e.payload)),
          entries.map((e) => e.token),
          leaseMs / 1000,
        ],
      );
      return rows.map((r, i) => {
        const row: EnqueueRow = {
          updateId: Number(r.update_id),
          fresh: r.fresh,
          status: r.status,
          holder: r.holder,
        };
        if (r.claimed && r.knocks !== null) {
          row.claim = {
            kind: 'claimed',
            knocks: r.knocks,
            updateId: row.updateId,
            attempt: 1,
            payload: null,
          };
          if (entries[i]?.sender != null) {
            row.claim.user = { locale: r.locale ?? null, registered: r.registered === true };
            row.claim.state = r.state ?? null;
          }
        }
        return row;
      });
    },

    async claimNext(botId, chatKey, token, leaseMs) {
      const { rows } = await hotQuery<{
        knocks: string | null;
        update_id: string | null;
        attempts: number | null;
        payload: Buffer | null;
        sender: string | null;
        locale: string | null;
        registered: boolean | null;
        state: Buffer | null;
      }>(
        db,
        'inbox-claim',
        `with lease as (
           insert into chat_lease as l (bot_id, chat_key, token, lease_until, knocks, updated_at)
           values ($1::bigint, $2::text, $3::uuid, ${LEASE(4)}, 0, ${NOW})
           on conflict (bot_id, chat_key) do update
              set token = excluded.token, lease_until = excluded.lease_until, updated_at = excluded.updated_at
            where l.token = excluded.token or l.token is null or l.lease_until < ${NOW}
           returning knocks),
         nxt as (
           select update_id from update_receipt
            where bot_id = $1::bigint and chat_key = $2::text and ${OPEN} and exists (select 1 from lease)
            order by update_id limit 1),
         claim as (
           update update_receipt r set status = 'in_progress', attempts = r.attempts + 1, claim_token = $3::uuid
             from nxt where r.bot_id = $1::bigint and r.update_id = nxt.update_id
           returning r.update_id, r.attempts, r.payload, r.sender, r.lang),
         touch as (
           insert into telegram_user (telegram_id, chat_id, language_code, unreachable, first_seen_at, updated_at)
           select sender, sender, lang, false, ${NOW}, ${NOW} from claim where sender is not null
           on conflict (telegram_id) do update
              set chat_id = excluded.chat_id, language_code = excluded.language_code, unreachable = false,
                  updated_at = excluded.updated_at
           returning locale,
                     exists (select 1 from resident r where r.telegram_id = telegram_user.telegram_id) as registered)
         select (select knocks::text from lease) as knocks, c.update_id::text, c.attempts, c.payload,
                c.sender::text, (select locale from touch) as locale, (select registered from touch) as registered,
                (select data from conversation_state
                  where key = $2::text and exists (select 1 from claim where sender is not null)) as state
           from (select 1) one left join claim c on true`,
        [botId, chatKey, token, leaseMs / 1000],
      );
      const row = rows[0];
      if (!row || row.knocks === null) return { kind: 'lost' };
      if (row.update_id === null) return { kind: 'empty', knocks: row.knocks };
      const claimed: ChatClaim = {
        kind: 'claimed',
        knocks: row.knocks,
        updateId: Number(row.update_id),
        attempt: Number(row.attempts),
        payload: row.payload,
      };
      if (row.sender !== null) {
        claimed.user = { locale: row.locale ?? null, registered: row.registered === true };
        claimed.state = row.state ?? null;
      }
      return claimed;
    },

    async finish(botId, update, token, status, knocks, state) {
      const change = stateChange(state, 7);
      // The release sees the inbox as it was when this statement began: any update written after that
      // knocked, so `knocks` no longer matches and the chat is kept (the holder looks again).
      // The chat's lease row is locked before the receipt row is touched — the order enqueue and claimNext
      // take them in. The other way round, a copy of this very update written meanwhile (it holds the lease
      // row, and its insert waits for this receipt row) and this statement waited on each other: a deadlock,
      // which PostgreSQL broke by failing one of them.
      const { rows } = await hotQuery<{ finished: boolean; released: boolean }>(
        db,
        `inbox-finish${change.name}`,
        `with held as (
           select 1 from chat_lease where bot_id = $1::bigint and chat_key = $5::text for update),
         fin as (
           update update_receipt set status = $4::update_receipt_status, finished_at = ${NOW},
                  lease_until = null, claim_token = null, payload = null
            where bot_id = $1::bigint and update_id = $2::bigint and claim_token = $3::uuid
              and (select count(*) from held) >= 0
           returning 1),
         rel as (
           update chat_lease l set token = null, lease_until = null, updated_at = ${NOW}
            where l.bot_id = $1::bigint and l.chat_key = $5::text and l.token = $3::uuid and l.knocks = $6::bigint
              and not exists (select 1 from update_receipt r
                               where r.bot_id = $1::bigint and r.chat_key = $5::text and r.${OPEN}
                                 and r.update_id <> $2::bigint)
           returning 1)${change.cte}
         select exists (select 1 from fin) as finished, exists (select 1 from rel) as released`,
        [botId, update.updateId, token, status, update.chatKey, knocks, ...change.params],
      );
      return { finished: rows[0]?.finished === true, released: rows[0]?.released === true };
    },

    async fail(botId, updateId, token, state) {
      const change = stateChange(state, 4);
      await hotQuery(
        db,
        `inbox-fail${change.name}`,
        `with f as (
           update update_receipt set status = 'failed', claim_token = null
            where bot_id = $1::bigint and update_id = $2::bigint and claim_token = $3::uuid
           returning 1)${change.cte}
         select exists (select 1 from f) as failed`,
        [botId, updateId, token, ...change.params],
      );
    },

    async release(botId, chatKey, token, knocks) {
      const { rowCount } =
        knocks === undefined
          ? await hotQuery(
              db,
              'inbox-release-now',
              `update chat_lease set token = null, lease_until = null, updated_at = ${NOW}
                where bot_id = $1::bigint and chat_key = $2::text and token = $3::uuid`,
              [botId, chatKey, token],
            )
          : await hotQuery(
              db,
              'inbox-release',
              `update chat_lease l set token = null, lease_until = null, updated_at = ${NOW}
                where l.bot_id = $1::bigint and l.chat_key = $2::text and l.token = $3::uuid
                  and l.knocks = $4::bigint
                  and not exists (select 1 from update_receipt r
                                   where r.bot_id = $1::bigint and r.chat_key = $2::text and r.${OPEN})`,
              [botId, chatKey, token, knocks],
            );
      return rowCount === 1;
    },

    async renew(botId, chatKey, token, leaseMs) {
      const { rowCount } = await hotQuery(
        db,
        'inbox-renew',
        `update chat_lease set lease_until = ${LEASE(4)}, updated_at = ${NOW}
          where bot_id = $1::bigint and chat_key = $2::text and token = $3::uuid`,
        [botId, chatKey, token, leaseMs / 1000],
      );
      return rowCount === 1;
    },

    async orphans(botId, limit) {
      const { rows } = await hotQuery<{ chat_key: string }>(
        db,
        'inbox-orphans',
        `select distinct r.chat_key from update_receipt r
          where r.bot_id = $1::bigint and r.${OPEN} and r.chat_key is not null
            and not exists (select 1 from chat_lease l
                             where l.bot_id = r.bot_id and l.chat_key = r.chat_key
                               and l.token is not null and l.lease_until >= ${NOW})
          limit $2::int`,
        [botId, limit],
      );
      return rows.map((r) => r.chat_key);
    },

    async releaseAll(botId) {
      const { rowCount } = await hotQuery(
        db,
        'inbox-release-all',
        `update chat_lease set token = null, lease_until = null, updated_at = ${NOW}
          where bot_id = $1::bigint and token is not null`,
        [botId],
      );
      return rowCount;
    },
  };
  return {
    ...inbox,

    /**
     * Forgets receipts first seen before `cutoff` (Telegram keeps an update at most 24 hours), and the lease
     * rows of chats nobody has held since then.
     */
    async deleteOlderThan(cutoff: Date): Promise<number> {
      const receipts = await db.updateReceipt.deleteMany({ where: { firstSeenAt: { lt: cutoff } } });
      await db.chatLease.deleteMany({ where: { token: null, updatedAt: { lt: cutoff } } });
      return receipts.count;
    },
  };
}
