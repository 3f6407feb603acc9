// A human-resources staff member recommends jobs on a job seeker's case: one short form per job (employer,
// pay, place, contact; each checked, with the job shown back to confirm), then "add another", "send" or
// "don't send". The use case checks the staff member when the form starts and again when it sends.
import {
  JOB_FIELD_MAX,
  JOB_FIELDS,
  type Job,
  MAX_JOBS_PER_ANSWER,
  parseJobField,
} from '../../domain/employment.ts';
import { staffButtons } from '../buttons.ts';
import type { BotConversation, BotDeps, FormContext } from '../context.ts';
import { declareForm } from '../forms/aside.ts';
import { type Answers, type FormStep, runWholeForm } from '../forms/engine.ts';
import type { TFunction } from '../i18n.ts';
import { conversationLocale } from './locale.ts';

export const JOB_OFFERS = 'job_offers';

const value = (a: Answers, id: string) => a[id]?.value ?? '';

export function jobText(t: TFunction, position: number, job: Job): string {
  return t('jobs:job', { position, ...job });
}

function jobSteps(n: number): FormStep[] {
  return JOB_FIELDS.map((field) => ({
    id: field,
    prompt: (t) => t(`jobs:ask.${field}`, { n }),
    // Staff type these: a voice message would not reach the resident as words.
    text: (input) => {
      const r = parseJobField(field, input);
      return r.ok
        ? { ok: true, value: r.value, label: r.value }
        : { ok: false, error: r.error, params: { max: String(JOB_FIELD_MAX[field]) } };
    },
  }));
}

export async function jobOffersForm(
  conversation: BotConversation,
  ctx: FormContext,
  deps: BotDeps,
  caseId: string,
): Promise<void> {
  const { locale, t } = await conversationLocale(conversation, deps.translator);
  declareForm(conversation, {
    form: JOB_OFFERS,
    args: [caseId],
    name: t('jobs:write_button'),
    wayBack: '/queue',
    keepDraft: false,
  });
  const caseButton = () => ({
    inline_keyboard: [
      [{ text: t('staff:buttons.open_again'), callback_data: staffButtons.open.pack({ caseId }) }],
    ],
  });
  const may = await conversation.external((outer) =>
    outer.deps.jobOffers.mayRecommend(outer.from?.id ?? 0, caseId),
  );
  if (!may.ok) {
    await ctx.reply(t(`jobs:failed.${may.error}`));
    return;
  }
  await ctx.reply(t('jobs:intro', { number: may.value.number }));
  const jobs: Job[] = [];
  for (;;) {
    const n = jobs.length + 1;
    const form = await runWholeForm(
      conversation,
      ctx,
      {
        keys: 'jobs:',
        steps: jobSteps(n),
        summary: {
          async render(_c, a) {
            const job = Object.fromEntries(JOB_FIELDS.map((f) => [f, value(a, f)])) as unknown as Job;
            return { text: jobText(t, n, job), confirm: t('jobs:fields_next') };
          },
        },
      },
      t,
      locale,
    );
    if (form.status !== 'done') {
      await ctx.reply(t('jobs:cancelled'), { reply_markup: caseButton() });
      return;
    }
    jobs.push(Object.fromEntries(JOB_FIELDS.map((f) => [f, value(form.answers, f)])) as unknown as Job);
    const count = jobs.length;
    const next = await runWholeForm(
      conversation,
      ctx,
      {
        keys: 'jobs:',
        summary: false,
        steps: [
          {
            id: 'next',
            prompt: (tt) => tt('jobs:next.prompt', { count }),
            choices: () => [
              ...(count < MAX_JOBS_PER_ANSWER ? [{ value: 'another', label: t('jobs:next.another') }] : []),
              { value: 'send', label: t('jobs:next.send', { count }) },
              { value: 'cancel', label: t('jobs:next.cancel') },
            ],
            columns: 1,
          },
        ],
      },
      t,
      locale,
    );
    const choice = next.status === 'done' ? value(next.answers, 'next') : 'cancel';
    if (choice === 'another') continue;
    if (choice !== 'send') {
      await ctx.reply(t('jobs:cancelled'), { reply_markup: caseButton() });
      return;
    }
    const sent = await conversation.external((outer) =>
      outer.deps.jobOffers.recommend(outer.from?.id ?? 0, caseId, jobs),
    );
    await ctx.reply(
      sent.ok
        ? t('jobs:sent', { count: jobs.length, number: may.value.number })
        : t(`jobs:failed.${sent.error}`),
      { reply_markup: caseButton() },
    );
    return;
  }
}
