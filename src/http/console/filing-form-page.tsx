import type { FC } from 'hono/jsx';
import { REGISTERED_PHONE } from '../../app/cases.ts';
import type { FilingResident } from '../../app/filing.ts';
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
import { localeName } from '../../bot/context.ts';
import { birthDay } from '../../bot/format-time.ts';
import type { ServiceDefinition } from '../../domain/catalogue/index.ts';
import { ResidentCard } from './filing-pages.tsx';
import { Csrf, Layout, Notice, serviceName, type View, withoutEmoji } from './pages.tsx';

/** The window's own fields besides the service's steps. */
export const KEY = 'key';
export const HOUSEHOLD_OK = 'household_ok';
export const DOC = 'doc';
export const ACTIONS = ['continue', 'review', 'change', 'file'] as const;

export const words = (v: View, service: ServiceDefinition): FormWords => ({
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

export interface FormState {
  r: FilingResident;
  service: ServiceDefinition;
  form: WebForm;
  raw: RawForm;
  key: string;
  problem: string | null;
}

const stoppedText = (v: View, code: string, stepId: string) =>
  v.t([`services:${code}.stopped.${stepId}`, 'services:common.stopped']);

export const FormPage: FC<{ v: View; s: FormState }> = ({ v, s }) => {
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

export const ConfirmPage: FC<{ v: View; s: FormState }> = ({ v, s }) => {
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

export const valuesOf = (raw: RawForm, name: string): string[] => {
  const x = raw[name];
  return x === undefined ? [] : Array.isArray(x) ? x : [x];
};
