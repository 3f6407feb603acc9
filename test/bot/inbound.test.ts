// Issue 11, point 4, through the real update path: what a resident sends outside a form goes to the case a
// staff member wrote to them about (or, without one, to a service its words name, or to an offer), "📎 add
// documents", the reopen button on the resolved notice, and follow-ups that say "no" before they ask.
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piiAt } from '../../src/app/pii-cipher.ts';
import { BOT_INFO, createHarness, type Harness, type SimUser, sentTexts } from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { type CaseWorkers, caseWorkers, fileSuggestion, makeStaff } from '../support/staff-scene.ts';

let h: Harness;
let workers: CaseWorkers;
let nextResident = 63_000;
let nextStaff = 73_000;
const DEPARTMENT = 'wanshan-neighbourhood';

beforeAll(async () => {
  h = await createHarness();
  workers = caseWorkers(h);
});
afterAll(() => h.close());

async function resident(lang: 'zh' | 'en' = 'zh'): Promise<SimUser> {
  const u = h.user(nextResident++);
  await registerResident(u);
  if (lang === 'en') await u.press('lang:en');
  return u;
}

/** A staff member of the neighbourhood office who took the case (through the bot). */
async function taker(caseId: string): Promise<{ staff: SimUser; telegramId: bigint }> {
  const id = nextStaff++;
  await makeStaff(h, id, DEPARTMENT, { displayName: `王${id}` });
  const staff = h.user(id, { firstName: '王' });
  await staff.press(`st:take:${caseId}`);
  return { staff, telegramId: BigInt(id) };
}

/** The staff member writes to the resident about the case: a reply, or a question. */
async function staffWrites(staff: SimUser, caseId: string, kind: 'reply' | 'ask', text: string) {
  await staff.press(`st:open:${caseId}`);
  await staff.tap(kind === 'reply' ? '💬 回复居民' : '❓ 请居民补充');
  await staff.text(text);
  await staff.tap('✅ 确定');
  expect(staff.lastText()).toContain(kind === 'reply' ? '回复已经发给居民' : '已经问了居民');
}

/** A case of the resident's that a staff member replied to, `daysAgo` days ago (moved back in time). */
async function caseWithReply(u: SimUser, daysAgo = 0, text = '楼道的灯坏了') {
  const filed = await fileSuggestion(h, u, { text });
  const { staff, telegramId } = await taker(filed.caseId);
  await staffWrites(staff, filed.caseId, 'reply', '我们明天去看看。');
  if (daysAgo > 0) {
    const at = new Date(Date.now() - daysAgo * 86_400_000);
    await h.db.caseEvent.updateMany({ where: { caseId: filed.caseId }, data: { at } });
  }
  return { ...filed, staff, staffTelegramId: telegramId };
}

/** The resident's events on the case, oldest first, each with its files. */
async function residentEvents(caseId: string) {
  const [events, files] = await Promise.all([
    h.db.caseEvent.findMany({ where: { caseId, actorKind: 'resident' }, orderBy: { id: 'asc' } }),
    h.db.caseAttachment.findMany({ where: { caseId }, orderBy: { createdAt: 'asc' } }),
  ]);
  return events.map((e) => ({ ...e, attachments: files.filter((f) => f.eventId === e.id) }));
}

const noteOf = (caseId: string, cipher: Uint8Array | null) =>
  cipher ? h.cipher.decrypt(cipher, piiAt.caseEventNote(caseId)) : null;

function photoMessage(u: SimUser, id: string, extra: Record<string, unknown> = {}) {
  return u.message({
    photo: [{ file_id: id, file_unique_id: `${id}-u`, width: 90, height: 90, file_size: 1000 }],
    ...extra,
  });
}

/** Presses `data` on the bot's message that replied to the resident's `original` (as Telegram sends it). */
function pressOnReply(u: SimUser, data: string, original: Record<string, unknown>) {
  const { update_id } = u.message({});
  return u.send({
    update_id,
    callback_query: {
      id: `cq-r${update_id}`,
      from: u.from,
      chat_instance: `ci${u.id}`,
      data,
      message: {
        message_id: 9_000 + update_id,
        date: Math.floor(Date.now() / 1000),
        chat: u.chat,
        from: BOT_INFO,
        text: '…',
        reply_to_message: {
          message_id: 77,
          date: Math.floor(Date.now() / 1000),
          chat: u.chat,
          from: u.from,
          ...original,
        },
      },
    },
  } as unknown as Update);
}

