// Following up important notices, for community workers and admins (src/app/console/notice-followup.ts
// decides who may, and audits):
//   GET  /notices              the important notices of the person's communities: sent, read, not read
//   GET  /notices/:id          who has not read it, by building, unit and room (for knocking on doors)
//   POST /notices/:id/remind   a reminder to exactly those (the notice sender sends it), → the notice
import type { Context } from 'hono';
import type { FC } from 'hono/jsx';
import type { FollowedNotice, NoticeFollowUp, UnreadHousehold } from '../../app/console/notice-followup.ts';
import { compactTime } from '../../bot/format-time.ts';
import type { ConsoleRoutes, Env } from './app.tsx';
import { refusalPages } from './figures.tsx';
import { Csrf, Layout, Notice, type View } from './pages.tsx';

/** The notice's first line, short: how a worker recognises it. */
const headline = (n: FollowedNotice) => {
  const first = n.textZh.split('\n')[0] ?? '';
  return first.length > 40 ? `${first.slice(0, 40)}…` : first;
};

export const NoticesPage: FC<{
  v: View;
  notices: FollowedNotice[];
  communities: { code: string; nameZh: string; nameEn: string }[];
}> = ({ v, notices, communities }) => {
  const { t } = v;
  const name = (code: string) => {
    const c = communities.find((x) => x.code === code);
    return c ? (v.locale === 'zh-CN' ? c.nameZh : c.nameEn) : code;
  };
  return (
    <Layout v={v} title={t('console:notices.title')}>
      <h1>{t('console:notices.title')}</h1>
      <p>{t('console:notices.intro')}</p>
      <p>
        <a href="/notices/new" id="compose-link">
          {t('console:compose.link')}
        </a>
      </p>
      {notices.length === 0 ? (
        <p class="empty">{t('console:notices.none')}</p>
      ) : (
        <table class="queue">
          <caption class="sr-only">{t('console:notices.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('console:notices.col_notice')}</th>
              <th scope="col">{t('console:notices.col_community')}</th>
              <th scope="col">{t('console:notices.col_sent')}</th>
              <th scope="col">{t('console:notices.col_read')}</th>
              <th scope="col">{t('console:notices.col_unread')}</th>
            </tr>
          </thead>
          <tbody>
            {notices.map((n) => (
              <tr>
                <td>
                  <a href={`/notices/${n.id}`}>{headline(n) || t('console:notices.photo_only')}</a>
                </td>
                <td>{name(n.communityCode)}</td>
                <td>{n.startedAt ? compactTime(n.startedAt, t) : '—'}</td>
                <td>{t('console:notices.read_of', { read: n.readers, count: n.recipientCount })}</td>
                <td>{n.recipientCount - n.readers}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
};

/** Unread households grouped under their building. */
function byBuilding(v: View, rows: UnreadHousehold[]): { building: string; rows: UnreadHousehold[] }[] {
  const groups = new Map<string, UnreadHousehold[]>();
  for (const r of rows) {
    const b = v.locale === 'zh-CN' ? r.buildingZh : r.buildingEn;
    groups.set(b, [...(groups.get(b) ?? []), r]);
  }
  return [...groups].map(([building, list]) => ({ building, rows: list }));
}

export const NoticeUnreadPage: FC<{
  v: View;
  notice: FollowedNotice;
  households: UnreadHousehold[];
  nextReminderAt: Date | null;
  now: Date;
  message: { text: string; kind: 'ok' | 'error' } | null;
}> = ({ v, notice, households, nextReminderAt, now, message }) => {
  const { t } = v;
  const title = t('console:notices.unread_title', {
    notice: headline(notice) || t('console:notices.photo_only'),
  });
  const waiting = nextReminderAt !== null && nextReminderAt > now;
  return (
    <Layout v={v} title={title}>
      <p>
        <a href="/notices">{t('console:notices.back')}</a>
      </p>
      <h1>{title}</h1>
      <Notice text={message?.text ?? null} kind={message?.kind ?? 'ok'} />
      <p class="notice-text">{v.locale === 'en' && notice.textEn ? notice.textEn : notice.textZh}</p>
      <p>
        {t('console:notices.summary', {
          read: notice.readers,
          count: notice.recipientCount,
          households: households.length,
        })}
      </p>
      {households.length === 0 ? (
        <p class="empty">{t('console:notices.all_read')}</p>
      ) : (
        <>
          <form method="post" action={`/notices/${notice.id}/remind`} class="bar">
            <Csrf v={v} />
            <button type="submit" class="primary" id="remind" disabled={waiting}>
              {t('console:notices.remind')}
            </button>
            <span class="muted">
              {waiting && nextReminderAt
                ? t('console:notices.remind_after', { at: compactTime(nextReminderAt, t) })
                : t('console:notices.remind_note')}
            </span>
          </form>
          {byBuilding(v, households).map((g) => (
            <section class="building" aria-label={g.building}>
              <h2>{t('console:notices.building', { building: g.building, count: g.rows.length })}</h2>
              <table class="data unread">
                <caption class="sr-only">
                  {t('console:notices.building_caption', { building: g.building })}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t('console:notices.col_unit')}</th>
                    <th scope="col">{t('console:notices.col_room')}</th>
                    <th scope="col">{t('console:notices.col_people')}</th>
                  </tr>
                </thead>
                <tbody>
                  {g.rows.map((r) => (
                    <tr>
                      <td>{t('console:notices.unit', { unit: r.unit })}</td>
                      <td>{r.room}</td>
                      <td>{r.residents}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </>
      )}
    </Layout>
  );
};

export function registerNoticeRoutes(kit: ConsoleRoutes, followUp: NoticeFollowUp): void {
  const { app } = kit;
  const { forbidden, notFound } = refusalPages(kit);

  app.get('/notices', async (c) => {
    const result = await followUp.list(c.get('user').telegramId);
    if (!result.ok) return forbidden(c, 'notices');
    return kit.page(c, <NoticesPage v={c.get('v')} {...result.value} />);
  });

  const show = async (
    c: Context<Env>,
    id: string,
    message: { text: string; kind: 'ok' | 'error' } | null,
    status: 200 | 409 = 200,
  ) => {
    const result = await followUp.unread(c.get('user').telegramId, id);
    if (!result.ok) return result.error === 'not_allowed' ? forbidden(c, 'notices') : notFound(c);
    return kit.page(
      c,
      <NoticeUnreadPage v={c.get('v')} {...result.value} now={kit.now()} message={message} />,
      status,
    );
  };

  app.get('/notices/:id', (c) => {
    const v = c.get('v');
    const done = c.req.query('notice') === 'reminded';
    return show(c, c.req.param('id'), done ? { text: v.t('console:notices.reminded'), kind: 'ok' } : null);
  });

  app.post('/notices/:id/remind', async (c) => {
    const user = c.get('user');
    const id = c.req.param('id');
    const v = c.get('v');
    const result = await followUp.remind({ telegramId: user.telegramId, locale: v.locale }, id);
    // The sender starts due notices every second: the reminder needs no wake-up.
    if (result.ok) return c.redirect(`/notices/${id}?notice=reminded`, 303);
    if (result.error === 'not_allowed') return forbidden(c, 'notices');
    if (result.error === 'not_found') return notFound(c);
    return show(c, id, { text: v.t(`console:notices.refused.${result.error}`), kind: 'error' }, 409);
  });
}
