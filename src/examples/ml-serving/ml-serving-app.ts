import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import type { FeatureStore } from './feature-store.js';
import { type Example, LogisticModel, type Prediction, type TrainOptions } from './logistic-model.js';
import { cacheKey, type PredictionCache } from './prediction-cache.js';
import { ServingMetrics } from './serving-metrics.js';
import { prepareFeatures } from './text-features.js';

export const FEATURES_ROUTE = '/api/documentation-keeper/features';
export const DECIDE_ROUTE = '/api/documentation-keeper/decide';
export const RETRAIN_ROUTE = '/admin/model/retrain';

export interface MlServingAppOptions {
  examples: readonly Example[];
  cache: PredictionCache;
  featureStore?: FeatureStore | undefined;
  cacheTtlSeconds?: number;
  train?: TrainOptions;
  /** prom-client default process metrics (off in tests that start many apps). */
  defaultMetrics?: boolean;
  /** The tuning guide's "before": the service made slow in the ways a real one often is. */
  slow?: SlowModes;
}

export interface SlowModes {
  /** Never read the prediction cache: every request runs inference (and its database reads). */
  noCache?: boolean;
  /** Prepare features this many times per request, as a feature step that recomputes what it could keep. */
  featureRepeats?: number;
}

const MAX_TEXT = 10_000;
const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

const featuresSchema = {
  type: 'object',
  properties: {
    token_count: { type: 'integer' },
    unique_tokens: { type: 'integer' },
    char_count: { type: 'integer' },
    avg_token_length: { type: 'number' },
    digit_ratio: { type: 'number' },
    uppercase_ratio: { type: 'number' },
    vector: { type: 'array', items: { type: 'number' } },
  },
} as const;

/**
 * The example ML-serving service: feature preparation and a cached model decision, instrumented
 * the way the SLO files expect (`http_request_duration_seconds{route,method,code}` and friends).
 */
export function buildMlServingApp(options: MlServingAppOptions): { app: FastifyInstance; metrics: ServingMetrics } {
  const metrics = new ServingMetrics(options.defaultMetrics ?? true);
  const ttl = options.cacheTtlSeconds ?? 300;
  let model = LogisticModel.train(options.examples, options.train);
  let retrainSeed = options.train?.seed ?? 7;
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  // `curl -d '{"task": ...}'` sends `application/x-www-form-urlencoded`: a body is read as JSON
  // whatever its content type says, and what is not JSON is a 400 that says what to send.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(
        Object.assign(new Error('the body is not JSON; send a JSON object such as {"task": "update README"}'), { statusCode: 400 }),
        undefined,
      );
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      code: String(reply.statusCode),
    };
    metrics.requestDuration.observe(labels, reply.elapsedTime / 1000);
    metrics.requests.inc(labels);
  });

  app.get('/health', async () => ({ status: 'ok', model_version: model.version, cache: options.cache.kind }));

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.post<{ Body: { context: string } }>(
    FEATURES_ROUTE,
    {
      schema: {
        body: {
          type: 'object',
          required: ['context'],
          properties: { context: { type: 'string', maxLength: MAX_TEXT } },
        },
        response: {
          200: {
            type: 'object',
            properties: { features: featuresSchema, preparation_time_ms: { type: 'number' } },
          },
        },
      },
    },
    async (request) => {
      const started = performance.now();
      const { features } = prepareFeatures(request.body.context);
      const elapsed = performance.now() - started;
      metrics.featurePreparation.observe(elapsed / 1000);
      return { features, preparation_time_ms: round3(elapsed) };
    },
  );

  app.post<{ Body: { task: string } }>(
    DECIDE_ROUTE,
    {
      schema: {
        body: {
          type: 'object',
          required: ['task'],
          properties: { task: { type: 'string', minLength: 1, maxLength: MAX_TEXT } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              decision: { type: 'string' },
              probability: { type: 'number' },
              features: featuresSchema,
              preparation_time_ms: { type: 'number' },
              inference_time_ms: { type: 'number' },
              response_time_ms: { type: 'number' },
              cache_hit: { type: 'boolean' },
              model_version: { type: 'string' },
            },
          },
        },
      },
    },
    async (request) => {
      const started = performance.now();
      const current = model;
      const { features, tokens } = prepareFeatures(request.body.task);
      for (let i = 1; i < (options.slow?.featureRepeats ?? 1); i++) prepareFeatures(request.body.task);
      const prepared = performance.now();
      metrics.featurePreparation.observe((prepared - started) / 1000);

      const key = cacheKey(current.version, request.body.task);
      const cached = options.slow?.noCache ? null : await options.cache.get(key);
      let prediction: Prediction;
      let inferenceMs = 0;
      if (cached !== null) {
        metrics.cacheLookups.inc({ result: 'hit' });
        prediction = JSON.parse(cached) as Prediction;
      } else {
        metrics.cacheLookups.inc({ result: 'miss' });
        const inferenceStarted = performance.now();
        const store = options.featureStore;
        const prior = store ? (await store.priorLogit(tokens).catch(() => 0)) + (await store.historyLogit(tokens).catch(() => 0)) : 0;
        prediction = current.predictTokens(tokens, prior);
        inferenceMs = performance.now() - inferenceStarted;
        metrics.inference.observe(inferenceMs / 1000);
        // Written before answering, so the next identical request is a hit (read-your-writes).
        await options.cache.set(key, JSON.stringify(prediction), ttl);
      }
      return {
        decision: prediction.decision,
        probability: Math.round(prediction.probability * 1e6) / 1e6,
        features,
        preparation_time_ms: round3(prepared - started),
        inference_time_ms: round3(inferenceMs),
        response_time_ms: round3(performance.now() - started),
        cache_hit: cached !== null,
        model_version: current.version,
      };
    },
  );

  // A model deployment in miniature: retraining gives a new version, and the version is part of
  // every cache key, so cached answers of the old model are no longer read.
  app.post<{ Body: { seed?: number; epochs?: number } | undefined }>(RETRAIN_ROUTE, async (request) => {
    retrainSeed = request.body?.seed ?? retrainSeed + 1;
    const previous = model.version;
    model = LogisticModel.train(options.examples, {
      ...options.train,
      seed: retrainSeed,
      ...(request.body?.epochs ? { epochs: request.body.epochs } : {}),
    });
    return { previous_version: previous, model_version: model.version };
  });

  app.addHook('onClose', async () => {
    await options.cache.close();
    await options.featureStore?.close();
  });

  return { app, metrics };
}
