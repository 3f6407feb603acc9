// Job recommendations on a job seeker's case (issue 15): the human-resources staff member who holds the case
// sends several jobs at once (employer, pay, place, contact); the resident gets them as a list with "I'm
// interested" on each; the staff member holding the case is told who is interested in which job, and the
// staff card lists them. Each job is encrypted (a contact is a person's phone), bound to its row; every step
// is audited. Which services are job seeking: their definition says so (`"recommendations": true`).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isOpen } from '../domain/case-status.ts';
import type { Catalogue } from '../domain/catalogue/index.ts';
import {
  isJobSeekingService,
  JOB_FIELDS,
  type Job,
  MAX_JOBS_PER_ANSWER,
  parseJobField,
} from '../domain/employment.ts';
import { fail, ok, type Result } from '../domain/result.ts';
import type { CaseRecord, NewAudit, NewNotification, NewTell } from './case-store.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';
import type { StaffAccess } from './staff/access.ts';
import { residentTells } from './staff/case-actions.ts';

export const JOBS_RECOMMENDED_KIND = 'resident.jobs_recommended';
export const JOB_INTEREST_KIND = 'staff.job_interest';

export interface StoredJob {
  id: string;
  caseId: string;
  position: number;
  jobCipher: Uint8Array;
  interestedAt: Date | null;
}

export interface JobOfferStore {
  findCase(caseId: string): Promise<CaseRecord | null>;
  jobs(caseId: string): Promise<StoredJob[]>;
  job(jobId: string): Promise<StoredJob | null>;
  /**
   * Adds the jobs after the case's existing ones (positions continue), with a case event the resident sees,
   * the resident's notification and the audit row, in one transaction. Returns the positions given.
   */
  add(
    caseId: string,
    jobs: { id: string; jobCipher: Uint8Array }[],
    sentBy: { telegramId: number; staffId: string },
    notification: NewNotification | null,
    audit: NewAudit,
    /** For a resident without Telegram: what to tell them instead of the notification. */
    tells?: NewTell[],
  ): Promise<number[]>;
  /** The first press only ('again' after it): sets `interested_at`, tells the assignee, audits. */
  markInterested(
    jobId: string,
    at: Date,
    notification: NewNotification | null,
    audit: NewAudit & { caseId: string },
  ): Promise<'recorded' | 'again'>;
  /** The Telegram id of an active staff member (the case's assignee), or null. */
  staffTelegramId(staffId: string): Promise<bigint | null>;
}

export interface JobOfferDeps {
  store: JobOfferStore;
  access: StaffAccess;
  cipher: PiiCipher;
  now: () => Date;
  /** Which services are job seeking (their definitions), retired ones included: their cases go on. */
  catalogue: Pick<Catalogue, 'get'>;
}

export interface JobView extends Job {
  id: string;
  position: number;
  interested: boolean;
}

/**
 * not_found: no such case or job for this caller (forged, someone else's); not_allowed: not a job seeker's
 * case, not the caller's own, or closed; invalid: a job's field refused.
 */
export type JobOfferError = 'not_found' | 'not_allowed' | 'invalid';

const jobInput = z.object(
  Object.fromEntries(JOB_FIELDS.map((f) => [f, z.string().max(1000)])) as Record<keyof Job, z.ZodString>,
);
const jobsInput = z.array(jobInput).min(1).max(MAX_JOBS_PER_ANSWER);
const uuid = z.uuid();

