// Administration in Telegram: /invite (a single-use code for staff of a department or a worker of a
// community), /staff (list, remove), /canned (a department's canned replies), /stats, /export (a CSV of the
// cases as a document; with personal data only after an explicit, audited confirmation), and /join for the
// invited. Every permission is checked by the use case (src/app/admin.ts); these handlers only talk.
//
// Buttons: ad:inv:<staff|worker> · ad:inv:d:<department> · ad:inv:c:<community> · ad:rm:<staffId>
// ad:rmok:<staffId> · ad:cn:<department> · ad:cnadd:<department> · ad:cndel:<id> · ad:exp:<plain|pii>:<from>:<to>
// ad:expok:<from>:<to>
import { Composer, InlineKeyboard, InputFile } from 'grammy';
import type { DepartmentFigures } from '../../app/admin.ts';
import { beijingDateString, beijingInstant } from '../../domain/beijing-time.ts';
import { setChatCommandMenu } from '../commands.ts';
import { type BotContext, localeName } from '../context.ts';
import { CANNED_ADD } from '../conversations/canned-reply.ts';
import { beijingTime } from '../format-time.ts';
import type { TFunction } from '../i18n.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const CODE = '[a-z0-9][a-z0-9_-]{0,40}';
const DAY_MS = 86_400_000;
const EXPORT_DAYS = 30;

