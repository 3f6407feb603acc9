// Figures as pictures, and the case export (src/app/console/figures.ts decides who sees what and audits).
//   GET  /figures            ?scope=department:<code>|community:<code>|all — the charts, each with its table
//   GET  /figures/cases      the cases behind one bar: &what=received|resolved&week=YYYY-MM-DD,
//                            &what=counted|late&service=<code>, &what=rated&rating=1..5
//   GET  /export             the export form (dates; a department for admins; personal data for admins)
//   POST /export             without personal data: the CSV; with: the confirmation page first
//   POST /export/confirmed   with personal data, after the confirmation: the CSV (audited as pii.export)
import type { Context } from 'hono';
import type { Child, FC } from 'hono/jsx';
import type {
  CaseSelection,
  FigureCase,
  FigureScope,
  Figures,
  FiguresService,
  Unit,
} from '../../app/console/figures.ts';
import { formatDuration } from '../../bot/features/manage.ts';
import { compactTime } from '../../bot/format-time.ts';
import type { TFunction } from '../../bot/i18n.ts';
import { beijingDateString } from '../../domain/beijing-time.ts';
import type { ConsoleRoutes, Env } from './app.tsx';
import { GroupedBars, RowBars } from './charts.tsx';
import { Csrf, ErrorPage, Layout, serviceName, type View } from './pages.tsx';

const DAY_MS = 86_400_000;

export function scopeParam(scope: FigureScope): string {
  return scope.kind === 'all' ? 'all' : `${scope.kind}:${scope.code}`;
}

/** `?scope=` → a scope (null: the person's own); `undefined` when it names no scope at all. */
function parseScope(raw: string | undefined): FigureScope | null | undefined {
  if (raw === undefined || raw === '') return null;
  if (raw === 'all') return { kind: 'all' };
  const m = /^(department|community):([a-z0-9_-]{1,64})$/.exec(raw);
  if (!m) return undefined;
  return { kind: m[1] as 'department' | 'community', code: m[2] as string };
}

function parseSelection(q: Record<string, string>): CaseSelection | null {
  switch (q.what) {
    case 'received':
    case 'resolved':
      return q.week ? { what: q.what, week: q.week } : null;
    case 'counted':
    case 'late':
      return q.service ? { what: q.what, serviceCode: q.service } : null;
    case 'rated': {
      const rating = Number.parseInt(q.rating ?? '', 10);
      return Number.isFinite(rating) ? { what: 'rated', rating } : null;
    }
    default:
      return null;
  }
}

export function casesHref(scope: FigureScope, selection: CaseSelection): string {
  const q = new URLSearchParams({ scope: scopeParam(scope), what: selection.what });
  if ('week' in selection) q.set('week', selection.week);
  if ('serviceCode' in selection) q.set('service', selection.serviceCode);
  if ('rating' in selection) q.set('rating', String(selection.rating));
  return `/figures/cases?${q.toString()}`;
}

const unitName = (v: View, u: { nameZh: string; nameEn: string }) =>
  v.locale === 'zh-CN' ? u.nameZh : u.nameEn;

export function scopeName(v: View, scope: FigureScope, units: { departments: Unit[]; communities: Unit[] }) {
  if (scope.kind === 'all') return v.t('console:figures.scope_all');
  const list = scope.kind === 'department' ? units.departments : units.communities;
  const u = list.find((x) => x.code === scope.code);
  return u ? unitName(v, u) : scope.code;
}

/** "11月23日" / "23 Nov": a week by its Monday. */
export function weekLabel(t: TFunction, week: string): string {
  const [, m, d] = week.split('-').map(Number);
  return t('console:figures.week', { month: t(`time:month.${m}`), day: d });
}

const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 100));
const hours = (s: number | null) => (s === null ? 0 : Math.round((s / 3600) * 10) / 10);

