import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piiAt } from '../../src/app/pii-cipher.ts';
import {
  createHarness,
  type Harness,
  inlineButtons,
  type SimUser,
  sentTexts,
} from '../support/bot-harness.ts';
import { adultMan, adultWoman, elder, makeIdNumber } from '../support/fixtures.ts';
import { takeSteps } from '../support/flows.ts';
import { BEFORE, registrationScript } from '../support/registration-script.ts';

let h: Harness;
let nextUserId = 2000;
beforeAll(async () => {
  h = await createHarness({ adminIds: [9999] });
});
afterAll(() => h.close());

const newUser = (opts?: { languageCode?: string }) => h.user(nextUserId++, opts);

/** Walks the address steps: community, building, unit, room. */
async function answerAddress(u: SimUser) {
  await takeSteps(u, registrationScript('').slice(0, BEFORE.name));
}

async function register(u: SimUser, person = adultMan) {
  await takeSteps(u, registrationScript(person.idNumber, person));
}

/** The last two messages: the phone question is followed by a "back" hint. */
const recent = (u: SimUser) => u.texts().slice(-2).join('\n');

async function residentCount() {
  return h.db.resident.count();
}

describe('registration, the whole way', () => {
  it('greets a Chinese-speaking newcomer and offers to register', async () => {
    const u = newUser();
    const texts = sentTexts(await u.text('/start'));
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('便民');
    expect(texts[0]).toContain('登记');
    expect(u.findButton('📝 登记我家')).toBeDefined();
  });

  it('greets a resident whose Telegram is not in Chinese in the deployment\u2019s Chinese, with one tap to English', async () => {
    const u = newUser({ languageCode: 'de' });
    const texts = sentTexts(await u.text('/start'));
    expect(texts[0]).toContain('便民');
    expect(u.findButton('📝 登记我家')).toBeDefined();
    await u.tap('English');
    expect(u.lastText()).toContain('English');
    await u.tap('📝 Register my household');
    expect(u.lastText()).toContain('community');
  });

  it('registers a household, stores the ID number only encrypted and shows it masked', async () => {
    const u = newUser();
    await answerAddress(u);
    expect(u.lastText()).toContain('名字');
    await u.text(adultWoman.name);
    expect(recent(u)).toContain('手机号');
    // The phone step offers Telegram's "share my number" button.
    const phonePrompt = h.calls.findLast((c) => String(c.payload.text).includes('您的手机号'));
    expect(JSON.stringify(phonePrompt?.payload.reply_markup)).toContain('request_contact');
    await u.contact(`+86${adultWoman.phone}`);
    const idCalls = await u.text(adultWoman.idNumber.toLowerCase());
    // The message with the ID number is deleted and the number never echoed in full.
    expect(idCalls.some((c) => c.method === 'deleteMessage')).toBe(true);
    for (const c of idCalls) expect(JSON.stringify(c.payload)).not.toContain(adultWoman.idNumber);
    const summary = u.lastText();
    expect(summary).toContain('请核对');
    expect(summary).toContain('旺家社区');
    expect(summary).toContain('522*************');
    expect(summary).not.toContain(adultWoman.idNumber);
    await u.tap('✅ 对的，提交');
    expect(u.lastText()).toContain('同意吗');
    await u.tap('✅ 同意');
    expect(u.lastText()).toContain('登记好了');

    const resident = await h.db.resident.findUniqueOrThrow({
      where: { telegramId: BigInt(u.id) },
      include: { household: { include: { building: true } } },
    });
    expect(resident.name).toBe(adultWoman.name);
    expect(resident.sex).toBe('female');
    expect(resident.household.building.code).toBe('3');
    expect(resident.household.unit).toBe('2');
    expect(resident.household.room).toBe('302');
    expect(Buffer.from(resident.idNumberCipher).toString('latin1')).not.toContain(adultWoman.idNumber);
    expect(h.cipher.decrypt(resident.idNumberCipher, piiAt.residentIdNumber(resident.id))).toBe(
      adultWoman.idNumber,
    );
    expect(h.cipher.decrypt(resident.phoneCipher, piiAt.residentPhone(resident.id))).toBe(adultWoman.phone);
    expect(Buffer.from(resident.idNumberHash)).toEqual(h.cipher.hash(adultWoman.idNumber));
    // The finished conversation's state (which held the raw answers) is gone.
    expect(await h.db.conversationState.count({ where: { key: { contains: String(u.id) } } })).toBe(0);

    await u.text('/household');
    expect(u.lastText()).toContain(adultWoman.name);
    expect(u.lastText()).toContain('139****0002');
    expect(u.lastText()).not.toContain(adultWoman.idNumber);
  });

  it('says so when a registered resident starts registering again', async () => {
    const u = newUser();
    await register(u, elder);
    expect(await h.db.resident.count({ where: { telegramId: BigInt(u.id) } })).toBe(1);
    expect(sentTexts(await u.text('/start'))[0]).toContain('欢迎回来');
    await u.text('/register');
    expect(u.lastText()).toContain('已经登记过了');
  });

  it('an ID number another account already registered: the window checks the ID card, nothing is disclosed', async () => {
    const first = newUser();
    const idNumber = makeIdNumber({ birthDate: '1979-06-01', seq: 551 });
    await register(first, { ...adultMan, idNumber });
    const second = newUser();
    await register(second, { ...adultMan, idNumber });
    expect(second.lastText()).toContain('核对一下身份证');
    expect(second.lastText()).not.toContain('已经登记过了');
    expect(await h.db.resident.count({ where: { telegramId: BigInt(second.id) } })).toBe(0);
    expect(await h.db.registrationConflict.count({ where: { telegramId: BigInt(second.id) } })).toBe(1);
  });
});

