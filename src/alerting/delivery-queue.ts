import { alertKey, type PostableAlert } from './alert-tracker.js';

export interface AlertSender {
  readonly baseUrl: string;
  post(alerts: readonly PostableAlert[]): Promise<void>;
}

export interface DeliveryQueueOptions {
  /** First retry delay; doubles per failure up to `maxBackoffMs`. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  onError?: (err: unknown, pending: number) => void;
  onDelivered?: (count: number) => void;
}

export interface DeliveryStatus {
  url: string;
  pending: number;
  consecutiveFailures: number;
  lastError: string | null;
  lastDelivered: number | null;
}

/**
 * Delivery to one Alertmanager. Holds the newest version of every undelivered alert (a resolution
 * replaces the firing it ends, so while Alertmanager is down nothing piles up and no transition is
 * lost) and retries with exponential backoff until it is accepted. One request in flight at a time.
 */
export class DeliveryQueue {
  private readonly pending = new Map<string, PostableAlert>();
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private lastError: string | null = null;
  private lastDelivered: number | null = null;
  private closed = false;

  constructor(
    private readonly sender: AlertSender,
    private readonly options: DeliveryQueueOptions,
  ) {}

  enqueue(alerts: readonly PostableAlert[]): void {
    if (this.closed || alerts.length === 0) return;
    for (const alert of alerts) this.pending.set(alertKey(alert.labels), alert);
    // While backing off, the retry timer sends these too; do not hammer a down Alertmanager.
    if (this.timer === null) void this.flush();
  }

  status(): DeliveryStatus {
    return {
      url: this.sender.baseUrl,
      pending: this.pending.size,
      consecutiveFailures: this.failures,
      lastError: this.lastError,
      lastDelivered: this.lastDelivered,
    };
  }

  /**
   * Sends what is pending now; resolves when this attempt (and any before it) is done. While
   * backing off it waits for the retry timer unless `force` is set.
   */
  async flush(force = false): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (this.pending.size === 0 || this.closed || (this.timer !== null && !force)) return;
    this.inFlight = this.attempt().finally(() => {
      this.inFlight = null;
    });
    await this.inFlight;
  }

  /** Stops retrying; makes one last attempt when `drain` is set. */
  async close(drain: boolean): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (drain) await this.flush(true);
    else while (this.inFlight) await this.inFlight;
    this.closed = true;
  }

  private async attempt(): Promise<void> {
    const batch = [...this.pending.entries()];
    try {
      await this.sender.post(batch.map(([, alert]) => alert));
      for (const [key, alert] of batch) {
        // Only forget what was sent: a newer version enqueued meanwhile stays pending.
        if (this.pending.get(key) === alert) this.pending.delete(key);
      }
      this.failures = 0;
      this.lastError = null;
      this.lastDelivered = Date.now();
      this.options.onDelivered?.(batch.length);
      if (this.pending.size > 0) this.schedule(0);
    } catch (err) {
      this.failures++;
      this.lastError = err instanceof Error ? err.message : String(err);
      this.options.onError?.(err, this.pending.size);
      const delay = Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** (this.failures - 1));
      this.schedule(delay);
    }
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }
}
