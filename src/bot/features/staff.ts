// Department staff in a private chat: /queue (filters, pages, overdue marks), /next, /open <number>, /duty,
// the case card and its buttons. Every button carries the case's internal id and asks the use case, which
// checks the presser against the database each time (src/app/staff.ts).
//
// Buttons: sq:<filter>:<page> a queue page · st:next take the next case · st:open|take|id|files|full:<id>
// st:act:<reply|ask|note|resolve|reject|transfer>:<id> start a guided step · st:rel|relok:<id> release
// st:duty:<on|off>
import { Composer, InlineKeyboard } from 'grammy';
import type { StaffCard, StaffError } from '../../app/staff.ts';
import type { Locale } from '../../config.ts';
import { QUEUE_FILTERS } from '../../domain/staff-work.ts';
import { type BotContext, localeName } from '../context.ts';
import { STAFF_ACTION, type StaffActionKind } from '../conversations/staff-action.ts';
import { beijingTime } from '../format-time.ts';
import type { TFunction } from '../i18n.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const button = (action: string) => new RegExp(`^st:${action}:(${UUID})$`);
/** Telegram refuses messages over 4096 characters. */
const MESSAGE_MAX = 4000;
const CARD_HISTORY = 8;
const CARD_NOTE_MAX = 150;
const CARD_ANSWER_MAX = 300;

export const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Splits a long text into messages Telegram accepts, at line breaks where it can. */
export function chunks(text: string, max = MESSAGE_MAX): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = rest.lastIndexOf('\n', max);
    const at = cut > max / 2 ? cut : max;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  if (rest) out.push(rest);
  return out;
}

export function staffErrorText(t: TFunction, error: StaffError): string {
  return t(`staff:errors.${error}`);
}

function fieldName(t: TFunction, serviceCode: string, stepId: string): string {
  return t([`services:${serviceCode}.fields.${stepId}`, 'staff:card.other_field']);
}

function historyLine(t: TFunction, locale: Locale, h: StaffCard['history'][number], full: boolean): string {
  const who =
    h.actor ??
    t(
      `staff:actor.${h.actorKind === 'staff' ? 'staff' : h.actorKind === 'resident' ? 'resident' : 'system'}`,
    );
  const what = t([`staff:event.${h.kind}`, 'staff:event.other']);
  const note = h.note ? `：${full ? h.note : clip(h.note, CARD_NOTE_MAX)}` : '';
  return t('staff:card.history_line', {
    at: beijingTime(h.at, locale),
    who,
    what: `${what}${h.internal && h.kind !== 'note' ? t('staff:card.internal') : ''}${note}`,
  });
}

/** The card's text: the case, who asked (masked), the answers, the latest of its history. */
export function renderCard(t: TFunction, locale: Locale, c: StaffCard, full = false): string {
  const lines = [
    t('staff:card.title', {
      number: c.number,
      service: t(`services:${c.serviceCode}.name`),
      urgent: c.priority === 'urgent' ? t('staff:urgent_mark') : '',
    }),
    t('staff:card.status', { status: t(`staff:status.${c.status}`) }),
    t('staff:card.department', { department: localeName(locale, c.department) }),
    t('staff:card.times', {
      submittedAt: beijingTime(c.submittedAt, locale),
      dueAt: beijingTime(c.dueAt, locale),
      overdue: c.overdue ? t('staff:overdue_mark') : '',
    }),
    t('staff:card.assignee', { assignee: c.assignee ?? t('staff:card.nobody') }),
    '',
  ];
  if (c.anonymous) lines.push(t('staff:card.anonymous'));
  else if (c.resident) {
    const r = c.resident;
    lines.push(
      t('staff:card.resident_title'),
      t('staff:card.resident', { name: r.name, phone: r.phoneMasked, idNumber: r.idNumberMasked }),
      t('staff:card.address', {
        community: locale === 'zh-CN' ? r.address.community : r.communityEn,
        building: locale === 'zh-CN' ? r.address.building : r.buildingEn,
        unit: r.address.unit,
        room: r.address.room,
      }),
    );
  } else lines.push(t('staff:card.no_resident'));
  lines.push('', t('staff:card.answers_title'));
  for (const a of c.answers) {
    const files = a.files > 0 ? t('staff:card.files', { count: a.files }) : '';
    lines.push(
      t('staff:card.answer', {
        field: fieldName(t, c.serviceCode, a.stepId),
        answer: `${full ? a.label : clip(a.label, CARD_ANSWER_MAX)}${files}`,
      }),
    );
  }
  if (c.attachments > 0) lines.push(t('staff:card.attachments', { count: c.attachments }));
  const history = full ? c.history : c.history.slice(-CARD_HISTORY);
  lines.push('', t('staff:card.history_title', { shown: history.length, total: c.history.length }));
  for (const h of history) lines.push(historyLine(t, locale, h, full));
  return lines.join('\n');
}

