// Conversation state in PostgreSQL, encrypted: it holds the raw updates of each form (ID numbers among
// them). State that cannot be decrypted (key changed, row damaged) is dropped with a warning rather than
// locking the resident out of the bot.
//
// An update that came through the update gate (update-gate.ts) had its state read with its claim, and its
// change is written with its outcome: no statement of its own here. Without a gate (tests calling
// `bot.handleUpdate`), the store is read and written directly.
//
// A state read at its limits (form-limits.ts) is deleted, like an undecryptable one, and the update is told
// so (markFormsEnded): the form ends there, whichever way the update came. The check costs no second
// serialisation: the stored bytes are the blob's length, the updates a count over the parsed state.
import type { ConversationData, VersionedState, VersionedStateStorage } from '@grammyjs/conversations';
import type { Context } from 'grammy';
import { type PiiCipher, piiAt } from '../app/pii-cipher.ts';
import type { Logger } from '../logger.ts';
import { atFormLimits, FORM_STATE_LIMITS, type FormStateLimits, markFormsEnded } from './form-limits.ts';
import { prefetchedFor } from './update-prefetch.ts';

export interface StateStore {
  read(key: string): Promise<Uint8Array | undefined>;
  write(key: string, data: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The state's key: the private chat (the plugin is installed for private chats only). */
export const conversationKey = (ctx: Context): string | undefined => ctx.chat?.id.toString();

export function encryptedConversationStorage<C extends Context>(
  store: StateStore,
  cipher: PiiCipher,
  logger: Logger,
  limits: FormStateLimits = FORM_STATE_LIMITS,
): VersionedStateStorage<C, ConversationData> {
  /** The gate's record for this update, when it read this key. */
  const gated = (ctx: C, key: string) => {
    const pre = prefetchedFor(ctx.update);
    return pre && pre.stateKey === key ? pre : undefined;
  };
  async function remove(ctx: C, key: string): Promise<void> {
    const pre = gated(ctx, key);
    if (pre) pre.pending = { key, data: null };
    else await store.delete(key);
  }
  return {
    async read(ctx) {
      const key = conversationKey(ctx);
      if (key === undefined) return undefined;
      const pre = gated(ctx, key);
      const blob = pre ? (pre.pending ? pre.pending.data : pre.state) : await store.read(key);
      if (!blob) return undefined;
      let state: VersionedState<ConversationData>;
      try {
        state = cipher.decryptJson<VersionedState<ConversationData>>(blob, piiAt.conversationState(key));
      } catch (err) {
        // A PiiIntegrityError: tampered with, moved from another row, or made with a key not in the ring.
        logger.warn(
          { key, reason: err instanceof Error ? err.name : 'unknown' },
          'conversation state could not be decrypted (failed its integrity check); dropping it',
        );
        await remove(ctx, key);
        return undefined;
      }
      const over = atFormLimits(state.state, blob.byteLength, limits);
      if (over) {
        const forms = Object.keys(state.state ?? {});
        logger.info({ key, forms, ...over }, 'form state at its limits; the form is ended');
        markFormsEnded(ctx, forms);
        await remove(ctx, key);
        return undefined;
      }
      return state;
    },
    async write(ctx, state) {
      const key = conversationKey(ctx);
      if (key === undefined) return;
      const data = cipher.encryptJson(state, piiAt.conversationState(key));
      const pre = gated(ctx, key);
      if (pre) pre.pending = { key, data };
      else await store.write(key, data);
    },
    async delete(ctx) {
      const key = conversationKey(ctx);
      if (key !== undefined) await remove(ctx, key);
    },
  };
}
