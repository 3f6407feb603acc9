// A reference step of source `courses` in the chat form: the district's courses not started yet with a seat
// left, each listed in the question (dates, place, seats left) and offered as a button. With nothing to
// offer, the question is the step's `none` text (where else to turn) and its one button ends the form. A
// course that filled up or started while the resident was filling in is caught at submission
// (service-request.ts asks this step again).
import { beijingInstant } from '../../domain/beijing-time.ts';
import { seatsLeft } from '../../domain/course.ts';
import { localeName, nowOf } from '../context.ts';
import { spokenDay } from '../format-time.ts';
import type { FormStep } from '../forms/engine.ts';
import type { TFunction } from '../i18n.ts';

/** The one choice when no course is offered: it ends the form (`stopOn`). */
export const NO_COURSE = 'no_course';

export function courseFormStep(
  base: FormStep,
  key: string,
  env: { t: TFunction; districtCode: () => string },
): FormStep {
  return {
    ...base,
    columns: 1,
    stopOn: [NO_COURSE],
    prompt: (t, _a, _today, choices = []) => {
      if (choices.every((c) => c.value === NO_COURSE)) return t(`${key}.none`);
      return [t(`${key}.prompt`), ...choices.map((c) => c.detail ?? '')].filter(Boolean).join('\n');
    },
    choices: async (ctx, _a, locale) => {
      const now = nowOf(ctx);
      const list = await ctx.deps.reference.offeredCourses(env.districtCode());
      if (list.length === 0) return [{ value: NO_COURSE, label: env.t('services:course.none_button') }];
      const day = (iso: string) => spokenDay(beijingInstant(iso, 12), now, env.t, { relative: false });
      return list.map((c) => ({
        value: c.code,
        label: localeName(locale, c),
        detail: env.t('services:course.line', {
          name: localeName(locale, c),
          start: day(c.start),
          end: day(c.end),
          place: locale === 'en' ? c.placeEn : c.placeZh,
          seats: seatsLeft(c),
        }),
      }));
    },
  };
}
