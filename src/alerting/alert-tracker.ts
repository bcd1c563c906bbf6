import { seriesId } from '../store/sample-store.js';

/**
 * Which alerts to send, and when, as Prometheus's rule manager and notifier decide it: a new
 * condition is pending until it has held for its `forMs`, then fires and is sent; a firing alert
 * is re-sent every `resendIntervalMs`; a cleared one is sent resolved (with `endsAt`) and re-sent
 * for `resolvedRetentionMs` so an Alertmanager that missed it still learns.
 * Pure: state in, decisions out; no timers, no I/O.
 */

export interface AlertContent {
  /** Identity: alertname, service, objective, severity, ... */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** How long the condition must hold before the alert fires (the objective's `alert.for`). */
  readonly forMs: number;
}

/** An alert as the Alertmanager v2 API takes it (`POST /api/v2/alerts`). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

interface TrackedAlert {
  content: AlertContent;
  /** Unix ms the condition was first seen (pending since). */
  activeAt: number;
  /** Unix ms it started firing; null while pending. */
  firedAt: number | null;
  lastSentAt: number;
  /** Unix ms when it cleared; null while pending or firing. */
  resolvedAt: number | null;
}

export interface AlertTrackerOptions {
  resendIntervalMs: number;
  /** Keep re-sending a resolution this long (Prometheus: 15 min). */
  resolvedRetentionMs: number;
  /**
   * A resolution is posted with `endsAt` this far after the moment it cleared (default 0: at
   * once). Alertmanager keeps an alert firing until the latest `endsAt` any sender posted, unless
   * a younger post says it already ended; so with replicas of one config, a delay longer than
   * their disagreement (a sample interval or two) resolves the alert when the last one clears,
   * instead of resolving on the first and re-firing on the other's next resend. The resolution
   * is then re-sent only until its `endsAt`.
   */
  resolveDelayMs?: number;
}

/** A stable identity for an alert: its sorted labels, written as the store writes a series id. */
export function alertKey(labels: Readonly<Record<string, string>>): string {
  return seriesId('', labels);
}

export class AlertTracker {
  private readonly alerts = new Map<string, TrackedAlert>();

  constructor(private options: AlertTrackerOptions) {}

  /** A reload may change the intervals; what fires keeps firing. */
  setOptions(options: AlertTrackerOptions): void {
    this.options = options;
  }

  /**
   * Takes the alerts that fire now and returns those to send now. A firing alert carries an
   * `endsAt` of 4 resend intervals ahead, so Alertmanager resolves it by itself if vigil dies.
   */
  update(firing: readonly AlertContent[], now: number): PostableAlert[] {
    const out: PostableAlert[] = [];
    const seen = new Set<string>();
    for (const content of firing) {
      const key = alertKey(content.labels);
      seen.add(key);
      let tracked = this.alerts.get(key);
      if (!tracked || tracked.resolvedAt !== null) {
        tracked = { content, activeAt: now, firedAt: null, lastSentAt: now, resolvedAt: null };
        this.alerts.set(key, tracked);
      }
      // The description carries the current value, which moves every cycle; only a new
      // summary (the wording of what is wrong) is worth sending before the resend interval.
      const changed = tracked.content.annotations.summary !== content.annotations.summary;
      tracked.content = content;
      if (tracked.firedAt === null) {
        if (now - tracked.activeAt < content.forMs) continue;
        tracked.firedAt = now;
        tracked.lastSentAt = now;
        out.push(this.toPostable(tracked, now));
      } else if (changed || now - tracked.lastSentAt >= this.options.resendIntervalMs) {
        tracked.lastSentAt = now;
        out.push(this.toPostable(tracked, now));
      }
    }
    for (const [key, tracked] of this.alerts) {
      if (seen.has(key)) continue;
      if (tracked.firedAt === null) {
        // Cleared while pending: it never fired, so there is nothing to resolve.
        this.alerts.delete(key);
      } else if (tracked.resolvedAt === null) {
        tracked.resolvedAt = now;
        tracked.lastSentAt = now;
        out.push(this.toPostable(tracked, now));
      } else if (now - tracked.resolvedAt >= this.resolvedLifetimeMs()) {
        this.alerts.delete(key);
      } else if (now - tracked.lastSentAt >= this.options.resendIntervalMs) {
        tracked.lastSentAt = now;
        out.push(this.toPostable(tracked, now));
      }
    }
    return out;
  }

  /**
   * How long a resolution is re-sent. With a resolve delay, until its `endsAt` only: Alertmanager
   * ends the alert at that time by itself, and a re-sent resolution whose `endsAt` has passed
   * would, as the younger post, end an alert another replica still fires (which its next
   * re-send would fire again: a flap on-call sees twice).
   */
  private resolvedLifetimeMs(): number {
    const delay = this.options.resolveDelayMs ?? 0;
    return delay > 0 ? Math.min(delay, this.options.resolvedRetentionMs) : this.options.resolvedRetentionMs;
  }

  /** Alerts firing now (for tests and the API). */
  firing(): AlertContent[] {
    return [...this.alerts.values()].filter((a) => a.firedAt !== null && a.resolvedAt === null).map((a) => a.content);
  }

  private toPostable(alert: TrackedAlert, now: number): PostableAlert {
    const endsAt =
      alert.resolvedAt !== null ? alert.resolvedAt + (this.options.resolveDelayMs ?? 0) : now + 4 * this.options.resendIntervalMs;
    return {
      labels: { ...alert.content.labels },
      annotations: { ...alert.content.annotations },
      startsAt: new Date(alert.firedAt ?? alert.activeAt).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
    };
  }
}
