// The console's pages: server-rendered HTML (hono/jsx escapes every text), usable without JavaScript — each
// action is a plain form that answers with a redirect. With JavaScript, htmx (hx-boost on the body) sends
// the same forms and links in the background and swaps the page in place; console.js adds the queue's
// keyboard shortcuts. Every word comes from locales/<lang>/console.json (the case's own words — statuses,
// events, field names — from the bot's staff and services namespaces, so both say the same).
import type { Child, FC } from 'hono/jsx';
import type { ConsoleUser } from '../../app/console/auth.ts';
import type { QueuePage, StaffCard } from '../../app/staff.ts';
import { compactTime } from '../../bot/format-time.ts';
import type { TFunction } from '../../bot/i18n.ts';
import type { Locale } from '../../config.ts';
import { isDueToday, QUEUE_FILTERS, STAFF_TEXT_MAX } from '../../domain/staff-work.ts';

/**
 * A service's name without the emoji the bot's menu buttons start with (a desk's table and title read
 * better without, and a PC without an emoji font would show a box).
 */
export const serviceName = (t: TFunction, code: string) => withoutEmoji(t(`services:${code}.name`));

/** A label without the emoji it starts with (a button's "✅ 同意核对" on a page: "同意核对"). */
export const withoutEmoji = (text: string) => text.replace(/^\p{Extended_Pictographic}\uFE0F?\s*/u, '');

/** What every page knows: the words, the signed-in person (if any) and their form token. */
export interface View {
  t: TFunction;
  locale: Locale;
  user: ConsoleUser | null;
  csrf: string | null;
  /** This page's address, for the language switch to come back to. */
  path: string;
}

/**
 * htmx: no inline styles (the CSP allows none: no indicator style sheet, and `style` is not carried over when
 * a page is swapped in), and 4xx pages (refusals, form errors) are shown, not dropped.
 */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  attributesToSettle: ['class', 'width', 'height'],
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '4..', swap: true, error: false },
    { code: '...', swap: false, error: true },
  ],
});

export const Csrf: FC<{ v: View }> = ({ v }) =>
  v.csrf ? <input type="hidden" name="_csrf" value={v.csrf} /> : null;

