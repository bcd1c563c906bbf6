import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * The service's own Prometheus metrics, in a registry per app instance (tests start several
 * instances in one process; the global registry would make them collide).
 * Buckets are fine between 1 and 100 ms, where the SLO (P95 < 50 ms) is decided.
 */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5,
];
const STAGE_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

export class ServingMetrics {
  readonly registry = new Registry();
  readonly requestDuration: Histogram<'route' | 'method' | 'code'>;
  readonly requests: Counter<'route' | 'method' | 'code'>;
  readonly featurePreparation: Histogram;
  readonly inference: Histogram;
  readonly cacheLookups: Counter<'result'>;

  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, from request received to response sent.',
      labelNames: ['route', 'method', 'code'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served.',
      labelNames: ['route', 'method', 'code'],
      registers: [this.registry],
    });
    this.featurePreparation = new Histogram({
      name: 'ml_feature_preparation_seconds',
      help: 'Time spent preparing features from text.',
      buckets: STAGE_BUCKETS,
      registers: [this.registry],
    });
    this.inference = new Histogram({
      name: 'ml_inference_seconds',
      help: 'Time spent in model inference (cache misses only).',
      buckets: STAGE_BUCKETS,
      registers: [this.registry],
    });
    this.cacheLookups = new Counter({
      name: 'ml_prediction_cache_lookups_total',
      help: 'Prediction cache lookups by result (hit or miss).',
      labelNames: ['result'],
      registers: [this.registry],
    });
  }
}
