// What the update gate (update-gate.ts) read for an update along with its claim — the sender's record and the
// form state — and the form state change the update leaves, which the gate writes with the update's outcome.
// Read by the bot's first middleware (create-bot.ts) and the conversation storage (conversation-storage.ts).
import type { Update } from 'grammy/types';
import type { StateWrite } from './update-inbox.ts';

export interface Prefetched {
  user?: { locale: string | null; registered: boolean };
  /** The conversation state row's key, and its ciphertext as claimed (null: no row). */
  stateKey?: string;
  state?: Uint8Array | null;
  /** Set by the conversation storage: written by the gate with the update's outcome. */
  pending?: StateWrite;
}

const prefetched = new WeakMap<Update, Prefetched>();

/** What the gate read for this update, if it came through a gate (tests may call handleUpdate directly). */
export function prefetchedFor(update: Update): Prefetched | undefined {
  return prefetched.get(update);
}

/** Holds `pre` for `update` while `handle` runs. */
export async function withPrefetched<T>(
  update: Update,
  pre: Prefetched,
  handle: () => Promise<T>,
): Promise<T> {
  prefetched.set(update, pre);
  try {
    return await handle();
  } finally {
    prefetched.delete(update);
  }
}
