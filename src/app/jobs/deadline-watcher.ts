// The deadline watcher: on each tick (every `intervalMs`, and whenever a test calls `tick(now)` with a clock
// of its own) it
// - posts new unassigned cases to their department's Telegram group, when one is configured;
// - alerts every staff member of the department (and its group) about an urgent case nobody took within
//   URGENT_TAKE_MINUTES;
// - from DIGEST_HOUR on a working day, sends each staff member a digest of their overdue and due-today
//   cases, once a day across all instances;
// - closes resolved and rejected cases whose answer is AUTO_CLOSE_DAYS old.
// Every job is safe to run on several instances at once (see src/db/repositories/deadlines.ts), and one
// failing job does not stop the others.
import {
  AUTO_CLOSE_DAYS,
  digestPeriod,
  endOfShanghaiDay,
  URGENT_TAKE_MINUTES,
} from '../../domain/staff-work.ts';
import type { WorkCalendar } from '../../domain/working-days.ts';
import type { Logger } from '../../logger.ts';

const DAY_MS = 86_400_000;
/** How far back a newly configured group is sent the queue. */
const GROUP_POST_WINDOW_MS = DAY_MS;

/**
 * The watcher's jobs at the storage level (src/db/repositories/deadlines.ts implements it). Each returns how
 * much it did, or null when it skipped (another instance runs the job right now, or the digest of this
 * period was sent already).
 */
export interface DeadlineStore {
  /** Posts the new, still unassigned cases since `since` to their department's group, once per case. */
  postNewCasesToGroups(since: Date): Promise<number | null>;
  /** Alerts the department about urgent cases submitted before `submittedBefore` that nobody took. */
  escalateUnclaimedUrgent(submittedBefore: Date, at: Date): Promise<number | null>;
  /** Queues each staff member's digest for `period`, once across all instances. */
  runDigest(period: string, now: Date, endOfDay: Date): Promise<number | null>;
  /** Closes resolved and rejected cases answered before `answeredBefore`. */
  closeAnswered(answeredBefore: Date, at: Date): Promise<number | null>;
}

export interface TickReport {
  groupPosts: number | null;
  escalated: number | null;
  digests: number | null;
  closed: number | null;
}

export interface DeadlineWatcherOptions {
  repo: DeadlineStore;
  calendar: () => Promise<WorkCalendar['exceptions']>;
  logger: Logger;
  now?: () => Date;
  intervalMs?: number;
  /** Called after a tick queued notifications (wakes the dispatcher). */
  onQueued?: () => void;
}

export function createDeadlineWatcher(opts: DeadlineWatcherOptions) {
  const { repo, logger } = opts;
  const clock = opts.now ?? (() => new Date());
  const intervalMs = opts.intervalMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function job(name: string, work: () => Promise<number | null>): Promise<number | null> {
    try {
      return await work();
    } catch (err) {
      logger.warn({ job: name, err }, 'deadline watcher job failed; it runs again on the next tick');
      return null;
    }
  }

  async function tick(now: Date = clock()): Promise<TickReport> {
    const report: TickReport = {
      groupPosts: await job('group-posts', () =>
        repo.postNewCasesToGroups(new Date(now.getTime() - GROUP_POST_WINDOW_MS)),
      ),
      escalated: await job('urgent-escalation', () =>
        repo.escalateUnclaimedUrgent(new Date(now.getTime() - URGENT_TAKE_MINUTES * 60_000), now),
      ),
      digests: await job('digest', async () => {
        const period = digestPeriod(now, { exceptions: await opts.calendar() });
        return period ? repo.runDigest(period, now, endOfShanghaiDay(now)) : null;
      }),
      closed: await job('auto-close', () =>
        repo.closeAnswered(new Date(now.getTime() - AUTO_CLOSE_DAYS * DAY_MS), now),
      ),
    };
    if ((report.groupPosts ?? 0) + (report.escalated ?? 0) + (report.digests ?? 0) > 0) opts.onQueued?.();
    return report;
  }

  return {
    tick,
    start(): void {
      if (timer) return;
      const run = () => {
        if (running) return; // the previous tick is still at work
        running = tick().finally(() => {
          running = undefined;
        });
      };
      timer = setInterval(run, intervalMs);
      timer.unref();
      run();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

export type DeadlineWatcher = ReturnType<typeof createDeadlineWatcher>;
