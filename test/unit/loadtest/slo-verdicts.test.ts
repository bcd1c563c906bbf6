import { describe, expect, it } from 'vitest';
import { type Objective, objectiveSchema } from '../../../src/config/slo-schema.js';
import { LatencyRecorder } from '../../../src/loadtest/latency-recorder.js';
import type { TrafficKind } from '../../../src/loadtest/load-sender.js';
import { clientView, objectiveVerdicts } from '../../../src/loadtest/slo-verdicts.js';

const decide: TrafficKind = { name: 'decide', method: 'POST', path: '/api/documentation-keeper/decide', weight: 8 };
const health: TrafficKind = { name: 'health', method: 'GET', path: '/health', weight: 2 };

function recorders(): Map<string, LatencyRecorder> {
  const d = new LatencyRecorder();
  for (let i = 1; i <= 100; i++) d.record(i, i === 100 ? 500 : 200); // p95 = 95 ms, 1 % 5xx
  const h = new LatencyRecorder();
  for (let i = 0; i < 100; i++) h.record(1, 200);
  return new Map([
    ['decide', d],
    ['health', h],
  ]);
}

const objective = (input: unknown): Objective => objectiveSchema.parse(input);

describe('client-side verdicts', () => {
  it('judges a latency objective on the routes its selector names', () => {
    const input = {
      name: 'decide-p95',
      indicator: { latency: { histogram: 'http_request_duration_seconds{route="/api/documentation-keeper/decide"}', quantile: 0.95 } },
      threshold: { max: '50ms' },
    };
    const o = objective(input);
    expect(clientView(o, [decide, health], recorders())).toEqual({
      value: 95,
      bound: 50,
      held: false,
      kinds: ['decide'],
      what: 'P95 latency (ms)',
    });
    const loose = objective({ ...input, threshold: { max: '100ms' } });
    expect(clientView(loose, [decide, health], recorders())?.held).toBe(true);
    // No route matcher: every request counts (health's fast answers pull the P95 down).
    const all = objective({ ...input, indicator: { latency: { histogram: 'http_request_duration_seconds', quantile: 0.95 } } });
    expect(clientView(all, [decide, health], recorders())?.value).toBe(90);
  });

  it('leaves server-internal histograms and unmatched routes to vigil', () => {
    const stage = objective({
      name: 'inference',
      indicator: { latency: { histogram: 'ml_inference_seconds' } },
      threshold: { max: '20ms' },
    });
    expect(clientView(stage, [decide], recorders())).toBeNull();
    const other = objective({
      name: 'other',
      indicator: { latency: { histogram: 'http_request_duration_seconds{route="/nope"}' } },
      threshold: { max: '20ms' },
    });
    expect(clientView(other, [decide], recorders())).toBeNull();
  });

  it('judges an availability ratio from 5xx and unanswered requests', () => {
    const input = {
      name: 'availability',
      indicator: {
        ratio: { errors: 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))', total: 'sum(rate(http_requests_total[{{window}}]))' },
      },
      target: '99.9%',
    };
    const o = objective(input);
    const view = clientView(o, [decide, health], recorders())!;
    expect(view.value).toBeCloseTo(199 / 200, 12);
    expect(view.held).toBe(false);
    expect(clientView(objective({ ...input, target: '99%' }), [decide, health], recorders())!.held).toBe(true);
  });

  it('combines both views: broken if either breaks, not covered if neither judges', () => {
    const files = [
      {
        path: 'x.yaml',
        slo: {
          apiVersion: 'vigil/v1' as const,
          kind: 'ServiceLevels' as const,
          service: 'ml',
          objectives: [
            objective({
              name: 'decide-p95',
              indicator: { latency: { histogram: 'http_request_duration_seconds{route="/api/documentation-keeper/decide"}' } },
              threshold: { max: '100ms' },
            }),
            objective({ name: 'inference', indicator: { latency: { histogram: 'ml_inference_seconds' } }, threshold: { max: '20ms' } }),
            objective({ name: 'memory', indicator: { containerMemory: { containers: 'x*' } }, threshold: { max: '1GiB' } }),
          ],
        },
      },
    ];
    const watched = [
      {
        service: 'ml',
        objective: 'decide-p95',
        kind: 'latency',
        worst: 'ok' as const,
        worstValue: '3ms',
        last: 'ok' as const,
        lastValue: '3ms',
        history: [],
      },
      {
        service: 'ml',
        objective: 'inference',
        kind: 'latency',
        worst: 'breach' as const,
        worstValue: '30ms',
        last: 'ok' as const,
        lastValue: '1ms',
        history: [],
      },
      {
        service: 'ml',
        objective: 'memory',
        kind: 'containerMemory',
        worst: 'no_data' as const,
        worstValue: null,
        last: 'no_data' as const,
        lastValue: null,
        history: [],
      },
    ];
    const verdicts = objectiveVerdicts(files, [decide], recorders(), watched);
    expect(verdicts.map((v) => [v.objective, v.verdict, v.judgedOn])).toEqual([
      ['decide-p95', 'held', ['client', 'vigil']],
      ['inference', 'broken', ['vigil']],
      ['memory', 'not_covered', []],
    ]);
  });
});