function cardKeyboard(t: TFunction, c: StaffCard): InlineKeyboard {
  const kb = new InlineKeyboard();
  if (c.can.take) kb.text(t('staff:buttons.take'), `st:take:${c.id}`).row();
  if (c.can.act) {
    kb.text(t('staff:buttons.reply'), `st:act:reply:${c.id}`)
      .text(t('staff:buttons.ask'), `st:act:ask:${c.id}`)
      .row();
    kb.text(t('staff:buttons.resolve'), `st:act:resolve:${c.id}`)
      .text(t('staff:buttons.reject'), `st:act:reject:${c.id}`)
      .row();
    kb.text(t('staff:buttons.transfer'), `st:act:transfer:${c.id}`);
  }
  if (c.can.release) kb.text(t('staff:buttons.release'), `st:rel:${c.id}`);
  kb.row().text(t('staff:buttons.note'), `st:act:note:${c.id}`);
  if (c.attachments > 0) kb.text(t('staff:buttons.files', { count: c.attachments }), `st:files:${c.id}`);
  kb.row();
  if (c.can.reveal) kb.text(t('staff:buttons.reveal'), `st:id:${c.id}`);
  kb.text(t('staff:buttons.full'), `st:full:${c.id}`).row();
  return kb.text(t('staff:buttons.queue'), 'sq:open:0');
}

export async function showCard(ctx: BotContext, caseId: string): Promise<void> {
  if (!ctx.from) return;
  const card = await ctx.deps.staff.card(ctx.from.id, caseId);
  if (!card.ok) {
    await ctx.reply(staffErrorText(ctx.t, card.error));
    return;
  }
  await ctx.reply(clip(renderCard(ctx.t, ctx.locale, card.value), MESSAGE_MAX), {
    reply_markup: cardKeyboard(ctx.t, card.value),
  });
}

async function showQueue(ctx: BotContext, filter: string, page: number): Promise<void> {
  if (!ctx.from) return;
  const q = await ctx.deps.staff.queue(ctx.from.id, filter, page);
  if (!q.ok) {
    await ctx.reply(ctx.t('staff:not_staff'));
    return;
  }
  const { items, total, pages } = q.value;
  const kb = new InlineKeyboard();
  for (const c of items) {
    kb.text(
      ctx.t('staff:queue.item', {
        marks: `${c.priority === 'urgent' ? '🔴' : ''}${c.overdue ? '⏰' : ''}`,
        number: c.number,
        service: ctx.t(`services:${c.serviceCode}.name`),
        status: ctx.t(`staff:status.${c.status}`),
        mine: c.mine ? ctx.t('staff:queue.mine_mark') : '',
      }),
      `st:open:${c.id}`,
    ).row();
  }
  if (q.value.page > 0) kb.text(ctx.t('staff:queue.previous'), `sq:${q.value.filter}:${q.value.page - 1}`);
  if (q.value.page < pages - 1)
    kb.text(ctx.t('staff:queue.next_page'), `sq:${q.value.filter}:${q.value.page + 1}`);
  kb.row();
  for (const f of QUEUE_FILTERS) {
    if (f !== q.value.filter) kb.text(ctx.t(`staff:filters.${f}`), `sq:${f}:0`);
  }
  kb.row().text(ctx.t('staff:buttons.next'), 'st:next');
  const overdue = items.filter((c) => c.overdue).length;
  const title = ctx.t('staff:queue.title', {
    department: localeName(ctx.locale, q.value.department),
    filter: ctx.t(`staff:filters.${q.value.filter}`),
    total,
    page: q.value.page + 1,
    pages,
  });
  const body = total === 0 ? ctx.t('staff:queue.empty') : ctx.t('staff:queue.legend', { overdue });
  await ctx.reply(`${title}\n${body}`, { reply_markup: kb });
}

