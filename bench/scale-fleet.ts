// What `npm run bench:scale` monitors: the names, groups and the ten objectives of each synthetic
// service, shared by the exporter (bench/scale-exporters.ts) and the daemon (bench/scale-daemon.ts).

/** Services per exporter endpoint (one `scrape` source instance each). */
export const GROUP_SIZE = 100;
export const ROUTES = ['/api', '/login'] as const;
export const OBJECTIVES_PER_SERVICE = 10;

export const serviceName = (i: number) => `svc-${String(i).padStart(4, '0')}`;
export const groupSource = (group: number) => `g${String(group).padStart(2, '0')}`;

/**
 * The bench evaluates every 2 s (a harder setting than the daemon's default of 5 s, so a cycle's
 * cost shows against its interval); `BENCH_EVALUATE_EVERY=5s` runs the default.
 */
export const EVALUATE_EVERY = process.env.BENCH_EVALUATE_EVERY ?? '2s';

/** vigil.yaml of a daemon watching `services` services of the exporter at `port`. */
export function daemonYaml(services: number, port: number): string {
  const groups = Math.ceil(services / GROUP_SIZE);
  const lines = [
    'listen: { host: 127.0.0.1, port: 0 }',
    'slo: [slo]',
    'dataDir: data',
    `evaluateEvery: ${EVALUATE_EVERY}`,
    'logLevel: warn',
    'sources:',
    '  scrape:',
  ];
  for (let g = 0; g < groups; g++)
    lines.push(`    ${groupSource(g)}: { url: 'http://127.0.0.1:${port}/g/${g}/metrics', schedule: '*/5 * * * * *' }`);
  lines.push('  probe:', `    default: { baseUrl: 'http://127.0.0.1:${port}', schedule: '*/10 * * * * *' }`, '');
  return lines.join('\n');
}

/**
 * One service's SLO file: ten objectives of the kinds a team writes: five latency quantiles
 * (timeslice targets), four ratios (availability overall and per route, share of fast requests),
 * one probe uptime.
 */
export function sloFile(index: number): object {
  const service = serviceName(index);
  const source = groupSource(Math.floor(index / GROUP_SIZE));
  const sel = (metric: string, extra = '') => `${metric}{service="${service}"${extra}}`;
  const latency = (name: string, route: string, quantile: number, max: string, target: string) => ({
    name,
    indicator: { latency: { source, histogram: sel('http_request_duration_seconds', `,route="${route}"`), quantile } },
    threshold: { max },
    target,
  });
  const rate = (metric: string, extra = '') => `sum(rate(${sel(metric, extra)}[{{window}}]))`;
  const ratio = (name: string, bad: string, total: string, target: string) => ({
    name,
    indicator: { ratio: { source, errors: bad, total } },
    target,
  });
  return {
    apiVersion: 'vigil/v1',
    kind: 'ServiceLevels',
    service,
    objectives: [
      latency('api-latency-p50', '/api', 0.5, '50ms', '99%'),
      latency('api-latency-p95', '/api', 0.95, '250ms', '99%'),
      latency('api-latency-p99', '/api', 0.99, '1s', '99%'),
      latency('login-latency-p95', '/login', 0.95, '250ms', '99%'),
      latency('login-latency-p99', '/login', 0.99, '1s', '99.5%'),
      ratio('availability', rate('http_requests_total', ',code=~"5.."'), rate('http_requests_total'), '99.9%'),
      ratio(
        'api-availability',
        rate('http_requests_total', ',route="/api",code=~"5.."'),
        rate('http_requests_total', ',route="/api"'),
        '99.9%',
      ),
      ratio(
        'login-availability',
        rate('http_requests_total', ',route="/login",code=~"5.."'),
        rate('http_requests_total', ',route="/login"'),
        '99%',
      ),
      {
        name: 'api-fast-requests',
        indicator: {
          ratio: {
            source,
            good: rate('http_request_duration_seconds_bucket', ',route="/api",le="0.25"'),
            total: rate('http_request_duration_seconds_count', ',route="/api"'),
          },
        },
        target: '95%',
      },
      { name: 'uptime', indicator: { probe: { path: `/health/${service}` } }, target: '99.9%' },
    ],
  };
}
