import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { redact } from '../core/redact.js';
import { Daemon } from '../daemon/daemon.js';
import { createLogger } from '../daemon/logger.js';
import { detectServices, hasServingContainer, writeDemoConfig } from '../examples/ml-serving/demo-setup.js';
import { DemoTraffic } from '../examples/ml-serving/demo-traffic.js';
import { DEFAULT_ML_SERVING_PORT, type MlServingHandle, startMlServing } from '../examples/ml-serving/start-ml-serving.js';

interface Flags {
  port: number;
  servicePort: number;
  detect: boolean;
  redisUrl?: string;
  postgresUrl?: string;
  dockerSocket?: string;
  rate: number;
}

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port 0..65535 (0 picks a free one)');
  return n;
};

/**
 * `vigil demo`: the example ML service, vigil watching it (scrape + probe, plus Redis/PostgreSQL/
 * Docker where reachable), light steady traffic; Ctrl-C stops everything it started.
 */
export function command(): Command {
  return new Command('demo')
    .description('start the example ML service and vigil watching it; Ctrl-C stops both')
    .option('--port <port>', "vigil's HTTP port (0 picks a free one)", port, Number(process.env.VIGIL_DEMO_PORT ?? 8093))
    .option(
      '--service-port <port>',
      "the example service's port (0 picks a free one)",
      port,
      Number(process.env.VIGIL_DEMO_SERVICE_PORT ?? DEFAULT_ML_SERVING_PORT),
    )
    .option('--no-detect', 'do not look for Redis, PostgreSQL and Docker at their usual local addresses')
    .option('--redis-url <url>', 'Redis for the prediction cache (and a cache objective)', process.env.REDIS_URL)
    .option('--postgres-url <url>', 'PostgreSQL for feature reads (and a query-latency objective)', process.env.POSTGRES_URL)
    .option('--docker-socket <path>', 'Docker Engine socket')
    .option('--rate <rps>', 'background traffic, requests per second', Number, 10)
    .action(async (flags: Flags) => {
      process.exitCode = await runDemo(flags);
    });
}

async function runDemo(flags: Flags): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-demo-'));
  let service: MlServingHandle | undefined;
  let daemon: Daemon | undefined;
  let traffic: DemoTraffic | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    traffic?.stop();
    await daemon?.stop().catch(() => undefined);
    await service?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  };
  try {
    const reachable = await detectServices({
      redisUrl: flags.redisUrl,
      postgresUrl: flags.postgresUrl,
      dockerSocket: flags.dockerSocket,
      defaults: flags.detect,
    });
    // In a Redis the demo did not start, its cache keys live under their own prefix and are deleted on exit.
    const redisKeyPrefix = `vigil-demo:${process.pid}:`;
    service = await startMlServing({
      port: flags.servicePort,
      redisUrl: reachable.redisUrl,
      redisKeyPrefix,
      postgresUrl: reachable.postgresUrl,
    });
    const files = writeDemoConfig(dir, {
      servicePort: service.port,
      vigilPort: flags.port,
      reachable,
      hasServingContainer: reachable.dockerSocket ? await hasServingContainer(reachable.dockerSocket) : false,
    });
    daemon = await Daemon.start({ configPath: files.configPath, watch: false, logger: createLogger('warn') });
    traffic = new DemoTraffic(service.url, flags.rate);
    traffic.start();

    const api = daemon.url.replace(/\/$/, '');
    const optional = [reachable.redisUrl && 'redis', reachable.postgresUrl && 'postgres', reachable.dockerSocket && 'docker'].filter(
      Boolean,
    );
    console.log(
      [
        'vigil demo is running. Ctrl-C stops everything it started.',
        '',
        `  status page         ${api}/  (open it in a browser)`,
        `  example ML service  ${service.url}  (POST /api/documentation-keeper/decide, /features; /metrics; /health)`,
        `  vigil SLA (JSON)    ${api}/api/sla/ml-services/current`,
        `  vigil all services  ${api}/api/sla`,
        `  vigil metrics       ${api}/metrics`,
        `  vigil API docs      ${api}/openapi.json`,
        '',
        `  sources: scrape + probe of the service${optional.length ? `, ${optional.join(', ')}` : ''} (cache: ${service.cacheKind})`,
        ...(reachable.redisUrl
          ? [
              `  redis: cache keys under ${redisKeyPrefix}* in ${redact(reachable.redisUrl)}, deleted on exit;`,
              "         redis-instance-hit-ratio reads the whole instance (INFO stats), prediction-cache-hit-ratio only the demo's lookups",
            ]
          : []),
        ...(reachable.postgresUrl
          ? [
              `  postgres: creates (if missing) and reads table ml_learning_token_priors (4 rows) in ${redact(reachable.postgresUrl)}; it is left in place`,
            ]
          : []),
        ...(reachable.notes.length ? [`  not used: ${reachable.notes.join('; ')}`] : []),
        ...(flags.detect ? ['  (--no-detect: use none of Redis, PostgreSQL, Docker unless given by URL)'] : []),
        `  config: ${files.configPath}`,
        `  traffic: ${flags.rate} requests/s to the service`,
        '',
        'Within a few seconds:',
        `  curl -s ${api}/api/sla/ml-services/current | jq '.uptime_percentage > 99.9 and .response_time_p95 < 100'`,
      ].join('\n'),
    );
  } catch (err) {
    console.error(redact(`vigil demo: ${(err as Error).message}`));
    await stop(2);
    return 2;
  }
  // `on`, not `once`: with no listener left, a second signal during the cleanup (a second Ctrl-C,
  // a service manager's SIGTERM after SIGINT) would kill the process half-way, leaving files behind.
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  // Stay up until a signal.
  await new Promise<never>(() => undefined);
  return 0;
}
