// The planted-secret test: one password in every URL-bearing key of the daemon config
// (Prometheus, scrape, probe base URL, Redis, PostgreSQL, Docker host, Alertmanager), the daemon
// run against the harness's real services, and the password searched for everywhere it could
// leak: every log line, every API route, /metrics, the store file, config error texts (the
// loader's, a rejected reload's, the CLI's) and `vigil check --json`.
//
// The credentials must also work, not only stay hidden: the HTTP endpoints and the Docker Engine
// sit behind an auth gate started here that refuses any request without the right Basic header,
// Redis has an ACL user with that password, and every source must come up.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssue, loadConfig } from '../../src/config/load-config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/daemon/logger.js';
import { ROUTES } from '../../src/server/routes.js';
import { freePort, type RunningContainer, runContainer, testServices, waitFor } from '../harness/services.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

const SECRET = `Pl4nted-${process.pid}-s3cretPW`;
const USER = 'vigil';
const REDIS_USER = `vigil-secret-${process.pid}`;
const SERVICE = 'secret-test';
const RELOAD_TOKEN = `reload-token-${process.pid}-0123456789`;
const basic = (user: string) => Buffer.from(`${user}:${SECRET}`).toString('base64');
/** Every spelling of the password that must not appear: as typed, percent-encoded, inside a Basic header. */
const FORMS = [SECRET, encodeURIComponent(SECRET), basic(USER), basic(REDIS_USER), basic('postgres')];

function expectNoSecret(where: string, text: string): void {
  for (const form of FORMS) {
    if (text.includes(form)) {
      const at = text.indexOf(form);
      throw new Error(
        `${where} holds the planted password (${form === SECRET ? 'as typed' : 'encoded'}): …${text.slice(Math.max(0, at - 120), at + 60)}…`,
      );
    }
  }
}

/**
 * An HTTP reverse proxy that answers 401 unless the request carries `Authorization: Basic
 * vigil:<SECRET>` or `Bearer <SECRET>`: the proof that credentials reach the server as a header.
 */
class AuthGate {
  readonly server: Server;
  port = 0;
  authorized = 0;
  refused = 0;

