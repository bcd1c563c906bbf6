import { Redis } from 'ioredis';
import type { LoadedSloFile } from '../../config/config.js';
import type { RedisSourceConfig } from '../../config/daemon-schema.js';
import { raceAbort } from '../../core/bounded-async.js';
import type { SampleResult, Source } from '../source.js';
import { parseRedisInfo } from './info-parser.js';
import { redisInfoToPoints, restartBaseline } from './redis-points.js';

/**
 * Samples one Redis instance with `INFO` (server, clients, memory, stats, keyspace: the default
 * sections). Password, database and TLS come from the URL (`rediss://` turns TLS on).
 *
 * The client never reconnects on its own: a dead server would otherwise get a reconnect loop
 * per instance between samples. Each sample connects if needed, so retries follow the
 * scheduler's schedule and backoff. No offline queue: a command on a closed connection fails
 * at once instead of piling up.
 */
export class RedisSource implements Source {
  readonly kind = 'redis' as const;
  private readonly client: Redis;
  private lastConnectError: Error | null = null;
  private previous: { runId: string; t: number } | null = null;

  constructor(
    readonly name: string,
    private readonly config: RedisSourceConfig,
    // Redis objectives need nothing instance-specific: every objective reads the same INFO.
    _files: readonly LoadedSloFile[] = [],
  ) {
    this.client = new Redis(config.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: config.timeout,
      commandTimeout: config.timeout,
      retryStrategy: () => null,
      enableReadyCheck: true,
      connectionName: 'vigil',
    });
    // ioredis emits connection errors as events; without a listener Node would treat them as
    // uncaught. The sample that needed the connection reports the error itself.
    this.client.on('error', (err: Error) => {
      this.lastConnectError = err;
    });
  }

  async sample(signal: AbortSignal): Promise<SampleResult> {
    await raceAbort(this.ensureConnected(), signal);
    const text = await raceAbort(this.client.info(), signal);
    const t = Date.now();
    const info = parseRedisInfo(text);
    const points = redisInfoToPoints(this.name, info, t);
    const runId = info.fields.get('run_id') ?? '';
    if (this.previous && this.previous.runId !== runId) {
      points.unshift(...restartBaseline(this.name, info, t, this.previous.t));
    }
    this.previous = { runId, t };
    return { points };
  }

  private async ensureConnected(): Promise<void> {
    const status = this.client.status;
    if (status === 'ready') return;
    if (status === 'connecting' || status === 'connect' || status === 'reconnecting') {
      // A previous sample was aborted mid-connect: start over rather than wait on it.
      this.client.disconnect();
    }
    this.lastConnectError = null;
    try {
      await this.client.connect();
    } catch (err) {
      const cause = this.lastConnectError ?? err;
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new Error(`redis ${this.name} (${this.config.url}): ${message}`, { cause });
    }
  }

  async close(): Promise<void> {
    if (this.client.status === 'ready') {
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
  }
}