const buttonsOf = (calls: { payload: Record<string, unknown> }[]) =>
  calls.flatMap((c) =>
    ((c.payload.reply_markup as { inline_keyboard?: { text: string }[][] })?.inline_keyboard ?? [])
      .flat()
      .map((b) => b.text),
  );

describe('a message outside a form goes to the case a staff member wrote about', () => {
  it('text, voice and photo go to that case as additions; staff are told; several in a row stay there', async () => {
    const u = await resident();
    const c = await caseWithReply(u);
    const first = await u.text('灯是3楼的，开关也坏了');
    expect(sentTexts(first)).toHaveLength(1);
    expect(sentTexts(first)[0]).toContain(`已经交给“📮 意见箱”（编号 ${c.number}）的工作人员`);
    expect(buttonsOf(first)).toEqual(['❌ 不是这件事', '📋 看这件事']);
    await u.voice();
    expect(u.lastText()).toContain(`编号 ${c.number}`);
    await u.send(photoMessage(u, 'stairs', { caption: '这是开关' }));
    expect(u.lastText()).toContain(`编号 ${c.number}`);

    const events = await residentEvents(c.caseId);
    const additions = events.filter((e) => e.kind === 'addition');
    expect(additions).toHaveLength(3);
    expect(noteOf(c.caseId, additions[0]?.noteCipher ?? null)).toBe('灯是3楼的，开关也坏了');
    expect(additions[1]?.attachments.map((a) => a.kind)).toEqual(['voice']);
    expect(additions[2]?.attachments.map((a) => a.fileId)).toEqual(['stairs']);
    expect(noteOf(c.caseId, additions[2]?.noteCipher ?? null)).toBe('这是开关');
    // Stored encrypted: the words are not in the row.
    const dump = await h.db.$queryRawUnsafe<{ dump: string }[]>(
      `select string_agg(e::text, ' ') as dump from case_event e where case_id = '${c.caseId}'`,
    );
    expect(dump[0]?.dump).not.toContain('开关');
    // The case did not change status: an addition, not an answer.
    expect((await h.db.case.findUniqueOrThrow({ where: { id: c.caseId } })).status).toBe('in_progress');

    const told = await h.db.notification.findMany({
      where: { caseId: c.caseId, kind: 'staff.case_addition' },
    });
    expect(told.map((n) => n.telegramId)).toEqual([c.staffTelegramId, c.staffTelegramId, c.staffTelegramId]);
    expect(JSON.stringify(told.map((n) => n.payload))).not.toContain('开关');
    await workers.drain();
    expect(c.staff.lastText()).toContain(`居民补充了情况：${c.number}`);
    await c.staff.press(`st:open:${c.caseId}`);
    expect(c.staff.lastText()).toContain('灯是3楼的，开关也坏了');
    expect(c.staff.lastText()).toContain('居民补充');
    // The resident sees it in the case's history.
    await u.tap('📋 看这件事');
    expect(u.lastText()).toContain('您补充了：灯是3楼的，开关也坏了');
  });

  it('answers the staff question when the case waits for the resident (as "answer the staff" does)', async () => {
    const u = await resident();
    const filed = await fileSuggestion(h, u);
    const { staff, telegramId } = await taker(filed.caseId);
    await staffWrites(staff, filed.caseId, 'ask', '是哪一栋楼？');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: filed.caseId } })).status).toBe(
      'waiting_resident',
    );
    await u.text('5栋');
    expect(u.lastText()).toContain(`编号 ${filed.number}`);
    const c = await h.db.case.findUniqueOrThrow({ where: { id: filed.caseId } });
    expect(c.status).toBe('in_progress');
    const answered = await h.db.notification.findMany({
      where: { caseId: filed.caseId, kind: 'staff.info_answered' },
    });
    expect(answered.map((n) => n.telegramId)).toEqual([telegramId]);
    // The next message is still for that case (a staff message within the week), now as an addition.
    await u.text('是5栋2单元');
    expect((await residentEvents(filed.caseId)).map((e) => e.kind)).toEqual([
      'submitted',
      'info_answer',
      'addition',
    ]);
  });

  it('in English: the resident is told which request, in English', async () => {
    const u = await resident('en');
    const c = await caseWithReply(u);
    const sent = sentTexts(await u.text('The light is on the 3rd floor'));
    expect(sent[0]).toContain(`It has gone to the staff handling "📮 Suggestion box" (number ${c.number})`);
    expect(sent[0]).not.toMatch(/[，。：“”]/);
    expect(u.findButton('❌ Not this request')).toBeDefined();
  });

  it('in English: a voice message and a photo go to the case too; staff get both', async () => {
    const u = await resident('en');
    const c = await caseWithReply(u, 0, 'Street lamp broken');
    const voice = await u.send(u.message({ voice: { file_id: 'ev', file_unique_id: 'ev-u', duration: 9 } }));
    expect(sentTexts(voice)[0]).toContain(`(number ${c.number})`);
    expect(sentTexts(voice)[0]).not.toMatch(/[\u4e00-\u9fff]/);
    const photo = await u.send(photoMessage(u, 'ep'));
    expect(sentTexts(photo)[0]).toContain(`(number ${c.number})`);
    const events = await residentEvents(c.caseId);
    expect(events.flatMap((e) => e.attachments.map((f) => f.kind))).toEqual(['voice', 'photo']);
    const told = await h.db.notification.findMany({
      where: { caseId: c.caseId, kind: 'staff.case_addition' },
    });
    expect(told.map((n) => n.telegramId)).toEqual([c.staffTelegramId, c.staffTelegramId]);
  });

  it('an album is one addition, acknowledged once', async () => {
    const u = await resident();
    const c = await caseWithReply(u);
    const replies: string[] = [];
    for (const id of ['a1', 'a2', 'a3']) {
      replies.push(...sentTexts(await u.send(photoMessage(u, id, { media_group_id: 'album-1' }))));
    }
    expect(replies).toHaveLength(1);
    const additions = (await residentEvents(c.caseId)).filter((e) => e.kind === 'addition');
    expect(additions).toHaveLength(1);
    expect(additions[0]?.attachments.map((a) => a.fileId).sort()).toEqual(['a1', 'a2', 'a3']);
    expect(await h.db.notification.count({ where: { caseId: c.caseId, kind: 'staff.case_addition' } })).toBe(
      1,
    );
    // Another album is another addition.
    await u.send(photoMessage(u, 'b1', { media_group_id: 'album-2' }));
    expect((await residentEvents(c.caseId)).filter((e) => e.kind === 'addition')).toHaveLength(2);
  });

  it('a file over 20 MB is refused in plain words and goes nowhere', async () => {
    const u = await resident();
    const c = await caseWithReply(u);
    const sent = sentTexts(
      await u.send(
        u.message({
          document: {
            file_id: 'big',
            file_unique_id: 'big-u',
            mime_type: 'application/pdf',
            file_size: 25 * 1024 * 1024,
          },
        }),
      ),
    );
    expect(sent[0]).toContain('太大');
    expect((await residentEvents(c.caseId)).filter((e) => e.kind === 'addition')).toHaveLength(0);
    // Over-long text too.
    expect(sentTexts(await u.text('长'.repeat(2001)))[0]).toContain('太长了');
  });

  it('with several open cases the latest staff message wins; "not this one" moves it, and the next message follows', async () => {
    const u = await resident();
    const older = await caseWithReply(u, 2, '路灯坏了');
    const newer = await caseWithReply(u, 1, '垃圾没人收');
    await u.text('是东门那边的');
    expect(u.lastText()).toContain(`编号 ${newer.number}`);
    await u.tap('❌ 不是这件事');
    expect(u.lastText()).toContain('应该交给哪件事');
    const choices = buttonsOf(h.calls.slice(-2));
    expect(choices).toContain(`${older.number} · 📮 意见箱`);
    expect(choices).toContain('📮 都不是，当作意见建议交给社区');
    await u.tap(`${older.number} · 📮 意见箱`);
    expect(u.lastText()).toContain(`已经改交给“📮 意见箱”（编号 ${older.number}）`);

    const onNewer = await residentEvents(newer.caseId);
    expect(onNewer.map((e) => e.kind)).toEqual(['submitted', 'addition_moved']);
    const onOlder = (await residentEvents(older.caseId)).filter((e) => e.kind === 'addition');
    expect(onOlder.map((e) => noteOf(older.caseId, e.noteCipher))).toEqual(['是东门那边的']);
    expect(
      await h.db.notification.count({ where: { caseId: older.caseId, kind: 'staff.case_addition' } }),
    ).toBe(1);
    // A second press of the same choice moves nothing twice.
    const again = await u.tap(`${older.number} · 📮 意见箱`);
    expect(again.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('已经改过了');
    expect((await residentEvents(older.caseId)).filter((e) => e.kind === 'addition')).toHaveLength(1);

    // Several messages in a row: the next one goes where the resident put the last one.
    await u.text('灯杆上有个编号 A12');
    expect(u.lastText()).toContain(`编号 ${older.number}`);
    // A new staff message on the other case makes that one the place again.
    await staffWrites(newer.staff, newer.caseId, 'reply', '东门的垃圾下午收。');
    await u.text('好的谢谢');
    expect(u.lastText()).toContain(`编号 ${newer.number}`);
  });

  it('"not this one" → a suggestion instead: the suggestion form starts with the words', async () => {
    const u = await resident();
    const c = await caseWithReply(u);
    await u.text('小区门口的路太窄了，车总是堵');
    await u.tap('❌ 不是这件事');
    expect(u.lastText()).toContain('没有别的正在办的事');
    await u.tap('📮 都不是，当作意见建议交给社区');
    expect(sentTexts(h.calls.slice(-4)).join('\n')).toContain('已经写进“内容”里了');
    await u.tap('其他');
    // The content is not asked: next comes the photo.
    expect(u.lastText()).not.toContain('请说说');
    await u.tap('没有，跳过');
    await u.tap('写上我的名字');
    expect(u.lastText()).toContain('小区门口的路太窄了，车总是堵');
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toMatch(/SUG-\d{4}-\d{6}/);
    const filed = await h.db.case.findMany({
      where: { telegramId: BigInt(u.id) },
      orderBy: { submittedAt: 'asc' },
    });
    expect(filed).toHaveLength(2);
    const answers = h.cipher.decryptJson<{ answers: Record<string, { value: string }> }>(
      filed[1]?.answersCipher as Uint8Array,
      piiAt.caseAnswers(filed[1]?.id as string),
    );
    expect(answers.answers.content?.value).toBe('小区门口的路太窄了，车总是堵');
    // Taken back from the first case: marked there, for its staff to see.
    expect((await residentEvents(c.caseId)).map((e) => e.kind)).toEqual([
      'submitted',
      'addition_moved',
      'addition_taken_back',
    ]);
  });

  it('two moves of one addition at the same moment: it moves once', async () => {
    const u = await resident();
    const older = await caseWithReply(u, 2);
    const newer = await caseWithReply(u, 1);
    await u.text('是东门那边的');
    const event = (await residentEvents(newer.caseId)).find((e) => e.kind === 'addition');
    const eventId = String(event?.id);
    const outcomes = await Promise.all([
      h.deps.inbound.moveAddition(u.id, eventId, older.caseId),
      h.deps.inbound.moveAddition(u.id, eventId, older.caseId),
    ]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.error)).toEqual(['not_allowed']);
    expect((await residentEvents(older.caseId)).filter((e) => e.kind === 'addition')).toHaveLength(1);
    expect((await residentEvents(newer.caseId)).map((e) => e.kind)).toEqual(['submitted', 'addition_moved']);
  });

  it('forged "not this one" buttons: another resident\u2019s addition or case is never touched', async () => {
    const owner = await resident();
    const c = await caseWithReply(owner);
    await owner.text('我家在3楼');
    const event = (await residentEvents(c.caseId)).find((e) => e.kind === 'addition');
    const other = await resident();
    const mine = await caseWithReply(other);
    for (const data of [
      `ib:not:${event?.id}`,
      `ib:mv:${event?.id}:${mine.caseId}`,
      `ib:sgx:${event?.id}`,
      'ib:not:99999999999',
    ]) {
      const calls = await other.press(data);
      expect(calls.find((x) => x.method === 'answerCallbackQuery')?.payload.text).toContain('已经改过了');
    }
    // The owner cannot move it onto the other resident's case either.
    const forged = await owner.press(`ib:mv:${event?.id}:${mine.caseId}`);
    expect(forged.find((x) => x.method === 'answerCallbackQuery')?.payload.text).toContain('已经改过了');
    expect((await residentEvents(c.caseId)).map((e) => e.kind)).toEqual(['submitted', 'addition']);
    expect((await residentEvents(mine.caseId)).map((e) => e.kind)).toEqual(['submitted']);
    // Malformed data is a stale button.
    const bad = await owner.press('ib:not:abc');
    expect(bad.find((x) => x.method === 'answerCallbackQuery')?.payload.text).toContain('过期');
  });

  it('never to a closed case: a resolved case with a recent reply gets nothing, the resident an offer', async () => {
    const u = await resident();
    const c = await caseWithReply(u);
    await c.staff.press(`st:open:${c.caseId}`);
    await c.staff.tap('✅ 办结');
    await c.staff.text('灯已经修好了。');
    await c.staff.tap('✅ 确定');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: c.caseId } })).status).toBe('resolved');
    await u.text('谢谢你们');
    expect(u.lastText()).toContain('您想做什么');
    expect((await residentEvents(c.caseId)).map((e) => e.kind)).toEqual(['submitted']);
  });
});

