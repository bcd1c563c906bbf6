import type { Config } from '../config/config.js';
import type { HttpAuth } from '../core/http-credentials.js';
import type { Snapshot } from '../snapshot/snapshot-schema.js';
import { type AlertLinks, firingAlerts } from './alert-rules.js';
import { AlertTracker, type AlertTrackerOptions } from './alert-tracker.js';
import { AlertmanagerClient } from './alertmanager-client.js';
import { type AlertSender, DeliveryQueue, type DeliveryStatus } from './delivery-queue.js';

export interface AlertLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface AlertNotifierOptions {
  /** Uid of a service's generated dashboard, for `dashboard_url`. */
  dashboardUid: (service: string) => string;
  /** Injected in tests; defaults to the Alertmanager v2 client. */
  createSender?: (url: string, timeoutMs: number, auth: HttpAuth | undefined) => AlertSender;
  now?: () => number;
}

/** Resolutions are re-sent this long, as Prometheus does, for an Alertmanager that missed one. */
const RESOLVED_RETENTION_MS = 15 * 60_000;

/**
 * The edge between snapshots and Alertmanager: each snapshot gives the alerts that fire, the
 * tracker decides what to send, and one delivery queue per Alertmanager URL sends it (every
 * Alertmanager gets every alert, as Prometheus does; they deduplicate among themselves).
 */
export class AlertNotifier {
  private readonly tracker: AlertTracker;
  private readonly queues = new Map<string, DeliveryQueue>();
  private config: Config;

  constructor(
    config: Config,
    private readonly logger: AlertLogger,
    private readonly options: AlertNotifierOptions,
  ) {
    this.config = config;
    this.tracker = new AlertTracker(trackerOptions(config));
    this.syncQueues();
  }

  /** A reload: new URLs and objectives; firing state is kept so nothing re-fires or is lost. */
  reconfigure(config: Config): void {
    this.config = config;
    this.tracker.setOptions(trackerOptions(config));
    this.syncQueues();
  }

  onSnapshot(snapshot: Snapshot): void {
    const links: AlertLinks = {
      grafanaUrl: this.config.daemon.grafanaUrl,
      dashboardUid: this.options.dashboardUid,
      externalUrl: this.config.daemon.externalUrl,
    };
    const toSend = this.tracker.update(firingAlerts(snapshot, this.config.services, links), this.now());
    if (toSend.length === 0) return;
    for (const queue of this.queues.values()) queue.enqueue(toSend);
  }

  status(): DeliveryStatus[] {
    return [...this.queues.values()].map((q) => q.status());
  }

  /** Flushes what is pending once more (bounded by the client timeout) and stops retrying. */
  async stop(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close(true)));
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** One queue per URL and credentials: a reload that changes either replaces the queue. */
  private syncQueues(): void {
    const { urls, timeout, auth } = this.config.daemon.alertmanager;
    const keyOf = (url: string) => JSON.stringify([url, auth ?? null]);
    const wanted = new Set(urls.map(keyOf));
    for (const [key, queue] of this.queues) {
      if (!wanted.has(key)) {
        void queue.close(false);
        this.queues.delete(key);
      }
    }
    for (const url of urls) {
      const key = keyOf(url);
      if (this.queues.has(key)) continue;
      const sender = this.options.createSender?.(url, timeout, auth) ?? new AlertmanagerClient(url, timeout, auth);
      // Logged by the sender's URL: without the credentials the configured one may hold.
      const at = sender.baseUrl;
      this.queues.set(
        key,
        new DeliveryQueue(sender, {
          initialBackoffMs: 500,
          maxBackoffMs: 30_000,
          onError: (err, pending) =>
            this.logger.warn(
              { url: at, pending, err: err instanceof Error ? err.message : String(err) },
              'alert delivery failed; retrying with backoff',
            ),
          onDelivered: (count) => this.logger.info({ url: at, count }, 'alerts delivered'),
        }),
      );
    }
  }
}

function trackerOptions(config: Config): AlertTrackerOptions {
  const { resendInterval, resolveDelay } = config.daemon.alertmanager;
  return { resendIntervalMs: resendInterval, resolvedRetentionMs: RESOLVED_RETENTION_MS, resolveDelayMs: resolveDelay };
}
