// The console's figures and its case export. Who may see what: department staff their own department; a
// community worker their own community (the cases of its residents); an admin any department, any community
// or everything. Every refusal is audited as the bot's refusals are; the export is audited (with personal
// data as a view of personal data, 'pii.export', and only for admins who confirmed it — the page asks).
// The figures, for the last FIGURE_WEEKS weeks (Monday to Sunday, Beijing time):
//   - cases received and resolved per week, and per week the median time to the first answer and to
//     resolution (of the cases received that week);
//   - per service, the share answered within the due time: a case counts once it is answered (resolved or
//     rejected) or its due time has passed; it is on time when answered by its due time. The due time is
//     the one the case got at submission, counted in working days over the calendar (src/domain/
//     working-days.ts, holidays and make-up days from the reference data), so this share follows it too;
//   - the ratings residents gave (1–5).
import { MAX_REFUSAL_AUDIT_ROWS_PER_HOUR } from '../../domain/abuse-limits.ts';
import { beijingDateString, beijingInstant } from '../../domain/beijing-time.ts';
import { toCsv } from '../../domain/csv.ts';
import { fail, ok, type Result } from '../../domain/result.ts';
import { type ExportRow, exportTable } from '../case-export.ts';
import type { NewAudit } from '../case-store.ts';
import type { PiiCipher } from '../pii-cipher.ts';
import type { ConsoleRoles } from './auth.ts';

export const FIGURE_WEEKS = 12;
/** The case list behind a bar shows at most this many (the count says how many there are). */
export const CASE_LIST_LIMIT = 200;
/** An export covers at most this many days. */
export const EXPORT_MAX_DAYS = 366;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export type FigureScope =
  | { kind: 'all' }
  | { kind: 'department'; code: string }
  | { kind: 'community'; code: string };

export interface WeekFigures {
  /** The week's Monday, YYYY-MM-DD (Beijing). */
  week: string;
  received: number;
  resolved: number;
  medianFirstAnswerSeconds: number | null;
  medianResolutionSeconds: number | null;
}

export interface ServiceTimeliness {
  serviceCode: string;
  /** Cases answered, or past their due time unanswered. */
  counted: number;
  onTime: number;
}

export interface Figures {
  scope: FigureScope;
  from: string;
  weeks: WeekFigures[];
  services: ServiceTimeliness[];
  /** Index 0 → one star … index 4 → five stars. */
  ratings: number[];
}

/** Which cases a bar stands for (the list it links to). */
export type CaseSelection =
  | { what: 'received' | 'resolved'; week: string }
  | { what: 'counted' | 'late'; serviceCode: string }
  | { what: 'rated'; rating: number };

export interface FigureCase {
  id: string;
  number: string;
  serviceCode: string;
  departmentCode: string;
  status: string;
  submittedAt: Date;
  dueAt: Date;
  answeredAt: Date | null;
  rating: number | null;
}

export interface Unit {
  code: string;
  nameZh: string;
  nameEn: string;
}

/** What the figures need from storage (src/db/repositories/console-figures.ts). */
export interface FiguresStore {
  weeks(scope: FigureScope, from: Date, to: Date): Promise<WeekFigures[]>;
  timeliness(scope: FigureScope, from: Date, now: Date): Promise<ServiceTimeliness[]>;
  ratings(scope: FigureScope, from: Date): Promise<{ rating: number; count: number }[]>;
  cases(
    scope: FigureScope,
    selection: CaseSelection,
    window: { from: Date; to: Date; now: Date },
    limit: number,
  ): Promise<{ rows: FigureCase[]; total: number }>;
  departments(): Promise<Unit[]>;
  communities(): Promise<Unit[]>;
  /** The export's rows: cases submitted in [from, to) of one department, or all. */
  exportRows(
    from: Date,
    to: Date,
    withPersonalData: boolean,
    departmentCode: string | null,
  ): AsyncGenerator<ExportRow[]>;
  audit(audit: NewAudit): Promise<void>;
  countAudit(actorTelegramId: number, action: string, since: Date): Promise<number>;
}

export interface FiguresDeps {
  store: FiguresStore;
  cipher: Pick<PiiCipher, 'decrypt'>;
  now: () => Date;
}

/** Who is asking: the console's session, whose roles were read again from the database at this request. */
export interface Asker {
  telegramId: number;
  roles: ConsoleRoles;
}

