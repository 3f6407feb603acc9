// Where, when, whom to call, in the words of `contact:*`: a community service centre (address, window,
// opening hours by weekday, open now or when it opens next, phone), what to bring for a service (the
// catalogue's document checklists), and the citizens' hotline 12345. Pure text from plain data: the
// submission confirmation, /help and /contact all compose their answers here.
import type { CentreContact, CommunityContact } from '../app/reference.ts';
import type { Locale } from '../config.ts';
import { beijingInstant, spokenTime } from '../domain/beijing-time.ts';
import {
  type DayHours,
  minutesOf,
  WEEKDAYS,
  type WeekHours,
  weekStretches,
} from '../domain/opening-hours.ts';
import { localeName } from './context.ts';
import { spokenAt, spokenClock } from './format-time.ts';
import type { TFunction } from './i18n.ts';

/** Any Monday: a time of day is said the same on every day. */
const A_DAY = '2026-01-05';

/** "上午8点半" / "8:30 am" for an `HH:MM` time of the week's hours. */
function clockOf(hhmm: string, t: TFunction, opts: { part?: boolean } = {}): string {
  const at = beijingInstant(A_DAY, minutesOf(hhmm) / 60);
  return spokenClock(at, at, t, opts);
}

/** Chinese says the part of the day once in a range: "下午2点到5点半" (English keeps "2 pm–5:30 pm"). */
function rangeText(from: string, to: string, t: TFunction, locale: Locale): string {
  const samePart =
    spokenTime(beijingInstant(A_DAY, minutesOf(from) / 60), new Date(0)).part ===
    spokenTime(beijingInstant(A_DAY, minutesOf(to) / 60), new Date(0)).part;
  return t('contact:week.time_range', {
    from: clockOf(from, t),
    to: clockOf(to, t, { part: !(samePart && locale === 'zh-CN') }),
  });
}

function sessionsText(day: DayHours, t: TFunction, locale: Locale): string {
  const range = (from: string, to: string) => rangeText(from, to, t, locale);
  const parts = day.lunch
    ? [range(day.open, day.lunch.from), range(day.lunch.to, day.close)]
    : [range(day.open, day.close)];
  return parts.join(t('contact:week.sessions_sep'));
}

/** "周一到周五 上午8点半到中午12点，下午2点到5点半；周六 …；周日休息；节假日休息". */
export function weekHoursText(hours: WeekHours, t: TFunction, locale: Locale): string {
  const dayName = (d: (typeof WEEKDAYS)[number]) => t(`time:weekday_short.${WEEKDAYS.indexOf(d)}`);
  const parts = weekStretches(hours).map((s) => {
    const days =
      s.from === s.to
        ? dayName(s.from)
        : t('contact:week.day_range', { from: dayName(s.from), to: dayName(s.to) });
    return s.hours
      ? t('contact:week.open', { days, sessions: sessionsText(s.hours, t, locale) })
      : t('contact:week.closed', { days });
  });
  return [...parts, t('contact:week.holidays')].join(t('contact:week.sep'));
}

/** Open now (until when) or closed (why, and when it opens next), in one sentence. */
export function openingText(opening: CentreContact['opening'], now: Date, t: TFunction): string {
  if (opening.open) {
    return t(opening.lunch ? 'contact:opening.open_lunch' : 'contact:opening.open', {
      time: spokenClock(opening.until, now, t),
    });
  }
  if (!opening.nextOpen) return t('contact:opening.unknown');
  const sameDay = opening.why === 'lunch' || opening.why === 'not_yet';
  return t(`contact:opening.${opening.why}`, {
    time: sameDay ? spokenClock(opening.nextOpen, now, t) : spokenAt(opening.nextOpen, now, t),
  });
}

/** A centre: its name (and the window, when a service is meant), address, hours, open now, phone. */
export function centreText(
  centre: CentreContact,
  now: Date,
  t: TFunction,
  locale: Locale,
  opts: { window?: CommunityContact['window']; serves?: boolean } = {},
): string {
  const name = localeName(locale, centre);
  const lines = [
    opts.window
      ? t('contact:centre_window', {
          name,
          windowNo: opts.window.windowNo,
          department: localeName(locale, opts.window),
        })
      : t('contact:centre', { name }),
  ];
  if (opts.serves) {
    lines.push(
      t('contact:serves', {
        communities: centre.communities.map((c) => localeName(locale, c)).join(t('contact:list_sep')),
      }),
    );
  }
  lines.push(
    t('contact:address', { address: locale === 'zh-CN' ? centre.addressZh : centre.addressEn }),
    t('contact:hours', { hours: weekHoursText(centre.hours, t, locale) }),
    openingText(centre.opening, now, t),
    t('contact:phone', { phone: centre.phone }),
  );
  return lines.join('\n');
}

/** Where the resident's request is handled: the centre with the window, or the window alone. */
function whereText(contact: CommunityContact, now: Date, t: TFunction, locale: Locale): string {
  if (contact.centre) return centreText(contact.centre, now, t, locale, { window: contact.window });
  if (contact.window) {
    return t('contact:window_only', {
      windowNo: contact.window.windowNo,
      department: localeName(locale, contact.window),
    });
  }
  return t('contact:no_centre');
}

/**
 * The end of a submission's confirmation: what to bring (the service's document checklist, if it has one),
 * where (centre, window), when it is open, the phone.
 */
export function submissionContactText(
  input: { serviceCode: string; documents: readonly string[]; contact: CommunityContact | null },
  now: Date,
  t: TFunction,
  locale: Locale,
): string {
  const parts: string[] = [];
  if (input.documents.length > 0) {
    parts.push(
      [
        t('contact:bring_title'),
        ...input.documents.map((d) =>
          t('contact:bring_item', { document: t(`services:${input.serviceCode}.documents.${d}`) }),
        ),
      ].join('\n'),
    );
  }
  if (input.contact) parts.push(`${t('contact:where_title')}\n${whereText(input.contact, now, t, locale)}`);
  return parts.join('\n\n');
}

/** The resident's own centre (for /help and /contact), with the hotline. */
export function residentContactText(
  contact: CommunityContact,
  now: Date,
  t: TFunction,
  locale: Locale,
): string {
  const community = localeName(locale, contact.community);
  const where = contact.centre ? centreText(contact.centre, now, t, locale) : t('contact:no_centre');
  return [t('contact:your_community', { community }), where].join('\n');
}

/** Which window for what: "3号窗口：低保、困难救助" (the district's departments, by window number). */
export function windowsText(windows: CommunityContact['windows'], t: TFunction): string {
  if (windows.length === 0) return '';
  return [
    t('contact:windows_title'),
    ...windows.map((w) =>
      t('contact:window_line', { windowNo: w.windowNo, what: t(`contact:kind.${w.kind}`) }),
    ),
  ].join('\n');
}

/** Every centre, each with the communities it serves (someone not registered yet). */
export function allCentresText(
  centres: readonly CentreContact[],
  now: Date,
  t: TFunction,
  locale: Locale,
): string {
  return [
    t('contact:unregistered_intro'),
    ...centres.map((c) => centreText(c, now, t, locale, { serves: true })),
  ].join('\n\n');
}
