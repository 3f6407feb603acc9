// Each update handled once, and a chat's updates in order: the same update_id twice (one after the other, at
// the same moment on two instances), a handler that fails and is retried by the gate itself, one that keeps
// failing (set aside, and the chat goes on), an instance that dies holding a chat (its lease), the database
// unreachable when an update arrives, and a resident flooding the bot.
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { FLOOD_LIMIT } from '../../src/bot/create-bot.ts';
import { createUpdateGate } from '../../src/bot/update-gate.ts';
import type { UpdateInbox } from '../../src/bot/update-inbox.ts';
import { createUpdateReceiptRepository } from '../../src/db/repositories/update-receipts.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { BOT_INFO, createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { adultMan, adultWoman } from '../support/fixtures.ts';
import { takeSteps } from '../support/flows.ts';
import { BEFORE, registrationScript } from '../support/registration-script.ts';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

/** The callback_query update a tap on `label` would send, without sending it. */
function tapUpdate(u: SimUser, label: string, updateId: number): Update {
  const found = u.findButton(label);
  if (!found) throw new Error(`no button ${label}`);
  return {
    update_id: updateId,
    callback_query: {
      id: `cq-${updateId}`,
      from: u.from,
      chat_instance: `ci${u.id}`,
      data: found.button.callback_data,
      message: { message_id: found.messageId, date: 0, chat: u.chat, from: BOT_INFO, text: '…' },
    },
  } as Update;
}

function textUpdate(u: SimUser, text: string, updateId: number): Update {
  const entities = text.startsWith('/')
    ? [{ type: 'bot_command', offset: 0, length: text.length }]
    : undefined;
  return {
    update_id: updateId,
    message: { message_id: updateId, date: 0, chat: u.chat, from: u.from, text, entities },
  } as Update;
}

/** Fills the registration up to the consent question. */
async function fillRegistration(u: SimUser, person = adultMan) {
  await takeSteps(u, registrationScript(person.idNumber, person).slice(0, BEFORE.consent));
}

const callsTo = (h: Harness, chatId: number, from: number) =>
  h.calls.slice(from).filter((c) => Number(c.payload.chat_id) === chatId);

let nextUpdateId = 900_000_000;

