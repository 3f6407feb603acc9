// Voice wherever a resident writes free text, and staff answering with a voice message or a photo, through
// the real update path (bot.handleUpdate behind the update gate, the fake Bot API recording every call) and
// the notification outbox: every free-text step of the four services and of the follow-ups takes a voice
// message (kept as a voice attachment for staff, shown as "🎤 语音 0:12"); a staff member's voice reply
// reaches the resident as a voice message with the case's header as its caption, a photo question as a photo;
// the case view plays it again; wrong input (stickers, video notes, over-long voice, over-large files, forged
// buttons, blank captions) gets a plain answer and loses nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAnswers } from '../../src/app/cases.ts';
import { MAX_VOICE_SECONDS } from '../../src/domain/file-size.ts';
import {
  type ApiCall,
  createHarness,
  type Harness,
  inlineButtons,
  type SimUser,
  sentTexts,
} from '../support/bot-harness.ts';
import { birthDateForAge } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';
import { type CaseWorkers, caseWorkers, fileSuggestion, makeStaff } from '../support/staff-scene.ts';

let h: Harness;
let workers: CaseWorkers;
let nextUserId = 64_000;
let nextStaffId = 74_000;
beforeAll(async () => {
  h = await createHarness();
  workers = caseWorkers(h);
});
afterAll(() => h.close());

async function resident(locale: 'zh-CN' | 'en' = 'zh-CN'): Promise<SimUser> {
  const u = h.user(nextUserId++);
  await registerResident(u); // the script taps the Chinese buttons: an English resident switches afterwards
  if (locale === 'en') {
    await u.text('/language');
    await u.tap('English');
  }
  return u;
}

let fileSeq = 0;
/** A voice message of `seconds` (and `bytes`), with a caption if given. */
function voice(u: SimUser, seconds: number, opts: { bytes?: number; caption?: string } = {}) {
  const n = fileSeq++;
  return u.send(
    u.message({
      voice: {
        file_id: `voice-${n}`,
        file_unique_id: `voice-u-${n}`,
        duration: seconds,
        mime_type: 'audio/ogg',
        file_size: opts.bytes ?? seconds * 2_000,
      },
      ...(opts.caption !== undefined ? { caption: opts.caption } : {}),
    }),
  );
}

function photo(u: SimUser, opts: { bytes?: number; caption?: string } = {}) {
  const n = fileSeq++;
  return u.send(
    u.message({
      photo: [
        { file_id: `thumb-${n}`, file_unique_id: `thumb-u-${n}`, width: 90, height: 90, file_size: 900 },
        {
          file_id: `photo-${n}`,
          file_unique_id: `photo-u-${n}`,
          width: 1280,
          height: 960,
          file_size: opts.bytes ?? 120_000,
        },
      ],
      ...(opts.caption !== undefined ? { caption: opts.caption } : {}),
    }),
  );
}

const videoNote = (u: SimUser) =>
  u.send(
    u.message({
      video_note: { file_id: 'vn', file_unique_id: 'vn-u', length: 240, duration: 5, file_size: 90_000 },
    }),
  );

const pdf = (u: SimUser) =>
  u.send(
    u.message({
      document: { file_id: 'doc', file_unique_id: 'doc-u', mime_type: 'application/pdf', file_size: 9_000 },
    }),
  );

/** The file id a call sent (a voice message or a photo). */
const fileSent = (c: ApiCall | undefined) => c?.payload.voice ?? c?.payload.photo;

async function casesOf(u: SimUser) {
  const r = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(u.id) } });
  return h.db.case.findMany({
    where: { residentId: r.id },
    include: { attachments: { orderBy: { createdAt: 'asc' } } },
    orderBy: { submittedAt: 'asc' },
  });
}