describe('each step answers wrong input with a clear re-ask', () => {
  it('text where buttons are offered: asks to tap a button and shows the buttons again', async () => {
    const u = newUser();
    await u.text('/start');
    await u.tap('📝 登记我家');
    const calls = await u.text('旺家');
    const texts = sentTexts(calls);
    expect(texts[0]).toContain('请点上面');
    expect(texts[1]).toContain('您住在哪个社区');
    expect(inlineButtons(calls[1] ?? { method: '', payload: {} }).map((b) => b.text)).toContain('旺家社区');
  });

  it('a sticker, a photo and a voice message where text is asked', async () => {
    const u = newUser();
    await answerAddress(u);
    for (const send of [() => u.sticker(), () => u.photo(), () => u.voice()]) {
      const texts = sentTexts(await send());
      expect(texts).toEqual([expect.stringContaining('只要文字')]);
    }
    // Still at the name step.
    await u.text(adultMan.name);
    expect(recent(u)).toContain('手机号');
  });

  it('an album (several photos with one media group) gets one re-ask per part and loses nothing', async () => {
    const u = newUser();
    await answerAddress(u);
    await u.photo('album-1');
    await u.photo('album-1');
    expect(u.lastText()).toContain('只要文字');
    await u.text(adultMan.name);
    expect(recent(u)).toContain('手机号');
  });

  it('names: 5,000 characters, an emoji, digits and blanks are refused', async () => {
    const u = newUser();
    await answerAddress(u);
    expect(sentTexts(await u.text('张'.repeat(5000)))[0]).toContain('太长');
    expect(sentTexts(await u.text('张三😀'))[0]).toContain('不能有数字、表情');
    expect(sentTexts(await u.text('张3'))[0]).toContain('不能有数字');
    expect(sentTexts(await u.text('   '))[0]).toContain('不能空着');
    await u.text('阿依古丽·买买提');
    expect(recent(u)).toContain('手机号');
  });

  it('rooms and phones: wrong ones are explained', async () => {
    const u = newUser();
    await u.text('/start');
    await u.tap('📝 登记我家');
    await u.tap('旺家社区');
    await u.tap('3栋');
    await u.tap('2 单元');
    expect(sentTexts(await u.text('三零二'))[0]).toContain('门牌号只能有数字');
    await u.text('３０２'); // full-width digits are fine
    await u.text(adultMan.name);
    expect(sentTexts(await u.text('12345'))[0]).toContain('手机号');
    expect(sentTexts(await u.text('0856-1234567'))[0]).toContain('不是手机号');
    // Someone else's contact card is refused.
    expect(sentTexts(await u.contact('13900000009', 424242))[0]).toContain('您自己的手机号');
    await u.text('+86 138 0000 0001');
    expect(u.lastText()).toContain('身份证号');
  });

  it('ID numbers: bad check character, impossible date and future date are re-asked; 15 digits converted', async () => {
    const u = newUser();
    await answerAddress(u);
    await u.text(adultMan.name);
    await u.text(adultMan.phone);
    const good = adultMan.idNumber;
    const badCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    expect(sentTexts(await u.text(badCheck))[0]).toContain('有一位不对');
    expect(sentTexts(await u.text('5222011985023'))[0]).toContain('18 位');
    const feb30 = makeIdNumber({ birthDate: '1985-02-28', seq: 123 }).replace('19850228', '19850230');
    expect(sentTexts(await u.text(feb30))[0]).toMatch(/不对/);
    expect(sentTexts(await u.text(makeIdNumber({ birthDate: '2099-01-01' })))[0]).toContain('还没到');
    expect(sentTexts(await u.text('这是我的身份证'))[0]).toContain('18 位');
    // An old 15-digit number is accepted and converted (shown masked in 18 characters).
    await u.text('522201850308123');
    expect(u.lastText()).toContain('身份证号：522*************');
  });

  it('a forged or stale button is refused with an alert that stays, the question comes again, the form goes on', async () => {
    const u = newUser();
    await u.text('/start');
    await u.tap('📝 登记我家');
    for (const data of ['f:999:c:0', 'f:1:c:99', 'f:1:zz', 'hh:delok:not-a-uuid', 'x'.repeat(64)]) {
      const calls = await u.press(data);
      const answer = calls.find((c) => c.method === 'answerCallbackQuery');
      expect(answer?.payload).toMatchObject({ text: expect.stringContaining('过期'), show_alert: true });
      expect(sentTexts(calls)).toEqual([expect.stringContaining('您住在哪个社区？')]);
    }
    await u.tap('旺家社区');
    expect(u.lastText()).toContain('几栋');
  });

  it('a command in the middle of a form puts it aside, says how to go on, and is done', async () => {
    const u = newUser();
    await answerAddress(u);
    const texts = sentTexts(await u.text('/household'));
    expect(texts[0]).toBe('刚才没填完的《登记我家》先放下了，想接着填发 /start');
    expect(texts[1]).toContain('您还没有登记家里的信息');
  });
});

