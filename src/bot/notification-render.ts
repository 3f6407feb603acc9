// The Telegram side of the notification outbox: each kind of notification in words (the recipient's language; a
// department group gets the default one) with its buttons, and one Bot API call to send it, whose failure is
// turned into an outcome the dispatcher acts on. Group posts carry no personal data: service, number, due.
// A staff member's voice message or photo goes out as such (sendVoice / sendPhoto), the usual words as its
// caption; Telegram's failures are read the one way (telegram-outcome.ts) whatever was sent.
import { type Api, InlineKeyboard } from 'grammy';
import { INVITE_USED_KIND } from '../app/admin.ts';
import { FILED_FOR_YOU_KIND } from '../app/cases.ts';
import type { NotificationSender, SendOutcome } from '../app/jobs/notification-dispatcher.ts';
import type {
  JoinedMember,
  NotificationCase,
  NotificationFile,
  PreparedNotification,
} from '../app/notification-content.ts';
import { URGENT_RECEIVED_KIND, URGENT_UNREACHED_KIND } from '../app/urgent-alerts.ts';
import type { Locale } from '../config.ts';
import { MEDICAL_GREEN_CHANNEL } from '../domain/catalogue/rules.ts';
import { groupButtons, jobButtons, myCaseButtons, queueButton, staffButtons } from './buttons.ts';
import { localeName } from './context.ts';
import { compactTime } from './format-time.ts';
import { plainName } from './forms/aside.ts';
import { resolveLocale, type TFunction, type Translator } from './i18n.ts';
import { classifyTelegramError, isNotModified } from './telegram-outcome.ts';

/** Telegram's longest caption of a voice message or a photo. */
const CAPTION_MAX = 1024;

const caption = (text: string) => (text.length > CAPTION_MAX ? `${text.slice(0, CAPTION_MAX - 1)}…` : text);

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
  /** Jobs recommended on a job seeker's case (src/app/job-offers.ts): the button opens the list. */
  'resident.jobs_recommended',
] as const;
const STAFF_KINDS = [
  'staff.urgent_case',
  'staff.urgent_unclaimed',
  'staff.info_answered',
  'staff.case_withdrawn',
  'staff.case_rated',
  'staff.case_reopened',
  'staff.case_addition',
  'staff.documents_added',
  /** The resident is interested in one of the jobs recommended (payload `position`). */
  'staff.job_interest',
] as const;
/** About a registration, after the window's ID-card check (src/app/registration-conflicts.ts): no case. */
const REGISTRATION_KINDS = [
  'registration.ended',
  'registration.confirmed',
  'registration.not_confirmed',
] as const;
export const KNOWN_NOTIFICATION_KINDS = [
  ...RESIDENT_KINDS,
  FILED_FOR_YOU_KIND,
  ...STAFF_KINDS,
  ...REGISTRATION_KINDS,
  'staff.digest',
  'group.new_case',
  'group.case_update',
  'group.urgent_unclaimed',
  URGENT_RECEIVED_KIND,
  URGENT_UNREACHED_KIND,
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
  file: NotificationFile | null,
  fileRefused: boolean,
): RenderedNotification {
  const key = has(RESIDENT_KINDS, kind) ? kind.slice('resident.'.length) : 'other';
  const lines = [
    t(`notify:resident.${key}.title`, { department: localeName(locale, c.department) }),
    caseLine(t, c),
  ];
  if (note && key !== 'case_taken' && key !== 'transferred' && key !== 'other')
    lines.push(t(`notify:resident.${key}.note`, { note }));
  // The caption sits under the voice message or picture: point up to it (or say it could not come).
  if (file) lines.push(t(fileRefused ? `media:notify.${file.kind}_refused` : `media:notify.${file.kind}`));
  lines.push('', t(`notify:resident.${key}.hint`));
  const kb = new InlineKeyboard();
  const caseId = c.id;
  if (key === 'info_requested')
    kb.text(t('notify:buttons.answer'), myCaseButtons.answer.pack({ caseId })).row();
  if (key === 'jobs_recommended') kb.text(t('jobs:list_button'), jobButtons.list.pack({ caseId })).row();
  if (key === 'resolved') {
    kb.text(t('notify:buttons.rate'), myCaseButtons.rate.pack({ caseId })).row();
    // The hint says "within 7 days you can ask for it to be done again": this is how.
    kb.text(t('inbound:buttons.reopen'), myCaseButtons.reopen.pack({ caseId })).row();
  }
  kb.text(t('notify:buttons.open_mine'), myCaseButtons.open.pack({ caseId }));
  return { text: lines.join('\n'), keyboard: kb };
}