/** Wrong input at a step that takes text or voice: each is answered in plain words, none is the answer. */
async function wrongAtVoiceStep(u: SimUser, prompt: string) {
  const answers = [
    sentTexts(await u.sticker())[0],
    sentTexts(await videoNote(u))[0],
    sentTexts(await voice(u, MAX_VOICE_SECONDS + 1))[0],
    sentTexts(await voice(u, 30, { bytes: 21 * 1024 * 1024 }))[0],
  ];
  expect(answers[0]).toContain('按住说话发语音');
  expect(answers[1]).toContain('收不了视频');
  expect(answers[2]).toContain('超过 5 分钟');
  expect(answers[3]).toContain('20MB');
  const forged = await u.press('f:999999:c:0');
  expect(forged.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('过期');
  // Still at the same question: nothing was taken as the answer.
  expect(u.texts().filter((t) => t.includes(prompt)).length).toBeGreaterThan(0);
  expect(u.lastText()).not.toContain('请核对');
}

describe('a voice message at every free-text step of the four services', () => {
  it('school enrolment: previous school and special needs said aloud; staff get the voice messages', async () => {
    const u = await resident();
    await addMember(h, u.id, { name: '杨小雨', relation: 'child', birthDate: birthDateForAge(7) });
    await u.text('/services');
    await u.tap('🎒 孩子上学');
    await u.tap('杨小雨');
    const asked = sentTexts(await u.tap('小学二年级'));
    expect(asked.join('\n')).toContain('孩子原来在哪个学校上学');
    expect(asked.join('\n')).toContain('按住说话发语音');
    await wrongAtVoiceStep(u, '孩子原来在哪个学校上学');
    await voice(u, 12);
    await u.tap('就近安排（教育局安排）');
    expect(u.lastText()).toContain('按住说话发语音');
    await voice(u, 65);
    await u.tap('✅ 同意');
    await u.tap('没有，跳过');
    const summary = u.lastText();
    expect(summary).toContain('原来的学校：🎤 语音 0:12');
    expect(summary).toContain('特别情况：🎤 语音 1:05');
    await u.tap('✅ 对的，提交');
    const [c] = await casesOf(u);
    expect(c?.attachments.map((a) => [a.stepId, a.kind])).toEqual([
      ['previousSchool', 'voice'],
      ['specialNeeds', 'voice'],
    ]);

    const staffId = nextStaffId++;
    await makeStaff(h, staffId, c?.departmentCode as string);
    const staff = h.user(staffId);
    await staff.press(`st:open:${c?.id}`);
    expect(staff.lastText()).toContain('🎤 语音 0:12');
    const files = await staff.tap('📎 附件（2）');
    expect(files.filter((x) => x.method === 'sendVoice').map(fileSent)).toEqual(
      c?.attachments.map((a) => a.fileId),
    );
  });

  it('medical green channel: what happened, said aloud, after wrong input of every kind', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('🏥 看病绿色通道');
    await u.tap('不是急病');
    await u.tap('门诊');
    await u.tap('杨光明');
    await u.tap('万山区人民医院');
    await wrongAtVoiceStep(u, '请说一说是什么情况');
    await voice(u, 40);
    await u.tap('都不是');
    await u.tap(/用登记的手机号/);
    expect(u.lastText()).toContain('什么情况：🎤 语音 0:40');
    await u.tap('✅ 对的，提交');
    const [c] = await casesOf(u);
    expect(c?.attachments.map((a) => [a.stepId, a.kind])).toEqual([['description', 'voice']]);
  });

  it('dibao: the reason and the assets said aloud', async () => {
    const u = await resident();
    await addMember(h, u.id, { name: '杨小雨', relation: 'child', birthDate: birthDateForAge(9) });
    await u.text('/services');
    await u.tap('💰 申请低保');
    await u.tap('对，就是这些人');
    await u.text('900');
    await u.tap('其他原因');
    expect(u.lastText()).toContain('按住说话发语音');
    await voice(u, 20);
    await u.tap('有一些');
    expect(u.lastText()).toContain('按住说话发语音');
    await voice(u, 75);
    await u.tap('✅ 同意核对');
    await u.tap('没有，跳过');
    expect(u.lastText()).toContain('🎤 语音 0:20');
    expect(u.lastText()).toContain('🎤 语音 1:15');
    await u.tap('✅ 对的，提交');
    const [c] = await casesOf(u);
    expect(c?.attachments.map((a) => [a.stepId, a.kind])).toEqual([
      ['reasonDetail', 'voice'],
      ['assetsDetail', 'voice'],
    ]);
  });

  it('suggestion box, in English: the content said aloud, and the English words for it', async () => {
    const u = await resident('en');
    await u.text('/services');
    await u.tap('📮 Suggestion box');
    const asked = sentTexts(await u.tap('Environment and cleanliness'));
    expect(asked.join('\n')).toContain('hold the microphone button and speak');
    expect(sentTexts(await videoNote(u))[0]).toContain('Videos can’t be taken here');
    expect(sentTexts(await voice(u, 400))[0]).toContain('too long (over 5 minutes)');
    await voice(u, 8);
    await u.tap('None, skip');
    await u.tap('Give my name');
    expect(u.lastText()).toContain('🎤 Voice 0:08');
    expect(u.lastText()).not.toContain('语音');
    await u.tap('✅ Correct, submit');
    const [c] = await casesOf(u);
    expect(c?.attachments.map((a) => [a.stepId, a.kind])).toEqual([['content', 'voice']]);
  });
});

