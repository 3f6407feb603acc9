// Job recommendations (`jb:`, defined in ../buttons.ts): the staff card's "👷 recommend jobs" starts the form
// (conversations/job-offers.ts); the resident's notification opens the list, one message per job with
// "I'm interested" under it. Every press asks the use case (src/app/job-offers.ts), which checks the case.
import { Composer, InlineKeyboard } from 'grammy';
import type { StaffCard } from '../../app/staff.ts';
import { isJobSeekingService } from '../../domain/employment.ts';
import { jobButtons, onButton } from '../buttons.ts';
import type { BotContext } from '../context.ts';
import { JOB_OFFERS, jobText } from '../conversations/job-offers.ts';
import { backToMenu } from '../forms/engine.ts';

/**
 * What the staff card adds for a job seeker's case: the jobs recommended so far (and who is interested), and
 * the button that recommends more when the case is the reader's own and open.
 */
export async function jobsOnCard(
  ctx: BotContext,
  card: StaffCard,
): Promise<{ lines: string[]; button: [string, string] | null }> {
  if (!ctx.from || !isJobSeekingService(ctx.deps.catalogue.get(card.serviceCode)))
    return { lines: [], button: null };
  const jobs = await ctx.deps.jobOffers.jobsForStaff(ctx.from.id, card.id);
  const lines =
    jobs.ok && jobs.value.length > 0
      ? [
          '',
          ctx.t('jobs:staff_title', { count: jobs.value.length }),
          ...jobs.value.map((j) =>
            ctx.t('jobs:staff_line', {
              ...j,
              interest: j.interested ? ctx.t('jobs:staff_interested') : '',
            }),
          ),
        ]
      : [];
  const button: [string, string] | null = card.can.act
    ? [ctx.t('jobs:write_button'), jobButtons.write.pack({ caseId: card.id })]
    : null;
  return { lines, button };
}

/** "👷 See the jobs (n)" for the resident's own job-seeking case once jobs were recommended, else null. */
export async function jobsButtonFor(
  ctx: BotContext,
  c: { id: string; serviceCode: string },
): Promise<{ text: string; callback_data: string } | null> {
  if (!ctx.from || !isJobSeekingService(ctx.deps.catalogue.get(c.serviceCode))) return null;
  const list = await ctx.deps.jobOffers.jobsForResident(ctx.from.id, c.id);
  if (!list.ok || list.value.jobs.length === 0) return null;
  return {
    text: ctx.t('jobs:list_button_count', { count: list.value.jobs.length }),
    callback_data: jobButtons.list.pack({ caseId: c.id }),
  };
}

export function jobOffersFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const priv = composer.chatType('private');

  onButton(priv, jobButtons.write, async (ctx, { caseId }) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter(JOB_OFFERS, caseId);
  });

  onButton(priv, jobButtons.list, async (ctx, { caseId }) => {
    const list = await ctx.deps.jobOffers.jobsForResident(ctx.from.id, caseId);
    if (!list.ok) {
      await ctx.answerCallbackQuery({ text: ctx.t('jobs:not_found'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    const { jobs, number } = list.value;
    if (jobs.length === 0) {
      await ctx.reply(ctx.t('jobs:none'), { reply_markup: backToMenu(ctx.t) });
      return;
    }
    await ctx.reply(ctx.t('jobs:list_title', { number, count: jobs.length }));
    for (const j of jobs) {
      const text = jobText(ctx.t, j.position, j) + (j.interested ? ctx.t('jobs:interested_mark') : '');
      await ctx.reply(text, {
        reply_markup: j.interested
          ? undefined
          : new InlineKeyboard().text(
              ctx.t('jobs:interested_button'),
              jobButtons.interested.pack({ jobId: j.id }),
            ),
      });
    }
    await ctx.reply(ctx.t('jobs:list_hint'), { reply_markup: backToMenu(ctx.t) });
  });

  onButton(priv, jobButtons.interested, async (ctx, { jobId }) => {
    const r = await ctx.deps.jobOffers.interested(ctx.from.id, jobId);
    if (!r.ok) {
      const key = r.error === 'not_allowed' ? 'jobs:closed' : 'jobs:not_found';
      await ctx.answerCallbackQuery({ text: ctx.t(key), show_alert: true });
      return;
    }
    if (r.value.again) {
      await ctx.answerCallbackQuery({ text: ctx.t('jobs:again'), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    const { job } = r.value;
    await ctx
      .editMessageText(jobText(ctx.t, job.position, job) + ctx.t('jobs:interested_mark'), {
        reply_markup: { inline_keyboard: [] },
      })
      .catch(() => undefined);
    await ctx.reply(ctx.t('jobs:interested', { position: job.position, employer: job.employer }), {
      reply_markup: backToMenu(ctx.t),
    });
  });

  return composer;
}
