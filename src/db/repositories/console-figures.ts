// The console's figures, counted in SQL (a county's year is 100,000 cases: nothing is read row by row), and
// the cases behind one bar of a chart. Weeks run Monday to Sunday in Beijing time. A case is "answered" when
// it was resolved (resolved_at) or rejected (the time of its 'rejected' event); "on time" when that was by
// its due time. Columns are `timestamp without time zone` holding UTC (Prisma's convention).
import type { CaseSelection, FigureCase, FigureScope, FiguresStore } from '../../app/console/figures.ts';
import type { Db } from '../client.ts';
import { Prisma } from '../generated/client.ts';
import { createCaseStatsRepository } from './case-stats.ts';
import { writeAudit } from './cases.ts';

/** The Monday of a UTC column's week in Beijing (UTC+8, no daylight saving), as YYYY-MM-DD. */
const WEEK_OF = (column: Prisma.Sql) =>
  Prisma.sql`to_char(date_trunc('week', ${column} + interval '8 hours'), 'YYYY-MM-DD')`;

/** When the case got its final answer: resolved, or rejected (rejection keeps no time on the case). */
const ANSWERED_AT = Prisma.sql`coalesce(c.resolved_at, (select min(e.at) from case_event e
  where e.case_id = c.id and e.kind = 'rejected'))`;

function scopeSql(scope: FigureScope): Prisma.Sql {
  if (scope.kind === 'department') return Prisma.sql`c.department_code = ${scope.code}`;
  if (scope.kind === 'community')
    return Prisma.sql`exists (select 1 from resident r join household h on h.id = r.household_id
                              where r.id = c.resident_id and h.community_code = ${scope.code})`;
  return Prisma.sql`true`;
}

const seconds = (v: number | null) => (v === null ? null : Number(v));

export function createConsoleFiguresRepository(db: Db): FiguresStore {
  const stats = createCaseStatsRepository(db);
  return {
    async weeks(scope, from, to) {
      const rows = await db.$queryRaw<
        {
          week: string;
          received: number;
          resolved: number;
          first: number | null;
          resolution: number | null;
        }[]
      >`
        with received as (
          select ${WEEK_OF(Prisma.sql`c.submitted_at`)} as week, count(*)::int as received,
                 (percentile_cont(0.5) within group (order by extract(epoch from c.first_response_at - c.submitted_at))
                   filter (where c.first_response_at is not null))::float8 as first,
                 (percentile_cont(0.5) within group (order by extract(epoch from c.resolved_at - c.submitted_at))
                   filter (where c.resolved_at is not null))::float8 as resolution
            from "case" c
           where ${scopeSql(scope)} and c.submitted_at >= ${from} and c.submitted_at < ${to}
           group by 1),
        resolved as (
          select ${WEEK_OF(Prisma.sql`c.resolved_at`)} as week, count(*)::int as resolved
            from "case" c
           where ${scopeSql(scope)} and c.resolved_at >= ${from} and c.resolved_at < ${to}
           group by 1)
        select coalesce(a.week, b.week) as week, coalesce(a.received, 0)::int as received,
               coalesce(b.resolved, 0)::int as resolved, a.first, a.resolution
          from received a full join resolved b on a.week = b.week`;
      return rows.map((r) => ({
        week: r.week,
        received: Number(r.received),
        resolved: Number(r.resolved),
        medianFirstAnswerSeconds: seconds(r.first),
        medianResolutionSeconds: seconds(r.resolution),
      }));
    },

    async timeliness(scope, from, now) {
      const rows = await db.$queryRaw<{ service: string; counted: number; on_time: number }[]>`
        select service_code as service, count(*)::int as counted,
               count(*) filter (where answered_at is not null and answered_at <= due_at)::int as on_time
          from (select c.service_code, c.due_at, ${ANSWERED_AT} as answered_at
                  from "case" c
                 where ${scopeSql(scope)} and c.submitted_at >= ${from}) x
         where answered_at is not null or due_at < ${now}
         group by service_code
         order by service_code`;
      return rows.map((r) => ({
        serviceCode: r.service,
        counted: Number(r.counted),
        onTime: Number(r.on_time),
      }));
    },

    async ratings(scope, from) {
      const rows = await db.$queryRaw<{ rating: number; count: number }[]>`
        select c.rating, count(*)::int as count from "case" c
         where ${scopeSql(scope)} and c.submitted_at >= ${from} and c.rating is not null
         group by c.rating`;
      return rows.map((r) => ({ rating: Number(r.rating), count: Number(r.count) }));
    },

    async cases(scope, selection, window, limit) {
      // Every case of the scope that the window's figures may count (received in it, or resolved in it),
      // with the columns the selection looks at; then the selection.
      const inner = Prisma.sql`
        select c.id, c.number, c.service_code as "serviceCode", c.department_code as "departmentCode",
               c.status::text as status, c.submitted_at as "submittedAt", c.due_at as "dueAt",
               c.resolved_at as "resolvedAt", ${ANSWERED_AT} as "answeredAt", c.rating
          from "case" c
         where ${scopeSql(scope)} and (c.submitted_at >= ${window.from} or c.resolved_at >= ${window.from})`;
      const where = selectionSql(selection, window);
      const [rows, [count]] = await Promise.all([
        db.$queryRaw<FigureCase[]>`
          select x.id, x.number, x."serviceCode", x."departmentCode", x.status, x."submittedAt", x."dueAt",
                 x."answeredAt", x.rating
            from (${inner}) x
           where ${where}
           order by x."submittedAt" desc, x.id
           limit ${limit}`,
        db.$queryRaw<{ total: number }[]>`select count(*)::int as total from (${inner}) x where ${where}`,
      ]);
      return { rows, total: count?.total ?? 0 };
    },

    async departments() {
      return db.department.findMany({
        where: { active: true },
        orderBy: [{ districtCode: 'asc' }, { code: 'asc' }],
        select: { code: true, nameZh: true, nameEn: true },
      });
    },

    async communities() {
      return db.community.findMany({
        orderBy: { code: 'asc' },
        select: { code: true, nameZh: true, nameEn: true },
      });
    },

    exportRows: (from, to, withPersonalData, departmentCode) =>
      stats.exportRows(from, to, withPersonalData, departmentCode),

    async audit(audit) {
      await db.$transaction((tx) => writeAudit(tx, null, audit));
    },

    async countAudit(actorTelegramId, action, since) {
      return db.auditLog.count({
        where: { actorTelegramId: BigInt(actorTelegramId), action, at: { gte: since } },
      });
    },
  };
}

/** The cases one bar stands for, as the figures above count them. */
function selectionSql(selection: CaseSelection, window: { from: Date; now: Date }): Prisma.Sql {
  const received = Prisma.sql`x."submittedAt" >= ${window.from}`;
  switch (selection.what) {
    case 'received':
      return Prisma.sql`${received} and ${WEEK_OF(Prisma.sql`x."submittedAt"`)} = ${selection.week}`;
    case 'resolved':
      return Prisma.sql`${WEEK_OF(Prisma.sql`x."resolvedAt"`)} = ${selection.week}`;
    case 'counted':
      return Prisma.sql`${received} and x."serviceCode" = ${selection.serviceCode}
        and (x."answeredAt" is not null or x."dueAt" < ${window.now})`;
    case 'late':
      return Prisma.sql`${received} and x."serviceCode" = ${selection.serviceCode}
        and ((x."answeredAt" is null and x."dueAt" < ${window.now}) or x."answeredAt" > x."dueAt")`;
    case 'rated':
      return Prisma.sql`${received} and x.rating = ${selection.rating}`;
  }
}
