// A form put aside (./aside.ts) is kept as a draft, so that the resident can go on with it later: which
// form, what it was started with, and the answers so far. One per chat, beside the conversation state and
// encrypted the same way (its place, `draft:<chat>`, is part of the ciphertext's authenticated data:
// piiAt.formDraft); deleted when it is resumed, started again, by /deleteme, and a week after it was put
// aside (here on reading, and by the nightly housekeeping).
import { DRAFT_DAYS } from '../../app/jobs/housekeeping.ts';
import { type PiiCipher, piiAt } from '../../app/pii-cipher.ts';
import { formDraftKeyOf } from '../../app/privacy.ts';
import type { Logger } from '../../logger.ts';
import type { BotConversation } from '../context.ts';
import type { StateStore } from '../conversation-storage.ts';
import type { Answers } from './types.ts';

export const DRAFT_MAX_AGE_MS = DRAFT_DAYS * 86_400_000;

export interface FormDraft {
  /** The conversation's id (SERVICE_REQUEST …) and the arguments it was entered with. */
  form: string;
  args: string[];
  answers: Answers;
  /** When it was put aside (ms since the epoch). */
  savedAt: number;
}

export interface DraftStore {
  save(chatId: number, draft: FormDraft): Promise<void>;
  /** The chat's draft, or null (none, older than a week, or unreadable: then it is deleted). */
  peek(chatId: number, now: number): Promise<FormDraft | null>;
  drop(chatId: number): Promise<void>;
}

export function createDraftStore(store: StateStore, cipher: PiiCipher, logger: Logger): DraftStore {
  const keyOf = (chatId: number) => formDraftKeyOf(String(chatId));
  return {
    async save(chatId, draft) {
      await store.write(keyOf(chatId), cipher.encryptJson(draft, piiAt.formDraft(String(chatId))));
    },
    async peek(chatId, now) {
      const blob = await store.read(keyOf(chatId));
      if (!blob) return null;
      let draft: FormDraft;
      try {
        draft = cipher.decryptJson<FormDraft>(blob, piiAt.formDraft(String(chatId)));
      } catch (err) {
        logger.warn(
          { reason: err instanceof Error ? err.name : 'unknown' },
          'a form draft could not be decrypted (failed its integrity check); dropping it',
        );
        await store.delete(keyOf(chatId));
        return null;
      }
      if (now - draft.savedAt > DRAFT_MAX_AGE_MS) {
        await store.delete(keyOf(chatId));
        return null;
      }
      return draft;
    },
    async drop(chatId) {
      await store.delete(keyOf(chatId));
    },
  };
}

/**
 * Inside a conversation entered to go on with a draft: the chat's draft of this form (then deleted: going
 * on with it is taking it), or null when there is none or it is another form's.
 */
export async function takeDraft(
  conversation: BotConversation,
  form: string,
  args: string[],
  now: number,
): Promise<FormDraft | null> {
  return conversation.external(async (outer) => {
    if (!outer.chat) return null;
    const draft = await outer.drafts.peek(outer.chat.id, now);
    if (!draft || draft.form !== form || draft.args.join('\u0000') !== args.join('\u0000')) return null;
    await outer.drafts.drop(outer.chat.id);
    return draft;
  });
}
