import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGap } from '../../../src/cli/check.js';
import { loadDaemonConfig } from '../../../src/config/load-daemon.js';

// Issue 12 item 6: durations past 24.8 days passed validation, and Node clamps such a timer to
// 1 ms (`evaluateEvery: 25d` spun at 70 % CPU). Every duration that drives a timer or a timeout
// is bounded by what it drives, with a positioned error.

const SEED = 20261201;
const DAY = 86_400_000;

/** Each bounded key: how to write it into vigil.yaml, and its largest accepted value. */
const KEYS = [
  { path: 'evaluateEvery', yaml: (d: string) => `evaluateEvery: ${d}\n`, maxMs: 3_600_000 },
  { path: 'store.persistInterval', yaml: (d: string) => `store:\n  persistInterval: ${d}\n`, maxMs: DAY },
  { path: 'alertmanager.resendInterval', yaml: (d: string) => `alertmanager:\n  resendInterval: ${d}\n`, maxMs: DAY },
  { path: 'alertmanager.timeout', yaml: (d: string) => `alertmanager:\n  timeout: ${d}\n`, maxMs: 300_000 },
  {
    path: 'sources.redis.cache.timeout',
    yaml: (d: string) => `sources:\n  redis:\n    cache:\n      url: redis://127.0.0.1:6379\n      timeout: ${d}\n`,
    maxMs: 300_000,
  },
  { path: 'sources.probe.web.timeout', yaml: (d: string) => `sources:\n  probe:\n    web:\n      timeout: ${d}\n`, maxMs: 300_000 },
] as const;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-durations-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(text: string) {
  const configPath = join(dir, 'vigil.yaml');
  await writeFile(configPath, text);
  return loadDaemonConfig({ configPath, env: {}, cwd: dir });
}

describe('durations are bounded by what they drive', () => {
  it('any value above its bound is refused at its key, with the bound and what it drives', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...KEYS), fc.integer({ min: 1, max: 5000 }), async (key, days) => {
        const minutes = Math.ceil(key.maxMs / 60_000) + days;
        const result = await load(key.yaml(`${minutes}m`));
        expect(result.ok).toBe(false);
        if (result.ok) return;
        const issue = result.issues.find((i) => i.path === key.path);
        expect(issue, JSON.stringify(result.issues)).toBeDefined();
        expect(issue!.code).toBe('VIGIL_ERR_CONFIG_DURATION_RANGE');
        expect(issue!.line).toBeGreaterThan(0);
        expect(issue!.message).toMatch(/^expected a duration from .+ to .+ \(it drives .+\), got /);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('values within the bounds load', async () => {
    for (const key of KEYS) {
      const result = await load(key.yaml(`${key.maxMs / 1000}s`));
      expect(result.ok, `${key.path}: ${JSON.stringify(result.ok ? null : result.issues)}`).toBe(true);
    }
  });

  it('the CLI gap is bounded too', () => {
    expect(parseGap('3s')).toEqual({ ok: true, ms: 3000 });
    expect(parseGap('30d')).toMatchObject({ ok: false, message: expect.stringContaining('at most 10m') });
    expect(parseGap('soon')).toMatchObject({ ok: false });
  });
});
