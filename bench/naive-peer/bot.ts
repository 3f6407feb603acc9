// The naive peer of the form benchmark: the same registration written the plain way — grammY, the
// conversations plugin, its state in PostgreSQL through @grammyjs/storage-prisma, and nothing else. No
// per-chat ordering, no once-only updates, no encryption of the stored answers (ID numbers included), no
// flood limit, no language choice, no change of an answer, no Telegram user record; the choices come from
// the reference file read once, and the finished registration is one row of plain JSON.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type Conversation,
  type ConversationFlavor,
  conversations,
  createConversation,
} from '@grammyjs/conversations';
import { sequentialize } from '@grammyjs/runner';
import { PrismaAdapter } from '@grammyjs/storage-prisma';
import { Bot, type BotConfig, type Context, InlineKeyboard } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { parseIdNumber } from '../../src/domain/id-number.ts';
import { parsePersonName, parseRoom } from '../../src/domain/person.ts';
import { parsePhone } from '../../src/domain/phone.ts';
import type { NaiveClient } from './client.ts';

type Ctx = ConversationFlavor<Context>;
type Conv = Conversation<Ctx, Context>;

interface Community {
  code: string;
  nameZh: string;
  buildings: { code: string; units: number }[];
}

const reference = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../../reference/tongren.json'), 'utf8'),
) as { communities: Community[] };

type Parse = (text: string) => { ok: true; value: string } | { ok: false; error: string };

async function askChoice(conversation: Conv, ctx: Context, question: string, options: [string, string][]) {
  const keyboard = new InlineKeyboard();
  options.forEach(([value, label], i) => {
    keyboard.text(label, `c:${value}`);
    if (i % 4 === 3) keyboard.row();
  });
  await ctx.reply(question, { reply_markup: keyboard });
  const answer = await conversation.waitForCallbackQuery(/^c:/, {
    otherwise: (c) => c.reply('请点上面的按钮。'),
  });
  await answer.answerCallbackQuery();
  return answer.callbackQuery.data.slice(2);
}

async function askText(conversation: Conv, ctx: Context, question: string, parse: Parse) {
  await ctx.reply(question);
  for (;;) {
    const answer = await conversation.waitFor('message:text', { otherwise: (c) => c.reply('请打字回答。') });
    const parsed = parse(answer.message.text);
    if (parsed.ok) return parsed.value;
    await answer.reply('好像不对，请再写一次。');
  }
}

type Save = (chatId: number, answers: object) => Promise<unknown>;

const registration = (save: Save) => async (conversation: Conv, ctx: Context) => {
  await ctx.reply('好的，我们来登记您家的信息。');
  const communityCode = await askChoice(
    conversation,
    ctx,
    '您住在哪个社区？',
    reference.communities.map((c) => [c.code, c.nameZh]),
  );
  const chosen = reference.communities.find((c) => c.code === communityCode);
  if (!chosen) return ctx.reply('这个社区找不到了。');
  const building = await askChoice(
    conversation,
    ctx,
    '您住在几栋（几号楼）？',
    chosen.buildings.map((b) => [b.code, `${b.code}栋`]),
  );
  const units = chosen.buildings.find((b) => b.code === building)?.units ?? 1;
  const unit = await askChoice(
    conversation,
    ctx,
    '几单元？',
    Array.from({ length: units }, (_, i) => [String(i + 1), `${i + 1} 单元`]),
  );
  const room = await askText(conversation, ctx, '门牌号是多少？', parseRoom);
  const name = await askText(conversation, ctx, '您的名字叫什么？', parsePersonName);
  const phone = await askText(conversation, ctx, '您的手机号是多少？', parsePhone);
  const today = new Date(await conversation.now());
  const idNumber = await askText(conversation, ctx, '请输入您的身份证号。', (text) => {
    const r = parseIdNumber(text, today);
    return r.ok ? { ok: true, value: r.value.idNumber } : r;
  });
  const answers = { communityCode, building, unit, room, name, phone, idNumber };
  const confirm = await askChoice(conversation, ctx, `请核对：${name}，${room}，${phone}`, [
    ['yes', '✅ 对的，提交'],
    ['no', '重新填'],
  ]);
  if (confirm !== 'yes') return ctx.reply('好的，已取消。');
  const consent = await askChoice(conversation, ctx, '我们会保存您填的信息。您同意吗？', [
    ['agree', '✅ 同意'],
    ['decline', '不同意'],
  ]);
  if (consent !== 'agree') return ctx.reply('好的，没有保存。');
  const chatId = ctx.chat?.id ?? 0;
  await conversation.external(() => save(chatId, answers));
  return ctx.reply('登记好了 🎉');
};

export function createNaiveBot(opts: {
  token: string;
  /** Without it, getMe is asked at start. */
  botInfo?: UserFromGetMe;
  client: BotConfig<Ctx>['client'];
  prisma: NaiveClient;
  /** One update per chat at a time (`sequentialize`, as the runner's docs say): for a concurrent runner. */
  sequential?: boolean;
}): Bot<Ctx> {
  const save: Save = (chatId, answers) =>
    opts.prisma.registration.create({ data: { chatId: BigInt(chatId), answers: JSON.stringify(answers) } });
  const bot = new Bot<Ctx>(opts.token, { botInfo: opts.botInfo, client: opts.client });
  if (opts.sequential) bot.use(sequentialize((ctx) => ctx.chat?.id.toString()));
  bot.use(conversations({ storage: new PrismaAdapter(opts.prisma.session) }));
  bot.use(createConversation(registration(save), 'registration'));
  bot.command('start', (ctx) =>
    ctx.reply('您好！这里是社区便民服务。', {
      reply_markup: new InlineKeyboard().text('📝 登记我家', 'reg:start'),
    }),
  );
  bot.callbackQuery('reg:start', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter('registration');
  });
  return bot;
}
