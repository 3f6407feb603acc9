// Erasure (/deleteme), the retention rule and the copy (/mydata) are complete: a resident who has done
// everything the bot offers (household with members, a case of every service with files, a rating, an
// answered question from staff, notices received and read, notices turned off, messages still queued, a form
// half filled, a refused staff button, an earlier copy of their data) is searched for in EVERY table of the
// schema. The tables and their columns are read from the database's catalogue (information_schema), not
// from a list kept here: a table added tomorrow that holds the person makes these tests fail until erasure,
// retention and the copy cover it. What is searched for, per column type:
//   bigint/numeric  the Telegram id (equal)
//   uuid            the resident's, household's and members' ids (equal)
//   text, varchar, json(b), arrays (as text)
//                   the Telegram id (as a whole number), those ids, the name, phone and ID numbers in clear,
//                   the members' names
//   bytea           the keyed hashes and the ciphertexts exactly as stored (contained)
// The few rows allowed to stay are listed below, each with its reason.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHousekeeping, RECEIPT_DAYS } from '../../src/app/jobs/housekeeping.ts';
import { communityNoticeButtons } from '../../src/bot/buttons.ts';
import { createConversationStateRepository } from '../../src/db/repositories/conversation-state.ts';
import { createNoticeDeliveryRepository } from '../../src/db/repositories/notice-deliveries.ts';
import { createUpdateReceiptRepository } from '../../src/db/repositories/update-receipts.ts';
import {
  DEFAULT_SERVICES,
  type ServiceAnswers,
  type ServiceDefinition,
} from '../../src/domain/catalogue/index.ts';
import { audienceDay } from '../../src/domain/notice.ts';
import { createLogger } from '../../src/logger.ts';
import { createHarness, type Harness, type SimUser } from '../support/bot-harness.ts';
import { birthDateForAge, makeIdNumber } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';
import { ADMIN, draft, WANGJIA } from '../support/notice-scene.ts';
import { caseWorkers, makeStaff } from '../support/staff-scene.ts';

const DAY = 86_400_000;
let h: Harness;
let db: pg.Client;
beforeAll(async () => {
  h = await createHarness({ adminIds: [ADMIN] });
  db = new pg.Client({ connectionString: h.database.url });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await h.close();
});

// ---------- what is searched for ----------

type Needle =
  | { label: string; kind: 'int'; value: bigint }
  | { label: string; kind: 'uuid'; value: string }
  | { label: string; kind: 'text'; value: string }
  | { label: string; kind: 'bytes'; value: Uint8Array };

/** One row that holds at least one needle: its table, its columns (as JSON) and what was found where. */
interface Hit {
  table: string;
  row: Record<string, unknown>;
  found: string[];
}

/** Every base table of the schema with its columns and their types, from the catalogue. */
async function schemaColumns(): Promise<Map<string, { column: string; type: string }[]>> {
  const { rows } = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `select c.table_name, c.column_name, c.data_type
       from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
        and c.table_name <> '_prisma_migrations'
      order by c.table_name, c.ordinal_position`,
  );
  const tables = new Map<string, { column: string; type: string }[]>();
  for (const r of rows) {
    const list = tables.get(r.table_name) ?? [];
    list.push({ column: r.column_name, type: r.data_type });
    tables.set(r.table_name, list);
  }
  return tables;
}

const TEXT_TYPES = new Set(['text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY']);

