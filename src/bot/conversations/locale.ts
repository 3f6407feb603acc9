import type { Locale } from '../../config.ts';
import type { BotConversation } from '../context.ts';
import type { TFunction, Translator } from '../i18n.ts';

/**
 * The resident's language, read from the outer context once: the value is kept in the replay log, so a
 * replay after a restart speaks the same language. (A function cannot go through `external`: the
 * translator comes from the closure.)
 */
export async function conversationLocale(
  conversation: BotConversation,
  translator: Translator,
): Promise<{ locale: Locale; t: TFunction }> {
  const locale = await conversation.external((outer) => outer.locale);
  return { locale, t: translator.t(locale) };
}
