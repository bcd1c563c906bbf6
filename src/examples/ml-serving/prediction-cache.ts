import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * Where predictions are cached. Keys carry the model version, so deploying a new model
 * invalidates every cached answer without a flush: old keys simply expire.
 */
export interface PredictionCache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  close(): Promise<void>;
}

export function cacheKey(modelVersion: string, task: string): string {
  const digest = createHash('sha1').update(task).digest('hex');
  return `ml:decide:${modelVersion}:${digest}`;
}

export class RedisPredictionCache implements PredictionCache {
  readonly kind = 'redis' as const;
  private readonly client: Redis;

  constructor(url: string) {
    // Fail fast rather than queue: a cache that is down must cost a miss, not a hung request.
    this.client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.client.on('error', () => undefined);
  }

  async ready(timeoutMs = 5_000): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('error', onError);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      // The first connection error ends the wait: a refused connection will not heal in 5 s.
      const onError = (err: Error) => done(err);
      const timer = setTimeout(() => done(new Error(`redis not ready after ${timeoutMs} ms`)), timeoutMs);
      this.client.once('ready', onReady);
      this.client.once('error', onError);
    });
  }

  async get(key: string): Promise<string | null> {
    try {
      return await this.client.get(key);
    } catch {
      return null;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    try {
      await this.client.set(key, value, 'EX', ttlSeconds);
    } catch {
      // A failed write only means the next request recomputes.
    }
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** LRU with a TTL, for when no Redis is configured. A Map keeps insertion order: re-inserting on hit makes it LRU. */
export class MemoryPredictionCache implements PredictionCache {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, { value: string; expires: number }>();

  constructor(private readonly maxEntries = 10_000) {}

  async get(key: string): Promise<string | null> {
    const entry = this.entries.get(key);
    if (!entry) return null;
    this.entries.delete(key);
    if (entry.expires <= Date.now()) return null;
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
