// DockerSource's bookkeeping (one-shot use, CPU from its own previous sample, following
// containers through restarts and replacements, partial failures) against a scripted Engine API
// on a unix socket. The figures against a real engine are in test/functional/docker-source.test.ts.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dockerSourceSchema } from '../../../src/config/daemon-schema.js';
import { ERR, isVigilError } from '../../../src/core/errors.js';
import type { ContainerSelector } from '../../../src/sources/docker/container-selector.js';
import { DOCKER_METRICS, DockerSource, explainDockerError } from '../../../src/sources/docker/docker-source.js';
import type { SampleResult } from '../../../src/sources/source.js';

interface FakeContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  startedAt: string;
  running: boolean;
  /** ns of CPU used; the host advances 2e9 ns (2 CPUs × 1 s) per stats call. */
  cpu: number;
  usage: number;
  /** Status to answer its inspect/stats calls with instead of data. */
  failWith?: number;
}

class FakeEngine {
  apiVersion = '1.41';
  containers: FakeContainer[] = [];
  system = 1e15;
  statsQueries: Array<{ id: string; oneShot: boolean }> = [];
  private server: Server;
  readonly dir = mkdtempSync(join(tmpdir(), 'vigil-fake-engine-'));
  readonly socketPath = join(this.dir, 'docker.sock');

  constructor() {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/version') return send(200, { ApiVersion: this.apiVersion, Version: 'fake' });
      if (url.pathname === '/containers/json') {
        return send(
          200,
          this.containers.filter((c) => c.running).map((c) => ({ Id: c.id, Names: [`/${c.name}`], Labels: c.labels, State: 'running' })),
        );
      }
      const m = /^\/containers\/([0-9a-f]+)\/(json|stats)$/.exec(url.pathname);
      const c = m && this.containers.find((x) => x.id === m[1]);
      if (!m || !c) return send(404, { message: 'No such container' });
      if (c.failWith) return send(c.failWith, { message: 'engine trouble' });
      if (m[2] === 'json') return send(200, { Id: c.id, Name: `/${c.name}`, State: { Running: c.running, StartedAt: c.startedAt } });
      const oneShot = url.searchParams.get('one-shot') === 'true';
      this.statsQueries.push({ id: c.id, oneShot });
      const before = { cpu_usage: { total_usage: c.cpu }, system_cpu_usage: this.system, online_cpus: 2 };
      // One second passes inside the engine; the container burns half a core.
      c.cpu += 0.5e9;
      this.system += 2e9;
      const now = { cpu_usage: { total_usage: c.cpu }, system_cpu_usage: this.system, online_cpus: 2 };
      send(200, {
        read: new Date().toISOString(),
        cpu_stats: now,
        precpu_stats: oneShot ? { cpu_usage: { total_usage: 0 } } : before,
        memory_stats: { usage: c.usage, limit: 2 ** 26, stats: { total_inactive_file: 1000 } },
      });
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.socketPath, resolve));
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
    rmSync(this.dir, { recursive: true, force: true });
  }

  add(name: string, overrides: Partial<FakeContainer> = {}): FakeContainer {
    const c: FakeContainer = {
      id: (name.padEnd(8, 'x').replace(/[^0-9a-f]/g, 'a') + Math.random().toString(16).slice(2)).padEnd(64, '0').slice(0, 64),
      name,
      labels: {},
      startedAt: '2026-11-26T10:00:00.123456789Z',
      running: true,
      cpu: 1e9,
      usage: 5_000_000,
      ...overrides,
    };
    this.containers.push(c);
    return c;
  }
}

let engine: FakeEngine;
beforeEach(async () => {
  engine = new FakeEngine();
  await engine.listen();
});
afterEach(async () => {
  await engine.close();
});

function source(selectors: readonly ContainerSelector[] = [{ containers: 'app-*' }], concurrency = 4): DockerSource {
  return new DockerSource({
    name: 'fake',
    config: dockerSourceSchema.parse({ socketPath: engine.socketPath, concurrency }),
    selectors,
  });
}
const sample = (s: DockerSource) => s.sample(AbortSignal.timeout(5000));
const pointsOf = (r: SampleResult, name: string) => r.points.filter((p) => p.labels.container === name);
const metricOf = (r: SampleResult, name: string, metric: string) => pointsOf(r, name).find((p) => p.metric === metric)?.value;

