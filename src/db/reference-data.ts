// Reference data (districts, communities, buildings, departments, services, hospitals, schools, the
// holiday calendar) comes from a JSON file an administrator edits. Loading is idempotent: rows are matched
// by code and updated in place; rows that disappeared from the file are deactivated, never deleted, because
// households and cases point at them.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DEPARTMENT_KINDS } from '../domain/catalogue/definition.ts';
import { weekHoursSchema } from '../domain/opening-hours.ts';
import type { Db } from './client.ts';

const code = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _');
const names = { nameZh: z.string().min(1).max(100), nameEn: z.string().min(1).max(200) };
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const departmentKind = z.enum(DEPARTMENT_KINDS);

/** A mainland phone number as people dial it: digits, with `-` or spaces between groups (0856-3521234, 12345). */
const phone = z.string().regex(/^\+?\d[\d -]{2,18}\d$/, 'a phone number: digits, spaces and dashes');

const serviceCentreSchema = z.object({
  code,
  ...names,
  addressZh: z.string().min(1).max(200),
  addressEn: z.string().min(1).max(300),
  phone,
  /** Opening hours by weekday (`null`: closed), with an optional lunch break; holidays close it. */
  hours: weekHoursSchema,
  /** The communities whose residents it serves (each community at most one centre). */
  communities: z.array(code).min(1),
});

/** A skills-training course: its dates (the first and last day), place, seats and the districts it is for. */
const courseSchema = z
  .object({
    code,
    ...names,
    placeZh: z.string().min(1).max(200),
    placeEn: z.string().min(1).max(300),
    start: isoDate,
    end: isoDate,
    seats: z.number().int().min(1).max(10_000),
    districts: z.array(code).min(1),
  })
  .refine((c) => c.start <= c.end, { message: 'the course ends before it starts', path: ['end'] });

