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
import type { FC } from 'hono/jsx';
import { REGISTERED_PHONE } from '../../app/cases.ts';
import type { FilingResident, FilingService, FoundResident, Slip } from '../../app/filing.ts';
import {
  type FormWords,
  fieldName,
  type RawForm,
  TYPED_PHONE,
  typedName,
  type WebField,
  type WebForm,
} from '../../app/filing-form.ts';
import { moneyLabel } from '../../bot/answer-words.ts';
import { centreText } from '../../bot/contact-render.ts';
import { localeName } from '../../bot/context.ts';
import { birthDay, dueBy } from '../../bot/format-time.ts';
import type { ServiceDefinition } from '../../domain/catalogue/index.ts';
import type { ConsoleRoutes, Env } from './app.tsx';
import { Csrf, ErrorPage, Layout, Notice, serviceName, type View, withoutEmoji } from './pages.tsx';

/** The window's own fields besides the service's steps. */
const KEY = 'key';
const HOUSEHOLD_OK = 'household_ok';
const DOC = 'doc';
const ACTIONS = ['continue', 'review', 'change', 'file'] as const;

const words = (v: View, service: ServiceDefinition): FormWords => ({
  option: (step, o) => withoutEmoji(v.t(`services:${service.code}.steps.${step.id}.options.${o}`)),
  money: (yuan) => moneyLabel(v.t, v.locale, yuan),
  place: (p) => localeName(v.locale, p),
  registeredPhone: (phone) => v.t('services:common.registered_phone', { phone }),
});

const errorText = (v: View, code: string, stepId: string, e: NonNullable<WebField['error']>) =>
  v.t(
    [
      `services:${code}.errors.${stepId}.${e.error}`,
      `services:errors.${e.error}`,
      `console:filing.errors.${e.error}`,
      'console:filing.errors.invalid',
    ],
    { ...e.params },
  );

const ResidentCard: FC<{ v: View; r: FilingResident }> = ({ v, r }) => {
  const { t } = v;
  return (
    <section class="resident-card" aria-label={t('console:filing.for_whom')}>
      <p>
        <strong>{r.name}</strong> · {t('console:case.id_number')} {r.idNumberMasked} ·{' '}
        {t('console:case.phone')} {r.phoneMasked}
      </p>
      <p class="muted">
        {t('console:case.address_value', {
          community: localeName(v.locale, r.community),
          building: v.locale === 'zh-CN' ? r.address.buildingZh : r.address.buildingEn,
          unit: r.address.unit,
          room: r.address.room,
        })}{' '}
        · {t(r.onTelegram ? 'console:filing.on_telegram' : 'console:filing.not_on_telegram')}
      </p>
    </section>
  );
};

