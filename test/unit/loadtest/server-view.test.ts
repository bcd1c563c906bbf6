import { describe, expect, it } from 'vitest';
import type { TrafficKind } from '../../../src/loadtest/load-sender.js';
import { readRequestHistogram, serverView } from '../../../src/loadtest/server-view.js';

const exposition = (decide: number[], health: number[]) => {
  const les = ['0.001', '0.01', '0.1', '+Inf'];
  const series = (route: string, counts: number[]) =>
    les
      .map((le, i) => `http_request_duration_seconds_bucket{le="${le}",route="${route}",method="POST",code="200"} ${counts[i] ?? 0}`)
      .join('\n');
  return `# TYPE http_request_duration_seconds histogram\n${series('/decide', decide)}\n${series('/health', health)}\n# TYPE other_total counter\nother_total 5\n`;
};

const kinds: TrafficKind[] = [
  { name: 'decide', method: 'POST', path: '/decide', weight: 1 },
  { name: 'health', method: 'GET', path: '/health?x=1', weight: 1 },
];

describe('serverView', () => {
  it("reads the service's histogram increase over the run, overall and per route, in ms", () => {
    const before = readRequestHistogram(exposition([10, 10, 10, 10], [5, 5, 5, 5]));
    // During the run: decide 100 requests, 90 of them under 1 ms, 10 in (1, 10] ms; health 50 under 1 ms.
    const after = readRequestHistogram(exposition([100, 110, 110, 110], [55, 55, 55, 55]));
    const view = serverView(before, after, kinds);
    expect(view?.metric).toBe('http_request_duration_seconds');
    expect(view?.overall.count).toBe(150);
    const decide = view?.kinds.find((k) => k.kind === 'decide');
    expect(decide?.count).toBe(100);
    expect(decide?.p50).toBeCloseTo((0.5 / 0.9) * 1, 6); // 50th of 90 in [0, 1 ms]
    expect(decide?.p95).toBeCloseTo(1 + 9 * 0.5, 6); // half-way through the (1, 10] ms bucket
    expect(view?.kinds.find((k) => k.kind === 'health')?.count).toBe(50);
  });

  it('counts a reset histogram (a restarted service) from zero, and is null without a request histogram', () => {
    const before = readRequestHistogram(exposition([1000, 1000, 1000, 1000], [0, 0, 0, 0]));
    const after = readRequestHistogram(exposition([20, 20, 20, 20], [0, 0, 0, 0]));
    expect(serverView(before, after, kinds)?.overall.count).toBe(20);
    expect(readRequestHistogram('# TYPE other_total counter\nother_total 5\n')).toBeNull();
    expect(serverView(null, null, kinds)).toBeNull();
  });
});
