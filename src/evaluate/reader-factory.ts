import type { Config } from '../config/config.js';
import type { SourceKind } from '../config/daemon-schema.js';
import { indicatorProfile, type Objective } from '../config/slo-schema.js';
import { indicatorSourceName, lookupIndicatorSource } from '../config/source-lookup.js';
import type { QuantityUnit } from '../units/units.js';
import { noData, type IndicatorReader, type ReadContext } from './indicator-reader.js';
import { containerMatcher } from './label-match.js';
import { GaugeReader } from './readers/gauge-reader.js';
import { LeakReader, MEMORY_METRIC } from './readers/leak-reader.js';
import { PostgresLatencyReader } from './readers/postgres-latency-reader.js';
import { ProbeReader, probeUrl } from './readers/probe-reader.js';
import { PromqlReader } from './readers/promql-reader.js';
import { RedisHitRatioReader } from './readers/redis-hit-ratio-reader.js';
import { ScrapeLatencyReader, ScrapeRatioReader } from './readers/scrape-reader.js';

export const CPU_METRIC = 'container_cpu_usage_ratio';
const CONTAINER_PART_LABELS = ['container', 'container_id'] as const;

export interface SourceRef {
  kind: SourceKind | null;
  name: string;
}

/** The instance an objective's `source` names, found as the config loader finds it (src/config/source-lookup.ts). */
export function resolveSource(config: Config, objective: Objective): SourceRef {
  const found = lookupIndicatorSource(config.daemon.sources, objective.indicator);
  if (found.ok) return { kind: found.kind, name: found.name };
  // Not defined, of the wrong kind, or ambiguous: the config loader reports which.
  return { kind: null, name: indicatorSourceName(objective.indicator) };
}

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

/** Overrides the readers of scrape-backed indicators (tests, or a richer PromQL later). */
export type ScrapeReaderFactory = (ctx: ReadContext, objective: Objective, source: string) => IndicatorReader | null;

/** The reader for one objective: the one dispatch over indicator kinds and source kinds. */
export function createReader(
  ctx: ReadContext,
  config: Config,
  service: string,
  objective: Objective,
  source: SourceRef,
  scrapeReaders?: ScrapeReaderFactory,
): IndicatorReader {
  const ind = objective.indicator;
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
    const baseUrl = config.daemon.sources.probe[source.name]?.baseUrl;
    return new ProbeReader(ctx, ind.probe, probeUrl(ind.probe, baseUrl));
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
