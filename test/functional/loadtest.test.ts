// `vigil loadtest` as a user runs it (the built CLI in a child process) against the example
// service: an objective set too tight fails the run, exit 1, naming it; a reachable one passes
// with vigil's own evaluation (scraping the target's /metrics) agreeing; a short stress run
// reports the highest rate that held and that the target still answers; remote targets are refused.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromWire } from '../../src/core/wire-keys.js';
import { type MlServingHandle, startMlServing } from '../../src/examples/ml-serving/start-ml-serving.js';
import { loadtestReportSchema } from '../../src/loadtest/report-schema.js';
import { type LoadtestReport, runLoadtest } from '../../src/loadtest/run-loadtest.js';
import { nonSnakeKeys } from '../support/snake-keys.js';

const run = promisify(execFile);
const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
/** The example service's decide endpoint: the general tool assumes no endpoint of its own. */
const DECIDE = ['--profile', new URL('../../examples/ml-serving/decide.yaml', import.meta.url).pathname];

const DECIDE_P95 = (max: string, name: string) => `
  - name: ${name}
    indicator:
      latency:
        histogram: 'http_request_duration_seconds{route="/api/documentation-keeper/decide"}'
        quantile: 0.95
    threshold: { max: ${max} }
    window: 5m`;

const AVAILABILITY = `
  - name: decide-availability
    indicator:
      ratio:
        errors: 'sum(rate(http_requests_total{code=~"5.."}[{{window}}]))'
        total: 'sum(rate(http_requests_total[{{window}}]))'
    target: 99%
    period: 30d`;

function sloDir(objectives: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-lt-'));
  writeFileSync(
    join(dir, 'ml-services.yaml'),
    `apiVersion: vigil/v1\nkind: ServiceLevels\nservice: ml-services\nobjectives:${objectives}\n`,
  );
  return dir;
}

async function loadtest(args: string[]): Promise<{ code: number; report: LoadtestReport | null; stderr: string }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, 'loadtest', ...args, '--json'], {
      timeout: 90_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, report: wireReport(stdout), stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, report: e.stdout ? wireReport(e.stdout) : null, stderr: e.stderr ?? '' };
  }
}

/** `--json` prints snake_case keys only (status counts are data); read back into the report's code names. */
function wireReport(stdout: string): LoadtestReport {
  const json = JSON.parse(stdout) as unknown;
  expect(nonSnakeKeys(json)).toEqual([]);
  return fromWire(loadtestReportSchema, json);
}