describe('without a staff message: plain words start a service, anything else gets an offer', () => {
  it('offers a suggestion with the words, the services and the main menu', async () => {
    const u = await resident();
    const calls = await u.text('楼下有人乱停车，救护车都进不来');
    expect(sentTexts(calls)[0]).toContain('您想做什么');
    expect(buttonsOf(calls)).toEqual([
      '📮 把这段话当作意见建议交给社区',
      '🎒 孩子上学',
      '🏥 看病绿色通道',
      '💰 申请低保',
      '👷 求职登记',
      '🛡️ 养老、医疗保险转移接续',
      '🏷️ 户口迁移预约',
      '🧰 技能培训报名',
      '🏠 回主菜单',
    ]);
    // The offer replies to the resident's message (that is how its button finds the words again).
    const sent = calls.find((c) => c.method === 'sendMessage');
    expect((sent?.payload.reply_parameters as { message_id?: number })?.message_id).toBeGreaterThan(0);
    await u.tap('🏠 回主菜单');
    // The main menu: the four large buttons under the message box.
    const menu = h.calls.at(-1)?.payload.reply_markup as { keyboard?: { text: string }[][] } | undefined;
    expect(menu?.keyboard?.flat().map((b) => b.text)).toEqual([
      '🗂 办事',
      '📋 我办的事',
      '🏠 我家',
      '☎️ 找社区',
    ]);
    // A case the resident filed but nobody wrote about is not where messages go.
    await fileSuggestion(h, u);
    expect(sentTexts(await u.text('还有一件事'))[0]).toContain('您想做什么');
  });

  it('in English: the offer, a sticker and an unknown command, each with the ways on and no Chinese', async () => {
    const u = await resident('en');
    const calls = await u.text('Cars are parked in front of the fire exit');
    expect(sentTexts(calls)[0]).toContain('What would you like to do?');
    expect(buttonsOf(calls)[0]).toBe('📮 Send this to the community as a suggestion');
    expect(buttonsOf(calls).at(-1)).toBe('🏠 Main menu');
    const sticker = await u.sticker();
    expect(sentTexts(sticker)[0]).toContain('I cannot read that');
    const command = await u.text('/foo');
    expect(sentTexts(command)[0]).toContain('There is no such command');
    for (const text of [...sentTexts(calls), ...sentTexts(sticker), ...sentTexts(command)])
      expect(text).not.toMatch(/[\u4e00-\u9fff，。：]/);
  });

  it('a sticker, a location or an unknown command: a plain answer and the ways on', async () => {
    const u = await resident();
    const sticker = await u.sticker();
    expect(sentTexts(sticker)[0]).toContain('看不懂');
    expect(buttonsOf(sticker)).toContain('📮 意见箱');
    expect(buttonsOf(sticker)).not.toContain('📮 把这段话当作意见建议交给社区');
    const location = await u.send(u.message({ location: { latitude: 27.7, longitude: 109.2 } }));
    expect(sentTexts(location)[0]).toContain('看不懂');
    const command = await u.text('/foo');
    expect(sentTexts(command)[0]).toContain('没有这个命令');
    expect(buttonsOf(command)).toContain('🗂 办事');
    // A photo without words: the offer, but no "as a suggestion with these words".
    const photo = await u.send(photoMessage(u, 'p'));
    expect(sentTexts(photo)[0]).toContain('收到您的照片了');
  });

  it('someone not registered is offered registration', async () => {
    const u = h.user(nextResident++);
    const calls = await u.text('看病');
    expect(sentTexts(calls)[0]).toContain('请先登记');
    expect(buttonsOf(calls)).toEqual(['📝 登记我家']);
    const home = await u.press('menu');
    expect(buttonsOf(home)).toEqual(['📝 登记我家']);
  });

  it('a staff member who types outside a form gets the staff commands, not a registration', async () => {
    const id = nextStaff++;
    await makeStaff(h, id, DEPARTMENT);
    const staff = h.user(id);
    const calls = await staff.text('今天有什么事');
    expect(sentTexts(calls)).toEqual([expect.stringContaining('/queue')]);
  });

  it.each([
    ['上学', '🎒 孩子上学'],
    ['我要看病', '🏥 看病绿色通道'],
    ['住院！', '🏥 看病绿色通道'],
    ['低保', '💰 申请低保'],
    ['提 意见', '📮 意见箱'],
    ['投诉', '📮 意见箱'],
  ])('"%s" starts %s', async (words, service) => {
    const u = await resident();
    const calls = await u.text(words);
    expect(sentTexts(calls)[0]).toContain(`我们来办“${service}”`);
  });

  it.each([
    ['school', '🎒 School place for a child'],
    ['Doctor?', '🏥 Medical green channel'],
    ['hospital', '🏥 Medical green channel'],
    ['dibao', '💰 Minimum living allowance (dibao)'],
    ['allowance', '💰 Minimum living allowance (dibao)'],
    ['complaint', '📮 Suggestion box'],
    ['上学', '🎒 School place for a child'],
  ])('in English, "%s" starts %s', async (words, service) => {
    const u = await resident('en');
    const calls = await u.text(words);
    expect(sentTexts(calls)[0]).toContain(`Let's do “${service}”`);
  });

  it('the suggestion starts with the typed words (zh)', async () => {
    const u = await resident();
    const words = '楼下有人乱停车，救护车都进不来';
    const original = { text: words };
    await u.text(words);
    const started = await pressOnReply(u, 'ib:sg', original);
    expect(sentTexts(started).join('\n')).toContain('已经写进“内容”里了');
    expect(sentTexts(started).join('\n')).toContain('您的意见是关于什么的？');
    await u.tap('安全');
    expect(u.lastText()).toContain('照片');
    // Wrong input at the next step is still answered as ever.
    expect(sentTexts(await u.sticker())[0]).toContain('请发照片');
    await u.tap('没有，跳过');
    await u.tap('写上我的名字');
    expect(u.lastText()).toContain(words);
    await u.tap('✅ 对的，提交');
    const filed = await h.db.case.findFirstOrThrow({ where: { telegramId: BigInt(u.id) } });
    const answers = h.cipher.decryptJson<{ answers: Record<string, { value: string }> }>(
      filed.answersCipher,
      piiAt.caseAnswers(filed.id),
    );
    expect(answers.answers.content?.value).toBe(words);
  });

  it('the suggestion starts with the typed words (en), and they can be changed at the summary', async () => {
    const u = await resident('en');
    const words = 'Cars park on the fire lane every night';
    await u.text(words);
    const started = await pressOnReply(u, 'ib:sg', { text: words });
    expect(sentTexts(started).join('\n')).toContain('already filled in as the content');
    await u.tap('Safety');
    await u.tap('None, skip');
    await u.tap('Give my name');
    expect(u.lastText()).toContain(words);
    await u.tap('✏️ Change something');
    await u.tap('Your suggestion');
    expect(u.lastText()).toContain('Please tell us your suggestion');
    await u.text('Cars block the fire lane');
    expect(u.lastText()).toContain('Cars block the fire lane');
    await u.tap('✅ Correct, submit');
    const filed = await h.db.case.findFirstOrThrow({ where: { telegramId: BigInt(u.id) } });
    const answers = h.cipher.decryptJson<{ answers: Record<string, { value: string }> }>(
      filed.answersCipher,
      piiAt.caseAnswers(filed.id),
    );
    expect(answers.answers.content?.value).toBe('Cars block the fire lane');
  });

  it('a voice message becomes the suggestion\u2019s content; too long words are asked for again', async () => {
    const u = await resident();
    const voice = { voice: { file_id: 'vs', file_unique_id: 'vs-u', duration: 12 } };
    await u.send(u.message(voice));
    expect(u.lastText()).toContain('您想做什么');
    await pressOnReply(u, 'ib:sg', voice);
    await u.tap('环境卫生');
    await u.tap('没有，跳过');
    await u.tap('写上我的名字');
    expect(u.lastText()).toContain('🎤 语音 0:12');
    await u.tap('✅ 对的，提交');
    const filed = await h.db.case.findFirstOrThrow({
      where: { telegramId: BigInt(u.id) },
      include: { attachments: true },
    });
    expect(filed.attachments.map((a) => [a.stepId, a.kind, a.fileId])).toEqual([['content', 'voice', 'vs']]);

    // Words longer than the suggestion takes (1,000) are not prefilled: the content is asked.
    const other = await resident();
    const long = '很'.repeat(1500);
    await pressOnReply(other, 'ib:sg', { text: long });
    await other.tap('其他');
    expect(other.lastText()).toContain('请');
    expect(sentTexts(h.calls.slice(-6)).join('\n')).not.toContain('已经写进');
  });
});

