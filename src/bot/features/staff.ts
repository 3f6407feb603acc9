// Department staff in a private chat: /queue (filters, pages, overdue marks), /next, /open <number>, /duty,
// the case card and its buttons. Every button carries the case's internal id and asks the use case, which
// checks the presser against the database each time (src/app/staff.ts). The buttons (`st:`, `sq:`) are
// defined in ../buttons.ts.
import { Composer, InlineKeyboard } from 'grammy';
import type { StaffCard, StaffError } from '../../app/staff.ts';
import type { Locale } from '../../config.ts';
import { QUEUE_FILTERS } from '../../domain/staff-work.ts';
import { answerWords, personWords } from '../answer-words.ts';
import { family, onButton, queueButton, staffButtons, type ValuesOf } from '../buttons.ts';
import { type BotContext, localeName } from '../context.ts';
import { STAFF_ACTION, type StaffActionKind } from '../conversations/staff-action.ts';
import { compactTime } from '../format-time.ts';
import type { TFunction } from '../i18n.ts';
import { jobsOnCard } from './job-offers.ts';
import { byTypedNumber, clearButtons, onOpen, yesNo } from './shared.ts';

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

function historyLine(t: TFunction, _locale: Locale, h: StaffCard['history'][number], full: boolean): string {
  const who =
    h.actor ??
    t(
      `staff:actor.${h.actorKind === 'staff' ? 'staff' : h.actorKind === 'resident' ? 'resident' : 'system'}`,
    );
  const what = t([`staff:event.${h.kind}`, 'staff:event.other']);
  const note = `${h.note ? t('form:note_after', { note: full ? h.note : clip(h.note, CARD_NOTE_MAX) }) : ''}${h.files
    .map((k) => ` ${t(`media:kind.${k}`)}`)
    .join('')}`;
  return t('staff:card.history_line', {
    at: compactTime(h.at, t),
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
      submittedAt: compactTime(c.submittedAt, t),
      dueAt: compactTime(c.dueAt, t),
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
    if (r.noTelegram) lines.push(t('staff:card.no_telegram'));
  } else lines.push(t('staff:card.no_resident'));
  lines.push('', t('staff:card.answers_title'));
  for (const a of c.answers) {
    const words = answerWords(t, locale, c.serviceCode, a);
    const files = a.files > 0 ? t('staff:card.files', { count: a.files }) : '';
    lines.push(
      t('staff:card.answer', {
        field: fieldName(t, c.serviceCode, a.stepId),
        answer: `${full ? words : clip(words, CARD_ANSWER_MAX)}${files}`,
      }),
    );
  }
  if (c.household) {
    lines.push('', t('answers:household_title', { count: c.household.length }));
    for (const p of c.household) lines.push(`• ${personWords(t, p)}`);
  }
  if (c.attachments > 0) lines.push(t('staff:card.attachments', { count: c.attachments }));
  const history = full ? c.history : c.history.slice(-CARD_HISTORY);
  lines.push('', t('staff:card.history_title', { shown: history.length, total: c.history.length }));
  for (const h of history) lines.push(historyLine(t, locale, h, full));
  return lines.join('\n');
}

function cardKeyboard(t: TFunction, c: StaffCard): InlineKeyboard {
  const kb = new InlineKeyboard();
  const caseId = c.id;
  const act = (action: ValuesOf<typeof staffButtons.act>['action']) =>
    staffButtons.act.pack({ action, caseId });
  if (c.can.take) kb.text(t('staff:buttons.take'), staffButtons.take.pack({ caseId })).row();
  if (c.can.act) {
    kb.text(t('staff:buttons.reply'), act('reply')).text(t('staff:buttons.ask'), act('ask')).row();
    kb.text(t('staff:buttons.resolve'), act('resolve')).text(t('staff:buttons.reject'), act('reject')).row();
    kb.text(t('staff:buttons.transfer'), act('transfer'));
  }
  if (c.can.release) kb.text(t('staff:buttons.release'), staffButtons.release.pack({ caseId }));
  kb.row().text(t('staff:buttons.note'), act('note'));
  if (c.attachments > 0)
    kb.text(t('staff:buttons.files', { count: c.attachments }), staffButtons.files.pack({ caseId }));
  kb.row();
  if (c.can.reveal) kb.text(t('staff:buttons.reveal'), staffButtons.reveal.pack({ caseId }));
  kb.text(t('staff:buttons.full'), staffButtons.full.pack({ caseId })).row();
  return kb.text(t('staff:buttons.queue'), queueButton.pack({ filter: 'open', page: 0 }));
}

export async function showCard(ctx: BotContext, caseId: string): Promise<void> {
  if (!ctx.from) return;
  const card = await ctx.deps.staff.card(ctx.from.id, caseId);
  if (!card.ok) {
    await ctx.reply(staffErrorText(ctx.t, card.error));
    return;
  }
  // A job seeker's case also shows the jobs recommended and offers to recommend more (features/job-offers.ts).
  const jobs = await jobsOnCard(ctx, card.value);
  const kb = cardKeyboard(ctx.t, card.value);
  if (jobs.button) kb.row().text(...jobs.button);
  const text = [renderCard(ctx.t, ctx.locale, card.value), ...jobs.lines].join('\n');
  await ctx.reply(clip(text, MESSAGE_MAX), { reply_markup: kb });
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
      staffButtons.open.pack({ caseId: c.id }),
    ).row();
  }
  const shown = q.value;
  if (shown.page > 0)
    kb.text(ctx.t('staff:queue.previous'), queueButton.pack({ filter: shown.filter, page: shown.page - 1 }));
  if (shown.page < pages - 1)
    kb.text(ctx.t('staff:queue.next_page'), queueButton.pack({ filter: shown.filter, page: shown.page + 1 }));
  kb.row();
  for (const f of QUEUE_FILTERS) {
    if (f !== shown.filter) kb.text(ctx.t(`staff:filters.${f}`), queueButton.pack({ filter: f, page: 0 }));
  }
  kb.row().text(ctx.t('staff:buttons.next'), staffButtons.next.pack({}));
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

