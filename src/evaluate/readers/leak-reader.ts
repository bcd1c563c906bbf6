import type { MemoryLeakIndicator } from '../../config/slo-schema.js';
import { detectLeak } from '../../leak/detect-leak.js';
import type { LeakVerdict } from '../../leak/leak-verdict.js';
import { pickLabels } from '../../store/sample-store.js';
import { type BreakdownPart, type IndicatorReader, noData, type ReadContext, type Reading } from '../indicator-reader.js';
import { containerMatcher } from '../label-match.js';
import { oldestOf } from './gauge-reader.js';

export const MEMORY_METRIC = 'container_memory_working_set_bytes';
export const MEMORY_LIMIT_METRIC = 'container_memory_limit_bytes';
const CONTAINER_LABELS = ['container', 'container_id', 'started_at'] as const;

/** Worse verdicts rank higher; a container with too little data hides no leak that another shows. */
const VERDICT_RANK: Record<LeakVerdict['verdict'], number> = { ok: 0, insufficient_data: 1, suspected: 2, leak: 3 };

/**
 * Runs the leak detector on each matching container's memory series over the leak window. A
 * restart starts a new series (new `started_at`); only series still reporting are judged, since a
 * container that is gone leaks nothing now. The reading's value is the worst container's growth
 * in bytes per hour.
 */
export class LeakReader implements IndicatorReader {
  readonly unit = 'number' as const;

  constructor(
    private readonly ctx: ReadContext,
    private readonly indicator: MemoryLeakIndicator,
  ) {}

  private series() {
    return this.ctx.store.select(MEMORY_METRIC, containerMatcher(this.indicator));
  }

  current(): Reading {
    const { now, staleAfterMs, store } = this.ctx;
    const windowMs = this.indicator.window;
    const all = this.series();
    if (all.length === 0) return noData('no container matches the selector');
    const breakdown: BreakdownPart[] = [];
    let worst: LeakVerdict | null = null;
    let newestT: number | null = null;
    for (const s of all) {
      const n = s.buffer.length;
      if (n === 0 || s.ended) continue;
      const last = s.buffer.timeAt(n - 1);
      if (last < now - staleAfterMs || last > now) continue;
      newestT = newestT === null ? last : Math.max(newestT, last);
      const { t, v } = s.buffer.range(now - windowMs, now);
      const limitBytes = this.indicator.limit ?? containerLimit(store, s.labels);
      const verdict = detectLeak(t, v, { windowMs, now, limitBytes });
      breakdown.push({ labels: pickLabels(s.labels, CONTAINER_LABELS), value: verdict.growthBytesPerHour, leak: verdict });
      if (worst === null || VERDICT_RANK[verdict.verdict] > VERDICT_RANK[worst.verdict]) worst = verdict;
    }
    if (worst === null) return noData('stale: no matching container has a recent memory point');
    breakdown.sort((a, b) => VERDICT_RANK[b.leak!.verdict] - VERDICT_RANK[a.leak!.verdict]);
    const reading: Reading = { value: worst.growthBytesPerHour, newestT, breakdown, leak: worst };
    if (worst.verdict === 'insufficient_data') {
      reading.error = `insufficient data: ${worst.points} points over ${Math.round(worst.spanMs / 60_000)} min of the ${Math.round(windowMs / 60_000)} min window`;
    }
    return reading;
  }

  oldest(): number | null {
    return oldestOf(this.series());
  }
}

/** The container's memory limit as last reported for the same run (same labels); null when unknown. */
function containerLimit(store: ReadContext['store'], labels: Readonly<Record<string, string>>): number | null {
  const same = (l: Readonly<Record<string, string>>) =>
    l.source === labels.source && l.container_id === labels.container_id && l.started_at === labels.started_at;
  for (const s of store.select(MEMORY_LIMIT_METRIC, same)) {
    const n = s.buffer.length;
    if (n > 0 && s.buffer.valueAt(n - 1) > 0) return s.buffer.valueAt(n - 1);
  }
  return null;
}