export function createJobOfferService(deps: JobOfferDeps) {
  const { store, access, cipher, now, catalogue } = deps;
  const jobSeeking = (serviceCode: string) => isJobSeekingService(catalogue.get(serviceCode));

  const read = (j: StoredJob): JobView => ({
    id: j.id,
    position: j.position,
    interested: j.interestedAt !== null,
    ...cipher.decryptJson<Job>(j.jobCipher, piiAt.jobRecommendation(j.id)),
  });

  /** The resident's own job seeker's case (by the Telegram id it was filed from), or null. */
  async function ownCase(telegramId: number, caseId: string): Promise<CaseRecord | null> {
    if (!uuid.safeParse(caseId).success) return null;
    const record = await store.findCase(caseId);
    return record && record.telegramId === BigInt(telegramId) && jobSeeking(record.serviceCode)
      ? record
      : null;
  }

  return {
    /** Whether a staff member may recommend jobs on this case now (the card's button). */
    recommendable(record: Pick<CaseRecord, 'serviceCode' | 'status' | 'assigneeId'>, staffId: string) {
      return jobSeeking(record.serviceCode) && isOpen(record.status) && record.assigneeId === staffId;
    },

    /** Checks a staff member may recommend jobs on the case (before the form starts, and again on sending). */
    async mayRecommend(
      telegramId: number,
      caseId: string,
    ): Promise<Result<{ number: string }, JobOfferError>> {
      const a = await access.access(telegramId, caseId, 'reply');
      if (!a.ok) return fail('not_found');
      const { me, record } = a.value;
      if (!jobSeeking(record.serviceCode) || !isOpen(record.status) || record.assigneeId !== me.id)
        return fail('not_allowed');
      return ok({ number: record.number });
    },

    /** Sends the jobs to the resident: stored encrypted, the resident notified, audited. */
    async recommend(
      telegramId: number,
      caseId: string,
      input: unknown,
    ): Promise<Result<{ positions: number[] }, JobOfferError>> {
      const a = await access.access(telegramId, caseId, 'reply');
      if (!a.ok) return fail('not_found');
      const { me, record } = a.value;
      if (!jobSeeking(record.serviceCode) || !isOpen(record.status) || record.assigneeId !== me.id)
        return fail('not_allowed');
      const parsed = jobsInput.safeParse(input);
      if (!parsed.success) return fail('invalid');
      const jobs: Job[] = [];
      for (const raw of parsed.data) {
        const job: Partial<Job> = {};
        for (const f of JOB_FIELDS) {
          const v = parseJobField(f, raw[f]);
          if (!v.ok) return fail('invalid');
          job[f] = v.value;
        }
        jobs.push(job as Job);
      }
      const rows = jobs.map((job) => {
        const id = randomUUID();
        return { id, jobCipher: cipher.encryptJson(job, piiAt.jobRecommendation(id)) };
      });
      const positions = await store.add(
        record.id,
        rows,
        { telegramId, staffId: me.id },
        record.telegramId === null
          ? null
          : { telegramId: record.telegramId, kind: JOBS_RECOMMENDED_KIND, payload: { count: rows.length } },
        {
          actorTelegramId: telegramId,
          action: 'case.jobs_recommended',
          detail: { staffId: me.id, count: rows.length },
        },
        residentTells(record, JOBS_RECOMMENDED_KIND, { count: String(rows.length) }),
      );
      return ok({ positions });
    },

    /** The jobs recommended on the resident's own case, numbered. */
    async jobsForResident(
      telegramId: number,
      caseId: string,
    ): Promise<Result<{ number: string; serviceCode: string; jobs: JobView[] }, JobOfferError>> {
      const record = await ownCase(telegramId, caseId);
      if (!record) return fail('not_found');
      const jobs = (await store.jobs(record.id)).map(read);
      return ok({ number: record.number, serviceCode: record.serviceCode, jobs });
    },

    /** The resident's "I'm interested": recorded once; the staff member holding the case is told. */
    async interested(
      telegramId: number,
      jobId: string,
    ): Promise<Result<{ job: JobView; again: boolean; caseId: string }, JobOfferError>> {
      if (!uuid.safeParse(jobId).success) return fail('not_found');
      const stored = await store.job(jobId);
      const record = stored ? await ownCase(telegramId, stored.caseId) : null;
      if (!stored || !record) return fail('not_found');
      if (!isOpen(record.status)) return fail('not_allowed');
      const assignee = record.assigneeId ? await store.staffTelegramId(record.assigneeId) : null;
      const outcome = await store.markInterested(
        stored.id,
        now(),
        assignee === null
          ? null
          : { telegramId: assignee, kind: JOB_INTEREST_KIND, payload: { position: stored.position } },
        {
          actorTelegramId: telegramId,
          action: 'case.job_interest',
          caseId: record.id,
          subject: `job:${stored.id}`,
          detail: { position: stored.position },
        },
      );
      return ok({
        job: { ...read(stored), interested: true },
        again: outcome === 'again',
        caseId: record.id,
      });
    },

    /** The jobs of a case for its department's staff (the card): audited as a view of the case's data. */
    async jobsForStaff(telegramId: number, caseId: string): Promise<Result<JobView[], JobOfferError>> {
      const a = await access.access(telegramId, caseId, 'view');
      if (!a.ok) return fail('not_found');
      if (!jobSeeking(a.value.record.serviceCode)) return ok([]);
      return ok((await store.jobs(caseId)).map(read));
    },
  };
}

export type JobOfferService = ReturnType<typeof createJobOfferService>;
