// What submission needs to route a case: the department for a district and kind, the holiday calendar,
// who is on duty, and the district's schools and hospitals for the forms.
import type { RoutingLookup } from '../../app/case-store.ts';
import type { ContactLookup, FacilityStore, NamedOption, SchoolStage } from '../../app/reference.ts';
import type { DepartmentKind } from '../../domain/catalogue/index.ts';
import type { Db } from '../client.ts';
import { createCourseRepository } from './courses.ts';

export function createRoutingRepository(
  db: Db,
): RoutingLookup & FacilityStore & Pick<ContactLookup, 'department' | 'calendarExceptions' | 'windows'> {
  const { courses } = createCourseRepository(db);
  return {
    courses,
    async department(districtCode: string, kind: DepartmentKind) {
      return db.department.findFirst({
        where: { districtCode, kind, active: true },
        select: {
          code: true,
          casePrefix: true,
          nameZh: true,
          nameEn: true,
          windowNo: true,
          telegramGroupId: true,
        },
      });
    },

    async windows(districtCode: string) {
      return db.department.findMany({
        where: { districtCode, active: true },
        select: { windowNo: true, kind: true },
      });
    },

    async calendarExceptions(): Promise<Map<string, 'holiday' | 'workday'>> {
      const days = await db.calendarDay.findMany({ select: { date: true, kind: true } });
      return new Map(days.map((d) => [d.date.toISOString().slice(0, 10), d.kind]));
    },

    /** Telegram ids of the department's active, on-duty staff (alerted at once for an urgent case). */
    async onDutyStaff(departmentCode: string): Promise<bigint[]> {
      const rows = await db.staffMember.findMany({
        where: { departmentCode, role: 'staff', active: true, onDuty: true },
        select: { telegramId: true },
      });
      return rows.map((r) => r.telegramId);
    },

    async staffTelegramId(staffId: string): Promise<bigint | null> {
      const row = await db.staffMember.findFirst({
        where: { id: staffId, active: true },
        select: { telegramId: true },
      });
      return row?.telegramId ?? null;
    },

    async schools(districtCode: string, stage: SchoolStage): Promise<NamedOption[]> {
      return db.school.findMany({
        where: { districtCode, stage, active: true },
        select: { code: true, nameZh: true, nameEn: true },
        orderBy: { code: 'asc' },
      });
    },

    /** The district's designated hospitals first, then the others (a city hospital may serve everyone). */
    async hospitals(districtCode: string): Promise<NamedOption[]> {
      const rows = await db.hospital.findMany({
        where: { active: true },
        select: { code: true, nameZh: true, nameEn: true, districtCode: true },
        orderBy: { code: 'asc' },
      });
      return [
        ...rows.filter((h) => h.districtCode === districtCode),
        ...rows.filter((h) => h.districtCode !== districtCode),
      ];
    },
  };
}
