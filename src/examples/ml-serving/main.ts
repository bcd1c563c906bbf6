#!/usr/bin/env node
import type { SlowModes } from './ml-serving-app.js';
import { DEFAULT_ML_SERVING_PORT, startMlServing } from './start-ml-serving.js';

/**
 * `node dist/examples/ml-serving/main.js [--port N] [--host H] [--redis-url URL] [--postgres-url URL]
 * [--slow MODES] [--history-rows N] [--leak-bytes-per-minute N]` (or ML_SERVING_PORT, ML_SERVING_HOST,
 * REDIS_URL, POSTGRES_URL, ML_SERVING_SLOW, ML_SERVING_HISTORY_ROWS, ML_SERVING_LEAK_BYTES_PER_MINUTE).
 * The leak option makes the leaking variant soak tests find. Stops on SIGINT/SIGTERM.
 */
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** `--slow no-cache,features=20`: the tuning guide's slow "before" (see SlowModes). */
function slowModes(text: string | undefined): SlowModes | undefined {
  if (!text) return undefined;
  const modes: SlowModes = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=');
    if (name === 'no-cache') modes.noCache = true;
    else if (name === 'features') modes.featureRepeats = Number(value ?? 20);
    else throw new Error(`--slow: unknown mode ${JSON.stringify(name)}; expected no-cache, features[=N]`);
  }
  return modes;
}

const port = Number(flag('port') ?? process.env.ML_SERVING_PORT ?? DEFAULT_ML_SERVING_PORT);
const handle = await startMlServing({
  port,
  host: flag('host') ?? process.env.ML_SERVING_HOST ?? '127.0.0.1',
  redisUrl: flag('redis-url') ?? process.env.REDIS_URL,
  postgresUrl: flag('postgres-url') ?? process.env.POSTGRES_URL,
  slow: slowModes(flag('slow') ?? process.env.ML_SERVING_SLOW),
  historyRows: Number(flag('history-rows') ?? process.env.ML_SERVING_HISTORY_ROWS ?? 0),
  leakBytesPerMinute: Number(flag('leak-bytes-per-minute') ?? process.env.ML_SERVING_LEAK_BYTES_PER_MINUTE ?? 0) || undefined,
});
console.log(`ml-serving listening on ${handle.url} (cache: ${handle.cacheKind})`);
const stop = () => {
  void handle.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