/** Searches every table of the schema for the needles. */
async function search(needles: Needle[]): Promise<Hit[]> {
  const tables = await schemaColumns();
  expect(tables.size).toBeGreaterThan(20); // the catalogue was read, not an empty schema
  const hits: Hit[] = [];
  for (const [table, columns] of tables) {
    const params: unknown[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const checks: string[] = [];
    for (const { column, type } of columns) {
      const col = `t.${pg.escapeIdentifier(column)}`;
      for (const n of needles) {
        let cond: string | null = null;
        if ((type === 'bigint' || type === 'numeric') && n.kind === 'int') {
          cond = `${col} = ${param(n.value.toString())}::numeric`;
        } else if (type === 'uuid' && n.kind === 'uuid') {
          cond = `${col} = ${param(n.value)}::uuid`;
        } else if (TEXT_TYPES.has(type) && n.kind !== 'bytes') {
          const text = `${col}::text`;
          if (n.kind === 'int') cond = `${text} ~ ${param(`(^|[^0-9])${n.value}([^0-9]|$)`)}`;
          else cond = `strpos(lower(${text}), lower(${param(n.value)})) > 0`;
        } else if (type === 'bytea' && n.kind === 'bytes' && n.value.length > 0) {
          cond = `position(${param(Buffer.from(n.value))}::bytea in ${col}) > 0`;
        }
        if (cond) checks.push(`case when ${cond} then ${param(`${n.label} in ${column}`)}::text end`);
      }
    }
    if (checks.length === 0) continue;
    const { rows } = await db.query<{ row: Record<string, unknown>; found: string[] }>(
      `select * from (
         select to_jsonb(t) as row, array_remove(array[${checks.join(', ')}], null) as found
           from ${pg.escapeIdentifier(table)} t) x
        where cardinality(found) > 0`,
      params,
    );
    for (const r of rows) hits.push({ table, row: r.row, found: r.found });
  }
  return hits;
}

const describeHits = (hits: Hit[]) => hits.map((x) => `${x.table}: ${x.found.join(', ')}`);
const tablesOf = (hits: Hit[]) => [...new Set(hits.map((x) => x.table))].sort();
/** A timestamp column as to_jsonb prints it (UTC, without a zone) → ISO. */
const isoOf = (v: unknown) =>
  v === null || v === undefined ? null : new Date(`${String(v)}Z`).toISOString();

// ---------- a resident who has done everything ----------

interface Person {
  u: SimUser;
  staffIds: number[];
  cases: { id: string; number: string; serviceCode: string }[];
  noticeIds: string[];
  needles: Needle[];
}

/** Valid answers to every step of a service, as the form would send them (files on every files step). */
async function answersFor(
  service: ServiceDefinition,
  people: { id: string; name: string; birthDate: string; self: boolean }[],
): Promise<ServiceAnswers> {
  const answers: ServiceAnswers = {};
  const today = new Date();
  for (const step of service.steps) {
    if (step.when && !step.when({ answers, today, people })) continue;
    switch (step.kind) {
      case 'choice': {
        const option = step.options.find((o) => !step.stopOn?.includes(o)) as string;
        answers[step.id] = { value: option, label: option };
        break;
      }
      case 'text':
        answers[step.id] = { value: '家里的情况写在这里', label: '家里的情况写在这里' };
        break;
      case 'money':
        answers[step.id] = { value: '800', label: '800 元' };
        break;
      case 'person': {
        // A member rather than the resident, so that staff looking at it see a member's ID number too.
        const fits = people.filter(
          (p) => (!p.self || step.includeSelf) && (!step.filter || step.filter(p, today)),
        );
        const p = fits.find((x) => !x.self) ?? fits[0];
        if (!p) throw new Error(`nobody fits ${service.code}.${step.id}`);
        answers[step.id] = { value: p.id, label: p.name };
        break;
      }
      case 'reference': {
        if (step.extraOption) {
          answers[step.id] = { value: step.extraOption, label: step.extraOption };
          break;
        }
        const { districtCode } = await h.db.community.findUniqueOrThrow({ where: { code: WANGJIA } });
        const item =
          step.source === 'hospitals'
            ? await h.db.hospital.findFirstOrThrow({ where: { districtCode } })
            : step.source === 'courses'
              ? (await h.deps.reference.offeredCourses(districtCode))[0]
              : await h.db.school.findFirstOrThrow({ where: { districtCode } });
        if (!item) throw new Error(`no ${step.source} to offer for ${service.code}.${step.id}`);
        answers[step.id] = { value: item.code, label: item.nameZh };
        break;
      }
      case 'files':
        answers[step.id] = {
          value: null,
          label: '1 张照片',
          files: [{ kind: 'photo', fileId: `f-${service.code}`, fileUniqueId: `fu-${service.code}` }],
        };
        break;
      case 'phone':
        answers[step.id] = { value: 'registered', label: '登记的手机号' };
        break;
    }
  }
  return answers;
}

/**
 * Registers `telegramId` and has them do everything. `staffBase`: Telegram ids of the staff (one per
 * department). Cases end resolved and rated, except the suggestion, which stays open (waiting for the
 * resident's answer to a second question).
 */
async function residentWhoDidEverything(
  telegramId: number,
  who: { name: string; phone: string; spouse: string; child: string; seq: number },
  staffBase: number,
): Promise<Person> {
  const u = h.user(telegramId);
  const idNumber = makeIdNumber({ birthDate: '1979-09-09', seq: who.seq });
  await registerResident(u, { name: who.name, phone: who.phone, idNumber });
  const spouseId = makeIdNumber({ birthDate: '1981-02-02', seq: who.seq + 1, sex: 'female' });
  const childBirth = birthDateForAge(6);
  const childId = makeIdNumber({ birthDate: childBirth, seq: who.seq + 2 });
  await addMember(h, u.id, {
    name: who.spouse,
    relation: 'spouse',
    birthDate: '1981-02-02',
    idNumber: spouseId,
  });
  await addMember(h, u.id, { name: who.child, relation: 'child', birthDate: childBirth, idNumber: childId });
  await u.text('/notices off');

  const own = await h.db.resident.findUniqueOrThrow({
    where: { telegramId: BigInt(u.id) },
    include: { household: { include: { members: true } } },
  });
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const people = [
    { id: own.id, name: own.name, birthDate: day(own.birthDate), self: true },
    ...own.household.members.map((m) => ({
      id: m.id,
      name: m.name,
      birthDate: day(m.birthDate),
      self: false,
    })),
  ];
  const cases: Person['cases'] = [];
  for (const service of DEFAULT_SERVICES) {
    const r = await h.deps.cases.submit(
      u.id,
      service.code,
      await answersFor(service, people),
      // As the form makes it: the chat id (the Telegram id), the service, when the form started.
      `${u.id}:${service.code}:${Date.now()}`,
    );
    if (!r.ok) throw new Error(`${service.code}: ${r.error}`);
    cases.push({ id: r.value.caseId, number: r.value.number, serviceCode: service.code });
  }
  expect(cases.map((c) => c.serviceCode).sort()).toEqual(DEFAULT_SERVICES.map((s) => s.code).sort());

  // Notices while the dibao case is open: one to "residents with an open dibao case" (important, read),
  // one to the whole community (important, not read). Recipients are fixed as the sender does, and the
  // deliveries recorded as sent.
  const noticeIds: string[] = [];
  for (const [i, audience] of [
    { kind: 'open_case' as const, serviceCode: 'dibao' },
    { kind: 'community' as const },
  ].entries()) {
    const r = await h.deps.notices.create(
      { telegramId: ADMIN, chatId: ADMIN, locale: 'zh-CN' },
      draft({ audience, important: true, textZh: `第 ${i + 1} 条通知：请带好材料` }),
      `erasure-notice:${who.seq}:${i}`,
    );
    if (!r.ok) throw new Error(`notice: ${r.error}`);
    noticeIds.push(r.value.id);
  }
  const sender = createNoticeDeliveryRepository(h.db, { defaultLocale: 'zh-CN' });
  for (let i = 0; i < 3; i++) await sender.startDue(new Date(), audienceDay(new Date()), [ADMIN]);
  const sent = await h.db.noticeDelivery.updateMany({
    where: { telegramId: BigInt(u.id), noticeId: { in: noticeIds } },
    data: { status: 'delivered', sentAt: new Date(), finishedAt: new Date(), messageId: 77 },
  });
  expect(sent.count).toBe(2);
  await u.press(communityNoticeButtons.read.pack({ noticeId: noticeIds[0] as string }));

  // Staff work every case: take, look (card, full identity, files), ask, note, reply, resolve.
  const workers = caseWorkers(h);
  const staffIds: number[] = [];
  const staffOf = new Map<string, number>();
  for (const c of cases) {
    const { departmentCode } = await h.db.case.findUniqueOrThrow({ where: { id: c.id } });
    let staffId = staffOf.get(departmentCode);
    if (staffId === undefined) {
      staffId = staffBase + staffOf.size;
      await makeStaff(h, staffId, departmentCode, { displayName: `窗口${staffId}` });
      staffOf.set(departmentCode, staffId);
      staffIds.push(staffId);
    }
    expect((await h.deps.staff.take(staffId, c.id)).ok).toBe(true);
    expect((await h.deps.staff.card(staffId, c.id)).ok).toBe(true);
    await h.deps.staff.revealIdentity(staffId, c.id); // refused (and audited) for an anonymous case
    expect((await h.deps.staff.attachments(staffId, c.id)).ok).toBe(true);
    expect((await h.deps.staff.askInfo(staffId, c.id, '请补一张户口本照片')).ok).toBe(true);
    await workers.drain(); // these messages were sent; those below stay queued
    const answered = await h.deps.cases.answerInfo(u.id, c.id, {
      text: `补充：我的电话 ${who.phone}`,
      files: [{ kind: 'photo', fileId: `ans-${c.number}`, fileUniqueId: `ans-u-${c.number}` }],
    });
    expect(answered.ok).toBe(true);
    expect((await h.deps.staff.note(staffId, c.id, '已经电话核实')).ok).toBe(true);
    expect((await h.deps.staff.reply(staffId, c.id, '材料收到了')).ok).toBe(true);
    if (c.serviceCode === 'suggestion') {
      expect((await h.deps.staff.askInfo(staffId, c.id, '是哪一栋楼？')).ok).toBe(true);
      continue;
    }
    expect((await h.deps.staff.resolve(staffId, c.id, '办好了')).ok).toBe(true);
    expect((await h.deps.cases.rate(u.id, c.id, 5, '办得很快，谢谢')).ok).toBe(true);
  }
  // The web console: the household's file opened, its full numbers shown, a search by ID number (audited,
  // naming the resident and members: the erasure must unlink those rows too).
  const firstStaff = staffIds[0] as number;
  const { householdId } = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(u.id) } });
  expect((await h.deps.consoleLookup.household(firstStaff, householdId, { reveal: true })).ok).toBe(true);
  expect((await h.deps.consoleLookup.search(firstStaff, idNumber)).ok).toBe(true);
  // A forged staff button (refused and audited with the presser's id), an earlier copy of their data, a
  // form put aside (kept as a draft to go on with), and a form half filled.
  await u.press(`st:open:${(cases[0] as { id: string }).id}`);
  expect(await h.deps.privacy.exportMine(u.id)).not.toBeNull();
  await u.text('/services');
  await u.tap(/申请低保/);
  await u.tap('对，就是这些人');
  await u.text('900');
  await u.text('/mycases');
  await u.text('/services');
  await u.tap(/意见箱/);

  const resident = await h.db.resident.findUniqueOrThrow({
    where: { telegramId: BigInt(u.id) },
    include: { household: { include: { members: true } } },
  });
  const needles: Needle[] = [
    { label: 'telegram id', kind: 'int', value: BigInt(u.id) },
    { label: 'resident id', kind: 'uuid', value: resident.id },
    { label: 'household id', kind: 'uuid', value: resident.householdId },
    { label: 'name', kind: 'text', value: who.name },
    { label: 'phone', kind: 'text', value: who.phone },
    { label: 'ID number', kind: 'text', value: idNumber },
    { label: 'ID number hash', kind: 'bytes', value: resident.idNumberHash },
    { label: 'ID number as stored', kind: 'bytes', value: resident.idNumberCipher },
    { label: 'phone as stored', kind: 'bytes', value: resident.phoneCipher },
  ];
  if (resident.phoneHash) needles.push({ label: 'phone hash', kind: 'bytes', value: resident.phoneHash });
  for (const [i, m] of resident.household.members.entries()) {
    needles.push(
      { label: `member ${i} id`, kind: 'uuid', value: m.id },
      { label: `member ${i} name`, kind: 'text', value: m.name },
    );
    if (m.idNumberHash) needles.push({ label: `member ${i} ID hash`, kind: 'bytes', value: m.idNumberHash });
    if (m.idNumberCipher)
      needles.push({ label: `member ${i} ID as stored`, kind: 'bytes', value: m.idNumberCipher });
  }
  needles.push(
    { label: 'spouse ID number', kind: 'text', value: spouseId },
    { label: 'child ID number', kind: 'text', value: childId },
  );
  return { u, staffIds, cases, noticeIds, needles };
}