describe('DockerSource bookkeeping', () => {
  it('samples only selected containers; first sight without one-shot, then one-shot with its own previous counters', async () => {
    const a = engine.add('app-a', { usage: 7_001_000 });
    engine.add('db', { labels: { tier: 'data' } });
    const src = source();
    const first = await sample(src);
    expect(engine.statsQueries).toEqual([{ id: a.id, oneShot: false }]);
    // Engine-primed: 0.5e9 / 2e9 × 2 = 0.5 of a core.
    expect(metricOf(first, 'app-a', DOCKER_METRICS.cpu)).toBeCloseTo(0.5, 9);
    expect(metricOf(first, 'app-a', DOCKER_METRICS.workingSet)).toBe(7_000_000);
    expect(metricOf(first, 'app-a', DOCKER_METRICS.limit)).toBe(2 ** 26);
    expect(pointsOf(first, 'db')).toEqual([]);
    expect(first.points[0]!.labels).toEqual({
      source: 'fake',
      container: 'app-a',
      container_id: a.id.slice(0, 12),
      started_at: '2026-11-26T10:00:00.123Z',
    });

    // Between samples the container burns a full core for 9 s on the 2-CPU host.
    a.cpu += 9e9;
    engine.system += 18e9;
    const second = await sample(src);
    expect(engine.statsQueries[1]).toEqual({ id: a.id, oneShot: true });
    // Δcpu = 9e9 + 0.5e9, Δsystem = 18e9 + 2e9: (9.5 / 20) × 2 = 0.95 — over the whole interval.
    expect(metricOf(second, 'app-a', DOCKER_METRICS.cpu)).toBeCloseTo(0.95, 9);
    expect(second.ended).toEqual([]);
  });

  it('never asks for one-shot on an engine older than API 1.41', async () => {
    engine.apiVersion = '1.40';
    engine.add('app-a');
    const src = source();
    await sample(src);
    await sample(src);
    expect(engine.statsQueries.map((q) => q.oneShot)).toEqual([false, false]);
  });

  it('selects by labels, and by glob and labels together', async () => {
    engine.add('app-a', { labels: { team: 'ml' } });
    engine.add('app-b', { labels: { team: 'web' } });
    engine.add('worker', { labels: { team: 'ml' } });
    const both = await sample(source([{ containers: 'app-*', containerLabels: { team: 'ml' } }]));
    expect([...new Set(both.points.map((p) => p.labels.container))]).toEqual(['app-a']);
    const byLabel = await sample(source([{ containerLabels: { team: 'ml' } }]));
    expect([...new Set(byLabel.points.map((p) => p.labels.container))].sort()).toEqual(['app-a', 'worker']);
  });

  it('copies onto every series the Docker labels some selector names, sanitised, and no others', async () => {
    engine.add('app-a', { labels: { 'com.example/team': 'ml', tier: 'serving', unrelated: 'x' } });
    engine.add('app-b', { labels: { tier: 'batch' } });
    const r = await sample(
      source([{ containers: 'app-*' }, { containerLabels: { 'com.example/team': 'ml' } }, { containerLabels: { tier: 'batch' } }]),
    );
    const a = pointsOf(r, 'app-a');
    expect(a.map((p) => p.metric).sort()).toEqual(Object.values(DOCKER_METRICS).sort());
    for (const p of a) {
      expect(p.labels).toMatchObject({ label_com_example_team: 'ml', label_tier: 'serving' });
      expect(p.labels).not.toHaveProperty('label_unrelated');
    }
    // app-b lacks the team label: it gets none, rather than an empty one.
    for (const p of pointsOf(r, 'app-b')) {
      expect(Object.keys(p.labels).filter((k) => k.startsWith('label_'))).toEqual(['label_tier']);
      expect(p.labels.label_tier).toBe('batch');
    }
    // Selectors without containerLabels add no label_* at all.
    const plain = await sample(source([{ containers: 'app-*' }]));
    expect(plain.points.flatMap((p) => Object.keys(p.labels)).filter((k) => k.startsWith('label_'))).toEqual([]);
  });

  it('a restart (same id, new start time) starts new series and ends the old ones', async () => {
    const a = engine.add('app-a');
    const src = source();
    const first = await sample(src);
    const oldLabels = first.points[0]!.labels;
    a.startedAt = '2026-11-26T11:00:00Z';
    a.cpu = 1e6; // a new cgroup: the counter starts again
    const second = await sample(src);
    const fresh = pointsOf(second, 'app-a');
    expect(fresh.map((p) => p.labels.started_at)).toContain('2026-11-26T11:00:00.000Z');
    // The one-shot answer after a restart has no usable previous counters: no CPU point, no negative rate.
    expect(fresh.map((p) => p.metric).sort()).toEqual([DOCKER_METRICS.limit, DOCKER_METRICS.workingSet].sort());
    expect(second.ended).toEqual(Object.values(DOCKER_METRICS).map((metric) => ({ metric, labels: oldLabels })));
    const third = await sample(src);
    expect(metricOf(third, 'app-a', DOCKER_METRICS.cpu)).toBeCloseTo(0.5, 9);
    expect(third.ended).toEqual([]);
  });

  it('a stopped container and a replaced one (new id, same name) end their series', async () => {
    const a = engine.add('app-a');
    const b = engine.add('app-b');
    const src = source();
    const first = await sample(src);
    a.running = false;
    engine.containers = engine.containers.filter((c) => c !== b);
    const b2 = engine.add('app-b');
    const second = await sample(src);
    const endedIds = [...new Set((second.ended ?? []).map((e) => e.labels.container_id))].sort();
    expect(endedIds).toEqual([a.id.slice(0, 12), b.id.slice(0, 12)].sort());
    expect(second.ended).toHaveLength(6);
    expect(pointsOf(second, 'app-b')[0]!.labels.container_id).toBe(b2.id.slice(0, 12));
    expect(pointsOf(second, 'app-a')).toEqual([]);
    expect(first.ended).toEqual([]);
  });

  it('one failing container leaves the others sampled and keeps its own series; all failing fails the sample', async () => {
    const a = engine.add('app-a');
    engine.add('app-b');
    const src = source();
    await sample(src);
    a.failWith = 500;
    const partial = await sample(src);
    expect(pointsOf(partial, 'app-b')).toHaveLength(3);
    expect(pointsOf(partial, 'app-a')).toEqual([]);
    expect(partial.ended).toEqual([]);
    for (const c of engine.containers) c.failWith = 500;
    await expect(sample(src)).rejects.toThrow(/engine trouble|500/);
  });

  it('a container gone between the list and its stats call (404) is not an error', async () => {
    const a = engine.add('app-a');
    engine.add('app-b');
    const src = source();
    await sample(src);
    a.failWith = 404;
    const result = await sample(src);
    expect(pointsOf(result, 'app-b')).toHaveLength(3);
    expect(new Set(result.ended?.map((e) => e.labels.container))).toEqual(new Set(['app-a']));
  });

  it('an unreachable engine rejects; with no selectors nothing is asked for', async () => {
    const src = new DockerSource({
      name: 'x',
      config: dockerSourceSchema.parse({ socketPath: join(engine.dir, 'missing.sock') }),
      selectors: [{ containers: '*' }],
    });
    await expect(src.sample(AbortSignal.timeout(5000))).rejects.toThrow(/ENOENT/);
    engine.add('app-a');
    const none = await sample(source([]));
    expect(none.points).toEqual([]);
    expect(engine.statsQueries).toEqual([]);
  });

  it('aborting the signal ends the sample', async () => {
    engine.add('app-a');
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(source().sample(controller.signal)).rejects.toThrow();
  });
});

