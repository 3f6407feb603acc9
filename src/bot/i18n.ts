// i18next over locales/<lang>/<namespace>.json. zh-CN is the default and the fallback: a resident never
// sees a raw key or an English sentence in a Chinese chat because a string was missing.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';
import type { Locale } from '../config.ts';

export type { TFunction };

export const LOCALES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../locales');
export const LANGUAGES: readonly Locale[] = ['zh-CN', 'en'];

export type Resources = Record<string, Record<string, unknown>>;

export function readLocaleResources(dir = LOCALES_DIR): Record<Locale, Resources> {
  const out = {} as Record<Locale, Resources>;
  for (const lang of LANGUAGES) {
    const nsFiles = readdirSync(path.join(dir, lang)).filter((f) => f.endsWith('.json'));
    out[lang] = Object.fromEntries(
      nsFiles.map((f) => [
        path.basename(f, '.json'),
        JSON.parse(readFileSync(path.join(dir, lang, f), 'utf8')),
      ]),
    );
  }
  return out;
}

export interface Translator {
  t(locale: Locale): TFunction;
}

/** `extra` adds or overrides namespaces (a service that exists only in a test brings its own texts). */
export function createTranslator(extra: Partial<Record<Locale, Resources>> = {}): Translator {
  const resources = readLocaleResources();
  for (const lang of LANGUAGES) {
    for (const [ns, tree] of Object.entries(extra[lang] ?? {})) {
      resources[lang][ns] = { ...(resources[lang][ns] ?? {}), ...tree };
    }
  }
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    lng: 'zh-CN',
    fallbackLng: 'zh-CN',
    supportedLngs: [...LANGUAGES],
    ns: Object.keys(resources['zh-CN']),
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  const cache = new Map<Locale, TFunction>();
  return {
    t(locale) {
      let fn = cache.get(locale);
      if (!fn) {
        fn = memoised(instance.getFixedT(locale));
        cache.set(locale, fn);
      }
      return fn;
    },
  };
}

/**
 * Remembers the texts asked for without options (no interpolation, so the same for everyone): a form is
 * replayed from its first question at every answer (@grammyjs/conversations), asking for the same prompts
 * again each time, and i18next's lookup was a tenth of the CPU per update in the form benchmark. Texts with
 * options (names, numbers, masked IDs) are never kept.
 */
function memoised(fixed: TFunction): TFunction {
  const texts = new Map<string, string>();
  const call = fixed as unknown as (...args: unknown[]) => unknown;
  const fn = (key: unknown, ...rest: unknown[]): unknown => {
    if (rest.length === 0 && typeof key === 'string') {
      let text = texts.get(key);
      if (text === undefined) {
        const value = call(key);
        if (typeof value !== 'string') return value;
        text = value;
        texts.set(key, text);
      }
      return text;
    }
    return call(key, ...rest);
  };
  return fn as unknown as TFunction;
}

/** The resident's stored choice wins; then their Telegram language (any Chinese → zh-CN); then the default. */
export function resolveLocale(
  stored: string | null | undefined,
  languageCode: string | undefined,
  fallback: Locale,
): Locale {
  if (stored === 'zh-CN' || stored === 'en') return stored;
  if (!languageCode) return fallback;
  return languageCode.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}
