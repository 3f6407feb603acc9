// One household, one file (src/app/console/search.ts decides who may open it, masks, audits):
//   GET  /households/:id          the people (relation, age; ID numbers and phones masked), their cases,
//                                 the notices they got and whether they tapped "read"
//   POST /households/:id/reveal   the same page with the full numbers (each time audited)
import type { Context } from 'hono';
import type { FC } from 'hono/jsx';
import type { ConsoleLookup, HouseholdFile } from '../../app/console/search.ts';
import type { FilingService } from '../../app/filing.ts';
import { compactTime } from '../../bot/format-time.ts';
import type { ConsoleRoutes, Env } from './app.tsx';
import { FileForPerson } from './filing-pages.tsx';
import { Layout, type View } from './pages.tsx';
import { addressText, CaseTable, fileableOf } from './search.tsx';

export const HouseholdPage: FC<{
  v: View;
  file: HouseholdFile;
  /** The residents this user may file a request for (src/app/filing.ts decides). */
  fileable?: readonly string[];
}> = ({ v, file, fileable = [] }) => {
  const { t } = v;
  const where = addressText(v, file.address);
  return (
    <Layout v={v} title={t('console:household.title', { address: where })}>
      <p>
        <a href="/search">{t('console:household.back')}</a>
      </p>
      <h1>{t('console:household.title', { address: where })}</h1>
      <section aria-labelledby="people-title">
        <h2 id="people-title">{t('console:household.people')}</h2>
        <table class="people">
          <caption class="sr-only">{t('console:household.people')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('console:case.name')}</th>
              <th scope="col">{t('console:household.col.relation')}</th>
              <th scope="col">{t('console:household.col.sex')}</th>
              <th scope="col">{t('console:household.col.age')}</th>
              <th scope="col">{t('console:case.id_number')}</th>
              <th scope="col">{t('console:case.phone')}</th>
              <th scope="col">{t('console:household.col.telegram')}</th>
            </tr>
          </thead>
          <tbody>
            {file.people.map((p) => (
              <tr>
                <td>{p.name}</td>
                <td>{p.relation ? t(`common:relation.${p.relation}`) : t('console:household.registrant')}</td>
                <td>{t(`common:sex.${p.sex}`)}</td>
                <td>{t('console:household.age', { age: p.age })}</td>
                <td class="number">{p.idNumber ?? t('console:household.none')}</td>
                <td class="number">{p.phone ?? t('console:household.none')}</td>
                <td>
                  {p.onTelegram ? t('console:household.telegram_yes') : t('console:household.none')}
                  {p.kind === 'resident' && !p.onTelegram ? (
                    <>
                      {' '}
                      <a href={`/residents/${p.id}/erase`}>
                        {t('console:walk_in.erase_link')}
                        <span class="sr-only"> {p.name}</span>
                      </a>
                    </>
                  ) : null}
                  <FileForPerson v={v} person={p} fileable={fileable} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {file.revealed ? (
          <p class="notice ok" role="status">
            {t('console:household.revealed')}
          </p>
        ) : (
          <form method="post" action={`/households/${file.id}/reveal`} class="inline">
            {v.csrf ? <input type="hidden" name="_csrf" value={v.csrf} /> : null}
            <button type="submit">{t('console:household.reveal')}</button>
            <span class="muted"> {t('console:household.reveal_note')}</span>
          </form>
        )}
      </section>
      <section aria-labelledby="cases-title">
        <h2 id="cases-title">{t('console:household.cases')}</h2>
        {file.cases.length === 0 ? (
          <p class="empty">{t('console:household.no_cases')}</p>
        ) : (
          <CaseTable v={v} cases={file.cases} caption={t('console:household.cases_caption')} hideCaption />
        )}
      </section>
      <section aria-labelledby="notices-title">
        <h2 id="notices-title">{t('console:household.notices')}</h2>
        {file.notices.length === 0 ? (
          <p class="empty">{t('console:household.no_notices')}</p>
        ) : (
          <table class="notices">
            <caption class="sr-only">{t('console:household.notices')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('console:household.col.when')}</th>
                <th scope="col">{t('console:household.col.to')}</th>
                <th scope="col">{t('console:household.col.notice')}</th>
                <th scope="col">{t('console:household.col.delivery')}</th>
                <th scope="col">{t('console:household.col.read')}</th>
              </tr>
            </thead>
            <tbody>
              {file.notices.map((n) => (
                <tr>
                  <td>{compactTime(n.at, t)}</td>
                  <td>{n.to}</td>
                  <td>
                    {n.important ? (
                      <span class="badge urgent">{t('console:household.important')}</span>
                    ) : null}{' '}
                    {noticeText(v, n)}
                  </td>
                  <td>{t(`console:household.delivery.${n.delivery}`)}</td>
                  <td>
                    {!n.important
                      ? t('console:household.read_not_asked')
                      : n.readAt
                        ? t('console:household.read_at', { at: compactTime(n.readAt, t) })
                        : t('console:household.not_read')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
};

/** The notice in the reader's language when it was written in it, else as written; long ones cut. */
function noticeText(v: View, n: { textZh: string | null; textEn: string | null }): string {
  const text = (v.locale === 'en' ? (n.textEn ?? n.textZh) : (n.textZh ?? n.textEn)) ?? '';
  return [...text].length > 80 ? `${[...text].slice(0, 80).join('')}…` : text;
}

export function registerHousehold(
  routes: ConsoleRoutes,
  lookup: ConsoleLookup,
  filing?: Pick<FilingService, 'fileable'>,
) {
  const { app, page } = routes;
  const show = async (c: Context<Env>, reveal: boolean) => {
    const me = c.get('user').telegramId;
    const file = await lookup.household(me, c.req.param('id') ?? '', { reveal });
    if (!file.ok) return routes.notFound(c);
    const communityCode = file.value.address.community.code;
    const people = file.value.people.map((p) => ({ ...p, communityCode }));
    const fileable = await fileableOf(filing, me, people);
    return page(c, <HouseholdPage v={c.get('v')} file={file.value} fileable={fileable} />);
  };
  app.get('/households/:id', (c) => show(c, false));
  app.post('/households/:id/reveal', (c) => show(c, true));
}