const referenceDataSchema = z.object({
  districts: z.array(z.object({ code, ...names })).min(1),
  communities: z
    .array(
      z.object({
        code,
        district: code,
        ...names,
        buildings: z
          .array(
            z.object({
              code: z.string().regex(/^[A-Za-z0-9-]{1,10}$/),
              units: z.number().int().min(1).max(20),
              nameZh: z.string().optional(),
              nameEn: z.string().optional(),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
  departments: z.array(
    z.object({
      code,
      district: code,
      kind: departmentKind,
      ...names,
      windowNo: z.string().min(1).max(10),
      casePrefix: z.string().regex(/^[A-Z]{2,5}$/),
      telegramGroupId: z.number().int().optional(),
    }),
  ),
  services: z.array(z.object({ code, departmentKind, ...names, sortOrder: z.number().int().default(0) })),
  hospitals: z.array(z.object({ code, district: code, ...names, level: z.string().max(20) })),
  schools: z.array(
    z.object({ code, district: code, stage: z.enum(['kindergarten', 'primary', 'junior']), ...names }),
  ),
  calendar: z.object({ holidays: z.array(isoDate), workdays: z.array(isoDate) }),
  serviceCentres: z.array(serviceCentreSchema).default([]),
  courses: z.array(courseSchema).default([]),
});

export type ReferenceData = z.infer<typeof referenceDataSchema>;

/**
 * Cross-references (every item's district exists; no day both a holiday and a working day), checked on the
 * raw JSON so that they are reported together with the shape problems, not only after those are fixed.
 */
function crossReferenceProblems(raw: unknown): string[] {
  const data = (raw ?? {}) as Record<string, unknown>;
  const list = (key: string) => (Array.isArray(data[key]) ? (data[key] as Record<string, unknown>[]) : []);
  const districts = new Set(list('districts').map((d) => d?.code));
  const problems: string[] = [];
  for (const key of ['communities', 'departments', 'hospitals', 'schools']) {
    list(key).forEach((item, i) => {
      if (item && !districts.has(item.district)) {
        problems.push(`${key}.${i}.district: unknown district "${String(item.district)}"`);
      }
    });
  }
  list('courses').forEach((course, i) => {
    const named = Array.isArray(course?.districts) ? course.districts : [];
    named.forEach((district: unknown, j: number) => {
      if (!districts.has(district))
        problems.push(`courses.${i}.districts.${j}: unknown district "${String(district)}"`);
    });
  });
  const communities = new Set(list('communities').map((c) => c?.code));
  const servedBy = new Map<unknown, unknown>();
  list('serviceCentres').forEach((centre, i) => {
    const served = Array.isArray(centre?.communities) ? centre.communities : [];
    served.forEach((community: unknown, j: number) => {
      if (!communities.has(community)) {
        problems.push(`serviceCentres.${i}.communities.${j}: unknown community "${String(community)}"`);
      } else if (servedBy.has(community)) {
        problems.push(
          `serviceCentres.${i}.communities.${j}: community "${String(community)}" is already served by "${String(servedBy.get(community))}"`,
        );
      } else servedBy.set(community, centre?.code);
    });
  });
  const calendar = (data.calendar ?? {}) as { holidays?: unknown; workdays?: unknown };
  const holidays = new Set(Array.isArray(calendar.holidays) ? calendar.holidays : []);
  for (const day of Array.isArray(calendar.workdays) ? calendar.workdays : []) {
    if (holidays.has(day)) problems.push(`calendar: ${String(day)} is both a holiday and a working day`);
  }
  return problems;
}

/**
 * The reference file has problems: `message` in English for the log; `places` are where (data paths like
 * `communities.3.district`, or "" when the file cannot be read at all), for the admin's own language.
 */
export class ReferenceDataError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly places: readonly string[],
  ) {
    super(message);
    this.name = 'ReferenceDataError';
  }
}

export async function readReferenceData(file: string): Promise<ReferenceData> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ReferenceDataError(
      `The reference data file ${file} cannot be read: ${(err as Error).message}`,
      file,
      [],
    );
  }
  const parsed = referenceDataSchema.safeParse(raw);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)),
    ...crossReferenceProblems(raw),
  ];
  if (!parsed.success || problems.length > 0) {
    throw new ReferenceDataError(
      `The reference data file ${file} has problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      file,
      problems.map((p) => p.split(':')[0] ?? p),
    );
  }
  return parsed.data;
}

export interface LoadSummary {
  districts: number;
  communities: number;
  buildings: number;
  departments: number;
  services: number;
  hospitals: number;
  schools: number;
  calendarDays: number;
  serviceCentres: number;
  courses: number;
}

/** A reference table keyed by code, as its Prisma delegate takes the two writes below. */
interface TableByCode<Row> {
  upsert(args: { where: { code: string }; create: Row; update: Row }): Promise<unknown>;
  updateMany(args: { where: { code: { notIn: string[] } }; data: { active: false } }): Promise<unknown>;
}

/** The columns every reference row has: its code and names, and active (it is in the file). */
const named = (x: { code: string; nameZh: string; nameEn: string }) => ({
  code: x.code,
  nameZh: x.nameZh,
  nameEn: x.nameEn,
  active: true,
});

/** Writes every row of the file and deactivates the rows the file no longer has. */
async function replaceByCode<Row extends { code: string }>(
  table: TableByCode<NoInfer<Row>>,
  rows: readonly Row[],
): Promise<void> {
  for (const row of rows) await table.upsert({ where: { code: row.code }, create: row, update: row });
  await table.updateMany({ where: { code: { notIn: rows.map((r) => r.code) } }, data: { active: false } });
}

export async function loadReferenceData(db: Db, data: ReferenceData): Promise<LoadSummary> {
  return db.$transaction(
    async (tx) => {
      for (const d of data.districts) {
        await tx.district.upsert({
          where: { code: d.code },
          create: { code: d.code, nameZh: d.nameZh, nameEn: d.nameEn },
          update: { nameZh: d.nameZh, nameEn: d.nameEn },
        });
      }
      // Centres before communities, which point at them.
      await replaceByCode(
        tx.serviceCentre,
        data.serviceCentres.map((sc) => ({
          ...named(sc),
          addressZh: sc.addressZh,
          addressEn: sc.addressEn,
          phone: sc.phone,
          hours: sc.hours,
        })),
      );
      const centreOf = new Map(data.serviceCentres.flatMap((sc) => sc.communities.map((c) => [c, sc.code])));
      let buildings = 0;
      for (const c of data.communities) {
        const row = {
          districtCode: c.district,
          nameZh: c.nameZh,
          nameEn: c.nameEn,
          serviceCentreCode: centreOf.get(c.code) ?? null,
          active: true,
        };
        await tx.community.upsert({ where: { code: c.code }, create: { code: c.code, ...row }, update: row });
        for (const b of c.buildings) {
          const building = {
            nameZh: b.nameZh ?? `${b.code}栋`,
            nameEn: b.nameEn ?? `Building ${b.code}`,
            units: b.units,
            active: true,
          };
          await tx.building.upsert({
            where: { communityCode_code: { communityCode: c.code, code: b.code } },
            create: { communityCode: c.code, code: b.code, ...building },
            update: building,
          });
          buildings++;
        }
        await tx.building.updateMany({
          where: { communityCode: c.code, code: { notIn: c.buildings.map((b) => b.code) } },
          data: { active: false },
        });
      }
      await tx.community.updateMany({
        where: { code: { notIn: data.communities.map((c) => c.code) } },
        data: { active: false },
      });
      await replaceByCode(
        tx.department,
        data.departments.map((d) => ({
          ...named(d),
          districtCode: d.district,
          kind: d.kind,
          windowNo: d.windowNo,
          casePrefix: d.casePrefix,
          telegramGroupId: d.telegramGroupId === undefined ? null : BigInt(d.telegramGroupId),
        })),
      );
      await replaceByCode(
        tx.service,
        data.services.map((s) => ({ ...named(s), departmentKind: s.departmentKind, sortOrder: s.sortOrder })),
      );
      await replaceByCode(
        tx.hospital,
        data.hospitals.map((h) => ({ ...named(h), districtCode: h.district, level: h.level })),
      );
      await replaceByCode(
        tx.school,
        data.schools.map((s) => ({ ...named(s), districtCode: s.district, stage: s.stage })),
      );
      await replaceByCode(
        tx.course,
        data.courses.map((c) => ({
          ...named(c),
          placeZh: c.placeZh,
          placeEn: c.placeEn,
          startsOn: new Date(`${c.start}T00:00:00Z`),
          endsOn: new Date(`${c.end}T00:00:00Z`),
          seats: c.seats,
          districtCodes: c.districts,
        })),
      );
      // The calendar is pure reference: the file is the whole truth, so it replaces what is stored.
      const days = [
        ...data.calendar.holidays.map((d) => ({
          date: new Date(`${d}T00:00:00Z`),
          kind: 'holiday' as const,
          noteZh: '',
        })),
        ...data.calendar.workdays.map((d) => ({
          date: new Date(`${d}T00:00:00Z`),
          kind: 'workday' as const,
          noteZh: '',
        })),
      ];
      await tx.calendarDay.deleteMany({});
      await tx.calendarDay.createMany({ data: days });
      return {
        districts: data.districts.length,
        communities: data.communities.length,
        buildings,
        departments: data.departments.length,
        services: data.services.length,
        hospitals: data.hospitals.length,
        schools: data.schools.length,
        calendarDays: days.length,
        serviceCentres: data.serviceCentres.length,
        courses: data.courses.length,
      };
    },
    { timeout: 60_000 },
  );
}
