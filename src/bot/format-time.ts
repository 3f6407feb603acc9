// How the bot writes an instant for people, in the words of `time:*` (the dates and times of every message
// read the same way): "12月11日（星期五）下午6点" / "6 pm, Fri 11 Dec", "今天下午6点" / "6 pm today";
// a due time "…前" / "by …", an urgent one "2小时内" / "within 2 hours". Staff cards and lists use the
// compact form "12月11日 18:00" / "11 Dec 18:00". Everything is Beijing time; it is said ("北京时间") only
// where a reader could be elsewhere (`labelled`). The date logic is in src/domain/beijing-time.ts.
import { beijingDate, beijingMinute, hoursUntil, spokenTime } from '../domain/beijing-time.ts';
import type { TFunction } from './i18n.ts';

const toDate = (at: string | Date) => (typeof at === 'string' ? new Date(at) : at);

/** The time of day: "下午6点", "上午8点半", "6 pm", "8:30 am", "noon", "midnight". */
export function spokenClock(
  at: string | Date,
  now: Date,
  t: TFunction,
  opts: { part?: boolean } = {},
): string {
  const s = spokenTime(toDate(at), now);
  if (s.part === 'midnight') return t('time:clock.midnight');
  if (s.hour === 12 && s.minute === 0) return t('time:clock.noon');
  // Without the part of the day ("5点半" after "下午2点到"), where it was just said.
  const part = opts.part === false ? '' : t(`time:part.${s.part}`);
  const vars = { part, hour: s.hour12, minute: String(s.minute).padStart(2, '0') };
  if (s.minute === 0) return t('time:clock.whole', vars);
  if (s.minute === 30) return t('time:clock.half', vars);
  return t('time:clock.minutes', vars);
}

/** The day: "今天", "明天", "12月11日（星期五）", "2027年1月5日（星期二）" / "today", "Fri 11 Dec". */
export function spokenDay(
  at: string | Date,
  now: Date,
  t: TFunction,
  opts: { relative?: boolean } = {},
): string {
  const s = spokenTime(toDate(at), now);
  if (s.relative && opts.relative !== false)
    return t(s.relative === 'today' ? 'time:today' : 'time:tomorrow');
  const vars = {
    year: s.date.year,
    month: t(`time:month.${s.date.month}`),
    day: s.date.day,
    weekday: t(`time:weekday.${s.weekday}`),
  };
  return t(s.withYear ? 'time:date_year' : 'time:date', vars);
}

/** A birth date (YYYY-MM-DD) as people write it: "1984年1月1日" / "1 Jan 1984" (no weekday). */
export function birthDay(iso: string, t: TFunction): string {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  if (!year || !month || !day) return iso;
  return t('time:birth_date', { year, month: t(`time:month.${month}`), day });
}

/** Day and time: "12月11日（星期五）下午6点", "今天下午6点" / "6 pm, Fri 11 Dec", "6 pm today". */
export function spokenAt(at: string | Date, now: Date, t: TFunction): string {
  const s = spokenTime(toDate(at), now);
  return t(s.relative ? 'time:moment.relative' : 'time:moment.dated', {
    day: spokenDay(at, now, t),
    clock: spokenClock(at, now, t),
  });
}

/**
 * A due time: "12月11日（星期五）下午6点前" / "by 6 pm, Fri 11 Dec"; when urgent, the hours left:
 * "2小时内" / "within 2 hours".
 */
export function dueBy(at: string | Date, now: Date, t: TFunction, opts: { urgent?: boolean } = {}): string {
  if (opts.urgent) {
    const hours = hoursUntil(toDate(at), now);
    return hours === 1 ? t('time:within_hour') : t('time:within_hours', { hours });
  }
  return t('time:by', { when: spokenAt(at, now, t) });
}

/** Compact, for cards and lists: "12月11日 18:00" / "11 Dec 18:00" (with the year when not this year's). */
export function compactTime(at: string | Date, t: TFunction, now: Date = new Date()): string {
  const d = toDate(at);
  const date = beijingDate(d);
  const vars = {
    year: date.year,
    month: t(`time:month.${date.month}`),
    day: date.day,
    time: beijingMinute(d).slice(11),
  };
  return t(date.year === beijingDate(now).year ? 'time:compact' : 'time:compact_year', vars);
}

/** With "Beijing time" said, for a text that may be read far from Guizhou (a file a resident downloads). */
export function labelledTime(at: string | Date, t: TFunction, now: Date = new Date()): string {
  return t('time:labelled', { when: compactTime(at, t, now) });
}
