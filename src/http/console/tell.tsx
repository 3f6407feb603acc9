// "To tell": what residents without Telegram must be told (src/app/resident-tell.ts decides whose items a
// clerk sees, masks and audits):
//   GET  /tell                the list, oldest first: the case, what happened, what staff said, the resident
//                             and their phone (masked)
//   POST /tell/:id/phone      the list again with that resident's full phone number (audited)
//   POST /tell/:id/told       how=phone|window: marks it told (audited), → back to the list or the case
// and, on a case page, a banner with the case's items not told yet and the same "told" buttons.
import type { Context } from 'hono';
import type { FC } from 'hono/jsx';
import type { TellItem, TellService } from '../../app/resident-tell.ts';
import { TELL_HOWS } from '../../app/resident-tell.ts';
import { compactTime } from '../../bot/format-time.ts';
import type { ConsoleRoutes, Env } from './app.tsx';
import { Csrf, Layout, Notice, serviceName, type View } from './pages.tsx';

const what = (v: View, item: TellItem) =>
  v.t(`console:tell.what.${item.what}`, { ...item.params, defaultValue: item.what });

const ToldForms: FC<{ v: View; item: TellItem; back: string }> = ({ v, item, back }) => (
  <form method="post" action={`/tell/${item.id}/told`} class="inline">
    <Csrf v={v} />
    <input type="hidden" name="back" value={back} />
    {TELL_HOWS.map((how) => (
      <button type="submit" name="how" value={how}>
        {v.t(`console:tell.told_${how}`)}
        <span class="sr-only"> {item.caseNumber}</span>
      </button>
    ))}
  </form>
);

export const TellPage: FC<{
  v: View;
  items: TellItem[];
  notice: string | null;
  revealed: { id: string; phone: string } | null;
}> = ({ v, items, notice, revealed }) => {
  const { t } = v;
  return (
    <Layout v={v} title={t('console:tell.title')}>
      <h1>{t('console:tell.title')}</h1>
      <p>{t('console:tell.intro')}</p>
      <Notice text={notice} />
      {revealed ? (
        <p class="notice ok" role="status">
          {t('console:tell.revealed')}
        </p>
      ) : null}
      {items.length === 0 ? (
        <p class="empty" role="status">
          {t('console:tell.none')}
        </p>
      ) : (
        <table class="cases tell">
          <caption class="sr-only">{t('console:tell.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('console:tell.col.when')}</th>
              <th scope="col">{t('console:queue.col.number')}</th>
              <th scope="col">{t('console:tell.col.what')}</th>
              <th scope="col">{t('console:case.name')}</th>
              <th scope="col">{t('console:case.phone')}</th>
              <th scope="col">{t('console:tell.col.done')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr>
                <td>{compactTime(item.createdAt, t)}</td>
                <td>
                  <a href={`/cases/${item.caseId}`}>{item.caseNumber}</a>
                  <br />
                  <span class="muted">{serviceName(t, item.serviceCode)}</span>
                </td>
                <td>
                  {what(v, item)}
                  {item.note ? <p class="notice-text">{item.note}</p> : null}
                </td>
                <td>{item.residentName}</td>
                <td class="number">
                  {revealed?.id === item.id ? (
                    revealed.phone
                  ) : (
                    <form method="post" action={`/tell/${item.id}/phone`} class="inline">
                      <Csrf v={v} />
                      {item.phoneMasked}{' '}
                      <button type="submit">
                        {t('console:tell.show_phone')}
                        <span class="sr-only"> {item.residentName}</span>
                      </button>
                    </form>
                  )}
                </td>
                <td>
                  <ToldForms v={v} item={item} back="/tell" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
};

/** The case page's banner: the resident has no Telegram; what is still to be told, with the "told" buttons. */
const TellBanner: FC<{ v: View; items: TellItem[]; caseId: string }> = ({ v, items, caseId }) => (
  <section class="notice error tell-banner" aria-labelledby="tell-title">
    <h2 id="tell-title">{v.t('console:tell.banner')}</h2>
    {items.length === 0 ? (
      <p>{v.t('console:tell.banner_none')}</p>
    ) : (
      <ul>
        {items.map((item) => (
          <li>
            {compactTime(item.createdAt, v.t)} · {what(v, item)}
            {item.note ? <p class="notice-text">{item.note}</p> : null}
            <ToldForms v={v} item={item} back={`/cases/${caseId}`} />
          </li>
        ))}
      </ul>
    )}
    <p>
      <a href="/tell">{v.t('console:tell.open_list')}</a>
    </p>
  </section>
);

/** Only back to this list or a case page (never elsewhere). */
const safeBack = (back: unknown) =>
  typeof back === 'string' && /^\/(tell|cases\/[0-9a-f-]{36})$/.test(back) ? back : '/tell';

export function registerTell(routes: ConsoleRoutes, tells: TellService) {
  const { app, page } = routes;

  const list = async (
    c: Context<Env>,
    extra: { notice?: string | null; revealed?: { id: string; phone: string } },
  ) => {
    const items = await tells.list(c.get('user').telegramId);
    if (!items.ok) return routes.forbidden(c);
    return page(
      c,
      <TellPage
        v={c.get('v')}
        items={items.value}
        notice={extra.notice ?? null}
        revealed={extra.revealed ?? null}
      />,
    );
  };

  app.get('/tell', (c) => {
    const notice = c.req.query('notice') === 'told' ? c.get('v').t('console:tell.done') : null;
    return list(c, { notice });
  });

  app.post('/tell/:id/phone', async (c) => {
    const id = c.req.param('id');
    const phone = await tells.revealPhone(c.get('user').telegramId, id);
    if (!phone.ok) return phone.error === 'not_allowed' ? routes.forbidden(c) : routes.notFound(c);
    return list(c, { revealed: { id, phone: phone.value } });
  });

  app.post('/tell/:id/told', async (c) => {
    const body = await c.req.parseBody();
    const done = await tells.markTold(c.get('user').telegramId, c.req.param('id'), body.how);
    if (!done.ok) {
      if (done.error === 'not_allowed') return routes.forbidden(c);
      if (done.error === 'not_found') return routes.notFound(c);
      const v = c.get('v');
      return list(c, { notice: v.t(`console:tell.errors.${done.error}`) });
    }
    const back = safeBack(body.back);
    return c.redirect(back === '/tell' ? '/tell?notice=told' : back, 303);
  });

  routes.caseSections.push(async (c, card) => {
    if (!card.resident?.noTelegram) return null;
    const items = await tells.ofCase(c.get('user').telegramId, card.id);
    return <TellBanner v={c.get('v')} items={items} caseId={card.id} />;
  });
}
