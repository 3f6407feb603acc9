// The sender's side of community notices: start a due notice (its recipients fixed in the same
// transaction), claim recipients (FOR UPDATE SKIP LOCKED, so instances never share one), record each
// attempt and its outcome, put a dead instance's work back (claimed → pending; in flight → uncertain),
// reserve send times on the shared pacer, and the figures for the author's progress message.
//
// Leases, retry times and the pacer use the database's clock, so instances whose clocks disagree still
// agree; whether a scheduled notice is due uses the application's clock (`now`), like every business rule.
// Columns are `timestamp without time zone` holding UTC (Prisma's convention).

import type { DeliveryRow, NoticeContent, ReportState, SenderStore } from '../../app/jobs/notice-sender.ts';
import { emptyCounts } from '../../domain/notice.ts';
import type { Db } from '../client.ts';
import { Prisma } from '../generated/client.ts';
import { writeAudit } from './cases.ts';
import { audienceSql, localeSql, mutedSql } from './notice-audience.ts';
import { audienceOf, deliveryCounts } from './notices.ts';

const NOW = Prisma.sql`(now() at time zone 'utc')`;
const ms = (n: number) => Prisma.sql`make_interval(secs => ${n / 1000})`;
const UNREACHABLE_BEFORE = 'unreachable before sending (blocked the bot or the account is gone)';
const LEFT = 'no longer registered when their turn came';
const IN_FLIGHT_LOST = 'the sender stopped while this message was being sent: it may or may not have arrived';

interface RawDelivery {
  broadcast_id: string;
  telegram_id: bigint;
  chat_id: bigint;
  locale: string;
  attempts: number;
}

const key = (row: DeliveryRow) =>
  Prisma.sql`broadcast_id = ${row.noticeId}::uuid and telegram_id = ${row.telegramId}`;

