import type { FC } from 'hono/jsx';
import type { FilingResident, FoundResident, Slip } from '../../app/filing.ts';
import { centreText } from '../../bot/contact-render.ts';
import { localeName } from '../../bot/context.ts';
import { dueBy } from '../../bot/format-time.ts';
import type { ServiceDefinition } from '../../domain/catalogue/index.ts';
import { Csrf, Layout, Notice, serviceName, type View } from './pages.tsx';

/** "File a request for them" (the resident's name read out to a screen reader). */
export const FileForLink: FC<{ v: View; residentId: string; name: string; primary?: boolean }> = ({
  v,
  residentId,
  name,
  primary,
}) => (
  <a href={`/residents/${residentId}/file`} class={primary ? 'button primary' : undefined}>
    {v.t('console:filing.file_for')}
    <span class="sr-only"> {name}</span>
  </a>
);

/** Beside a resident in a list of people: the link, when they are among those this user may file for. */
export const FileForPerson: FC<{
  v: View;
  person: { kind: 'resident' | 'member'; id: string; name: string };
  fileable: readonly string[];
}> = ({ v, person, fileable }) =>
  person.kind === 'resident' && fileable.includes(person.id) ? (
    <>
      {' · '}
      <FileForLink v={v} residentId={person.id} name={person.name} />
    </>
  ) : null;

export const ResidentCard: FC<{ v: View; r: FilingResident }> = ({ v, r }) => {
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

export const FindPage: FC<{ v: View; found: FoundResident[] | null; error: string | null }> = ({
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
              <FileForLink v={v} residentId={r.id} name={r.name} primary />
            </li>
          ))}
        </ul>
      ) : null}
    </Layout>
  );
};

export const ChooseServicePage: FC<{
  v: View;
  r: FilingResident;
  services: readonly ServiceDefinition[];
}> = ({ v, r, services }) => {
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

export const SlipPage: FC<{ v: View; slip: Slip; now: Date }> = ({ v, slip, now }) => {
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
