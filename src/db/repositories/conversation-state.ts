// Storage for @grammyjs/conversations. The state holds every raw update of a conversation (ID numbers
// included), so it is stored only as ciphertext; the cipher is applied by the caller (src/bot).
import type { ExpiringRows } from '../../app/jobs/housekeeping.ts';
import type { StateStore } from '../../bot/conversation-storage.ts';
import type { Db } from '../client.ts';

export function createConversationStateRepository(
  db: Db,
): StateStore & ExpiringRows & { drafts: ExpiringRows } {
  return {
    async read(key: string): Promise<Uint8Array | undefined> {
      const row = await db.conversationState.findUnique({ where: { key }, select: { data: true } });
      return row?.data;
    },
    async write(key: string, data: Uint8Array): Promise<void> {
      const bytes = new Uint8Array(data);
      await db.conversationState.upsert({
        where: { key },
        create: { key, data: bytes },
        update: { data: bytes },
      });
    },
    async delete(key: string): Promise<void> {
      await db.conversationState.deleteMany({ where: { key } });
    },
    /** Abandoned conversations hold personal data: drop those untouched for longer than `olderThan`. */
    async deleteOlderThan(cutoff: Date): Promise<number> {
      const { count } = await db.conversationState.deleteMany({ where: { updatedAt: { lt: cutoff } } });
      return count;
    },
    /** Forms put aside (`draft:<chat>`, src/bot/forms/drafts.ts) untouched since `cutoff`. */
    drafts: {
      async deleteOlderThan(cutoff: Date): Promise<number> {
        const { count } = await db.conversationState.deleteMany({
          where: { key: { startsWith: 'draft:' }, updatedAt: { lt: cutoff } },
        });
        return count;
      },
    },
  };
}
