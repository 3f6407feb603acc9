// A case's stored answers put into words in the reader's language (the staff member's, not the resident's):
// options, sums, schools and hospitals, people are rebuilt from the stored values with the catalogue's
// locale keys; free text stays as the resident typed it.
import type { CardAnswer, CardPerson } from '../app/staff.ts';
import type { Locale } from '../config.ts';
import { voiceDuration } from '../domain/file-size.ts';
import { localeName } from './context.ts';
import type { TFunction } from './i18n.ts';

/** A sum in yuan: "1500 元" in Chinese, "¥1,500" in English. */
export function moneyLabel(t: TFunction, locale: Locale, yuan: number): string {
  const amount = locale === 'en' ? yuan.toLocaleString('en-US') : String(yuan);
  return t('answers:money', { amount });
}

/** "王小明（儿子，9岁）" / "Wang Xiaoming (son, 9)". */
export function personWords(t: TFunction, p: CardPerson): string {
  return t('answers:person', {
    name: p.name,
    relation: t(p.relation === 'self' ? 'answers:self' : `common:relation.${p.relation}`),
    age: p.age,
  });
}

/** One answer of the card in the reader's words. */
export function answerWords(t: TFunction, locale: Locale, serviceCode: string, a: CardAnswer): string {
  const option = (value: string) =>
    t(`services:${serviceCode}.steps.${a.stepId}.options.${value}`, { defaultValue: a.label });
  switch (a.kind) {
    case 'choice':
      // A multiple choice: each option in the reader's words.
      return a.value === null ? a.label : a.value.split(',').map(option).join(t('form:list_separator'));
    case 'reference':
      if (a.place) return localeName(locale, a.place);
      return a.value === null ? a.label : option(a.value);
    case 'person':
      return a.person ? personWords(t, a.person) : a.label;
    case 'money':
      if (a.voiceSeconds !== undefined)
        return t('form:voice_label', { duration: voiceDuration(a.voiceSeconds) });
      return a.value !== null && /^\d{1,12}$/.test(a.value)
        ? moneyLabel(t, locale, Number(a.value))
        : a.label;
    case 'text':
      if (a.voiceSeconds !== undefined) {
        // The voice in the reader's words, with the words that came with it (a caption) as typed.
        const voice = t('form:voice_label', { duration: voiceDuration(a.voiceSeconds) });
        return a.value ? `${voice} ${a.value}` : voice;
      }
      return a.value ?? a.label;
    case 'files':
      return a.files > 0 ? t('form:files_label', { count: a.files }) : '—';
    default:
      return a.label;
  }
}
