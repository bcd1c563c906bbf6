import type { ObjectiveSource, ResolvedObjective } from '../config/config.js';
import { indicatorProfile, type Objective, type Threshold } from '../config/slo-schema.js';
import type { QuantityUnit } from '../units/units.js';
import { type IndicatorReader, noData, type ReadContext } from './indicator-reader.js';
import { containerMatcher } from './label-match.js';
import { GaugeReader } from './readers/gauge-reader.js';
import { LeakReader, MEMORY_METRIC } from './readers/leak-reader.js';
import { PostgresLatencyReader } from './readers/postgres-latency-reader.js';
import { ProbeLatencyReader, ProbeUptimeReader, probeUrl } from './readers/probe-reader.js';
import { PromqlReader } from './readers/promql-reader.js';
import { RedisHitRatioReader } from './readers/redis-hit-ratio-reader.js';
import { ScrapeLatencyReader, ScrapeRatioReader } from './readers/scrape-reader.js';

export const CPU_METRIC = 'container_cpu_usage_ratio';
const CONTAINER_PART_LABELS = ['container', 'container_id'] as const;

/** The unit of the value an exporter-profile indicator reads. */
function profileUnit(ind: Objective['indicator']): QuantityUnit {
  if ('containerMemory' in ind) return 'bytes';
  if ('postgresQueryLatency' in ind) return 'seconds';
  return 'ratio';
}

/** An indicator that cannot be read says so on every call. */
class UnreadableIndicator implements IndicatorReader {
  constructor(
    readonly unit: QuantityUnit,
    private readonly why: string,
  ) {}
  current() {
    return noData(this.why);
  }
  oldest() {
    return null;
  }
}

/** The units of a threshold's bounds, in the order max, min, warning. */
function boundUnits(threshold: Threshold): QuantityUnit[] {
  return [threshold.max, threshold.min, threshold.warning].flatMap((b) => (b === undefined ? [] : [b.unit]));
}

/** Overrides the readers of scrape-backed indicators (tests, or a richer PromQL later). */
export type ScrapeReaderFactory = (ctx: ReadContext, objective: Objective, source: string) => IndicatorReader | null;

/**
 * The reader for one objective: the one dispatch over indicator kinds and source kinds. The
 * instance it reads was resolved when the config was loaded (`objective.source`).
 */
export function createReader(
  ctx: ReadContext,
  service: string,
  objective: ResolvedObjective,
  scrapeReaders?: ScrapeReaderFactory,
): IndicatorReader {
  const ind = objective.indicator;
  const source: ObjectiveSource = objective.source;
  const thresholdUnit = objective.threshold?.max?.unit ?? objective.threshold?.min?.unit ?? 'number';
  if (source.kind === null) {
    return new UnreadableIndicator(thresholdUnit, `source "${source.name}" is not configured in the daemon config`);
  }
  if (source.kind === 'prometheus' && indicatorProfile(ind) !== 'vigil') {
    // An exporter's metrics, which the Prometheus source queries with the rules' own PromQL.
    return new PromqlReader(ctx, { source: source.name, service, objective: objective.name, part: 'value', unit: profileUnit(ind) });
  }
  if ('containerMemory' in ind) {
    return new GaugeReader(ctx, {
      metric: MEMORY_METRIC,
      unit: 'bytes',
      match: containerMatcher(ind.containerMemory),
      partLabels: CONTAINER_PART_LABELS,
      nothingMatches: 'no container matches the selector',
    });
  }
  if ('containerCpu' in ind) {
    return new GaugeReader(ctx, {
      metric: CPU_METRIC,
      unit: 'ratio',
      match: containerMatcher(ind.containerCpu),
      partLabels: CONTAINER_PART_LABELS,
      nothingMatches: 'no container matches the selector',
    });
  }
  if ('memoryLeak' in ind) return new LeakReader(ctx, ind.memoryLeak);
  if ('redisHitRatio' in ind) return new RedisHitRatioReader(ctx, ind.redisHitRatio);
  if ('postgresQueryLatency' in ind) return new PostgresLatencyReader(ctx, ind.postgresQueryLatency);
  if ('probe' in ind) {
    const baseUrl = source.kind === 'probe' ? source.settings.baseUrl : undefined;
    const url = probeUrl(ind.probe, baseUrl);
    // Without a threshold the objective is uptime; a threshold bounds the probes' response time.
    if (objective.threshold === undefined) return new ProbeUptimeReader(ctx, ind.probe, url);
    const units = boundUnits(objective.threshold);
    if (units.every((u) => u === 'seconds')) return new ProbeLatencyReader(ctx, ind.probe, url);
    // The config loader rejects this; a config built another way must not compare a share with seconds.
    return new UnreadableIndicator(
      thresholdUnit,
      `a probe threshold bounds the response time: expected durations, got ${units.join(', ')}`,
    );
  }
  const unit: QuantityUnit = 'latency' in ind ? 'seconds' : 'ratio' in ind ? 'ratio' : thresholdUnit;
  if (source.kind === 'scrape') {
    // vigil reads the target's /metrics itself: window math over the stored `scrape:` series.
    const custom = scrapeReaders?.(ctx, objective, source.name);
    if (custom) return custom;
    if ('latency' in ind) return new ScrapeLatencyReader(ctx, ind.latency);
    if ('ratio' in ind) return new ScrapeRatioReader(ctx, ind.ratio);
    return new UnreadableIndicator(unit, 'a scrape source answers latency and ratio indicators, not arbitrary PromQL');
  }
  return new PromqlReader(ctx, {
    source: source.name,
    service,
    objective: objective.name,
    part: 'ratio' in ind ? 'ratio' : 'value',
    unit,
  });
}
