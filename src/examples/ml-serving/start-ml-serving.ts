import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { redact } from '../../core/redact.js';
import { DeliberateLeak } from './deliberate-leak.js';
import { FeatureStore } from './feature-store.js';
import { parseTrainingSet } from './logistic-model.js';
import { buildMlServingApp, type SlowModes } from './ml-serving-app.js';
import { MemoryPredictionCache, type PredictionCache, RedisPredictionCache } from './prediction-cache.js';

export const DEFAULT_ML_SERVING_PORT = 8095;

/** The bundled training set; resolved from both src/ (tests) and dist/ (built). */
export const TRAINING_SET_URL = new URL('../../../examples/ml-serving/training-set.txt', import.meta.url);

export interface StartMlServingOptions {
  port?: number;
  host?: string;
  /** Prediction cache in Redis; an in-memory LRU when left out. */
  redisUrl?: string | undefined;
  /** Prefix of every cache key in Redis, deleted again on close (the demo's isolation in a shared Redis). */
  redisKeyPrefix?: string | undefined;
  /** Token priors read from `ml_learning_token_priors`; off when left out. */
  postgresUrl?: string | undefined;
  cacheTtlSeconds?: number;
  defaultMetrics?: boolean;
  slow?: SlowModes;
  /** Rows of `ml_learning_task_history` to seed (needs postgresUrl); 0 leaves the history feature off. */
  historyRows?: number;
  /** Keep this many bytes a minute forever: a leaking variant for soak tests. */
  leakBytesPerMinute?: number | undefined;
}

export interface MlServingHandle {
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  readonly cacheKind: PredictionCache['kind'];
  close(): Promise<void>;
}

export async function startMlServing(options: StartMlServingOptions = {}): Promise<MlServingHandle> {
  const host = options.host ?? '127.0.0.1';
  const examples = parseTrainingSet(readFileSync(TRAINING_SET_URL, 'utf8'));
  let cache: PredictionCache;
  if (options.redisUrl) {
    const redis = new RedisPredictionCache(
      options.redisUrl,
      options.redisKeyPrefix ? { keyPrefix: options.redisKeyPrefix, deleteOnClose: true } : {},
    );
    try {
      await redis.ready();
    } catch (err) {
      await redis.close();
      throw new Error(`ml-serving: Redis at ${redact(options.redisUrl)} is not reachable: ${(err as Error).message}`);
    }
    cache = redis;
  } else {
    cache = new MemoryPredictionCache();
  }
  let featureStore: FeatureStore | undefined;
  if (options.postgresUrl) {
    featureStore = new FeatureStore(options.postgresUrl, options.historyRows ?? 0);
    try {
      await featureStore.init();
    } catch (err) {
      await featureStore.close();
      await cache.close();
      throw new Error(`ml-serving: PostgreSQL is not reachable: ${(err as Error).message}`);
    }
  }
  const { app } = buildMlServingApp({
    examples,
    cache,
    featureStore,
    cacheTtlSeconds: options.cacheTtlSeconds,
    defaultMetrics: options.defaultMetrics,
    slow: options.slow,
  });
  await app.listen({ port: options.port ?? DEFAULT_ML_SERVING_PORT, host });
  const leak = options.leakBytesPerMinute ? new DeliberateLeak(options.leakBytesPerMinute) : null;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_ML_SERVING_PORT);
  return {
    url: `http://${host}:${port}`,
    port,
    app,
    cacheKind: cache.kind,
    close: () => {
      leak?.stop();
      return app.close();
    },
  };
}
