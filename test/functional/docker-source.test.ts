// The Docker source against a real Docker Engine (the harness's shared one): CPU and memory
// figures as `docker stats` shows them, over the unix socket and over TCP, and containers
// followed through restarts and stops.
import { execFile } from 'node:child_process';
import { rmdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { type DockerSourceConfig, daemonConfigSchema, dockerSourceSchema } from '../../src/config/daemon-schema.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { sloFileSchema } from '../../src/config/slo-schema.js';
import { SHIPPED_WINDOW_SETS } from '../../src/config/window-sets.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { containerSelectorsFor } from '../../src/sources/docker/container-selector.js';
import { DOCKER_METRICS, DockerSource } from '../../src/sources/docker/docker-source.js';
import type { SampleResult } from '../../src/sources/source.js';
import { SourceRunner } from '../../src/sources/source-runner.js';
import type { Point } from '../../src/store/point.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { dockerClient, type RunningContainer, runContainer, sleep, testServices } from '../harness/services.js';

const run = promisify(execFile);
const PREFIX = `vds-${process.pid}-`;
const BURN = ['sh', '-c', 'while true; do :; done'];
const IDLE = ['sleep', '3600'];
// Appends ~270 KB of base64 to a shell variable every second: steady memory growth.
const GROW = ['sh', '-c', 'a=""; while true; do a="$a$(head -c 200000 /dev/urandom | base64)"; sleep 1; done'];

/** Tolerances, stated once: CPU in percentage points of one core, memory relative + absolute. */
const CPU_TOLERANCE_POINTS = 15;
const MEM_TOLERANCE_RATIO = 0.05;
const MEM_TOLERANCE_BYTES = 512 * 1024;

let burner: RunningContainer;
let idle: RunningContainer;
let grower: RunningContainer;

function source(config: Partial<DockerSourceConfig> = {}): DockerSource {
  const { docker } = testServices();
  return new DockerSource({
    name: 'default',
    config: dockerSourceSchema.parse({ socketPath: docker.socketPath, ...config }),
    selectors: [{ containers: `${PREFIX}*` }],
  });
}

function value(result: SampleResult, metric: string, container: string): number | undefined {
  return result.points.find((p) => p.metric === metric && p.labels.container === container)?.value;
}

function byContainer(result: SampleResult, container: string): Point[] {
  return result.points.filter((p) => p.labels.container === container);
}

/** Parses the CLI's `2.715MiB` style (go-units binary sizes). */
function cliBytes(text: string): number {
  const m = /^([\d.]+)\s*([KMGT]?i?B)$/.exec(text.trim());
  if (!m) throw new Error(`unexpected size ${text}`);
  const unit: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, kB: 1e3, MB: 1e6, GB: 1e9 };
  return Number(m[1]) * unit[m[2]!]!;
}

async function dockerStatsCli(ids: string[]): Promise<Map<string, { cpuPercent: number; memBytes: number; limitBytes: number }>> {
  const { docker } = testServices();
  const { stdout } = await run(
    docker.dockerBin,
    ['-H', `unix://${docker.socketPath}`, 'stats', '--no-stream', '--format', '{{json .}}', ...ids],
    {
      timeout: 30_000,
    },
  );
  const out = new Map<string, { cpuPercent: number; memBytes: number; limitBytes: number }>();
  for (const line of stdout.trim().split('\n')) {
    const row = JSON.parse(line) as { Name: string; CPUPerc: string; MemUsage: string };
    const [used, limit] = row.MemUsage.split('/');
    out.set(row.Name, { cpuPercent: Number.parseFloat(row.CPUPerc), memBytes: cliBytes(used!), limitBytes: cliBytes(limit!) });
  }
  return out;
}

/**
 * This machine's 2 cores are shared with other test runs (load average often above 4), and a
 * busy loop in the default `/docker` cgroup then gets a fraction of a core: the source would
 * correctly read 30 %, and the test would say nothing about "a core reads as 100 %". So the
 * burner runs in its own top-level cgroup with the largest CPU weight (cgroup v1 `cpu.shares`),
 * which gives it a full core whatever else runs; the cgroup is removed afterwards.
 */
const BURN_CGROUP = `/vigil-test-burn-${process.pid}`;
async function runBurner(): Promise<RunningContainer> {
  const client = dockerClient(testServices().docker);
  const name = `${PREFIX}burner`;
  const container = await client.createContainer({
    Image: testServices().docker.image,
    Cmd: BURN,
    name,
    HostConfig: { NetworkMode: 'none', Memory: 64 * 2 ** 20, CgroupParent: BURN_CGROUP, CpuShares: 262_144 },
  });
  await container.start();
  writeFileSync(`/sys/fs/cgroup/cpu${BURN_CGROUP}/cpu.shares`, '262144');
  return { id: container.id, name, remove: () => container.remove({ force: true, v: true }) };
}