async function takeNext(ctx: BotContext): Promise<void> {
  if (!ctx.from) return;
  const next = await ctx.deps.staff.next(ctx.from.id);
  if (!next.ok) {
    await ctx.reply(ctx.t('staff:not_staff'));
    return;
  }
  if (!next.value) {
    await ctx.reply(ctx.t('staff:next.none'));
    return;
  }
  ctx.deps.wakeDispatcher?.();
  await ctx.reply(ctx.t('staff:next.taken', { number: next.value.number }));
  await showCard(ctx, next.value.caseId);
}

async function sendFiles(ctx: BotContext, caseId: string): Promise<void> {
  const files = await ctx.deps.staff.attachments(ctx.from?.id ?? 0, caseId);
  if (!files.ok) {
    await ctx.reply(staffErrorText(ctx.t, files.error));
    return;
  }
  const caption = ctx.t('staff:files_caption', { number: files.value.number });
  for (const f of files.value.files) {
    // Sent back as what they were: Telegram's file ids, nothing downloaded or stored by the bot.
    if (f.kind === 'photo') await ctx.replyWithPhoto(f.fileId, { caption, protect_content: true });
    else if (f.kind === 'voice') await ctx.replyWithVoice(f.fileId, { caption, protect_content: true });
    else await ctx.replyWithDocument(f.fileId, { caption, protect_content: true });
  }
}

const ACTIONS: Record<string, StaffActionKind> = {
  reply: 'reply',
  ask: 'ask_info',
  note: 'note',
  resolve: 'resolve',
  reject: 'reject',
  transfer: 'transfer',
};

