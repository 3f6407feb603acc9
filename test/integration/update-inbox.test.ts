// The inbox's statements against a real PostgreSQL: a batch written, its free chats taken and the first update
// of each claimed in the same statement; a chat held elsewhere only knocked; a copy found; the holder giving a
// chat up only when nothing knocked since it looked; a lease that runs out taken over; a poller's start.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxEntry } from '../../src/bot/update-inbox.ts';
import { createDb, type Db } from '../../src/db/client.ts';
import { createUpdateReceiptRepository } from '../../src/db/repositories/update-receipts.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const BOT = 42;
const LEASE = 60_000;
let database: TestDatabase;
let db: Db;
let inbox: ReturnType<typeof createUpdateReceiptRepository>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, { poolSize: 4 });
  inbox = createUpdateReceiptRepository(db);
});
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

let nextId = 1_000;
const tokenA = '00000000-0000-4000-8000-00000000000a';
const tokenB = '00000000-0000-4000-8000-00000000000b';
const entry = (chatKey: string, token: string | null, sender: number | null = null): InboxEntry => ({
  updateId: nextId++,
  chatKey,
  sender,
  lang: 'zh-hans',
  payload: Buffer.from('ciphertext'),
  token,
});
const statusOf = async (updateId: number) =>
  (await db.updateReceipt.findFirstOrThrow({ where: { botId: BOT, updateId } })).status;

