import cron from 'node-cron';
import { z } from 'zod';
import { hasUserinfo, httpAuthSchema, httpHeadersSchema, httpTlsSchema } from '../core/http-credentials.js';
import { describeInput } from '../units/units.js';
import { checkCronStructure } from './cron-check.js';
import { metricProfilesSchema } from './slo-schema.js';
import { durationOrZeroSchema, durationWithin } from './units-schema.js';

/** Bounds of the durations that drive timers and timeouts (see `durationWithin`). */
export const DURATION_BOUNDS = {
  sourceTimeout: durationWithin(10, 5 * 60_000, "a source's sample timeout"),
  alertmanagerTimeout: durationWithin(10, 5 * 60_000, 'the Alertmanager request timeout'),
  resendInterval: durationWithin(1_000, 24 * 3_600_000, 'the alert re-send timer'),
  persistInterval: durationWithin(1_000, 24 * 3_600_000, 'the store snapshot timer'),
  evaluateEvery: durationWithin(100, 3_600_000, 'the evaluation timer'),
  peerTimeout: durationWithin(10, 5 * 60_000, "a shard peer's answer timeout"),
} as const;

/**
 * The daemon config (`vigil.yaml`): where the sources live and how often they are sampled.
 * Every key can also be set by a `VIGIL_*` environment variable, and `${ENV_VAR}` in a value is
 * replaced before validation, so secrets stay out of the file.
 */

/**
 * node-cron expression; six fields allow seconds (`*\/15 * * * * *` is every 15 s). Checked
 * structurally first (bounded time and memory: see cron-check.ts), then by node-cron's own
 * validator, so a schedule that loads is one the scheduler accepts.
 */
const schedule = z
  .string()
  .min(1)
  .superRefine((expression, ctx) => {
    const problem = checkCronStructure(expression);
    const detail = problem
      ? `at character ${problem.column}, ${problem.message}`
      : cron.validate(expression)
        ? null
        : (cron.validateDetailed(expression).errors?.[0]?.message ?? null);
    if (problem === null && detail === null) return;
    ctx.addIssue({
      code: 'custom',
      input: expression,
      message: `expected a cron expression like "*/15 * * * * *" (seconds first), got ${describeInput(expression)}${detail ? ` (${detail})` : ''}`,
    });
  })
  .meta({ description: 'node-cron expression; with six fields the first is seconds: "*/15 * * * * *" is every 15 s.' });
const instanceName = z.string().regex(/^[a-zA-Z0-9_-]+$/, {
  error: (iss) => `expected a name of letters, digits, \`_\` and \`-\`, got ${describeInput(iss.input)}`,
});

const common = {
  schedule: schedule.optional(),
  timeout: DURATION_BOUNDS.sourceTimeout.prefault('10s'),
};

const auth = httpAuthSchema.optional();

/** Credentials come from `auth` or from the URL's userinfo, not both (which would win is a guess). */
function oneCredentialSource<S extends z.ZodType<{ auth?: unknown }>>(schema: S, urlKey: string): S {
  return schema.refine(
    (v) => {
      const url = (v as Record<string, unknown>)[urlKey];
      return v.auth === undefined || typeof url !== 'string' || !hasUserinfo(url);
    },
    { message: `expected credentials either in \`auth\` or in \`${urlKey}\`, not both`, path: ['auth'] },
  );
}

export const prometheusSourceSchema = oneCredentialSource(
  z.strictObject({
    ...common,
    url: z.url(),
    auth,
    headers: httpHeadersSchema.optional(),
    tls: httpTlsSchema.optional(),
  }),
  'url',
);

