import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../../src/loadtest/latency-recorder.js';
import type { ObjectiveVerdict } from '../../../src/loadtest/report-schema.js';
import { errorRatioOf, nextStressRate, stepReasons } from '../../../src/loadtest/stress-step.js';

function step(answered: number, serverErrors: number, unanswered: number): LatencyRecorder {
  const r = new LatencyRecorder();
  for (let i = 0; i < answered; i++) r.record(1, i < serverErrors ? 503 : 200);
  for (let i = 0; i < unanswered; i++) r.recordError();
  return r;
}

const base = { rate: 100, seconds: 10, maxErrorRatio: 0.01, minShare: 0.95, verdicts: [], vigilBreaches: [] };

describe('stress step judgement', () => {
  it('holds a step that answered the rate cleanly', () => {
    expect(stepReasons({ ...base, step: step(1000, 0, 0) })).toEqual([]);
  });

  it('breaks on errors past the bound, on a shortfall, and names objectives from both views', () => {
    const s = step(900, 20, 10); // 30 bad of 910 attempts = 3.30 %; answered 90 req/s of 100
    expect(errorRatioOf(s)).toBeCloseTo(30 / 910, 12);
    const verdicts: ObjectiveVerdict[] = [
      {
        service: 'ml',
        objective: 'decide-p95',
        kind: 'latency',
        verdict: 'broken',
        client: { value: 65.24, bound: 50, held: false, kinds: ['decide'], what: 'P95 latency (ms)' },
        vigil: null,
        judgedOn: ['client'],
      },
      {
        service: 'ml',
        objective: 'availability',
        kind: 'ratio',
        verdict: 'broken',
        client: { value: 0.996, bound: 0.999, held: false, kinds: ['decide'], what: 'good share' },
        vigil: null,
        judgedOn: ['client'],
      },
      { service: 'ml', objective: 'fine', kind: 'latency', verdict: 'held', client: null, vigil: null, judgedOn: [] },
    ];
    expect(stepReasons({ ...base, step: s, verdicts, vigilBreaches: ['inference-p95: breach (30ms)'] })).toEqual([
      'errors 3.30% > 1.00%',
      'answered 90 req/s of 100 asked',
      'decide-p95: P95 latency 65.2ms > 50ms',
      'availability: good share 99.60% < 99.90%',
      'inference-p95: breach (30ms) by vigil',
    ]);
  });

  it('steps the rate up by the factor, always by at least one, and stops past the maximum', () => {
    expect(nextStressRate(100, 1.5, 20_000)).toBe(150);
    expect(nextStressRate(3, 1.1, 100)).toBe(4);
    expect(nextStressRate(15_000, 1.5, 20_000)).toBeNull();
    expect(nextStressRate(10_000, 2, 20_000)).toBe(20_000);
  });
});