export type FiguresError = 'not_allowed' | 'invalid';

const sameScope = (a: FigureScope, b: FigureScope) =>
  a.kind === b.kind && (a.kind === 'all' || a.code === (b as { code: string }).code);

/** The scope someone sees when they ask for none: their department, else their community, else everything. */
export function defaultScope(roles: ConsoleRoles): FigureScope | null {
  if (roles.department) return { kind: 'department', code: roles.department.code };
  if (roles.community) return { kind: 'community', code: roles.community };
  return roles.admin ? { kind: 'all' } : null;
}

/** The Monday (Beijing) of the week `at` falls in, as YYYY-MM-DD. */
export function weekOf(at: Date): string {
  const day = beijingDateString(at);
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return new Date(new Date(`${day}T00:00:00Z`).getTime() - weekday * DAY_MS).toISOString().slice(0, 10);
}

const WEEK = /^\d{4}-\d{2}-\d{2}$/;

export function createFiguresService(deps: FiguresDeps) {
  const { store, now } = deps;

  async function refuse(
    asker: Asker,
    attempted: string,
    scope: unknown,
  ): Promise<{ ok: false; error: 'not_allowed' }> {
    const since = new Date(now().getTime() - HOUR_MS);
    if (
      (await store.countAudit(asker.telegramId, 'access.denied', since)) < MAX_REFUSAL_AUDIT_ROWS_PER_HOUR
    ) {
      await store.audit({
        actorTelegramId: asker.telegramId,
        action: 'access.denied',
        detail: { attempted, reason: 'not_allowed', scope },
      });
    }
    return fail('not_allowed');
  }

  /** Whether the asker may see this scope's figures. */
  function allowed(roles: ConsoleRoles, scope: FigureScope): boolean {
    if (roles.admin) return true;
    if (scope.kind === 'department') return roles.department?.code === scope.code;
    if (scope.kind === 'community') return roles.community === scope.code;
    return false;
  }

  async function check(asker: Asker, scope: FigureScope | null, attempted: string) {
    const wanted = scope ?? defaultScope(asker.roles);
    if (!wanted || !allowed(asker.roles, wanted)) return refuse(asker, attempted, scope);
    if (wanted.kind === 'department' && !(await store.departments()).some((d) => d.code === wanted.code))
      return fail('invalid' as const);
    if (wanted.kind === 'community' && !(await store.communities()).some((c) => c.code === wanted.code))
      return fail('invalid' as const);
    return ok(wanted);
  }

  /** The first Monday of the window and the end of the current week. */
  function window(at: Date) {
    const thisWeek = weekOf(at);
    const first = new Date(new Date(`${thisWeek}T00:00:00Z`).getTime() - (FIGURE_WEEKS - 1) * 7 * DAY_MS)
      .toISOString()
      .slice(0, 10);
    return {
      firstWeek: first,
      from: beijingInstant(first, 0),
      to: new Date(beijingInstant(thisWeek, 0).getTime() + 7 * DAY_MS),
    };
  }

  return {
    defaultScope,

    /** Every active department and community, by name (for labels: no figures in it). */
    async units(): Promise<{ departments: Unit[]; communities: Unit[] }> {
      const [departments, communities] = await Promise.all([store.departments(), store.communities()]);
      return { departments, communities };
    },

    /** The scopes the asker may choose between (admins: everything, each department, each community). */
    async choices(asker: Asker): Promise<{ departments: Unit[]; communities: Unit[]; all: boolean }> {
      const [departments, communities] = await Promise.all([store.departments(), store.communities()]);
      return {
        departments: departments.filter((d) => allowed(asker.roles, { kind: 'department', code: d.code })),
        communities: communities.filter((c) => allowed(asker.roles, { kind: 'community', code: c.code })),
        all: asker.roles.admin,
      };
    },

    async figures(asker: Asker, scope: FigureScope | null): Promise<Result<Figures, FiguresError>> {
      const checked = await check(asker, scope, 'figures');
      if (!checked.ok) return checked;
      const at = now();
      const w = window(at);
      const [weeks, services, ratings] = await Promise.all([
        store.weeks(checked.value, w.from, w.to),
        store.timeliness(checked.value, w.from, at),
        store.ratings(checked.value, w.from),
      ]);
      // Every week of the window, also those without a case (a chart with gaps reads as "no data").
      const byWeek = new Map(weeks.map((x) => [x.week, x]));
      const all: WeekFigures[] = [];
      for (let i = 0; i < FIGURE_WEEKS; i++) {
        const week = new Date(new Date(`${w.firstWeek}T00:00:00Z`).getTime() + i * 7 * DAY_MS)
          .toISOString()
          .slice(0, 10);
        all.push(
          byWeek.get(week) ?? {
            week,
            received: 0,
            resolved: 0,
            medianFirstAnswerSeconds: null,
            medianResolutionSeconds: null,
          },
        );
      }
      const stars = [0, 0, 0, 0, 0];
      for (const r of ratings) if (r.rating >= 1 && r.rating <= 5) stars[r.rating - 1] = r.count;
      return ok({ scope: checked.value, from: w.firstWeek, weeks: all, services, ratings: stars });
    },

    /** The cases behind one bar of a chart. */
    async cases(
      asker: Asker,
      scope: FigureScope | null,
      selection: CaseSelection,
    ): Promise<Result<{ scope: FigureScope; rows: FigureCase[]; total: number }, FiguresError>> {
      if ('week' in selection && !WEEK.test(selection.week)) return fail('invalid');
      if (
        'rating' in selection &&
        !(Number.isInteger(selection.rating) && selection.rating >= 1 && selection.rating <= 5)
      )
        return fail('invalid');
      if ('serviceCode' in selection && !/^[a-z0-9_-]{1,64}$/.test(selection.serviceCode))
        return fail('invalid');
      const checked = await check(asker, scope, 'figures_cases');
      if (!checked.ok) return checked;
      const at = now();
      const w = window(at);
      const list = await store.cases(
        checked.value,
        selection,
        { from: w.from, to: w.to, now: at },
        CASE_LIST_LIMIT,
      );
      return ok({ scope: checked.value, ...list });
    },

    /**
     * The cases submitted from `from` to `to` (Beijing dates, both included) as CSV. Department staff: their
     * department's, without personal data. Admins: one department or all; with personal data only when
     * `confirmed` (the page asked first). Audited either way.
     */
    async exportCases(
      asker: Asker,
      opts: { from: string; to: string; departmentCode: string | null; withPersonalData: boolean },
    ): Promise<Result<{ csv: string; rows: number }, FiguresError>> {
      if (!asker.roles.admin && !asker.roles.department) return refuse(asker, 'export', null);
      if (!WEEK.test(opts.from) || !WEEK.test(opts.to)) return fail('invalid');
      const from = beijingInstant(opts.from, 0);
      const to = new Date(beijingInstant(opts.to, 0).getTime() + DAY_MS);
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return fail('invalid');
      if (from >= to || to.getTime() - from.getTime() > EXPORT_MAX_DAYS * DAY_MS) return fail('invalid');
      const scope: FigureScope = opts.departmentCode
        ? { kind: 'department', code: opts.departmentCode }
        : { kind: 'all' };
      const mayExport =
        asker.roles.admin || (scope.kind === 'department' && asker.roles.department?.code === scope.code);
      if (!mayExport) return refuse(asker, 'export', scope);
      if (opts.withPersonalData && !asker.roles.admin) return refuse(asker, 'export_personal', scope);
      if (scope.kind === 'department' && !(await store.departments()).some((d) => d.code === scope.code))
        return fail('invalid');
      const { header, rows } = await exportTable(
        store.exportRows(from, to, opts.withPersonalData, opts.departmentCode),
        { withPersonalData: opts.withPersonalData, at: now(), cipher: deps.cipher },
      );
      await store.audit({
        actorTelegramId: asker.telegramId,
        action: opts.withPersonalData ? 'pii.export' : 'cases.export',
        subject: opts.departmentCode ? `department:${opts.departmentCode}` : null,
        detail: {
          from: from.toISOString(),
          to: to.toISOString(),
          rows: rows.length,
          withPersonalData: opts.withPersonalData,
          channel: 'console',
        },
      });
      return ok({ csv: toCsv(header, rows), rows: rows.length });
    },

    /** Someone who may not export asked for the export page (audited). */
    async refuseExport(asker: Asker): Promise<void> {
      await refuse(asker, 'export', null);
    },

    sameScope,
  };
}

export type FiguresService = ReturnType<typeof createFiguresService>;
