// How the bot writes an instant for people: Beijing wall-clock time to the minute. 'short' is for cards and
// lists ("2026-11-24 18:00", "(Beijing)" added in English); 'labelled' says "Beijing time" in both
// languages, for the one place a resident is told a due time right after filing.
import type { Locale } from '../config.ts';
import { beijingMinute } from '../domain/beijing-time.ts';

export function beijingTime(
  at: string | Date,
  locale: Locale,
  style: 'short' | 'labelled' = 'short',
): string {
  const text = beijingMinute(typeof at === 'string' ? new Date(at) : at);
  if (style === 'labelled') return locale === 'zh-CN' ? `${text}（北京时间）` : `${text} (Beijing time)`;
  return locale === 'zh-CN' ? text : `${text} (Beijing)`;
}
