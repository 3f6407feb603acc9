// Who a notice's audience is, as SQL: used to count it for the worker before sending, and to fix the
// recipients into broadcast_delivery when sending starts, so both always mean the same people.
import { OPEN_STATUSES } from '../../domain/case-status.ts';
import { type Audience, SCHOOL_AGE } from '../../domain/notice.ts';
import { Prisma } from '../generated/client.ts';
import { belowRedLineSql, lookingSql } from './labour.ts';

/**
 * `from resident r join household h join telegram_user tu where …`: the registered residents of the
 * community that the audience describes. `today` (YYYY-MM-DD, Beijing) decides who is of school age.
 */
export function audienceSql(communityCode: string, audience: Audience, today: string): Prisma.Sql {
  return Prisma.sql`
    from resident r
    join household h on h.id = r.household_id
    join telegram_user tu on tu.telegram_id = r.telegram_id
    where h.community_code = ${communityCode} ${audienceFilter(audience, today)}`;
}

function audienceFilter(audience: Audience, today: string): Prisma.Sql {
  switch (audience.kind) {
    case 'community':
      return Prisma.empty;
    case 'buildings':
      return Prisma.sql`and h.building_id = any(${audience.buildingIds}::uuid[])`;
    case 'school_children':
      // Aged min..max on `today`: born after today − (max + 1) years and on or before today − min years.
      return Prisma.sql`and exists (
        select 1 from household_member m
         where m.household_id = h.id
           and m.birth_date > ${today}::date - make_interval(years => ${SCHOOL_AGE.max + 1})
           and m.birth_date <= ${today}::date - make_interval(years => ${SCHOOL_AGE.min}))`;
    case 'open_case':
      return Prisma.sql`and exists (
        select 1 from "case" c
         where c.resident_id = r.id
           and c.service_code = ${audience.serviceCode}
           and c.status::text = any(${[...OPEN_STATUSES]}::text[]))`;
    case 'unread':
      return Prisma.sql`and ${unreadSql(audience.noticeId)}`;
    case 'job_seekers':
      return Prisma.sql`and ${lookingSql(Prisma.sql`h.id`)}`;
    case 'no_one_employed':
      return Prisma.sql`and ${belowRedLineSql(Prisma.sql`h.id`, today)}`;
  }
}

/**
 * Resident `r` was sent the important notice `noticeId` (a row of its recipients, whatever became of the
 * sending) and has pressed "I have read this" neither on it nor on any reminder of it.
 */
export function unreadSql(noticeId: string): Prisma.Sql {
  return Prisma.sql`exists (
      select 1 from broadcast_delivery d
       where d.broadcast_id = ${noticeId}::uuid and d.telegram_id = r.telegram_id and d.read_at is null)
    and not exists (
      select 1 from broadcast_delivery rd join broadcast rb on rb.id = rd.broadcast_id
       where rb.reminds_id = ${noticeId}::uuid and rd.telegram_id = r.telegram_id and rd.read_at is not null)`;
}

/** The resident's language, as src/bot/i18n.ts resolveLocale decides it (stored choice, else the default). */
export function localeSql(defaultLocale: string): Prisma.Sql {
  return Prisma.sql`case when tu.locale in ('zh-CN', 'en') then tu.locale else ${defaultLocale} end`;
}

/** Residents who turned ordinary notices off. */
export const mutedSql = Prisma.sql`exists (select 1 from notice_preference p where p.telegram_id = r.telegram_id)`;
