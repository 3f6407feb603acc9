// Filing a request for a resident (src/app/filing.ts decides who may, files through the bot's own use case;
// src/app/filing-form.ts reads the catalogue's form):
//   GET  /file                                  find the resident: their ID number
//   POST /file                                  who that number finds (a POST: the number stays out of URLs)
//   GET  /residents/:residentId/file            choose the service
//   GET  /residents/:residentId/file/:service   the service's form, generated from its definition
//   POST /residents/:residentId/file/:service   action=continue: the form again, with the steps an answer
//                                               opens; action=review: the summary to confirm (or the form
//                                               with what is wrong next to each field); action=change: back
//                                               to the form; action=file: filed, → the slip
//   GET  /slips/:caseId                         the slip to print for the resident
// Without JavaScript every step is a plain form post; with it, htmx (hx-boost) swaps the page in place.
import type { Context } from 'hono';
import type { FilingService } from '../../app/filing.ts';
import type { RawForm } from '../../app/filing-form.ts';
import type { ConsoleRoutes, Env } from './app.tsx';
import {
  ACTIONS,
  ConfirmPage,
  DOC,
  FormPage,
  type FormState,
  HOUSEHOLD_OK,
  KEY,
  valuesOf,
  words,
} from './filing-form-page.tsx';
import { ChooseServicePage, FindPage, SlipPage } from './filing-pages.tsx';
import { ErrorPage } from './pages.tsx';

/** The form's fields as posted (several values of one name kept as a list). */
async function rawOf(c: Context<Env>): Promise<RawForm> {
  const body = await c.req.parseBody({ all: true });
  const raw: RawForm = {};
  for (const [name, value] of Object.entries(body)) {
    const list = (Array.isArray(value) ? value : [value]).filter((x): x is string => typeof x === 'string');
    raw[name] = list.length === 1 ? list[0] : list;
  }
  return raw;
}

export function registerFiling(routes: ConsoleRoutes, filing: FilingService, wake?: () => void) {
  const { app, page } = routes;
  const me = (c: Context<Env>) => c.get('user').telegramId;

  /** Filing is for department staff and community workers: anyone else is told so (the use case audits it). */
  const notForYou = (c: Context<Env>) => {
    const v = c.get('v');
    const title = v.t('console:errors.forbidden_title');
    return page(c, <ErrorPage v={v} title={title} text={v.t('console:filing.not_for_you')} />, 403);
  };

  app.get('/file', async (c) => {
    if (!(await filing.role(me(c)))) return notForYou(c);
    return page(c, <FindPage v={c.get('v')} found={null} error={null} />);
  });

  app.post('/file', async (c) => {
    const body = await c.req.parseBody();
    const found = await filing.findByIdNumber(me(c), typeof body.id === 'string' ? body.id : '');
    if (!found.ok && found.error === 'not_allowed') return notForYou(c);
    if (!found.ok) return page(c, <FindPage v={c.get('v')} found={null} error={found.error} />, 422);
    return page(c, <FindPage v={c.get('v')} found={found.value} error={null} />);
  });

  app.get('/residents/:residentId/file', async (c) => {
    const r = await filing.resident(me(c), c.req.param('residentId'));
    if (!r.ok) return routes.notFound(c);
    return page(c, <ChooseServicePage v={c.get('v')} r={r.value} services={filing.services()} />);
  });

  const formState = async (c: Context<Env>, raw: RawForm, required: boolean) => {
    const v = c.get('v');
    const code = c.req.param('serviceCode') ?? '';
    const service = filing.services().find((s) => s.code === code);
    if (!service) return null;
    const r = await filing.form(
      me(c),
      c.req.param('residentId') ?? '',
      code,
      raw,
      words(v, service),
      required,
    );
    return r.ok ? { r: r.value.resident, service: r.value.service, form: r.value.form } : null;
  };

  app.get('/residents/:residentId/file/:serviceCode', async (c) => {
    const got = await formState(c, {}, false);
    if (!got) return routes.notFound(c);
    const s = { ...got, raw: {}, key: filing.newFormKey(), problem: null };
    return page(c, <FormPage v={c.get('v')} s={s} />);
  });

  app.post('/residents/:residentId/file/:serviceCode', async (c) => {
    const v = c.get('v');
    const raw = await rawOf(c);
    const action = ACTIONS.find((a) => a === raw.action) ?? 'continue';
    const key = typeof raw[KEY] === 'string' ? raw[KEY] : filing.newFormKey();
    if (action === 'file') {
      const code = c.req.param('serviceCode');
      const service = filing.services().find((s) => s.code === code);
      if (!service) return routes.notFound(c);
      const docs = valuesOf(raw, DOC);
      const known = docs.filter((d) => service.documents.includes(d));
      const note =
        known.length > 0
          ? v.t('console:filing.documents_note', {
              documents: known
                .map((d) => v.t(`services:${code}.documents.${d}`))
                .join(v.t('form:list_separator')),
            })
          : null;
      const filed = await filing.file(
        me(c),
        c.req.param('residentId'),
        code,
        raw,
        words(v, service),
        { householdConfirmed: raw[HOUSEHOLD_OK] === '1', documentsSeen: docs, note },
        key,
      );
      if (filed.ok) {
        // The resident on Telegram has a message waiting ("filed for you").
        wake?.();
        return c.redirect(`/slips/${filed.value.caseId}`, 303);
      }
      if (filed.error === 'not_found') return routes.notFound(c);
      const got = await formState(c, raw, true);
      if (!got) return routes.notFound(c);
      const problem =
        filed.error.kind === 'refused'
          ? v.t([`console:filing.refused.${filed.error.error}`, 'console:filing.refused.invalid'])
          : v.t(`console:filing.problems.${filed.error.kind}`);
      return page(c, <FormPage v={v} s={{ ...got, raw, key, problem }} />, 422);
    }
    const got = await formState(c, raw, action === 'review');
    if (!got) return routes.notFound(c);
    const s: FormState = { ...got, raw, key, problem: null };
    if (action === 'review') {
      const householdMissing = got.service.needsHousehold === 'confirm_alone' && raw[HOUSEHOLD_OK] !== '1';
      const noMembers = got.service.needsHousehold === 'members' && got.r.members.length === 0;
      if (got.form.complete && !householdMissing && !noMembers) return page(c, <ConfirmPage v={v} s={s} />);
      const problem = noMembers
        ? v.t('console:filing.problems.no_members')
        : householdMissing && got.form.complete
          ? v.t('console:filing.problems.household_not_confirmed')
          : got.form.stopped
            ? null
            : v.t('console:filing.problems.form');
      return page(c, <FormPage v={v} s={{ ...s, problem }} />, 422);
    }
    return page(c, <FormPage v={v} s={s} />);
  });

  app.get('/slips/:caseId', async (c) => {
    const slip = await filing.slip(me(c), c.req.param('caseId'));
    if (!slip.ok) return routes.notFound(c);
    return page(c, <SlipPage v={c.get('v')} slip={slip.value} now={routes.now()} />);
  });
}
