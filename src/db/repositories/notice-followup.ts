// Following up important notices: their readers (on the notice or on a reminder of it), the unread
// households by building and room, and a reminder written with its audit row in one transaction.
import type { FollowedNotice, FollowUpStore } from '../../app/console/notice-followup.ts';
import type { Db } from '../client.ts';
import { Prisma } from '../generated/client.ts';
import { writeAudit } from './cases.ts';
import { unreadSql } from './notice-audience.ts';
import { insertNotice, noticeRow } from './notices.ts';

interface Row {
  id: string;
  communityCode: string;
  textZh: string | null;
  textEn: string | null;
  photoFileId: string | null;
  important: boolean;
  status: FollowedNotice['status'];
  remindsId: string | null;
  startedAt: Date | null;
  recipientCount: number;
  readers: number;
  lastReminderAt: Date | null;
}

const SELECT = Prisma.sql`
  select b.id, b.community_code as "communityCode", b.text_zh as "textZh", b.text_en as "textEn",
         b.photo_file_id as "photoFileId", b.important, b.status::text as status, b.reminds_id as "remindsId",
         b.started_at as "startedAt", b.recipient_count as "recipientCount",
         (select count(*)::int from broadcast_delivery d
           where d.broadcast_id = b.id
             and (d.read_at is not null or exists (
                   select 1 from broadcast_delivery rd join broadcast rb on rb.id = rd.broadcast_id
                    where rb.reminds_id = b.id and rd.telegram_id = d.telegram_id and rd.read_at is not null)))
           as readers,
         (select max(r.created_at) from broadcast r where r.reminds_id = b.id) as "lastReminderAt"
    from broadcast b`;

const toNotice = (r: Row): FollowedNotice => ({
  ...r,
  textZh: r.textZh ?? '',
  recipientCount: Number(r.recipientCount),
  readers: Number(r.readers),
});

export function createNoticeFollowUpRepository(db: Db): FollowUpStore {
  return {
    async important(communityCodes, limit) {
      const where =
        communityCodes === 'all'
          ? Prisma.empty
          : Prisma.sql`and b.community_code = any(${[...communityCodes]})`;
      const rows = await db.$queryRaw<Row[]>`
        ${SELECT}
         where b.important and b.reminds_id is null and b.started_at is not null ${where}
         order by b.started_at desc, b.id
         limit ${limit}`;
      return rows.map(toNotice);
    },

    async find(noticeId) {
      const [row] = await db.$queryRaw<Row[]>`${SELECT} where b.id = ${noticeId}::uuid`;
      return row ? toNotice(row) : null;
    },

    async unreadHouseholds(noticeId) {
      const rows = await db.$queryRaw<
        { buildingZh: string; buildingEn: string; unit: string; room: string; residents: number }[]
      >`
        select bl.name_zh as "buildingZh", bl.name_en as "buildingEn", h.unit, h.room, count(*)::int as residents
          from resident r
          join household h on h.id = r.household_id
          join building bl on bl.id = h.building_id
         where ${unreadSql(noticeId)}
         group by bl.code, bl.name_zh, bl.name_en, h.unit, h.room
         order by bl.code, length(h.unit), h.unit, length(h.room), h.room`;
      return rows.map((r) => ({ ...r, residents: Number(r.residents) }));
    },

    async unreadResidents(noticeId) {
      const [row] = await db.$queryRaw<{ n: number }[]>`
        select count(*)::int as n from resident r where ${unreadSql(noticeId)}`;
      return Number(row?.n ?? 0);
    },

    async createReminder(input, audit) {
      if (input.audience.kind !== 'unread') throw new Error('a reminder is for the unread');
      return db.$transaction(async (tx) => {
        const made = await insertNotice(tx, {
          ...noticeRow(input),
          important: true,
          // From the use case's clock (the column's default is the database server's time zone): the hour
          // between reminders is counted from it.
          createdAt: input.scheduledAt,
        });
        if (!made.created) return made;
        const id = made.id;
        await writeAudit(tx, null, { ...audit, detail: { ...(audit.detail ?? {}), reminder: id } });
        return { id, created: true };
      });
    },

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