export const dockerSourceSchema = z
  .strictObject({
    ...common,
    /** Unix socket of the engine; `/var/run/docker.sock` when neither this nor `host` is set. */
    socketPath: z.string().min(1).optional(),
    /** `hostname` or `user:password@hostname` (the credentials go in a header). */
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    protocol: z.enum(['http', 'https']).default('http'),
    auth,
    /** Stats calls in flight at once. The engine answers each at its next once-a-second reading, so keep it at or above the container count. */
    concurrency: z.number().int().min(1).max(256).default(64),
  })
  .refine((v) => !(v.socketPath !== undefined && v.host !== undefined), {
    message: 'expected either `socketPath` or `host`, not both',
  })
  .refine((v) => v.auth === undefined || !(v.host ?? '').includes('@'), {
    message: 'expected credentials either in `auth` or in `host`, not both',
    path: ['auth'],
  });

export const redisSourceSchema = z.strictObject({
  ...common,
  /** `redis://[:password@]host:port/db` or `rediss://` for TLS. */
  url: z.string().regex(/^rediss?:\/\//, {
    error: (iss) => `expected a redis:// or rediss:// URL, got ${describeInput(iss.input)}`,
  }),
});

export const postgresSourceSchema = z.strictObject({
  ...common,
  connectionString: z.string().regex(/^postgres(ql)?:\/\//, {
    error: (iss) => `expected a postgres:// connection string, got ${describeInput(iss.input)}`,
  }),
});

export const probeSourceSchema = oneCredentialSource(
  z.strictObject({
    ...common,
    baseUrl: z.url().optional(),
    /** Sent with the probes of paths under `baseUrl` (not with objectives' own absolute `url`s). */
    auth,
  }),
  'baseUrl',
);

export const scrapeSourceSchema = oneCredentialSource(
  z.strictObject({
    ...common,
    /** A target's Prometheus exposition endpoint, e.g. `http://127.0.0.1:8095/metrics`. */
    url: z.url(),
    auth,
  }),
  'url',
);

const instances = <T extends z.ZodType>(schema: T) => z.record(instanceName, schema).default({});

/** The settings schema of one instance of each source kind. */
export const SOURCE_SCHEMAS = {
  prometheus: prometheusSourceSchema,
  docker: dockerSourceSchema,
  redis: redisSourceSchema,
  postgres: postgresSourceSchema,
  probe: probeSourceSchema,
  scrape: scrapeSourceSchema,
} as const;

