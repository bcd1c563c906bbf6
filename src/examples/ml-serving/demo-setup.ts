import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import pg from 'pg';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

/**
 * What `vigil demo` needs besides the service: which optional systems are reachable (checked
 * quickly, each bounded to about a second), and the effective vigil config + SLO file built from
 * the shipped `examples/ml-serving/` files with the real ports and only the reachable sources.
 */

export const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/ml-serving/', import.meta.url));

export interface Reachable {
  redisUrl?: string;
  postgresUrl?: string;
  dockerSocket?: string;
  /** Why a candidate was left out, for the demo's banner. */
  notes: string[];
}

export interface DetectOptions {
  redisUrl?: string | undefined;
  postgresUrl?: string | undefined;
  dockerSocket?: string | undefined;
  /** Also try the usual local addresses (127.0.0.1:6379, :5432, /var/run/docker.sock). */
  defaults: boolean;
}

async function redisAnswers(url: string): Promise<string | null> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 800,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    client.disconnect();
  }
}

async function postgresAnswers(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const ext = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'");
    if (ext.rowCount === 0) return 'pg_stat_statements is not installed (CREATE EXTENSION pg_stat_statements)';
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dockerAnswers(socketPath: string): Promise<string | null> {
  if (!existsSync(socketPath)) return 'no socket';
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      new Docker({ socketPath }).ping(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 1 s')), 1000))),
    ]);
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    // A pending timer would keep a finished demo process alive for up to a second.
    clearTimeout(timer);
  }
}

export async function detectServices(options: DetectOptions): Promise<Reachable> {
  const out: Reachable = { notes: [] };
  const redis = options.redisUrl ?? (options.defaults ? 'redis://127.0.0.1:6379' : undefined);
  const postgres = options.postgresUrl ?? (options.defaults ? 'postgres://postgres@127.0.0.1:5432/postgres' : undefined);
  const docker = options.dockerSocket ?? (options.defaults ? '/var/run/docker.sock' : undefined);
  const [r, p, d] = await Promise.all([
    redis ? redisAnswers(redis) : Promise.resolve('not tried'),
    postgres ? postgresAnswers(postgres) : Promise.resolve('not tried'),
    docker ? dockerAnswers(docker) : Promise.resolve('not tried'),
  ]);
  if (redis && r === null) out.redisUrl = redis;
  else out.notes.push(`redis: ${r}`);
  if (postgres && p === null) out.postgresUrl = postgres;
  else out.notes.push(`postgres: ${p}`);
  if (docker && d === null) out.dockerSocket = docker;
  else out.notes.push(`docker: ${d}`);
  return out;
}

export interface DemoFiles {
  configPath: string;
  sloPath: string;
  /** Source kinds in the effective config. */
  sources: string[];
}

type Yaml = Record<string, unknown>;

/** Writes the effective vigil config and SLO file into `dir`. */
export function writeDemoConfig(
  dir: string,
  options: { servicePort: number; vigilPort: number; reachable: Reachable; hasServingContainer: boolean },
): DemoFiles {
  const config = parseYaml(readFileSync(join(EXAMPLE_DIR, 'vigil.demo.yaml'), 'utf8')) as Yaml;
  const slo = parseYaml(readFileSync(join(EXAMPLE_DIR, 'slo', 'ml-services.yaml'), 'utf8')) as Yaml;
  const extras = parseYaml(readFileSync(join(EXAMPLE_DIR, 'demo-extras.yaml'), 'utf8')) as Record<string, { objectives: unknown[] }>;
  const serviceUrl = `http://127.0.0.1:${options.servicePort}`;

  config.listen = { host: '127.0.0.1', port: options.vigilPort };
  config.dataDir = join(dir, 'data');
  config.slo = [join(dir, 'slo')];
  config.logLevel = 'warn';
  const sources = config.sources as Record<string, Record<string, Yaml>>;
  sources.scrape!.default!.url = `${serviceUrl}/metrics`;
  sources.probe!.default!.baseUrl = serviceUrl;
  const objectives = slo.objectives as unknown[];
  const { reachable } = options;
  if (reachable.redisUrl) {
    sources.redis = { cache: { url: reachable.redisUrl, schedule: '*/2 * * * * *' } };
    objectives.push(...(extras.redis?.objectives ?? []));
  }
  if (reachable.postgresUrl) {
    sources.postgres = { default: { connectionString: reachable.postgresUrl, schedule: '*/5 * * * * *' } };
    objectives.push(...(extras.postgres?.objectives ?? []));
  }
  if (reachable.dockerSocket) {
    sources.docker = { default: { socketPath: reachable.dockerSocket, schedule: '*/5 * * * * *' } };
    // The service runs as a process here; container objectives only when such a container exists.
    if (options.hasServingContainer) objectives.push(...(extras.docker?.objectives ?? []));
  }
  mkdirSync(join(dir, 'slo'), { recursive: true });
  const configPath = join(dir, 'vigil.yaml');
  const sloPath = join(dir, 'slo', 'ml-services.yaml');
  writeFileSync(configPath, stringifyYaml(config));
  writeFileSync(sloPath, stringifyYaml(slo));
  return { configPath, sloPath, sources: Object.keys(sources).filter((k) => Object.keys(sources[k] ?? {}).length > 0) };
}

/** Whether a running container's name starts with `ml-serving` (for the container objective). */
export async function hasServingContainer(socketPath: string): Promise<boolean> {
  try {
    const list = await new Docker({ socketPath }).listContainers();
    return list.some((c) => c.Names.some((n) => n.replace(/^\//, '').startsWith('ml-serving')));
  } catch {
    return false;
  }
}
