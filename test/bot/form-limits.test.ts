// A form's stored state is bounded. Wrong answers are answered and then left out of the conversation's log
// (they change nothing, so a 4,096-character one costs the later steps nothing); what the log keeps is
// capped in updates and in bytes (src/bot/form-limits.ts). Past the cap the form ends kindly — in the
// resident's language, with the way back in — and nothing of it is kept; the resident can start again at
// once. Honest long forms stay well under the cap.
import type { ConversationData, VersionedState } from '@grammyjs/conversations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { makeIdNumber } from '../support/fixtures.ts';
import { registerResident } from '../support/flows.ts';

/** Updates recorded in the replay logs (the only values there with an update_id). */
function recordedUpdates(data: ConversationData): number {
  return Object.values(data)
    .flat()
    .flatMap((c) => c.replay.receive)
    .filter(
      (op) => typeof op.returnValue === 'object' && op.returnValue !== null && 'update_id' in op.returnValue,
    ).length;
}

/** The stored form state of a chat: its size as stored and the updates its logs hold (null: no state). */
async function stateOf(h: Harness, chatId: number) {
  const row = await h.db.conversationState.findUnique({ where: { key: String(chatId) } });
  if (!row) return null;
  const state = h.cipher.decryptJson<VersionedState<ConversationData>>(row.data);
  return {
    bytes: row.data.byteLength,
    updates: recordedUpdates(state.state),
    forms: Object.keys(state.state),
  };
}

/** Walks /start to the name question of the registration. */
async function startRegistration(u: SimUser) {
  await u.text('/start');
  await u.tap('📝 登记我家');
  await u.tap('旺家社区');
  await u.tap('3栋');
  await u.tap('2 单元');
  await u.text('302');
  expect(u.lastText()).toContain('名字');
}

let seq = 700;
const idNumber = () => makeIdNumber({ birthDate: '1980-05-06', seq: seq++ });

describe('wrong answers are not kept', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('a hundred 4,096-character wrong names are each re-asked, and the stored state stays as it was', async () => {
    const u = h.user(80_001);
    await startRegistration(u);
    const before = await stateOf(h, u.id);
    for (let i = 0; i < 100; i++) {
      const texts = sentTexts(await u.text('长'.repeat(4096)));
      expect(texts).toEqual([expect.stringContaining('名字')]);
    }
    await u.sticker();
    await u.press('f:999999:c:0'); // a forged button
    expect(await stateOf(h, u.id)).toEqual(before);
    // The form goes on from where it was.
    await u.text('杨光明');
    await u.text('13800001234');
    await u.text(idNumber());
    await u.tap('✅ 对的，提交');
    await u.tap('✅ 同意');
    expect(u.lastText()).toContain('登记好了');
    expect(await stateOf(h, u.id)).toBeNull();
  });

  it('in a service request too: over-long text, a sticker and a command leave the state unchanged', async () => {
    const u = h.user(80_002);
    await registerResident(u);
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('环境卫生');
    const before = await stateOf(h, u.id);
    await u.text('长'.repeat(4096));
    await u.sticker();
    await u.text('/whatever');
    expect(await stateOf(h, u.id)).toEqual(before);
    await u.text('希望多放几个垃圾桶');
    expect((await stateOf(h, u.id))?.updates).toBe((before?.updates ?? 0) + 1);
  });
});
