// End to end: `node dist/cli/main.js demo` on a machine with no services (detection off, as on a
// fresh clone), then within 30 s the SLA endpoint must say what the README promises; Ctrl-C
// (SIGINT) must stop everything the demo started. A second run uses the harness Redis, which the
// demo must pick up as the prediction cache and as a cache-hit objective.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { testServices } from '../harness/services.js';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

interface Demo {
  child: ChildProcess;
  output: string[];
  slaUrl: string;
  serviceUrl: string;
}

async function startDemo(extra: string[]): Promise<Demo> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [MAIN, 'demo', '--port', '0', '--service-port', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const urls = await new Promise<{ sla: string; service: string }>((resolve, reject) => {
    let service = '';
    const timer = setTimeout(() => reject(new Error(`demo printed no URLs within 30 s:\n${output.join('')}`)), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited early (${code}):\n${output.join('')}`));
    });
    lines.on('line', (line) => {
      output.push(`${line}\n`);
      const s = /example ML service\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (s) service = s[1]!;
      const m = /vigil SLA \(JSON\)\s+(http:\/\/127\.0\.0\.1:\d+\/api\/sla\/ml-services\/current)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ sla: m[1]!, service });
      }
    });
  });
  return { child, output, slaUrl: urls.sla, serviceUrl: urls.service };
}

interface Current {
  uptime_percentage: number | null;
  response_time_p95: number | null;
  cache_hit_ratio: number | null;
  objectives: Array<{ name: string; status: string }>;
  sources: Array<{ kind: string; name: string; up: boolean }>;
}

/** Polls until the README's jq condition holds; returns the answer and how long it took. */
async function waitForHealthy(url: string, startedAt: number, extra: (c: Current) => boolean = () => true): Promise<Current> {
  let last: unknown = null;
  while (Date.now() - startedAt < 30_000) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        const body = (await res.json()) as Current;
        last = body;
        if (
          body.uptime_percentage !== null &&
          body.uptime_percentage > 99.9 &&
          body.response_time_p95 !== null &&
          body.response_time_p95 < 100 &&
          extra(body)
        ) {
          return body;
        }
      } else {
        last = `HTTP ${res.status}`;
      }
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`not healthy within 30 s; last answer: ${JSON.stringify(last).slice(0, 2000)}`);
}

async function stopDemo(demo: Demo, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  if (demo.child.exitCode !== null) return demo.child.exitCode;
  const exited = new Promise<number | null>((resolve) => demo.child.once('exit', (code) => resolve(code)));
  demo.child.kill(signal);
  const timer = setTimeout(() => demo.child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

describe('vigil demo', () => {
  let demo: Demo | undefined;
  afterEach(async () => {
    if (demo) await stopDemo(demo);
    demo = undefined;
  });

  it('answers uptime > 99.9 and P95 < 100 ms within 30 s with no services, and Ctrl-C stops everything', async () => {
    const startedAt = Date.now();
    demo = await startDemo(['--no-detect']);
    const current = await waitForHealthy(demo.slaUrl, startedAt);
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    expect(current.sources.map((s) => `${s.kind}/${s.name}:${s.up}`).sort()).toEqual(['probe/default:true', 'scrape/default:true']);
    expect(current.objectives.find((o) => o.name === 'decide-latency-p95')?.status).toBe('ok');
    expect(demo.output.join('')).toContain(`curl -s ${demo.slaUrl} | jq '.uptime_percentage > 99.9 and .response_time_p95 < 100'`);

    const configPath = /config: (\S+)/.exec(demo.output.join(''))![1]!;
    expect(existsSync(configPath)).toBe(true);
    const code = await stopDemo(demo);
    expect(code).toBe(0);
    expect(await refused(demo.slaUrl)).toBe(true);
    expect(await refused(`${demo.serviceUrl}/health`)).toBe(true);
    expect(existsSync(configPath)).toBe(false); // its temporary config and data are gone too
    demo = undefined;
  });

  it('uses a reachable Redis as the prediction cache and watches its hit ratio', async () => {
    const startedAt = Date.now();
    demo = await startDemo(['--no-detect', '--redis-url', testServices().redis.url]);
    const current = await waitForHealthy(demo.slaUrl, startedAt, (c) => c.cache_hit_ratio !== null);
    expect(current.sources.some((s) => s.kind === 'redis' && s.name === 'cache' && s.up)).toBe(true);
    expect(current.objectives.map((o) => o.name)).toEqual(
      expect.arrayContaining(['prediction-cache-hit-ratio', 'redis-instance-hit-ratio']),
    );
    expect(demo.output.join('')).toContain('(cache: redis)');
    // Its keys live under its own prefix, said in the banner, beside a key of another client that it must not touch.
    const prefix = /cache keys under (vigil-demo:\d+:)\*/.exec(demo.output.join(''))![1]!;
    const redis = new Redis(testServices().redis.url);
    try {
      await redis.set('someone-else:key', 'kept');
      const during = await redis.keys(`${prefix}*`);
      expect(during.length).toBeGreaterThan(0);
      expect((await redis.keys('ml:decide:*')).length).toBe(0);
      // SIGTERM (a service manager's stop) cleans up like Ctrl-C: the demo's keys go, nobody else's.
      expect(await stopDemo(demo, 'SIGTERM')).toBe(0);
      expect(await refused(demo.slaUrl)).toBe(true);
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
      expect(await redis.get('someone-else:key')).toBe('kept');
    } finally {
      await redis.del('someone-else:key');
      redis.disconnect();
    }
    demo = undefined;
  });
});
