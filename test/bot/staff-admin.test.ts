// Administration and the staff's tools: /stats per department, the CSV export (in the chat and as
// `npm run export`), canned replies managed by an admin and used in a reply, on-duty toggling.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminButtons } from '../../src/bot/buttons.ts';
import { createHarness, type Harness, type SimUser, sentTexts, TEST_KEY } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { type CaseWorkers, caseWorkers, fileSuggestion, makeStaff } from '../support/staff-scene.ts';

const ADMIN = 77_999;
const HOUR = 3600_000;
let h: Harness;
let admin: SimUser;
let resident: SimUser;
let idNumber: string;
let workers: CaseWorkers;

beforeAll(async () => {
  h = await createHarness({ adminIds: [ADMIN] });
  admin = h.user(ADMIN);
  resident = h.user(66_001);
  idNumber = await registerResident(resident);
  workers = caseWorkers(h);
});
afterAll(() => h.close());

describe('/stats', () => {
  it('per department: received, open, overdue, median first response and resolution, average rating', async () => {
    const staffId = await makeStaff(h, 77_001, 'wanshan-neighbourhood');
    const [a, b, c] = [
      await fileSuggestion(h, resident),
      await fileSuggestion(h, resident),
      await fileSuggestion(h, resident),
    ];
    const t0 = new Date(Date.now() - 10 * HOUR);
    const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);
    await h.db.case.update({
      where: { id: a.caseId },
      data: {
        submittedAt: t0,
        firstResponseAt: at(0.5),
        resolvedAt: at(3),
        status: 'resolved',
        rating: 4,
        assigneeId: staffId,
      },
    });
    await h.db.case.update({
      where: { id: b.caseId },
      data: {
        submittedAt: t0,
        firstResponseAt: at(1.5),
        resolvedAt: at(5),
        status: 'resolved',
        rating: 5,
        assigneeId: staffId,
      },
    });
    await h.db.case.update({ where: { id: c.caseId }, data: { submittedAt: t0, dueAt: at(1) } });
    const text = sentTexts(await admin.text('/stats'))[0] ?? '';
    expect(text).toContain('近 30 天各部门统计');
    const block = text.slice(text.indexOf('🏢 万山区社区居委会'));
    expect(block).toContain('收到 3 件 · 未办完 1 件 · 超期 1 件');
    expect(block).toContain('首次响应（中位数）1 小时 0 分');
    expect(block).toContain('办结用时（中位数）4 小时 0 分');
    expect(block).toContain('平均评价 4.5 分（2 个评价）');
    expect(text).not.toContain('碧江区社区居委会'); // no cases there
  });
});