const FindPage: FC<{ v: View; found: FoundResident[] | null; error: string | null }> = ({
  v,
  found,
  error,
}) => {
  const { t } = v;
  return (
    <Layout v={v} title={t('console:filing.find_title')}>
      <h1>{t('console:filing.find_title')}</h1>
      <form method="post" action="/file" class="search">
        <Csrf v={v} />
        <label for="id-number">{t('console:filing.id_label')}</label>
        <div class="bar">
          <input
            type="text"
            id="id-number"
            name="id"
            maxlength={64}
            autocomplete="off"
            spellcheck={false}
            aria-describedby="id-hint"
            required
          />
          <button type="submit" class="primary">
            {t('console:filing.find_button')}
          </button>
        </div>
        <p id="id-hint" class="muted">
          {t('console:filing.id_hint')}
        </p>
      </form>
      <Notice text={error ? t(`console:filing.find_errors.${error}`) : null} kind="error" />
      {found !== null && found.length === 0 ? (
        <p class="empty" role="status">
          {t('console:filing.nobody')}
        </p>
      ) : null}
      {found && found.length > 0 ? (
        <ul class="found">
          {found.map((r) => (
            <li>
              {r.name} · {r.idNumberMasked} · {localeName(v.locale, r.community)}
              {r.viaMember ? <span class="muted"> {t('console:filing.via_member')}</span> : null}{' '}
              <a href={`/residents/${r.id}/file`} class="button primary">
                {t('console:filing.file_for')}
                <span class="sr-only"> {r.name}</span>
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </Layout>
  );
};

const ChooseServicePage: FC<{ v: View; r: FilingResident; services: readonly ServiceDefinition[] }> = ({
  v,
  r,
  services,
}) => {
  const { t } = v;
  return (
    <Layout v={v} title={t('console:filing.choose_title')}>
      <h1>{t('console:filing.choose_title')}</h1>
      <ResidentCard v={v} r={r} />
      <ul class="services">
        {services.map((s) => (
          <li>
            <a href={`/residents/${r.id}/file/${s.code}`} class="button">
              {serviceName(t, s.code)}
            </a>
          </li>
        ))}
      </ul>
    </Layout>
  );
};

/** The values sent for a field, kept as hidden inputs (the confirmation carries the whole form). */
const Kept: FC<{ raw: RawForm; names: string[] }> = ({ raw, names }) => (
  <>
    {names.flatMap((name) => {
      const value = raw[name];
      const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
      return list.map((x) => <input type="hidden" name={name} value={x} />);
    })}
  </>
);

const Field: FC<{ v: View; service: ServiceDefinition; field: WebField }> = ({ v, service, field }) => {
  const { t } = v;
  const { step } = field;
  const key = `services:${service.code}.steps.${step.id}`;
  const name = fieldName(step.id);
  const id = `field-${step.id}`;
  const label = t(`services:${service.code}.fields.${step.id}`);
  const hint = (
    <p class="muted" id={`${id}-hint`}>
      {t(`${key}.prompt`)}
    </p>
  );
  const error = field.error ? (
    <p class="field-error" id={`${id}-error`} role="alert">
      {errorText(v, service.code, step.id, field.error)}
    </p>
  ) : null;
  const described = [`${id}-hint`, field.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const extra = (
    <>
      {field.warning ? (
        <p class="notice warn">{t(`${key}.warnings.${field.warning.message}`, field.warning.params)}</p>
      ) : null}
      {field.tell ? <p class="notice error">{t(`${key}.tell.${field.tell}`)}</p> : null}
    </>
  );
  const optional = step.optional ? <span class="muted"> {t('console:filing.optional')}</span> : null;
  if (step.kind === 'text' || step.kind === 'money') {
    const value = field.sent[0] ?? '';
    return (
      <div class={`field${field.error ? ' invalid' : ''}`}>
        <label for={id}>
          {label}
          {optional}
        </label>
        {hint}
        {step.kind === 'text' ? (
          <textarea id={id} name={name} rows={3} aria-describedby={described} aria-invalid={!!field.error}>
            {value}
          </textarea>
        ) : (
          <input
            type="text"
            inputmode="numeric"
            id={id}
            name={name}
            value={value}
            autocomplete="off"
            aria-describedby={described}
            aria-invalid={!!field.error}
          />
        )}
        {error}
      </div>
    );
  }
  if (step.kind === 'reference') {
    return (
      <div class={`field${field.error ? ' invalid' : ''}`}>
        <label for={id}>{label}</label>
        {hint}
        <select id={id} name={name} aria-describedby={described} aria-invalid={!!field.error}>
          <option value="">{t('console:filing.choose_one')}</option>
          {field.options.map((o) => (
            <option value={o.value} selected={field.sent.includes(o.value)}>
              {o.label}
            </option>
          ))}
        </select>
        {error}
      </div>
    );
  }
  if (step.kind === 'phone') {
    const typed = field.typed !== '' || field.sent[0] === TYPED_PHONE;
    return (
      <fieldset class={`field${field.error ? ' invalid' : ''}`} aria-describedby={described}>
        <legend>{label}</legend>
        {hint}
        <label class="option">
          <input type="radio" name={name} value={REGISTERED_PHONE} checked={!typed} />{' '}
          {field.options[0]?.label}
        </label>
        <label class="option">
          <input type="radio" name={name} value={TYPED_PHONE} checked={typed} />{' '}
          {t('console:filing.other_phone')}
        </label>
        <label for={`${id}-typed`} class="sr-only">
          {t('console:filing.other_phone')}
        </label>
        <input
          type="tel"
          id={`${id}-typed`}
          name={typedName(step.id)}
          value={field.typed}
          autocomplete="off"
          aria-invalid={!!field.error}
        />
        {error}
      </fieldset>
    );
  }
  // choice and person: one (radios) or several (checkboxes)
  const many = step.kind !== 'files' && 'multiple' in step && step.multiple !== undefined;
  return (
    <fieldset class={`field${field.error ? ' invalid' : ''}`} aria-describedby={described}>
      <legend>
        {label}
        {optional}
      </legend>
      {hint}
      {field.options.length === 0 ? <p class="muted">{t(`${key}.none`)}</p> : null}
      <div class="options">
        {field.options.map((o) => (
          <label class="option">
            <input
              type={many ? 'checkbox' : 'radio'}
              name={name}
              value={o.value}
              checked={field.sent.includes(o.value)}
            />{' '}
            {o.label}
          </label>
        ))}
      </div>
      {error}
      {extra}
    </fieldset>
  );
};

/** A form's two buttons (each posts its `action`): the plain one, and the main one. */
const Actions: FC<{ v: View; plain: (typeof ACTIONS)[number]; main: (typeof ACTIONS)[number] }> = ({
  v,
  plain,
  main,
}) => (
  <div class="actions">
    <button type="submit" name="action" value={plain}>
      {v.t(`console:filing.${plain}`)}
    </button>
    <button type="submit" name="action" value={main} class="primary">
      {v.t(`console:filing.${main}`)}
    </button>
  </div>
);

interface FormState {
  r: FilingResident;
  service: ServiceDefinition;
  form: WebForm;
  raw: RawForm;
  key: string;
  problem: string | null;
}

const stoppedText = (v: View, code: string, stepId: string) =>
  v.t([`services:${code}.stopped.${stepId}`, 'services:common.stopped']);

const FormPage: FC<{ v: View; s: FormState }> = ({ v, s }) => {
  const { t } = v;
  const { service, r, form, raw } = s;
  const action = `/residents/${r.id}/file/${service.code}`;
  const seen = new Set(valuesOf(raw, DOC));
  const members = service.needsHousehold === 'confirm_alone' || service.needsHousehold === 'members';
  return (
    <Layout v={v} title={serviceName(t, service.code)}>
      <h1>{t('console:filing.form_title', { service: serviceName(t, service.code) })}</h1>
      <ResidentCard v={v} r={r} />
      <Notice text={s.problem} kind="error" />
      {form.stopped ? <Notice text={stoppedText(v, service.code, form.stopped.stepId)} kind="error" /> : null}
      <form method="post" action={action} class="filing" novalidate>
        <Csrf v={v} />
        <input type="hidden" name={KEY} value={s.key} />
        {members ? (
          <fieldset class="field">
            <legend>{t('console:filing.household_title')}</legend>
            {r.members.length === 0 ? (
              <p>{t('console:filing.household_alone')}</p>
            ) : (
              <ul>
                {r.members.map((m) => (
                  <li>
                    {t('answers:member_confirm', {
                      name: m.name,
                      relation: t(`common:relation.${m.relation}`),
                      birthDate: birthDay(m.birthDate, t),
                      age: m.age,
                    })}
                  </li>
                ))}
              </ul>
            )}
            {service.needsHousehold === 'confirm_alone' ? (
              <label class="option">
                <input type="checkbox" name={HOUSEHOLD_OK} value="1" checked={raw[HOUSEHOLD_OK] === '1'} />{' '}
                {t('console:filing.household_ok')}
              </label>
            ) : null}
            <p class="muted">
              <a href={`/households/${r.householdId}`}>{t('console:filing.household_change')}</a>
            </p>
          </fieldset>
        ) : null}
        {form.fields.map((field) => (
          <Field v={v} service={service} field={field} />
        ))}
        {service.documents.length > 0 ? (
          <fieldset class="field">
            <legend>{t('console:filing.documents_title')}</legend>
            <p class="muted">{t('console:filing.documents_hint')}</p>
            {service.documents.map((d) => (
              <label class="option">
                <input type="checkbox" name={DOC} value={d} checked={seen.has(d)} />{' '}
                {t(`services:${service.code}.documents.${d}`)}
              </label>
            ))}
          </fieldset>
        ) : null}
        <Actions v={v} plain="continue" main="review" />
        <p class="muted">{t('console:filing.continue_hint')}</p>
      </form>
    </Layout>
  );
};

const ConfirmPage: FC<{ v: View; s: FormState }> = ({ v, s }) => {
  const { t } = v;
  const { service, r, form, raw } = s;
  const names = [
    ...form.fields.flatMap((f) => [fieldName(f.step.id), typedName(f.step.id)]),
    HOUSEHOLD_OK,
    DOC,
  ];
  const docs = valuesOf(raw, DOC).filter((d) => service.documents.includes(d));
  return (
    <Layout v={v} title={t('console:filing.confirm_title')}>
      <h1>{t('console:filing.confirm_title')}</h1>
      <ResidentCard v={v} r={r} />
      <Notice text={s.problem} kind="error" />
      <dl class="summary">
        <dt>{t('console:filing.service')}</dt>
        <dd>{serviceName(t, service.code)}</dd>
        {form.fields
          .filter((f) => form.answers[f.step.id])
          .map((f) => (
            <>
              <dt>{t(`services:${service.code}.fields.${f.step.id}`)}</dt>
              <dd>
                {form.answers[f.step.id]?.label}
                {f.warning ? (
                  <span class="badge">
                    {' '}
                    {t(
                      `services:${service.code}.steps.${f.step.id}.warnings.${f.warning.message}`,
                      f.warning.params,
                    )}
                  </span>
                ) : null}
              </dd>
            </>
          ))}
        {service.documents.length > 0 ? (
          <>
            <dt>{t('console:filing.documents_title')}</dt>
            <dd>
              {docs.length > 0
                ? docs.map((d) => t(`services:${service.code}.documents.${d}`)).join(t('form:list_separator'))
                : t('console:filing.documents_none')}
            </dd>
          </>
        ) : null}
      </dl>
      <p>{t(r.onTelegram ? 'console:filing.will_tell' : 'console:filing.will_not_tell')}</p>
      <form method="post" action={`/residents/${r.id}/file/${service.code}`} class="filing">
        <Csrf v={v} />
        <input type="hidden" name={KEY} value={s.key} />
        <Kept raw={raw} names={names} />
        <Actions v={v} plain="change" main="file" />
      </form>
    </Layout>
  );
};

const SlipPage: FC<{ v: View; slip: Slip; now: Date }> = ({ v, slip, now }) => {
  const { t } = v;
  const centre = slip.contact?.centre;
  return (
    <Layout v={v} title={t('console:filing.slip_title')}>
      <article class="slip">
        <h1>{t('console:filing.slip_heading', { service: serviceName(t, slip.serviceCode) })}</h1>
        <dl class="summary">
          <dt>{t('console:filing.slip_number')}</dt>
          <dd class="big">{slip.number}</dd>
          {slip.resident ? (
            <>
              <dt>{t('console:case.name')}</dt>
              <dd>{slip.resident.name}</dd>
              <dt>{t('console:case.id_number')}</dt>
              <dd>{slip.resident.idNumberMasked}</dd>
            </>
          ) : null}
          <dt>{t('console:filing.slip_when')}</dt>
          <dd>{dueBy(slip.dueAt, now, t, { urgent: slip.priority === 'urgent' })}</dd>
        </dl>
        {slip.documents.length > 0 ? (
          <section>
            <h2>{t('console:filing.slip_bring')}</h2>
            <ul>
              {slip.documents.map((d) => (
                <li>{t(`services:${slip.serviceCode}.documents.${d}`)}</li>
              ))}
            </ul>
          </section>
        ) : null}
        <section>
          <h2>{t('console:filing.slip_where')}</h2>
          {centre ? (
            <p class="pre">{centreText(centre, now, t, v.locale, { window: slip.contact?.window })}</p>
          ) : (
            <p>{t('contact:no_centre')}</p>
          )}
        </section>
        <p>{t('console:filing.slip_keep')}</p>
      </article>
      <p class="no-print">
        <button type="button" class="primary" data-print hidden>
          {t('console:filing.print')}
        </button>{' '}
        <a href="/file">{t('console:filing.next_resident')}</a>
      </p>
    </Layout>
  );
};

const valuesOf = (raw: RawForm, name: string): string[] => {
  const x = raw[name];
  return x === undefined ? [] : Array.isArray(x) ? x : [x];
};

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
