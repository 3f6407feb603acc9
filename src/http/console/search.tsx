// The console's search (src/app/console/search.ts decides who sees what, audits, masks):
//   GET  /search     the search box
//   POST /search     the results (a POST: an ID number or a phone typed in never lands in an address, the
//                    browser's history or a log)
// One box: a case number, an ID number, a phone or a name — the use case tells which.
import type { FC } from 'hono/jsx';
import type { CaseLine, ConsoleLookup, SearchError, SearchResult } from '../../app/console/search.ts';
import { SEARCH_MAX_LENGTH } from '../../app/console/search.ts';
import type { FilingService } from '../../app/filing.ts';
import { compactTime } from '../../bot/format-time.ts';
import type { ConsoleRoutes } from './app.tsx';
import { FileForPerson } from './filing-pages.tsx';
import { Layout, Notice, serviceName, type View } from './pages.tsx';

const named = (v: View, n: { nameZh: string; nameEn: string }) =>
  v.locale === 'zh-CN' ? n.nameZh : n.nameEn;

export const addressText = (
  v: View,
  a: {
    community: { nameZh: string; nameEn: string };
    building: { nameZh: string; nameEn: string };
    unit: string;
    room: string;
  },
) =>
  v.t('console:case.address_value', {
    community: named(v, a.community),
    building: named(v, a.building),
    unit: a.unit,
    room: a.room,
  });

/** A list of cases (search results, a household's file): number (a link when the reader may open it). */
export const CaseTable: FC<{ v: View; cases: CaseLine[]; caption: string; hideCaption?: boolean }> = ({
  v,
  cases,
  caption,
  hideCaption,
}) => {
  const { t } = v;
  return (
    <table class="cases">
      <caption class={hideCaption ? 'sr-only' : undefined}>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('console:queue.col.number')}</th>
          <th scope="col">{t('console:queue.col.service')}</th>
          <th scope="col">{t('console:search.col.department')}</th>
          <th scope="col">{t('console:queue.col.status')}</th>
          <th scope="col">{t('console:search.col.submitted')}</th>
        </tr>
      </thead>
      <tbody>
        {cases.map((c) => (
          <tr>
            <td>{c.canOpen ? <a href={`/cases/${c.id}`}>{c.number}</a> : c.number}</td>
            <td>{serviceName(t, c.serviceCode)}</td>
            <td>{named(v, c.department)}</td>
            <td>{t(`staff:status.${c.status}`)}</td>
            <td>{compactTime(c.submittedAt, t)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};

export const SearchPage: FC<{
  v: View;
  query: string;
  result: SearchResult | null;
  error: SearchError | null;
  /** The found residents this user may file a request for (src/app/filing.ts decides). */
  fileable?: readonly string[];
}> = ({ v, query, result, error, fileable = [] }) => {
  const { t } = v;
  return (
    <Layout v={v} title={t('console:search.title')}>
      <h1>{t('console:search.title')}</h1>
      <form method="post" action="/search" class="search">
        {v.csrf ? <input type="hidden" name="_csrf" value={v.csrf} /> : null}
        <label for="q">{t('console:search.label')}</label>
        <div class="bar">
          <input
            type="search"
            id="q"
            name="q"
            value={query}
            maxlength={SEARCH_MAX_LENGTH * 2}
            autocomplete="off"
            spellcheck={false}
            aria-describedby="q-hint"
            required
          />
          <button type="submit" class="primary">
            {t('console:search.button')}
          </button>
        </div>
        <p id="q-hint" class="muted">
          {t('console:search.hint')}
        </p>
      </form>
      <Notice text={error ? t(`console:search.errors.${error}`) : null} kind="error" />
      {result ? <Results v={v} result={result} fileable={fileable} /> : null}
    </Layout>
  );
};

const Results: FC<{ v: View; result: SearchResult; fileable: readonly string[] }> = ({
  v,
  result,
  fileable,
}) => {
  const { t } = v;
  const nothing = result.people.length === 0 && result.cases.length === 0;
  return (
    <section aria-labelledby="results-title">
      <h2 id="results-title">{t(`console:search.results.${result.by}`)}</h2>
      {nothing ? (
        <p class="empty" role="status">
          {t('console:search.nothing')}
        </p>
      ) : null}
      {nothing && result.by === 'id' ? (
        <p>
          <a href="/residents/new">{t('console:walk_in.from_search')}</a>
        </p>
      ) : null}
      {result.people.length > 0 ? (
        <table class="people">
          <caption>{t('console:search.people_caption', { count: result.people.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('console:case.name')}</th>
              <th scope="col">{t('console:household.col.relation')}</th>
              <th scope="col">{t('console:household.col.age')}</th>
              <th scope="col">{t('console:case.id_number')}</th>
              <th scope="col">{t('console:case.phone')}</th>
              <th scope="col">{t('console:case.address')}</th>
              <th scope="col">
                <span class="sr-only">{t('console:search.col.file')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {result.people.map((p) => (
              <tr>
                <td>{p.name}</td>
                <td>{p.relation ? t(`common:relation.${p.relation}`) : t('console:household.registrant')}</td>
                <td>{t('console:household.age', { age: p.age })}</td>
                <td>{p.idNumberMasked ?? t('console:household.none')}</td>
                <td>{p.phoneMasked ?? t('console:household.none')}</td>
                <td>{addressText(v, p.address)}</td>
                <td>
                  <a href={`/households/${p.householdId}`}>
                    {t('console:search.open_file')}
                    <span class="sr-only"> {p.name}</span>
                  </a>
                  <FileForPerson v={v} person={p} fileable={fileable} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {result.cases.length > 0 ? (
        <CaseTable
          v={v}
          cases={result.cases}
          caption={t('console:search.cases_caption', { count: result.cases.length })}
        />
      ) : null}
    </section>
  );
};

/** The found residents `telegramId` may file for (none without the filing pages). */
export const fileableOf = (
  filing: Pick<FilingService, 'fileable'> | undefined,
  telegramId: number,
  people: readonly { kind: 'resident' | 'member'; id: string; communityCode: string }[],
) =>
  filing
    ? filing.fileable(
        telegramId,
        people
          .filter((p) => p.kind === 'resident')
          .map((p) => ({ id: p.id, communityCode: p.communityCode })),
      )
    : Promise.resolve([]);

export function registerSearch(
  routes: ConsoleRoutes,
  lookup: ConsoleLookup,
  filing?: Pick<FilingService, 'fileable'>,
) {
  const { app, page } = routes;
  app.get('/search', (c) => page(c, <SearchPage v={c.get('v')} query="" result={null} error={null} />));

  app.post('/search', async (c) => {
    const body = await c.req.parseBody();
    const raw = typeof body.q === 'string' ? body.q : '';
    const v = c.get('v');
    const me = c.get('user').telegramId;
    const found = await lookup.search(me, raw);
    // What was typed goes back into the box (it is this person's own input), cut to the box's length.
    const query = raw.slice(0, SEARCH_MAX_LENGTH * 2);
    if (!found.ok) {
      if (found.error === 'not_allowed') return routes.forbidden(c);
      return page(c, <SearchPage v={v} query={query} result={null} error={found.error} />, 422);
    }
    // A found ID number or phone is not written back in full: the page shows it masked.
    const keep = found.value.by === 'case' || found.value.by === 'name' ? query : '';
    const people = found.value.people.map((p) => ({ ...p, communityCode: p.address.community.code }));
    const fileable = await fileableOf(filing, me, people);
    return page(c, <SearchPage v={v} query={keep} result={found.value} error={null} fileable={fileable} />);
  });
}