export const Layout: FC<{ v: View; title: string; children?: Child }> = ({ v, title, children }) => {
  const { t, user } = v;
  return (
    <html lang={v.locale === 'zh-CN' ? 'zh-CN' : 'en'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${title} · ${t('console:app_name')}`}</title>
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/htmx.min.js" defer />
        <script src="/assets/console.js" defer />
      </head>
      <body hx-boost="true">
        <a class="skip" href="#main">
          {t('console:nav.skip')}
        </a>
        <header class="top">
          <a class="brand" href="/">
            {t('console:app_name')}
          </a>
          <nav aria-label={t('console:nav.label')}>
            {user?.roles.department ? <a href="/queue">{t('console:nav.queue')}</a> : null}
            {user ? <a href="/search">{t('console:search.nav')}</a> : null}
            {user?.roles.department || user?.roles.community ? (
              <a href="/file">{t('console:filing.nav')}</a>
            ) : null}
            {user ? <a href="/tell">{t('console:tell.nav')}</a> : null}
            {user?.roles.admin ? <a href="/audit">{t('console:audit.nav')}</a> : null}
            {user ? <a href="/figures">{t('console:nav.figures')}</a> : null}
            {user?.roles.labour ? <a href="/labour">{t('console:labour.nav')}</a> : null}
            {user?.roles.community || user?.roles.admin ? (
              <a href="/notices">{t('console:nav.notices')}</a>
            ) : null}
            <a href="/help">{t('console:nav.help')}</a>
          </nav>
          <div class="who">
            {user ? <span>{user.displayName ?? t('console:roles.admin')}</span> : null}
            {user ? (
              <form method="post" action="/lang" class="inline">
                <Csrf v={v} />
                <input type="hidden" name="back" value={v.path} />
                <input type="hidden" name="locale" value={v.locale === 'zh-CN' ? 'en' : 'zh-CN'} />
                <button type="submit" class="link" lang={v.locale === 'zh-CN' ? 'en' : 'zh-CN'}>
                  {t('console:nav.other_language')}
                </button>
              </form>
            ) : null}
            {user ? (
              <form method="post" action="/logout" class="inline">
                <Csrf v={v} />
                <button type="submit" class="link">
                  {t('console:nav.sign_out')}
                </button>
              </form>
            ) : null}
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
};

export const Notice: FC<{ text: string | null; kind?: 'ok' | 'error' }> = ({ text, kind = 'ok' }) =>
  text ? (
    <p class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {text}
    </p>
  ) : null;

/** Not signed in: how to sign in (and why the last session ended, if it did). */
export const SignInPage: FC<{ v: View; ended: string | null }> = ({ v, ended }) => (
  <Layout v={v} title={v.t('console:sign_in.title')}>
    <h1>{v.t('console:sign_in.title')}</h1>
    <Notice text={ended ? v.t(`console:sign_in.ended.${ended}`) : null} kind="error" />
    <ol class="steps">
      <li>{v.t('console:sign_in.step_send')}</li>
      <li>{v.t('console:sign_in.step_open')}</li>
      <li>{v.t('console:sign_in.step_confirm')}</li>
    </ol>
    <p>{v.t('console:sign_in.only_staff')}</p>
  </Layout>
);

export const ConfirmSignInPage: FC<{ v: View; name: string; token: string }> = ({ v, name, token }) => (
  <Layout v={v} title={v.t('console:login.title')}>
    <h1>{v.t('console:login.confirm', { name })}</h1>
    <form method="post" action={`/login/${token}`} hx-boost="false">
      <button type="submit" class="primary">
        {v.t('console:login.button')}
      </button>
    </form>
    <p class="muted">{v.t('console:login.not_you')}</p>
  </Layout>
);

export const LinkRefusedPage: FC<{ v: View; reason: string }> = ({ v, reason }) => (
  <Layout v={v} title={v.t('console:login.refused_title')}>
    <h1>{v.t('console:login.refused_title')}</h1>
    <Notice text={v.t(`console:login.refused.${reason}`)} kind="error" />
    <p>{v.t('console:login.again')}</p>
  </Layout>
);

/** Signed in without a department: what the console has for them now, and where the rest is. */
export const HomePage: FC<{ v: View; communityName: string | null }> = ({ v, communityName }) => {
  const { t, user } = v;
  return (
    <Layout v={v} title={t('console:home.title')}>
      <h1>{t('console:home.title')}</h1>
      <ul class="roles">
        {user?.roles.community ? (
          <li>{t('console:home.worker', { community: communityName ?? user.roles.community })}</li>
        ) : null}
        {user?.roles.admin ? <li>{t('console:home.admin')}</li> : null}
      </ul>
      <p>
        <a href="/search">{t('console:search.home')}</a>
      </p>
      {user?.roles.community ? (
        <p>
          <a href="/file">{t('console:filing.home')}</a>
        </p>
      ) : null}
      {user?.roles.admin ? (
        <p>
          <a href="/audit">{t('console:audit.home')}</a>
        </p>
      ) : null}
      <p>{t('console:home.no_queue')}</p>
    </Layout>
  );
};

export const ErrorPage: FC<{ v: View; title: string; text: string }> = ({ v, title, text }) => (
  <Layout v={v} title={title}>
    <h1>{title}</h1>
    <Notice text={text} kind="error" />
    <p>
      <a href="/">{v.t('console:errors.home')}</a>
    </p>
  </Layout>
);

export const HelpPage: FC<{ v: View }> = ({ v }) => {
  const keys: [string, string][] = [
    ['j', 'next'],
    ['k', 'previous'],
    ['t', 'take'],
    ['r', 'reply'],
    ['s', 'resolve'],
    ['?', 'help'],
  ];
  return (
    <Layout v={v} title={v.t('console:help.title')}>
      <h1>{v.t('console:help.title')}</h1>
      <p>{v.t('console:help.intro')}</p>
      <table class="keys">
        <caption>{v.t('console:help.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{v.t('console:help.key')}</th>
            <th scope="col">{v.t('console:help.does')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map(([key, what]) => (
            <tr>
              <td>
                <kbd>{key}</kbd>
              </td>
              <td>{v.t(`console:help.keys.${what}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>{v.t('console:help.no_js')}</p>
    </Layout>
  );
};

const Due: FC<{ v: View; status: StaffCard['status']; dueAt: string; overdue: boolean; now: Date }> = ({
  v,
  status,
  dueAt,
  overdue,
  now,
}) => {
  if (overdue) return <span class="badge overdue">{v.t('console:due.overdue')}</span>;
  if (isDueToday(status, new Date(dueAt), now))
    return <span class="badge today">{v.t('console:due.today')}</span>;
  return <span class="badge">{v.t('console:due.at', { at: compactTime(dueAt, v.t) })}</span>;
};

function queueHref(page: QueuePage, changes: Partial<{ filter: string; page: number }>): string {
  const q = new URLSearchParams();
  q.set('filter', changes.filter ?? page.filter);
  if (page.narrow.urgent) q.set('urgent', '1');
  if (page.narrow.overdue) q.set('overdue', '1');
  if (page.narrow.serviceCode) q.set('service', page.narrow.serviceCode);
  const p = changes.page ?? (changes.filter ? 0 : page.page);
  if (p > 0) q.set('page', String(p + 1));
  return `/queue?${q.toString()}`;
}

export const QueuePageView: FC<{
  v: View;
  page: QueuePage;
  services: readonly { code: string }[];
  notice: string | null;
  now: Date;
  /** A refused bulk action's words (case-extras.tsx). */
  error?: string | null;
  /** The bulk take / transfer form below the table (case-extras.tsx); its checkboxes are in the rows. */
  bulk?: Child;
}> = ({ v, page, services, notice, now, error, bulk }) => {
  const { t } = v;
  const department = v.locale === 'zh-CN' ? page.department.nameZh : page.department.nameEn;
  return (
    <Layout v={v} title={t('console:queue.title', { department })}>
      <h1>{t('console:queue.title', { department })}</h1>
      <Notice text={notice} />
      <Notice text={error ?? null} kind="error" />
      <div class="bar">
        <form method="post" action="/queue/next" class="inline">
          <Csrf v={v} />
          <button type="submit" class="primary" id="take-next">
            {t('console:queue.take_next')}
          </button>
        </form>
        <span class="muted">{t('console:queue.total', { count: page.total })}</span>
      </div>
      <nav class="tabs" aria-label={t('console:queue.filters_label')}>
        {QUEUE_FILTERS.map((f) => (
          <a href={queueHref(page, { filter: f })} aria-current={f === page.filter ? 'page' : undefined}>
            {t(`console:queue.filter.${f}`)}
          </a>
        ))}
      </nav>
      <form method="get" action="/queue" class="filters">
        <input type="hidden" name="filter" value={page.filter} />
        <label>
          <input type="checkbox" name="urgent" value="1" checked={page.narrow.urgent} />
          {t('console:queue.only_urgent')}
        </label>
        <label>
          <input type="checkbox" name="overdue" value="1" checked={page.narrow.overdue} />
          {t('console:queue.only_overdue')}
        </label>
        <label>
          {t('console:queue.service')}
          <select name="service">
            <option value="">{t('console:queue.all_services')}</option>
            {services.map((s) => (
              <option value={s.code} selected={s.code === page.narrow.serviceCode}>
                {serviceName(t, s.code)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('console:queue.apply')}</button>
      </form>
      {page.items.length === 0 ? (
        <p class="empty">{t('console:queue.empty')}</p>
      ) : (
        <table class="queue">
          <caption class="sr-only">{t('console:queue.caption')}</caption>
          <thead>
            <tr>
              {bulk ? (
                <th scope="col">
                  <span class="sr-only">{t('console:case_extras.bulk.pick_col')}</span>
                </th>
              ) : null}
              <th scope="col">{t('console:queue.col.number')}</th>
              <th scope="col">{t('console:queue.col.service')}</th>
              <th scope="col">{t('console:queue.col.status')}</th>
              <th scope="col">{t('console:queue.col.due')}</th>
              <th scope="col">{t('console:queue.col.holder')}</th>
              <th scope="col">
                <span class="sr-only">{t('console:queue.col.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((item) => (
              <tr data-row data-case={item.id} class={item.priority === 'urgent' ? 'urgent' : undefined}>
                {bulk ? (
                  <td>
                    <input
                      type="checkbox"
                      name="case"
                      value={item.id}
                      form="bulk"
                      aria-label={t('console:case_extras.bulk.pick', { number: item.number })}
                    />
                  </td>
                ) : null}
                <td>
                  <a href={`/cases/${item.id}`} class="case-link">
                    {item.number}
                  </a>
                  {item.priority === 'urgent' ? (
                    <span class="badge urgent">{t('console:urgent')}</span>
                  ) : null}
                </td>
                <td>{serviceName(t, item.serviceCode)}</td>
                <td>{t(`staff:status.${item.status}`)}</td>
                <td>
                  <Due v={v} status={item.status} dueAt={item.dueAt} overdue={item.overdue} now={now} />
                </td>
                <td>
                  {item.mine
                    ? t('console:queue.holder.me')
                    : item.assigned
                      ? t('console:queue.holder.other')
                      : t('console:queue.holder.nobody')}
                </td>
                <td>
                  {!item.assigned && item.status === 'submitted' ? (
                    <form method="post" action={`/cases/${item.id}/take`} class="inline">
                      <Csrf v={v} />
                      <button type="submit" data-take>
                        {t('console:case.take')}
                        <span class="sr-only"> {item.number}</span>
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.items.length > 0 ? bulk : null}
      {page.pages > 1 ? (
        <nav class="pages" aria-label={t('console:queue.pages_label')}>
          {page.page > 0 ? (
            <a href={queueHref(page, { page: page.page - 1 })}>{t('console:queue.previous')}</a>
          ) : null}
          <span>{t('console:queue.page', { page: page.page + 1, pages: page.pages })}</span>
          {page.page + 1 < page.pages ? (
            <a href={queueHref(page, { page: page.page + 1 })}>{t('console:queue.next')}</a>
          ) : null}
        </nav>
      ) : null}
    </Layout>
  );
};

/** A text box and its button, for one action on the case. */
const ActionForm: FC<{
  v: View;
  caseId: string;
  action: string;
  id: string;
  draft?: string;
  children?: Child;
}> = ({ v, caseId, action, id, draft, children }) => (
  <form method="post" action={`/cases/${caseId}/${action}`} class={`action action-${action}`}>
    <Csrf v={v} />
    <label for={id}>{v.t(`console:case.actions.${action}.label`)}</label>
    {children}
    <textarea id={id} name="text" rows={3} maxlength={STAFF_TEXT_MAX} required>
      {draft ?? ''}
    </textarea>
    <button type="submit">{v.t(`console:case.actions.${action}.button`)}</button>
  </form>
);

export interface CaseForms {
  /** Departments it may be transferred to (empty: no transfer form). */
  targets: { code: string; nameZh: string; nameEn: string }[];
  /** What was typed when the last action was refused, to keep it. */
  draft: { action: string; text: string } | null;
}

export const CasePage: FC<{
  v: View;
  card: StaffCard;
  forms: CaseForms;
  notice: string | null;
  error: string | null;
  /** Parts other page files add below the answers (case-extras.tsx); null: none. */
  extras?: Child[] | null;
}> = ({ v, card: c, forms, notice, error, extras }) => {
  const { t } = v;
  const service = serviceName(t, c.serviceCode);
  const draftOf = (action: string) => (forms.draft?.action === action ? forms.draft.text : undefined);
  const field = (stepId: string) =>
    t([`services:${c.serviceCode}.fields.${stepId}`, 'staff:card.other_field']);
  return (
    <Layout v={v} title={`${c.number} · ${service}`}>
      <p>
        <a href="/queue">{t('console:case.back')}</a>
      </p>
      <h1>
        {c.number} · {service}
        {c.priority === 'urgent' ? <span class="badge urgent">{t('console:urgent')}</span> : null}
      </h1>
      <Notice text={notice} />
      <Notice text={error} kind="error" />
      <div class="case">
        <section class="facts" aria-labelledby="facts-title">
          <h2 id="facts-title">{t('console:case.facts')}</h2>
          <dl>
            <dt>{t('console:case.status')}</dt>
            <dd>{t(`staff:status.${c.status}`)}</dd>
            <dt>{t('console:case.department')}</dt>
            <dd>{v.locale === 'zh-CN' ? c.department.nameZh : c.department.nameEn}</dd>
            <dt>{t('console:case.submitted')}</dt>
            <dd>{compactTime(c.submittedAt, v.t)}</dd>
            <dt>{t('console:case.due')}</dt>
            <dd>
              {compactTime(c.dueAt, v.t)}
              {c.overdue ? <span class="badge overdue">{t('console:due.overdue')}</span> : null}
            </dd>
            <dt>{t('console:case.holder')}</dt>
            <dd>{c.assignee ?? t('console:queue.holder.nobody')}</dd>
          </dl>
          <h2>{t('console:case.resident')}</h2>
          {c.anonymous ? (
            <p>{t('console:case.anonymous')}</p>
          ) : c.resident ? (
            <dl>
              <dt>{t('console:case.name')}</dt>
              <dd>{c.resident.name}</dd>
              <dt>{t('console:case.phone')}</dt>
              <dd>{c.resident.phoneMasked}</dd>
              <dt>{t('console:case.id_number')}</dt>
              <dd>{c.resident.idNumberMasked}</dd>
              <dt>{t('console:case.address')}</dt>
              <dd>
                {t('console:case.address_value', {
                  community: v.locale === 'zh-CN' ? c.resident.address.community : c.resident.communityEn,
                  building: v.locale === 'zh-CN' ? c.resident.address.building : c.resident.buildingEn,
                  unit: c.resident.address.unit,
                  room: c.resident.address.room,
                })}
              </dd>
              <dt>{t('console:household.people')}</dt>
              <dd>
                <a href={`/households/${c.resident.householdId}`}>{t('console:household.from_case')}</a>
              </dd>
              {c.resident.noTelegram ? (
                <>
                  <dt>Telegram</dt>
                  <dd>
                    <a href="#tell-title">{t('console:tell.no_telegram')}</a>
                  </dd>
                </>
              ) : null}
            </dl>
          ) : (
            <p>{t('console:case.no_resident')}</p>
          )}
          <h2>{t('console:case.answers')}</h2>
          <dl class="answers">
            {c.answers.map((a) => (
              <>
                <dt>{field(a.stepId)}</dt>
                <dd>
                  {a.label}
                  {a.files > 0 ? ` ${t('console:case.files', { count: a.files })}` : ''}
                </dd>
              </>
            ))}
          </dl>
          {c.attachments > 0 && !extras ? (
            <p class="muted">{t('console:case.attachments', { count: c.attachments })}</p>
          ) : null}
          {extras}
        </section>
        <section class="work" aria-labelledby="work-title">
          <h2 id="work-title">{t('console:case.work')}</h2>
          {c.can.take ? (
            <form method="post" action={`/cases/${c.id}/take`}>
              <Csrf v={v} />
              <button type="submit" class="primary" id="take">
                {t('console:case.take')}
              </button>
            </form>
          ) : null}
          {c.can.act ? (
            <>
              <ActionForm v={v} caseId={c.id} action="reply" id="reply-text" draft={draftOf('reply')} />
              <ActionForm v={v} caseId={c.id} action="ask" id="ask-text" draft={draftOf('ask')} />
              <ActionForm v={v} caseId={c.id} action="resolve" id="resolve-text" draft={draftOf('resolve')} />
              <ActionForm v={v} caseId={c.id} action="reject" id="reject-text" draft={draftOf('reject')} />
              {forms.targets.length > 0 ? (
                <ActionForm
                  v={v}
                  caseId={c.id}
                  action="transfer"
                  id="transfer-text"
                  draft={draftOf('transfer')}
                >
                  <select name="department" aria-label={t('console:case.actions.transfer.to')} required>
                    {forms.targets.map((d) => (
                      <option value={d.code}>{v.locale === 'zh-CN' ? d.nameZh : d.nameEn}</option>
                    ))}
                  </select>
                </ActionForm>
              ) : null}
            </>
          ) : null}
          {c.can.release ? (
            <form method="post" action={`/cases/${c.id}/release`}>
              <Csrf v={v} />
              <button type="submit">{t('console:case.actions.release.button')}</button>
            </form>
          ) : null}
          {!c.can.act && !c.can.take ? <p class="muted">{t('console:case.not_yours')}</p> : null}
          <ActionForm v={v} caseId={c.id} action="note" id="note-text" draft={draftOf('note')} />
        </section>
        <section class="history" aria-labelledby="history-title">
          <h2 id="history-title">{t('console:case.history')}</h2>
          <ol>
            {c.history.map((h) => (
              <li class={h.internal ? 'internal' : undefined}>
                <span class="when">{compactTime(h.at, v.t)}</span>{' '}
                <span class="who">
                  {h.actor ??
                    t(
                      `staff:actor.${h.actorKind === 'staff' ? 'staff' : h.actorKind === 'resident' ? 'resident' : 'system'}`,
                    )}
                </span>
                {' · '}
                <span class="what">{t([`staff:event.${h.kind}`, 'staff:event.other'])}</span>
                {h.internal ? <span class="badge">{t('console:case.internal')}</span> : null}
                {h.note ? <p class="note">{h.note}</p> : null}
              </li>
            ))}
          </ol>
        </section>
      </div>
    </Layout>
  );
};
