// The policy's red line at the desk: households with labour but nobody employed, for the district's
// human-resources staff, the community's workers and admins. The list, who may see it, the masking and the
// audit row of each page are the use case's (src/app/labour.ts, the same as /labour in Telegram):
//   GET /labour?page=N   the households by community, building and room, each linked to its household file
import type { Context } from 'hono';
import type { FC } from 'hono/jsx';
import { LABOUR_PAGE_SIZE, type LabourPage, type LabourService } from '../../app/labour.ts';
import type { ConsoleRoutes, Env } from './app.tsx';
import { Layout, type View } from './pages.tsx';
import { addressText } from './search.tsx';

type Named = { code: string; nameZh: string; nameEn: string };

export const LabourListPage: FC<{ v: View; list: LabourPage; communities: Map<string, Named> }> = ({
  v,
  list,
  communities,
}) => {
  const { t } = v;
  const title = t('console:labour.title');
  return (
    <Layout v={v} title={title}>
      <h1>{title}</h1>
      <p>{t('labour:rule')}</p>
      {list.total === 0 ? (
        <p class="empty">{t('labour:none')}</p>
      ) : (
        <>
          <p>{t('console:labour.total', { total: list.total })}</p>
          <table class="labour">
            <caption class="sr-only">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{t('console:labour.col.index')}</th>
                <th scope="col">{t('console:labour.col.address')}</th>
                <th scope="col">{t('console:case.name')}</th>
                <th scope="col">{t('console:case.phone')}</th>
                <th scope="col">{t('console:labour.col.people')}</th>
                <th scope="col">{t('console:labour.col.looking')}</th>
                <th scope="col">{t('console:labour.col.unknown')}</th>
                <th scope="col">{t('console:labour.col.file')}</th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((r, i) => {
                const community = communities.get(r.communityCode) ?? {
                  code: r.communityCode,
                  nameZh: r.communityCode,
                  nameEn: r.communityCode,
                };
                return (
                  <tr>
                    <td class="number">{list.page * LABOUR_PAGE_SIZE + i + 1}</td>
                    <td>{addressText(v, { community, building: r.building, unit: r.unit, room: r.room })}</td>
                    <td>{r.residentName}</td>
                    <td class="number">{r.phoneMasked}</td>
                    <td class="number">{r.people}</td>
                    <td class="number">{r.looking}</td>
                    <td class="number">{r.unknown}</td>
                    <td>
                      <a href={`/households/${r.householdId}`}>
                        {t('console:search.open_file')}
                        <span class="sr-only"> {r.residentName}</span>
                      </a>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      {list.pages > 1 ? (
        <nav class="pages" aria-label={t('console:queue.pages_label')}>
          {list.page > 0 ? <a href={`/labour?page=${list.page}`}>{t('console:queue.previous')}</a> : null}
          <span>{t('console:queue.page', { page: list.page + 1, pages: list.pages })}</span>
          {list.page + 1 < list.pages ? (
            <a href={`/labour?page=${list.page + 2}`}>{t('console:queue.next')}</a>
          ) : null}
        </nav>
      ) : null}
    </Layout>
  );
};

/** `?page=` as people read it (1, 2, …); anything else is the first page. */
const pageOf = (raw: string | undefined) => {
  const n = /^\d{1,6}$/.test(raw ?? '') ? Number(raw) : 1;
  return Math.max(0, n - 1);
};

export function registerLabour(
  routes: ConsoleRoutes,
  labour: LabourService,
  communities: () => Promise<Named[]>,
) {
  routes.app.get('/labour', async (c: Context<Env>) => {
    const list = await labour.belowRedLine(c.get('user').telegramId, pageOf(c.req.query('page')));
    if (!list.ok) return routes.forbidden(c);
    const names = new Map((await communities()).map((x) => [x.code, x]));
    return routes.page(c, <LabourListPage v={c.get('v')} list={list.value} communities={names} />);
  });
}