  constructor(private readonly upstream: { host: string; port: number } | { socketPath: string }) {
    this.server = createServer((req, res) => {
      if (req.headers.authorization !== `Basic ${basic(USER)}` && req.headers.authorization !== `Bearer ${SECRET}`) {
        this.refused++;
        res.writeHead(401, { 'www-authenticate': 'Basic realm="gate"' }).end('unauthorized');
        return;
      }
      this.authorized++;
      const headers = { ...req.headers };
      delete headers.authorization;
      const forward = request({ ...this.upstream, method: req.method, path: req.url, headers }, (up: IncomingMessage) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
  }

  async listen(): Promise<this> {
    this.port = await freePort();
    await new Promise<void>((r) => this.server.listen(this.port, '127.0.0.1', r));
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

type Current = {
  objectives: Array<{ name: string; status: string }>;
  sources: Array<{ kind: string; name: string; up: boolean; last_error: string | null }>;
};

describe('a password planted in every URL-bearing key appears nowhere', () => {
  let dir: string;
  let daemon: Daemon;
  let redis: Redis;
  const logLines: string[] = [];
  const gates: AuthGate[] = [];
  let promGate: AuthGate;
  let dockerGate: AuthGate;
  let amGate: AuthGate;
  let deadPort: number;
  let container: RunningContainer | undefined;
  let alertmanagerUrl: string;

  function configText(redisUrl: string, postgresUrl: string): string {
    const at = (port: number) => `http://${USER}:${SECRET}@127.0.0.1:${port}`;
    return [
      'listen: { host: 127.0.0.1, port: 0 }',
      'slo: [slo]',
      'dataDir: data',
      'evaluateEvery: 1s',
      'logLevel: debug',
      'reloadToken: ${RELOAD_TOKEN}',
      'store: { persistInterval: 1s }',
      // The second Alertmanager is down: its delivery is retried (and logged) again and again.
      `alertmanager: { urls: ['${at(amGate.port)}', '${at(deadPort)}'], resendInterval: 2s, timeout: 1s }`,
      'sources:',
      `  prometheus: { prom: { url: '${at(promGate.port)}', schedule: '* * * * * *', timeout: 2s } }`,
      '  scrape:',
      `    scr: { url: '${at(promGate.port)}/metrics', schedule: '* * * * * *', timeout: 2s }`,
      // The other way to give credentials: an auth key whose value comes from the environment.
      `    screnv: { url: 'http://127.0.0.1:${promGate.port}/metrics', auth: { bearer: '\${SECRET_TOKEN}' }, schedule: '* * * * * *', timeout: 2s }`,
      `  probe: { web: { baseUrl: '${at(promGate.port)}', schedule: '* * * * * *', timeout: 2s } }`,
      `  redis: { cache: { url: '${redisUrl}', schedule: '* * * * * *', timeout: 2s } }`,
      `  postgres: { db: { connectionString: '${postgresUrl}', schedule: '* * * * * *', timeout: 2s } }`,
      `  docker: { engine: { host: '${USER}:${SECRET}@127.0.0.1', port: ${dockerGate.port}, schedule: '*/2 * * * * *', timeout: 3s } }`,
      '',
    ].join('\n');
  }

  async function current(): Promise<Current> {
    const res = await fetch(`${daemon.url}/api/sla/${SERVICE}/current`);
    return (await res.json()) as Current;
  }

  beforeAll(async () => {
    const { prometheus, redis: redisAddr, postgres, docker, alertmanager } = testServices();
    alertmanagerUrl = alertmanager.url;
    const prom = new URL(prometheus.url);
    promGate = await new AuthGate({ host: prom.hostname, port: Number(prom.port) }).listen();
    dockerGate = await new AuthGate({ socketPath: docker.socketPath }).listen();
    const am = new URL(alertmanager.url);
    amGate = await new AuthGate({ host: am.hostname, port: Number(am.port) }).listen();
    gates.push(promGate, dockerGate, amGate);
    deadPort = await freePort();
    container = await runContainer(docker, {
      name: `vigil-secret-${process.pid}`,
      cmd: ['sh', '-c', 'sleep 3600'],
      memoryBytes: 64 * 2 ** 20,
    });

    // Redis: a user of its own with the planted password (the shared server's default user stays as it is).
    redis = new Redis(redisAddr.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    await redis.call('ACL', 'SETUSER', REDIS_USER, 'on', `>${SECRET}`, '~*', '&*', '+@all');
    const redisUrl = `redis://${REDIS_USER}:${SECRET}@127.0.0.1:${redisAddr.port}`;
    const pgUrl = new URL(postgres.connectionString);
    pgUrl.password = SECRET;

    dir = mkdtempSync(join(tmpdir(), 'vigil-secret-'));
    writeFileSync(join(dir, 'vigil.yaml'), configText(redisUrl, pgUrl.toString()));
    mkdirSync(join(dir, 'slo'));
    const slo = {
      apiVersion: 'vigil/v1',
      kind: 'ServiceLevels',
      service: SERVICE,
      objectives: [
        { name: 'prom-answers', indicator: { promql: { source: 'prom', query: 'vector(1)' } }, threshold: { max: 2 } },
        ...['scr', 'screnv'].map((source) => ({
          name: `scraped-latency-${source}`,
          indicator: { latency: { source, histogram: 'prometheus_http_request_duration_seconds{handler="/metrics"}' } },
          threshold: { max: '10s' },
        })),
        { name: 'healthy', indicator: { probe: { source: 'web', path: '/-/healthy' } }, target: '99%', window: '1m' },
        // Always 404: a breach, so alerts go to both Alertmanagers (one of them down). 99.99 %: the
        // 1h/5m page pair fires after 14.4 × 0.01 % × 1 h ≈ 5 s of bad time (a fresh daemon counts
        // the time before its history as good, docs/api.md), well inside the test's wait.
        {
          name: 'missing-page',
          indicator: { probe: { source: 'web', path: '/no-such-page' } },
          target: '99.99%',
          window: '1m',
          alert: { for: '0s' },
        },
        { name: 'cache', indicator: { redisHitRatio: { source: 'cache' } }, threshold: { min: '1%' } },
        {
          name: 'queries',
          indicator: { postgresQueryLatency: { source: 'db', match: '%vigil-secret-none%', statistic: 'mean' } },
          threshold: { max: '10s' },
        },
        {
          name: 'memory',
          indicator: { containerMemory: { source: 'engine', containers: `vigil-secret-${process.pid}` } },
          threshold: { max: '1GB' },
        },
      ],
    };
    writeFileSync(join(dir, 'slo', 'secret.yaml'), JSON.stringify(slo, null, 2));

    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    daemon = await Daemon.start({
      configPath: join(dir, 'vigil.yaml'),
      env: { RELOAD_TOKEN, SECRET_TOKEN: SECRET },
      logger: createLogger('debug', sink),
      watch: false,
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    await container?.remove().catch(() => undefined);
    await redis?.call('ACL', 'DELUSER', REDIS_USER).catch(() => undefined);
    redis?.disconnect();
    await Promise.all(gates.map((g) => g.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every source works with the credentials it was given', async () => {
    const body = await waitFor(
      async () => {
        const b = await current();
        return b.sources.length === 7 && b.sources.every((s) => s.up) ? b : false;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: 'every source up' },
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify((await current()).sources)}`);
    });
    expect(body.sources.map((s) => `${s.kind}/${s.name}`).sort()).toEqual([
      'docker/engine',
      'postgres/db',
      'probe/web',
      'prometheus/prom',
      'redis/cache',
      'scrape/scr',
      'scrape/screnv',
    ]);
    // The probe through the gate succeeds: its credentials were sent as a header.
    await waitFor(async () => (await current()).objectives.find((o) => o.name === 'healthy')?.status === 'ok', {
      timeoutMs: 30_000,
      intervalMs: 1_000,
      what: 'the probe through the gate is ok',
    }).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify((await current()).objectives)}`);
    });
    expect(promGate.authorized).toBeGreaterThan(0);
    expect(dockerGate.authorized).toBeGreaterThan(0);
    // Only requests with the credentials get through, so a refusal would mean one was sent without them.
    expect(promGate.refused + dockerGate.refused).toBe(0);
  });

  it('alerts reach the Alertmanager behind the gate; the one that is down is retried', async () => {
    await waitFor(
      async () => {
        const alerts = (await (await fetch(`${alertmanagerUrl}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string> }>;
        return alerts.some((a) => a.labels.service === SERVICE && a.labels.objective === 'missing-page');
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: 'the breach alert in Alertmanager' },
    );
    expect(amGate.authorized).toBeGreaterThan(0);
    expect(amGate.refused).toBe(0);
    await waitFor(async () => logLines.filter((l) => l.includes('alert delivery failed')).length >= 2, {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'two delivery retries to the Alertmanager that is down',
    });
  });

  it('no API route and no /metrics answer holds the password', async () => {
    for (const route of ROUTES) {
      const path = route.url.replace(':service', SERVICE);
      const headers = route.secured ? { authorization: `Bearer ${RELOAD_TOKEN}` } : undefined;
      const res = await fetch(`${daemon.url}${path}`, { method: route.method, ...(headers ? { headers } : {}) });
      expectNoSecret(`${route.method} ${path}`, await res.text());
    }
    for (const path of ['/metrics', '/openapi.json', `/api/sla/${SERVICE}/current`, '/api/sla/unknown/current', '/no-such-route']) {
      const res = await fetch(`${daemon.url}${path}`);
      expectNoSecret(`GET ${path}`, await res.text());
    }
    // The probe's series is labelled by the URL without its credentials.
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(metrics).toContain(`url="http://127.0.0.1:${promGate.port}/-/healthy"`);
  });

  it('a rejected reload answers with positioned issues that do not quote the password', async () => {
    const path = join(dir, 'vigil.yaml');
    const good = readFileSync(path, 'utf8');
    // Passwords typed where a URL belongs: each key's error must not echo the value.
    const bad = good
      .replace(/redis: \{ cache: \{ url: '[^']*'/, `redis: { cache: { url: '${SECRET}'`)
      .replace(/urls: \['[^']*'/, `urls: ['${SECRET}'`);
    writeFileSync(path, bad);
    try {
      const res = await fetch(`${daemon.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${RELOAD_TOKEN}` } });
      expect(res.status).toBe(422);
      const text = await res.text();
      expect(
        JSON.parse(text)
          .issues.map((i: { path: string }) => i.path)
          .sort(),
      ).toEqual(['alertmanager.urls[0]', 'sources.redis.cache.url']);
      expectNoSecret('the 422 of a rejected reload', text);
    } finally {
      writeFileSync(path, good);
    }
  });

  it('config errors for a password in any URL-bearing key never quote it (loader and CLI)', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      [
        'slo: [slo]',
        `alertmanager: { urls: ['${SECRET}'] }`,
        'sources:',
        `  prometheus: { p: { url: '${SECRET}' } }`,
        `  scrape: { s: { url: 'ftp//x:${SECRET}' } }`,
        `  probe: { w: { baseUrl: '${SECRET}' } }`,
        `  redis: { r: { url: '${SECRET}' } }`,
        `  postgres: { d: { connectionString: 'host=db password=${SECRET}' } }`,
        `  docker: { e: { host: '${USER}:${SECRET}@h', socketPath: /x } }`,
        '',
      ].join('\n'),
    );
    const loaded = await loadConfig({ configPath: bad, env: {} });
    expect(loaded.ok).toBe(false);
    const issues = loaded.ok ? [] : loaded.issues;
    expect(issues.map((i) => i.path).sort()).toEqual([
      'alertmanager.urls[0]',
      'sources.docker.e',
      'sources.postgres.d.connectionString',
      'sources.probe.w.baseUrl',
      'sources.prometheus.p.url',
      'sources.redis.r.url',
      'sources.scrape.s.url',
    ]);
    expectNoSecret('config issues', issues.map(formatIssue).join('\n'));

    // The CLI prints the same; built from this tree (a missing main.js fails loudly).
    await run('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, timeout: 170_000 }).catch(() => undefined);
    expect(existsSync(join(root, 'dist/cli/main.js'))).toBe(true);
    const cli = await run(process.execPath, [join(root, 'dist/cli/main.js'), 'validate', '--config', bad], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
    }).catch((err: { code?: number; stdout?: string; stderr?: string }) => ({
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
      code: err.code,
    }));
    expect(cli.stdout).toContain('invalid: 7 issues');
    expectNoSecret('vigil validate', `${cli.stdout}${cli.stderr}`);
    // `vigil check --json` samples every source with the planted credentials.
    const checked = await run(
      process.execPath,
      [join(root, 'dist/cli/main.js'), 'check', '--config', 'vigil.yaml', '--json', '--gap', '1s'],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', RELOAD_TOKEN, SECRET_TOKEN: SECRET },
        timeout: 60_000,
      },
    ).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
    expect(checked.stdout).toContain(`"service": "${SERVICE}"`);
    expectNoSecret('vigil check --json', `${checked.stdout}${checked.stderr}`);
  });

  it('the store file and every log line are free of it, after a stop that writes the store', async () => {
    await daemon.stop();
    const files = readdirSync(join(dir, 'data'));
    expect(files).toContain('store.v1.bin');
    for (const file of files) expectNoSecret(`data/${file}`, readFileSync(join(dir, 'data', file), 'latin1'));
    expect(logLines.length).toBeGreaterThan(10);
    expectNoSecret('the log', logLines.join(''));
    // The retries of the Alertmanager that is down name it, without the credentials.
    expect(logLines.join('')).toContain(`"url":"http://127.0.0.1:${deadPort}"`);
  });
});
