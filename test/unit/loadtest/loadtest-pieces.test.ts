import { describe, expect, it } from 'vitest';
import { LatencyRecorder, percentiles, summarize } from '../../../src/loadtest/latency-recorder.js';
import { assertLoopback, isLoopbackUrl } from '../../../src/loadtest/loopback-guard.js';
import { fillTemplate, generatedTask, PayloadCorpus } from '../../../src/loadtest/payload-corpus.js';
import { parseProfile, toPhases } from '../../../src/loadtest/profile-schema.js';
import { lanePlan } from '../../../src/loadtest/traffic-runner.js';
import { resolveKinds } from '../../../src/loadtest/run-loadtest.js';

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
    expect(() => assertLoopback('http://10.0.0.1:80', false)).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_LOADTEST_REMOTE_TARGET' }));
    expect(() => assertLoopback('http://10.0.0.1:80', false)).toThrow(/--allow-remote/);
    expect(() => assertLoopback('http://10.0.0.1:80', true)).not.toThrow();
  });
});

describe('lanePlan', () => {
  it('spreads a rate over lanes staggered across the second, keeping the total and equal per-connection rates', () => {
    const plan = lanePlan(1000);
    // 20 lanes of 50 req/s: 48 at 4 per connection (12 connections) + 2 at 1 per connection.
    expect(plan).toHaveLength(40);
    expect(plan.slice(0, 2)).toEqual([
      { offsetMs: 0, rate: 48, connections: 12 },
      { offsetMs: 0, rate: 2, connections: 2 },
    ]);
    expect(plan.reduce((s, l) => s + l.rate, 0)).toBe(1000);
    expect([...new Set(plan.map((l) => l.offsetMs))]).toEqual(Array.from({ length: 20 }, (_, i) => i * 50));
    for (const l of plan) expect(l.rate % l.connections).toBe(0);
    expect(lanePlan(7)).toEqual([
      { offsetMs: 0, rate: 4, connections: 1 },
      { offsetMs: 0, rate: 3, connections: 3 },
    ]);
    expect(lanePlan(0)).toEqual([]);
    expect(lanePlan(45).reduce((s, l) => s + l.rate, 0)).toBe(45);
    expect(lanePlan(8)).toEqual([{ offsetMs: 0, rate: 8, connections: 2 }]);
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
  it('defaults to the decide endpoint for a bare base URL and to one path otherwise', () => {
    expect(resolveKinds({ url: 'http://127.0.0.1:8095' }).kinds.map((k) => k.path)).toEqual(['/api/documentation-keeper/decide']);
    const one = resolveKinds({ url: 'http://127.0.0.1:8095/health?x=1' });
    expect(one).toEqual({ base: 'http://127.0.0.1:8095', kinds: [{ name: 'GET /health', method: 'GET', path: '/health?x=1', weight: 1, body: undefined }] });
    expect(resolveKinds({ url: 'http://127.0.0.1:1/x', body: { a: 1 } }).kinds[0]!.method).toBe('POST');
  });
});
