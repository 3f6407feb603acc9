// The household file's employment, as SQL: the policy's red line ("households with labour but nobody
// employed", the same rule as src/domain/employment.ts `belowRedLine`), who is looking for work, and the
// staff's paged list of the households below the red line (/labour).
import type { LabourHouseholdRow, LabourScopeStore, LabourStore } from '../../app/labour.ts';
import { WORKING_AGE } from '../../domain/employment.ts';
import type { Db } from '../client.ts';
import { Prisma } from '../generated/client.ts';
import { writeAudit } from './cases.ts';

// No index of its own: the list and the audiences start from a community's households
// (household(community_code, building_id)), and each household's people are found by household_id
// (resident(household_id), and household_member(household_id, id_number_hash) whose first column it is).

/** Everyone of the household `householdId` (an SQL expression): its residents and its other members. */
function peopleSql(householdId: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(select birth_date, employment_status from resident where household_id = ${householdId}
                     union all
                     select birth_date, employment_status from household_member where household_id = ${householdId})`;
}

/**
 * The household `householdId` is below the red line on `today` (YYYY-MM-DD, Beijing): someone aged 16 to 60
 * who is neither a student nor out of the labour force (or has no status yet), and nobody employed locally or
 * away. Aged min..max: born on or before today − min years and after today − (max + 1) years.
 */
export function belowRedLineSql(householdId: Prisma.Sql, today: string): Prisma.Sql {
  return Prisma.sql`(exists (select 1 from ${peopleSql(householdId)} p
                             where p.birth_date <= ${today}::date - make_interval(years => ${WORKING_AGE.min})
                               and p.birth_date > ${today}::date - make_interval(years => ${WORKING_AGE.max + 1})
                               and (p.employment_status is null
                                    or p.employment_status not in ('student', 'not_in_labour_force')))
                     and not exists (select 1 from ${peopleSql(householdId)} p
                                      where p.employment_status in ('employed_local', 'employed_away')))`;
}

/** Someone of the household `householdId` is looking for work. */
export function lookingSql(householdId: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`exists (select 1 from ${peopleSql(householdId)} p where p.employment_status = 'looking')`;
}

export function createLabourRepository(db: Db): LabourStore {
  return {
    async isBelowRedLine(householdId, communityCodes, today) {
      const rows = await db.$queryRaw<{ id: string }[]>`
        select h.id from household h
         where h.id::text = ${householdId} and h.community_code = any(${[...communityCodes]}::text[])
           and ${belowRedLineSql(Prisma.sql`h.id`, today)}`;
      return rows.length > 0;
    },
    async belowRedLine(communityCodes, today, page, pageSize) {
      const where = Prisma.sql`h.community_code = any(${[...communityCodes]}::text[])
                               and ${belowRedLineSql(Prisma.sql`h.id`, today)}`;
      const [count] = await db.$queryRaw<{ total: bigint }[]>`
        select count(*) as total from household h where ${where}`;
      const total = count?.total ?? 0n;
      const rows = await db.$queryRaw<
        {
          household_id: string;
          community_code: string;
          building_zh: string;
          building_en: string;
          unit: string;
          room: string;
          resident_name: string;
          phone_cipher: Uint8Array;
          resident_id: string;
          people: bigint;
          looking: bigint;
          unknown: bigint;
        }[]
      >`
        select h.id as household_id, h.community_code, b.name_zh as building_zh, b.name_en as building_en,
               h.unit, h.room, r.name as resident_name, r.phone_cipher, r.id as resident_id,
               (select count(*) from ${peopleSql(Prisma.sql`h.id`)} p) as people,
               (select count(*) from ${peopleSql(Prisma.sql`h.id`)} p where p.employment_status = 'looking') as looking,
               (select count(*) from ${peopleSql(Prisma.sql`h.id`)} p where p.employment_status is null) as unknown
          from household h
          join building b on b.id = h.building_id
          join lateral (select id, name, phone_cipher from resident
                         where household_id = h.id order by created_at limit 1) r on true
         where ${where}
         order by h.community_code, b.code, h.unit, h.room, h.id
         limit ${pageSize} offset ${page * pageSize}`;
      return {
        total: Number(total),
        rows: rows.map(
          (r): LabourHouseholdRow => ({
            householdId: r.household_id,
            communityCode: r.community_code,
            building: { nameZh: r.building_zh, nameEn: r.building_en },
            unit: r.unit,
            room: r.room,
            residentId: r.resident_id,
            residentName: r.resident_name,
            phoneCipher: r.phone_cipher,
            people: Number(r.people),
            looking: Number(r.looking),
            unknown: Number(r.unknown),
          }),
        ),
      };
    },
  };
}

/** Who may see which communities' list, and its audit rows. */
export function createLabourScopeRepository(db: Db): LabourScopeStore {
  return {
    async labourCommunities(telegramId) {
      const rows = await db.$queryRaw<{ code: string }[]>`
        select c.code from community c
         where c.active
           and (exists (select 1 from staff_member s join department d on d.code = s.department_code
                         where s.telegram_id = ${BigInt(telegramId)} and s.active and s.removed_at is null
                           and s.role = 'staff' and d.kind = 'human_resources' and d.active
                           and d.district_code = c.district_code)
                or exists (select 1 from staff_member s
                            where s.telegram_id = ${BigInt(telegramId)} and s.active and s.removed_at is null
                              and s.role = 'worker' and s.community_code = c.code))
         order by c.code`;
      return rows.map((r) => r.code);
    },
    async allCommunities() {
      const rows = await db.community.findMany({ where: { active: true }, select: { code: true } });
      return rows.map((r) => r.code);
    },
    async audit(audit) {
      await writeAudit(db, null, audit);
    },
  };
}
