// The Telegram side of the notification outbox: each kind of notification in words (the recipient's language; a
// department group gets the default one) with its buttons, and one Bot API call to send it, whose failure is
// turned into an outcome the dispatcher acts on. Group posts carry no personal data: service, number, due.
import { type Api, InlineKeyboard } from 'grammy';
import { INVITE_USED_KIND } from '../app/admin.ts';
import type { NotificationSender, SendOutcome } from '../app/jobs/notification-dispatcher.ts';
import type { JoinedMember, NotificationCase, PreparedNotification } from '../app/notification-content.ts';
import type { Locale } from '../config.ts';
import { groupButtons, myCaseButtons, queueButton, staffButtons } from './buttons.ts';
import { localeName } from './context.ts';
import { beijingTime } from './format-time.ts';
import { resolveLocale, type TFunction, type Translator } from './i18n.ts';
import { classifyTelegramError, isNotModified } from './telegram-outcome.ts';

export interface RenderedNotification {
  text: string;
  keyboard: InlineKeyboard | null;
}

const RESIDENT_KINDS = [
  'resident.case_taken',
  'resident.reply',
  'resident.info_requested',
  'resident.resolved',
  'resident.rejected',
  'resident.transferred',
] as const;
const STAFF_KINDS = [
  'staff.urgent_case',
  'staff.urgent_unclaimed',
  'staff.info_answered',
  'staff.case_withdrawn',
  'staff.case_rated',
  'staff.case_reopened',
] as const;
/** About a registration, after the window's ID-card check (src/app/registration-conflicts.ts): no case. */
const REGISTRATION_KINDS = [
  'registration.ended',
  'registration.confirmed',
  'registration.not_confirmed',
] as const;
export const KNOWN_NOTIFICATION_KINDS = [
  ...RESIDENT_KINDS,
  ...STAFF_KINDS,
  ...REGISTRATION_KINDS,
  'staff.digest',
  'group.new_case',
  'group.case_update',
  'group.urgent_unclaimed',
];

const has = <T extends string>(list: readonly T[], kind: string): kind is T =>
  (list as readonly string[]).includes(kind);

function caseLine(t: TFunction, c: NotificationCase): string {
  return t('notify:case_line', { service: t(`services:${c.serviceCode}.name`), number: c.number });
}

function residentNotification(
  t: TFunction,
  locale: Locale,
  kind: string,
  c: NotificationCase,
  note: string | null,
): RenderedNotification {
  const key = has(RESIDENT_KINDS, kind) ? kind.slice('resident.'.length) : 'other';
  const lines = [
    t(`notify:resident.${key}.title`, { department: localeName(locale, c.department) }),
    caseLine(t, c),
  ];
  if (note && key !== 'case_taken' && key !== 'transferred' && key !== 'other')
    lines.push(t(`notify:resident.${key}.note`, { note }));
  lines.push('', t(`notify:resident.${key}.hint`));
  const kb = new InlineKeyboard();
  const caseId = c.id;
  if (key === 'info_requested')
    kb.text(t('notify:buttons.answer'), myCaseButtons.answer.pack({ caseId })).row();
  if (key === 'resolved') kb.text(t('notify:buttons.rate'), myCaseButtons.rate.pack({ caseId })).row();
  kb.text(t('notify:buttons.open_mine'), myCaseButtons.open.pack({ caseId }));
  return { text: lines.join('\n'), keyboard: kb };
}

function staffNotification(
  t: TFunction,
  locale: Locale,
  kind: string,
  c: NotificationCase,
): RenderedNotification {
  const key = has(STAFF_KINDS, kind) ? kind.slice('staff.'.length) : 'other';
  const text = t(`notify:staff.${key}`, {
    number: c.number,
    service: t(`services:${c.serviceCode}.name`),
    due: beijingTime(c.dueAt, locale),
    stars: c.rating ? t(`mycases:rate.stars.${c.rating}`) : '—',
  });
  const kb = new InlineKeyboard();
  const open = c.status === 'submitted' && c.assignee === null;
  if ((key === 'urgent_case' || key === 'urgent_unclaimed') && open)
    kb.text(t('notify:buttons.take'), staffButtons.take.pack({ caseId: c.id }));
  kb.text(t('notify:buttons.open_case'), staffButtons.open.pack({ caseId: c.id }));
  return { text, keyboard: kb };
}

