// The audit log for admins (src/app/console/audit-log.ts refuses anyone else, masks, audits the look):
//   GET /audit?actor=<Telegram id>&case=<number>&action=<start of the action>&before=<row id>
// A plain GET form: the filters hold no personal data, so the page can be bookmarked and paged by links.
import type { FC } from 'hono/jsx';
import type { AuditLogView, AuditPage } from '../../app/console/audit-log.ts';
import { compactTime } from '../../bot/format-time.ts';
import type { ConsoleRoutes } from './app.tsx';
import { ErrorPage, Layout, Notice, type View } from './pages.tsx';

/** Actions an admin most often looks for (the box takes any start of an action's name). */
const COMMON_ACTIONS = [
  'access.denied',
  'case.',
  'console.',
  'household.view',
  'pii.view',
  'console.search',
  'staff.',
  'invite.',
  'notice',
  'audit.view',
];

function pageHref(p: AuditPage, before: string | null): string {
  const q = new URLSearchParams();
  if (p.filter.actor) q.set('actor', p.filter.actor);
  if (p.filter.case) q.set('case', p.filter.case);
  if (p.filter.action) q.set('action', p.filter.action);
  if (before) q.set('before', before);
  const s = q.toString();
  return s ? `/audit?${s}` : '/audit';
}

export const AuditPageView: FC<{
  v: View;
  page: AuditPage | null;
  filter: Record<string, string>;
  error: string | null;
}> = ({ v, page, filter, error }) => {
  const { t } = v;
  return (
    <Layout v={v} title={t('console:audit.title')}>
      <h1>{t('console:audit.title')}</h1>
      <form method="get" action="/audit" class="filters audit-filters">
        <label>
          {t('console:audit.actor')}
          <input
            type="text"
            name="actor"
            value={filter.actor ?? ''}
            inputmode="numeric"
            maxlength={15}
            size={14}
          />
        </label>
        <label>
          {t('console:audit.case')}
          <input type="text" name="case" value={filter.case ?? ''} maxlength={30} size={18} />
        </label>
        <label>
          {t('console:audit.action')}
          <input
            type="text"
            name="action"
            value={filter.action ?? ''}
            list="audit-actions"
            maxlength={64}
            size={18}
          />
        </label>
        <datalist id="audit-actions">
          {COMMON_ACTIONS.map((a) => (
            <option value={a} />
          ))}
        </datalist>
        <button type="submit">{t('console:audit.apply')}</button>
        <a href="/audit">{t('console:audit.clear')}</a>
      </form>
      <p class="muted">{t('console:audit.hint')}</p>
      <Notice text={error} kind="error" />
      {page ? (
        page.entries.length === 0 ? (
          <p class="empty" role="status">
            {t('console:audit.empty')}
          </p>
        ) : (
          <table class="audit">
            <caption class="sr-only">{t('console:audit.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('console:audit.col.at')}</th>
                <th scope="col">{t('console:audit.col.actor')}</th>
                <th scope="col">{t('console:audit.col.action')}</th>
                <th scope="col">{t('console:audit.col.case')}</th>
                <th scope="col">{t('console:audit.col.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => (
                <tr>
                  <td>{compactTime(e.at, t)}</td>
                  <td>
                    {e.actorTelegramId === null ? (
                      t('console:audit.nobody')
                    ) : (
                      <a
                        href={pageHref(
                          { ...page, filter: { ...page.filter, actor: e.actorTelegramId } },
                          null,
                        )}
                      >
                        {e.actorName ? `${e.actorName} (${e.actorTelegramId})` : e.actorTelegramId}
                      </a>
                    )}
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.caseNumber ? (
                      <a href={pageHref({ ...page, filter: { ...page.filter, case: e.caseNumber } }, null)}>
                        {e.caseNumber}
                      </a>
                    ) : null}
                  </td>
                  <td class="detail">
                    {e.subject ? <code>{e.subject}</code> : null}
                    {e.detail.map(([k, val]) => (
                      <span class="kv">
                        {' '}
                        {k}: {val}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {page && (!page.first || page.nextBefore) ? (
        <nav class="pages" aria-label={t('console:audit.pages_label')}>
          {!page.first ? <a href={pageHref(page, null)}>{t('console:audit.newest')}</a> : null}
          {page.nextBefore ? <a href={pageHref(page, page.nextBefore)}>{t('console:audit.older')}</a> : null}
        </nav>
      ) : null}
    </Layout>
  );
};

export function registerAudit(routes: ConsoleRoutes, auditLog: AuditLogView) {
  const { app, page } = routes;
  app.get('/audit', async (c) => {
    const v = c.get('v');
    const q = c.req.query();
    const filter = {
      actor: (q.actor ?? '').slice(0, 64),
      case: (q.case ?? '').slice(0, 64),
      action: (q.action ?? '').slice(0, 64),
    };
    const result = await auditLog.page(c.get('user').telegramId, { ...filter, before: q.before });
    if (!result.ok && result.error === 'forbidden') {
      return page(
        c,
        <ErrorPage
          v={v}
          title={v.t('console:errors.forbidden_title')}
          text={v.t('console:audit.forbidden')}
        />,
        403,
      );
    }
    if (!result.ok) {
      return page(
        c,
        <AuditPageView v={v} page={null} filter={filter} error={v.t('console:audit.invalid')} />,
        422,
      );
    }
    return page(c, <AuditPageView v={v} page={result.value} filter={result.value.filter} error={null} />);
  });
}
