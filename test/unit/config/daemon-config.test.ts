import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { daemonConfigSchema } from '../../../src/config/daemon-schema.js';
import { envKeys, interpolateString } from '../../../src/config/env.js';
import { formatIssue, loadConfig } from '../../../src/config/load-config.js';
import { loadDaemonConfig } from '../../../src/config/load-daemon.js';
import { ERR } from '../../../src/core/errors.js';
import { redact } from '../../../src/core/redact.js';

/** vigil.yaml: defaults, `${VAR}` interpolation, `VIGIL_*` overrides, relative paths, secrets. */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function load(text: string | undefined, env: Record<string, string> = {}) {
  const configPath = text === undefined ? undefined : await write('vigil.yaml', text);
  return loadDaemonConfig({ configPath, env, cwd: dir });
}

async function daemonOf(text: string | undefined, env: Record<string, string> = {}) {
  const result = await load(text, env);
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
  return result.daemon;
}

async function issuesOf(text: string | undefined, env: Record<string, string> = {}) {
  const result = await load(text, env);
  if (result.ok) throw new Error('expected issues');
  return result.issues;
}

describe('defaults', () => {
  it('without a file: loopback, port 8093, ./slo, every source kind empty', async () => {
    const daemon = await daemonOf(undefined);
    expect(daemon.listen).toEqual({ host: '127.0.0.1', port: 8093 });
    expect(daemon.slo).toEqual([join(dir, 'slo')]);
    expect(daemon.dataDir).toBe(join(dir, 'data'));
    expect(daemon.sources).toEqual({ prometheus: {}, docker: {}, redis: {}, postgres: {}, probe: {}, scrape: {} });
    expect(daemon.alertmanager).toEqual({ urls: [], resendInterval: 60_000, timeout: 10_000, resolveDelay: 0 });
    expect(daemon.evaluateEvery).toBe(5000);
  });

  it('an empty mapping gives the same defaults', async () => {
    expect(await daemonOf('{}\n')).toEqual({ ...(await daemonOf(undefined)) });
  });
});

describe('${VAR} interpolation', () => {
  it('replaces variables, falls back with :-, keeps $${ literal and lone $ signs', () => {
    const env = { PW: 's3cret', EMPTY: '' };
    expect(interpolateString('redis://:${PW}@h:6379', env)).toEqual({ value: 'redis://:s3cret@h:6379', missing: [], malformed: false });
    expect(interpolateString('${NOPE:-http://127.0.0.1:9090}', env).value).toBe('http://127.0.0.1:9090');
    expect(interpolateString('${EMPTY:-fallback}', env).value).toBe('fallback');
    expect(interpolateString('$${PW} costs $5', env).value).toBe('${PW} costs $5');
    expect(interpolateString('${PW}${NOPE}${ALSO}', env)).toEqual({ value: 's3cret', missing: ['NOPE', 'ALSO'], malformed: false });
    expect(interpolateString('${not valid}', env).malformed).toBe(true);
  });

  it('interpolates values in the file before validation', async () => {
    const daemon = await daemonOf(
      ['sources:', '  redis:', '    cache:', '      url: redis://:${REDIS_PASSWORD}@127.0.0.1:6379/0', ''].join('\n'),
      { REDIS_PASSWORD: 'hunter2' },
    );
    expect(daemon.sources.redis.cache!.url).toBe('redis://:hunter2@127.0.0.1:6379/0');
  });

  it('a missing variable is an error naming it, at its position, reported once', async () => {
    const issues = await issuesOf(
      ['sources:', '  postgres:', '    default:', '      connectionString: ${PG_URL}', 'listen:', '  port: ${PORT}', ''].join('\n'),
    );
    expect(issues.map(formatIssue)).toEqual([
      'vigil.yaml:4:25 sources.postgres.default.connectionString: environment variable PG_URL is not set ' +
        '(referenced as ${PG_URL}; write $${ for a literal ${)',
      'vigil.yaml:6:9 listen.port: environment variable PORT is not set (referenced as ${PORT}; write $${ for a literal ${)',
    ]);
    expect(issues.every((i) => i.code === ERR.VIGIL_ERR_CONFIG_ENV_MISSING)).toBe(true);
  });
});

