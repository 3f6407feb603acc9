// Community notices, the use cases: who may reach which community, how many residents an audience is,
// composing (validated again here, whatever the front end sent), cancelling a scheduled notice, the list
// with figures, a resident's "I have read this", and a resident's choice to turn ordinary notices off.
// Every call that acts for a worker checks their right again against the database (StaffMember rows) or
// the admin ids of the configuration: a removed worker loses it on their very next press.
import { z } from 'zod';
import type { Catalogue } from '../domain/catalogue/index.ts';
import {
  type Audience,
  audienceDay,
  type DeliveryCounts,
  type NoticeDraft,
  type NoticeProblem,
  noticeProblems,
} from '../domain/notice.ts';
import type { Result } from '../domain/result.ts';

export type NoticeStatus = 'scheduled' | 'sending' | 'done' | 'cancelled';

export interface CommunityRef {
  code: string;
  nameZh: string;
  nameEn: string;
}

export interface AudienceSize {
  /** Registered residents the audience describes. */
  residents: number;
  /** Of those, how many turned ordinary notices off (they still get important ones). */
  muted: number;
  /** Of those, how many Telegram already told us cannot be reached (blocked the bot, account gone). */
  unreachable: number;
}

export interface NewNotice {
  communityCode: string;
  authorTelegramId: number;
  authorChatId: number;
  authorLocale: string;
  textZh: string;
  textEn: string | null;
  photoFileId: string | null;
  audience: Audience;
  important: boolean;
  scheduledAt: Date;
  requestKey: string;
}

export interface NoticeSummary {
  id: string;
  communityCode: string;
  textZh: string;
  audience: Audience;
  important: boolean;
  status: NoticeStatus;
  scheduledAt: Date;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  recipientCount: number;
  readCount: number;
  counts: DeliveryCounts;
}

/** What the use cases need from storage (src/db/repositories/notices.ts). */
export interface NoticeStore {
  workerCommunities(telegramId: number): Promise<string[]>;
  activeCommunities(): Promise<CommunityRef[]>;
  buildings(communityCode: string): Promise<{ id: string; code: string; nameZh: string; nameEn: string }[]>;
  audienceSize(communityCode: string, audience: Audience, today: string): Promise<AudienceSize>;
  create(input: NewNotice): Promise<{ id: string; created: boolean }>;
  find(id: string): Promise<NoticeSummary | null>;
  /** Only while it is still scheduled; false when it has started (or was cancelled) meanwhile. */
  cancel(id: string, at: Date): Promise<boolean>;
  list(
    communityCodes: readonly string[] | 'all',
    page: number,
    pageSize: number,
  ): Promise<{ rows: NoticeSummary[]; total: number }>;
  markRead(id: string, telegramId: number, at: Date): Promise<'recorded' | 'again' | 'not_recipient'>;
  setMuted(telegramId: number, muted: boolean): Promise<void>;
  isMuted(telegramId: number): Promise<boolean>;
}

export interface NoticeDeps {
  store: NoticeStore;
  catalogue: Catalogue;
  adminTelegramIds: readonly number[];
  now: () => Date;
}

export type NoticeError = 'not_allowed' | 'not_found' | 'invalid';

export const NOTICES_PAGE_SIZE = 5;

const uuid = z.uuid();
const audienceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('community') }),
  z.object({ kind: z.literal('buildings'), buildingIds: z.array(uuid).min(1).max(200) }),
  z.object({ kind: z.literal('school_children') }),
  z.object({ kind: z.literal('open_case'), serviceCode: z.string().min(1).max(64) }),
  z.object({ kind: z.literal('job_seekers') }),
  z.object({ kind: z.literal('no_one_employed') }),
]);
const draftSchema = z.object({
  communityCode: z.string().min(1).max(64),
  textZh: z.string().max(10_000),
  textEn: z.string().max(10_000).nullable(),
  photoFileId: z.string().min(1).max(256).nullable(),
  audience: audienceSchema,
  important: z.boolean(),
  scheduledAt: z.date().nullable(),
});

