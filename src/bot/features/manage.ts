// Administration in Telegram: /invite (a single-use code for staff of a department or a worker of a
// community, withdrawn with the button under it while unused), /staff (list, remove), /canned (a department's canned replies), /stats, /export (a CSV of the
// cases as a document, without personal data: that export is the console's), and /join for the
// invited. Every permission is checked by the use case (src/app/admin.ts); these handlers only talk. The
// buttons (`ad:`) are defined in ../buttons.ts.
import { Composer, InlineKeyboard, InputFile } from 'grammy';
import type { DepartmentFigures } from '../../app/admin.ts';
import { beijingDateString, beijingInstant } from '../../domain/beijing-time.ts';
import { adminButtons, family, onButton } from '../buttons.ts';
import { setChatCommandMenu } from '../commands.ts';
import { type BotContext, localeName } from '../context.ts';
import { CANNED_ADD } from '../conversations/canned-reply.ts';
import { compactTime } from '../format-time.ts';
import type { TFunction } from '../i18n.ts';
import { clearButtons, onKeep, onOpen, yesNo } from './shared.ts';

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

/** A refused press: "not allowed" when the presser may not do it, `text` otherwise (what it names is gone). */
async function refused(ctx: BotContext, error: string, text: string, alert: boolean): Promise<void> {
  if (error === 'not_allowed') return notAllowed(ctx);
  await ctx.answerCallbackQuery(alert ? { text, show_alert: true } : { text });
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
    kb.text(
      ctx.t('manage:canned.delete_button', { title: c.title }),
      adminButtons.cannedDelete.pack({ cannedId: c.id }),
    ).row();
  kb.text(ctx.t('manage:canned.add_button'), adminButtons.cannedAdd.pack({ department: departmentCode }));
  const body = list.value.length
    ? list.value.map((c) => ctx.t('manage:canned.item', { title: c.title, text: c.text })).join('\n')
    : ctx.t('manage:canned.empty');
  await ctx.reply(`${ctx.t('manage:canned.title', { department: departmentCode })}\n${body}`, {
    reply_markup: kb,
  });
}

