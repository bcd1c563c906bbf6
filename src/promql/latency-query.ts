import type { LatencyIndicator } from '../config/slo-schema.js';
import { bucketSelector, withMetricSuffix } from './metric-suffix.js';

/** The latency quantile over `window` (a PromQL duration), from the histogram's buckets. */
export function latencyQuery(indicator: Pick<LatencyIndicator, 'histogram' | 'quantile'>, window: string): string {
  return `histogram_quantile(${indicator.quantile}, sum by (le) (rate(${bucketSelector(indicator.histogram)}[${window}])))`;
}

/** Observations per second over `window`: the traffic behind the quantile. */
export function latencyTrafficQuery(indicator: Pick<LatencyIndicator, 'histogram'>, window: string): string {
  return `sum(rate(${withMetricSuffix(indicator.histogram, '_count')}[${window}]))`;
}