describe('vigil loadtest', () => {
  let service: MlServingHandle;
  const dirs: string[] = [];

  beforeAll(async () => {
    service = await startMlServing({ port: 0, defaultMetrics: false });
  });

  afterAll(async () => {
    await service?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('exits 1 naming an objective set too tight, and holds the others', async () => {
    const dir = sloDir(DECIDE_P95('10us', 'decide-p95-too-tight') + DECIDE_P95('5s', 'decide-p95-generous') + AVAILABILITY);
    dirs.push(dir);
    const { code, report } = await loadtest(['--url', service.url, ...DECIDE, '--rate', '50', '--duration', '4s', '--slo', dir]);
    expect(code).toBe(1);
    expect(report!.passed).toBe(false);
    expect(report!.failed).toEqual(['decide-p95-too-tight']);
    const byName = Object.fromEntries(report!.objectives.map((o) => [o.objective, o]));
    expect(byName['decide-p95-too-tight']!.verdict).toBe('broken');
    expect(byName['decide-p95-too-tight']!.client!.held).toBe(false);
    // vigil's evaluator, fed by scraping the service's /metrics during the run, says the same.
    expect(byName['decide-p95-too-tight']!.vigil!.worst).toBe('breach');
    expect(byName['decide-p95-generous']!.verdict).toBe('held');
    expect(byName['decide-p95-generous']!.vigil!.worst).toBe('ok');
    expect(byName['decide-availability']!.verdict).toBe('held');
    expect(report!.responses).toBeGreaterThanOrEqual(190);
    expect(report!.latencyMs.p95).toBeGreaterThan(0);
    expect(report!.vigil!.sources).toEqual([expect.objectContaining({ kind: 'scrape', name: 'default', up: true })]);
  });

  it('fails a run whose answers are all 404, saying what was sent where', async () => {
    const dir = sloDir(DECIDE_P95('5s', 'decide-p95') + AVAILABILITY);
    dirs.push(dir);
    const { code, report } = await loadtest(['--url', `${service.url}/no-such-route`, '--rate', '50', '--duration', '2s', '--slo', dir]);
    expect(code).toBe(1);
    expect(report!.passed).toBe(false);
    expect(report!.failed).toContain('good-answers');
    const check = report!.checks.find((c) => c.name === 'good-answers')!;
    expect(check.value).toBe(1);
    expect(check.detail).toMatch(/× 404\); sent \w+ http:\/\/127\.0\.0\.1:\d+\/no-such-route/);
  });

  it('exits 0 when every objective held, with throughput and percentiles in the report', async () => {
    const dir = sloDir(DECIDE_P95('5s', 'decide-p95') + AVAILABILITY);
    dirs.push(dir);
    const { code, report } = await loadtest(['--url', service.url, ...DECIDE, '--rate', '100', '--duration', '3s', '--slo', dir]);
    expect(code).toBe(0);
    expect(report!.passed).toBe(true);
    expect(report!.mode).toBe('constant');
    expect(report!.requested).toBe(300);
    expect(report!.responses).toBeGreaterThanOrEqual(285);
    expect(report!.checks.map((c) => [c.name, c.held])).toEqual([
      ['error-bound', true],
      ['good-answers', true],
      ['sustained-rate', true],
    ]);
    const l = report!.latencyMs;
    expect(l.p50! <= l.p95! && l.p95! <= l.p99! && l.p99! <= l.max!).toBe(true);
  });

  it('stress: steps up, reports the highest rate that held and that the target still answers', async () => {
    const dir = sloDir(DECIDE_P95('5s', 'decide-p95'));
    dirs.push(dir);
    const { code, report } = await loadtest([
      '--url',
      service.url,
      ...DECIDE,
      '--stress',
      '--start-rate',
      '20',
      '--step-factor',
      '2',
      '--step-duration',
      '2s',
      '--max-rate',
      '80',
      '--slo',
      dir,
    ]);
    const stress = report!.stress!;
    expect(stress.breakingRate).toBeNull();
    expect(stress.recovery.answered).toBe(true);
    // On a machine too busy for the generator to keep even these small rates, the run must say
    // so and stop there, without a breaking point (the generator, not the target, gave way).
    if (stress.generatorLimitedAt !== null) {
      expect(stress.breakingReasons.join(' ')).toMatch(/the generator limited the run/);
      expect(stress.steps.at(-1)?.generator.limited).toBe(true);
      return;
    }
    expect(code).toBe(0);
    expect(stress.steps.map((s) => s.rate)).toEqual([20, 40, 80]);
    expect(stress.highestHeldRate).toBe(80);
    expect(report!.checks.map((c) => [c.name, c.held])).toEqual([
      ['held-rate', true],
      ['recovery', true],
    ]);
  });

  it('stress: fails when the rate it must reach does not hold, naming why', async () => {
    const dir = sloDir(DECIDE_P95('10us', 'decide-p95-too-tight'));
    dirs.push(dir);
    const { code, report } = await loadtest([
      '--url',
      service.url,
      ...DECIDE,
      '--stress',
      '--start-rate',
      '20',
      '--step-duration',
      '2s',
      '--min-rate',
      '40',
      '--slo',
      dir,
    ]);
    expect(code).toBe(1);
    expect(report!.stress!.steps).toHaveLength(1);
    expect(report!.stress!.highestHeldRate).toBeNull();
    expect(report!.failed).toEqual(['held-rate']);
    if (report!.stress!.generatorLimitedAt !== null) {
      // A machine too busy for the generator: no breaking point is claimed (see above).
      expect(report!.stress!.breakingRate).toBeNull();
      return;
    }
    expect(report!.stress!.breakingRate).toBe(20);
    expect(report!.stress!.breakingReasons.join(' ')).toMatch(/decide-p95-too-tight: P95 latency .* > 0\.01ms/);
  });

  it('refuses a non-loopback target (exit 2) unless --allow-remote', async () => {
    const { code, stderr } = await loadtest(['--url', 'http://192.0.2.1:8095', '--rate', '10', '--duration', '1s']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/VIGIL_ERR_LOADTEST_REMOTE_TARGET/);
  });

  it('runLoadtest({ url, rate }) from code: a minute at that rate, every request answered, the rate sustained', async () => {
    const report = await runLoadtest({ url: `${service.url}/health`, rate: 20 });
    expect(report.mode).toBe('constant');
    expect(report.requested).toBe(1200);
    expect(report.responses).toBeGreaterThanOrEqual(1140);
    expect(report.errors.ratio).toBe(0);
    const sustained = report.checks.find((c) => c.name === 'sustained-rate');
    expect(sustained?.held).toBe(true);
    expect(sustained?.value).toBeGreaterThanOrEqual(19);
    expect(report.failed).toEqual([]);
    expect(report.passed).toBe(true);
  }, 100_000);
});