export function createNoticeDeliveryRepository(db: Db, opts: { defaultLocale: string }): SenderStore {
  return {
    async startDue(
      now: Date,
      today: string,
      admins: readonly number[],
    ): Promise<{ started: string[]; cancelled: string[] }> {
      const due = await db.notice.findMany({
        where: { status: 'scheduled', scheduledAt: { lte: now } },
        orderBy: [{ scheduledAt: 'asc' }, { id: 'asc' }],
        take: 5,
        select: {
          id: true,
          communityCode: true,
          audience: true,
          buildingIds: true,
          serviceCode: true,
          remindsId: true,
          important: true,
          authorTelegramId: true,
        },
      });
      const started: string[] = [];
      const cancelled: string[] = [];
      for (const b of due) {
        const outcome = await db.$transaction(async (tx) => {
          // The author must still be allowed to send to the community: an administrator, or an active
          // community worker of it, whose staff row is locked FOR SHARE until this commits — a removal
          // (which updates that row, then cancels their scheduled notices) either waits for the start, or
          // commits first and the notice is cancelled here, not sent. Row locks in the removal's order.
          const admin = admins.some((id) => BigInt(id) === b.authorTelegramId);
          const worker = admin
            ? []
            : await tx.$queryRaw<{ id: string }[]>(Prisma.sql`
                select id from staff_member
                 where telegram_id = ${b.authorTelegramId} and role = 'worker' and active
                   and community_code = ${b.communityCode}
                 for share`);
          if (!admin && worker.length === 0) {
            const stopped = await tx.notice.updateMany({
              where: { id: b.id, status: 'scheduled' },
              data: { status: 'cancelled', cancelledAt: now },
            });
            if (stopped.count !== 1) return 'gone' as const;
            await writeAudit(tx, null, {
              action: 'notice.cancelled',
              subject: `notice:${b.id}`,
              detail: { reason: 'author_not_allowed' },
            });
            return 'cancelled' as const;
          }
          // The status guard takes the row lock: a concurrent cancel or another instance waits, then finds
          // the notice no longer scheduled.
          const claimed = await tx.notice.updateMany({
            where: { id: b.id, status: 'scheduled' },
            data: { status: 'sending', startedAt: now },
          });
          if (claimed.count !== 1) return 'gone' as const;
          const recipients = await tx.$executeRaw(Prisma.sql`
            insert into broadcast_delivery
              (broadcast_id, telegram_id, chat_id, locale, status, next_attempt_at, finished_at, last_error)
            select ${b.id}::uuid, r.telegram_id, tu.chat_id, ${localeSql(opts.defaultLocale)},
                   (case when tu.unreachable then 'unreachable' else 'pending' end)::broadcast_delivery_status,
                   ${NOW},
                   case when tu.unreachable then ${NOW} end,
                   case when tu.unreachable then ${UNREACHABLE_BEFORE} end
            ${audienceSql(b.communityCode, audienceOf(b), today)}
            ${b.important ? Prisma.empty : Prisma.sql`and not ${mutedSql}`}
            on conflict do nothing`);
          await tx.notice.update({ where: { id: b.id }, data: { recipientCount: recipients } });
          return 'started' as const;
        });
        if (outcome === 'started') started.push(b.id);
        if (outcome === 'cancelled') cancelled.push(b.id);
      }
      return { started, cancelled };
    },

    async recoverExpired(): Promise<{ requeued: number; uncertain: number }> {
      const requeued = await db.$executeRaw(Prisma.sql`
        update broadcast_delivery set status = 'pending', claim_token = null, lease_until = null
         where status = 'claimed' and lease_until < ${NOW}`);
      // The claim token stays: if the sender was only slow, its late answer still records the truth.
      const uncertain = await db.$executeRaw(Prisma.sql`
        update broadcast_delivery set status = 'uncertain', finished_at = ${NOW}, lease_until = null,
               last_error = ${IN_FLIGHT_LOST}
         where status = 'sending' and lease_until < ${NOW}`);
      return { requeued, uncertain };
    },

    async claim(token: string, limit: number, leaseMs: number): Promise<DeliveryRow[]> {
      // A recipient who is no longer registered when their turn comes (they left and erased their data) is
      // not reached: recorded as unreachable in the same statement, never claimed.
      const rows = await db.$queryRaw<(RawDelivery & { present: boolean })[]>(Prisma.sql`
        update broadcast_delivery d
           set status = (case when pick.present then 'claimed' else 'unreachable' end)::broadcast_delivery_status,
               claim_token = case when pick.present then ${token}::uuid end,
               lease_until = case when pick.present then ${NOW} + ${ms(leaseMs)} end,
               finished_at = case when pick.present then null else ${NOW} end,
               last_error = case when pick.present then d.last_error else ${LEFT} end
          from (select c.broadcast_id, c.telegram_id,
                       exists (select 1 from resident r where r.telegram_id = c.telegram_id) as present
                  from broadcast_delivery c
                  join broadcast b on b.id = c.broadcast_id
                 where c.status = 'pending' and c.next_attempt_at <= ${NOW} and b.status = 'sending'
                   -- one message a second to one chat, also across notices and instances
                   and not exists (
                     select 1 from broadcast_delivery o
                      where o.telegram_id = c.telegram_id and o.broadcast_id <> c.broadcast_id
                        and (o.status in ('claimed', 'sending')
                             or o.sent_at > ${NOW} - ${ms(1000)}))
                 order by b.started_at, c.broadcast_id, c.telegram_id
                 limit ${limit}
                 for update of c skip locked) pick
         where d.broadcast_id = pick.broadcast_id and d.telegram_id = pick.telegram_id
        returning d.broadcast_id, d.telegram_id, d.chat_id, d.locale, d.attempts, pick.present`);
      return rows
        .filter((r) => r.present)
        .map((r) => ({
          noticeId: r.broadcast_id,
          telegramId: BigInt(r.telegram_id),
          chatId: BigInt(r.chat_id),
          locale: r.locale,
          attempts: Number(r.attempts),
        }))
        .sort((a, b) =>
          a.noticeId === b.noticeId
            ? Number(a.telegramId - b.telegramId)
            : a.noticeId.localeCompare(b.noticeId),
        );
    },

    async markSending(row: DeliveryRow, token: string, leaseMs: number): Promise<boolean> {
      const n = await db.$executeRaw(Prisma.sql`
        update broadcast_delivery
           set status = 'sending', attempts = attempts + 1, sent_at = ${NOW}, lease_until = ${NOW} + ${ms(leaseMs)}
         where ${key(row)} and status = 'claimed' and claim_token = ${token}::uuid`);
      return n === 1;
    },

    async finish(row, token, outcome): Promise<boolean> {
      const n = await db.$executeRaw(Prisma.sql`
        update broadcast_delivery
           set status = ${outcome.status}::broadcast_delivery_status, finished_at = ${NOW}, lease_until = null,
               message_id = ${outcome.messageId ?? null}::int, last_error = ${outcome.error ?? null}
         where ${key(row)} and claim_token = ${token}::uuid and status in ('sending', 'uncertain')`);
      return n === 1;
    },

    async retryLater(row, token, delayMs, opts): Promise<boolean> {
      const n = await db.$executeRaw(Prisma.sql`
        update broadcast_delivery
           set status = 'pending', claim_token = null, lease_until = null, finished_at = null,
               next_attempt_at = ${NOW} + ${ms(delayMs)},
               attempts = attempts - ${opts.refundAttempt ? 1 : 0},
               last_error = coalesce(${opts.error ?? null}, last_error)
         where ${key(row)} and claim_token = ${token}::uuid and status in ('claimed', 'sending', 'uncertain')`);
      return n === 1;
    },

    async release(rows: DeliveryRow[], token: string, delayMs: number): Promise<number> {
      if (rows.length === 0) return 0;
      return db.$executeRaw(Prisma.sql`
        update broadcast_delivery
           set status = 'pending', claim_token = null, lease_until = null, next_attempt_at = ${NOW} + ${ms(delayMs)}
         where claim_token = ${token}::uuid and status = 'claimed'
           and (broadcast_id, telegram_id) in (${Prisma.join(
             rows.map((r) => Prisma.sql`(${r.noticeId}::uuid, ${r.telegramId})`),
           )})`);
    },

    async reserveSlots(count: number, intervalMs: number): Promise<number> {
      const span = ms(count * intervalMs);
      const [row] = await db.$queryRaw<{ wait_ms: number }[]>(Prisma.sql`
        insert into broadcast_pacer as p (id, next_slot_at) values (1, ${NOW} + ${span})
        on conflict (id) do update set next_slot_at = greatest(p.next_slot_at, ${NOW}) + ${span}
        returning (extract(epoch from (p.next_slot_at - ${span} - ${NOW})) * 1000)::float8 as wait_ms`);
      return Math.max(0, Number(row?.wait_ms ?? 0));
    },

    async pauseAll(pauseMs: number): Promise<void> {
      await db.$executeRaw(Prisma.sql`
        insert into broadcast_pacer as p (id, next_slot_at) values (1, ${NOW} + ${ms(pauseMs)})
        on conflict (id) do update set next_slot_at = greatest(p.next_slot_at, ${NOW} + ${ms(pauseMs)})`);
    },

    async content(noticeId: string): Promise<NoticeContent | null> {
      const b = await db.notice.findUnique({
        where: { id: noticeId },
        select: {
          id: true,
          communityCode: true,
          textZh: true,
          textEn: true,
          photoFileId: true,
          important: true,
        },
      });
      if (!b) return null;
      const community = await db.community.findUnique({
        where: { code: b.communityCode },
        select: { nameZh: true, nameEn: true },
      });
      return {
        id: b.id,
        textZh: b.textZh ?? '',
        textEn: b.textEn,
        photoFileId: b.photoFileId,
        important: b.important,
        community: {
          nameZh: community?.nameZh ?? b.communityCode,
          nameEn: community?.nameEn ?? b.communityCode,
        },
      };
    },

    async markUserUnreachable(telegramId: bigint): Promise<void> {
      await db.telegramUser.updateMany({ where: { telegramId }, data: { unreachable: true } });
    },

    async finishIfComplete(noticeId: string, now: Date): Promise<boolean> {
      const r = await db.notice.updateMany({
        where: {
          id: noticeId,
          status: 'sending',
          deliveries: { none: { status: { in: ['pending', 'claimed', 'sending'] } } },
        },
        data: { status: 'done', finishedAt: now },
      });
      return r.count === 1;
    },

    async reportCandidates(): Promise<string[]> {
      const rows = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
        select id from broadcast
         where status = 'sending'
            or (status = 'done' and (report_message_id is null
                                     or (important and read_count <> reported_read_count)))
         order by started_at
         limit 50`);
      return rows.map((r) => r.id);
    },

    async takeReportTurn(noticeId: string, everyMs: number, holdMs: number): Promise<ReportState | null> {
      const [row] = await db.$queryRaw<
        {
          id: string;
          status: ReportState['status'];
          author_chat_id: bigint;
          author_locale: string;
          text_zh: string | null;
          important: boolean;
          recipient_count: number;
          read_count: number;
          reported_read_count: number;
          progress_message_id: number | null;
          report_message_id: number | null;
          started_at: Date | null;
          finished_at: Date | null;
        }[]
      >(Prisma.sql`
        update broadcast set reported_at = ${NOW} + ${ms(holdMs)}
         where id = ${noticeId}::uuid
           and (reported_at is null
                or reported_at <= ${NOW} - ${ms(everyMs)}
                -- the final report does not wait for the next progress edit, only for one being sent
                or (status = 'done' and report_message_id is null and reported_at <= ${NOW}))
        returning id, status, author_chat_id, author_locale, text_zh, important, recipient_count, read_count,
                  reported_read_count, progress_message_id, report_message_id, started_at, finished_at`);
      if (!row) return null;
      const counts = await deliveryCounts(db, [row.id]);
      return {
        id: row.id,
        status: row.status,
        authorChatId: BigInt(row.author_chat_id),
        authorLocale: row.author_locale,
        textZh: row.text_zh ?? '',
        important: row.important,
        recipientCount: Number(row.recipient_count),
        readCount: Number(row.read_count),
        reportedReadCount: Number(row.reported_read_count),
        progressMessageId: row.progress_message_id === null ? null : Number(row.progress_message_id),
        reportMessageId: row.report_message_id === null ? null : Number(row.report_message_id),
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        counts: counts.get(row.id) ?? emptyCounts(),
      };
    },

    async saveReport(noticeId, patch): Promise<void> {
      await db.$executeRaw(Prisma.sql`
        update broadcast
           set reported_at = ${NOW},
               progress_message_id = coalesce(${patch.progressMessageId ?? null}::int, progress_message_id),
               report_message_id = coalesce(${patch.reportMessageId ?? null}::int, report_message_id),
               reported_read_count = coalesce(${patch.reportedReadCount ?? null}::int, reported_read_count)
         where id = ${noticeId}::uuid`);
    },
  };
}