/** "3 小时 20 分" / "2 days 4 h". */
export function formatDuration(t: TFunction, seconds: number | null): string {
  if (seconds === null) return '—';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t('manage:duration.minutes', { m: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('manage:duration.hours', { h: hours, m: minutes % 60 });
  return t('manage:duration.days', { d: Math.floor(hours / 24), h: hours % 24 });
}

export function renderStats(
  t: TFunction,
  locale: 'zh-CN' | 'en',
  days: number,
  rows: DepartmentFigures[],
): string {
  if (rows.length === 0) return t('manage:stats.none', { days });
  const lines = [t('manage:stats.title', { days })];
  for (const r of rows) {
    lines.push(
      '',
      t('manage:stats.department', { department: localeName(locale, r) }),
      t('manage:stats.counts', { received: r.received, open: r.open, overdue: r.overdue }),
      t('manage:stats.times', {
        firstResponse: formatDuration(t, r.medianFirstResponseSeconds),
        resolution: formatDuration(t, r.medianResolutionSeconds),
      }),
      t('manage:stats.rating', {
        rating: r.averageRating === null ? '—' : r.averageRating.toFixed(1),
        count: r.ratings,
      }),
    );
  }
  return lines.join('\n');
}

/** `/export [from] [to]` (Beijing dates, both included; default the last 30 days) → [from, to) as compact dates. */
export function exportPeriod(args: string, now: Date): { from: string; to: string } | null {
  const dates = args.trim() ? args.trim().split(/\s+/) : [];
  if (dates.length > 2 || dates.some((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(d))))
    return null;
  const today = beijingDateString(now);
  const dayAfter = (d: string) => new Date(Date.parse(d) + DAY_MS).toISOString().slice(0, 10);
  const from =
    dates[0] ?? new Date(Date.parse(today) - (EXPORT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
  const to = dayAfter(dates[1] ?? today);
  if (from >= to) return null;
  return { from: from.replaceAll('-', ''), to: to.replaceAll('-', '') };
}

const compactToDate = (d: string) => beijingInstant(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`, 0);
const compactToIso = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;

async function notAllowed(ctx: BotContext): Promise<void> {
  if (ctx.callbackQuery)
    await ctx.answerCallbackQuery({ text: ctx.t('admin.not_allowed'), show_alert: true });
  else await ctx.reply(ctx.t('admin.not_allowed'));
}

async function showCanned(ctx: BotContext, departmentCode: string): Promise<void> {
  const list = await ctx.deps.admin.cannedReplies(ctx.from?.id ?? 0, departmentCode);
  if (!list.ok) {
    if (list.error === 'not_allowed') await notAllowed(ctx);
    else await ctx.reply(ctx.t('manage:canned.no_department'));
    return;
  }
  const kb = new InlineKeyboard();
  for (const c of list.value)
    kb.text(ctx.t('manage:canned.delete_button', { title: c.title }), `ad:cndel:${c.id}`).row();
  kb.text(ctx.t('manage:canned.add_button'), `ad:cnadd:${departmentCode}`);
  const body = list.value.length
    ? list.value.map((c) => ctx.t('manage:canned.item', { title: c.title, text: c.text })).join('\n')
    : ctx.t('manage:canned.empty');
  await ctx.reply(`${ctx.t('manage:canned.title', { department: departmentCode })}\n${body}`, {
    reply_markup: kb,
  });
}

async function sendExport(
  ctx: BotContext,
  from: string,
  to: string,
  withPersonalData: boolean,
): Promise<void> {
  const result = await ctx.deps.admin.exportCases(
    { telegramId: ctx.from?.id ?? 0 },
    { from: compactToDate(from), to: compactToDate(to), withPersonalData },
  );
  if (!result.ok) {
    if (result.error === 'not_allowed') await notAllowed(ctx);
    else await ctx.reply(ctx.t('manage:export.usage'));
    return;
  }
  const name = `cases-${from}-${to}${withPersonalData ? '-personal' : ''}.csv`;
  await ctx.replyWithDocument(new InputFile(Buffer.from(result.value.csv, 'utf8'), name), {
    caption: ctx.t(withPersonalData ? 'manage:export.caption_personal' : 'manage:export.caption', {
      rows: result.value.rows,
      from: compactToIso(from),
      to: compactToIso(to),
    }),
    // A file with ID numbers cannot be forwarded out of this chat.
    protect_content: withPersonalData,
  });
}

export function manageFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  // --- joining (anyone with a code) ---
  priv.command('join', async (ctx) => {
    const typed = ctx.match.trim();
    if (!typed) {
      await ctx.reply(ctx.t('manage:join.usage'));
      return;
    }
    const name = [ctx.from.first_name, ctx.from.last_name].filter(Boolean).join(' ');
    const joined = await ctx.deps.admin.join(ctx.from.id, typed, name);
    if (!joined.ok) {
      await ctx.reply(ctx.t(`manage:join.${joined.error}`));
      return;
    }
    const unit = localeName(ctx.locale, joined.value.unit);
    await ctx.reply(
      ctx.t(joined.value.role === 'staff' ? 'manage:join.staff' : 'manage:join.worker', { unit }),
    );
    await setChatCommandMenu(
      ctx.api,
      ctx.chat.id,
      ctx.locale,
      ctx.deps.adminTelegramIds.includes(ctx.from.id),
      ctx.deps,
      {
        staff: joined.value.role === 'staff',
        worker: await ctx.deps.broadcasts.canCompose(ctx.from.id),
      },
    );
  });

  // --- invites ---
  priv.command('invite', async (ctx) => {
    if (!(await ctx.deps.admin.checkAdmin(ctx.from.id, 'invite'))) return notAllowed(ctx);
    await ctx.reply(ctx.t('manage:invite.choose_role'), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t('manage:invite.role_staff'), 'ad:inv:staff')
        .row()
        .text(ctx.t('manage:invite.role_worker'), 'ad:inv:worker'),
    });
  });
  priv.callbackQuery(/^ad:inv:(staff|worker)$/, async (ctx) => {
    const staff = ctx.match[1] === 'staff';
    const list = staff
      ? await ctx.deps.admin.departments(ctx.from.id)
      : await ctx.deps.admin.communities(ctx.from.id);
    if (!list.ok) return notAllowed(ctx);
    await ctx.answerCallbackQuery();
    const kb = new InlineKeyboard();
    for (const item of list.value)
      kb.text(localeName(ctx.locale, item), `ad:inv:${staff ? 'd' : 'c'}:${item.code}`).row();
    await ctx.reply(ctx.t(staff ? 'manage:invite.choose_department' : 'manage:invite.choose_community'), {
      reply_markup: kb,
    });
  });
  priv.callbackQuery(new RegExp(`^ad:inv:(d|c):(${CODE})$`), async (ctx) => {
    const code = ctx.match[2] as string;
    const invite = await ctx.deps.admin.createInvite(
      ctx.from.id,
      ctx.match[1] === 'd'
        ? { role: 'staff', departmentCode: code }
        : { role: 'worker', communityCode: code },
    );
    if (!invite.ok) {
      if (invite.error === 'not_allowed') return notAllowed(ctx);
      await ctx.answerCallbackQuery({ text: ctx.t('errors.stale_button') });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    await ctx.reply(
      ctx.t('manage:invite.created', {
        code: invite.value.code,
        unit: localeName(ctx.locale, invite.value.unit),
        expiresAt: beijingTime(invite.value.expiresAt, ctx.locale),
      }),
    );
  });

  // --- staff list and removal ---
  priv.command('staff', async (ctx) => {
    const list = await ctx.deps.admin.listStaff(ctx.from.id);
    if (!list.ok) return notAllowed(ctx);
    if (list.value.length === 0) {
      await ctx.reply(ctx.t('manage:staff.none'));
      return;
    }
    const kb = new InlineKeyboard();
    const lines = [ctx.t('manage:staff.title', { count: list.value.length })];
    for (const s of list.value) {
      lines.push(
        ctx.t(s.role === 'staff' ? 'manage:staff.item_staff' : 'manage:staff.item_worker', {
          name: s.displayName,
          unit: s.departmentCode ?? s.communityCode ?? '—',
          duty: s.role === 'staff' && s.onDuty ? ctx.t('manage:staff.on_duty') : '',
        }),
      );
      kb.text(ctx.t('manage:staff.remove_button', { name: s.displayName }), `ad:rm:${s.id}`).row();
    }
    await ctx.reply(lines.join('\n'), { reply_markup: kb });
  });
  priv.callbackQuery(new RegExp(`^ad:rm:(${UUID})$`), async (ctx) => {
    const member = await ctx.deps.admin.staffMember(ctx.from.id, ctx.match[1] as string);
    if (!member.ok) {
      if (member.error === 'not_allowed') return notAllowed(ctx);
      await ctx.answerCallbackQuery({ text: ctx.t('manage:staff.gone'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('manage:staff.confirm_remove', { name: member.value.displayName }), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t('manage:staff.remove_yes'), `ad:rmok:${member.value.id}`)
        .text(ctx.t('manage:staff.remove_no'), 'ad:keep'),
    });
  });
  priv.callbackQuery(new RegExp(`^ad:rmok:(${UUID})$`), async (ctx) => {
    const removed = await ctx.deps.admin.removeStaff(ctx.from.id, ctx.match[1] as string);
    if (!removed.ok) {
      if (removed.error === 'not_allowed') return notAllowed(ctx);
      await ctx.answerCallbackQuery({ text: ctx.t('manage:staff.gone'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    ctx.deps.wakeDispatcher?.();
    await ctx.reply(
      ctx.t('manage:staff.removed', { name: removed.value.displayName, released: removed.value.released }),
    );
    // Their command menu goes back to a resident's.
    const chatId = Number(removed.value.telegramId);
    await setChatCommandMenu(
      ctx.api,
      chatId,
      ctx.deps.defaultLocale,
      ctx.deps.adminTelegramIds.includes(chatId),
      ctx.deps,
      {
        staff: false,
      },
    );
  });
  priv.callbackQuery('ad:keep', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    await ctx.reply(ctx.t('manage:staff.kept'));
  });

  // --- canned replies ---
  priv.command('canned', async (ctx) => {
    const arg = ctx.match.trim();
    if (arg) return showCanned(ctx, arg);
    const list = await ctx.deps.admin.departments(ctx.from.id);
    if (!list.ok) return notAllowed(ctx);
    const kb = new InlineKeyboard();
    for (const d of list.value) kb.text(localeName(ctx.locale, d), `ad:cn:${d.code}`).row();
    await ctx.reply(ctx.t('manage:canned.choose_department'), { reply_markup: kb });
  });
  priv.callbackQuery(new RegExp(`^ad:cn:(${CODE})$`), async (ctx) => {
    await ctx.answerCallbackQuery();
    await showCanned(ctx, ctx.match[1] as string);
  });
  priv.callbackQuery(new RegExp(`^ad:cnadd:(${CODE})$`), async (ctx) => {
    if (!(await ctx.deps.admin.checkAdmin(ctx.from.id, 'canned_add'))) return notAllowed(ctx);
    await ctx.answerCallbackQuery();
    await ctx.conversation.exitAll();
    await ctx.conversation.enter(CANNED_ADD, ctx.match[1] as string);
  });
  priv.callbackQuery(new RegExp(`^ad:cndel:(${UUID})$`), async (ctx) => {
    const removed = await ctx.deps.admin.removeCannedReply(ctx.from.id, ctx.match[1] as string);
    if (!removed.ok) {
      if (removed.error === 'not_allowed') return notAllowed(ctx);
      await ctx.answerCallbackQuery({ text: ctx.t('errors.stale_button') });
      return;
    }
    await ctx.answerCallbackQuery({ text: ctx.t('manage:canned.deleted') });
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
  });

  // --- figures ---
  priv.command('stats', async (ctx) => {
    const stats = await ctx.deps.admin.stats(ctx.from.id);
    if (!stats.ok) return notAllowed(ctx);
    await ctx.reply(renderStats(ctx.t, ctx.locale, stats.value.days, stats.value.departments));
  });

  priv.command('export', async (ctx) => {
    if (!(await ctx.deps.admin.checkAdmin(ctx.from.id, 'export'))) return notAllowed(ctx);
    const period = exportPeriod(ctx.match, new Date());
    if (!period) {
      await ctx.reply(ctx.t('manage:export.usage'));
      return;
    }
    await ctx.reply(
      ctx.t('manage:export.choose', { from: compactToIso(period.from), to: compactToIso(period.to) }),
      {
        reply_markup: new InlineKeyboard()
          .text(ctx.t('manage:export.plain'), `ad:exp:plain:${period.from}:${period.to}`)
          .row()
          .text(ctx.t('manage:export.personal'), `ad:exp:pii:${period.from}:${period.to}`),
      },
    );
  });
  priv.callbackQuery(/^ad:exp:(plain|pii):(\d{8}):(\d{8})$/, async (ctx) => {
    const [, kind, from, to] = ctx.match as unknown as [string, string, string, string];
    if (!(await ctx.deps.admin.checkAdmin(ctx.from.id, 'export'))) return notAllowed(ctx);
    await ctx.answerCallbackQuery();
    if (kind === 'pii') {
      await ctx.reply(ctx.t('manage:export.confirm_personal'), {
        reply_markup: new InlineKeyboard()
          .text(ctx.t('manage:export.confirm_yes'), `ad:expok:${from}:${to}`)
          .text(ctx.t('manage:export.confirm_no'), 'ad:keep'),
      });
      return;
    }
    await sendExport(ctx, from, to, false);
  });
  priv.callbackQuery(/^ad:expok:(\d{8}):(\d{8})$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    await sendExport(ctx, ctx.match[1] as string, ctx.match[2] as string, true);
  });

  priv.callbackQuery(/^ad:/, async (ctx) => {
    await ctx.deps.staff.forgedButton(ctx.from.id, ctx.callbackQuery.data);
    await ctx.answerCallbackQuery({ text: ctx.t('errors.stale_button') });
  });
  return composer;
}