describe('moving around a form', () => {
  it('"back" returns to the previous question', async () => {
    const u = newUser();
    await u.text('/start');
    await u.tap('📝 登记我家');
    await u.tap('旺家社区');
    await u.tap('⬅️ 上一步');
    expect(u.lastText()).toContain('您住在哪个社区');
    await u.tap('矮屯社区');
    await u.tap('1栋');
    expect(u.lastText()).toContain('几单元');
  });

  it('the summary lets the resident change one answer and asks dependent ones again', async () => {
    const u = newUser();
    await answerAddress(u);
    await u.text('李四');
    await u.text('13800000011');
    await u.text(makeIdNumber({ birthDate: '1970-01-01', seq: 333 }));
    await u.tap('✏️ 修改');
    await u.tap('门牌号');
    await u.text('401');
    expect(u.lastText()).toContain('门牌号：401');
    await u.tap('✏️ 修改');
    await u.tap('社区');
    await u.tap('矮屯社区');
    expect(u.lastText()).toContain('几栋'); // the building belongs to the community: asked again
    await u.tap('5栋');
    await u.tap('1 单元');
    expect(u.lastText()).toContain('社区：矮屯社区');
    await u.tap('✅ 对的，提交');
    await u.tap('✅ 同意');
    const resident = await h.db.resident.findUniqueOrThrow({
      where: { telegramId: BigInt(u.id) },
      include: { household: { include: { building: true } } },
    });
    expect(resident.household.communityCode).toBe('bijiang-aitun');
    expect(resident.household.building.code).toBe('5');
    expect(resident.household.room).toBe('401');
  });

  it('/cancel leaves the form at any step and forgets the answers', async () => {
    const u = newUser();
    await answerAddress(u);
    await u.text('王五');
    const texts = sentTexts(await u.text('/cancel'));
    expect(texts[0]).toContain('已经退出');
    expect(await h.db.conversationState.count({ where: { key: String(u.id) } })).toBe(0);
    expect(sentTexts(await u.text('13800000012'))[0]).toContain('请先登记');
    expect(sentTexts(await u.text('/cancel'))[0]).toContain('没有要退出');
  });

  it('"cancel" on the summary stores nothing', async () => {
    const before = await residentCount();
    const u = newUser();
    await answerAddress(u);
    await u.text('赵六');
    await u.text('13800000013');
    await u.text(makeIdNumber({ birthDate: '1966-06-06', seq: 777 }));
    await u.tap('❌ 不填了');
    expect(u.lastText()).toContain('什么都没有保存');
    expect(await residentCount()).toBe(before);
  });

  it('declining consent ends politely and stores nothing at all', async () => {
    const households = await h.db.household.count();
    const before = await residentCount();
    const u = newUser();
    await answerAddress(u);
    await u.text('钱七');
    await u.text('13800000014');
    await u.text(makeIdNumber({ birthDate: '1975-07-07', seq: 888 }));
    await u.tap('✅ 对的，提交');
    await u.tap('不同意');
    expect(u.lastText()).toContain('一点都没有保存');
    expect(await residentCount()).toBe(before);
    expect(await h.db.household.count()).toBe(households);
    expect(await h.db.conversationState.count({ where: { key: String(u.id) } })).toBe(0);
  });
});

