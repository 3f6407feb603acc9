// Whether a person can be reached: Telegram tells the bot (a `my_chat_member` update) when someone blocks
// or unblocks it. Blocked: nothing more is sent to them. Unblocked: what could not reach them lately is
// queued again.
const DAY_MS = 86_400_000;

/** What reachability needs from storage (src/db/repositories/notifications.ts implements it). */
export interface ReachabilityStore {
  markUnreachableUser(telegramId: number): Promise<void>;
  /** Clears the mark and queues again the notifications to them since `since`; returns how many. */
  markReachable(telegramId: number, since: Date, now: Date): Promise<number>;
}

export function createReachabilityService(deps: { store: ReachabilityStore; now: () => Date }) {
  const { store, now } = deps;
  return {
    markUnreachable(telegramId: number): Promise<void> {
      return store.markUnreachableUser(telegramId);
    },
    /** Clears the mark and queues again what could not reach them in the last `days` days. */
    markReachable(telegramId: number, days: number): Promise<number> {
      const at = now();
      return store.markReachable(telegramId, new Date(at.getTime() - days * DAY_MS), at);
    },
  };
}

export type ReachabilityService = ReturnType<typeof createReachabilityService>;