beforeAll(async () => {
  const { docker } = testServices();
  [burner, idle, grower] = await Promise.all([
    runBurner(),
    runContainer(docker, { name: `${PREFIX}idle`, cmd: IDLE, memoryBytes: 64 * 2 ** 20 }),
    runContainer(docker, { name: `${PREFIX}grower`, cmd: GROW, memoryBytes: 256 * 2 ** 20 }),
  ]);
  // Let the burner reach a steady full core before the first reading.
  await sleep(1_500);
});

afterAll(async () => {
  await Promise.allSettled([burner, idle, grower].filter(Boolean).map((c) => c.remove()));
  for (const controller of ['cpu', 'cpuacct', 'cpuset', 'memory', 'blkio', 'devices', 'freezer', 'pids', 'systemd']) {
    try {
      rmdirSync(`/sys/fs/cgroup/${controller}${BURN_CGROUP}`);
    } catch {
      // not created for this controller, or already gone
    }
  }
});

describe('DockerSource (real engine)', () => {
  it('reads a busy core as ~100 %, an idle container under 5 %, memory growth, and agrees with docker stats', async () => {
    const src = source();
    try {
      const signal = AbortSignal.timeout(30_000);
      const first = await src.sample(signal);
      // First sight: the engine primes precpu_stats, so CPU is there from the first sample.
      expect(value(first, DOCKER_METRICS.cpu, burner.name)).toBeGreaterThan(0.85);
      await sleep(3_000);
      // Sample with vigil and with the docker CLI at the same moment.
      const [second, cli] = await Promise.all([src.sample(AbortSignal.timeout(30_000)), dockerStatsCli([burner.id, idle.id, grower.id])]);

      const burnCpu = value(second, DOCKER_METRICS.cpu, burner.name)!;
      const idleCpu = value(second, DOCKER_METRICS.cpu, idle.name)!;
      expect(burnCpu * 100).toBeGreaterThan(100 - CPU_TOLERANCE_POINTS);
      expect(burnCpu * 100).toBeLessThan(100 + CPU_TOLERANCE_POINTS);
      expect(idleCpu * 100).toBeGreaterThanOrEqual(0);
      expect(idleCpu * 100).toBeLessThan(5);

      const grew0 = value(first, DOCKER_METRICS.workingSet, grower.name)!;
      const grew1 = value(second, DOCKER_METRICS.workingSet, grower.name)!;
      expect(grew1).toBeGreaterThan(grew0);

      // The limit the engine enforces, as the CLI shows it.
      expect(value(second, DOCKER_METRICS.limit, burner.name)).toBe(64 * 2 ** 20);

      for (const c of [burner, idle]) {
        const theirs = cli.get(c.name)!;
        expect(theirs, `docker stats row for ${c.name}`).toBeDefined();
        const ourCpu = value(second, DOCKER_METRICS.cpu, c.name)! * 100;
        expect(Math.abs(ourCpu - theirs.cpuPercent), `${c.name} CPU ${ourCpu} vs docker stats ${theirs.cpuPercent}`).toBeLessThan(
          CPU_TOLERANCE_POINTS,
        );
        const ourMem = value(second, DOCKER_METRICS.workingSet, c.name)!;
        expect(Math.abs(ourMem - theirs.memBytes), `${c.name} memory ${ourMem} vs docker stats ${theirs.memBytes}`).toBeLessThan(
          Math.max(MEM_TOLERANCE_BYTES, theirs.memBytes * MEM_TOLERANCE_RATIO),
        );
        expect(value(second, DOCKER_METRICS.limit, c.name)).toBeCloseTo(theirs.limitBytes, -5);
      }

      // Labels per the series contract.
      const labels = byContainer(second, burner.name)[0]!.labels;
      expect(labels).toEqual({
        source: 'default',
        container: burner.name,
        container_id: burner.id.slice(0, 12),
        started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      const info = await dockerClient(testServices().docker).getContainer(burner.id).inspect();
      expect(labels.started_at).toBe(new Date(info.State.StartedAt).toISOString());
      expect(second.ended).toEqual([]);
    } finally {
      await src.close();
    }
  });

  it('works over TCP too', async () => {
    const { docker } = testServices();
    const src = source({ socketPath: undefined, host: docker.tcpHost!, port: docker.tcpPort! });
    try {
      const result = await src.sample(AbortSignal.timeout(30_000));
      expect(value(result, DOCKER_METRICS.workingSet, idle.name)).toBeGreaterThan(0);
      expect(value(result, DOCKER_METRICS.cpu, burner.name)).toBeGreaterThan(0.85);
    } finally {
      await src.close();
    }
  });

  it('a restart starts new series; a stopped container ends its series in the store', async () => {
    const { docker } = testServices();
    const client = dockerClient(docker);
    const src = source();
    const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 100 });
    const runner = new SourceRunner(src, store, { timeoutMs: 30_000, intervalMs: 1_000 });
    try {
      expect(await runner.run(true)).toBe('ok');
      const before = store.select(DOCKER_METRICS.workingSet, (l) => l.container === idle.name);
      expect(before).toHaveLength(1);
      const oldStart = before[0]!.labels.started_at;

      await client.getContainer(idle.id).restart({ t: 0 });
      await client.getContainer(grower.id).kill();
      const sampled: SampleResult[] = [];
      const unsubscribe = (r: SampleResult) => sampled.push(r);
      const runner2 = new SourceRunner(src, store, { timeoutMs: 30_000, intervalMs: 1_000, onSample: (e) => unsubscribe(e.result) });
      expect(await runner2.run(true)).toBe('ok');

      const idleSeries = store.select(DOCKER_METRICS.workingSet, (l) => l.container === idle.name);
      expect(idleSeries).toHaveLength(2);
      const fresh = idleSeries.find((s) => s.labels.started_at !== oldStart)!;
      const old = idleSeries.find((s) => s.labels.started_at === oldStart)!;
      expect(fresh.ended).toBe(false);
      expect(old.ended).toBe(true);
      expect(fresh.labels.container_id).toBe(old.labels.container_id);

      const growerSeries = store.select(DOCKER_METRICS.workingSet, (l) => l.container === grower.name);
      expect(growerSeries).toHaveLength(1);
      expect(growerSeries[0]!.ended).toBe(true);
      const ended = sampled[0]!.ended ?? [];
      // Every metric of the stopped and of the restarted container ends: 3 + 3.
      expect(
        ended
          .filter((e) => e.labels.container === grower.name)
          .map((e) => e.metric)
          .sort(),
      ).toEqual(Object.values(DOCKER_METRICS).sort());
      expect(ended.filter((e) => e.labels.container === idle.name)).toHaveLength(3);
      expect(byContainer(sampled[0]!, grower.name)).toEqual([]);
      expect(byContainer(sampled[0]!, burner.name).length).toBe(3);
    } finally {
      await src.close();
    }
  });
});