describe('the case export', () => {
  it("in the chat: only without personal data (that export is the console's), audited", async () => {
    await fileSuggestion(h, resident, { text: '署名的意见' });
    const anonymous = await fileSuggestion(h, resident, { anonymous: true, text: '匿名的意见' });
    const plain = await admin.text('/export');
    const doc = plain.find((c) => c.method === 'sendDocument');
    const file = doc?.payload.document as { filename: string; content: string };
    expect(file.filename).toMatch(/^cases-\d{8}-\d{8}\.csv$/);
    expect(String(doc?.payload.caption)).toContain('要含个人信息的表格，请在工作台');
    const lines = file.content
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'number,service,department,department_name,status,priority,anonymous,submitted_at,due_at,first_response_at,resolved_at,closed_at,overdue,rating,assignee',
    );
    expect(lines.some((l) => l.startsWith(`${anonymous.number},suggestion,wanshan-neighbourhood`))).toBe(
      true,
    );
    expect(file.content).not.toContain('杨光明');
    expect(file.content).not.toContain(idNumber);
    // Multipart fields arrive as text.
    expect(String(doc?.payload.protect_content ?? 'false')).toBe('false');
    expect(
      await h.db.auditLog.count({ where: { action: 'cases.export', actorTelegramId: BigInt(ADMIN) } }),
    ).toBe(1);
    // No message offers personal data any more; the old button, still in a chat, points to the console.
    expect(sentTexts(plain).join('\n')).not.toContain('个人信息（姓名');
    const old = await admin.press(
      adminButtons.export.pack({ kind: 'pii', from: '20260101', to: '20270101' }),
    );
    expect(sentTexts(old)).toEqual([expect.stringContaining('含个人信息的表格现在只在工作台')]);
    expect(old.some((c) => c.method === 'sendDocument')).toBe(false);
    expect(await h.db.auditLog.count({ where: { action: 'pii.export' } })).toBe(0);
    const oldPlain = await admin.press(
      adminButtons.export.pack({ kind: 'plain', from: '20260101', to: '20270101' }),
    );
    expect(oldPlain.some((c) => c.method === 'sendDocument')).toBe(true);
  });

  it('takes a period; wrong dates get the usage', async () => {
    expect(sentTexts(await admin.text('/export 2026-13-01'))[0]).toContain('用法');
    expect(sentTexts(await admin.text('/export 2026-11-30 2026-11-01'))[0]).toContain('用法');
    const calls = await admin.text('/export 2020-01-01 2020-01-31');
    const file = calls.find((c) => c.method === 'sendDocument')?.payload.document as { content: string };
    expect(
      file.content
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n'),
    ).toHaveLength(1); // the header only
  });

  it('from the command line (npm run export), personal data only when asked, audited with who ran it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bianmin-export-'));
    try {
      const run = (args: string[]) =>
        promisify(execFile)('node', ['--import', 'tsx', 'scripts/export.ts', ...args], {
          cwd: path.resolve(import.meta.dirname, '../..'),
          env: {
            ...process.env,
            DATABASE_URL: h.database.url,
            PII_KEY: TEST_KEY.toString('hex'),
            LOG_LEVEL: 'silent',
          },
        });
      const plainFile = path.join(dir, 'plain.csv');
      await run(['--out', plainFile]);
      const plain = await readFile(plainFile, 'utf8');
      expect(plain).toContain('SUG-');
      expect(plain).not.toContain(idNumber);
      const personalFile = path.join(dir, 'personal.csv');
      const { stderr } = await run(['--with-personal-data', '--out', personalFile]);
      expect(stderr).toContain('written to');
      expect(await readFile(personalFile, 'utf8')).toContain(idNumber);
      const audit = await h.db.auditLog.findFirstOrThrow({
        where: { action: 'pii.export', subject: { startsWith: 'cli:' } },
      });
      expect(audit.actorTelegramId).toBeNull();
      await expect(run(['--from', 'yesterday'])).rejects.toMatchObject({ code: 64 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('canned replies', () => {
  it('an admin adds one for a department; its staff use it in a reply; deleting it removes it', async () => {
    await admin.text('/canned');
    await admin.tap('万山区社区居委会');
    expect(admin.lastText()).toContain('还没有常用回复');
    await admin.tap('➕ 添加一条');
    expect(sentTexts(await admin.text('长'.repeat(41)))[0]).toContain('最多 40 个字');
    await admin.text('已转物业');
    await admin.text('您好，您反映的问题已经转给物业公司，他们会在三天内处理。');
    expect(admin.lastText()).toContain('已添加常用回复“已转物业”');

    // A neighbour files it: the first resident has MAX_OPEN_CASES_PER_SERVICE suggestions open already.
    const neighbour = h.user(66_002);
    await registerResident(neighbour);
    const { caseId } = await fileSuggestion(h, neighbour, { text: '垃圾没人收' });
    await makeStaff(h, 77_002, 'wanshan-neighbourhood');
    const staff = h.user(77_002);
    await staff.press(`st:take:${caseId}`);
    await staff.tap('💬 回复居民');
    await staff.tap('📋 已转物业');
    expect(staff.lastText()).toContain('他们会在三天内处理');
    await staff.tap('✅ 确定');
    await workers.drain();
    expect(neighbour.lastText()).toContain('他们会在三天内处理');

    // Another department's staff never see it.
    await makeStaff(h, 77_003, 'bijiang-neighbourhood');
    const other = await h.deps.staff.cannedReplies(77_003);
    expect(other.ok && other.value).toEqual([]);
    const id = (await h.db.cannedReply.findFirstOrThrow({ where: { title: '已转物业' } })).id;
    expect(await h.deps.staff.cannedReply(77_003, id)).toEqual({ ok: false, error: 'not_found' });

    await admin.text('/canned wanshan-neighbourhood');
    await admin.tap('🗑 删除“已转物业”');
    expect(await h.db.cannedReply.count()).toBe(0);
    expect(await h.db.auditLog.count({ where: { action: { in: ['canned.added', 'canned.removed'] } } })).toBe(
      2,
    );
  });
});

describe('/duty', () => {
  it('turns on-duty alerts off and on', async () => {
    await makeStaff(h, 77_004, 'wanshan-health', { onDuty: true });
    const staff = h.user(77_004);
    await staff.text('/duty');
    expect(staff.lastText()).toContain('您现在在值班');
    await staff.tap('结束值班');
    expect(staff.lastText()).toContain('不在值班');
    expect((await h.db.staffMember.findFirstOrThrow({ where: { telegramId: 77_004n } })).onDuty).toBe(false);
    await staff.text('/duty on');
    expect((await h.db.staffMember.findFirstOrThrow({ where: { telegramId: 77_004n } })).onDuty).toBe(true);
    expect(await h.db.auditLog.count({ where: { actorTelegramId: 77_004n, action: 'staff.duty' } })).toBe(2);
  });
});