export function createNoticeService(deps: NoticeDeps) {
  const { store, catalogue, now } = deps;
  const isAdmin = (telegramId: number) => deps.adminTelegramIds.includes(telegramId);

  /** The communities this person may send notices to (none for a resident). */
  async function communitiesFor(telegramId: number): Promise<CommunityRef[]> {
    const all = await store.activeCommunities();
    if (isAdmin(telegramId)) return all;
    const mine = new Set(await store.workerCommunities(telegramId));
    return all.filter((c) => mine.has(c.code));
  }

  async function mayReach(telegramId: number, communityCode: string): Promise<boolean> {
    return (await communitiesFor(telegramId)).some((c) => c.code === communityCode);
  }

  /** Buildings are the community's own; a service must be in the catalogue. */
  async function audienceValid(communityCode: string, audience: Audience): Promise<boolean> {
    if (audience.kind === 'buildings') {
      const known = new Set((await store.buildings(communityCode)).map((b) => b.id));
      return audience.buildingIds.every((id) => known.has(id));
    }
    if (audience.kind === 'open_case') return catalogue.get(audience.serviceCode) !== undefined;
    return true;
  }

  return {
    communitiesFor,

    /** Whether this person may compose notices at all. */
    async canCompose(telegramId: number): Promise<boolean> {
      return (await communitiesFor(telegramId)).length > 0;
    },

    async buildings(
      telegramId: number,
      communityCode: string,
    ): Promise<Result<{ id: string; code: string; nameZh: string; nameEn: string }[], NoticeError>> {
      if (!(await mayReach(telegramId, communityCode))) return { ok: false, error: 'not_allowed' };
      return { ok: true, value: await store.buildings(communityCode) };
    },

    /** How many residents an audience is today (for the worker to see before sending). */
    async audienceSize(
      telegramId: number,
      communityCode: string,
      audience: Audience,
    ): Promise<Result<AudienceSize, NoticeError>> {
      const parsed = audienceSchema.safeParse(audience);
      if (!parsed.success) return { ok: false, error: 'invalid' };
      if (!(await mayReach(telegramId, communityCode))) return { ok: false, error: 'not_allowed' };
      if (!(await audienceValid(communityCode, parsed.data))) return { ok: false, error: 'invalid' };
      return { ok: true, value: await store.audienceSize(communityCode, parsed.data, audienceDay(now())) };
    },

    /** The problems a draft has (empty: it may be sent). */
    problems(draft: NoticeDraft): NoticeProblem[] {
      return noticeProblems(draft, now());
    },

    /**
     * Creates the notice (scheduled for now, or for later). The same `requestKey` twice — a double-tapped
     * "send", a repeated update — finds the notice it already made.
     */
    async create(
      author: { telegramId: number; chatId: number; locale: string },
      draft: NoticeDraft,
      requestKey: string,
    ): Promise<
      Result<
        { id: string; created: boolean; scheduledAt: Date; startsNow: boolean },
        NoticeError | NoticeProblem
      >
    > {
      const parsed = draftSchema.safeParse(draft);
      if (!parsed.success || requestKey.length === 0 || requestKey.length > 200)
        return { ok: false, error: 'invalid' };
      const d = parsed.data;
      if (!(await mayReach(author.telegramId, d.communityCode))) return { ok: false, error: 'not_allowed' };
      const at = now();
      const [problem] = noticeProblems(d, at);
      if (problem) return { ok: false, error: problem };
      if (!(await audienceValid(d.communityCode, d.audience))) return { ok: false, error: 'invalid' };
      const scheduledAt = d.scheduledAt ?? at;
      const created = await store.create({
        communityCode: d.communityCode,
        authorTelegramId: author.telegramId,
        authorChatId: author.chatId,
        authorLocale: author.locale,
        textZh: d.textZh.trim(),
        textEn: d.textEn === null ? null : d.textEn.trim(),
        photoFileId: d.photoFileId,
        audience: d.audience,
        important: d.important,
        scheduledAt,
        requestKey,
      });
      return { ok: true, value: { ...created, scheduledAt, startsNow: d.scheduledAt === null } };
    },

    /** Cancels a scheduled notice; once it has started it can no longer be cancelled. */
    async cancel(
      telegramId: number,
      noticeId: string,
    ): Promise<Result<NoticeSummary, NoticeError | 'already_started' | 'already_cancelled'>> {
      if (!uuid.safeParse(noticeId).success) return { ok: false, error: 'not_found' };
      const found = await store.find(noticeId);
      if (!found) return { ok: false, error: 'not_found' };
      if (!(await mayReach(telegramId, found.communityCode))) return { ok: false, error: 'not_allowed' };
      if (found.status === 'cancelled') return { ok: false, error: 'already_cancelled' };
      if (found.status !== 'scheduled' || !(await store.cancel(noticeId, now())))
        return { ok: false, error: 'already_started' };
      return { ok: true, value: { ...found, status: 'cancelled' } };
    },

    /** One notice with its figures, for someone who may reach its community. */
    async get(telegramId: number, noticeId: string): Promise<Result<NoticeSummary, NoticeError>> {
      if (!uuid.safeParse(noticeId).success) return { ok: false, error: 'not_found' };
      const found = await store.find(noticeId);
      if (!found) return { ok: false, error: 'not_found' };
      if (!(await mayReach(telegramId, found.communityCode))) return { ok: false, error: 'not_allowed' };
      return { ok: true, value: found };
    },

    /** Notices of the communities this person may reach, newest first, with their figures. */
    async list(
      telegramId: number,
      page: number,
    ): Promise<
      Result<{ items: NoticeSummary[]; total: number; page: number; pages: number }, 'not_allowed'>
    > {
      const communities = await communitiesFor(telegramId);
      if (communities.length === 0) return { ok: false, error: 'not_allowed' };
      const codes = isAdmin(telegramId) ? 'all' : communities.map((c) => c.code);
      const safePage = Math.max(0, Math.floor(page));
      const { rows, total } = await store.list(codes, safePage, NOTICES_PAGE_SIZE);
      return {
        ok: true,
        value: {
          items: rows,
          total,
          page: safePage,
          pages: Math.max(1, Math.ceil(total / NOTICES_PAGE_SIZE)),
        },
      };
    },

    /** A resident pressed "I have read this" on an important notice they were sent. */
    async markRead(telegramId: number, noticeId: string): Promise<Result<'recorded' | 'again', 'not_found'>> {
      if (!uuid.safeParse(noticeId).success) return { ok: false, error: 'not_found' };
      const r = await store.markRead(noticeId, telegramId, now());
      return r === 'not_recipient' ? { ok: false, error: 'not_found' } : { ok: true, value: r };
    },

    /** `/notices off` and `/notices on`: ordinary notices only; important ones always arrive. */
    async setNoticesOff(telegramId: number, off: boolean): Promise<void> {
      await store.setMuted(telegramId, off);
    },

    async noticesOff(telegramId: number): Promise<boolean> {
      return store.isMuted(telegramId);
    },
  };
}

export type NoticeService = ReturnType<typeof createNoticeService>;
