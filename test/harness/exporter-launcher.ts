// Debian's redis_exporter and postgres_exporter on free loopback ports, pointed at a harness
// Redis or PostgreSQL. Stopped by their own pid like every harness server.
import { join, resolve } from 'node:path';
import { GiveUp, ManagedProcess, makeTempDir, onFreePort, requireBinary, waitFor } from './process-utils.js';
import { Service, type ServiceControl } from './service-handle.js';

export interface ExporterAddress {
  /** host:port, as a Prometheus scrape target. */
  target: string;
  /** Base URL; the metrics are at `${url}/metrics`. */
  url: string;
}

export type ExporterHandle = ExporterAddress & ServiceControl;

/** The query file vigil ships for postgres_exporter releases before the pg_stat_statements collector. */
export const PG_STAT_STATEMENTS_QUERIES = resolve(import.meta.dirname, '../../examples/exporters/pg-stat-statements-queries.yaml');

/** Ready once /metrics answers and contains `expect` (the exporter reached its server). */
async function startExporter(
  name: string,
  bin: string,
  args: (port: number) => string[],
  env: NodeJS.ProcessEnv,
  expect: RegExp,
): Promise<ExporterHandle> {
  return onFreePort(undefined, async (port) => {
    const dir = makeTempDir(name);
    const url = `http://127.0.0.1:${port}`;
    const proc = new ManagedProcess({
      command: bin,
      args: args(port),
      env,
      logFile: join(dir, `${name}.log`),
      pidFile: join(dir, 'server.pid'),
      cwd: dir,
    });
    const service = new Service({
      name,
      dir,
      process: proc,
      graceMs: 5_000,
      ready: () =>
        waitFor(
          async () => {
            if (!proc.running()) throw new GiveUp(`${name} exited during start-up`);
            const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) });
            return res.ok && expect.test(await res.text());
          },
          { timeoutMs: 30_000, intervalMs: 200, what: `${name} at ${url}` },
        ).then(
          () => undefined,
          (err: Error) => {
            throw new Error(`${err.message}\n--- ${name} log ---\n${proc.logTail()}`);
          },
        ),
    });
    await service.start();
    return Object.assign(service, { target: `127.0.0.1:${port}`, url });
  });
}

/** redis_exporter (Debian `prometheus-redis-exporter`) for one Redis. */
export function startRedisExporter(redisUrl: string): Promise<ExporterHandle> {
  const bin = requireBinary('/usr/bin/prometheus-redis-exporter', 'redis_exporter', 'prometheus-redis-exporter');
  return startExporter(
    'redis-exporter',
    bin,
    (port) => [`-redis.addr=${redisUrl}`, `-web.listen-address=127.0.0.1:${port}`],
    { PATH: process.env.PATH },
    /^redis_up(\{[^}]*\})? 1$/m,
  );
}

/**
 * postgres_exporter (Debian `prometheus-postgres-exporter`, 0.11) for one PostgreSQL, with vigil's
 * query file giving the 0.13+ pg_stat_statements collector's series.
 */
export function startPostgresExporter(connectionString: string, queryFile = PG_STAT_STATEMENTS_QUERIES): Promise<ExporterHandle> {
  const bin = requireBinary('/usr/bin/prometheus-postgres-exporter', 'postgres_exporter', 'prometheus-postgres-exporter');
  const dsn = new URL(connectionString);
  dsn.searchParams.set('sslmode', 'disable');
  return startExporter(
    'postgres-exporter',
    bin,
    (port) => [
      `--web.listen-address=127.0.0.1:${port}`,
      `--extend.query-path=${queryFile}`,
      '--disable-settings-metrics',
      '--log.level=warn',
    ],
    // The exporter reads its connection from the environment only (no flag in 0.11).
    { PATH: process.env.PATH, DATA_SOURCE_NAME: dsn.toString() },
    /^pg_up(\{[^}]*\})? 1$/m,
  );
}
