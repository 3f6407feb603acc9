// Nightly housekeeping, on every instance (each step is idempotent, so two instances running it the same
// night do the work once between them):
// - the retention rule: closed cases older than CASE_RETENTION_DAYS lose their personal data and every link
//   back to the person (src/db/repositories/privacy.ts; README "Personal data");
// - update receipts older than two days are forgotten (Telegram redelivers for 24 hours at most);
// - forms abandoned for 30 days are dropped (their state holds the answers given so far), and forms put
//   aside to be resumed (src/bot/forms/drafts.ts) after 7 days;
// - a registration conflict nobody resolved within CONFLICT_DAYS is dropped, its registrant told as at a
//   dismissal (src/app/registration-conflicts.ts): the second registration is not kept forever;
// - finished messages about no case (an invite used, a registration ended) are deleted after a week.
// It runs at 03:00 Beijing time (China keeps one offset all year) and stops at a safe point: a run in
// progress finishes its current batch, and no new one starts.
import { BEIJING_OFFSET_MS } from '../../domain/beijing-time.ts';
import type { Logger } from '../../logger.ts';

/**
 * Rows that are forgotten after a while: update receipts (src/db/repositories/update-receipts.ts) and
 * abandoned forms (src/db/repositories/conversation-state.ts). Returns how many were deleted.
 */
export interface ExpiringRows {
  deleteOlderThan(cutoff: Date): Promise<number>;
}

export interface HousekeepingDeps {
  /** The retention rule (src/app/privacy.ts): returns how many cases were anonymised. */
  applyRetention(days: number): Promise<number>;
  receipts: ExpiringRows;
  forms: ExpiringRows;
  /** Forms put aside to be resumed (their answers, encrypted), kept DRAFT_DAYS. */
  drafts?: ExpiringRows;
  /** Finished messages about no case (src/db/repositories/notifications.ts), kept NOTIFICATION_DAYS. */
  caselessNotifications?: ExpiringRows;
  /** Drops the registration conflicts made before `cutoff` (src/app/registration-conflicts.ts). */
  expireConflicts?: (cutoff: Date) => Promise<number>;
  retentionDays: number;
  logger: Logger;
  now?: () => Date;
  /** Local hour (Beijing) of the nightly run. */
  hour?: number;
}

const DAY_MS = 86_400_000;
export const RECEIPT_DAYS = 2;
export const FORM_DAYS = 30;
/** A form put aside is offered again for a week (src/bot/forms/drafts.ts reads the same figure). */
export const DRAFT_DAYS = 7;
/** A finished message about no case is kept a week (for looking into a complaint), then deleted. */
export const NOTIFICATION_DAYS = 7;
/** Three months for the second registrant to come to the window with their ID card. */
export const CONFLICT_DAYS = 90;

/** Milliseconds from `now` to the next `hour`:00 Beijing time. */
export function msUntilNext(now: Date, hour: number): number {
  const local = now.getTime() + BEIJING_OFFSET_MS;
  const todayAt = Math.floor(local / DAY_MS) * DAY_MS + hour * 3_600_000;
  const next = todayAt > local ? todayAt : todayAt + DAY_MS;
  return next - local;
}

export interface Housekeeping {
  start(): void;
  /** Waits for a run in progress; no run starts afterwards. */
  stop(): Promise<void>;
  runOnce(): Promise<{
    anonymisedCases: number;
    receipts: number;
    forms: number;
    conflicts: number;
    notifications: number;
  }>;
}

export function createHousekeeping(deps: HousekeepingDeps): Housekeeping {
  const now = deps.now ?? (() => new Date());
  const hour = deps.hour ?? 3;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;

  async function runOnce() {
    const at = now();
    const anonymisedCases = await deps.applyRetention(deps.retentionDays);
    const receipts = await deps.receipts.deleteOlderThan(new Date(at.getTime() - RECEIPT_DAYS * DAY_MS));
    const forms =
      (await deps.forms.deleteOlderThan(new Date(at.getTime() - FORM_DAYS * DAY_MS))) +
      ((await deps.drafts?.deleteOlderThan(new Date(at.getTime() - DRAFT_DAYS * DAY_MS))) ?? 0);
    const conflicts = (await deps.expireConflicts?.(new Date(at.getTime() - CONFLICT_DAYS * DAY_MS))) ?? 0;
    const notifications =
      (await deps.caselessNotifications?.deleteOlderThan(
        new Date(at.getTime() - NOTIFICATION_DAYS * DAY_MS),
      )) ?? 0;
    deps.logger.info(
      { anonymisedCases, receipts, forms, conflicts, notifications },
      'nightly housekeeping done',
    );
    return { anonymisedCases, receipts, forms, conflicts, notifications };
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(
      () => {
        running = runOnce()
          .catch((err: unknown) => deps.logger.error({ err }, 'nightly housekeeping failed'))
          .finally(() => {
            running = undefined;
            schedule();
          });
      },
      msUntilNext(now(), hour),
    );
    timer.unref();
  }

  return {
    start() {
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    runOnce,
  };
}
