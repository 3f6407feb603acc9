// i18next over locales/<lang>/<namespace>.json. zh-CN is the default and the fallback: a resident never
// sees a raw key or an English sentence in a Chinese chat because a string was missing.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';
import type { Locale } from '../config.ts';
import { DEFAULT_SERVICES_DIR, readServiceTexts } from '../domain/catalogue/load.ts';

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
  // The shipped services' texts live beside their definitions (reference/services/*.json).
  if (dir === LOCALES_DIR) {
    for (const { code, texts } of readServiceTexts(DEFAULT_SERVICES_DIR)) {
      for (const lang of LANGUAGES) {
        const tree = texts[lang];
        if (typeof tree !== 'object' || tree === null) continue;
        out[lang].services = { ...(out[lang].services ?? {}), [code]: tree };
      }
    }
  }
  return out;
}

export interface Translator {
  t(locale: Locale): TFunction;
  /**
   * A catalogue's texts (`services:<code>.…`, from its definition files), over what was there: a loaded or
   * reloaded catalogue speaks with its own words. Earlier versions first, the current ones last.
   */
  addServiceTexts(
    services: readonly { code: string; texts: Record<Locale, Record<string, unknown>> }[],
  ): void;
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
    addServiceTexts(services) {
      for (const s of services)
        for (const lang of LANGUAGES)
          instance.addResourceBundle(lang, 'services', { [s.code]: s.texts[lang] }, true, true);
      cache.clear();
    },
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

/** Small whole numbers (a step counter, a unit number): texts with only these are the same for everyone. */
const MEMO_MAX_NUMBER = 1000;
/** A bound on the texts kept per language (the keys times the small numbers they are used with). */
const MEMO_MAX_TEXTS = 20_000;

/** The memo key of a call, or undefined when its text must not be kept. */
function memoKey(key: unknown, rest: unknown[]): string | undefined {
  if (typeof key !== 'string') return undefined;
  if (rest.length === 0) return key;
  const options = rest[0];
  if (rest.length !== 1 || typeof options !== 'object' || options === null) return undefined;
  let out = key;
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= MEMO_MAX_NUMBER) {
      return undefined;
    }
    out += `\u0001${name}=${value as number}`;
  }
  return out;
}

/**
 * Remembers texts that are the same for everyone: those asked for without options, or with small whole
 * numbers only (a step counter, a unit number). A form is replayed from its first question at every answer
 * (@grammyjs/conversations), asking for the same prompts again each time, and i18next's lookup was a tenth
 * of the CPU per update in the form benchmark. Texts with any other option (names, masked IDs, amounts,
 * dates) are never kept, so nothing personal stays in this memory.
 */
function memoised(fixed: TFunction): TFunction {
  const texts = new Map<string, string>();
  const call = fixed as unknown as (...args: unknown[]) => unknown;
  const fn = (key: unknown, ...rest: unknown[]): unknown => {
    const memo = memoKey(key, rest);
    if (memo === undefined) return call(key, ...rest);
    let text = texts.get(memo);
    if (text === undefined) {
      const value = call(key, ...rest);
      if (typeof value !== 'string') return value;
      text = value;
      if (texts.size >= MEMO_MAX_TEXTS) texts.clear();
      texts.set(memo, text);
    }
    return text;
  };
  return fn as unknown as TFunction;
}

/**
 * The person's stored choice (/language, or the switch on the first greeting); otherwise the deployment's
 * language (DEFAULT_LOCALE). The Telegram app's language says little: the official apps have no Chinese
 * interface, so many Chinese residents run them in English.
 */
export function resolveLocale(stored: string | null | undefined, fallback: Locale): Locale {
  return stored === 'zh-CN' || stored === 'en' ? stored : fallback;
}