describe('durability and scope', () => {
  it('a restart of the bot in the middle of registration continues where the resident was', async () => {
    const u = newUser();
    await answerAddress(u);
    await u.text('孙八');
    // The conversation state is in PostgreSQL and encrypted.
    const state = await h.db.conversationState.findUniqueOrThrow({ where: { key: String(u.id) } });
    expect(Buffer.from(state.data).toString('latin1')).not.toContain('孙八');
    h.restart();
    await u.text('13800000015');
    expect(u.lastText()).toContain('身份证号');
    await u.text(makeIdNumber({ birthDate: '1980-08-08', seq: 999 }));
    await u.tap('✅ 对的，提交');
    await u.tap('✅ 同意');
    expect(u.lastText()).toContain('登记好了');
    const resident = await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(u.id) } });
    expect(resident.name).toBe('孙八');
  });

  it('a group chat never starts a registration', async () => {
    const before = await h.db.conversationState.count();
    const groupId = -100123;
    const u = newUser();
    const calls = await u.send({
      update_id: 9_000_001,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: groupId, type: 'group', title: '旺家社区群' },
        from: u.from,
        text: '/start',
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    });
    expect(sentTexts(calls)).toEqual([expect.stringContaining('私下')]);
    const press = await u.send({
      update_id: 9_000_002,
      callback_query: {
        id: 'g1',
        from: u.from,
        chat_instance: 'g',
        data: 'reg:start',
        message: { message_id: 2, date: 0, chat: { id: groupId, type: 'group', title: 'g' }, text: '…' },
      },
    });
    expect(press.some((c) => c.method === 'sendMessage')).toBe(false);
    expect(await h.db.conversationState.count()).toBe(before);
  });
});

describe('language, help and menus', () => {
  it('/language switches between 中文 and English, also for the menu', async () => {
    const u = newUser();
    await u.text('/language');
    const calls = await u.tap('English');
    expect(sentTexts(calls)[0]).toContain('English');
    const menu = calls.find((c) => c.method === 'setMyCommands');
    expect(JSON.stringify(menu?.payload)).toContain('My household');
    expect(sentTexts(await u.text('/help'))[0]).toContain('/household see and change');
    await u.text('/language');
    await u.tap('中文');
    expect(sentTexts(await u.text('/help'))[0]).toContain('看和修改家里的信息');
  });

  it('/help shows admin commands to admins only', async () => {
    const admin = h.user(9999);
    expect(sentTexts(await admin.text('/help'))[0]).toContain('/reload');
    expect(sentTexts(await newUser().text('/help'))[0]).not.toContain('/reload');
  });

  it('/reload reloads the reference data for an admin and is refused to anyone else', async () => {
    expect(sentTexts(await newUser().text('/reload'))[0]).toContain('只有管理员');
    const texts = sentTexts(await h.user(9999).text('/reload'));
    expect(texts[0]).toContain('5 个社区');
  });
});
