// `vigil loadtest --soak`, shortened: the example service in its own process, once as it is and
// once leaking 20 MB a minute, each warmed up for 20 s and soaked for 90 s at a steady rate with vigil's leak detector
// judging its resident memory. The first passes with `ok`, the second fails `no-leak` with the
// growth rate and the time to the limit; both leave their checkpoint file behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromWire } from '../../src/core/wire-keys.js';
import { soakCheckpointFileSchema } from '../../src/loadtest/report-schema.js';
import { runLoadtest } from '../../src/loadtest/run-loadtest.js';
import { nonSnakeKeys } from '../support/snake-keys.js';

const SERVICE = new URL('../../dist/examples/ml-serving/main.js', import.meta.url).pathname;
const DECIDE = { method: 'POST' as const, body: { task: '{{task}}' } };

async function startService(extra: string[]): Promise<{ url: string; child: ChildProcess }> {
  if (!existsSync(SERVICE)) throw new Error(`${SERVICE} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [SERVICE, '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`ml-serving exited (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      const m = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (m?.[1]) resolve(m[1]);
    });
  });
  return { url, child };
}

describe('vigil loadtest --soak', () => {
  const children: ChildProcess[] = [];
  let dir: string;
  let healthy: string;
  let leaking: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-soak-'));
    const a = await startService([]);
    const b = await startService(['--leak-bytes-per-minute', String(20 * 1024 * 1024)]);
    children.push(a.child, b.child);
    healthy = a.url;
    leaking = b.url;
  });

  afterAll(() => {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a healthy service soaks ok; the leaking variant is called a leak with its growth and time to the limit', async () => {
    const soak = (url: string, name: string) =>
      runLoadtest({
        url: `${url}/api/documentation-keeper/decide`,
        ...DECIDE,
        rate: 20,
        soak: {
          durationMs: 90_000,
          warmupMs: 20_000,
          checkpointMs: 15_000,
          memoryEveryMs: 1000,
          limitBytes: 512 * 1024 * 1024,
          checkpointFile: join(dir, `${name}.json`),
        },
        watch: false,
        progress: false,
      });
    const [ok, leak] = await Promise.all([soak(healthy, 'ok'), soak(leaking, 'leak')]);

    expect(ok.mode).toBe('soak');
    expect(ok.requested).toBe(1800);
    expect(ok.soak?.checkpoints).toHaveLength(6);
    expect(ok.soak?.leak?.verdict).not.toBe('leak');
    expect(ok.checks.find((c) => c.name === 'no-leak')?.held).toBe(true);

    expect(leak.soak?.leak?.verdict).toBe('leak');
    // 20 MiB a minute kept: the detector's floor trend is of that order (RSS also moves with the heap).
    const perMinute = (leak.soak?.leak?.growthBytesPerHour ?? 0) / 60;
    expect(perMinute).toBeGreaterThan(10 * 1024 * 1024);
    expect(perMinute).toBeLessThan(40 * 1024 * 1024);
    expect(leak.soak?.leak?.exhaustionEtaSeconds).toBeGreaterThan(0);
    expect(leak.failed).toContain('no-leak');
    expect(leak.checks.find((c) => c.name === 'no-leak')?.detail).toMatch(/leak, growth .* MiB\/h .* limit reached in .* h/);

    // What a killed run leaves behind: the checkpoint file in wire form (snake_case keys), readable with the report's schema.
    const file = JSON.parse(readFileSync(join(dir, 'leak.json'), 'utf8')) as unknown;
    expect(nonSnakeKeys(file)).toEqual([]);
    const kept = fromWire(soakCheckpointFileSchema, file).soak;
    expect(kept.checkpoints).toHaveLength(6);
    expect(kept.memory.v.length).toBeGreaterThan(60);
  }, 180_000);
});
