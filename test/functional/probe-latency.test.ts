// A probe objective with a duration threshold, end to end: the SLO file through the real loader,
// the real probe source against a loopback HTTP server that is slow and then fast, the evaluator.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { indicatorQuery } from '../../src/generate/indicator-queries.js';
import { createSources } from '../../src/sources/create-sources.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { freePort } from '../harness/services.js';

const WINDOW_MS = 3_000;
const SLOW_MS = 250;

describe('probe latency objective', () => {
  let server: Server;
  let dir: string;
  let config: Config;
  let delayMs = SLOW_MS;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      setTimeout(() => res.writeHead(200).end('ok'), delayMs);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    dir = await mkdtemp(join(tmpdir(), 'vigil-probe-latency-'));
    await mkdir(join(dir, 'slo'));
    await writeFile(
      join(dir, 'vigil.yaml'),
      `slo: [slo]\nsources:\n  probe:\n    default: { baseUrl: 'http://127.0.0.1:${port}', timeout: 2s, schedule: '* * * * * *' }\n`,
    );
    await writeFile(
      join(dir, 'slo', 'site.yaml'),
      [
        'apiVersion: vigil/v1',
        'kind: ServiceLevels',
        'service: site',
        'objectives:',
        '  - name: health-fast',
        '    indicator: { probe: { path: /health } }',
        '    threshold: { max: 100ms }',
        `    window: ${WINDOW_MS / 1000}s`,
        '  - name: health-up',
        '    indicator: { probe: { path: /health } }',
        "    target: '99%'",
        `    window: ${WINDOW_MS / 1000}s`,
        '',
      ].join('\n'),
    );
    const loaded = await loadConfig({ configPath: join(dir, 'vigil.yaml'), cwd: dir, env: {} });
    if (!loaded.ok) throw new Error(`config did not load: ${JSON.stringify(loaded.issues)}`);
    config = loaded.config;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('breaches while the endpoint is slow and is ok once it is fast again; uptime stays 100 %', async () => {
    const store = new SampleStore({ retentionMs: 60_000, maxPointsPerSeries: 1_000 });
    // The daemon's own construction of the configured probe instance.
    const built = createSources(config);
    expect(built.map((b) => b.instance.kind)).toEqual(['probe']);
    const source = built[0]!.source;
    const sampleOnce = async () => {
      for (const p of (await source.sample(AbortSignal.timeout(5_000))).points) store.append(p);
    };
    const objectives = () => {
      const [fast, up] = evaluate(config, store, Date.now()).services[0]!.objectives;
      return { fast: fast!, up: up! };
    };

    for (let i = 0; i < 3; i++) await sampleOnce();
    const slow = objectives();
    expect(slow.fast.status).toBe('breach');
    expect(slow.fast.value!.unit).toBe('seconds');
    expect(slow.fast.value!.value).toBeGreaterThanOrEqual(SLOW_MS / 1000);
    expect(slow.up.status).toBe('ok');
    expect(slow.up.value).toMatchObject({ unit: 'ratio', value: 1 });
    const lastSlow = Date.now();

    // Fast again: probe until every slow probe has left the window (bounded: at most ~40 probes).
    delayMs = 0;
    for (let i = 0; i < 40 && Date.now() - lastSlow <= WINDOW_MS + 500; i++) {
      await sampleOnce();
      await sleep(150);
    }
    await sampleOnce();
    const fast = objectives();
    expect(fast.fast.status).toBe('ok');
    expect(fast.fast.value!.value).toBeLessThan(0.1);
    expect(fast.up.status).toBe('ok');
    await source.close();
  });

  it('computes the same P95 as the generated rule does in Prometheus, on the same probes', async () => {
    // 11 probes 300 ms apart fill the 3 s window; rank 0.95 * 10 = 9.5 falls between two probes.
    const durations = [0.012, 0.015, 0.31, 0.02, 0.018, 0.011, 0.2, 0.013, 0.017, 0.016, 0.25];
    const stepMs = 300;
    const objective = config.services[0]!.slo.objectives[0]!;
    const url = `${config.sources.find((i) => i.kind === 'probe')!.settings.baseUrl as string}/health`;

    const store = new SampleStore({ retentionMs: 60_000, maxPointsPerSeries: 1_000 });
    const end = Date.now();
    durations.forEach((d, i) => {
      const t = end - (durations.length - 1 - i) * stepMs;
      store.appendRaw('probe_duration_seconds', { source: 'default', url }, t, d);
      store.appendRaw('probe_success', { source: 'default', url }, t, 1);
    });
    const daemon = evaluate(config, store, end).services[0]!.objectives[0]!.value!.value;
    expect(daemon).toBeCloseTo(0.28, 12);

    // promtool evaluates the generated query over the same samples and compares with the daemon's figure.
    const query = indicatorQuery(objective);
    if (query.kind !== 'threshold') throw new Error('expected a threshold query for a probe with a duration bound');
    const test = {
      rule_files: [],
      evaluation_interval: `${stepMs}ms`,
      tests: [
        {
          interval: `${stepMs}ms`,
          input_series: [{ series: `vigil_probe_duration_seconds{source="default",url="${url}"}`, values: durations.join(' ') }],
          promql_expr_test: [
            {
              expr: query.value(WINDOW_MS),
              eval_time: `${((durations.length - 1) * stepMs) / 1000}s`,
              exp_samples: [{ labels: '{}', value: daemon }],
            },
          ],
        },
      ],
    };
    const file = join(dir, 'probe-p95.test.yaml');
    await writeFile(file, JSON.stringify(test)); // JSON is YAML
    const result = await promisify(execFile)('/usr/bin/promtool', ['test', 'rules', file]).catch(
      (err: { stdout?: string; stderr?: string }) => ({
        stdout: `${err.stdout ?? ''}${err.stderr ?? ''}`,
        stderr: 'failed',
      }),
    );
    expect(`${result.stdout}${result.stderr}`).toMatch(/SUCCESS/);
  });
});
