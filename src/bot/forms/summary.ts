// The summary at the end of a form: the answers (or the form's own summary, types.ts `SummaryHook`),
// confirm / change / cancel, and "which answer to change?". The rules it keeps: the top of ./engine.ts.
import { changeKeyboard, parseFormCallback, summaryKeyboard, truncate } from './keyboards.ts';
import type { FormSession } from './session.ts';

const SUMMARY_LABEL_MAX = 300;

/** What the resident chose: confirm, cancel, a step to change; or what the form's own summary asked for. */
export type SummaryChoice =
  | { kind: 'confirm' }
  | { kind: 'cancel' }
  | { kind: 'change'; index: number }
  /** The form's summary: ask this step again / it ended the form / show the summary again. */
  | { kind: 'ask'; index: number }
  | { kind: 'end' }
  | { kind: 'again' };

/** The engine's own summary: one line per visible answer. */
function engineSummary(s: FormSession): string {
  const lines = s.spec.steps
    .filter((_, i) => s.visible(i))
    .map((step) =>
      s.t('form:summary_line', {
        field: s.t(`${s.spec.keys}fields.${step.id}`),
        answer: truncate(s.answers[step.id]?.label ?? '—', SUMMARY_LABEL_MAX),
      }),
    );
  return `${s.t('form:summary_title')}\n${lines.join('\n')}`;
}

export async function summary(s: FormSession): Promise<SummaryChoice> {
  const { t, spec } = s;
  const hook = typeof spec.summary === 'object' ? spec.summary : undefined;
  const view = hook ? await hook.render(s.ctx, s.answers) : { text: engineSummary(s) };
  if ('ask' in view) return { kind: 'ask', index: spec.steps.findIndex((step) => step.id === view.ask) };
  if ('end' in view) return { kind: 'end' };
  const labels = {
    confirm: view.confirm === undefined ? t('form:confirm') : view.confirm,
    change: view.change ?? t('form:edit'),
    cancel: view.cancel ?? t('form:cancel'),
  };
  let seq = s.nextSeq();
  let choosingField = false;
  const send = async () => {
    choosingField = false;
    await s.ctx.reply(view.text, { reply_markup: summaryKeyboard(seq, labels) });
  };
  await send();
  for (;;) {
    const u = await s.next(send);
    const cb = u.callbackQuery ? parseFormCallback(u.callbackQuery.data) : null;
    if (!u.callbackQuery) return s.useButtons(u);
    if (!cb || cb.seq !== seq) return s.stale(u);
    const ends = (cb.action === 'confirm' && labels.confirm !== null) || cb.action === 'cancel';
    if (!choosingField && ends) {
      await u.answerCallbackQuery();
      await u.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
      if (cb.action === 'cancel') return { kind: 'cancel' };
      const confirmed = hook?.confirm ? await hook.confirm(u, s.answers) : 'done';
      return { kind: confirmed === 'done' ? 'confirm' : 'again' };
    }
    if (!choosingField && cb.action === 'change') {
      await u.answerCallbackQuery();
      seq = s.nextSeq();
      choosingField = true;
      const fields = spec.steps
        .map((step, index) => ({ step, index }))
        .filter(({ step, index }) => s.visible(index) && step.editable !== false)
        .map(({ step, index }) => ({ label: t(`${spec.keys}fields.${step.id}`), index }));
      await u.reply(view.which ?? t('form:edit_which'), { reply_markup: changeKeyboard(seq, fields) });
      continue;
    }
    const field = spec.steps[cb.n];
    if (choosingField && cb.action === 'edit' && field && s.visible(cb.n) && field.editable !== false) {
      await u.answerCallbackQuery();
      return { kind: 'change', index: cb.n };
    }
    return s.stale(u);
  }
}