export function staffFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  priv.command('queue', (ctx) => showQueue(ctx, ctx.match.trim() || 'open', 0));
  priv.callbackQuery(/^sq:(open|unassigned|mine|waiting):(\d{1,5})$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    await showQueue(ctx, ctx.match[1] as string, Number(ctx.match[2]));
  });
  priv.command('next', takeNext);
  priv.callbackQuery('st:next', async (ctx) => {
    await ctx.answerCallbackQuery();
    await takeNext(ctx);
  });

  priv.command('open', async (ctx) => {
    const typed = ctx.match.trim();
    if (!typed) {
      await ctx.reply(ctx.t('staff:open_usage'));
      return;
    }
    const found = await ctx.deps.staff.findByNumber(ctx.from.id, typed);
    if (!found.ok) {
      await ctx.reply(staffErrorText(ctx.t, found.error));
      return;
    }
    await showCard(ctx, found.value);
  });
  priv.callbackQuery(button('open'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await showCard(ctx, ctx.match[1] as string);
  });

  priv.callbackQuery(button('take'), async (ctx) => {
    const caseId = ctx.match[1] as string;
    const taken = await ctx.deps.staff.take(ctx.from.id, caseId);
    if (!taken.ok) {
      await ctx.answerCallbackQuery({ text: staffErrorText(ctx.t, taken.error), show_alert: true });
      return;
    }
    ctx.deps.wakeDispatcher?.();
    await ctx.answerCallbackQuery({ text: ctx.t('staff:next.taken', { number: taken.value.number }) });
    await showCard(ctx, caseId);
  });

  priv.callbackQuery(button('id'), async (ctx) => {
    const shown = await ctx.deps.staff.revealIdentity(ctx.from.id, ctx.match[1] as string);
    await ctx.answerCallbackQuery();
    if (!shown.ok) {
      await ctx.reply(
        shown.error === 'not_allowed' ? ctx.t('staff:reveal.anonymous') : staffErrorText(ctx.t, shown.error),
      );
      return;
    }
    const lines = [
      ctx.t('staff:reveal.title', { number: shown.value.number }),
      ...shown.value.people.map((p) =>
        ctx.t('staff:reveal.person', { name: p.name, idNumber: p.idNumber ?? ctx.t('staff:reveal.no_id') }),
      ),
      ctx.t('staff:reveal.phones', { phones: shown.value.phones.join('、') }),
      '',
      ctx.t('staff:reveal.logged'),
    ];
    // protect_content: it cannot be forwarded or saved from the chat.
    await ctx.reply(lines.join('\n'), { protect_content: true });
  });

  priv.callbackQuery(button('files'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await sendFiles(ctx, ctx.match[1] as string);
  });

  priv.callbackQuery(button('full'), async (ctx) => {
    await ctx.answerCallbackQuery();
    const card = await ctx.deps.staff.card(ctx.from.id, ctx.match[1] as string);
    if (!card.ok) {
      await ctx.reply(staffErrorText(ctx.t, card.error));
      return;
    }
    for (const part of chunks(renderCard(ctx.t, ctx.locale, card.value, true))) await ctx.reply(part);
  });

  priv.callbackQuery(/^st:act:(reply|ask|note|resolve|reject|transfer):([0-9a-f-]{36})$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.exitAll();
    await ctx.conversation.enter(
      STAFF_ACTION,
      ctx.match[2] as string,
      ACTIONS[ctx.match[1] as string] as StaffActionKind,
    );
  });

  priv.callbackQuery(button('rel'), async (ctx) => {
    const caseId = ctx.match[1] as string;
    const check = await ctx.deps.staff.canChange(ctx.from.id, caseId, 'release');
    if (!check.ok) {
      await ctx.answerCallbackQuery({ text: staffErrorText(ctx.t, check.error), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('staff:release.confirm', { number: check.value.number }), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t('staff:release.yes'), `st:relok:${caseId}`)
        .text(ctx.t('staff:release.no'), `st:open:${caseId}`),
    });
  });
  priv.callbackQuery(button('relok'), async (ctx) => {
    const released = await ctx.deps.staff.release(ctx.from.id, ctx.match[1] as string);
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    if (!released.ok) {
      await ctx.reply(staffErrorText(ctx.t, released.error));
      return;
    }
    ctx.deps.wakeDispatcher?.();
    await ctx.reply(ctx.t('staff:release.done', { number: released.value.number }));
  });

  priv.command('duty', async (ctx) => {
    const arg = ctx.match.trim().toLowerCase();
    if (arg === 'on' || arg === 'off') {
      await setDuty(ctx, arg === 'on');
      return;
    }
    const duty = await ctx.deps.staff.dutyStatus(ctx.from.id);
    if (!duty.ok) {
      await ctx.reply(ctx.t('staff:not_staff'));
      return;
    }
    const onDuty = duty.value;
    await ctx.reply(ctx.t(onDuty ? 'staff:duty.now_on' : 'staff:duty.now_off'), {
      reply_markup: new InlineKeyboard().text(
        ctx.t(onDuty ? 'staff:duty.turn_off' : 'staff:duty.turn_on'),
        `st:duty:${onDuty ? 'off' : 'on'}`,
      ),
    });
  });
  priv.callbackQuery(/^st:duty:(on|off)$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    await setDuty(ctx, ctx.match[1] === 'on');
  });

  // A forged or outdated staff button that matched nothing above.
  priv.callbackQuery(/^(st|sq):/, async (ctx) => {
    await ctx.deps.staff.forgedButton(ctx.from.id, ctx.callbackQuery.data);
    await ctx.answerCallbackQuery({ text: ctx.t('staff:errors.not_found'), show_alert: true });
  });

  return composer;
}

async function setDuty(ctx: BotContext, onDuty: boolean): Promise<void> {
  if (!ctx.from) return;
  const done = await ctx.deps.staff.setOnDuty(ctx.from.id, onDuty);
  await ctx.reply(
    done.ok ? ctx.t(onDuty ? 'staff:duty.now_on' : 'staff:duty.now_off') : ctx.t('staff:not_staff'),
  );
}
