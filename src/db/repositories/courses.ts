// Skills-training courses (reference data) with the seats their sign-up cases hold. The seats are counted
// from the case's plain `course_code` (not from the encrypted answers), here for the lists and inside the
// case's own transaction for the last seat (./cases.ts, takeSeat).
import type { CourseInfo } from '../../domain/course.ts';
import { SEAT_STATUSES } from '../../domain/course.ts';
import type { Db } from '../client.ts';
import { Prisma } from '../generated/client.ts';

type Tx = Prisma.TransactionClient;

/** The cases of `course` (a column reference) that hold a seat: open or resolved, or closed after resolving. */
const takenSql = (course: Prisma.Sql) => Prisma.sql`(
  select count(*)::int from "case" k
  where k.course_code = ${course}
    and (k.status::text = any(${[...SEAT_STATUSES]}) or (k.status = 'closed' and k.resolved_at is not null)))`;

interface CourseRow {
  code: string;
  name_zh: string;
  name_en: string;
  place_zh: string;
  place_en: string;
  start: string;
  end: string;
  seats: number;
  taken: number;
}

const courseOf = (r: CourseRow): CourseInfo => ({
  code: r.code,
  nameZh: r.name_zh,
  nameEn: r.name_en,
  placeZh: r.place_zh,
  placeEn: r.place_en,
  start: r.start,
  end: r.end,
  seats: r.seats,
  taken: r.taken,
});

export function createCourseRepository(db: Db) {
  return {
    /** The active courses for a district (started or not, full or not), each with its seats taken. */
    async courses(districtCode: string): Promise<CourseInfo[]> {
      const rows = await db.$queryRaw<CourseRow[]>`
        select c.code, c.name_zh, c.name_en, c.place_zh, c.place_en,
               to_char(c.starts_on, 'YYYY-MM-DD') as start, to_char(c.ends_on, 'YYYY-MM-DD') as "end",
               c.seats, ${takenSql(Prisma.sql`c.code`)} as taken
        from course c
        where c.active and ${districtCode} = any(c.district_codes)
        order by c.starts_on, c.code`;
      return rows.map(courseOf);
    },
  };
}

/**
 * Inside the transaction that files a sign-up case: whether the course still has a seat. The course row is
 * locked first (FOR UPDATE), so two residents taking its last seat at once are counted one after the other:
 * the second sees the first one's case and is refused. An unknown or inactive course has no seat.
 */
export async function seatLeft(tx: Tx, courseCode: string): Promise<boolean> {
  const [course] = await tx.$queryRaw<{ seats: number }[]>`
    select seats from course where code = ${courseCode} and active for update`;
  if (!course) return false;
  const [row] = await tx.$queryRaw<
    { taken: number }[]
  >`select ${takenSql(Prisma.sql`${courseCode}`)} as taken`;
  return (row?.taken ?? 0) < course.seats;
}
