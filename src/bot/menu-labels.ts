// The residents' main menu as a keyboard: four large buttons under the message box (a reply keyboard, so
// they stay), whose labels arrive as plain text. What each one does is wired in features/main-menu.ts; here
// are only the labels, read once from the locale files, so that a label is recognised in either language
// wherever it arrives — also in the middle of a form, which it then puts aside (forms/aside.ts).
import type { ReplyKeyboardMarkup } from 'grammy/types';
import type { TFunction } from './i18n.ts';
import { LANGUAGES, readLocaleResources } from './i18n.ts';

export const MENU_ENTRIES = ['services', 'mycases', 'household', 'contact'] as const;
export type MenuEntry = (typeof MENU_ENTRIES)[number];

let labels: Map<string, MenuEntry> | undefined;

/** Every label of the main menu, in both languages. */
function labelMap(): Map<string, MenuEntry> {
  if (!labels) {
    const resources = readLocaleResources();
    labels = new Map();
    for (const lang of LANGUAGES) {
      const menu = (resources[lang].aside as { menu?: Record<string, string> } | undefined)?.menu ?? {};
      for (const entry of MENU_ENTRIES) {
        const label = menu[entry];
        if (label) labels.set(label, entry);
      }
    }
  }
  return labels;
}

/** The main-menu entry whose label this text is (in either language), if any. */
export function menuEntryOf(text: string | undefined): MenuEntry | undefined {
  return text === undefined ? undefined : labelMap().get(text.trim());
}

/** The main menu: four large buttons, two to a row, kept under the message box. */
export function mainMenuKeyboard(t: TFunction): ReplyKeyboardMarkup {
  return {
    keyboard: [
      [{ text: t('aside:menu.services') }, { text: t('aside:menu.mycases') }],
      [{ text: t('aside:menu.household') }, { text: t('aside:menu.contact') }],
    ],
    resize_keyboard: true,
    is_persistent: true,
  };
}