/**
 * Rows that may hold the person after /deleteme, and why. Nothing else may.
 * - update_receipt: the receipt of the update that asked for the erasure (and of any later update) is
 *   finished after the erasure, so it still names its sender and chat; it holds no content (the payload is
 *   cleared when an update is finished) and is swept with every receipt after RECEIPT_DAYS (Telegram
 *   redelivers for 24 hours). Receipts finished before the erasure lose sender and chat in it.
 * - chat_lease: the lease of the chat that carried the erasure, released when that update finished; it holds
 *   only the chat id and is swept after RECEIPT_DAYS like the receipts.
 */
const AFTER_ERASURE: Record<string, (row: Record<string, unknown>, erasedAt: Date) => boolean> = {
  update_receipt: (row, erasedAt) =>
    row.finished_at !== null &&
    row.payload === null &&
    new Date(isoOf(row.first_seen_at) as string).getTime() >= erasedAt.getTime() - 1_000,
  chat_lease: (row) => row.token === null,
};

describe('erasure, retention and the copy reach every table that holds the person', () => {
  it('/deleteme leaves nothing that leads back to the person, in any table of the schema', async () => {
    const p = await residentWhoDidEverything(
      7_319_468_205,
      { name: '洪雪松', phone: '13912345678', spouse: '柏青禾', child: '洪小溪', seq: 501 },
      7_100_000_100,
    );
    const before = await search(p.needles);
    // The search sees the person where they are (so that "nothing found" below means something).
    expect(tablesOf(before)).toEqual(
      expect.arrayContaining([
        'audit_log',
        'broadcast_delivery',
        'case',
        'case_event',
        'conversation_state',
        'household',
        'household_member',
        'notice_preference',
        'notification',
        'resident',
        'telegram_user',
        'update_receipt',
      ]),
    );
    expect(before.some((x) => x.table === 'notification' && x.row.status === 'pending')).toBe(true);
    expect(
      before
        .filter((x) => x.table === 'conversation_state')
        .map((x) => String(x.row.key).startsWith('draft:')),
    ).toEqual(expect.arrayContaining([true, false]));
    expect(before.some((x) => x.table === 'broadcast_delivery' && x.row.read_at !== null)).toBe(true);
    expect(before.some((x) => x.table === 'audit_log' && String(x.row.subject).includes('resident:'))).toBe(
      true,
    );

    const erasedAt = new Date();
    await p.u.text('/deleteme');
    await p.u.tap('确定删除');
    expect(p.u.lastText()).toContain('已经删除');

    const after = await search(p.needles);
    const unexplained = after.filter((x) => !AFTER_ERASURE[x.table]?.(x.row, erasedAt));
    expect(describeHits(unexplained)).toEqual([]);

    // The anonymised figures stay: every case, its service, status, dates and rating.
    const figures = await h.db.case.findMany({ where: { id: { in: p.cases.map((c) => c.id) } } });
    expect(figures).toHaveLength(DEFAULT_SERVICES.length);
    for (const c of figures) {
      expect(c.anonymisedAt).not.toBeNull();
      expect(['closed', 'withdrawn', 'resolved']).toContain(c.status);
    }
    expect(figures.filter((c) => c.rating === 5)).toHaveLength(DEFAULT_SERVICES.length - 1);
    // The notices keep their figures (sent to, read by), not who.
    const notice = await h.db.notice.findUniqueOrThrow({ where: { id: p.noticeIds[0] as string } });
    expect(notice.readCount).toBe(1);

    // What was allowed to stay goes with the nightly housekeeping, RECEIPT_DAYS later.
    const housekeeping = createHousekeeping({
      applyRetention: (days) => h.deps.privacy.applyRetention(days),
      receipts: createUpdateReceiptRepository(h.db),
      forms: createConversationStateRepository(h.db),
      retentionDays: 365,
      logger: createLogger('silent'),
      now: () => new Date(Date.now() + (RECEIPT_DAYS + 1) * DAY),
    });
    await housekeeping.runOnce();
    expect(describeHits(await search(p.needles))).toEqual([]);
  });

  it('after the retention period, closed cases lead back to nobody; open ones keep their resident', async () => {
    const p = await residentWhoDidEverything(
      7_319_468_206,
      { name: '龙远山', phone: '13912340000', spouse: '欧阳青', child: '龙小河', seq: 601 },
      7_100_000_200,
    );
    const open = p.cases.find((c) => c.serviceCode === 'suggestion') as Person['cases'][number];
    const closed = p.cases.filter((c) => c !== open);
    // Resolved long ago and closed since (as the deadline watcher closes answered cases).
    await h.db.case.updateMany({
      where: { id: { in: closed.map((c) => c.id) } },
      data: { status: 'closed', closedAt: new Date(Date.now() - 400 * DAY) },
    });
    const caseNeedles = (list: Person['cases']): Needle[] =>
      list.flatMap((c) => [
        { label: `case ${c.number}`, kind: 'uuid' as const, value: c.id },
        { label: `case ${c.number}`, kind: 'text' as const, value: c.id },
        { label: `case ${c.number}`, kind: 'text' as const, value: c.number },
      ]);
    /** Rows that name one of `list`'s cases and the person at once. */
    const linked = async (list: Person['cases']) => {
      const labels = new Set(list.map((c) => `case ${c.number}`));
      const hits = await search([...caseNeedles(list), ...p.needles]);
      return hits.filter(
        (x) =>
          x.found.some((f) => labels.has(f.split(' in ')[0] as string)) &&
          x.found.some((f) => !f.startsWith('case ')),
      );
    };
    expect(tablesOf(await linked(closed))).toEqual(
      expect.arrayContaining(['audit_log', 'case', 'case_event', 'notification']),
    );

    const housekeeping = createHousekeeping({
      applyRetention: (days) => h.deps.privacy.applyRetention(days),
      receipts: createUpdateReceiptRepository(h.db),
      forms: createConversationStateRepository(h.db),
      retentionDays: 365,
      logger: createLogger('silent'),
    });
    expect((await housekeeping.runOnce()).anonymisedCases).toBe(closed.length);

    expect(describeHits(await linked(closed))).toEqual([]);
    // The open case is still theirs, and the person is still registered.
    expect(tablesOf(await linked([open]))).toEqual(expect.arrayContaining(['case']));
    expect(await h.db.resident.count({ where: { telegramId: BigInt(p.u.id) } })).toBe(1);
    // The figures stay.
    const figures = await h.db.case.findMany({ where: { id: { in: closed.map((c) => c.id) } } });
    expect(figures.every((c) => c.status === 'closed' && c.rating === 5 && c.anonymisedAt !== null)).toBe(
      true,
    );
  });

  it('the audit log stays append-only: only the redaction that erasure and retention make is accepted', async () => {
    const { rows } = await db.query<{ id: string }>(
      `insert into audit_log (actor_telegram_id, action, case_id, subject, detail)
       values (7319468299, 'pii.view', null,
               'resident:0b7e8a52-2f7e-4d8e-9a57-6f1d2c3b4a59,member:1c8f9b63-3a8f-4e9f-8b68-7a2e3d4c5b6a',
               '{"fields": ["idNumber"]}')
       returning id`,
    );
    const id = (rows[0] as { id: string }).id;
    const refused = async (sql: string) => expect(db.query(sql, [id])).rejects.toThrow(/append-only/);
    await refused(`update audit_log set action = 'case.view' where id = $1`);
    await refused(`update audit_log set actor_telegram_id = 1 where id = $1`);
    await refused(`update audit_log set subject = 'resident:x' where id = $1`);
    await refused(`update audit_log set detail = '{}' where id = $1`);
    await refused(`update audit_log set actor_telegram_id = null, at = now() where id = $1`);
    await refused(`delete from audit_log where id = $1`);
    await db.query(
      `update audit_log set actor_telegram_id = null, subject = audit_log_redacted_subject(subject)
        where id = $1`,
      [id],
    );
    const after = await db.query(
      'select actor_telegram_id, action, subject, detail from audit_log where id = $1',
      [id],
    );
    expect(after.rows[0]).toEqual({
      actor_telegram_id: null,
      action: 'pii.view',
      subject: 'resident,member',
      detail: { fields: ['idNumber'] },
    });
  });

  it('/mydata lists every row of every table that holds the person', async () => {
    const p = await residentWhoDidEverything(
      7_319_468_207,
      { name: '樊春晓', phone: '13912341111', spouse: '司马言', child: '樊小宇', seq: 701 },
      7_100_000_300,
    );
    // An administrator exports the day's cases with personal data: an export about the person too.
    const exported = await h.deps.admin.exportCases(
      { telegramId: ADMIN },
      { from: new Date(Date.now() - DAY), to: new Date(Date.now() + DAY), withPersonalData: true },
    );
    expect(exported.ok).toBe(true);
    const mine = await h.deps.privacy.exportMine(p.u.id);
    if (!mine) throw new Error('no copy');
    expect(mine.audit.filter((a) => a.action === 'pii.export')).toEqual([
      expect.objectContaining({ by: 'staff', caseNumber: null }),
    ]);
    const hits = await search(p.needles);
    const numberOf = new Map(p.cases.map((c) => [c.id, c.number]));
    const caseOf = (id: unknown) => mine.cases.find((c) => c.number === numberOf.get(String(id)));
    /** How each table's row shows in the copy. A table missing here that holds the person fails the test. */
    const inCopy: Record<string, (row: Record<string, unknown>) => boolean> = {
      telegram_user: (row) => mine.account?.telegramId === String(row.telegram_id),
      resident: (row) => mine.resident?.name === row.name,
      household: () => mine.household !== null,
      household_member: (row) => mine.household?.members.some((m) => m.name === row.name) ?? false,
      case: (row) => caseOf(row.id) !== undefined,
      case_event: (row) =>
        caseOf(row.case_id)?.history.some((e) => e.at === isoOf(row.at) && e.kind === row.kind) ?? false,
      notification: (row) =>
        mine.notifications.some((n) => n.kind === row.kind && n.createdAt === isoOf(row.created_at)),
      broadcast_delivery: (row) =>
        mine.notices.some((n) => n.sentAt === isoOf(row.sent_at) && n.readAt === isoOf(row.read_at)),
      notice_preference: (row) => mine.noticesMutedAt === isoOf(row.muted_at),
      audit_log: (row) => mine.audit.some((a) => a.at === isoOf(row.at) && a.action === row.action),
      conversation_state: (row) =>
        String(row.key).startsWith('draft:') ? mine.formDraftKept : mine.formInProgress,
    };
    /**
     * Held about the person but not in the copy, and why:
     * - update_receipt, chat_lease: which updates Telegram delivered, kept for RECEIPT_DAYS to handle each
     *   once and in order; they hold no content once an update is finished, and listing them would tell the
     *   person only that they wrote to the bot.
     */
    const notInCopy = new Set(['update_receipt', 'chat_lease']);
    const missing = hits.filter((x) => !notInCopy.has(x.table) && !inCopy[x.table]?.(x.row));
    expect(describeHits(missing)).toEqual([]);
    expect(tablesOf(hits)).toEqual(expect.arrayContaining(Object.keys(inCopy).sort()));

    // The copy names who looked at the person's data: the staff member, by name.
    const views = mine.audit.filter((a) => a.action === 'pii.view');
    expect(views.length).toBeGreaterThan(0);
    expect(views.every((a) => a.by === 'staff' && a.staffName?.startsWith('窗口'))).toBe(true);
    // What staff did with the cases is in their history; the audit part lists looks, not actions.
    expect(mine.audit.some((a) => a.action === 'case.reply' || a.action === 'case.note')).toBe(false);
    expect(mine.audit.filter((a) => a.action === 'personal_data_exported' && a.by === 'you')).toHaveLength(2);
    // …and the file sent says so, in words.
    const doc = (await p.u.text('/mydata')).find((c) => c.method === 'sendDocument');
    const text = (doc?.payload.document as { content: string } | undefined)?.content ?? '';
    for (const expected of [
      '【收到的社区通知】（2 条）',
      '点了“已读”',
      '普通通知：',
      '【谁用过您的资料】',
      '看了完整信息',
      '导出了办事单（带个人信息），工作人员或管理员',
      '窗口',
    ]) {
      expect(text).toContain(expected);
    }
  });
});