describe('the update inbox', () => {
  it('writes a batch, takes the free chats and claims the first update of each, in one statement', async () => {
    await db.telegramUser.create({ data: { telegramId: 501n, chatId: 501n, locale: 'en' } });
    await db.conversationState.create({ data: { key: '501', data: Buffer.from('state-501') } });
    const batch = [entry('501', tokenA, 501), entry('502', tokenA), entry('501', tokenA, 501)];
    const rows = await inbox.enqueue(BOT, batch, LEASE);
    expect(rows.map((r) => [r.fresh, r.holder, r.claim?.attempt])).toEqual([
      [true, tokenA, 1],
      [true, tokenA, 1],
      [true, tokenA, undefined],
    ]);
    // The private chat's sender was touched and their form state read with the claim.
    expect(rows[0]?.claim).toMatchObject({ user: { locale: 'en', registered: false } });
    expect(Buffer.from(rows[0]?.claim?.state ?? []).toString()).toBe('state-501');
    expect(rows[1]?.claim?.user).toBeUndefined();
    expect(await statusOf(batch[0]?.updateId ?? 0)).toBe('in_progress');
    expect(await statusOf(batch[2]?.updateId ?? 0)).toBe('pending');
    // The same batch again (Telegram sent it twice): copies, nothing claimed, nothing taken.
    const again = await inbox.enqueue(BOT, batch, LEASE);
    expect(again.map((r) => [r.fresh, r.status, r.claim])).toEqual([
      [false, 'in_progress', undefined],
      [false, 'in_progress', undefined],
      [false, 'pending', undefined],
    ]);
  });

  it('a chat held by another only gets a knock; the holder cannot give it up past that knock', async () => {
    const first = entry('503', tokenA);
    const [a] = await inbox.enqueue(BOT, [first], LEASE);
    const knocks = a?.claim?.knocks ?? '';
    // Another instance writes the chat's next update while A holds it.
    const second = entry('503', tokenB);
    const [b] = await inbox.enqueue(BOT, [second], LEASE);
    expect(b).toMatchObject({ fresh: true, holder: tokenA });
    expect(b?.claim).toBeUndefined();
    // A finishes its update with the knocks it saw when it claimed: the chat is kept (something knocked).
    const done = await inbox.finish(
      BOT,
      { updateId: first.updateId, chatKey: '503' },
      tokenA,
      'done',
      knocks,
    );
    expect(done).toEqual({ finished: true, released: false });
    // A looks again: the second update.
    const next = await inbox.claimNext(BOT, '503', tokenA, LEASE);
    expect(next).toMatchObject({ kind: 'claimed', updateId: second.updateId, attempt: 1 });
    if (next.kind !== 'claimed') throw new Error('not claimed');
    expect(
      await inbox.finish(BOT, { updateId: second.updateId, chatKey: '503' }, tokenA, 'done', next.knocks),
    ).toEqual({ finished: true, released: true });
    // Given up: the next update takes the chat at once, with its own token.
    const [c] = await inbox.enqueue(BOT, [entry('503', tokenB)], LEASE);
    expect(c).toMatchObject({ holder: tokenB, claim: { attempt: 1 } });
  });

  it('an explicit release fails when something knocked after the look, and succeeds when nothing is open', async () => {
    const only = entry('504', tokenA);
    const [a] = await inbox.enqueue(BOT, [only], LEASE);
    await inbox.finish(BOT, { updateId: only.updateId, chatKey: '504' }, tokenA, 'done', '0'); // stale knocks: kept
    const look = await inbox.claimNext(BOT, '504', tokenA, LEASE);
    expect(look.kind).toBe('empty');
    if (look.kind !== 'empty') throw new Error('not empty');
    await inbox.enqueue(BOT, [entry('504', null)], LEASE); // a knock after the look
    expect(await inbox.release(BOT, '504', tokenA, look.knocks)).toBe(false);
    expect(a?.holder).toBe(tokenA);
  });

  it('a lease that ran out is found by the sweep and taken over; a poller gives every lease up at start', async () => {
    const held = entry('505', tokenA);
    await inbox.enqueue(BOT, [held], LEASE);
    expect(await inbox.orphans(BOT, 10)).not.toContain('505');
    expect((await inbox.claimNext(BOT, '505', tokenB, LEASE)).kind).toBe('lost');
    await db.$executeRaw`update chat_lease set lease_until = lease_until - interval '2 minutes' where chat_key = '505'`;
    expect(await inbox.orphans(BOT, 10)).toContain('505');
    // B takes the chat over and claims the dead holder's update again: its second attempt.
    expect(await inbox.claimNext(BOT, '505', tokenB, LEASE)).toMatchObject({
      kind: 'claimed',
      updateId: held.updateId,
      attempt: 2,
    });
    expect(await inbox.releaseAll(BOT)).toBeGreaterThan(0);
    expect(await inbox.orphans(BOT, 10)).toContain('505');
  });

  it('finishing an update while a copy of it is being written: the copy waits for the finish, no deadlock', async () => {
    // Instance A finishes update U; meanwhile B writes its copy of U. B's statement knocks on the chat's lease row
    // first, then its insert meets U's receipt row. A's finish must take the lease row before the receipt row,
    // or each waits for the other and PostgreSQL breaks the deadlock by failing one of them.
    const u = entry('506', tokenA);
    const [a] = await inbox.enqueue(BOT, [u], LEASE);
    const copy = new pg.Client({ connectionString: database.url });
    await copy.connect();
    try {
      await copy.query('begin');
      await copy.query(`update chat_lease set knocks = knocks + 1 where bot_id = $1 and chat_key = '506'`, [
        BOT,
      ]);
      const finishing = inbox.finish(
        BOT,
        { updateId: u.updateId, chatKey: '506' },
        tokenA,
        'done',
        a?.claim?.knocks ?? '',
      );
      // A's finish is now waiting for the lease row …
      const waitingSince = Date.now();
      for (;;) {
        const { rows } = await copy.query(
          `select 1 from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()
              and query like '%payload = null%' limit 1`,
        );
        if (rows.length > 0) break;
        // Generous: on a loaded machine the finish may take a while to reach the database.
        if (Date.now() - waitingSince > 30_000) throw new Error('the finish never waited for the lease row');
        await new Promise((r) => setTimeout(r, 20));
      }
      // … without holding U's receipt row: the copy's insert finds it at once, and the copy commits.
      await copy.query(`set local lock_timeout = '3s'`);
      const inserted = await copy.query(
        `insert into update_receipt (bot_id, update_id, status, attempts, chat_key, first_seen_at)
         values ($1, $2, 'pending', 0, '506', now()) on conflict (bot_id, update_id) do nothing returning 1`,
        [BOT, u.updateId],
      );
      expect(inserted.rowCount).toBe(0);
      await copy.query('commit');
      // A's finish then goes through; the chat is kept (the copy knocked after A looked).
      expect(await finishing).toEqual({ finished: true, released: false });
      expect(await statusOf(u.updateId)).toBe('done');
    } finally {
      await copy.end();
    }
  }, 60_000);
});
