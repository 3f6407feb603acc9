// /labour: the households below the policy's red line (labour, and nobody employed), for the district's
// human-resources staff and the community's workers (admins see every community). Who may see it, the
// masking and the audit row of each page are the use case's (src/app/labour.ts); pages are `lb:` buttons.
import { Composer, InlineKeyboard } from 'grammy';
import { LABOUR_PAGE_SIZE } from '../../app/labour.ts';
import { labourButton, onButton } from '../buttons.ts';
import { type BotContext, localeName } from '../context.ts';

async function showPage(ctx: BotContext, page: number, edit: boolean): Promise<void> {
  const from = ctx.from;
  if (!from) return;
  const result = await ctx.deps.labour.belowRedLine(from.id, page);
  if (!result.ok) {
    if (ctx.callbackQuery)
      await ctx.answerCallbackQuery({ text: ctx.t('labour:not_allowed'), show_alert: true });
    else await ctx.reply(ctx.t('labour:not_allowed'));
    return;
  }
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  const p = result.value;
  if (p.total === 0) {
    await ctx.reply(ctx.t('labour:none'));
    return;
  }
  const communities = new Map(
    (await ctx.deps.reference.listCommunities()).map((c) => [c.code, localeName(ctx.locale, c)]),
  );
  const lines = [
    ctx.t('labour:title', { total: p.total, page: p.page + 1, pages: p.pages }),
    ctx.t('labour:rule'),
    ...p.rows.map((r, i) =>
      ctx.t('labour:item', {
        index: p.page * LABOUR_PAGE_SIZE + i + 1,
        community: communities.get(r.communityCode) ?? r.communityCode,
        building: localeName(ctx.locale, r.building),
        unit: r.unit,
        room: r.room,
        name: r.residentName,
        phone: r.phoneMasked,
        people: r.people,
        looking: r.looking,
        unknown: r.unknown,
      }),
    ),
  ];
  const kb = new InlineKeyboard();
  if (p.page > 0) kb.text(ctx.t('labour:prev'), labourButton.pack({ page: p.page - 1 }));
  if (p.page + 1 < p.pages) kb.text(ctx.t('labour:next'), labourButton.pack({ page: p.page + 1 }));
  const text = lines.join('\n\n');
  const options = { reply_markup: kb, protect_content: true };
  if (edit) {
    const edited = await ctx.editMessageText(text, { reply_markup: kb }).then(
      () => true,
      () => false,
    );
    if (edited) return;
  }
  await ctx.reply(text, options);
}

export function labourFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');
  priv.command('labour', (ctx) => showPage(ctx, 0, false));
  onButton(priv, labourButton, (ctx, { page }) => showPage(ctx, page, true));
  return composer;
}