/** A case a clerk at the window or a community worker filed for the resident: who, what, the number. */
function filedForYou(
  t: TFunction,
  c: NotificationCase,
  notification: PreparedNotification,
): RenderedNotification {
  const via = notification.payload.via === 'window' ? 'window' : 'proxy';
  const text = t(`notify:resident.filed_for_you.${via}`, {
    name: notification.member?.displayName ?? '',
    service: plainName(t(`services:${c.serviceCode}.name`)),
    number: c.number,
  });
  const kb = new InlineKeyboard().text(
    t('notify:buttons.open_mine'),
    myCaseButtons.open.pack({ caseId: c.id }),
  );
  return { text, keyboard: kb };
}

/**
 * Who has the resident's urgent case (src/app/urgent-alerts.ts): the staff on duty received it, or nobody
 * could be reached yet and what to do meanwhile — with the hospital card a tap away.
 */
function urgentAlertNotice(
  t: TFunction,
  outcome: 'received' | 'unreached',
  c: NotificationCase,
): RenderedNotification {
  const text = t(
    [`services:${c.serviceCode}.alert.${outcome}`, `services:medical_green_channel.alert.${outcome}`],
    {
      number: c.number,
    },
  );
  const kb = new InlineKeyboard();
  const caseId = c.id;
  if (c.serviceCode === MEDICAL_GREEN_CHANNEL)
    kb.text(t('services:medical_green_channel.card.button'), myCaseButtons.card.pack({ caseId })).row();
  kb.text(t('notify:buttons.open_mine'), myCaseButtons.open.pack({ caseId }));
  return { text, keyboard: kb };
}

function staffNotification(
  t: TFunction,
  _locale: Locale,
  kind: string,
  c: NotificationCase,
  payload: Record<string, unknown> = {},
): RenderedNotification {
  const key = has(STAFF_KINDS, kind) ? kind.slice('staff.'.length) : 'other';
  const text = t(`notify:staff.${key}`, {
    position: typeof payload.position === 'number' ? payload.position : '?',
    number: c.number,
    service: t(`services:${c.serviceCode}.name`),
    due: compactTime(c.dueAt, t),
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
  if (numbers.length > 0)
    lines.push(t('notify:digest.numbers', { numbers: numbers.join(t('form:list_separator')) }));
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
  _locale: Locale,
  c: NotificationCase,
  chatId: bigint,
): RenderedNotification {
  const vars = {
    number: c.number,
    service: t(`services:${c.serviceCode}.name`),
    due: compactTime(c.dueAt, t),
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

/**
 * The notification in words. `fileRefused`: Telegram would not take the voice message or photo that goes
 * with it, so the words go alone and say so.
 */
export function renderNotification(
  translator: Translator,
  defaultLocale: Locale,
  notification: PreparedNotification,
  fileRefused = false,
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
  if (notification.kind === URGENT_RECEIVED_KIND || notification.kind === URGENT_UNREACHED_KIND)
    return urgentAlertNotice(t, notification.kind === URGENT_RECEIVED_KIND ? 'received' : 'unreached', c);
  if (notification.kind === FILED_FOR_YOU_KIND) return filedForYou(t, c, notification);
  if (notification.kind.startsWith('resident.'))
    return residentNotification(
      t,
      locale,
      notification.kind,
      c,
      notification.note,
      notification.file ?? null,
      fileRefused,
    );
  return staffNotification(t, locale, notification.kind, c, notification.payload);
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
      const file = notification.file;
      const options = { caption: caption(rendered.text), reply_markup };
      const message =
        file?.kind === 'voice'
          ? await api.sendVoice(chatId, file.fileId, options)
          : file?.kind === 'photo'
            ? await api.sendPhoto(chatId, file.fileId, options)
            : await api.sendMessage(chatId, rendered.text, { reply_markup });
      return { kind: 'sent', messageId: typeof message?.message_id === 'number' ? message.message_id : null };
    } catch (err) {
      // The post already reads so: as good as sent.
      if (isNotModified(err)) return { kind: 'sent', messageId: notification.editMessageId };
      // A notification about one's own case is tried again after a time-out (the outbox has no "uncertain").
      const outcome = classifyTelegramError(err, 'retry');
      // Telegram refused the file itself (e.g. a file id it no longer knows): the words still go.
      if (outcome.kind === 'failed' && notification.file) return sendWithoutFile(notification);
      return outcome;
    }
  };

  async function sendWithoutFile(notification: PreparedNotification): Promise<SendOutcome> {
    const rendered = renderNotification(translator, defaultLocale, notification, true);
    if (!rendered) return { kind: 'failed', reason: `nothing to say for ${notification.kind}` };
    try {
      const message = await api.sendMessage(Number(notification.chatId), rendered.text, {
        reply_markup: rendered.keyboard ?? undefined,
      });
      return { kind: 'sent', messageId: typeof message?.message_id === 'number' ? message.message_id : null };
    } catch (err) {
      return classifyTelegramError(err, 'retry');
    }
  }
}