const ScopePicker: FC<{
  v: View;
  scope: FigureScope;
  choices: { departments: Unit[]; communities: Unit[]; all: boolean };
  action: string;
}> = ({ v, scope, choices, action }) => {
  const current = scopeParam(scope);
  const options = [
    ...(choices.all ? [{ value: 'all', label: v.t('console:figures.scope_all') }] : []),
    ...choices.departments.map((d) => ({ value: `department:${d.code}`, label: unitName(v, d) })),
    ...choices.communities.map((c) => ({
      value: `community:${c.code}`,
      label: v.t('console:figures.scope_community', { community: unitName(v, c) }),
    })),
  ];
  if (options.length < 2) return null;
  return (
    <form method="get" action={action} class="filters">
      <label>
        {v.t('console:figures.scope')}
        <select name="scope">
          {options.map((o) => (
            <option value={o.value} selected={o.value === current}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">{v.t('console:figures.show')}</button>
    </form>
  );
};

/** A chart and its table side by side (one column on a phone). */
const Figure: FC<{ id: string; heading: string; note?: string; children?: Child }> = ({
  id,
  heading,
  note,
  children,
}) => (
  <section class="figure" aria-labelledby={`${id}-h`}>
    <h2 id={`${id}-h`}>{heading}</h2>
    {note ? <p class="muted">{note}</p> : null}
    <div class="figure-body">{children}</div>
  </section>
);

/** A count in a table, linking to its cases; its name starts with the number seen (then says what it is). */
const CountLink: FC<{ n: number; href: string; label: string }> = ({ n, href, label }) =>
  n > 0 ? (
    <a href={href}>
      {n}
      <span class="sr-only"> {label}</span>
    </a>
  ) : (
    <span>0</span>
  );

export const FiguresPage: FC<{
  v: View;
  figures: Figures;
  choices: { departments: Unit[]; communities: Unit[]; all: boolean };
  units: { departments: Unit[]; communities: Unit[] };
}> = ({ v, figures: f, choices, units }) => {
  const { t } = v;
  const where = scopeName(v, f.scope, units);
  const title = t('console:figures.title', { scope: where });
  const weekBars = f.weeks.map((w) => {
    const label = weekLabel(t, w.week);
    return {
      label,
      bars: [
        {
          value: w.received,
          label: t('console:figures.received_bar', { week: label, count: w.received }),
          href: casesHref(f.scope, { what: 'received', week: w.week }),
        },
        {
          value: w.resolved,
          label: t('console:figures.resolved_bar', { week: label, count: w.resolved }),
          href: casesHref(f.scope, { what: 'resolved', week: w.week }),
        },
      ],
    };
  });
  const timeBars = f.weeks.map((w) => {
    const label = weekLabel(t, w.week);
    const href = casesHref(f.scope, { what: 'received', week: w.week });
    return {
      label,
      bars: [
        {
          value: hours(w.medianFirstAnswerSeconds),
          label: t('console:figures.first_bar', {
            week: label,
            time: formatDuration(t, w.medianFirstAnswerSeconds),
          }),
          href: w.medianFirstAnswerSeconds === null ? null : href,
        },
        {
          value: hours(w.medianResolutionSeconds),
          label: t('console:figures.resolution_bar', {
            week: label,
            time: formatDuration(t, w.medianResolutionSeconds),
          }),
          href: w.medianResolutionSeconds === null ? null : href,
        },
      ],
    };
  });
  const ratingTotal = f.ratings.reduce((a, b) => a + b, 0);
  const average =
    ratingTotal === 0 ? null : f.ratings.reduce((sum, n, i) => sum + n * (i + 1), 0) / ratingTotal;
  const received = f.weeks.reduce((a, w) => a + w.received, 0);
  const resolved = f.weeks.reduce((a, w) => a + w.resolved, 0);
  return (
    <Layout v={v} title={title}>
      <h1>{title}</h1>
      <p class="muted">
        {t('console:figures.period', { from: weekLabel(t, f.from), weeks: f.weeks.length })}
      </p>
      <ScopePicker v={v} scope={f.scope} choices={choices} action="/figures" />
      <p>
        <a href={`/export`}>{t('console:figures.to_export')}</a>
      </p>

      <Figure id="weekly" heading={t('console:figures.weekly')}>
        <GroupedBars
          id="chart-weekly"
          title={t('console:figures.weekly_title', { scope: where })}
          desc={t('console:figures.weekly_desc', { received, resolved })}
          series={[
            { name: t('console:figures.received'), tone: 'a' },
            { name: t('console:figures.resolved'), tone: 'b' },
          ]}
          groups={weekBars}
        />
        <table class="data">
          <caption>{t('console:figures.weekly_table')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('console:figures.col_week')}</th>
              <th scope="col">{t('console:figures.received')}</th>
              <th scope="col">{t('console:figures.resolved')}</th>
            </tr>
          </thead>
          <tbody>
            {f.weeks.map((w, i) => (
              <tr>
                <th scope="row">{weekBars[i]?.label}</th>
                <td>
                  <CountLink
                    n={w.received}
                    href={casesHref(f.scope, { what: 'received', week: w.week })}
                    label={weekBars[i]?.bars[0]?.label ?? ''}
                  />
                </td>
                <td>
                  <CountLink
                    n={w.resolved}
                    href={casesHref(f.scope, { what: 'resolved', week: w.week })}
                    label={weekBars[i]?.bars[1]?.label ?? ''}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Figure>

      <Figure id="ontime" heading={t('console:figures.on_time')} note={t('console:figures.on_time_note')}>
        {f.services.length === 0 ? (
          <p class="empty">{t('console:figures.nothing_due')}</p>
        ) : (
          <>
            <RowBars
              id="chart-ontime"
              title={t('console:figures.on_time_title', { scope: where })}
              desc={t('console:figures.on_time_desc')}
              max={100}
              rows={f.services.map((s) => {
                const share = pct(s.onTime, s.counted);
                const name = serviceName(t, s.serviceCode);
                return {
                  label: name,
                  text: `${share}%`,
                  bar: {
                    value: share,
                    label: t('console:figures.on_time_bar', {
                      service: name,
                      share,
                      on_time: s.onTime,
                      count: s.counted,
                    }),
                    href: casesHref(f.scope, { what: 'counted', serviceCode: s.serviceCode }),
                  },
                };
              })}
            />
            <table class="data">
              <caption>{t('console:figures.on_time_table')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('console:figures.col_service')}</th>
                  <th scope="col">{t('console:figures.col_counted')}</th>
                  <th scope="col">{t('console:figures.col_on_time')}</th>
                  <th scope="col">{t('console:figures.col_late')}</th>
                  <th scope="col">{t('console:figures.col_share')}</th>
                </tr>
              </thead>
              <tbody>
                {f.services.map((s) => (
                  <tr>
                    <th scope="row">{serviceName(t, s.serviceCode)}</th>
                    <td>
                      <CountLink
                        n={s.counted}
                        href={casesHref(f.scope, { what: 'counted', serviceCode: s.serviceCode })}
                        label={t('console:figures.counted_link', {
                          service: serviceName(t, s.serviceCode),
                          count: s.counted,
                        })}
                      />
                    </td>
                    <td>{s.onTime}</td>
                    <td>
                      <CountLink
                        n={s.counted - s.onTime}
                        href={casesHref(f.scope, { what: 'late', serviceCode: s.serviceCode })}
                        label={t('console:figures.late_link', {
                          service: serviceName(t, s.serviceCode),
                          count: s.counted - s.onTime,
                        })}
                      />
                    </td>
                    <td>{`${pct(s.onTime, s.counted)}%`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Figure>

      <Figure id="times" heading={t('console:figures.times')} note={t('console:figures.times_note')}>
        <GroupedBars
          id="chart-times"
          title={t('console:figures.times_title', { scope: where })}
          desc={t('console:figures.times_desc')}
          unit={t('console:figures.hours_unit')}
          series={[
            { name: t('console:figures.first_answer'), tone: 'a' },
            { name: t('console:figures.resolution'), tone: 'b' },
          ]}
          groups={timeBars}
        />
        <table class="data">
          <caption>{t('console:figures.times_table')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('console:figures.col_week')}</th>
              <th scope="col">{t('console:figures.first_answer')}</th>
              <th scope="col">{t('console:figures.resolution')}</th>
            </tr>
          </thead>
          <tbody>
            {f.weeks.map((w) => (
              <tr>
                <th scope="row">{weekLabel(t, w.week)}</th>
                <td>{formatDuration(t, w.medianFirstAnswerSeconds)}</td>
                <td>{formatDuration(t, w.medianResolutionSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Figure>

      <Figure
        id="ratings"
        heading={t('console:figures.ratings')}
        note={
          average === null
            ? t('console:figures.no_ratings')
            : t('console:figures.average', { average: average.toFixed(1), count: ratingTotal })
        }
      >
        <GroupedBars
          id="chart-ratings"
          title={t('console:figures.ratings_title', { scope: where })}
          desc={t('console:figures.ratings_desc', { count: ratingTotal })}
          series={[{ name: t('console:figures.ratings_series'), tone: 'a' }]}
          groups={f.ratings.map((n, i) => ({
            label: t('console:figures.stars', { count: i + 1 }),
            bars: [
              {
                value: n,
                label: t('console:figures.rating_bar', { stars: i + 1, count: n }),
                href: casesHref(f.scope, { what: 'rated', rating: i + 1 }),
              },
            ],
          }))}
        />
        <table class="data">
          <caption>{t('console:figures.ratings_table')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('console:figures.col_rating')}</th>
              <th scope="col">{t('console:figures.col_cases')}</th>
            </tr>
          </thead>
          <tbody>
            {f.ratings.map((n, i) => (
              <tr>
                <th scope="row">{t('console:figures.stars', { count: i + 1 })}</th>
                <td>
                  <CountLink
                    n={n}
                    href={casesHref(f.scope, { what: 'rated', rating: i + 1 })}
                    label={t('console:figures.rating_bar', { stars: i + 1, count: n })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Figure>
    </Layout>
  );
};

function selectionTitle(t: TFunction, s: CaseSelection): string {
  switch (s.what) {
    case 'received':
    case 'resolved':
      return t(`console:figures.cases_${s.what}`, { week: weekLabel(t, s.week) });
    case 'counted':
    case 'late':
      return t(`console:figures.cases_${s.what}`, { service: serviceName(t, s.serviceCode) });
    case 'rated':
      return t('console:figures.cases_rated', { count: s.rating });
  }
}

export const FigureCasesPage: FC<{
  v: View;
  scope: FigureScope;
  selection: CaseSelection;
  rows: FigureCase[];
  total: number;
  scopeLabel: string;
}> = ({ v, scope, selection, rows, total, scopeLabel }) => {
  const { t } = v;
  const title = selectionTitle(t, selection);
  const myDepartment = v.user?.roles.department?.code;
  return (
    <Layout v={v} title={title}>
      <p>
        <a href={`/figures?scope=${encodeURIComponent(scopeParam(scope))}`}>{t('console:figures.back')}</a>
      </p>
      <h1>{title}</h1>
      <p class="muted">
        {scopeLabel} · {t('console:figures.cases_count', { count: total })}
        {total > rows.length ? ` ${t('console:figures.cases_first', { count: rows.length })}` : ''}
      </p>
      {rows.length === 0 ? (
        <p class="empty">{t('console:figures.cases_none')}</p>
      ) : (
        <table class="queue" id="figure-cases">
          <caption class="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t('console:queue.col.number')}</th>
              <th scope="col">{t('console:queue.col.service')}</th>
              <th scope="col">{t('console:queue.col.status')}</th>
              <th scope="col">{t('console:case.submitted')}</th>
              <th scope="col">{t('console:queue.col.due')}</th>
              <th scope="col">{t('console:figures.col_answered')}</th>
              <th scope="col">{t('console:figures.col_rating')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const late = r.answeredAt ? r.answeredAt > r.dueAt : null;
              return (
                <tr>
                  <td>
                    {r.departmentCode === myDepartment ? (
                      <a href={`/cases/${r.id}`} class="case-link">
                        {r.number}
                      </a>
                    ) : (
                      r.number
                    )}
                  </td>
                  <td>{serviceName(t, r.serviceCode)}</td>
                  <td>{t(`staff:status.${r.status}`)}</td>
                  <td>{compactTime(r.submittedAt, t)}</td>
                  <td>{compactTime(r.dueAt, t)}</td>
                  <td>
                    {r.answeredAt ? compactTime(r.answeredAt, t) : '—'}
                    {late === true ? <span class="badge overdue">{t('console:figures.late')}</span> : null}
                  </td>
                  <td>{r.rating === null ? '—' : t('console:figures.stars', { count: r.rating })}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Layout>
  );
};

/** The export's form; for admins, the department and the personal-data choice. */
export const ExportPage: FC<{
  v: View;
  from: string;
  to: string;
  departments: Unit[] | null;
  departmentCode: string | null;
  error: string | null;
}> = ({ v, from, to, departments, departmentCode, error }) => {
  const { t } = v;
  const admin = v.user?.roles.admin === true;
  return (
    <Layout v={v} title={t('console:export.title')}>
      <h1>{t('console:export.title')}</h1>
      {error ? (
        <p class="notice error" role="alert">
          {error}
        </p>
      ) : null}
      <p>{t('console:export.intro')}</p>
      <form method="post" action="/export" class="export-form" hx-boost="false">
        <Csrf v={v} />
        <label>
          {t('console:export.from')}
          <input type="date" name="from" value={from} required />
        </label>
        <label>
          {t('console:export.to')}
          <input type="date" name="to" value={to} required />
        </label>
        {departments ? (
          <label>
            {t('console:export.department')}
            <select name="department">
              {admin ? <option value="">{t('console:export.all_departments')}</option> : null}
              {departments.map((d) => (
                <option value={d.code} selected={d.code === departmentCode}>
                  {unitName(v, d)}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {admin ? (
          <fieldset>
            <legend>{t('console:export.what')}</legend>
            <label>
              <input type="radio" name="personal" value="0" checked />
              {t('console:export.plain')}
            </label>
            <label>
              <input type="radio" name="personal" value="1" />
              {t('console:export.personal')}
            </label>
          </fieldset>
        ) : (
          <p class="muted">{t('console:export.plain_only')}</p>
        )}
        <button type="submit" class="primary">
          {t('console:export.download')}
        </button>
      </form>
    </Layout>
  );
};

export const ExportConfirmPage: FC<{
  v: View;
  from: string;
  to: string;
  departmentCode: string;
  scopeLabel: string;
}> = ({ v, from, to, departmentCode, scopeLabel }) => {
  const { t } = v;
  return (
    <Layout v={v} title={t('console:export.confirm_title')}>
      <h1>{t('console:export.confirm_title')}</h1>
      <p class="notice error" role="alert">
        {t('console:export.confirm_text', { scope: scopeLabel, from, to })}
      </p>
      <form method="post" action="/export/confirmed" hx-boost="false" class="inline">
        <Csrf v={v} />
        <input type="hidden" name="from" value={from} />
        <input type="hidden" name="to" value={to} />
        <input type="hidden" name="department" value={departmentCode} />
        <button type="submit" class="primary" id="confirm-personal">
          {t('console:export.confirm_yes')}
        </button>
      </form>{' '}
      <a href="/export">{t('console:export.confirm_no')}</a>
    </Layout>
  );
};

/** A refusal's page (the use case wrote the audit row): 403 "not for you", or 404 for what does not exist. */
export function refusalPages(kit: ConsoleRoutes) {
  return {
    forbidden: (c: Context<Env>, what: 'figures' | 'export' | 'notices') => {
      const v = c.get('v');
      return kit.page(
        c,
        <ErrorPage
          v={v}
          title={v.t('console:errors.forbidden_title')}
          text={v.t(`console:${what}.forbidden`)}
        />,
        403,
      );
    },
    notFound: (c: Context<Env>) => {
      const v = c.get('v');
      return kit.page(
        c,
        <ErrorPage
          v={v}
          title={v.t('console:errors.not_found_title')}
          text={v.t('console:errors.no_page')}
        />,
        404,
      );
    },
  };
}

export function registerFigureRoutes(kit: ConsoleRoutes, figures: FiguresService): void {
  const { app } = kit;
  const { forbidden, notFound } = refusalPages(kit);
  const asker = (c: Context<Env>) => {
    const u = c.get('user');
    return { telegramId: u.telegramId, roles: u.roles };
  };
  const units = async (c: Context<Env>) => ({
    ...(await figures.units()),
    mine: await figures.choices(asker(c)),
  });

  app.get('/figures', async (c) => {
    const scope = parseScope(c.req.query('scope'));
    if (scope === undefined) return notFound(c);
    const result = await figures.figures(asker(c), scope);
    if (!result.ok) return result.error === 'invalid' ? notFound(c) : forbidden(c, 'figures');
    const u = await units(c);
    return kit.page(c, <FiguresPage v={c.get('v')} figures={result.value} choices={u.mine} units={u} />);
  });

  app.get('/figures/cases', async (c) => {
    const q = c.req.query();
    const scope = parseScope(q.scope);
    const selection = parseSelection(q);
    if (scope === undefined || !selection) return notFound(c);
    const result = await figures.cases(asker(c), scope, selection);
    if (!result.ok) return result.error === 'invalid' ? notFound(c) : forbidden(c, 'figures');
    const v = c.get('v');
    return kit.page(
      c,
      <FigureCasesPage
        v={v}
        scope={result.value.scope}
        selection={selection}
        rows={result.value.rows}
        total={result.value.total}
        scopeLabel={scopeName(v, result.value.scope, await units(c))}
      />,
    );
  });

  /** The export form's defaults: the last 30 days; staff: their department. */
  const exportForm = async (
    c: Context<Env>,
    input: { from?: string; to?: string; department?: string | null; error?: string | null },
    status: 200 | 422 = 200,
  ) => {
    const user = c.get('user');
    const today = beijingDateString(new Date());
    const monthAgo = beijingDateString(new Date(Date.now() - 29 * DAY_MS));
    const u = await units(c);
    const departments = user.roles.admin
      ? u.departments
      : u.departments.filter((d) => d.code === user.roles.department?.code);
    return kit.page(
      c,
      <ExportPage
        v={c.get('v')}
        from={input.from ?? monthAgo}
        to={input.to ?? today}
        departments={departments}
        departmentCode={input.department ?? user.roles.department?.code ?? null}
        error={input.error ?? null}
      />,
      status,
    );
  };

  app.get('/export', async (c) => {
    const user = c.get('user');
    if (!user.roles.admin && !user.roles.department) {
      await figures.refuseExport(asker(c));
      return forbidden(c, 'export');
    }
    return exportForm(c, {});
  });

  const sendCsv = async (c: Context<Env>, withPersonalData: boolean) => {
    const body = await c.req.parseBody();
    const from = typeof body.from === 'string' ? body.from : '';
    const to = typeof body.to === 'string' ? body.to : '';
    const department = typeof body.department === 'string' && body.department !== '' ? body.department : null;
    const wantsPersonal = withPersonalData || body.personal === '1';
    if (wantsPersonal && !withPersonalData && c.get('user').roles.admin) {
      // Personal data only after the confirmation page (its form posts to /export/confirmed).
      const v = c.get('v');
      const u = await units(c);
      const label = department
        ? scopeName(v, { kind: 'department', code: department }, u)
        : v.t('console:figures.scope_all');
      return kit.page(
        c,
        <ExportConfirmPage v={v} from={from} to={to} departmentCode={department ?? ''} scopeLabel={label} />,
      );
    }
    const result = await figures.exportCases(asker(c), {
      from,
      to,
      departmentCode:
        department ?? (c.get('user').roles.admin ? null : (c.get('user').roles.department?.code ?? null)),
      withPersonalData: wantsPersonal,
    });
    if (!result.ok) {
      if (result.error === 'not_allowed') return forbidden(c, 'export');
      return exportForm(c, { from, to, department, error: c.get('v').t('console:export.invalid') }, 422);
    }
    const name = `cases-${from.replaceAll('-', '')}-${to.replaceAll('-', '')}${wantsPersonal ? '-personal' : ''}.csv`;
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="${name}"`);
    return c.body(result.value.csv);
  };

  app.post('/export', (c) => sendCsv(c, false));
  app.post('/export/confirmed', (c) => sendCsv(c, true));
}
