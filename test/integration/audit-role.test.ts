// The audit log's append-only rule holds against the bot's own database role. The README ("Personal
// data") documents two roles: an owner that runs the migrations, and the bot, which owns nothing. This test
// creates a bot role, grants it exactly the README's block (read from the README, not copied here), connects
// as it, and shows that UPDATE, DELETE, TRUNCATE, ALTER TABLE … DISABLE TRIGGER, dropping the trigger or its
// function and session_replication_role all fail on audit_log, while INSERT (and the bot's start: migrations
// with nothing pending, its repositories) work. The test PostgreSQL's role must be allowed to CREATE ROLE;
// if it is not, the test fails and says so (it never skips).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { createStaffRepository } from '../../src/db/repositories/staff.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const README = path.join(import.meta.dirname, '..', '..', 'README.md');

/** The SQL block after `<!-- bot-role-grants -->` in the README, one statement per line. */
async function readmeGrants(): Promise<string[]> {
  const text = await readFile(README, 'utf8');
  const marker = text.indexOf('<!-- bot-role-grants -->');
  if (marker < 0) throw new Error('README.md has no <!-- bot-role-grants --> block');
  const block = /```sql\n([\s\S]*?)```/.exec(text.slice(marker))?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('--'));
}

let database: TestDatabase;
let admin: pg.Client;
let bot: pg.Client;
const role = `bianmin_bot_${randomBytes(4).toString('hex')}`;
const password = randomBytes(12).toString('hex');
let botUrl: string;

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  const { rows } = await admin.query<{ can: boolean }>(
    'select rolsuper or rolcreaterole as can from pg_roles where rolname = current_user',
  );
  if (!rows[0]?.can) {
    throw new Error(
      'The test PostgreSQL role may not CREATE ROLE, so the audit-log role test cannot run: point ' +
        'DATABASE_URL at a superuser or a role WITH CREATEROLE (the README documents the roles it checks).',
    );
  }
  await admin.query(`create role ${role} login password '${password}'`);
  for (const statement of await readmeGrants()) {
    await admin.query(
      statement.replaceAll('bianmin_bot', role).replace(/DATABASE bianmin\b/, `DATABASE ${database.name}`),
    );
  }
  const url = new URL(database.url);
  url.username = role;
  url.password = password;
  botUrl = url.toString();
  bot = new pg.Client({ connectionString: botUrl });
  await bot.connect();
});

afterAll(async () => {
  await bot?.end().catch(() => undefined);
  await admin?.end().catch(() => undefined);
  await database?.drop();
  // The role's rights lived in the dropped database; the role itself is cluster-wide.
  const cleanup = new pg.Client({ connectionString: database.url.replace(/\/[^/]*$/, '/postgres') });
  await cleanup.connect();
  await cleanup.query(`drop role if exists ${role}`);
  await cleanup.end();
});

/** The error PostgreSQL answers `sql` with, as the bot role (or null when it succeeded). */
async function refusal(sql: string): Promise<string | null> {
  try {
    await bot.query(sql);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('the bot role against audit_log', () => {
  it('may insert and read audit rows', async () => {
    expect(
      await refusal(`insert into audit_log (action, detail) values ('role.test', '{"n": 1}')`),
    ).toBeNull();
    const { rows } = await bot.query(`select count(*)::int as n from audit_log where action = 'role.test'`);
    expect(rows[0].n).toBe(1);
  });

  it('may not change, delete or truncate them, nor switch the trigger off in any way', async () => {
    await bot.query(`insert into audit_log (action) values ('role.keep')`);
    const attempts: [string, RegExp][] = [
      [`update audit_log set action = 'changed'`, /permission denied|append-only/],
      // The redaction's columns are granted, but the trigger lets through only the redaction itself.
      [`update audit_log set actor_telegram_id = 42`, /append-only/],
      [`update audit_log set subject = 'case:forged'`, /append-only/],
      [`delete from audit_log`, /permission denied|append-only/],
      [`truncate audit_log`, /permission denied/],
      [`alter table audit_log disable trigger audit_log_append_only`, /must be owner/],
      [`alter table audit_log disable trigger all`, /must be owner/],
      [`drop trigger audit_log_append_only on audit_log`, /must be owner/],
      [
        `create or replace function audit_log_append_only() returns trigger as $$ begin return new; end $$ language plpgsql`,
        /must be owner|permission denied/,
      ],
      [`drop table audit_log`, /must be owner/],
      [`set session_replication_role = replica`, /permission denied/],
      [`alter table audit_log owner to ${role}`, /must be owner/],
    ];
    for (const [sql, expected] of attempts) {
      const error = await refusal(sql);
      expect(error, sql).not.toBeNull();
      expect(error, sql).toMatch(expected);
    }
    const { rows } = await admin.query(
      `select count(*)::int as n from audit_log where action in ('role.test', 'role.keep')`,
    );
    expect(rows[0].n).toBe(2);
    const trigger = await admin.query(
      `select tgenabled from pg_trigger where tgname = 'audit_log_append_only' and tgrelid = 'audit_log'::regclass`,
    );
    expect(trigger.rows).toEqual([{ tgenabled: 'O' }]);
  });

  it('may make the redaction erasure and retention need, and nothing else with it', async () => {
    await admin.query(
      `insert into audit_log (actor_telegram_id, action, subject) values (777, 'role.redact', 'resident:00000000-0000-4000-8000-000000000001')`,
    );
    expect(
      await refusal(
        `update audit_log set actor_telegram_id = null, subject = 'resident' where action = 'role.redact'`,
      ),
    ).toBeNull();
    const { rows } = await admin.query(
      `select actor_telegram_id, subject from audit_log where action = 'role.redact'`,
    );
    expect(rows).toEqual([{ actor_telegram_id: null, subject: 'resident' }]);
  });

  it('why the split: the owner of the tables can switch the trigger off and empty the log (rolled back here)', async () => {
    await admin.query('begin');
    try {
      await admin.query('alter table audit_log disable trigger audit_log_append_only');
      await admin.query('delete from audit_log');
      const { rows } = await admin.query('select count(*)::int as n from audit_log');
      expect(rows[0].n).toBe(0);
    } finally {
      await admin.query('rollback');
    }
    const { rows } = await admin.query('select count(*)::int as n from audit_log');
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('the bot itself works as that role: its start (nothing to migrate) and its repositories', async () => {
    await migrateDatabase(botUrl);
    const db = createDb(botUrl, { poolSize: 2 });
    try {
      const staff = createStaffRepository(db);
      await staff.audit(null, { actorTelegramId: 1, action: 'role.repository' });
      expect(await staff.countAudit(1, 'role.repository', new Date(0))).toBe(1);
      await db.telegramUser.create({ data: { telegramId: 424_242n, chatId: 424_242n } });
      await db.telegramUser.delete({ where: { telegramId: 424_242n } });
      await expect(db.auditLog.deleteMany({ where: { action: 'role.repository' } })).rejects.toThrow();
    } finally {
      await db.$disconnect();
    }
  }, 120_000);
});
