// "📎 Add documents" on an open case: photos and documents (albums welcome) until "done", then they go on
// the case as one event with attachments, and its staff member is told (src/app/inbound.ts). Whether the
// case still takes documents is checked before the button opens this (features/cases.ts) and again when
// they are handed in.
import { MAX_ADDITION_FILES } from '../../app/inbound.ts';
import type { BotConversation, BotDeps, FormContext } from '../context.ts';
import { runWholeForm } from '../forms/engine.ts';
import { conversationLocale } from './locale.ts';

export const CASE_DOCUMENTS = 'case_documents';

export async function caseDocuments(
  conversation: BotConversation,
  ctx: FormContext,
  deps: BotDeps,
  caseId: string,
): Promise<void> {
  const { t, locale } = await conversationLocale(conversation, deps.translator);
  const view = await conversation.external((outer) =>
    outer.from ? outer.deps.cases.getMine(outer.from.id, caseId) : null,
  );
  if (!view?.ok) {
    await ctx.reply(t('mycases:not_found'));
    return;
  }
  if (!view.value.can.addDocuments) {
    await ctx.reply(t('inbound:refused.documents'));
    return;
  }
  await ctx.reply(
    t('inbound:documents.intro', {
      number: view.value.number,
      service: t(`services:${view.value.serviceCode}.name`),
    }),
  );
  const form = await runWholeForm(
    conversation,
    ctx,
    {
      keys: 'inbound:documents.',
      summary: false,
      steps: [
        {
          id: 'files',
          prompt: (tt) => tt('inbound:documents.prompt', { max: MAX_ADDITION_FILES }),
          files: { max: MAX_ADDITION_FILES },
          // "None after all" ends it without handing anything in.
          optional: () => true,
        },
      ],
    },
    t,
    locale,
  );
  if (form.status !== 'done') {
    await ctx.reply(t('form:cancelled'));
    return;
  }
  const files = form.answers.files?.files ?? [];
  if (files.length === 0) {
    await ctx.reply(t('inbound:documents.none'));
    return;
  }
  const result = await conversation.external((outer) =>
    outer.from ? outer.deps.inbound.addDocuments(outer.from.id, caseId, files) : null,
  );
  if (!result?.ok) {
    await ctx.reply(
      t(
        result?.error === 'not_allowed'
          ? 'inbound:refused.documents'
          : result?.error === 'invalid'
            ? 'inbound:failed'
            : 'mycases:not_found',
      ),
    );
    return;
  }
  await ctx.reply(
    t('inbound:documents.sent', {
      count: files.length,
      number: result.value.number,
      service: t(`services:${result.value.serviceCode}.name`),
    }),
  );
}
