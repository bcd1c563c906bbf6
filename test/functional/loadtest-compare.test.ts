// `vigil loadtest --save` / `--compare` as a user runs them (the built CLI in a child process)
// against the example service: the first run is saved with its raw latencies; the same service
// made slow (an expensive feature step) and loaded the same way compares as a regression, exit 1.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMeasurement } from '../../src/compare/baseline-file.js';
import { type MlServingHandle, startMlServing } from '../../src/examples/ml-serving/start-ml-serving.js';

const run = promisify(execFile);
const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const DECIDE = ['--profile', new URL('../../examples/ml-serving/decide.yaml', import.meta.url).pathname];

async function loadtest(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, 'loadtest', ...args], { timeout: 90_000, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('vigil loadtest --save / --compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-lt-cmp-'));
  let service: MlServingHandle | undefined;

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves the raw latencies and calls a slower build a regression', async () => {
    service = await startMlServing({ port: 0, defaultMetrics: false });
    const args = ['--url', service.url, ...DECIDE, '--rate', '30', '--duration', '4s', '--no-watch', '--service', 'ml-services'];
    const first = await loadtest([...args, '--save', join(dir, 'before.json')]);
    // Pass or fail by the repository's SLO files is the load test's own verdict; 2 would mean it could not run.
    expect(first.code, first.stderr).not.toBe(2);
    expect(first.stdout).toMatch(/saved \d+ figures to .*before\.json/);
    const saved = parseMeasurement(readFileSync(join(dir, 'before.json')), 'before.json');
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    expect(saved.file.kind).toBe('loadtest');
    const p95 = saved.file.figures.find((f) => f.name === 'all.p95')!;
    expect(p95.data).toMatchObject({ kind: 'samples', statistic: { type: 'quantile', q: 0.95 } });
    // 30 req/s for 4 s: every answered request's latency is kept.
    expect((p95.data as { values: number[] }).values.length).toBeGreaterThan(90);

    await service.close();
    service = await startMlServing({ port: service.port, defaultMetrics: false, slow: { featureRepeats: 1500 } });
    const second = await loadtest([...args, '--compare', join(dir, 'before.json')]);
    // The median moves most reliably on a loaded machine; the tail is noisier with 120 requests.
    expect(second.stdout).toMatch(/all\.p50 +\S+ +\S+ +\+\d+(\.\d+)?% +\[\+\S+, \+\S+\] +regressed/);
    expect(second.stdout).toMatch(/REGRESSED: .*all\.p50/);
    // 120 latencies hold about one beyond the P99: no interval is claimed for it.
    expect(second.stdout).toMatch(/all\.p99 .*too few for a p99 interval \(needs 500\) +not comparable/);
    expect(second.code).toBe(1);
  });
});
