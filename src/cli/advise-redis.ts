import { writeFile } from 'node:fs/promises';
import { redisAdviceOutputSchema } from '../advise/advice-schema.js';
import { adviseRedis } from '../advise/redis-advice.js';
import { applyRedisAdvice } from '../advise/redis-apply.js';
import { redisClient, sampleRedis } from '../advise/redis-sampler.js';
import { redisScript } from '../advise/redis-script.js';
import { redact } from '../core/redact.js';
import { toWire } from '../core/wire-keys.js';
import { parseDuration } from '../units/units.js';
import { advisedSource } from './advise-source.js';

/** `vigil advise redis`: exit 0 advice written (and applied with --apply), 2 could not measure. */

export interface AdviseRedisOptions {
  config?: string;
  source: string;
  url?: string;
  period: string;
  keys: string;
  out: string;
  apply?: boolean;
  rewrite?: boolean;
  json?: boolean;
}

async function redisUrl(options: AdviseRedisOptions): Promise<string | null> {
  if (options.url) return options.url;
  return (await advisedSource('redis', options))?.url ?? null;
}

export async function adviseRedisCommand(options: AdviseRedisOptions): Promise<number> {
  const url = await redisUrl(options);
  if (url === null) return 2;
  const target = redact(url);
  const client = redisClient(url);
  try {
    const facts = await sampleRedis(client, { periodMs: parseDuration(options.period), maxKeys: Number(options.keys) });
    const advice = adviseRedis(facts);
    await writeFile(
      options.out,
      redisScript(advice, { target, generatedAt: new Date().toISOString(), rewrite: options.rewrite === true }),
      { mode: 0o644 },
    );
    if (options.json) {
      const output = { target, facts: { ...facts, sample: facts.sample.length }, advice };
      console.log(JSON.stringify(toWire(redisAdviceOutputSchema, output), null, 2));
    } else {
      console.log(
        `${target}: hit ratio ${advice.hitRatio === null ? 'n/a' : `${(advice.hitRatio * 100).toFixed(1)} %`}, policy ${facts.policy}, ` +
          `maxmemory ${facts.maxmemory}, used ${facts.usedMemory} B, ${facts.keys} keys (${facts.sample.length} sampled, ${advice.withoutTtl} without TTL)`,
      );
      for (const r of advice.recommendations) console.log(`- ${r.title}\n    why: ${r.reason}\n    effect: ${r.effect}`);
      if (advice.recommendations.length === 0) console.log('nothing to change');
      console.log(`wrote ${options.out}${options.apply ? '' : ' (nothing was changed; review it, or rerun with --apply)'}`);
    }
    if (options.apply) {
      const result = await applyRedisAdvice(client, advice, { rewrite: options.rewrite === true, say: (line) => console.log(line) });
      console.log(`applied ${result.ran} commands${result.refused.length ? `, refused ${result.refused.length}` : ''}`);
    }
    return 0;
  } catch (err) {
    console.error(`vigil advise redis: ${target}: ${redact((err as Error).message)}`);
    return 2;
  } finally {
    client.disconnect();
  }
}
