// Following up an important notice (community workers and admins, in the console): which households have not
// pressed "I have read this" yet, by building, unit and room — for knocking on doors — and "remind those who
// have not read it": a new notice to exactly those residents (audience 'unread': fixed when it starts, so
// whoever reads the original meanwhile is left out), sent by the ordinary notice sender at its pace. At most
// one reminder per notice an hour; each is audited. Who may: whoever may send notices to the notice's
// community (src/app/notices.ts decides, from the database, at every request).
import { z } from 'zod';
import { MAX_REFUSAL_AUDIT_ROWS_PER_HOUR } from '../../domain/abuse-limits.ts';
import { fail, ok, type Result } from '../../domain/result.ts';
import type { NewAudit } from '../case-store.ts';
import type { CommunityRef, NewNotice, NoticeStatus } from '../notices.ts';

export const REMIND_EVERY_MS = 3_600_000;
const HOUR_MS = 3_600_000;

export interface FollowedNotice {
  id: string;
  communityCode: string;
  textZh: string;
  textEn: string | null;
  photoFileId: string | null;
  important: boolean;
  status: NoticeStatus;
  /** Set on a reminder: the notice it reminds of. */
  remindsId: string | null;
  startedAt: Date | null;
  recipientCount: number;
  /** Recipients who read it, or a reminder of it. */
  readers: number;
  /** The latest reminder of it, if any. */
  lastReminderAt: Date | null;
}

export interface UnreadHousehold {
  buildingZh: string;
  buildingEn: string;
  unit: string;
  room: string;
  /** Residents of the household who were sent it and have not read it. */
  residents: number;
}

/** Storage (src/db/repositories/notice-followup.ts). */
export interface FollowUpStore {
  /** Important notices (not reminders) that have started, of these communities, newest first. */
  important(communityCodes: readonly string[] | 'all', limit: number): Promise<FollowedNotice[]>;
  find(noticeId: string): Promise<FollowedNotice | null>;
  unreadHouseholds(noticeId: string): Promise<UnreadHousehold[]>;
  /** The residents a reminder would reach now. */
  unreadResidents(noticeId: string): Promise<number>;
  createReminder(input: NewNotice, audit: NewAudit): Promise<{ id: string; created: boolean }>;
  audit(audit: NewAudit): Promise<void>;
  countAudit(actorTelegramId: number, action: string, since: Date): Promise<number>;
}

export interface FollowUpDeps {
  store: FollowUpStore;
  /** The communities this person may send notices to (src/app/notices.ts). */
  communitiesFor: (telegramId: number) => Promise<CommunityRef[]>;
  adminTelegramIds: readonly number[];
  now: () => Date;
}

export type FollowUpError = 'not_allowed' | 'not_found' | 'not_important' | 'nobody' | 'too_soon';

const uuid = z.uuid();

export function createNoticeFollowUp(deps: FollowUpDeps) {
  const { store, now } = deps;

  async function refuse(telegramId: number, attempted: string, subject: string | null) {
    const since = new Date(now().getTime() - HOUR_MS);
    if ((await store.countAudit(telegramId, 'access.denied', since)) < MAX_REFUSAL_AUDIT_ROWS_PER_HOUR) {
      await store.audit({
        actorTelegramId: telegramId,
        action: 'access.denied',
        subject,
        detail: { attempted, reason: 'not_allowed' },
      });
    }
    return fail('not_allowed' as const);
  }

  /** The notice, if this person may follow it up (a notice of a community they may not reach: refused). */
  async function noticeFor(
    telegramId: number,
    noticeId: string,
    attempted: string,
  ): Promise<Result<FollowedNotice, 'not_allowed' | 'not_found'>> {
    const found = uuid.safeParse(noticeId).success ? await store.find(noticeId) : null;
    if (!found || found.remindsId !== null) return fail('not_found');
    const mine = await deps.communitiesFor(telegramId);
    if (!mine.some((c) => c.code === found.communityCode))
      return refuse(telegramId, attempted, `notice:${noticeId}`);
    return ok(found);
  }

  const nextReminderAt = (n: FollowedNotice) =>
    n.lastReminderAt ? new Date(n.lastReminderAt.getTime() + REMIND_EVERY_MS) : null;

  return {
    /** The important notices of the communities this person may reach. */
    async list(
      telegramId: number,
    ): Promise<Result<{ notices: FollowedNotice[]; communities: CommunityRef[] }, 'not_allowed'>> {
      const communities = await deps.communitiesFor(telegramId);
      if (communities.length === 0) return refuse(telegramId, 'notice_followup', null);
      const all = deps.adminTelegramIds.includes(telegramId);
      const notices = await store.important(all ? 'all' : communities.map((c) => c.code), 30);
      return ok({ notices, communities });
    },

    /** One notice and its unread households, by building, unit and room. */
    async unread(
      telegramId: number,
      noticeId: string,
    ): Promise<
      Result<
        { notice: FollowedNotice; households: UnreadHousehold[]; nextReminderAt: Date | null },
        FollowUpError
      >
    > {
      const found = await noticeFor(telegramId, noticeId, 'notice_followup');
      if (!found.ok) return found;
      if (!found.value.important) return fail('not_important');
      const households = await store.unreadHouseholds(noticeId);
      return ok({ notice: found.value, households, nextReminderAt: nextReminderAt(found.value) });
    },

    /**
     * A reminder to those who have not read it, sent by the notice sender (its report comes to the person's
     * Telegram chat, as for a notice they wrote). Refused within an hour of the last one.
     */
    async remind(
      author: { telegramId: number; locale: string },
      noticeId: string,
    ): Promise<Result<{ id: string; residents: number }, FollowUpError>> {
      const found = await noticeFor(author.telegramId, noticeId, 'notice_remind');
      if (!found.ok) return found;
      const n = found.value;
      if (!n.important || n.startedAt === null) return fail('not_important');
      const next = nextReminderAt(n);
      if (next && next > now()) return fail('too_soon');
      const residents = await store.unreadResidents(noticeId);
      if (residents === 0) return fail('nobody');
      // Two presses at once (two tabs, two workers) see the same latest reminder, so make the same key: one
      // reminder.
      const requestKey = `remind:${noticeId}:${n.lastReminderAt?.toISOString() ?? 'first'}`;
      const made = await store.createReminder(
        {
          communityCode: n.communityCode,
          authorTelegramId: author.telegramId,
          authorChatId: author.telegramId,
          authorLocale: author.locale,
          textZh: n.textZh,
          textEn: n.textEn,
          photoFileId: n.photoFileId,
          audience: { kind: 'unread', noticeId },
          important: true,
          scheduledAt: now(),
          requestKey,
        },
        {
          actorTelegramId: author.telegramId,
          action: 'notice.reminded',
          subject: `notice:${noticeId}`,
          detail: { residents },
        },
      );
      if (!made.created) return fail('too_soon');
      return ok({ id: made.id, residents });
    },
  };
}

export type NoticeFollowUp = ReturnType<typeof createNoticeFollowUp>;
