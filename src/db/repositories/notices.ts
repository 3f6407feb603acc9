// Community notices as the use cases see them: create (idempotent on the request key), find, list with
// figures, cancel while scheduled, read receipts, the residents' "ordinary notices off" preference, and
// the worker roles that decide who may reach which community. The sender's side is notice-deliveries.ts.
import type { AudienceSize, NewNotice, NoticeStore, NoticeSummary } from '../../app/notices.ts';
import { type Audience, DELIVERY_STATUSES, type DeliveryCounts, emptyCounts } from '../../domain/notice.ts';
import type { Db } from '../client.ts';
import { Prisma } from '../generated/client.ts';
import { audienceSql, mutedSql } from './notice-audience.ts';
import { createReferenceRepository } from './reference.ts';

const SUMMARY_SELECT = {
  id: true,
  communityCode: true,
  textZh: true,
  audience: true,
  buildingIds: true,
  serviceCode: true,
  remindsId: true,
  important: true,
  status: true,
  scheduledAt: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  recipientCount: true,
  readCount: true,
} as const;

type SummaryRow = Prisma.NoticeGetPayload<{ select: typeof SUMMARY_SELECT }>;

export function audienceOf(row: {
  audience: Audience['kind'];
  buildingIds: string[];
  serviceCode: string | null;
  remindsId?: string | null;
}): Audience {
  switch (row.audience) {
    case 'unread':
      return { kind: 'unread', noticeId: row.remindsId ?? '' };
    case 'buildings':
      return { kind: 'buildings', buildingIds: row.buildingIds };
    case 'open_case':
      return { kind: 'open_case', serviceCode: row.serviceCode ?? '' };
    default:
      return { kind: row.audience };
  }
}

function summary(row: SummaryRow, counts: DeliveryCounts): NoticeSummary {
  return {
    id: row.id,
    communityCode: row.communityCode,
    textZh: row.textZh ?? '',
    audience: audienceOf(row),
    important: row.important,
    status: row.status,
    scheduledAt: row.scheduledAt,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    recipientCount: row.recipientCount,
    readCount: row.readCount,
    counts,
  };
}

/** Per notice, how many recipients are in each delivery state. */
export async function deliveryCounts(db: Db, ids: readonly string[]): Promise<Map<string, DeliveryCounts>> {
  const out = new Map<string, DeliveryCounts>(ids.map((id) => [id, emptyCounts()]));
  if (ids.length === 0) return out;
  const rows = await db.noticeDelivery.groupBy({
    by: ['noticeId', 'status'],
    where: { noticeId: { in: [...ids] } },
    _count: { _all: true },
  });
  for (const r of rows) {
    const counts = out.get(r.noticeId);
    if (counts && (DELIVERY_STATUSES as readonly string[]).includes(r.status))
      counts[r.status] = r._count._all;
  }
  return out;
}

/** A notice's row as written (the audience's kind and its details in their columns). */
export function noticeRow(input: NewNotice) {
  return {
    communityCode: input.communityCode,
    authorTelegramId: BigInt(input.authorTelegramId),
    authorChatId: BigInt(input.authorChatId),
    authorLocale: input.authorLocale,
    textZh: input.textZh,
    textEn: input.textEn,
    photoFileId: input.photoFileId,
    audience: input.audience.kind,
    buildingIds: input.audience.kind === 'buildings' ? input.audience.buildingIds : [],
    serviceCode: input.audience.kind === 'open_case' ? input.audience.serviceCode : null,
    remindsId: input.audience.kind === 'unread' ? input.audience.noticeId : null,
    important: input.important,
    scheduledAt: input.scheduledAt,
    requestKey: input.requestKey,
  };
}

/**
 * Writes the notice once per request key: ON CONFLICT DO NOTHING, then read, so that two presses at once both
 * end with the one row; `created` says whether this call wrote it.
 */
export async function insertNotice(
  db: Prisma.TransactionClient,
  row: ReturnType<typeof noticeRow> & { createdAt?: Date },
): Promise<{ id: string; created: boolean }> {
  const inserted = await db.notice.createManyAndReturn({
    data: [row],
    skipDuplicates: true,
    select: { id: true },
  });
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const existing = await db.notice.findUniqueOrThrow({
    where: { requestKey: row.requestKey },
    select: { id: true },
  });
  return { id: existing.id, created: false };
}

