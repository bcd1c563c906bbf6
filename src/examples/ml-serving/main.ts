#!/usr/bin/env node
import { DEFAULT_ML_SERVING_PORT, startMlServing } from './start-ml-serving.js';

/**
 * `node dist/examples/ml-serving/main.js [--port N] [--host H] [--redis-url URL] [--postgres-url URL]
 * [--leak-bytes-per-minute N]` (or ML_SERVING_PORT, ML_SERVING_HOST, REDIS_URL, POSTGRES_URL,
 * ML_SERVING_LEAK_BYTES_PER_MINUTE). The leak option makes the leaking variant soak tests find.
 * Stops on SIGINT/SIGTERM.
 */
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const port = Number(flag('port') ?? process.env.ML_SERVING_PORT ?? DEFAULT_ML_SERVING_PORT);
const handle = await startMlServing({
  port,
  host: flag('host') ?? process.env.ML_SERVING_HOST ?? '127.0.0.1',
  redisUrl: flag('redis-url') ?? process.env.REDIS_URL,
  postgresUrl: flag('postgres-url') ?? process.env.POSTGRES_URL,
  leakBytesPerMinute: Number(flag('leak-bytes-per-minute') ?? process.env.ML_SERVING_LEAK_BYTES_PER_MINUTE ?? 0) || undefined,
});
console.log(`ml-serving listening on ${handle.url} (cache: ${handle.cacheKind})`);
const stop = () => {
  void handle.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
