// Job recommendations on a case (src/app/job-offers.ts): the jobs arrive encrypted; each change writes its
// case event, notification and audit row in the same transaction.
import type { JobOfferStore, StoredJob } from '../../app/job-offers.ts';
import type { Db } from '../client.ts';
import { CASE_SELECT, writeAudit, writeNotifications, writeTells } from './cases.ts';
import { bytes } from './shared.ts';

const JOB_SELECT = { id: true, caseId: true, position: true, jobCipher: true, interestedAt: true } as const;

export function createJobOfferRepository(db: Db): JobOfferStore {
  return {
    findCase: (caseId) => db.case.findUnique({ where: { id: caseId }, select: CASE_SELECT }),

    jobs: (caseId): Promise<StoredJob[]> =>
      db.jobRecommendation.findMany({ where: { caseId }, orderBy: { position: 'asc' }, select: JOB_SELECT }),

    job: (jobId) => db.jobRecommendation.findUnique({ where: { id: jobId }, select: JOB_SELECT }),

    async add(caseId, jobs, sentBy, notification, audit, tells = []) {
      return db.$transaction(async (tx) => {
        // Lock the case: two sends at once number their jobs one after the other.
        await tx.$queryRaw`select id from "case" where id = ${caseId}::uuid for update`;
        const last = await tx.jobRecommendation.aggregate({ where: { caseId }, _max: { position: true } });
        const first = (last._max.position ?? 0) + 1;
        const at = new Date();
        await tx.jobRecommendation.createMany({
          data: jobs.map((j, i) => ({
            id: j.id,
            caseId,
            position: first + i,
            jobCipher: bytes(j.jobCipher),
            sentBy: BigInt(sentBy.telegramId),
            sentAt: at,
          })),
        });
        const event = await tx.caseEvent.create({
          data: { caseId, at, actorKind: 'staff', actorId: sentBy.staffId, kind: 'jobs_recommended' },
          select: { id: true },
        });
        await writeNotifications(tx, caseId, notification ? [notification] : []);
        await writeTells(tx, caseId, tells, event.id);
        await writeAudit(tx, caseId, audit);
        return jobs.map((_, i) => first + i);
      });
    },

    async markInterested(jobId, at, notification, { caseId, ...audit }) {
      return db.$transaction(async (tx) => {
        const { count } = await tx.jobRecommendation.updateMany({
          where: { id: jobId, interestedAt: null },
          data: { interestedAt: at },
        });
        if (count === 0) return 'again' as const;
        await tx.caseEvent.create({
          data: { caseId, at, actorKind: 'resident', kind: 'job_interest', visibleToResident: true },
        });
        await writeNotifications(tx, caseId, notification ? [notification] : []);
        await writeAudit(tx, caseId, audit);
        return 'recorded' as const;
      });
    },

    async staffTelegramId(staffId) {
      const row = await db.staffMember.findFirst({
        where: { id: staffId, active: true, removedAt: null },
        select: { telegramId: true },
      });
      return row?.telegramId ?? null;
    },
  };
}
