import { setMaxListeners } from 'node:events';
import { statSync } from 'node:fs';
import Docker from 'dockerode';
import type { DockerSourceConfig } from '../../config/daemon-schema.js';
import { settleBounded } from '../../core/bounded-async.js';
import { ERR, vigilError } from '../../core/errors.js';
import { authorizationOf, hostEndpoint } from '../../core/http-credentials.js';
import type { Labels, Point } from '../../store/point.js';
import type { SampleResult, Source } from '../source.js';
import { ContainerMatcher, type ContainerSelector, containerLabelSeriesName, selectedLabelKeys } from './container-selector.js';
import { type CpuCounters, cpuCounters, cpuPercent, memoryLimit, memoryWorkingSet, type StatsDoc } from './docker-stats.js';

/** Series names (the contract with the evaluator; Prometheus names without `vigil_`). */
export const DOCKER_METRICS = {
  workingSet: 'container_memory_working_set_bytes',
  limit: 'container_memory_limit_bytes',
  cpu: 'container_cpu_usage_ratio',
} as const;
const ALL_METRICS = Object.values(DOCKER_METRICS);

/** `one-shot` stats (no wait for a second engine sample) exist from Engine API 1.41. */
const ONE_SHOT_API = [1, 41] as const;

export interface DockerSourceOptions {
  /** Instance name from the daemon config. */
  readonly name: string;
  readonly config: DockerSourceConfig;
  /** From the objectives that read this instance; none means no container is sampled. */
  readonly selectors: readonly ContainerSelector[];
  readonly now?: () => number;
}

/** What is kept per container between samples. */
interface Followed {
  readonly startedAt: string;
  readonly labels: Labels;
  readonly cpu: CpuCounters | null;
}

type ContainerOutcome =
  | { kind: 'sampled'; id: string; followed: Followed; points: Point[] }
  /** Stopped or removed between the list and the stats call. */
  | { kind: 'gone'; id: string };

const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * dockerode connection options from the instance config: a unix socket or TCP. Credentials
 * (`auth`, or `user:password@` in `host`) go in an Authorization header, for an engine behind
 * an authenticating proxy; the host dockerode sees (and its messages show) has none.
 */
export function dockerConnection(config: DockerSourceConfig): Docker.DockerOptions {
  if (config.host !== undefined) {
    const { host, headers } = hostEndpoint(config.host, config.auth);
    return { host, protocol: config.protocol, ...(config.port !== undefined ? { port: config.port } : {}), ...withHeaders(headers) };
  }
  return {
    socketPath: config.socketPath ?? DEFAULT_SOCKET,
    ...(config.auth ? withHeaders({ authorization: authorizationOf(config.auth) }) : {}),
  };
}

function withHeaders(headers: Readonly<Record<string, string>>): { headers?: Record<string, string> } {
  return Object.keys(headers).length > 0 ? { headers: { ...headers } } : {};
}

/** Whether an Engine API version string like `1.41` is at least `want`. */
export function apiAtLeast(version: string | undefined, want: readonly [number, number]): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > want[0] || (major === want[0] && minor >= want[1]);
}

/** The socket's group id, or null when it cannot be read (then the message says so generically). */
function socketGroup(socketPath: string): number | null {
  try {
    return statSync(socketPath).gid;
  } catch {
    return null;
  }
}

/** Turns a refused socket connection into VIGIL_ERR_DOCKER_SOCKET_DENIED; other errors pass unchanged. */
export function explainDockerError(err: unknown, config: DockerSourceConfig): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'EACCES' || config.host !== undefined) return err;
  // A non-root process (the image runs as `vigil`) may not open the engine's socket unless it is
  // in the socket's group; the bare `connect EACCES` says nothing of that, this says what to do.
  const socketPath = config.socketPath ?? DEFAULT_SOCKET;
  const gid = socketGroup(socketPath);
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  return vigilError(
    ERR.VIGIL_ERR_DOCKER_SOCKET_DENIED,
    { socketPath, forUid: uid === null ? '' : ` for uid ${uid}`, gid: gid === null ? '<gid of the socket>' : String(gid) },
    { cause: err },
  );
}

function isGoneError(err: unknown): boolean {
  const status = (err as { statusCode?: unknown })?.statusCode;
  return status === 404 || status === 409;
}

/**
 * Container memory working set, memory limit and CPU usage from the Docker Engine API, for the
 * containers the objectives select, computed as `docker stats` does. Containers are followed by
 * id and start time: a restart starts new series (leak detection must not regress across it),
 * and a container that stops or is replaced ends its series.
 */
export class DockerSource implements Source {
  readonly kind = 'docker' as const;
  readonly name: string;
  private readonly docker: Docker;
  private readonly config: DockerSourceConfig;
  private readonly matcher: ContainerMatcher;
  /** Docker label key -> series label name, for the keys the selectors name (see `selectedLabelKeys`). */
  private readonly copiedLabels: ReadonlyArray<readonly [string, string]>;
  private readonly concurrency: number;
  private readonly now: () => number;
  private followed = new Map<string, Followed>();
  /** Learnt from `/version` on the first successful contact; re-read after a failure (engine upgraded?). */
  private oneShot: boolean | null = null;