export const SOURCE_KINDS = ['prometheus', 'docker', 'redis', 'postgres', 'probe', 'scrape'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** The settings of one instance of kind `K`, defaults filled in (as the schema outputs them). */
export type SourceSettings<K extends SourceKind = SourceKind> = { [P in SourceKind]: z.infer<(typeof SOURCE_SCHEMAS)[P]> }[K];

/** Default schedules: every 15 s, as most scrape intervals. */
export const DEFAULT_SCHEDULES: Record<SourceKind, string> = {
  prometheus: '*/15 * * * * *',
  docker: '*/15 * * * * *',
  redis: '*/15 * * * * *',
  postgres: '*/15 * * * * *',
  probe: '*/15 * * * * *',
  scrape: '*/15 * * * * *',
};

/** Sharding for large fleets: services split by `hashmod` of their name (see `config/shard.ts`). */
export const shardSchema = z
  .strictObject({
    /** This replica's shard; left out, the ordinal at the end of the host name (`vigil-2`). */
    index: z.number().int().min(0).optional(),
    total: z.number().int().min(1),
    /** Base URLs of the other shards' APIs; `/api/sla` merges their answers. */
    peers: z.array(z.url()).default([]),
    /** How long `/api/sla` waits for a peer before answering without it (marked partial). */
    peerTimeout: DURATION_BOUNDS.peerTimeout.prefault('2s'),
  })
  .refine((s) => s.index === undefined || s.index < s.total, { message: 'expected shard.index below shard.total', path: ['index'] })
  .meta({ description: 'Split the services across replicas by a stable hash of the service name (as Prometheus hashmod).' });

export const daemonConfigSchema = z.strictObject({
  listen: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8093),
    })
    .prefault({}),
  /**
   * Serve `GET /api/sla` and `GET /api/sla/:service/current` from a thread of their own that owns
   * the listening socket (other requests are passed to the daemon's thread), so the daemon's own
   * work never delays them. Off: one thread serves everything. Read at start only.
   */
  apiThread: z.boolean().default(true).meta({
    description:
      "Answer the hot API routes from a thread of their own that owns the listening socket, so evaluation and garbage collection never delay them (other routes are passed to the daemon's thread). Read at start only.",
  }),
  /** SLO files or folders of them, relative to the config file. */
  slo: z.array(z.string().min(1)).min(1).default(['slo']),
  /** A team's own burn-rate window sets: files or folders of them, relative to the config file. */
  windowSets: z
    .array(z.string().min(1))
    .default([])
    .meta({ description: 'Burn-rate window set files or folders (one set per file), added to the sets shipped with vigil.' }),
  /** Default metric profiles for every SLO file (a file's own `metricProfiles` and an indicator's `metrics:` win). */
  metricProfiles: metricProfilesSchema.optional(),
  /** Where the store's snapshot is kept. */
  dataDir: z.string().min(1).default('data'),
  /** Bearer token for `POST /-/reload`; reload is off when unset. */
  reloadToken: z.string().min(16, 'expected a token of at least 16 characters').optional(),
  /** Base URL of the Grafana that holds the generated dashboards, for alert links. */
  grafanaUrl: z.url().optional(),
  /** The URL people reach this daemon at (behind a proxy, say), for alert links to the status page. */
  externalUrl: z.url().optional(),
  sources: z
    .strictObject({
      prometheus: instances(SOURCE_SCHEMAS.prometheus),
      docker: instances(SOURCE_SCHEMAS.docker),
      redis: instances(SOURCE_SCHEMAS.redis),
      postgres: instances(SOURCE_SCHEMAS.postgres),
      probe: instances(SOURCE_SCHEMAS.probe),
      scrape: instances(SOURCE_SCHEMAS.scrape),
    })
    .prefault({}),
  alertmanager: z
    .strictObject({
      urls: z.array(z.url()).default([]),
      /** Sent to every URL (which then holds no credentials of its own). */
      auth: httpAuthSchema.optional(),
      /** Re-send firing alerts this often, as Prometheus does. */
      resendInterval: DURATION_BOUNDS.resendInterval.prefault('1m'),
      timeout: DURATION_BOUNDS.alertmanagerTimeout.prefault('10s'),
      /** HA pairs: a resolution's endsAt lies this far ahead, so Alertmanager resolves when the last replica clears. */
      resolveDelay: durationOrZeroSchema.prefault('0s'),
    })
    .refine((v) => v.auth === undefined || !v.urls.some(hasUserinfo), {
      message: 'expected credentials either in `auth` or in the `urls`, not both',
      path: ['auth'],
    })
    .prefault({}),
  store: z
    .strictObject({
      persistInterval: DURATION_BOUNDS.persistInterval.prefault('1m'),
      /** Cap on points kept per series, whatever the retention. */
      maxPointsPerSeries: z.number().int().min(16).default(20_000),
    })
    .prefault({}),
  shard: shardSchema.optional(),
  /** How often objectives are evaluated and the snapshot replaced. */
  evaluateEvery: DURATION_BOUNDS.evaluateEvery.prefault('5s'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type DaemonConfig = z.infer<typeof daemonConfigSchema>;
export type DaemonConfigInput = z.input<typeof daemonConfigSchema>;
export type ShardConfig = z.infer<typeof shardSchema>;
export type PrometheusSourceConfig = z.infer<typeof prometheusSourceSchema>;
export type DockerSourceConfig = z.infer<typeof dockerSourceSchema>;
export type RedisSourceConfig = z.infer<typeof redisSourceSchema>;
export type PostgresSourceConfig = z.infer<typeof postgresSourceSchema>;
export type ProbeSourceConfig = z.infer<typeof probeSourceSchema>;
export type ScrapeSourceConfig = z.infer<typeof scrapeSourceSchema>;