function digest(t: TFunction, payload: Record<string, unknown>): RenderedNotification {
  const n = (k: string) => (typeof payload[k] === 'number' ? (payload[k] as number) : 0);
  const numbers = Array.isArray(payload.numbers) ? payload.numbers.filter((x) => typeof x === 'string') : [];
  const lines = [
    t('notify:digest.title'),
    t('notify:digest.mine', { overdue: n('mineOverdue'), today: n('mineToday') }),
    t('notify:digest.queue', { overdue: n('queueOverdue'), today: n('queueToday') }),
  ];
  if (numbers.length > 0) lines.push(t('notify:digest.numbers', { numbers: numbers.join('、') }));
  lines.push('', t('notify:digest.hint'));
  return {
    text: lines.join('\n'),
    keyboard: new InlineKeyboard()
      .text(t('notify:buttons.queue_mine'), queueButton.pack({ filter: 'mine', page: 0 }))
      .text(t('notify:buttons.queue_open'), queueButton.pack({ filter: 'open', page: 0 })),
  };
}

/** To the admin who made an invite code: who joined with it, as what. */
function inviteUsed(
  t: TFunction,
  locale: Locale,
  m: JoinedMember | null | undefined,
): RenderedNotification | null {
  if (!m) return null;
  return {
    text: t('notify:admin.invite_used', {
      name: m.displayName,
      role: t(m.role === 'staff' ? 'notify:admin.role_staff' : 'notify:admin.role_worker'),
      unit: m.unit ? localeName(locale, m.unit) : '—',
    }),
    keyboard: null,
  };
}

const takeInGroup = (t: TFunction, c: NotificationCase) =>
  new InlineKeyboard().text(t('notify:buttons.take'), groupButtons.take.pack({ caseId: c.id }));

/** A department group's post: open for taking, or who took it, or where it went. */
export function groupPost(
  t: TFunction,
  locale: Locale,
  c: NotificationCase,
  chatId: bigint,
): RenderedNotification {
  const vars = {
    number: c.number,
    service: t(`services:${c.serviceCode}.name`),
    due: beijingTime(c.dueAt, locale),
    urgent: c.priority === 'urgent' ? t('notify:group.urgent_mark') : '',
    assignee: c.assignee ?? '—',
  };
  const here = c.department.telegramGroupId === chatId;
  if (!here) return { text: t('notify:group.transferred', vars), keyboard: null };
  if (c.status === 'submitted' && c.assignee === null) {
    return {
      text: t('notify:group.new_case', vars),
      keyboard: takeInGroup(t, c),
    };
  }
  if (c.status === 'withdrawn') return { text: t('notify:group.withdrawn', vars), keyboard: null };
  return { text: t('notify:group.taken', vars), keyboard: null };
}

export function renderNotification(
  translator: Translator,
  defaultLocale: Locale,
  notification: PreparedNotification,
): RenderedNotification | null {
  const locale = notification.language
    ? resolveLocale(notification.language.locale, defaultLocale)
    : defaultLocale;
  const t = translator.t(locale);
  const c = notification.case;
  if (notification.kind === 'staff.digest') return digest(t, notification.payload);
  if (notification.kind === INVITE_USED_KIND) return inviteUsed(t, locale, notification.member);
  if (has(REGISTRATION_KINDS, notification.kind))
    return { text: t(`notify:${notification.kind}`), keyboard: null };
  if (!c) return null;
  if (notification.kind === 'group.new_case' || notification.kind === 'group.case_update')
    return groupPost(t, locale, c, notification.chatId);
  if (notification.kind === 'group.urgent_unclaimed') {
    const open = c.status === 'submitted' && c.assignee === null;
    return {
      text: t('notify:group.urgent_unclaimed', {
        number: c.number,
        service: t(`services:${c.serviceCode}.name`),
      }),
      keyboard: open ? takeInGroup(t, c) : null,
    };
  }
  if (notification.kind.startsWith('resident.'))
    return residentNotification(t, locale, notification.kind, c, notification.note);
  return staffNotification(t, locale, notification.kind, c);
}

/** Renders and sends: a new message, or an edit of a group post. */
export function createNotificationSender(
  api: Api,
  translator: Translator,
  defaultLocale: Locale,
): NotificationSender {
  return async (notification) => {
    const rendered = renderNotification(translator, defaultLocale, notification);
    if (!rendered) return { kind: 'failed', reason: `nothing to say for ${notification.kind}` };
    const chatId = Number(notification.chatId);
    const reply_markup = rendered.keyboard ?? undefined;
    try {
      if (notification.editMessageId !== null) {
        await api.editMessageText(chatId, notification.editMessageId, rendered.text, {
          reply_markup: reply_markup ?? { inline_keyboard: [] },
        });
        return { kind: 'sent', messageId: notification.editMessageId };
      }
      const message = await api.sendMessage(chatId, rendered.text, { reply_markup });
      return { kind: 'sent', messageId: typeof message?.message_id === 'number' ? message.message_id : null };
    } catch (err) {
      // The post already reads so: as good as sent.
      if (isNotModified(err)) return { kind: 'sent', messageId: notification.editMessageId };
      // A notification about one's own case is tried again after a time-out (the outbox has no "uncertain").
      return classifyTelegramError(err, 'retry');
    }
  };
}
