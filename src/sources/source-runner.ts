import { describeError } from '../core/describe-error.js';
import { ERR, vigilError } from '../core/errors.js';
import type { SampleStore } from '../store/sample-store.js';
import { type BackoffPolicy, backoffCapMs, mayAttempt } from './backoff.js';
import type { SampleResult, Source, SourceHealth } from './source.js';

/** What one attempt to run a source came to. */
export type RunOutcome = 'ok' | 'failed' | 'skipped-overlap' | 'skipped-backoff';

export interface SampleEvent {
  readonly source: Source;
  readonly result: SampleResult;
  readonly health: SourceHealth;
}
export type SampleListener = (event: SampleEvent) => void;

export interface SourceRunnerOptions {
  readonly timeoutMs: number;
  /** Interval of the source's schedule: the first backoff step. */
  readonly intervalMs: number;
  readonly maxBackoffMs?: number;
  /** Wall clock (unix ms) for `lastSuccess`. */
  readonly now?: () => number;
  /**
   * Clock for intervals (backoff, durations): monotonic by default, so a wall-clock step neither
   * stalls a failing source for hours nor retries it at once. Tests that inject `now` alone
   * drive both.
   */
  readonly monotonicNow?: () => number;
  /** Called after every successful sample, once its points are in the store. */
  readonly onSample?: (event: SampleEvent) => void;
  /** Called with listener errors and other things worth a log line; never throws back. */
  readonly warn?: (message: string) => void;
}

/**
 * Runs one source: never two samples at once, each bounded by a timeout, failures counted and
 * backed off, successes written to the store. Every path resolves: nothing thrown by a source
 * or a listener leaves this class as an exception or an unhandled rejection.
 */
export class SourceRunner {
  private health_: SourceHealth;
  /** The source's own promise; held until it settles even after a timeout, so runs never overlap. */
  private inFlight: Promise<unknown> | null = null;
  private controller: AbortController | null = null;
  private lastAttemptStart: number | null = null;
  private readonly policy: BackoffPolicy;
  private readonly now: () => number;
  private readonly clock: () => number;
  /** Ticks skipped because the previous run was still going (for logs and tests). */
  skippedOverlaps = 0;
  skippedBackoff = 0;

  constructor(
    readonly source: Source,
    private readonly store: SampleStore,
    private readonly options: SourceRunnerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.clock = options.monotonicNow ?? options.now ?? (() => performance.now());
    this.policy = { intervalMs: options.intervalMs, maxMs: options.maxBackoffMs ?? backoffCapMs(options.intervalMs) };
    this.health_ = {
      kind: source.kind,
      name: source.name,
      up: false,
      lastSuccess: null,
      lastError: null,
      consecutiveFailures: 0,
      lastDurationMs: null,
    };
  }

  health(): SourceHealth {
    return this.health_;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** Settles when the run in flight (if any) has settled; never rejects. */
  idle(): Promise<void> {
    return this.inFlight ? this.inFlight.then(noop, noop) : Promise.resolve();
  }

  /** Aborts the run in flight, if any (shutdown past its bound). */
  abort(reason: unknown): void {
    this.controller?.abort(reason);
  }

  /**
   * One attempt. `force` ignores the backoff (a `vigil check` samples everything once) but
   * never the overlap guard.
   */
  async run(force = false): Promise<RunOutcome> {
    if (this.inFlight) {
      this.skippedOverlaps++;
      return 'skipped-overlap';
    }
    const start = this.clock();
    if (!force && !mayAttempt(start, this.lastAttemptStart, this.health_.consecutiveFailures, this.policy)) {
      this.skippedBackoff++;
      return 'skipped-backoff';
    }
    this.lastAttemptStart = start;
    const controller = new AbortController();
    this.controller = controller;
    // Promise.resolve().then: a source that throws synchronously becomes a rejection like any other.
    const sampling = Promise.resolve().then(() => this.source.sample(controller.signal));
    const tracked = sampling.then(noop, noop).finally(() => {
      if (this.inFlight === tracked) this.inFlight = null;
      if (this.controller === controller) this.controller = null;
    });
    this.inFlight = tracked;

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Raised through the AbortSignal: the source sees why it was aborted.
        const err = vigilError(ERR.VIGIL_ERR_SOURCE_TIMEOUT, { ms: this.options.timeoutMs });
        controller.abort(err);
        reject(err);
      }, this.options.timeoutMs);
      // An abort from outside (shutdown) ends the wait too.
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    timedOut.catch(noop);
    try {
      const result = await Promise.race([sampling, timedOut]);
      this.recordSuccess(result, this.clock() - start);
      return 'ok';
    } catch (err) {
      this.recordFailure(err, this.clock() - start);
      return 'failed';
    } finally {
      clearTimeout(timer);
    }
  }

  private recordSuccess(result: SampleResult, durationMs: number): void {
    for (const point of result.points) this.store.append(point);
    for (const ended of result.ended ?? []) this.store.markEnded(ended.metric, ended.labels);
    this.health_ = {
      ...this.health_,
      up: true,
      lastSuccess: this.now(),
      lastError: null,
      consecutiveFailures: 0,
      lastDurationMs: durationMs,
    };
    try {
      this.options.onSample?.({ source: this.source, result, health: this.health_ });
    } catch (err) {
      this.options.warn?.(`sample listener failed for ${this.source.kind}/${this.source.name}: ${describeError(err)}`);
    }
  }

  private recordFailure(err: unknown, durationMs: number): void {
    this.health_ = {
      ...this.health_,
      up: false,
      lastError: describeError(err),
      consecutiveFailures: this.health_.consecutiveFailures + 1,
      lastDurationMs: durationMs,
    };
  }
}

function noop(): void {}
