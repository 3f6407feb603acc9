// /notice and /notices through the real bot: composing (count, exact preview, language versions, photo,
// buildings, schedule, change, double tap), the sender delivering what was composed, read receipts
// (also in the middle of a form), the list with figures, cancelling, residents turning notices off, and
// who may do what (a resident, a worker of another community, a worker removed meanwhile, an admin).
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NoticeSender } from '../../src/app/jobs/notice-sender.ts';
import { compactTime } from '../../src/bot/format-time.ts';
import { createTranslator } from '../../src/bot/i18n.ts';
import { renderNotice } from '../../src/bot/notice-render.ts';
import { composeNoticeSender } from '../../src/compose.ts';
import { beijingMinute } from '../../src/domain/beijing-time.ts';
import { createLogger } from '../../src/logger.ts';
import {
  type ApiCall,
  createHarness,
  fakeTelegram,
  type Harness,
  inlineButtons,
  type SimUser,
  sentTexts,
  TEST_TOKEN,
} from '../support/bot-harness.ts';
import { registerResident } from '../support/flows.ts';
import { countsOf, FAST, finished, WANGJIA, waitFor } from '../support/notice-scene.ts';
import { addWorker, buildingsOf, seedResidents } from '../support/seed-residents.ts';

const ADMIN_ID = 60_001;
const WORKER_ID = 60_002;
const OTHER_WORKER_ID = 60_003; // a worker of another community
const FIRST_RESIDENT = 61_001;
const t = createTranslator().t('zh-CN');

let h: Harness;
/** What the sender sends (a Bot API of its own, as in production). */
const outbox = fakeTelegram();
let sender: NoticeSender;

beforeAll(async () => {
  h = await createHarness({ adminIds: [ADMIN_ID] });
  await addWorker(h.db, WORKER_ID, WANGJIA);
  await addWorker(h.db, OTHER_WORKER_ID, 'bijiang-aitun');
  const buildings = await buildingsOf(h.db, WANGJIA);
  // Six residents of Wangjia: buildings 1, 2, 3, 1, 2, 3; the fifth uses English; the sixth has an 8-year-old.
  await seedResidents(
    h.db,
    WANGJIA,
    Array.from({ length: 6 }, (_, i) => ({
      telegramId: FIRST_RESIDENT + i,
      buildingId: (buildings[i % 3] as { id: string }).id,
      locale: i === 4 ? ('en' as const) : null,
      members: i === 5 ? [{ birthDate: `${new Date().getFullYear() - 8}-01-15` }] : [],
    })),
  );
  sender = composeNoticeSender({
    db: h.db,
    api: new Api(TEST_TOKEN, { fetch: outbox.fetch }),
    logger: createLogger('silent'),
    defaultLocale: 'zh-CN',
    adminTelegramIds: [ADMIN_ID],
    rate: 25,
    tuning: { ...FAST, progressEveryMs: 100 },
  });
});
afterAll(async () => {
  await sender.stop();
  await h.close();
});

/** Runs the sender until the notice is done and reported. */
async function deliver(noticeId: string) {
  sender.start();
  return finished(h.db, noticeId);
}

function toChat(calls: ApiCall[], chatId: number): ApiCall[] {
  return calls.filter((c) => Number(c.payload.chat_id) === chatId);
}

async function latestNotice() {
  return h.db.notice.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
}

/** From /notice to the confirmation, with the choices a test cares about. */
async function compose(
  u: SimUser,
  opts: { text?: string; english?: string; photo?: boolean; audience?: string; important?: boolean } = {},
) {
  await u.text('/notice');
  expect(u.lastText()).toContain('请写通知的内容');
  await u.text(opts.text ?? '明天上午 9 点到 11 点停水，请提前接好水。');
  if (opts.english) await u.text(opts.english);
  else await u.tap('跳过');
  if (opts.photo) {
    await u.photo();
    await u.tap('✅ 好了');
  } else {
    await u.tap('没有，跳过');
  }
  await u.tap(opts.audience ?? '🏘 全社区');
}