describe('the update gate', () => {
  let h: Harness;
  let inbox: ReturnType<typeof createUpdateReceiptRepository>;
  const log = capturingLogger();
  let failuresLeft = 0;

  beforeAll(async () => {
    h = await createHarness({
      logger: log.logger,
      adjustDeps: (deps) => {
        const real = deps.households.getHousehold;
        deps.households.getHousehold = async (id) => {
          if (failuresLeft > 0) {
            failuresLeft--;
            throw new Error('boom at 522201198503081234');
          }
          return real(id);
        };
      },
    });
    inbox = createUpdateReceiptRepository(h.db);
  });
  afterAll(() => h.close());

  const gateFor = (bot = h.bot, extra: Partial<Parameters<typeof createUpdateGate>[0]> = {}) =>
    createUpdateGate({ bot, deps: h.deps, inbox, cipher: h.cipher, retryPauseMs: 10, ...extra });

  const receipt = (updateId: number) =>
    h.db.updateReceipt.findUniqueOrThrow({
      where: { botId_updateId: { botId: BigInt(BOT_INFO.id), updateId: BigInt(updateId) } },
    });

  it('handles an update delivered twice, one after the other, once', async () => {
    const u = h.user(7001);
    const gate = gateFor();
    const update = textUpdate(u, '/help', nextUpdateId++);
    const before = h.calls.length;
    expect(await gate.process(structuredClone(update))).toBe('handled');
    expect(await gate.process(structuredClone(update))).toBe('duplicate');
    expect(sentTexts(callsTo(h, u.id, before))).toHaveLength(1);
    // Its content is not kept once it is handled.
    expect(await receipt(update.update_id)).toMatchObject({ status: 'done', payload: null, attempts: 1 });
  });

  it('the same consent tap at the same moment on two instances registers once and answers once', async () => {
    const u = h.user(7002);
    await fillRegistration(u, adultWoman);
    const update = tapUpdate(u, '✅ 同意', nextUpdateId++);
    const a = gateFor(h.bot);
    const b = gateFor(h.instance());
    const before = h.calls.length;
    const outcomes = await Promise.all([
      a.process(structuredClone(update)),
      b.process(structuredClone(update)),
    ]);
    // One handles it; the other finds it in the inbox, held (queued) or already done (duplicate).
    expect(outcomes.filter((o) => o === 'handled')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'queued' || o === 'duplicate')).toHaveLength(1);
    expect(await b.process(structuredClone(update))).toBe('duplicate');
    expect(await h.db.resident.count({ where: { telegramId: BigInt(u.id) } })).toBe(1);
    const texts = sentTexts(callsTo(h, u.id, before));
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('登记好了');
  });

  it('many copies of many updates across two instances: each handled exactly once', async () => {
    const a = gateFor(h.bot);
    const b = gateFor(h.instance());
    const users = Array.from({ length: 20 }, (_, i) => h.user(7100 + i));
    const updates = users.map((u) => textUpdate(u, '/help', nextUpdateId++));
    const before = h.calls.length;
    const outcomes = await Promise.all(
      updates.flatMap((up) => [a, b, a, b].map((g) => g.process(structuredClone(up)))),
    );
    expect(outcomes.filter((o) => o === 'handled')).toHaveLength(20);
    expect(outcomes.every((o) => ['handled', 'queued', 'duplicate'].includes(o))).toBe(true);
    for (const u of users) expect(sentTexts(callsTo(h, u.id, before))).toHaveLength(1);
  });

  it('an update whose handling failed is tried again by the gate itself and answered once', async () => {
    const u = h.user(7003);
    const gate = gateFor();
    await u.text('/start');
    const update = textUpdate(u, '/household', nextUpdateId++);
    failuresLeft = 1;
    const before = h.calls.length;
    expect(await gate.process(structuredClone(update))).toBe('handled');
    expect(await gate.process(structuredClone(update))).toBe('duplicate');
    expect(sentTexts(callsTo(h, u.id, before))).toEqual([expect.stringContaining('还没有登记')]);
    expect(await receipt(update.update_id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('an update that keeps failing is set aside: logged without content, an apology, and the chat goes on', async () => {
    const u = h.user(7004);
    const gate = gateFor(h.bot, { maxAttempts: 3 });
    const update = textUpdate(u, '/household', nextUpdateId++);
    const next = textUpdate(u, '/help', nextUpdateId++);
    failuresLeft = 100;
    const before = h.calls.length;
    // The next message of the chat arrives while the first is still failing: it waits its turn.
    const [first, second] = await Promise.all([
      gate.process(structuredClone(update)),
      new Promise((r) => setTimeout(r, 2)).then(() => gate.process(structuredClone(next))),
    ]);
    failuresLeft = 0;
    expect(first).toBe('set_aside');
    expect(second).toBe('handled');
    expect(await gate.process(structuredClone(update))).toBe('duplicate');
    const texts = sentTexts(callsTo(h, u.id, before));
    expect(texts).toEqual([expect.stringContaining('对不起'), expect.stringContaining('/services')]);
    expect(await receipt(update.update_id)).toMatchObject({
      status: 'set_aside',
      attempts: 3,
      payload: null,
    });
    const logged = JSON.stringify(log.lines.filter((l) => l.updateId === update.update_id));
    expect(logged).toContain('update set aside after repeated failures');
    expect(logged).not.toContain('"text"'); // no update payload
    expect(logged).not.toContain('"chat"');
    expect(logged).not.toContain('522201198503081234');
  });

  it('an instance that dies holding a chat delays it by the lease only: another takes over and loses nothing', async () => {
    const u = h.user(7005);
    const gate = gateFor();
    const update = textUpdate(u, '/help', nextUpdateId++);
    const later = textUpdate(u, '/household', nextUpdateId++);
    // An instance writes the update, takes the chat, claims the update, and dies.
    const dead = '00000000-0000-4000-8000-00000000dead';
    const [written] = await inbox.enqueue(
      BOT_INFO.id,
      [
        {
          updateId: update.update_id,
          chatKey: String(u.id),
          sender: u.id,
          lang: 'zh-hans',
          payload: h.cipher.encryptJson(update, piiAt.updatePayload(BOT_INFO.id, update.update_id)),
          token: dead,
        },
      ],
      60_000,
    );
    // The chat was free: the statement that wrote the update also took the chat and claimed the update.
    expect(written).toMatchObject({ fresh: true, holder: dead, claim: { kind: 'claimed', attempt: 1 } });
    // Meanwhile the same update and the resident's next one reach a live instance: held, so queued.
    expect(await gate.process(structuredClone(update))).toBe('queued');
    expect(await gate.process(structuredClone(later))).toBe('queued');
    const before = h.calls.length;
    await gate.recover();
    expect(callsTo(h, u.id, before)).toEqual([]); // still within the dead one's lease
    // The lease runs out: the live instance takes the chat over and handles both, in order.
    await h.db.$executeRaw`update chat_lease set lease_until = lease_until - interval '2 minutes'
      where chat_key = ${String(u.id)}`;
    await gate.recover();
    await expect.poll(() => sentTexts(callsTo(h, u.id, before)).length).toBe(2);
    const texts = sentTexts(callsTo(h, u.id, before));
    expect(texts[0]).toContain('/services');
    expect(texts[1]).toContain('还没有登记');
    expect(await receipt(update.update_id)).toMatchObject({ status: 'done', attempts: 2 });
    // The dead instance's late "done" changes nothing.
    const late = await inbox.finish(
      BOT_INFO.id,
      { updateId: update.update_id, chatKey: String(u.id) },
      dead,
      'done',
      '0',
    );
    expect(late).toEqual({ finished: false, released: false });
  });

  it('a poller takes over every chat at start (it is the only consumer there is)', async () => {
    const u = h.user(7006);
    const gate = gateFor();
    const update = textUpdate(u, '/help', nextUpdateId++);
    const dead = '00000000-0000-4000-8000-0000000dead2';
    await inbox.enqueue(
      BOT_INFO.id,
      [
        {
          updateId: update.update_id,
          chatKey: String(u.id),
          sender: u.id,
          lang: null,
          payload: h.cipher.encryptJson(update, piiAt.updatePayload(BOT_INFO.id, update.update_id)),
          token: dead,
        },
      ],
      60_000,
    );
    const before = h.calls.length;
    await gate.recover({ all: true });
    await expect.poll(() => sentTexts(callsTo(h, u.id, before)).length).toBe(1);
  });

  it('with the database unreachable, the resident is asked to try again in a minute, once per while', async () => {
    const u = h.user(7007);
    const unreachable = async () => {
      throw Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: 'P1001' });
    };
    const down = { ...inbox, enqueue: unreachable } as UpdateInbox;
    const gate = createUpdateGate({ bot: h.bot, deps: h.deps, inbox: down, cipher: h.cipher });
    const before = h.calls.length;
    expect(await gate.process(textUpdate(u, '/household', nextUpdateId++))).toBe('db_unavailable');
    expect(await gate.process(textUpdate(u, 'hello', nextUpdateId++))).toBe('db_unavailable');
    const texts = sentTexts(callsTo(h, u.id, before));
    expect(texts).toEqual([expect.stringContaining('请过一分钟再发一次')]);
    // Without the database there is no stored choice: the deployment's language, whatever the app's.
    const en = h.user(7008, { languageCode: 'en' });
    await gate.process(textUpdate(en, '/help', nextUpdateId++));
    expect(en.lastText()).toContain('请过一分钟再发一次');
  });

  it("one chat's updates arriving at the same moment are handled in order, each meeting the state the last left", async () => {
    const u = h.user(7011);
    const gate = gateFor();
    await u.text('/start');
    await u.tap('📝 登记我家');
    await u.tap('旺家社区');
    await u.tap('3栋');
    await u.tap('2 单元');
    // The room and the name typed quickly: both in hand at once.
    const before = h.calls.length;
    const outcomes = await Promise.all([
      gate.process(textUpdate(u, '302', nextUpdateId++)),
      gate.process(textUpdate(u, adultMan.name, nextUpdateId++)),
    ]);
    expect(outcomes).toEqual(['handled', 'handled']);
    const texts = sentTexts(callsTo(h, u.id, before));
    expect(texts.filter((t) => t.includes('您的名字叫什么'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('您的手机号是多少'))).toHaveLength(1);
  });

  it('a form state that cannot be decrypted is dropped through the gate, and the resident can start again', async () => {
    const u = h.user(7012);
    const gate = gateFor();
    await u.text('/start');
    await u.tap('📝 登记我家');
    const key = String(u.id);
    expect(await h.db.conversationState.count({ where: { key } })).toBe(1);
    await h.db.conversationState.update({ where: { key }, data: { data: new Uint8Array([1, 2, 3, 4]) } });
    expect(await gate.process(textUpdate(u, '/help', nextUpdateId++))).toBe('handled');
    expect(u.lastText()).toContain('/services');
    expect(await h.db.conversationState.count({ where: { key } })).toBe(0);
    await u.text('/start');
    await u.tap('📝 登记我家');
    expect(u.lastText()).toContain('社区');
  });

  it("a finished update delivered again does not touch the sender's record", async () => {
    const u = h.user(7013);
    const gate = gateFor();
    const update = textUpdate(u, '/help', nextUpdateId++);
    expect(await gate.process(structuredClone(update))).toBe('handled');
    const where = { telegramId: BigInt(u.id) };
    const first = await h.db.telegramUser.findUniqueOrThrow({ where });
    expect(await gate.process(structuredClone(update))).toBe('duplicate');
    const again = await h.db.telegramUser.findUniqueOrThrow({ where });
    expect(again.updatedAt).toEqual(first.updatedAt);
  });

  it('an update with neither chat nor sender is handled on its own', async () => {
    const gate = gateFor();
    const update = {
      update_id: nextUpdateId++,
      poll: { id: 'p1', question: 'q', options: [] },
    } as unknown as Update;
    expect(await gate.process(update)).toBe('handled');
    expect(await receipt(update.update_id)).toMatchObject({
      status: 'done',
      chatKey: `update:${update.update_id}`,
    });
  });

  it('counts outcomes and handling time in the metrics', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const gate = gateFor(h.bot, { metrics });
    const u = h.user(7009);
    const update = textUpdate(u, '/help', nextUpdateId++);
    await gate.process(structuredClone(update));
    await gate.process(structuredClone(update));
    const text = await metrics.registry.metrics();
    expect(text).toContain('bianmin_updates_total{outcome="handled"} 1');
    expect(text).toContain('bianmin_updates_total{outcome="duplicate"} 1');
    expect(text).toMatch(/bianmin_update_duration_seconds_count\{outcome="handled"\} 1/);
  });

  it('close() waits for the updates in hand, gives their chats up, and refuses new ones', async () => {
    const gate = gateFor();
    const u = h.user(7010);
    const running = gate.process(textUpdate(u, '/help', nextUpdateId++));
    await new Promise((r) => setTimeout(r, 0));
    expect(gate.inFlight()).toBe(1);
    const closed = gate.close();
    expect(await gate.process(textUpdate(u, '/help', nextUpdateId++))).toBe('refused');
    await closed;
    expect(gate.inFlight()).toBe(0);
    expect(await running).toBe('handled');
    const lease = await h.db.chatLease.findUniqueOrThrow({
      where: { botId_chatKey: { botId: BigInt(BOT_INFO.id), chatKey: String(u.id) } },
    });
    expect(lease.token).toBeNull();
  });
});

describe('a resident flooding the bot', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ flood: FLOOD_LIMIT });
  });
  afterAll(() => h.close());

  it('is slowed with one polite message; another resident is not', async () => {
    const flooder = h.user(7201);
    const other = h.user(7202);
    const before = h.calls.length;
    for (let i = 0; i < FLOOD_LIMIT.limit + 10; i++) await flooder.text('/help');
    const texts = sentTexts(callsTo(h, flooder.id, before));
    expect(texts.filter((t) => t.includes('/services'))).toHaveLength(FLOOD_LIMIT.limit);
    expect(texts.filter((t) => t.includes('太快'))).toHaveLength(1);
    expect(sentTexts(await other.text('/help'))[0]).toContain('/services');
    // A pressed button over the limit still gets its spinner stopped.
    const pressed = await flooder.press('hh:show');
    expect(pressed.map((c) => c.method)).toEqual(['answerCallbackQuery']);
  });
});
