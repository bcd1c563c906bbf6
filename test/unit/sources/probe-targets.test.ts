import { describe, expect, it } from 'vitest';
import type { LoadedSloFile } from '../../../src/config/config.js';
import { sloFileSchema } from '../../../src/config/slo-schema.js';
import { isExpectedStatus, joinUrl, probeTargets } from '../../../src/sources/probe/probe-targets.js';

function file(objectives: unknown[]): LoadedSloFile {
  return {
    path: 'slo/ml.yaml',
    slo: sloFileSchema.parse({ apiVersion: 'vigil/v1', kind: 'ServiceLevels', service: 'ml', objectives }),
  };
}

describe('probe targets', () => {
  it('join baseUrl and path, take method/body/headers/timeout, share a URL between objectives', () => {
    const files = [
      file([
        { name: 'uptime', indicator: { probe: { path: '/health' } }, target: '99.9%' },
        { name: 'uptime-fast', indicator: { probe: { path: '/health' } }, threshold: { max: '100ms' } },
        {
          name: 'decide',
          indicator: {
            probe: {
              url: 'http://10.0.0.1:8095/api/decide',
              method: 'POST',
              body: '{"x":1}',
              headers: { 'content-type': 'application/json' },
              expectStatus: [200],
              timeout: '2s',
            },
          },
          target: '99%',
        },
        { name: 'elsewhere', indicator: { probe: { source: 'edge', path: '/x' } }, target: '99%' },
      ]),
    ];
    const { targets, problems } = probeTargets('default', 'http://ml-serving:8095/', 10_000, files);
    expect(problems).toEqual([]);
    expect(targets).toEqual([
      {
        url: 'http://ml-serving:8095/health',
        method: 'GET',
        body: undefined,
        headers: undefined,
        expectStatus: undefined,
        timeoutMs: 10_000,
        objectives: ['ml/uptime', 'ml/uptime-fast'],
      },
      {
        url: 'http://10.0.0.1:8095/api/decide',
        method: 'POST',
        body: '{"x":1}',
        headers: { 'content-type': 'application/json' },
        expectStatus: [200],
        timeoutMs: 2_000,
        objectives: ['ml/decide'],
      },
    ]);
  });

  it('report a path without baseUrl and conflicting settings for one URL', () => {
    const files = [
      file([
        { name: 'a', indicator: { probe: { path: '/health' } }, target: '99%' },
        { name: 'b', indicator: { probe: { url: 'http://h/x' } }, target: '99%' },
        { name: 'c', indicator: { probe: { url: 'http://h/x', method: 'HEAD' } }, target: '99%' },
      ]),
    ];
    const { targets, problems } = probeTargets('default', undefined, 5_000, files);
    expect(targets.map((t) => [t.url, t.method, t.objectives])).toEqual([['http://h/x', 'GET', ['ml/b', 'ml/c']]]);
    expect(problems.map((p) => p.objective)).toEqual(['a', 'c']);
    expect(problems[0]!.message).toContain('baseUrl');
  });

  it('count any 2xx/3xx as up unless statuses are given', () => {
    expect([200, 204, 301, 399].every((s) => isExpectedStatus(s, undefined))).toBe(true);
    expect([199, 400, 404, 500, 503].some((s) => isExpectedStatus(s, undefined))).toBe(false);
    expect(isExpectedStatus(404, [404])).toBe(true);
    expect(isExpectedStatus(200, [204])).toBe(false);
    expect(joinUrl('http://a:1/base/', '/p')).toBe('http://a:1/base/p');
  });
});