export function createNoticeRepository(db: Db): NoticeStore {
  // Notices are rare and must see the communities as they are now: nothing kept.
  const reference = createReferenceRepository(db, { cacheMs: 0 });
  return {
    async workerCommunities(telegramId: number): Promise<string[]> {
      const rows = await db.staffMember.findMany({
        where: {
          telegramId: BigInt(telegramId),
          role: 'worker',
          active: true,
          removedAt: null,
          communityCode: { not: null },
        },
        select: { communityCode: true },
      });
      return [...new Set(rows.map((r) => r.communityCode).filter((c): c is string => c !== null))];
    },

    activeCommunities: () => reference.listCommunities(),
    buildings: (communityCode) => reference.listBuildings(communityCode),

    async audienceSize(communityCode: string, audience: Audience, today: string): Promise<AudienceSize> {
      const [row] = await db.$queryRaw<{ residents: bigint; muted: bigint; unreachable: bigint }[]>(
        Prisma.sql`select count(*) as residents,
                          count(*) filter (where ${mutedSql}) as muted,
                          count(*) filter (where tu.unreachable) as unreachable
                     ${audienceSql(communityCode, audience, today)}`,
      );
      return {
        residents: Number(row?.residents ?? 0),
        muted: Number(row?.muted ?? 0),
        unreachable: Number(row?.unreachable ?? 0),
      };
    },

    create: (input: NewNotice) => insertNotice(db, noticeRow(input)),

    async find(id: string): Promise<NoticeSummary | null> {
      const row = await db.notice.findUnique({ where: { id }, select: SUMMARY_SELECT });
      if (!row) return null;
      const counts = await deliveryCounts(db, [id]);
      return summary(row, counts.get(id) ?? emptyCounts());
    },

    async cancel(id: string, at: Date): Promise<boolean> {
      // Guarded by the status: the sender's start takes the same row lock, so exactly one of them wins.
      const r = await db.notice.updateMany({
        where: { id, status: 'scheduled' },
        data: { status: 'cancelled', cancelledAt: at },
      });
      return r.count === 1;
    },

    async list(communityCodes, page, pageSize) {
      const where = communityCodes === 'all' ? {} : { communityCode: { in: [...communityCodes] } };
      const [rows, total] = await Promise.all([
        db.notice.findMany({
          where,
          select: SUMMARY_SELECT,
          orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
          skip: page * pageSize,
          take: pageSize,
        }),
        db.notice.count({ where }),
      ]);
      const counts = await deliveryCounts(
        db,
        rows.map((r) => r.id),
      );
      return { rows: rows.map((r) => summary(r, counts.get(r.id) ?? emptyCounts())), total };
    },

    async markRead(
      id: string,
      telegramId: number,
      at: Date,
    ): Promise<'recorded' | 'again' | 'not_recipient'> {
      return db.$transaction(async (tx) => {
        const first = await tx.noticeDelivery.updateMany({
          where: {
            noticeId: id,
            telegramId: BigInt(telegramId),
            readAt: null,
            notice: { important: true },
          },
          data: { readAt: at },
        });
        if (first.count === 1) {
          await tx.notice.update({ where: { id }, data: { readCount: { increment: 1 } } });
          return 'recorded';
        }
        const known = await tx.noticeDelivery.findUnique({
          where: { noticeId_telegramId: { noticeId: id, telegramId: BigInt(telegramId) } },
          select: { readAt: true },
        });
        return known?.readAt ? 'again' : 'not_recipient';
      });
    },

    async setMuted(telegramId: number, muted: boolean): Promise<void> {
      if (muted) {
        await db.noticePreference.upsert({
          where: { telegramId: BigInt(telegramId) },
          create: { telegramId: BigInt(telegramId) },
          update: {},
        });
      } else {
        await db.noticePreference.deleteMany({ where: { telegramId: BigInt(telegramId) } });
      }
    },

    async isMuted(telegramId: number): Promise<boolean> {
      return (await db.noticePreference.count({ where: { telegramId: BigInt(telegramId) } })) > 0;
    },
  };
}
