import type { LoadedSloFile } from '../../config/config.js';
import type { ProbeSourceConfig } from '../../config/daemon-schema.js';
import { settleBounded } from '../../core/bounded-async.js';
import { describeError } from '../../core/describe-error.js';
import type { Point } from '../../store/point.js';
import type { SampleResult, Source } from '../source.js';
import { isExpectedStatus, type ProbeBuildProblem, type ProbeTarget, probeTargets } from './probe-targets.js';

export const PROBE_METRICS = {
  success: 'probe_success',
  duration: 'probe_duration_seconds',
} as const;

const PROBE_CONCURRENCY = 8;

/** What one probe saw, for the status page ("500 Internal Server Error", "timed out after 2000 ms"). */
export interface ProbeOutcome {
  readonly url: string;
  readonly success: boolean;
  readonly status: number | null;
  readonly durationSeconds: number;
  /** Why it failed; null on success. */
  readonly reason: string | null;
  readonly t: number;
}

/**
 * HTTP checks with global fetch. A failed check (wrong status, refused, timeout) is a data
 * point with `probe_success` 0, not a failure of the source: the source fails only when it cannot
 * run at all. Redirects are not followed, so a 3xx is judged as itself.
 */
export class ProbeSource implements Source {
  readonly kind = 'probe' as const;
  private readonly targets: ProbeTarget[];
  private readonly problems: ProbeBuildProblem[];
  private outcomes: ProbeOutcome[] = [];

  constructor(
    readonly name: string,
    config: ProbeSourceConfig,
    files: readonly LoadedSloFile[],
  ) {
    const built = probeTargets(name, config.baseUrl, config.timeout, files, config.auth);
    this.targets = built.targets;
    this.problems = built.problems;
  }

  get probeTargets(): readonly ProbeTarget[] {
    return this.targets;
  }

  /** Objectives whose probe could not be set up as written. */
  buildProblems(): readonly ProbeBuildProblem[] {
    return this.problems;
  }

  /** What each probe saw in the last sample. */
  lastOutcomes(): readonly ProbeOutcome[] {
    return this.outcomes;
  }

  async sample(signal: AbortSignal): Promise<SampleResult> {
    const settled = await settleBounded(this.targets, PROBE_CONCURRENCY, (target) => probe(target, signal));
    const outcomes = settled.map((s, i) =>
      s.ok
        ? s.value
        : { url: this.targets[i]!.url, success: false, status: null, durationSeconds: 0, reason: String(s.error), t: Date.now() },
    );
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    this.outcomes = outcomes;
    const points: Point[] = [];
    for (const o of outcomes) {
      const labels = { source: this.name, url: o.url };
      points.push(
        { metric: PROBE_METRICS.success, labels, t: o.t, value: o.success ? 1 : 0 },
        { metric: PROBE_METRICS.duration, labels, t: o.t, value: o.durationSeconds },
      );
    }
    return { points };
  }

  async close(): Promise<void> {
    // fetch keeps no per-source state to release.
  }
}

/** One check: the time until the whole body has arrived, or until it failed. */
export async function probe(target: ProbeTarget, outer: AbortSignal): Promise<ProbeOutcome> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(target.timeoutMs);
  const signal = AbortSignal.any([outer, timeout]);
  // To the microsecond: finer than any network timing, and a decimal the store's history chunks
  // code in ~2.5 bytes a point, where a full-precision double takes 8 (docs/storage.md).
  const elapsed = (): number => Math.round((performance.now() - started) * 1000) / 1e6;
  try {
    const res = await fetch(target.url, {
      method: target.method,
      ...(target.body !== undefined ? { body: target.body } : {}),
      ...(target.headers ? { headers: { ...target.headers } } : {}),
      redirect: 'manual',
      signal,
    });
    // Reading the body is part of the latency a client sees (and frees the connection).
    await res.arrayBuffer();
    const success = isExpectedStatus(res.status, target.expectStatus);
    return {
      url: target.url,
      success,
      status: res.status,
      durationSeconds: elapsed(),
      reason: success ? null : `unexpected status ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`,
      t: Date.now(),
    };
  } catch (err) {
    const reason = timeout.aborted ? `timed out after ${target.timeoutMs} ms` : describeError(err);
    return { url: target.url, success: false, status: null, durationSeconds: elapsed(), reason, t: Date.now() };
  }
}