describe('VIGIL_* overrides', () => {
  it('every key has a variable, derived from the schema', () => {
    const names = envKeys(daemonConfigSchema).map((k) => k.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'VIGIL_LISTEN_HOST',
        'VIGIL_LISTEN_PORT',
        'VIGIL_API_THREAD',
        'VIGIL_SLO',
        'VIGIL_DATA_DIR',
        'VIGIL_RELOAD_TOKEN',
        'VIGIL_SOURCES_REDIS',
        'VIGIL_SOURCES_DOCKER',
        'VIGIL_ALERTMANAGER_URLS',
        'VIGIL_ALERTMANAGER_RESEND_INTERVAL',
        'VIGIL_STORE_MAX_POINTS_PER_SERIES',
        'VIGIL_EVALUATE_EVERY',
        'VIGIL_LOG_LEVEL',
        'VIGIL_GRAFANA_URL',
        'VIGIL_ALERTMANAGER_RESOLVE_DELAY',
        'VIGIL_SHARD_INDEX',
        'VIGIL_SHARD_TOTAL',
        'VIGIL_SHARD_PEERS',
        'VIGIL_SHARD_PEER_TIMEOUT',
        'VIGIL_EXTERNAL_URL',
        'VIGIL_WINDOW_SETS',
        'VIGIL_ALERTMANAGER_AUTH_BEARER',
        'VIGIL_ALERTMANAGER_AUTH_BASIC_USERNAME',
        'VIGIL_ALERTMANAGER_AUTH_BASIC_PASSWORD',
        'VIGIL_METRIC_PROFILES_CONTAINERS',
        'VIGIL_METRIC_PROFILES_REDIS',
        'VIGIL_METRIC_PROFILES_POSTGRES',
      ]),
    );
    // One variable (or record prefix) per top-level key and nested leaf: nothing left out.
    expect(names).toHaveLength(33);
  });

  it('coerces by the schema type and wins over the file', async () => {
    const daemon = await daemonOf(
      [
        'listen: { port: 8093 }',
        'sources:',
        '  postgres:',
        '    ml-db: { connectionString: postgres://file@127.0.0.1/ml }',
        '  docker:',
        '    local: { socketPath: /var/run/docker.sock }',
        '',
      ].join('\n'),
      {
        VIGIL_LISTEN_PORT: '9000',
        VIGIL_LISTEN_HOST: '0.0.0.0',
        VIGIL_SOURCES_REDIS_CACHE_URL: 'redis://127.0.0.1:6380',
        VIGIL_SOURCES_REDIS_CACHE_SCHEDULE: '*/5 * * * * *',
        VIGIL_SOURCES_POSTGRES_ML_DB_CONNECTION_STRING: 'postgres://env@127.0.0.1/ml',
        VIGIL_SOURCES_DOCKER_LOCAL_CONCURRENCY: '4',
        VIGIL_ALERTMANAGER_URLS: 'http://127.0.0.1:9093, http://127.0.0.1:9094',
        VIGIL_ALERTMANAGER_RESEND_INTERVAL: '30s',
        VIGIL_STORE_MAX_POINTS_PER_SERIES: '100',
        VIGIL_LOG_LEVEL: 'debug',
        VIGIL_API_THREAD: 'false',
        // Not a config key (the test harness uses the prefix): ignored.
        VIGIL_TEST_SERVICES: 'redis,postgres',
      },
    );
    expect(daemon.listen).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(daemon.apiThread).toBe(false);
    expect(daemon.sources.redis).toEqual({ cache: { url: 'redis://127.0.0.1:6380', schedule: '*/5 * * * * *', timeout: 10_000 } });
    expect(daemon.sources.postgres['ml-db']!.connectionString).toBe('postgres://env@127.0.0.1/ml');
    expect(daemon.sources.docker.local).toMatchObject({ socketPath: '/var/run/docker.sock', concurrency: 4 });
    expect(daemon.alertmanager.urls).toEqual(['http://127.0.0.1:9093', 'http://127.0.0.1:9094']);
    expect(daemon.alertmanager.resendInterval).toBe(30_000);
    expect(daemon.store.maxPointsPerSeries).toBe(100);
    expect(daemon.logLevel).toBe('debug');
  });

  it('works without any file', async () => {
    const daemon = await daemonOf(undefined, { VIGIL_SOURCES_PROMETHEUS_DEFAULT_URL: 'http://127.0.0.1:9090', VIGIL_SLO: 'a,b' });
    expect(daemon.sources.prometheus.default!.url).toBe('http://127.0.0.1:9090');
    expect(daemon.slo).toEqual([join(dir, 'a'), join(dir, 'b')]);
  });

  it('a value the schema refuses is reported against the variable', async () => {
    const issues = await issuesOf('listen: { port: 8093 }\n', { VIGIL_LISTEN_PORT: 'http', VIGIL_EVALUATE_EVERY: 'often' });
    expect(issues.map(formatIssue)).toEqual([
      '$VIGIL_EVALUATE_EVERY evaluateEvery: expected a duration like "50ms", got "often"',
      '$VIGIL_LISTEN_PORT listen.port: expected a number, got "http"',
    ]);
  });
});