describe('📎 add documents', () => {
  it('from the case view: photos (an album acknowledged once) until "done"; wrong input answered; staff told', async () => {
    const u = await resident();
    const filed = await fileSuggestion(h, u);
    const { staff, telegramId } = await taker(filed.caseId);
    await u.press(`mc:open:${filed.caseId}`);
    await u.tap('📎 补交材料');
    expect(u.lastText()).toContain('请把材料拍成照片发过来');
    expect(sentTexts(await u.sticker())[0]).toContain('请发照片');
    expect(sentTexts(await u.text('我明天拿过去'))[0]).toContain('请发照片');
    const big = await u.send(
      u.message({
        document: {
          file_id: 'big',
          file_unique_id: 'big-u',
          mime_type: 'image/jpeg',
          file_size: 21 * 1024 * 1024,
        },
      }),
    );
    expect(sentTexts(big)[0]).toContain('太大');
    const forged = await u.press('f:999:d:0');
    expect(forged.find((c) => c.method === 'answerCallbackQuery')).toBeDefined();
    const album: string[] = [];
    for (const id of ['d1', 'd2'])
      album.push(...sentTexts(await u.send(photoMessage(u, id, { media_group_id: 'docs' }))));
    expect(album).toHaveLength(1);
    await u.send(
      u.message({
        document: {
          file_id: 'pdf1',
          file_unique_id: 'pdf1-u',
          mime_type: 'application/pdf',
          file_size: 2048,
        },
      }),
    );
    await u.tap('✅ 好了');
    expect(u.lastText()).toContain(`3 张材料已经交给“📮 意见箱”（编号 ${filed.number}）`);
    const events = (await residentEvents(filed.caseId)).filter((e) => e.kind === 'documents_added');
    expect(events).toHaveLength(1);
    expect(events[0]?.attachments.map((a) => a.fileId).sort()).toEqual(['d1', 'd2', 'pdf1']);
    const told = await h.db.notification.findMany({
      where: { caseId: filed.caseId, kind: 'staff.documents_added' },
    });
    expect(told.map((n) => n.telegramId)).toEqual([telegramId]);
    await workers.drain();
    expect(staff.lastText()).toContain(`居民补交了材料：${filed.number}`);
    await u.press(`mc:open:${filed.caseId}`);
    expect(u.lastText()).toContain('您补交了材料');
  });

  it('on the submission confirmation, in English; "none after all" hands nothing in', async () => {
    const u = await resident('en');
    await u.text('/services');
    await u.tap('📮 Suggestion box');
    await u.tap('Safety');
    await u.text('The stair light is broken');
    await u.tap('None, skip');
    await u.tap('Give my name');
    await u.tap('✅ Correct, submit');
    expect(u.findButton('📎 Add documents')).toBeDefined();
    await u.tap('📎 Add documents');
    expect(u.lastText()).toContain('Please send photos of the documents');
    await u.tap('None, skip');
    expect(u.lastText()).toContain('no documents this time');
    const filed = await h.db.case.findFirstOrThrow({ where: { telegramId: BigInt(u.id) } });
    expect((await residentEvents(filed.id)).map((e) => e.kind)).toEqual(['submitted']);
  });

  it('a closed case, another resident\u2019s case, a case closed while adding: never', async () => {
    const u = await resident();
    const filed = await fileSuggestion(h, u);
    // Someone else's case, by a forged button.
    const other = await resident();
    await other.press(`mc:docs:${filed.caseId}`);
    expect(other.lastText()).toContain('没找到');
    // Closed while the resident was adding: refused when handed in.
    await u.press(`mc:docs:${filed.caseId}`);
    await u.send(photoMessage(u, 'late'));
    await h.deps.cases.withdraw(u.id, filed.caseId);
    await u.tap('✅ 好了');
    expect(u.lastText()).toContain('不能再补交材料');
    // Closed before: one line, no question, the ways on.
    const calls = await u.press(`mc:docs:${filed.caseId}`);
    expect(sentTexts(calls)).toEqual([expect.stringContaining('不能再补交材料')]);
    expect(buttonsOf(calls)).toEqual(['📋 看这件事', '🏠 回主菜单']);
    expect((await residentEvents(filed.caseId)).map((e) => e.kind)).toEqual(['submitted', 'withdrawn']);
    await u.press(`mc:open:${filed.caseId}`);
    expect(u.lastText()).toContain('状态：已撤回');
    expect(buttonsOf(h.calls.slice(-1))).not.toContain('📎 补交材料');
  });
});