describe('containerLabels selection from the engine to the evaluator', () => {
  it('an objective selecting by Docker label sees only the containers carrying it', async () => {
    const { docker } = testServices();
    const key = 'vigil_team';
    const team = (t: string) => `${t}-${process.pid}`;
    const settled = await Promise.allSettled([
      runContainer(docker, { name: `${PREFIX}lbl-ml`, cmd: IDLE, memoryBytes: 64 * 2 ** 20, labels: { [key]: team('ml'), other: 'x' } }),
      runContainer(docker, { name: `${PREFIX}lbl-web`, cmd: IDLE, memoryBytes: 64 * 2 ** 20, labels: { [key]: team('web') } }),
    ]);
    const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.allSettled(started.map((c) => c.remove()));
      throw failed.reason;
    }
    const [ml, web] = started as [RunningContainer, RunningContainer];
    const config: Config = resolveConfig({
      configPath: null,
      windowSets: SHIPPED_WINDOW_SETS,
      baseDir: '/tmp',
      daemon: daemonConfigSchema.parse({ sources: { docker: { default: { socketPath: docker.socketPath } } } }),
      services: [
        {
          path: '/tmp/labels.yaml',
          slo: sloFileSchema.parse({
            apiVersion: 'vigil/v1',
            kind: 'ServiceLevels',
            service: 'labels',
            objectives: [
              { name: 'mem-ml', indicator: { containerMemory: { containerLabels: { [key]: team('ml') } } }, threshold: { max: '1GiB' } },
              { name: 'cpu-web', indicator: { containerCpu: { containerLabels: { [key]: team('web') } } }, threshold: { max: '90%' } },
              // Picks both by name: the label objectives must not see the other one through it.
              { name: 'mem-all', indicator: { containerMemory: { containers: `${PREFIX}lbl-*` } }, threshold: { max: '1GiB' } },
            ],
          }),
        },
      ],
    });
    // The selectors as the daemon builds them from the objectives.
    const src = new DockerSource({
      name: 'default',
      config: config.daemon.sources.docker.default!,
      selectors: containerSelectorsFor(config, 'default'),
    });
    const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 100 });
    try {
      for (let i = 0; i < 2; i++) {
        for (const p of (await src.sample(AbortSignal.timeout(30_000))).points) store.append(p);
        if (i === 0) await sleep(1_000);
      }
      const mlSeries = store.select(DOCKER_METRICS.workingSet, (l) => l.container === ml.name);
      expect(mlSeries.map((s) => s.labels)).toEqual([expect.objectContaining({ label_vigil_team: team('ml') })]);
      // Only the keys the objectives name are copied.
      expect(mlSeries[0]!.labels).not.toHaveProperty('label_other');

      const objectives = evaluate(config, store, Date.now()).services[0]!.objectives;
      const seen = (name: string) =>
        objectives
          .find((o) => o.name === name)!
          .breakdown.map((b) => b.labels.container)
          .sort();
      expect(seen('mem-ml')).toEqual([ml.name]);
      expect(seen('cpu-web')).toEqual([web.name]);
      expect(seen('mem-all')).toEqual([ml.name, web.name].sort());
      expect(objectives.find((o) => o.name === 'mem-ml')!.status).toBe('ok');
    } finally {
      await src.close();
      await Promise.allSettled(started.map((c) => c.remove()));
    }
  });
});
