// Load-test reports as `vigil loadtest --json` writes them, built by hand: a stress run that breaks
// at its third step and a profile run with phases, for the HTML report's unit tests, the
// browser test (with names that carry markup) and the docs screenshot.
import type { LatencySummary, LoadtestReport, ObjectiveVerdict, PerSecond, StressStep } from '../../src/loadtest/report-schema.js';

/** Texts that would run or load something if they were ever parsed as markup. */
export const HOSTILE_REPORT = {
  service: '<script>window.__pwned=1</script>svc',
  objective: '"><img src=x onerror="window.__pwned=2">',
  phase: '<script>window.__pwned=3</script>peak',
  kind: '"><img src=x onerror="window.__pwned=4">',
  error: '<img src=x onerror="window.__pwned=5">',
} as const;

const lat = (p50: number, p95: number, p99: number): LatencySummary => ({ count: 1000, p50, p95, p99, max: p99 * 1.5, mean: p50 * 1.1 });

const generator = (limited = false, reason: string | null = null) => ({
  workers: 1,
  sendLatenessMs: { p50: 0.1, p99: 2, max: 4, lateShare: 0 },
  eventLoopDelayMs: { p99: 3, max: 8 },
  limited,
  reason,
});

/** A smooth per-second series over `seconds`, asked following `askedAt`, latency rising with the load. */
function series(seconds: number, askedAt: (t: number) => number, phases: PerSecond['phases'], capacity: number): PerSecond {
  const at = Array.from({ length: seconds }, (_, i) => i);
  const asked = at.map(askedAt);
  const answered = asked.map((a) => Math.min(a, capacity) * (0.98 + 0.02 * Math.sin(a)));
  const load = asked.map((a) => a / capacity);
  const p50 = load.map((l) => 4 + 6 * l ** 3);
  return {
    step_seconds: 1,
    at_seconds: at,
    asked_per_second: asked,
    answered_per_second: answered,
    errors_per_second: asked.map((a) => Math.max(0, (a - capacity) * 0.05)),
    p50_ms: p50,
    p95_ms: p50.map((v, i) => v * (2 + 4 * (load[i] ?? 0) ** 4)),
    p99_ms: p50.map((v, i) => v * (3 + 9 * (load[i] ?? 0) ** 4)),
    phases,
  };
}

function verdict(service: string, objective: string, held: boolean, vigilError?: string): ObjectiveVerdict {
  return {
    service,
    objective,
    kind: 'latency',
    verdict: held ? 'held' : 'broken',
    client: {
      value: held ? 31.2 : 64.8,
      bound: 50,
      held,
      kinds: ['decide'],
      what: objective.endsWith('p99') ? 'P99 latency (ms)' : 'P95 latency (ms)',
    },
    vigil: {
      worst: held ? 'ok' : 'breach',
      worstValue: held ? '29.8ms' : '61.0ms',
      last: held ? 'ok' : 'breach',
      lastValue: held ? '27.1ms' : '58.4ms',
      ...(vigilError ? { error: vigilError } : {}),
      history: [],
    },
    judgedOn: ['client', 'vigil'],
  };
}

function base(mode: LoadtestReport['mode']): LoadtestReport {
  return {
    mode,
    model: 'open',
    arrivals: 'uniform',
    target: 'http://127.0.0.1:8095',
    startedAt: '2026-12-01T12:00:00.000Z',
    durationS: 60,
    requested: 24_000,
    responses: 23_870,
    throughput: 397.8,
    latencyMs: lat(5.1, 18.4, 41.9),
    latencyFromSendMs: lat(4.9, 16.2, 38.0),
    generator: generator(),
    server: { metric: 'http_request_duration_seconds', overall: { count: 23_870, p50: 3.2, p95: 12.5, p99: 30.1 }, kinds: [] },
    errors: { server: 12, client: 0, connection: 3, ratio: 15 / 23_873 },
    statusCounts: { '200': 23_858, '503': 12 },
    kinds: [
      {
        name: 'decide',
        method: 'POST',
        path: '/api/documentation-keeper/decide',
        responses: 23_870,
        throughput: 397.8,
        latencyMs: lat(5.1, 18.4, 41.9),
        serverErrors: 12,
        clientErrors: 0,
        connectionErrors: 3,
      },
    ],
    checks: [],
    objectives: [],
    vigil: null,
    passed: true,
    failed: [],
  };
}

const step = (rate: number, achieved: number, p95: number, held: boolean, reasons: string[] = []): StressStep => ({
  rate,
  achieved,
  latencyMs: lat(p95 / 3, p95, p95 * 1.8),
  errorRatio: held ? 0 : 0.031,
  held,
  reasons,
  generator: generator(),
});

/** A stress run: 200 and 400 req/s held, 800 broke (its p95 and errors); 10 s steps. */
export function stressReport(): LoadtestReport {
  const rates = [200, 400, 800];
  const phases = rates.map((_, i) => ({ name: `step-${i + 1}`, from_seconds: i * 10, to_seconds: (i + 1) * 10 }));
  return {
    ...base('stress'),
    durationS: 30,
    stress: {
      steps: [
        step(200, 199.6, 9.8, true),
        step(400, 398.9, 17.2, true),
        step(800, 611.4, 212.0, false, ['decide-p95: P95 latency 212.0ms > 50ms', 'errors 3.10% > 1.00%']),
      ],
      highestHeldRate: 400,
      breakingRate: 800,
      breakingReasons: ['decide-p95: P95 latency 212.0ms > 50ms', 'errors 3.10% > 1.00%'],
      generatorLimitedAt: null,
      recovery: { answered: true, afterMs: 37, url: 'http://127.0.0.1:8095/health' },
    },
    checks: [
      { name: 'held-rate', held: true, value: 400, bound: 200, detail: 'highest rate that held: 400 req/s (at least 200 needed)' },
      { name: 'recovery', held: true, value: 37, bound: 30_000, detail: 'target answered 37 ms after the last step' },
    ],
    objectives: [verdict('ml-services', 'decide-p95', false)],
    per_second: series(30, (t) => rates[Math.floor(t / 10)] ?? 800, phases, 620),
  };
}

/** A profile run: ramp, peak, cool-down over 60 s; one objective held, one broken by vigil's view as well. */
export function profileReport(
  names: { service?: string; objective?: string; phase?: string; kind?: string; error?: string } = {},
): LoadtestReport {
  const phases = [
    { name: 'ramp', from_seconds: 0, to_seconds: 20 },
    { name: names.phase ?? 'peak', from_seconds: 20, to_seconds: 40 },
    { name: 'cool-down', from_seconds: 40, to_seconds: 60 },
  ];
  const asked = (t: number) => (t < 20 ? 100 + 15 * t : t < 40 ? 400 : 400 - 12 * (t - 40));
  const report = base('profile');
  return {
    ...report,
    kinds: report.kinds.map((k) => ({ ...k, name: names.kind ?? k.name })),
    objectives: [
      verdict(names.service ?? 'ml-services', 'decide-p95', true),
      verdict(names.service ?? 'ml-services', names.objective ?? 'decide-p99', false, names.error),
    ],
    checks: [{ name: 'error-bound', held: true, value: 15 / 23_873, bound: 0.01, detail: '12 server errors and 3 unanswered of 23873' }],
    passed: false,
    failed: [names.objective ?? 'decide-p99'],
    per_second: series(60, asked, phases, 450),
  };
}