describe('a voice message with a caption', () => {
  it('keeps the caption as the typed part of the answer, checked like typed text', async () => {
    const u = await resident();
    await u.text('/services');
    await u.tap('📮 意见箱');
    await u.tap('安全');
    expect(sentTexts(await voice(u, 5, { caption: '灯'.repeat(1001) }))[0]).toContain('最多 1000 个字');
    await voice(u, 5, { caption: ' 3栋路灯坏了 ' });
    await u.tap('没有，跳过');
    await u.tap('写上我的名字');
    expect(u.lastText()).toContain('🎤 语音 0:05 3栋路灯坏了');
    await u.tap('✅ 对的，提交');
    const [c] = await casesOf(u);
    expect(c?.attachments.map((a) => [a.stepId, a.kind])).toEqual([['content', 'voice']]);
    const answers = describeAnswers(c as NonNullable<typeof c>, h.cipher, h.deps.catalogue);
    expect(answers.find((a) => a.stepId === 'content')?.label).toBe('🎤 语音 0:05 3栋路灯坏了');
  });
});

/** A staff member of the suggestion's department holding the case (taken through the card's button). */
async function heldBy(caseId: string): Promise<SimUser> {
  const id = nextStaffId++;
  await makeStaff(h, id, 'wanshan-neighbourhood', { displayName: '王主任' });
  const staff = h.user(id);
  await staff.press(`st:take:${caseId}`);
  await workers.drain(); // "someone is on it", out of the way
  return staff;
}

describe('a voice message in the follow-ups', () => {
  it('the answer to staff, the reopen reason and the rating comment may be said aloud', async () => {
    const u = await resident();
    const { caseId } = await fileSuggestion(h, u);
    const staff = await heldBy(caseId);
    await staff.tap('❓ 请居民补充');
    await staff.text('是哪个单元的楼道？');
    await staff.tap('✅ 确定');
    await workers.drain();
    await u.tap('✍️ 回答工作人员');
    expect(sentTexts(await voice(u, MAX_VOICE_SECONDS + 10))[0]).toContain('超过 5 分钟');
    expect(sentTexts(await videoNote(u))[0]).toContain('文字、语音或照片');
    await voice(u, 6);
    expect(u.lastText()).toContain('已经交给工作人员');

    await staff.press(`st:open:${caseId}`);
    expect(staff.lastText()).toMatch(/居民.*🎤 语音/);
    await staff.tap('✅ 办结');
    await staff.text('灯换好了。');
    await staff.tap('✅ 确定');
    await workers.drain();

    await u.press(`mc:open:${caseId}`);
    expect(u.lastText()).toMatch(/您补充了材料 🎤 语音/);
    await u.tap('🔄 重新办理');
    expect(u.lastText()).toContain('按住说话发语音');
    expect(sentTexts(await u.sticker())[0]).toContain('按住说话发语音');
    await voice(u, 14);
    expect(u.lastText()).toContain('重新交给工作人员');
    let c = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(c.status).toBe('in_progress');

    await staff.press(`st:open:${caseId}`);
    await staff.tap('✅ 办结');
    await staff.text('这次修好了。');
    await staff.tap('✅ 确定');
    await workers.drain();
    await u.press(`mc:open:${caseId}`);
    await u.tap('⭐ 评价');
    await u.tap('⭐⭐⭐⭐ 满意');
    expect(u.lastText()).toContain('按住说话发语音');
    await voice(u, 9);
    expect(u.lastText()).toContain('谢谢您的评价');
    c = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(c.rating).toBe(4);
    expect(c.commentCipher).toBeNull();

    const events = await h.db.caseEvent.findMany({ where: { caseId }, orderBy: { id: 'asc' } });
    const files = await h.db.caseAttachment.findMany({ where: { caseId }, orderBy: { createdAt: 'asc' } });
    const kindOf = (eventId: bigint | null) => events.find((e) => e.id === eventId)?.kind;
    expect(files.map((f) => [kindOf(f.eventId), f.kind])).toEqual([
      ['info_answer', 'voice'],
      ['reopened', 'voice'],
      ['rated', 'voice'],
    ]);
    await u.press(`mc:open:${caseId}`);
    expect(u.lastText()).toMatch(/您要求重新办理 🎤 语音/);
    expect(u.lastText()).toMatch(/您评价了 🎤 语音/);
  });
});

