// Prometheus metrics (prom-client), one registry per bot instance so that tests and benchmarks running
// several instances in one process keep their figures apart. Served by src/http at /metrics.
// Labels never carry personal data: outcomes, kinds and statuses only.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  updates: Counter<'outcome'>;
  updateSeconds: Histogram<'outcome'>;
  rateLimited: Counter;
  telegramRetries: Counter<'reason'>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'bianmin_' });
  return {
    registry,
    updates: new Counter({
      name: 'bianmin_updates_total',
      help: 'Telegram updates by outcome: handled, duplicate, queued (handed to the instance holding its chat), set_aside, db_unavailable, refused',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    updateSeconds: new Histogram({
      name: 'bianmin_update_duration_seconds',
      help: 'Time to handle one Telegram update, by outcome',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'bianmin_rate_limited_total',
      help: 'Updates dropped because one resident sent too many too fast',
      registers: [registry],
    }),
    telegramRetries: new Counter({
      name: 'bianmin_telegram_retries_total',
      help: 'Bot API calls retried, by reason (429, 5xx, network)',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

export interface DatabaseProbe {
  /** Connections of the pool; undefined when unknown. */
  pool(): { total: number; idle: number; waiting: number } | undefined;
  /** Pending notifications per kind, and the age of the oldest, in seconds. */
  notificationBacklog(): Promise<{ kind: string; pending: number; oldestSeconds: number }[]>;
  /**
   * Recipients per delivery status over the notices of the last day. Optional: notices are the
   * community-notices work (issue 5), which owns the delivery table; the gauge appears once it is given.
   */
  noticeProgress?: () => Promise<{ status: string; count: number }[]>;
}

/**
 * Gauges read at scrape time. The database figures are cached for `cacheMs`, so that a scraper polling
 * every few seconds costs at most one pair of indexed queries per period; a failed query leaves the
 * gauges empty rather than failing the whole scrape.
 */
export function observeDatabase(metrics: Metrics, probe: DatabaseProbe, cacheMs = 10_000): void {
  const { registry } = metrics;
  new Gauge({
    name: 'bianmin_db_pool_connections',
    help: 'Database pool connections by state (total, idle, waiting = requests queued for a connection)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = probe.pool();
      if (!stats) return;
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });

  let cached: { at: number; value: Promise<Snapshot> } | undefined;
  type Snapshot = {
    backlog: Awaited<ReturnType<DatabaseProbe['notificationBacklog']>>;
    notices: { status: string; count: number }[];
  } | null;
  const snapshot = (): Promise<Snapshot> => {
    const now = Date.now();
    if (!cached || now - cached.at > cacheMs) {
      cached = {
        at: now,
        value: Promise.all([probe.notificationBacklog(), probe.noticeProgress?.() ?? []]).then(
          ([backlog, notices]) => ({ backlog, notices }),
          () => null,
        ),
      };
    }
    return cached.value;
  };

  new Gauge({
    name: 'bianmin_notification_backlog',
    help: 'Notifications waiting to be sent, by kind',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await snapshot())?.backlog ?? []) this.set({ kind: row.kind }, row.pending);
    },
  });
  new Gauge({
    name: 'bianmin_notification_oldest_pending_seconds',
    help: 'Age of the oldest notification still waiting to be sent',
    registers: [registry],
    async collect() {
      const backlog = (await snapshot())?.backlog ?? [];
      this.set(Math.max(0, ...backlog.map((r) => r.oldestSeconds)));
    },
  });
  if (!probe.noticeProgress) return;
  new Gauge({
    name: 'bianmin_notice_recipients',
    help: 'Recipients of the notices of the last 24 hours, by delivery status (pending, sent, failed, unreachable)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await snapshot())?.notices ?? []) this.set({ status: row.status }, row.count);
    },
  });
}