describe('composing a notice', () => {
  it('a worker writes one for the whole community: the count, the exact preview, then it reaches everyone once', async () => {
    const w = h.user(WORKER_ID);
    await compose(w);
    expect(w.texts().some((x) => x === '这部分居民一共 6 位。')).toBe(true);
    await w.tap('普通通知');
    const shown = await w.tap('现在就发');
    const texts = sentTexts(shown);
    expect(texts[0]).toBe('下面就是居民会收到的样子：');
    const expected = renderNotice(t, 'zh-CN', {
      id: 'x',
      textZh: '明天上午 9 点到 11 点停水，请提前接好水。',
      textEn: null,
      photoFileId: null,
      important: false,
      community: { nameZh: '旺家社区', nameEn: 'Wangjia Community' },
    });
    expect(texts[1]).toBe(expected.text);
    expect(texts[2]).toContain('发给：全社区，共 6 位居民');
    expect(texts[2]).toContain('时间：现在就发');
    expect(await h.db.notice.count()).toBe(0);

    // Change the text from the confirmation: a new preview, the same audience.
    await w.tap('✏️ 修改');
    await w.tap('内容');
    await w.text('明天上午 9 点到 12 点停水，请提前接好水。');
    expect(w.texts().at(-2)).toContain('9 点到 12 点停水');
    await w.tap('✅ 现在发送');
    expect(w.lastText()).toContain('开始发送了');
    const notice = await latestNotice();
    expect(notice).toMatchObject({
      communityCode: WANGJIA,
      textZh: '明天上午 9 点到 12 点停水，请提前接好水。',
      textEn: null,
      audience: 'community',
      important: false,
      status: 'scheduled',
      authorTelegramId: BigInt(WORKER_ID),
    });

    const done = await deliver(notice.id);
    expect(done.recipientCount).toBe(6);
    for (let i = 0; i < 6; i++) {
      const got = toChat(outbox.calls, FIRST_RESIDENT + i).filter((c) => c.method === 'sendMessage');
      expect(got).toHaveLength(1);
      expect(String(got[0]?.payload.text)).toMatch(
        i === 4 ? /^📢 Notice from Wangjia Community/ : /^📢 旺家社区通知/,
      );
    }
    const report = toChat(outbox.calls, WORKER_ID)
      .filter((c) => c.method === 'sendMessage')
      .at(-1);
    expect(String(report?.payload.text)).toContain('一共 6 人');
    expect(String(report?.payload.text)).toContain('已送到 6 人');

    // The list, with the figures.
    const list = sentTexts(await w.text('/notices'))[0] ?? '';
    expect(list).toContain('✅ 已发完');
    expect(list).toContain('“明天上午 9 点到 12 点停水');
    expect(list).toContain('送到 6/6');
  });

  it('an important one with a photo and an English version to two buildings: read presses are counted, also in the middle of a form', async () => {
    // One resident registered through the bot (building 3 — not in the audience) and one in building 1.
    const reader = h.user(62_001);
    await registerResident(reader, { building: '1栋' });
    const w = h.user(WORKER_ID);
    await compose(w, {
      text: '本周六上午电梯检修，请走楼梯。',
      english: 'The lift is serviced on Saturday morning. Please use the stairs.',
      photo: true,
      audience: '🏢 选几栋楼',
    });
    await w.tap('1栋');
    await w.tap('✅ 1栋'); // a second tap takes it away again
    await w.tap('1栋');
    await w.tap('2栋');
    await w.tap('✅ 选好了');
    expect(w.texts().some((x) => x.startsWith('已经选了 2 栋：1栋、2栋'))).toBe(true);
    expect(w.texts().some((x) => x === '这部分居民一共 5 位。')).toBe(true); // 2 + 2 seeded, and the reader
    await w.tap('重要通知（请大家确认看到）');
    const shown = await w.tap('现在就发');
    const photos = shown.filter((c) => c.method === 'sendPhoto');
    expect(photos.map((c) => String(c.payload.caption).split('\n\n')[0])).toEqual([
      '📢 旺家社区重要通知',
      '📢 Important notice from Wangjia Community',
    ]);
    expect(inlineButtons(photos[0] as ApiCall)[0]?.callback_data).toBe('nt:pv');
    expect(sentTexts(shown).at(-1)).toContain('发给：1栋、2栋，共 5 位居民');
    expect(sentTexts(shown).at(-1)).toContain('类型：重要通知（要确认看到）');
    // The preview's button only says what it would do.
    const pv = await w.press('nt:pv');
    expect(pv.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toContain('这是预览');
    await w.tap('✅ 现在发送');
    const notice = await latestNotice();
    expect(notice.audience).toBe('buildings');
    expect(notice.buildingIds).toHaveLength(2);
    expect(notice.photoFileId).toBe('ph');

    const done = await deliver(notice.id);
    expect(done.recipientCount).toBe(5);
    const photosSent = outbox.calls.filter(
      (c) => c.method === 'sendPhoto' && String(c.payload.caption).includes('电梯检修'),
    );
    const englishSent = outbox.calls.filter(
      (c) => c.method === 'sendPhoto' && String(c.payload.caption).includes('The lift is serviced'),
    );
    expect(photosSent.map((c) => Number(c.payload.chat_id)).sort()).toEqual(
      [FIRST_RESIDENT, FIRST_RESIDENT + 1, FIRST_RESIDENT + 3, 62_001].sort(),
    );
    expect(englishSent.map((c) => Number(c.payload.chat_id))).toEqual([FIRST_RESIDENT + 4]);
    expect(inlineButtons(photosSent[0] as ApiCall)[0]).toEqual({
      text: '✅ 我看到了',
      callback_data: `nt:read:${notice.id}`,
    });

    // The reader is in the middle of a form when they press "I have read this": it counts, the form goes on.
    await reader.text('/services');
    await reader.tap('📮 意见箱');
    const form = reader.lastText();
    const pressed = await reader.press(`nt:read:${notice.id}`);
    expect(pressed.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toBe(
      '谢谢您，社区知道您看到了。',
    );
    const edited = pressed.find((c) => c.method === 'editMessageReplyMarkup');
    expect(inlineButtons(edited as ApiCall)[0]?.text).toBe('✅ 已确认看到');
    expect(reader.lastText()).toBe(form);
    const again = await reader.press(`nt:read:${notice.id}`);
    expect(again.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toBe(
      '您已经确认过了，谢谢。',
    );
    // Someone who was not sent it (building 3) cannot count.
    const outsider = await h.user(FIRST_RESIDENT + 2).press(`nt:read:${notice.id}`);
    expect(outsider.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toBe('这条通知找不到了。');
    await h.user(FIRST_RESIDENT).press(`nt:read:${notice.id}`);
    expect((await latestNotice()).readCount).toBe(2);

    // The author's report follows the presses.
    await waitFor('the report to show the reads', async () =>
      toChat(outbox.calls, WORKER_ID).some(
        (c) => c.method === 'editMessageText' && String(c.payload.text).includes('已确认看到：2 人'),
      ),
    );
  });

  it('a scheduled notice: the time is checked, the list offers to cancel it, a cancelled one never starts', async () => {
    const w = h.user(WORKER_ID);
    await compose(w, { text: '下周一上午社区开会。' });
    await w.tap('普通通知');
    await w.tap('定个时间再发');
    expect(w.lastText()).toContain('请写发送的时间');
    await w.text('下午三点');
    expect(w.lastText()).toContain('没看懂这个时间');
    const yesterday = beijingMinute(new Date(Date.now() - 86_400_000));
    await w.text(yesterday);
    expect(w.lastText()).toContain('已经过去了');
    await w.text(beijingMinute(new Date(Date.now() + 40 * 86_400_000)));
    expect(w.lastText()).toContain('最多只能提前 30 天');
    const later = new Date(Date.now() + 2 * 86_400_000);
    const at = beijingMinute(later);
    // Typed as 2026-12-08 09:00, shown back as the bot writes dates: 12月8日 09:00.
    const shown = compactTime(later, createTranslator().t('zh-CN'));
    await w.text(at);
    expect(w.lastText()).toContain(`时间：${shown}（北京时间）`);
    await w.tap('✅ 按这个时间发');
    expect(w.lastText()).toContain(`会在 ${shown}（北京时间）发出`);
    const notice = await latestNotice();
    expect(notice.status).toBe('scheduled');
    expect(beijingMinute(notice.scheduledAt)).toBe(at);

    // Not due yet: nothing starts.
    await sender.maintain();
    expect((await latestNotice()).status).toBe('scheduled');

    const list = await w.text('/notices');
    expect(sentTexts(list)[0]).toContain(`⏰ 等待发送：${shown}`);
    await w.tap('🚫 取消第 1 条');
    expect(w.lastText()).toContain('确定不发“下周一上午社区开会。”了吗？');
    await w.tap('是，不发了');
    expect(w.lastText()).toBe('已取消，这条通知不会发出。');
    expect((await latestNotice()).status).toBe('cancelled');
    // Pressing the old button again says so.
    const again = await w.press(`nt:cx:${notice.id}`);
    expect(again.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toBe(
      '这条通知已经取消过了。',
    );
    expect(await h.db.noticeDelivery.count({ where: { noticeId: notice.id } })).toBe(0);
  });

  it('a notice that has started can no longer be cancelled', async () => {
    const w = h.user(WORKER_ID);
    await compose(w, { text: '今晚 8 点停电检修。' });
    await w.tap('普通通知');
    await w.tap('现在就发');
    await w.tap('✅ 现在发送');
    const notice = await latestNotice();
    await sender.maintain(); // starts it
    const pressed = await w.press(`nt:cx:${notice.id}`);
    expect(pressed.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toBe(
      '这条通知已经开始发送了，不能取消。',
    );
    const forcedOk = sentTexts(await w.press(`nt:cxok:${notice.id}`));
    expect(forcedOk).toEqual(['这条通知已经开始发送了，不能取消。']);
    await finished(h.db, notice.id);
  });

  it('a double-tapped "send" makes one notice', async () => {
    const w = h.user(WORKER_ID);
    const before = await h.db.notice.count();
    await compose(w, { text: '双击测试：垃圾分类宣传。' });
    await w.tap('普通通知');
    await w.tap('定个时间再发');
    await w.text(beijingMinute(new Date(Date.now() + 3 * 86_400_000)));
    const send = w.findButton('✅ 按这个时间发');
    expect(send).toBeDefined();
    const data = send?.button.callback_data as string;
    await w.press(data, send?.messageId);
    const second = await w.press(data, send?.messageId);
    expect(await h.db.notice.count()).toBe(before + 1);
    // The form is over: the second tap is a stale button (an alert that stays, then the main menu).
    expect(second.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({
      text: t('aside:stale_alert_outside'),
      show_alert: true,
    });
  });

  it('a document where a photo belongs is refused; "do not send" keeps nothing', async () => {
    const w = h.user(WORKER_ID);
    const before = await h.db.notice.count();
    await w.text('/notice');
    await w.text('周日社区义诊，欢迎参加。');
    await w.tap('跳过');
    await w.send(
      w.message({
        document: {
          file_id: 'doc1',
          file_unique_id: 'doc1-u',
          file_name: '义诊.pdf',
          mime_type: 'application/pdf',
          file_size: 20_000,
        },
      }),
    );
    await w.tap('✅ 好了');
    await w.tap('🏘 全社区');
    await w.tap('普通通知');
    const refused = await w.tap('现在就发');
    expect(sentTexts(refused)[0]).toBe('这里只能发一张照片。请发照片，或者点“没有，跳过”。');
    expect(w.lastText()).toContain('要配一张照片吗？');
    const shown = await w.tap('没有，跳过');
    expect(shown.some((c) => c.method === 'sendPhoto')).toBe(false);
    expect(sentTexts(shown)).toContain(
      renderNotice(t, 'zh-CN', {
        id: 'x',
        textZh: '周日社区义诊，欢迎参加。',
        textEn: null,
        photoFileId: null,
        important: false,
        community: { nameZh: '旺家社区', nameEn: 'Wangjia Community' },
      }).text,
    );
    await w.tap('❌ 不发了');
    expect(w.lastText()).toBe('好的，这条通知不发了，什么都没有保存。');
    expect(await h.db.notice.count()).toBe(before);
  });

  it('an audience with nobody in it is asked again', async () => {
    const w = h.user(WORKER_ID);
    await compose(w, { audience: '📋 正在办某件事的居民' });
    await w.tap('💰 申请低保');
    expect(w.texts().at(-2)).toBe('这部分还没有登记的居民，请换一个范围。');
    expect(w.lastText()).toContain('发给谁？');
    await w.tap('🎒 家里有上学年龄孩子（6–15 岁）的');
    expect(w.texts().at(-2)).toBe('这部分居民一共 1 位。');
    await w.text('/cancel');
  });
});

describe('who may send notices', () => {
  it('a resident cannot; /notices tells a resident whether they get ordinary notices', async () => {
    const r = h.user(FIRST_RESIDENT + 2);
    expect(sentTexts(await r.text('/notice'))).toEqual(['只有社区工作人员能发通知。']);
    const status = await r.text('/notices');
    expect(sentTexts(status)[0]).toContain('现在社区的通知您都会收到');
    await r.tap('🔕 关掉普通通知');
    expect(r.lastText()).toContain('以后只给您发重要通知');
    expect(await h.db.noticePreference.count({ where: { telegramId: BigInt(r.id) } })).toBe(1);
    expect(sentTexts(await r.text('/notices'))[0]).toContain('您已经关掉了普通通知');
    expect(sentTexts(await r.text('/notices on'))).toEqual(['好的，社区的通知都会发给您。']);
    expect(sentTexts(await r.text('/notices off'))[0]).toContain('以后只给您发重要通知');
    expect(sentTexts(await r.text('/notices please'))).toEqual([
      '发 /notices off 关掉普通通知，发 /notices on 重新打开。',
    ]);
    await r.text('/notices on');
  });

  it('a worker of another community neither sees nor cancels Wangjia\u2019s notices, even with forged buttons', async () => {
    const w = h.user(WORKER_ID);
    await compose(w, { text: '旺家社区专用通知。' });
    await w.tap('普通通知');
    await w.tap('定个时间再发');
    await w.text(beijingMinute(new Date(Date.now() + 86_400_000)));
    await w.tap('✅ 按这个时间发');
    const notice = await latestNotice();

    const other = h.user(OTHER_WORKER_ID);
    expect(sentTexts(await other.text('/notices'))[0]).toContain('还没有发过通知');
    const cx = await other.press(`nt:cx:${notice.id}`);
    expect(cx.find((c) => c.method === 'answerCallbackQuery')?.payload.text).toBe('没找到这条通知。');
    expect(sentTexts(await other.press(`nt:cxok:${notice.id}`))).toEqual(['没找到这条通知。']);
    expect((await latestNotice()).status).toBe('scheduled');
    // Their own /notice only offers their own community (no question: it is the only one).
    await other.text('/notice');
    await other.text('矮屯社区通知。');
    await other.tap('跳过');
    await other.tap('没有，跳过');
    await other.tap('🏢 选几栋楼');
    expect(other.findButton('1栋')).toBeDefined();
    await other.text('/cancel');
    await h.db.notice.update({ where: { id: notice.id }, data: { status: 'cancelled' } });
  });

  it('a worker removed while writing cannot send; an admin chooses among all communities', async () => {
    const removedId = 60_009;
    const staffId = await addWorker(h.db, removedId, WANGJIA);
    const w = h.user(removedId);
    const before = await h.db.notice.count();
    await compose(w, { text: '即将被撤销权限的通知。' });
    await w.tap('普通通知');
    await w.tap('现在就发');
    await h.db.staffMember.update({ where: { id: staffId }, data: { active: false, removedAt: new Date() } });
    await w.tap('✅ 现在发送');
    expect(w.lastText()).toBe('您现在没有给这个社区发通知的权限，通知没有发出。');
    expect(await h.db.notice.count()).toBe(before);

    const admin = h.user(ADMIN_ID);
    await admin.text('/notice');
    expect(admin.lastText()).toContain('发给哪个社区？');
    expect(admin.findButton('旺家社区')).toBeDefined();
    expect(admin.findButton('矮屯社区')).toBeDefined();
    await admin.text('/cancel');
  });

  it('a worker\u2019s command menu offers /notice and /notices; a resident\u2019s six everyday ones', async () => {
    const menuOf = async (u: SimUser) => {
      await u.text('/language');
      const calls = await u.tap('中文');
      const set = calls.find((c) => c.method === 'setMyCommands');
      return ((set?.payload.commands ?? []) as { command: string }[]).map((c) => c.command);
    };
    const worker = await menuOf(h.user(WORKER_ID));
    expect(worker).toContain('notice');
    expect(worker).toContain('notices');
    expect(worker).toContain('labour');
    const resident = await menuOf(h.user(FIRST_RESIDENT));
    expect(resident).toEqual(['start', 'services', 'mycases', 'household', 'language', 'cancel']);
    expect(resident).not.toContain('notice');
  });

  it('residents who turned ordinary notices off get important ones only', async () => {
    const r = h.user(FIRST_RESIDENT + 3);
    await r.text('/notices off');
    const w = h.user(WORKER_ID);
    for (const important of [false, true]) {
      await compose(w, { text: important ? '重要：明天全面消杀。' : '普通：周末有义诊。' });
      await w.tap(important ? '重要通知（请大家确认看到）' : '普通通知');
      const confirm = sentTexts(await w.tap('现在就发')).at(-1) ?? '';
      if (!important) expect(confirm).toContain('另有 1 位居民关掉了普通通知');
      await w.tap('✅ 现在发送');
      const notice = await latestNotice();
      await deliver(notice.id);
      const counts = await countsOf(h.db, notice.id);
      const got = await h.db.noticeDelivery.count({
        where: { noticeId: notice.id, telegramId: BigInt(r.id) },
      });
      expect(got).toBe(important ? 1 : 0);
      expect(counts.delivered).toBe((await latestNotice()).recipientCount);
    }
    await r.text('/notices on');
  });
});