describe('staff answer with a voice message or a photo', () => {
  it('a voice reply reaches the resident as a voice message with the case header, and plays again', async () => {
    const u = await resident();
    const { caseId, number } = await fileSuggestion(h, u);
    const staff = await heldBy(caseId);
    const prompt = sentTexts(await staff.tap('💬 回复居民')).join('\n');
    expect(prompt).toContain('也可以直接发一段语音或一张照片');
    await voice(staff, 9, { caption: '  我们已经通知物业，明天上午来修。 ' });
    const preview = staff.lastText();
    expect(preview).toContain('🎤 一段语音（0:09）');
    expect(preview).toContain('我们已经通知物业，明天上午来修。');
    await staff.tap('✅ 确定');
    expect(staff.lastText()).toContain(number);

    const before = h.calls.length;
    expect(await workers.drain()).toBe(1);
    const sent = h.calls.slice(before).filter((c) => Number(c.payload.chat_id) === u.id);
    expect(sent.map((c) => c.method)).toEqual(['sendVoice']);
    const [call] = sent;
    const staffVoice = await h.db.caseAttachment.findFirstOrThrow({ where: { caseId, kind: 'voice' } });
    expect(fileSent(call)).toBe(staffVoice.fileId);
    const caption = String(call?.payload.caption);
    expect(caption).toContain('💬 工作人员回复您了');
    expect(caption).toContain(number);
    expect(caption).toContain('明天上午来修');
    expect(caption).toContain('点上面的 ▶');
    expect(inlineButtons(call as ApiCall).map((b) => b.text)).toContain('📋 看这件事');
    // The outbox row holds references only, never the file or the words.
    const row = await h.db.notification.findFirstOrThrow({ where: { caseId, kind: 'resident.reply' } });
    expect(JSON.stringify(row.payload)).not.toContain(staffVoice.fileId);
    expect(row.status).toBe('sent');

    const view = await u.press(`mc:open:${caseId}`);
    expect(u.lastText()).toMatch(/工作人员回复：我们已经通知物业，明天上午来修。 🎤 语音/);
    const replay = inlineButtons(view.find((c) => c.method === 'sendMessage') as ApiCall).find((b) =>
      b.text.startsWith('▶️ 再听一遍'),
    );
    expect(replay?.callback_data).toBe(`mc:play:${caseId}:0`);
    const again = await u.tap(/^▶️ 再听一遍/);
    const played = again.find((c) => c.method === 'sendVoice');
    expect(fileSent(played)).toBe(staffVoice.fileId);
    expect(String(played?.payload.caption)).toContain(number);

    // A forged replay: a file that is not there, or another resident's case.
    const forged = await u.press(`mc:play:${caseId}:7`);
    expect(forged.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('找不到');
    expect(forged.some((c) => c.method === 'sendVoice')).toBe(false);
    const other = await resident();
    const stolen = await other.press(`mc:play:${caseId}:0`);
    expect(stolen.some((c) => c.method === 'sendVoice')).toBe(false);
    expect(stolen.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('找不到');
  });

  it('a photo question (no caption) reaches an English resident as a photo, who answers by voice', async () => {
    const u = await resident('en');
    const { caseId, number } = await fileSuggestion(h, u);
    const staff = await heldBy(caseId);
    await staff.tap('❓ 请居民补充');
    await photo(staff, { caption: '   ' }); // a blank caption: the photo alone
    expect(staff.lastText()).toContain('🖼 一张照片\n（没有文字）');
    await staff.tap('✅ 确定');
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('waiting_resident');

    const before = h.calls.length;
    await workers.drain();
    const sent = h.calls.slice(before).filter((c) => Number(c.payload.chat_id) === u.id);
    expect(sent.map((c) => c.method)).toEqual(['sendPhoto']);
    const staffPhoto = await h.db.caseAttachment.findFirstOrThrow({ where: { caseId, kind: 'photo' } });
    expect(staffPhoto.fileId).toMatch(/^photo-/); // the largest size, not the thumbnail
    expect(fileSent(sent[0])).toBe(staffPhoto.fileId);
    const caption = String(sent[0]?.payload.caption);
    expect(caption).toContain('The staff need a little more from you');
    expect(caption).toContain(number);
    expect(caption).toContain('The staff sent the picture above');
    expect(caption).not.toMatch(/[\u4e00-\u9fff]/);
    expect(inlineButtons(sent[0] as ApiCall).map((b) => b.text)).toContain('✍️ Answer the staff');

    await u.tap('✍️ Answer the staff');
    await voice(u, 11);
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('in_progress');
    await u.press(`mc:open:${caseId}`);
    expect(u.lastText()).toContain('🖼 Picture');
    expect(u.lastText()).toContain('🎤 Voice');
    const again = await u.tap(/^🖼 See the picture of/);
    expect(fileSent(again.find((c) => c.method === 'sendPhoto'))).toBe(staffPhoto.fileId);
  });

  it('wrong input at the reply step gets a plain answer each time, and nothing is sent until it is right', async () => {
    const u = await resident();
    const { caseId } = await fileSuggestion(h, u);
    const staff = await heldBy(caseId);
    await staff.tap('💬 回复居民');
    const answers = [
      sentTexts(await staff.sticker())[0],
      sentTexts(await videoNote(staff))[0],
      sentTexts(await pdf(staff))[0],
      sentTexts(await voice(staff, MAX_VOICE_SECONDS + 1))[0],
      sentTexts(await photo(staff, { bytes: 21 * 1024 * 1024 }))[0],
      sentTexts(await voice(staff, 20, { caption: '长'.repeat(801) }))[0],
    ];
    expect(answers[0]).toContain('请打字，或者发一段语音、一张照片');
    expect(answers[1]).toContain('请打字，或者发一段语音、一张照片');
    expect(answers[2]).toContain('请打字，或者发一段语音、一张照片');
    expect(answers[3]).toContain('超过 5 分钟');
    expect(answers[4]).toContain('超过 20MB');
    expect(answers[5]).toContain('最多 800 个字（现在 801 个）');
    const forged = await staff.press('sa:canned:00000000-0000-4000-8000-000000000000');
    expect(forged.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('不能用了');
    expect(
      await h.db.caseAttachment.count({ where: { caseId, eventId: { not: null }, kind: 'voice' } }),
    ).toBe(0);
    await voice(staff, 5);
    expect(staff.lastText()).toContain('🎤 一段语音（0:05）\n（没有文字）');
    await staff.tap('✅ 确定');
    await workers.drain();
    const reply = await h.db.caseEvent.findFirstOrThrow({ where: { caseId, kind: 'reply' } });
    expect(reply.noteCipher).toBeNull();
    expect(await h.db.caseAttachment.count({ where: { caseId, eventId: reply.id, kind: 'voice' } })).toBe(1);

    // Resolving is in words: a voice message there is refused as before.
    await staff.press(`st:open:${caseId}`);
    await staff.tap('✅ 办结');
    expect(sentTexts(await voice(staff, 5))[0]).toContain('请打字');
  });

  it('the use case refuses a file that is not a voice message or photo, too long, or too large', async () => {
    const u = await resident();
    const { caseId } = await fileSuggestion(h, u);
    const staff = await heldBy(caseId);
    const base = { fileId: 'f', fileUniqueId: 'fu' };
    const reply = (file: Parameters<typeof h.deps.staff.reply>[3], text: string | null = null) =>
      h.deps.staff.reply(staff.id, caseId, text, file);
    const forged = { ...base, kind: 'document' } as unknown as Parameters<typeof h.deps.staff.reply>[3];
    expect(await reply(forged)).toEqual({ ok: false, error: 'invalid' });
    expect(await reply({ ...base, kind: 'voice', durationSeconds: MAX_VOICE_SECONDS + 1 })).toEqual({
      ok: false,
      error: 'invalid',
    });
    expect(await reply({ ...base, kind: 'photo', sizeBytes: 21 * 1024 * 1024 })).toEqual({
      ok: false,
      error: 'invalid',
    });
    expect(await reply({ ...base, kind: 'photo' }, '长'.repeat(801))).toEqual({
      ok: false,
      error: 'invalid',
    });
    expect(await h.deps.staff.reply(staff.id, caseId, null)).toEqual({ ok: false, error: 'invalid' });
    expect(await h.db.caseEvent.count({ where: { caseId, kind: 'reply' } })).toBe(0);
    expect((await reply({ ...base, kind: 'photo' }, '照片里是新装的灯')).ok).toBe(true);
  });

  it('a voice notification Telegram rate-limits (429) is sent again after retry_after, as a voice message', async () => {
    const u = await resident();
    const { caseId, number } = await fileSuggestion(h, u);
    const staff = await heldBy(caseId);
    await staff.tap('💬 回复居民');
    await voice(staff, 7, { caption: '已经派人去看了' });
    await staff.tap('✅ 确定');

    const clock = { now: new Date() };
    let limited = 1;
    const limitedWorkers = caseWorkers(h, {
      now: () => clock.now,
      fail: (call) =>
        call.method === 'sendVoice' && limited-- > 0
          ? {
              error_code: 429,
              description: 'Too Many Requests: retry after 9',
              parameters: { retry_after: 9 },
            }
          : undefined,
    });
    const first = await limitedWorkers.dispatcher.runOnce();
    expect(first).toMatchObject({ claimed: 1, retried: 1, sent: 0 });
    const row = await h.db.notification.findFirstOrThrow({ where: { caseId, kind: 'resident.reply' } });
    expect(row.status).toBe('pending');
    expect(row.attempts).toBe(0);
    expect(row.nextAttemptAt.getTime() - clock.now.getTime()).toBe(9_000);
    clock.now = new Date(clock.now.getTime() + 9_500);
    expect(await limitedWorkers.dispatcher.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    const voices = limitedWorkers.calls.filter((c) => c.method === 'sendVoice');
    expect(voices).toHaveLength(2);
    expect(fileSent(voices[0])).toBe(fileSent(voices[1]));
    expect(String(voices[1]?.payload.caption)).toContain(number);
    expect(String(voices[1]?.payload.caption)).toContain('已经派人去看了');
    expect(limitedWorkers.calls.some((c) => c.method === 'sendMessage' && c.payload.chat_id === u.id)).toBe(
      false,
    );
  });
  it('a file Telegram refuses (400) still lets the words through, saying the voice message could not come', async () => {
    const u = await resident();
    const { caseId, number } = await fileSuggestion(h, u);
    const staff = await heldBy(caseId);
    await staff.tap('💬 回复居民');
    await voice(staff, 7, { caption: '下午三点来看' });
    await staff.tap('✅ 确定');
    const refusing = caseWorkers(h, {
      fail: (call) =>
        call.method === 'sendVoice'
          ? { error_code: 400, description: 'Bad Request: wrong file identifier/HTTP URL specified' }
          : undefined,
    });
    expect(await refusing.dispatcher.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    const toResident = refusing.calls.filter((c) => Number(c.payload.chat_id) === u.id);
    expect(toResident.map((c) => c.method)).toEqual(['sendVoice', 'sendMessage']);
    const text = String(toResident[1]?.payload.text);
    expect(text).toContain(number);
    expect(text).toContain('下午三点来看');
    expect(text).toContain('没能转过来');
    expect(text).not.toContain('点上面的 ▶');
    const row = await h.db.notification.findFirstOrThrow({ where: { caseId, kind: 'resident.reply' } });
    expect(row.status).toBe('sent');
  });
});
