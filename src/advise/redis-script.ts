import type { RedisAdvice } from './redis-advice.js';
import { commentLines, shellQuote } from './shell-script.js';

/**
 * The Redis advice as `redis-ml-cache-config.sh`: a POSIX shell script of redis-cli commands, each
 * block commented with what it does, why (the measured facts) and the expected effect. It never
 * holds a password: the connection comes from `REDIS_CLI` (or redis-cli's own REDISCLI_AUTH).
 */
export function redisScript(advice: RedisAdvice, meta: { target: string; generatedAt: string; rewrite: boolean }): string {
  const lines = [
    '#!/bin/sh',
    `# Prediction-cache settings for ${meta.target}, written by vigil advise redis at ${meta.generatedAt}.`,
    '# Review every block, then run:  REDIS_CLI="redis-cli -h HOST -p PORT" sh redis-ml-cache-config.sh',
    `# Measured: hit ratio ${advice.hitRatio === null ? 'n/a' : `${(advice.hitRatio * 100).toFixed(1)} %`}, ` +
      `${advice.withoutTtl} sampled keys without TTL, key size p50 ${advice.sizeBytes.p50 ?? 'n/a'} B / p90 ${advice.sizeBytes.p90 ?? 'n/a'} B, ` +
      `TTL p50 ${advice.ttlSeconds.p50 ?? 'n/a'} s / p90 ${advice.ttlSeconds.p90 ?? 'n/a'} s.`,
    'set -eu',
    ': "${REDIS_CLI:=redis-cli}"',
    '',
  ];
  if (advice.recommendations.length === 0)
    lines.push('# Nothing to change: the cache is bounded, evicts by frequency and its keys expire.');
  advice.recommendations.forEach((r, i) => {
    lines.push(`# ${i + 1}. ${r.title}`, ...commentLines(`why: ${r.reason}`, '#    '), ...commentLines(`effect: ${r.effect}`, '#    '));
    for (const c of r.commands) lines.push(`$REDIS_CLI ${c.map(shellQuote).join(' ')}`);
    lines.push('');
  });
  if (meta.rewrite) lines.push('# Persist the settings above into redis.conf (asked for with --rewrite).', '$REDIS_CLI CONFIG REWRITE', '');
  else lines.push('# CONFIG SET lasts until the server restarts; persist it in redis.conf (or run CONFIG REWRITE yourself).', '');
  return lines.join('\n');
}
