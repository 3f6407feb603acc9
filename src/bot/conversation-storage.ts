// Conversation state in PostgreSQL, encrypted: it holds the raw updates of each form (ID numbers among
// them). State that cannot be decrypted (key changed, row damaged) is dropped with a warning rather than
// locking the resident out of the bot.
import type { ConversationData, VersionedState, VersionedStateStorage } from '@grammyjs/conversations';
import type { PiiCipher } from '../app/pii-cipher.ts';
import type { Logger } from '../logger.ts';

export interface StateStore {
  read(key: string): Promise<Uint8Array | undefined>;
  write(key: string, data: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}

export function encryptedConversationStorage(
  store: StateStore,
  cipher: PiiCipher,
  logger: Logger,
): VersionedStateStorage<string, ConversationData> {
  return {
    async read(key) {
      const blob = await store.read(key);
      if (!blob) return undefined;
      try {
        return cipher.decryptJson<VersionedState<ConversationData>>(blob);
      } catch {
        logger.warn({ key }, 'conversation state could not be decrypted; dropping it');
        await store.delete(key);
        return undefined;
      }
    },
    async write(key, state) {
      await store.write(key, cipher.encryptJson(state));
    },
    async delete(key) {
      await store.delete(key);
    },
  };
}