async function sendExport(ctx: BotContext, from: string, to: string): Promise<void> {
  const result = await ctx.deps.admin.exportCases(
    { telegramId: ctx.from?.id ?? 0 },
    { from: compactToDate(from), to: compactToDate(to), withPersonalData: false },
  );
  if (!result.ok) {
    if (result.error === 'not_allowed') await notAllowed(ctx);
    else await ctx.reply(ctx.t('manage:export.usage'));
    return;
  }
  await ctx.replyWithDocument(
    new InputFile(Buffer.from(result.value.csv, 'utf8'), `cases-${from}-${to}.csv`),
    {
      caption: ctx.t('manage:export.caption', {
        rows: result.value.rows,
        from: compactToIso(from),
        to: compactToIso(to),
      }),
    },
  );
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
    // The admin who made the code is told (a notification written with the join).
    ctx.deps.wakeDispatcher?.();
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
        worker: await ctx.deps.notices.canCompose(ctx.from.id),
        labour: await ctx.deps.labour.mayList(ctx.from.id),
      },
    );
  });

  // --- invites ---
  priv.command('invite', async (ctx) => {
    if (!(await ctx.deps.admin.checkAdmin(ctx.from.id, 'invite'))) return notAllowed(ctx);
    await ctx.reply(ctx.t('manage:invite.choose_role'), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t('manage:invite.role_staff'), adminButtons.inviteRole.pack({ role: 'staff' }))
        .row()
        .text(ctx.t('manage:invite.role_worker'), adminButtons.inviteRole.pack({ role: 'worker' })),
    });
  });
  onButton(priv, adminButtons.inviteRole, async (ctx, { role }) => {
    const staff = role === 'staff';
    const list = staff
      ? await ctx.deps.admin.departments(ctx.from.id)
      : await ctx.deps.admin.communities(ctx.from.id);
    if (!list.ok) return notAllowed(ctx);
    await ctx.answerCallbackQuery();
    const kb = new InlineKeyboard();
    for (const item of list.value)
      kb.text(
        localeName(ctx.locale, item),
        adminButtons.inviteUnit.pack({ unit: staff ? 'd' : 'c', code: item.code }),
      ).row();
    await ctx.reply(ctx.t(staff ? 'manage:invite.choose_department' : 'manage:invite.choose_community'), {
      reply_markup: kb,
    });
  });
  onButton(priv, adminButtons.inviteUnit, async (ctx, { unit, code }) => {
    const invite = await ctx.deps.admin.createInvite(
      ctx.from.id,
      unit === 'd' ? { role: 'staff', departmentCode: code } : { role: 'worker', communityCode: code },
    );
    if (!invite.ok) return refused(ctx, invite.error, ctx.t('errors.stale_button'), false);
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    await ctx.reply(
      ctx.t('manage:invite.created', {
        code: invite.value.code,
        unit: localeName(ctx.locale, invite.value.unit),
        expiresAt: compactTime(invite.value.expiresAt, ctx.t),
      }),
      {
        reply_markup: new InlineKeyboard().text(
          ctx.t('manage:invite.revoke_button'),
          adminButtons.inviteRevoke.pack({ inviteId: invite.value.id }),
        ),
      },
    );
  });
  onButton(priv, adminButtons.inviteRevoke, async (ctx, { inviteId }) => {
    const revoked = await ctx.deps.admin.revokeInvite(ctx.from.id, inviteId);
    if (!revoked.ok) {
      if (revoked.error === 'not_allowed') return notAllowed(ctx);
      await clearButtons(ctx);
      return refused(
        ctx,
        revoked.error,
        ctx.t(revoked.error === 'already_used' ? 'manage:invite.revoke_used' : 'manage:invite.revoke_gone'),
        true,
      );
    }
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    await ctx.reply(ctx.t('manage:invite.revoked'));
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
      kb.text(
        ctx.t('manage:staff.remove_button', { name: s.displayName }),
        adminButtons.removeStaff.pack({ staffId: s.id }),
      ).row();
    }
    await ctx.reply(lines.join('\n'), { reply_markup: kb });
  });
  onButton(priv, adminButtons.removeStaff, async (ctx, { staffId }) => {
    const member = await ctx.deps.admin.staffMember(ctx.from.id, staffId);
    if (!member.ok) return refused(ctx, member.error, ctx.t('manage:staff.gone'), true);
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('manage:staff.confirm_remove', { name: member.value.displayName }), {
      reply_markup: yesNo(
        [
          ctx.t('manage:staff.remove_yes'),
          adminButtons.removeStaffConfirmed.pack({ staffId: member.value.id }),
        ],
        [ctx.t('manage:staff.remove_no'), adminButtons.keep.pack({})],
      ),
    });
  });
  onButton(priv, adminButtons.removeStaffConfirmed, async (ctx, { staffId }) => {
    const removed = await ctx.deps.admin.removeStaff(ctx.from.id, staffId);
    if (!removed.ok) return refused(ctx, removed.error, ctx.t('manage:staff.gone'), true);
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    ctx.deps.wakeDispatcher?.();
    const { displayName, released, cancelledNotices } = removed.value;
    const said = [ctx.t('manage:staff.removed', { name: displayName, released })];
    if (cancelledNotices > 0) said.push(ctx.t('manage:staff.notices_cancelled', { count: cancelledNotices }));
    await ctx.reply(said.join('\n'));
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
  // The "no" of a confirmation (removing staff): "nothing changed".
  onKeep(priv, adminButtons.keep, 'manage:staff.kept');

  // --- canned replies ---
  priv.command('canned', async (ctx) => {
    const arg = ctx.match.trim();
    if (arg) return showCanned(ctx, arg);
    const list = await ctx.deps.admin.departments(ctx.from.id);
    if (!list.ok) return notAllowed(ctx);
    const kb = new InlineKeyboard();
    for (const d of list.value)
      kb.text(localeName(ctx.locale, d), adminButtons.canned.pack({ department: d.code })).row();
    await ctx.reply(ctx.t('manage:canned.choose_department'), { reply_markup: kb });
  });
  onOpen(priv, adminButtons.canned, (ctx, { department }) => showCanned(ctx, department));
  onButton(priv, adminButtons.cannedAdd, async (ctx, { department }) => {
    if (!(await ctx.deps.admin.checkAdmin(ctx.from.id, 'canned_add'))) return notAllowed(ctx);
    await ctx.answerCallbackQuery();
    await ctx.conversation.exitAll();
    await ctx.conversation.enter(CANNED_ADD, department);
  });
  onButton(priv, adminButtons.cannedDelete, async (ctx, { cannedId }) => {
    const removed = await ctx.deps.admin.removeCannedReply(ctx.from.id, cannedId);
    if (!removed.ok) return refused(ctx, removed.error, ctx.t('errors.stale_button'), false);
    await ctx.answerCallbackQuery({ text: ctx.t('manage:canned.deleted') });
    await clearButtons(ctx);
  });

  // --- figures ---
  priv.command('stats', async (ctx) => {
    const stats = await ctx.deps.admin.stats(ctx.from.id);
    if (!stats.ok) return notAllowed(ctx);
    await ctx.reply(renderStats(ctx.t, ctx.locale, stats.value.days, stats.value.departments));
  });

  // Without personal data only: a table with ID numbers is exported in the console, after its confirmation
  // page (an old "with personal data" button in a chat is now a stale button).
  priv.command('export', async (ctx) => {
    if (!(await ctx.deps.admin.checkAdmin(ctx.from.id, 'export'))) return notAllowed(ctx);
    const period = exportPeriod(ctx.match, new Date());
    if (!period) {
      await ctx.reply(ctx.t('manage:export.usage'));
      return;
    }
    await sendExport(ctx, period.from, period.to);
  });
  // The choice /export used to offer, still in admins' chats: without personal data, the file; with, where
  // it is now.
  onButton(priv, adminButtons.export, async (ctx, { kind, from, to }) => {
    if (!(await ctx.deps.admin.checkAdmin(ctx.from.id, 'export'))) return notAllowed(ctx);
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    if (kind === 'pii') await ctx.reply(ctx.t('manage:export.personal_in_console'));
    else await sendExport(ctx, from, to);
  });

  priv.callbackQuery(family('ad'), async (ctx) => {
    await ctx.deps.staff.forgedButton(ctx.from.id, ctx.callbackQuery.data);
    await ctx.answerCallbackQuery({ text: ctx.t('errors.stale_button') });
  });
  return composer;
}
