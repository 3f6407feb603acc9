import { randomUUID } from 'node:crypto';
// /next: two staff pressing it at the same moment get two different cases. 8 staff members on two bot
// instances (two connection pools, as two servers would be) take 100 cases at once: 100 distinct
// assignments, none twice, nobody given a case someone else holds. And the order: urgent first, then the
// earliest due.
import type { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piiAt } from '../../src/app/pii-cipher.ts';
import type { BotContext } from '../../src/bot/context.ts';
import { createCaseRepository } from '../../src/db/repositories/cases.ts';
import { createHarness, type Harness } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { makeStaff, textsTo } from '../support/staff-scene.ts';

let h: Harness;
let residentId: string;
let key = 0;
const DEPARTMENT = 'wanshan-civil-affairs';

beforeAll(async () => {
  h = await createHarness();
  const u = h.user(62_000);
  await registerResident(u);
  residentId = (await h.db.resident.findUniqueOrThrow({ where: { telegramId: 62_000n } })).id;
});
afterAll(() => h.close());

async function seedCases(n: number, opts: { prefix: string; urgentEvery?: number; departmentCode?: string }) {
  const repo = createCaseRepository(h.db);
  const base = Date.now() + 86_400_000;
  const numbers: string[] = [];
  for (let i = 0; i < n; i++) {
    const urgent = opts.urgentEvery !== undefined && i % opts.urgentEvery === 0;
    const caseId = randomUUID();
    const created = await repo.create({
      id: caseId,
      serviceCode: 'dibao',
      departmentCode: opts.departmentCode ?? DEPARTMENT,
      casePrefix: opts.prefix,
      year: 2026,
      residentId,
      telegramId: 62_000,
      priority: urgent ? 'urgent' : 'normal',
      anonymous: false,
      answersCipher: h.cipher.encryptJson({ v: 1, answers: {} }, piiAt.caseAnswers(caseId)),
      // Due times spread out, in reverse order of creation.
      dueAt: new Date(base + (n - i) * 60_000),
      submissionKey: `next-test:${key++}`,
      attachments: [],
      notifications: [],
    });
    numbers.push(created.number);
  }
  return numbers;
}

let updateId = 5_000_000;
function command(userId: number, text: string): Update {
  return {
    update_id: updateId++,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: 'private', first_name: '工作人员' },
      from: { id: userId, is_bot: false, first_name: '工作人员', language_code: 'zh-hans' },
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.length }],
    },
  } as Update;
}

describe('/next', () => {
  it('8 staff on two instances take 100 cases at once: 100 distinct assignments, none twice', async () => {
    const numbers = await seedCases(100, { prefix: 'CON' });
    const staffIds = Array.from({ length: 8 }, (_, i) => 72_000 + i);
    const memberIds = new Map<number, string>();
    for (const id of staffIds) memberIds.set(id, await makeStaff(h, id, DEPARTMENT));
    const bots: Bot<BotContext>[] = [h.bot, h.instance()];

    const started = performance.now();
    const takenBy = new Map<number, string[]>();
    await Promise.all(
      staffIds.map(async (id, i) => {
        const bot = bots[i % bots.length] as Bot<BotContext>;
        const mine: string[] = [];
        for (;;) {
          const before = textsTo(h.calls, id).length;
          await bot.handleUpdate(command(id, '/next'));
          const said = textsTo(h.calls, id).slice(before);
          const got = /您受理了 (CON-\d{4}-\d{6})/.exec(said.join('\n'))?.[1];
          if (!got) {
            expect(said.join('\n')).toContain('队列里没有待受理的事了');
            break;
          }
          mine.push(got);
        }
        takenBy.set(id, mine);
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    const all = [...takenBy.values()].flat();
    expect(all).toHaveLength(100);
    expect(new Set(all).size).toBe(100);
    expect(new Set(all)).toEqual(new Set(numbers));
    // More than one person did the work (the test is about doing it at the same time).
    expect([...takenBy.values()].filter((list) => list.length > 0).length).toBeGreaterThan(1);

    // The database agrees: each case accepted once, by the one who was told so.
    const rows = await h.db.case.findMany({
      where: { number: { in: numbers } },
      select: { number: true, status: true, assigneeId: true, events: { where: { kind: 'taken' } } },
    });
    for (const r of rows) {
      expect(r.status).toBe('accepted');
      expect(r.events).toHaveLength(1);
      const holder = [...takenBy.entries()].find(([, list]) => list.includes(r.number))?.[0] as number;
      expect(r.assigneeId).toBe(memberIds.get(holder));
    }
    console.warn(
      `[measure] /next: 8 staff on 2 instances took 100 cases in ${seconds.toFixed(2)} s (${[
        ...takenBy.values(),
      ]
        .map((l) => l.length)
        .join('/')} each)`,
    );
  });

  it('takes urgent cases first, then the earliest due; an empty queue says so', async () => {
    const numbers = await seedCases(4, {
      prefix: 'ORD',
      urgentEvery: 3,
      departmentCode: 'bijiang-civil-affairs',
    });
    // Created in order 0 (urgent, due last), 1, 2, 3 (urgent, due first); due times run backwards.
    await makeStaff(h, 72_100, 'bijiang-civil-affairs');
    const staff = h.user(72_100);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await staff.text('/next');
      const got = /您受理了 (ORD-\d{4}-\d{6})/.exec(staff.texts().slice(-2).join('\n'))?.[1];
      order.push(got as string);
    }
    expect(order).toEqual([numbers[3], numbers[0], numbers[2], numbers[1]]);
    await staff.text('/next');
    expect(staff.lastText()).toContain('队列里没有待受理的事了');
  });

  it('nobody gets a case someone else holds: a taken case cannot be taken again by button', async () => {
    const [number] = await seedCases(1, { prefix: 'HLD', departmentCode: 'songtao-civil-affairs' });
    await makeStaff(h, 72_200, 'songtao-civil-affairs');
    await makeStaff(h, 72_201, 'songtao-civil-affairs');
    const first = h.user(72_200);
    const second = h.user(72_201);
    const c = await h.db.case.findFirstOrThrow({ where: { number } });
    await first.press(`st:take:${c.id}`);
    const refused = await second.press(`st:take:${c.id}`);
    expect(refused.find((x) => x.method === 'answerCallbackQuery')?.payload.text).toContain(
      '别人刚刚已经处理了',
    );
    await second.text('/next');
    expect(second.lastText()).toContain('队列里没有待受理的事了');
    const after = await h.db.case.findUniqueOrThrow({ where: { id: c.id }, include: { assignee: true } });
    expect(after.assignee?.telegramId).toBe(72_200n);
  });
});
