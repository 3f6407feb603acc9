// An administrator adds a canned reply for a department: a short title (the button staff see), then the text.
import type { BotConversation, BotDeps, FormContext } from '../context.ts';
import { declareForm, waitInForm } from '../forms/aside.ts';
import type { TFunction } from '../i18n.ts';
import { conversationLocale } from './locale.ts';

export const CANNED_ADD = 'canned_add';
const TITLE_MAX = 40;
const TEXT_MAX = 2000;

async function askText(conversation: BotConversation, t: TFunction, max: number): Promise<string> {
  for (;;) {
    // A command or another button puts this form aside (forms/aside.ts).
    const u = await waitInForm(conversation, t);
    if (u.callbackQuery) {
      await u.answerCallbackQuery({ text: t('common:errors.stale_button') });
      continue;
    }
    const text = u.message?.text?.trim();
    if (!text || text.startsWith('/')) {
      await u.reply(t(text?.startsWith('/') ? 'form:command_in_form' : 'manage:canned.text_only'));
      continue;
    }
    if (text.length > max) {
      await u.reply(t('manage:canned.too_long', { max }));
      continue;
    }
    return text;
  }
}

export async function cannedReplyForm(
  conversation: BotConversation,
  ctx: FormContext,
  deps: BotDeps,
  departmentCode: string,
): Promise<void> {
  const { t } = await conversationLocale(conversation, deps.translator);
  declareForm(conversation, {
    form: CANNED_ADD,
    args: [departmentCode],
    name: t('aside:forms.canned_add'),
    wayBack: '/canned',
    keepDraft: false,
  });
  await ctx.reply(t('manage:canned.ask_title', { max: TITLE_MAX }));
  const title = await askText(conversation, t, TITLE_MAX);
  await ctx.reply(t('manage:canned.ask_text', { max: TEXT_MAX }));
  const text = await askText(conversation, t, TEXT_MAX);
  const saved = await conversation.external((outer) =>
    outer.deps.admin.addCannedReply(outer.from?.id ?? 0, departmentCode, { title, text }),
  );
  await ctx.reply(
    saved.ok
      ? t('manage:canned.added', { title })
      : t(saved.error === 'not_allowed' ? 'common:admin.not_allowed' : 'manage:canned.not_saved'),
  );
}