describe('the resolved notice and follow-ups that check first', () => {
  it('the resolved notice carries "reopen", which works within 7 days', async () => {
    const u = await resident();
    const c = await caseWithReply(u);
    await c.staff.press(`st:open:${c.caseId}`);
    await c.staff.tap('✅ 办结');
    await c.staff.text('灯已经修好了。');
    await c.staff.tap('✅ 确定');
    await workers.drain();
    expect(u.lastText()).toContain('您的事办好了');
    expect(u.lastText()).toContain('7 天内可以要求重新办理');
    expect(u.findButton('🔄 没办好，重新办理')).toBeDefined();
    await u.tap('🔄 没办好，重新办理');
    expect(u.lastText()).toContain('为什么要重新办理');
    await u.text('晚上又不亮了');
    expect(u.lastText()).toContain('重新交给工作人员');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: c.caseId } })).status).toBe('in_progress');
  });

  it('in English the resolved notice has the button too', async () => {
    const u = await resident('en');
    const c = await caseWithReply(u);
    await c.staff.press(`st:open:${c.caseId}`);
    await c.staff.tap('✅ 办结');
    await c.staff.text('修好了');
    await c.staff.tap('✅ 确定');
    await workers.drain();
    expect(u.findButton('🔄 Not solved: reopen')).toBeDefined();
  });

  it('each follow-up that is no longer allowed says why in one line, before asking anything', async () => {
    const u = await resident();
    const filed = await fileSuggestion(h, u);
    const { staff } = await taker(filed.caseId);
    const expectRefused = async (data: string, words: string) => {
      const calls = await u.press(data);
      const texts = sentTexts(calls);
      expect(texts).toEqual([expect.stringContaining(words)]);
      expect(buttonsOf(calls)).toEqual(['📋 看这件事', '🏠 回主菜单']);
    };
    // Open, not asked anything: answering, rating, reopening are not for now.
    await expectRefused(`mc:ans:${filed.caseId}`, '工作人员现在没有问您问题');
    await expectRefused(`mc:rate:${filed.caseId}`, '还没办好');
    await expectRefused(`mc:reopen:${filed.caseId}`, '还在办，不用重新办理');
    // Resolved and rated: rating again is refused at once.
    await staff.press(`st:open:${filed.caseId}`);
    await staff.tap('✅ 办结');
    await staff.text('好了');
    await staff.tap('✅ 确定');
    await u.press(`mc:rate:${filed.caseId}`);
    await u.tap('⭐⭐⭐⭐⭐ 很满意');
    await u.tap('跳过');
    expect(u.lastText()).toContain('谢谢您的评价');
    await expectRefused(`mc:rate:${filed.caseId}`, '已经评价过了');
    await expectRefused(`mc:ans:${filed.caseId}`, '这件事已经结束了');
    // Resolved more than 7 days ago: reopening is refused at once.
    await h.db.case.update({
      where: { id: filed.caseId },
      data: { resolvedAt: new Date(Date.now() - 8 * 86_400_000) },
    });
    await expectRefused(`mc:reopen:${filed.caseId}`, '超过 7 天');
    // Nothing of it was taken as an answer.
    await u.text('随便说一句');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: filed.caseId } })).status).toBe('resolved');
  });

  it('in English too', async () => {
    const u = await resident('en');
    const filed = await fileSuggestion(h, u);
    await u.press(`mc:rate:${filed.caseId}`);
    expect(u.lastText()).toContain('not finished yet');
    await h.deps.cases.withdraw(u.id, filed.caseId);
    await u.press(`mc:reopen:${filed.caseId}`);
    expect(u.lastText()).toContain('This request is closed');
    await u.press(`mc:docs:${filed.caseId}`);
    expect(u.lastText()).toContain('no more documents can be added');
    expect(u.findButton('🏠 Main menu')).toBeDefined();
  });
});
