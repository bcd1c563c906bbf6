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

export interface RedisCacheOptions {
  /**
   * Put before every key (`vigil-demo:1234:`), so a shared Redis holds this process's keys apart
   * from everyone else's and they can be found again.
   */
  readonly keyPrefix?: string;
  /** Delete every key under `keyPrefix` on close (the demo leaves nothing behind). */
  readonly deleteOnClose?: boolean;
}

export class RedisPredictionCache implements PredictionCache {
  readonly kind = 'redis' as const;
  private readonly client: Redis;
  private readonly prefix: string;

  constructor(
    url: string,
    private readonly options: RedisCacheOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? '';
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
      return await this.client.get(this.prefix + key);
    } catch {
      return null;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    try {
      await this.client.set(this.prefix + key, value, 'EX', ttlSeconds);
    } catch {
      // A failed write only means the next request recomputes.
    }
  }

  /** Deletes every key under the prefix (SCAN, not KEYS: a shared instance is not blocked); returns how many. */
  async deleteOwnKeys(): Promise<number> {
    if (this.prefix === '') throw new Error('refusing to delete keys without a key prefix');
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', `${escapeGlob(this.prefix)}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await this.client.del(...keys);
    } while (cursor !== '0');
    return deleted;
  }

  async close(): Promise<void> {
    if (this.options.deleteOnClose && this.client.status === 'ready') await this.deleteOwnKeys().catch(() => undefined);
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** A literal prefix inside a Redis MATCH pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
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