describe('paths', () => {
  it('relative paths in the file resolve against its folder, from the environment against the working directory', async () => {
    await mkdir(join(dir, 'etc'));
    const configPath = join(dir, 'etc', 'vigil.yaml');
    await writeFile(
      configPath,
      'slo: [slo, /abs/slo]\ndataDir: ../var/data\nsources: { docker: { d: { socketPath: run/docker.sock } } }\n',
    );
    const result = await loadDaemonConfig({ configPath, env: { VIGIL_DATA_DIR: 'state' }, cwd: dir });
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    expect(result.baseDir).toBe(join(dir, 'etc'));
    expect(result.daemon.slo).toEqual([join(dir, 'etc', 'slo'), '/abs/slo']);
    expect(result.daemon.dataDir).toBe(join(dir, 'state'));
    expect(result.daemon.sources.docker.d!.socketPath).toBe(join(dir, 'etc', 'run', 'docker.sock'));
  });
});

describe('errors in vigil.yaml', () => {
  it('unknown keys get a did-you-mean from the schema, positions from the file', async () => {
    const issues = await issuesOf(
      [
        'listen: { hots: 127.0.0.1 }',
        'sources:',
        '  reddis: {}',
        '  redis:',
        '    cache: { url: redis://h:6379, shedule: "* * * * *" }',
        '',
      ].join('\n'),
    );
    expect(issues.map(formatIssue)).toEqual([
      'vigil.yaml:1:11 listen.hots: unknown key "hots"; did you mean "host"?',
      'vigil.yaml:3:3 sources.reddis: unknown key "reddis"; did you mean "redis"?',
      'vigil.yaml:5:35 sources.redis.cache.shedule: unknown key "shedule"; did you mean "schedule"?',
    ]);
  });

  it('schedules are checked structurally, then by node-cron itself', async () => {
    const issues = await issuesOf(
      'sources:\n  redis:\n    cache: { url: "redis://h:1", schedule: "every 5s" }\n  docker:\n    d: { schedule: "61 * * * * *" }\n',
    );
    expect(issues.map(formatIssue)).toEqual([
      'vigil.yaml:3:44 sources.redis.cache.schedule: expected a cron expression like "*/15 * * * * *" (seconds first), got "every 5s" (at character 1, has 2 field(s); expected 5 (minute first) or 6 (second first))',
      'vigil.yaml:5:20 sources.docker.d.schedule: expected a cron expression like "*/15 * * * * *" (seconds first), got "61 * * * * *" (at character 1, field 1 (seconds): "61" is outside 0-59)',
    ]);
  });

  it('never prints a password or the reload token', async () => {
    const issues = await issuesOf(
      ['reloadToken: 1234567890', 'sources:', '  postgres:', '    db: { connectionString: "postgresql//vigil:hunter2@db/ml" }', ''].join(
        '\n',
      ),
    );
    const text = issues.map(formatIssue).join('\n');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('1234567890');
    // Keys that can hold a credential never quote the rejected value (a password typed into a URL field).
    expect(text).toContain('vigil.yaml:1:14 reloadToken: expected a string, got a value not shown here (this key can hold a credential)');
    expect(text).toContain(
      'vigil.yaml:4:29 sources.postgres.db.connectionString: expected a postgres:// connection string, got a value not shown here (this key can hold a credential)',
    );
  });
});

describe('loadConfig', () => {
  it('loads the config and its SLO files into one frozen Config; redact hides its secrets', async () => {
    await mkdir(join(dir, 'slo'));
    await write(
      'slo/a.yaml',
      'apiVersion: vigil/v1\nkind: ServiceLevels\nservice: a\nobjectives:\n  - { name: hits, indicator: { redisHitRatio: { source: cache } }, threshold: { min: 80% } }\n',
    );
    await write('vigil.yaml', 'reloadToken: ${TOKEN}\nsources:\n  redis:\n    cache: { url: "redis://:${PW}@127.0.0.1:6379" }\n');
    const result = await loadConfig({
      configPath: join(dir, 'vigil.yaml'),
      cwd: dir,
      env: { TOKEN: 'a-very-long-reload-token', PW: 'hunter2' },
    });
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    expect(result.config.services.map((s) => s.slo.service)).toEqual(['a']);
    expect(Object.isFrozen(result.config.daemon.sources.redis)).toBe(true);
    const safe = redact(JSON.stringify(result.config));
    expect(safe).not.toContain('hunter2');
    expect(safe).not.toContain('a-very-long-reload-token');
    expect(safe).toContain('redis://:***@127.0.0.1:6379');
    // The original is untouched.
    expect(result.config.daemon.reloadToken).toBe('a-very-long-reload-token');
  });

  it('reports daemon and SLO issues together', async () => {
    await write('bad.yaml', 'apiVersion: vigil/v1\nkind: ServiceLevels\nservice: b\nobjectives: []\n');
    const result = await loadConfig({
      configPath: await write('vigil.yaml', 'logLevel: loud\n'),
      sloPaths: ['bad.yaml'],
      cwd: dir,
      env: {},
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatIssue)).toEqual([
      'bad.yaml:4:13 objectives: expected at least 1 item',
      'vigil.yaml:1:11 logLevel: expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "loud"',
    ]);
  });
});
