// Figures for administrators (per department) and the rows of the case export. Personal fields are read
// only when the caller asks for them, and leave this repository still encrypted.
import type { CaseStatsStore, DepartmentFigures } from '../../app/admin.ts';
import type { ExportRow } from '../../app/case-export.ts';
import type { Db } from '../client.ts';

const EXPORT_PAGE = 1000;

export function createCaseStatsRepository(db: Db): CaseStatsStore {
  return {
    /**
     * Per active department: cases received since `since`; open and overdue now; for the cases received
     * since `since`, the median time to the first response and to resolution, and the average rating.
     */
    async departmentFigures(since: Date, now: Date): Promise<DepartmentFigures[]> {
      const rows = await db.$queryRaw<
        {
          code: string;
          name_zh: string;
          name_en: string;
          received: number;
          open: number;
          overdue: number;
          first_response: number | null;
          resolution: number | null;
          rating: number | null;
          ratings: number;
        }[]
      >`
        select d.code, d.name_zh, d.name_en,
               count(c.id) filter (where c.submitted_at >= ${since})::int as received,
               count(c.id) filter (where c.status in ('submitted', 'accepted', 'in_progress', 'waiting_resident'))::int
                 as open,
               count(c.id) filter (where c.status in ('submitted', 'accepted', 'in_progress', 'waiting_resident')
                                     and c.due_at < ${now})::int as overdue,
               (percentile_cont(0.5) within group (order by extract(epoch from c.first_response_at - c.submitted_at))
                 filter (where c.submitted_at >= ${since} and c.first_response_at is not null))::float8
                 as first_response,
               (percentile_cont(0.5) within group (order by extract(epoch from c.resolved_at - c.submitted_at))
                 filter (where c.submitted_at >= ${since} and c.resolved_at is not null))::float8 as resolution,
               (avg(c.rating) filter (where c.submitted_at >= ${since} and c.rating is not null))::float8 as rating,
               count(c.rating) filter (where c.submitted_at >= ${since})::int as ratings
          from department d left join "case" c on c.department_code = d.code
         where d.active
         group by d.code, d.name_zh, d.name_en, d.district_code
        having count(c.id) > 0
         order by d.district_code, d.code`;
      return rows.map((r) => ({
        code: r.code,
        nameZh: r.name_zh,
        nameEn: r.name_en,
        received: Number(r.received),
        open: Number(r.open),
        overdue: Number(r.overdue),
        medianFirstResponseSeconds: r.first_response === null ? null : Number(r.first_response),
        medianResolutionSeconds: r.resolution === null ? null : Number(r.resolution),
        averageRating: r.rating === null ? null : Number(r.rating),
        ratings: Number(r.ratings),
      }));
    },

    /** Cases submitted in [from, to) (of one department, or all), oldest first, a page at a time. */
    async *exportRows(
      from: Date,
      to: Date,
      withPersonalData: boolean,
      departmentCode: string | null = null,
    ): AsyncGenerator<ExportRow[]> {
      let cursor: string | undefined;
      for (;;) {
        const page = await db.case.findMany({
          where: { submittedAt: { gte: from, lt: to }, ...(departmentCode ? { departmentCode } : {}) },
          orderBy: [{ submittedAt: 'asc' }, { id: 'asc' }],
          take: EXPORT_PAGE,
          ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
          select: {
            id: true,
            number: true,
            serviceCode: true,
            departmentCode: true,
            status: true,
            priority: true,
            anonymous: true,
            submittedAt: true,
            dueAt: true,
            firstResponseAt: true,
            resolvedAt: true,
            closedAt: true,
            rating: true,
            department: { select: { nameZh: true } },
            assignee: { select: { displayName: true } },
            ...(withPersonalData
              ? {
                  resident: {
                    select: {
                      id: true,
                      name: true,
                      phoneCipher: true,
                      idNumberCipher: true,
                      household: {
                        select: {
                          unit: true,
                          room: true,
                          community: { select: { nameZh: true } },
                          building: { select: { nameZh: true } },
                        },
                      },
                    },
                  },
                }
              : {}),
          },
        });
        if (page.length === 0) return;
        yield page.map((c) => {
          const r = (c as { resident?: ResidentRow | null }).resident ?? null;
          return {
            number: c.number,
            serviceCode: c.serviceCode,
            departmentCode: c.departmentCode,
            departmentNameZh: c.department.nameZh,
            status: c.status,
            priority: c.priority,
            anonymous: c.anonymous,
            submittedAt: c.submittedAt,
            dueAt: c.dueAt,
            firstResponseAt: c.firstResponseAt,
            resolvedAt: c.resolvedAt,
            closedAt: c.closedAt,
            rating: c.rating,
            assignee: c.assignee?.displayName ?? null,
            // An anonymous suggestion never carries its resident, whoever asks.
            resident:
              r && !c.anonymous
                ? {
                    id: r.id,
                    name: r.name,
                    phoneCipher: r.phoneCipher,
                    idNumberCipher: r.idNumberCipher,
                    address: {
                      communityZh: r.household.community.nameZh,
                      buildingZh: r.household.building.nameZh,
                      unit: r.household.unit,
                      room: r.household.room,
                    },
                  }
                : null,
          };
        });
        if (page.length < EXPORT_PAGE) return;
        cursor = page.at(-1)?.id;
      }
    },
  };
}

interface ResidentRow {
  id: string;
  name: string;
  phoneCipher: Uint8Array;
  idNumberCipher: Uint8Array;
  household: {
    unit: string;
    room: string;
    community: { nameZh: string };
    building: { nameZh: string };
  };
}