const ACTIONS: Record<ValuesOf<typeof staffButtons.act>['action'], StaffActionKind> = {
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
  onOpen(priv, queueButton, (ctx, { filter, page }) => showQueue(ctx, filter, page));
  priv.command('next', takeNext);
  onOpen(priv, staffButtons.next, takeNext);

  priv.command(
    'open',
    byTypedNumber(
      'staff:open_usage',
      (ctx, telegramId, typed) => ctx.deps.staff.findByNumber(telegramId, typed),
      (ctx, error) => staffErrorText(ctx.t, error),
      showCard,
    ),
  );
  onOpen(priv, staffButtons.open, (ctx, { caseId }) => showCard(ctx, caseId));

  onButton(priv, staffButtons.take, async (ctx, { caseId }) => {
    const taken = await ctx.deps.staff.take(ctx.from.id, caseId);
    if (!taken.ok) {
      await ctx.answerCallbackQuery({ text: staffErrorText(ctx.t, taken.error), show_alert: true });
      return;
    }
    ctx.deps.wakeDispatcher?.();
    await ctx.answerCallbackQuery({ text: ctx.t('staff:next.taken', { number: taken.value.number }) });
    await showCard(ctx, caseId);
  });

  onButton(priv, staffButtons.reveal, async (ctx, { caseId }) => {
    const shown = await ctx.deps.staff.revealIdentity(ctx.from.id, caseId);
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
      ctx.t('staff:reveal.phones', { phones: shown.value.phones.join(ctx.t('form:list_separator')) }),
      '',
      ctx.t('staff:reveal.logged'),
    ];
    // protect_content: it cannot be forwarded or saved from the chat.
    await ctx.reply(lines.join('\n'), { protect_content: true });
  });

  onOpen(priv, staffButtons.files, (ctx, { caseId }) => sendFiles(ctx, caseId));

  onButton(priv, staffButtons.full, async (ctx, { caseId }) => {
    await ctx.answerCallbackQuery();
    const card = await ctx.deps.staff.card(ctx.from.id, caseId);
    if (!card.ok) {
      await ctx.reply(staffErrorText(ctx.t, card.error));
      return;
    }
    for (const part of chunks(renderCard(ctx.t, ctx.locale, card.value, true))) await ctx.reply(part);
  });

  onButton(priv, staffButtons.act, async (ctx, { action, caseId }) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.exitAll();
    await ctx.conversation.enter(STAFF_ACTION, caseId, ACTIONS[action]);
  });

  onButton(priv, staffButtons.release, async (ctx, { caseId }) => {
    const check = await ctx.deps.staff.canChange(ctx.from.id, caseId, 'release');
    if (!check.ok) {
      await ctx.answerCallbackQuery({ text: staffErrorText(ctx.t, check.error), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('staff:release.confirm', { number: check.value.number }), {
      reply_markup: yesNo(
        [ctx.t('staff:release.yes'), staffButtons.releaseConfirmed.pack({ caseId })],
        [ctx.t('staff:release.no'), staffButtons.open.pack({ caseId })],
      ),
    });
  });
  onButton(priv, staffButtons.releaseConfirmed, async (ctx, { caseId }) => {
    const released = await ctx.deps.staff.release(ctx.from.id, caseId);
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
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
        staffButtons.duty.pack({ turn: onDuty ? 'off' : 'on' }),
      ),
    });
  });
  onButton(priv, staffButtons.duty, async (ctx, { turn }) => {
    await ctx.answerCallbackQuery();
    await clearButtons(ctx);
    await setDuty(ctx, turn === 'on');
  });

  // A forged or outdated staff button that matched nothing above.
  priv.callbackQuery(family('st', 'sq'), async (ctx) => {
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
