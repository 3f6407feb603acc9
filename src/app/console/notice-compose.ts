// Composing a community notice in the console (community workers for their own community, admins for any):
// the same use case as the bot's /notice (src/app/notices.ts checks the right to the community again at every
// call, validates the draft and makes one notice per request key). What is added here is what the console
// promises on top: every refusal is audited (`access.denied`, at most so many rows an hour per person), and
// the request key is the author's own (a key sent by a browser can never find someone else's notice).
import { z } from 'zod';
import { MAX_REFUSAL_AUDIT_ROWS_PER_HOUR } from '../../domain/abuse-limits.ts';
import type { Audience, NoticeDraft, NoticeProblem } from '../../domain/notice.ts';
import { fail, ok, type Result } from '../../domain/result.ts';
import type { NewAudit } from '../case-store.ts';
import type { AudienceSize, CommunityRef, NoticeService } from '../notices.ts';

const HOUR_MS = 3_600_000;

export interface ComposeAuditStore {
  audit(audit: NewAudit): Promise<void>;
  countAudit(actorTelegramId: number, action: string, since: Date): Promise<number>;
}

export interface ComposeDeps {
  notices: Pick<NoticeService, 'communitiesFor' | 'buildings' | 'audienceSize' | 'problems' | 'create'>;
  store: ComposeAuditStore;
  now: () => Date;
}

export interface Building {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
}

export type ComposeError = 'not_allowed' | 'invalid';

/** A form's key: fixed when the form is shown, carried through the preview to "send". */
const formKey = z.uuid();

export function createNoticeComposer(deps: ComposeDeps) {
  const { notices, store, now } = deps;

  async function refuse(telegramId: number, subject: string | null) {
    const since = new Date(now().getTime() - HOUR_MS);
    if ((await store.countAudit(telegramId, 'access.denied', since)) < MAX_REFUSAL_AUDIT_ROWS_PER_HOUR) {
      await store.audit({
        actorTelegramId: telegramId,
        action: 'access.denied',
        subject,
        detail: { attempted: 'notice_compose', reason: 'not_allowed' },
      });
    }
    return fail('not_allowed' as const);
  }

  return {
    /** The communities this person may write to, and the buildings of the chosen one (refused: audited). */
    async form(
      telegramId: number,
      communityCode: string | null,
    ): Promise<
      Result<{ communities: CommunityRef[]; community: CommunityRef; buildings: Building[] }, 'not_allowed'>
    > {
      const communities = await notices.communitiesFor(telegramId);
      const community = communities.find((c) => c.code === communityCode) ?? communities[0];
      if (!community) return refuse(telegramId, null);
      if (communityCode && community.code !== communityCode)
        return refuse(telegramId, `community:${communityCode.slice(0, 64)}`);
      const buildings = await notices.buildings(telegramId, community.code);
      if (!buildings.ok) return refuse(telegramId, `community:${community.code}`);
      return ok({ communities, community, buildings: buildings.value });
    },

    /** How many residents an audience is now; an unknown building or service: 'invalid'. */
    async count(
      telegramId: number,
      communityCode: string,
      audience: Audience,
    ): Promise<Result<AudienceSize, ComposeError>> {
      const size = await notices.audienceSize(telegramId, communityCode, audience);
      if (!size.ok && size.error === 'not_allowed') return refuse(telegramId, `community:${communityCode}`);
      if (!size.ok) return fail('invalid');
      return ok(size.value);
    },

    /** What is wrong with a draft (nothing: it may be previewed and sent). */
    problems(draft: NoticeDraft): NoticeProblem[] {
      return notices.problems(draft);
    },

    /** Sends (or schedules) the notice; the same form key twice makes one notice. */
    async send(
      author: { telegramId: number; locale: string },
      draft: NoticeDraft,
      key: string,
    ): Promise<
      Result<
        { id: string; created: boolean; scheduledAt: Date; startsNow: boolean },
        ComposeError | NoticeProblem
      >
    > {
      if (!formKey.safeParse(key).success) return fail('invalid');
      // The author's Telegram chat with the bot is their user id: the progress report goes there.
      const created = await notices.create(
        { telegramId: author.telegramId, chatId: author.telegramId, locale: author.locale },
        draft,
        `console:${author.telegramId}:${key}`,
      );
      if (created.ok) return created;
      if (created.error === 'not_allowed')
        return refuse(author.telegramId, `community:${draft.communityCode.slice(0, 64)}`);
      if (created.error === 'not_found') return fail('invalid');
      return fail(created.error);
    },
  };
}

export type NoticeComposer = ReturnType<typeof createNoticeComposer>;
