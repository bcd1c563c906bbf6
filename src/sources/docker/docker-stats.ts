/**
 * The figures `docker stats` shows, computed from Engine API stats documents (pure; fixtures in
 * the unit tests cover cgroup v1 and v2 shapes). Only the fields read here are typed: the
 * engine sends many more, and older engines leave some of these out.
 */

export interface CpuStatsDoc {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface MemoryStatsDoc {
  usage?: number;
  limit?: number;
  /** cgroup v1 has `total_inactive_file` (and `inactive_file`); cgroup v2 only `inactive_file`. */
  stats?: Record<string, number | undefined>;
}

export interface StatsDoc {
  read?: string;
  cpu_stats?: CpuStatsDoc;
  precpu_stats?: CpuStatsDoc;
  memory_stats?: MemoryStatsDoc;
}

/** The counters CPU % is computed from; kept per container between samples. */
export interface CpuCounters {
  /** Container CPU time, ns. */
  readonly totalUsage: number;
  /** Host CPU time over all CPUs, ns (unset on Windows, missing in one-shot `precpu_stats`). */
  readonly systemUsage: number;
  readonly onlineCpus: number;
}

/** CPU counters of a stats section, or null when it is empty (one-shot `precpu_stats`). */
export function cpuCounters(section: CpuStatsDoc | undefined): CpuCounters | null {
  const total = section?.cpu_usage?.total_usage;
  const system = section?.system_cpu_usage;
  if (typeof total !== 'number' || typeof system !== 'number' || system <= 0) return null;
  // As the docker CLI: online_cpus, or the number of per-CPU counters on engines that lack it.
  const online = section?.online_cpus || section?.cpu_usage?.percpu_usage?.length || 0;
  return { totalUsage: total, systemUsage: system, onlineCpus: online };
}

/**
 * CPU % exactly as `docker stats`: Δcontainer / Δsystem × online CPUs × 100 (100 = one core).
 * Returns null when no rate can be computed: no time passed, no CPU count, or the container's
 * counter went down (a restarted cgroup), where the CLI would show a misleading 0 %.
 */
export function cpuPercent(prev: CpuCounters, cur: CpuCounters): number | null {
  const cpuDelta = cur.totalUsage - prev.totalUsage;
  const systemDelta = cur.systemUsage - prev.systemUsage;
  if (systemDelta <= 0 || cpuDelta < 0 || cur.onlineCpus <= 0) return null;
  return (cpuDelta / systemDelta) * cur.onlineCpus * 100;
}

/**
 * Memory working set as `docker stats` shows it: usage minus the inactive page cache, which the
 * kernel reclaims first. cgroup v1: `total_inactive_file`; cgroup v2: `inactive_file`. A cache
 * figure above the usage (seen on some kernels) leaves the usage as is, as the CLI does.
 */
export function memoryWorkingSet(memory: MemoryStatsDoc | undefined): number | null {
  const usage = memory?.usage;
  if (typeof usage !== 'number') return null;
  const stats = memory?.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (typeof v1 === 'number') return v1 < usage ? usage - v1 : usage;
  const v2 = stats.inactive_file;
  if (typeof v2 === 'number' && v2 < usage) return usage - v2;
  return usage;
}

/** The memory limit the engine reports (the host's memory when the container has none). */
export function memoryLimit(memory: MemoryStatsDoc | undefined): number | null {
  const limit = memory?.limit;
  return typeof limit === 'number' && limit > 0 ? limit : null;
}
