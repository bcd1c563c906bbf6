import { describe, expect, it } from 'vitest';
import { sustainedRate } from '../../../src/loadtest/judge-run.js';
import { LatencyRecorder, percentiles, summarize } from '../../../src/loadtest/latency-recorder.js';
import { assertLoopback, isLoopbackUrl } from '../../../src/loadtest/loopback-guard.js';
import { fillTemplate, generatedTask, PayloadCorpus } from '../../../src/loadtest/payload-corpus.js';
import { parseProfile, toPhases } from '../../../src/loadtest/profile-schema.js';
import { LOADTEST_DEFAULTS, resolveKinds, runShape } from '../../../src/loadtest/run-plan.js';

describe('loopback guard', () => {
  it.each([
    ['http://127.0.0.1:8095', true],
    ['http://127.8.9.10/x', true],
    ['http://localhost:3000', true],
    ['http://[::1]:8080/', true],
    ['http://10.0.0.1', false],
    ['http://example.com', false],
    ['http://128.0.0.1', false],
    ['not a url', false],
  ])('%s loopback: %s', (url, expected) => {
    expect(isLoopbackUrl(url)).toBe(expected);
  });

  it('refuses a remote target unless allowed', () => {
    expect(() => assertLoopback('http://10.0.0.1:80', false)).toThrow(
      expect.objectContaining({ code: 'VIGIL_ERR_LOADTEST_REMOTE_TARGET' }),
    );
    expect(() => assertLoopback('http://10.0.0.1:80', false)).toThrow(/--allow-remote/);
    expect(() => assertLoopback('http://10.0.0.1:80', true)).not.toThrow();
  });
});

describe('payload corpus', () => {
  it('draws the hot set at about its share and many distinct tail tasks, reproducibly', () => {
    const corpus = new PayloadCorpus({ distinct: 1000, hotSet: 10, hotShare: 0.7, seed: 1 });
    const hot = new Set(corpus.hot);
    expect(hot.size).toBe(10);
    expect(new Set(corpus.tail).size).toBe(1000);
    let hits = 0;
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const task = corpus.next();
      if (hot.has(task)) hits++;
      seen.add(task);
    }
    expect(hits / 10_000).toBeGreaterThan(0.67);
    expect(hits / 10_000).toBeLessThan(0.73);
    expect(seen.size).toBeGreaterThan(900);
    const again = new PayloadCorpus({ distinct: 1000, hotSet: 10, hotShare: 0.7, seed: 1 });
    const fresh = new PayloadCorpus({ distinct: 1000, hotSet: 10, hotShare: 0.7, seed: 1 });
    expect(Array.from({ length: 5 }, () => again.next())).toEqual(Array.from({ length: 5 }, () => fresh.next()));
  });

  it('generates distinct tasks and fills templates', () => {
    const tasks = new Set(Array.from({ length: 30_000 }, (_, i) => generatedTask(i)));
    expect(tasks.size).toBe(30_000);
    expect(fillTemplate({ task: 'do {{task}}', n: 1, list: ['{{task}}'] }, 'x')).toEqual({ task: 'do x', n: 1, list: ['x'] });
  });
});

describe('latency recorder', () => {
  it('takes nearest-rank percentiles and counts errors by kind', () => {
    const r = new LatencyRecorder();
    for (let i = 1; i <= 100; i++) r.record(i, i <= 97 ? 200 : i === 98 ? 404 : 503);
    r.recordError();
    expect(percentiles(r.latencies(), [0.5, 0.95, 0.99, 1])).toEqual([50, 95, 99, 100]);
    expect(summarize(r.latencies())).toMatchObject({ count: 100, p50: 50, max: 100, mean: 50.5 });
    expect([r.ok, r.httpErrors, r.serverErrors, r.connectionErrors, r.attempts]).toEqual([97, 3, 2, 1, 101]);
    const both = LatencyRecorder.combine([r, r]);
    expect(both.responses).toBe(200);
    expect(both.statusCounts.get(503)).toBe(4);
    expect(summarize([]).p95).toBeNull();
  });
});

describe('profile file', () => {
  it('reads the shipped production profile', async () => {
    const { readFileSync } = await import('node:fs');
    const profile = parseProfile(readFileSync('examples/ml-serving/profile.yaml', 'utf8'));
    const phases = toPhases(profile.phases);
    expect(phases.map((p) => p.shape.kind)).toEqual(['ramp', 'wave', 'burst', 'constant', 'ramp']);
    expect(phases.reduce((s, p) => s + p.durationMs, 0)).toBe(600_000);
    expect(profile.requests.map((r) => r.name)).toEqual(['decide', 'features', 'health']);
  });

  it('says what is wrong with a bad profile', () => {
    const bad = `apiVersion: vigil/v1\nkind: LoadProfile\nphases:\n  - ramp: { from: 1, to: 2, duration: 1m }\n    constant: { rate: 3, duration: 1m }\nrequests:\n  - { name: a, path: nope }\n`;
    expect(() => parseProfile(bad, 'p.yaml')).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_LOADTEST_PROFILE' }));
    expect(() => parseProfile(bad, 'p.yaml')).toThrow(/p.yaml phases.0: expected exactly one of/);
    expect(() => parseProfile(bad, 'p.yaml')).toThrow(/p.yaml requests.0.path/);
    expect(() => parseProfile('a: [', 'p.yaml')).toThrow(/not valid YAML/);
  });
});

describe('resolveKinds', () => {
  it('sends to the given URL (GET, POST with a body); no endpoint of any example service is assumed', () => {
    expect(resolveKinds({ url: 'http://127.0.0.1:8095' }).kinds).toEqual([
      { name: 'GET /', method: 'GET', path: '/', weight: 1, body: undefined },
    ]);
    const one = resolveKinds({ url: 'http://127.0.0.1:8095/health?x=1' });
    expect(one).toEqual({
      base: 'http://127.0.0.1:8095',
      kinds: [{ name: 'GET /health', method: 'GET', path: '/health?x=1', weight: 1, body: undefined }],
    });
    expect(resolveKinds({ url: 'http://127.0.0.1:1/x', body: { a: 1 } }).kinds[0]?.method).toBe('POST');
  });
});

describe('runShape', () => {
  it('a rate alone is a constant run of the default duration, with its requests counted', () => {
    const shape = runShape({ rate: 20 });
    expect(shape).toMatchObject({
      mode: 'constant',
      rate: 20,
      durationMs: LOADTEST_DEFAULTS.durationMs,
      requested: 20 * (LOADTEST_DEFAULTS.durationMs / 1000),
    });
  });

  it('a stress run without --min-rate must hold its first step', () => {
    expect(runShape({ stress: { startRate: 30, factor: 2, maxRate: 100, stepMs: 1000 } })).toEqual({
      mode: 'stress',
      stress: { startRate: 30, factor: 2, maxRate: 100, stepMs: 1000, minRate: 30 },
    });
  });

  it('refuses options that ask for no run', () => {
    expect(() => runShape({})).toThrow(/give a rate/);
  });
});

describe('sustainedRate', () => {
  it('is judged over the planned duration, also when the caller gave only a rate (was NaN)', () => {
    const shape = runShape({ rate: 20 });
    if (shape.mode !== 'constant') throw new Error('expected a constant run');
    const check = sustainedRate(1200, shape, 0.95);
    expect(check).toMatchObject({ name: 'sustained-rate', held: true, value: 20, bound: 19 });
    expect(sustainedRate(1000, shape, 0.95).held).toBe(false);
  });
});