// Tests run as root, whom the kernel never refuses a socket: the refusal is the error dockerode
// passes on (`connect EACCES <path>`), given here as it comes.
describe('a refused Docker socket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sock-'));
  const socketPath = join(dir, 'docker.sock');
  writeFileSync(socketPath, '');
  const refused = Object.assign(new Error(`connect EACCES ${socketPath}`), { code: 'EACCES' });

  it("names --group-add with the socket's gid", () => {
    const err = explainDockerError(refused, dockerSourceSchema.parse({ socketPath }));
    expect(isVigilError(err, ERR.VIGIL_ERR_DOCKER_SOCKET_DENIED)).toBe(true);
    const gid = statSync(socketPath).gid;
    expect((err as Error).message).toContain(`--group-add ${gid}`);
    expect((err as Error).message).toContain(socketPath);
    expect((err as Error).cause).toBe(refused);
  });

  it('still names --group-add when the socket cannot be read', () => {
    const err = explainDockerError(refused, dockerSourceSchema.parse({ socketPath: join(dir, 'absent.sock') }));
    expect((err as Error).message).toContain('--group-add <gid of the socket>');
  });

  it('passes other errors and TCP connections through unchanged', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(explainDockerError(reset, dockerSourceSchema.parse({ socketPath }))).toBe(reset);
    expect(explainDockerError(refused, dockerSourceSchema.parse({ host: '127.0.0.1', port: 2375 }))).toBe(refused);
  });
});