  constructor(options: DockerSourceOptions) {
    this.name = options.name;
    this.config = options.config;
    this.docker = new Docker(dockerConnection(options.config));
    this.matcher = new ContainerMatcher(options.selectors);
    this.copiedLabels = selectedLabelKeys(options.selectors).map((k) => [k, containerLabelSeriesName(k)] as const);
    this.concurrency = options.config.concurrency;
    this.now = options.now ?? Date.now;
  }

  async sample(signal: AbortSignal): Promise<SampleResult> {
    // Every request of the cycle listens on the signal (two per container): a signal of our own,
    // linked to the caller's, may have that many listeners without Node warning of a leak.
    const cycle = new AbortController();
    setMaxListeners(0, cycle.signal);
    const forward = () => cycle.abort(signal.reason);
    if (signal.aborted) forward();
    else signal.addEventListener('abort', forward, { once: true });
    try {
      return await this.sampleAll(cycle.signal);
    } catch (err) {
      this.oneShot = null;
      throw explainDockerError(err, this.config);
    } finally {
      signal.removeEventListener('abort', forward);
    }
  }

  async close(): Promise<void> {
    this.followed.clear();
  }

  private async sampleAll(signal: AbortSignal): Promise<SampleResult> {
    if (this.oneShot === null) {
      // dockerode takes options here (the abort signal) though its types do not say so.
      const versionWithOptions = this.docker.version as unknown as (opts: object) => Promise<Docker.DockerVersion>;
      const version = await versionWithOptions.call(this.docker, { abortSignal: signal });
      this.oneShot = apiAtLeast(version.ApiVersion, ONE_SHOT_API);
    }
    // Running containers only (the API's default); selection is local so globs need no API support.
    const list = await this.docker.listContainers({ abortSignal: signal });
    const picked = list.filter((c) => this.matcher.matches({ name: (c.Names?.[0] ?? '').replace(/^\//, ''), labels: c.Labels ?? {} }));
    const outcomes = await settleBounded(picked, this.concurrency, (c) => this.sampleContainer(c.Id, c.Labels ?? {}, signal));

    const failures = outcomes.filter((o) => !o.ok);
    if (picked.length > 0 && failures.length === picked.length) {
      // Every container failed: the engine is the problem (or the timeout hit), not a container.
      throw (failures[0] as { error: unknown }).error;
    }

    const points: Point[] = [];
    const next = new Map<string, Followed>();
    outcomes.forEach((o, i) => {
      const id = picked[i]!.Id;
      if (!o.ok) {
        // A single failed call keeps the container followed: its series go on next time.
        const known = this.followed.get(id);
        if (known) next.set(id, known);
        return;
      }
      if (o.value.kind === 'sampled') {
        next.set(id, o.value.followed);
        points.push(...o.value.points);
      }
    });

    const ended: Array<{ metric: string; labels: Labels }> = [];
    for (const [id, old] of this.followed) {
      const now = next.get(id);
      if (now && now.startedAt === old.startedAt) continue;
      for (const metric of ALL_METRICS) ended.push({ metric, labels: old.labels });
    }
    this.followed = next;
    return { points, ended };
  }

  /** `dockerLabels` from the container list, the ones selection was made on. */
  private async sampleContainer(
    id: string,
    dockerLabels: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<ContainerOutcome> {
    const container = this.docker.getContainer(id);
    const known = this.followed.get(id);
    // First sight: without one-shot the engine waits for a second reading and fills
    // `precpu_stats`, so even the first sample (and `vigil check`) has a CPU figure.
    const oneShot = this.oneShot === true && known?.cpu != null;
    let info: Docker.ContainerInspectInfo;
    let stats: StatsDoc;
    try {
      [info, stats] = await Promise.all([
        container.inspect({ abortSignal: signal }),
        container.stats({ stream: false, ...(oneShot ? { 'one-shot': true } : {}), abortSignal: signal } as {
          stream: false;
        }) as Promise<StatsDoc>,
      ]);
    } catch (err) {
      if (isGoneError(err)) return { kind: 'gone', id };
      throw err;
    }
    const t = this.now();
    const workingSet = memoryWorkingSet(stats.memory_stats);
    if (!info.State?.Running || workingSet === null) return { kind: 'gone', id };

    const startedAt = new Date(info.State.StartedAt).toISOString();
    const restarted = known !== undefined && known.startedAt !== startedAt;
    const series: Record<string, string> = {
      source: this.name,
      container: info.Name.replace(/^\//, ''),
      container_id: id.slice(0, 12),
      started_at: startedAt,
    };
    // The Docker labels objectives select by, so the evaluator can tell which selector picked the
    // container; a container without the label gets none.
    for (const [key, name] of this.copiedLabels) {
      const value = dockerLabels[key];
      if (value !== undefined) series[name] = value;
    }
    const labels: Labels = Object.freeze(series);
    const cpu = cpuCounters(stats.cpu_stats);
    const prevCpu = restarted ? null : (known?.cpu ?? cpuCounters(stats.precpu_stats));

    const points: Point[] = [{ metric: DOCKER_METRICS.workingSet, labels, t, value: workingSet }];
    const limit = memoryLimit(stats.memory_stats);
    if (limit !== null) points.push({ metric: DOCKER_METRICS.limit, labels, t, value: limit });
    const percent = cpu && prevCpu ? cpuPercent(prevCpu, cpu) : null;
    if (percent !== null) points.push({ metric: DOCKER_METRICS.cpu, labels, t, value: percent / 100 });
    return { kind: 'sampled', id, followed: { startedAt, labels, cpu }, points };
  }
}
