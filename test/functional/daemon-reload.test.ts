// `vigil run` as a real process: an invalid config at start exits 2; reload by file change,
// SIGHUP and POST /-/reload; a broken SLO file is rejected with its errors and the old config is
// still served; a good one adds the new objectives; SIGTERM stops within 2 s with the store
// written. The probe objectives target a small HTTP server started here.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, STATUS_CODES } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../harness/services.js';
import { rawHttp } from '../support/raw-http.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const TOKEN = 'reload-token-for-the-test-0123456789';
// Built under node_modules so the child resolves fastify, pino, ... from the project.
const BUILD = join(ROOT, 'node_modules/.cache', `vigil-daemon-test-${process.pid}`);
const MAIN = join(BUILD, 'src/cli/main.js');

let dir: string;
let target: Server;
let targetPort: number;
let port: number;
const children = new Set<ChildProcess>();

function slo(objectives: string[]): string {
  return [
    'apiVersion: vigil/v1',
    'kind: ServiceLevels',
    'service: reload-svc',
    'objectives:',
    ...objectives.map((name) => `  - { name: ${name}, indicator: { probe: { path: /${name} } }, target: 99% }`),
    '',
  ].join('\n');
}

function writeConfig(): void {
  writeFileSync(
    join(dir, 'vigil.yaml'),
    [
      `listen: { host: 127.0.0.1, port: ${port} }`,
      'slo: [slo]',
      'dataDir: data',
      'evaluateEvery: 500ms',
      `reloadToken: ${TOKEN}`,
      'sources:',
      `  probe: { default: { baseUrl: 'http://127.0.0.1:${targetPort}', schedule: '* * * * * *', timeout: 1s } }`,
      '',
    ].join('\n'),
  );
}

interface Started {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function startVigil(args: string[]): Started {
  const child = spawn(process.execPath, [MAIN, 'run', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

async function objectiveNames(): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${port}/api/sla/reload-svc/current`);
  if (res.status !== 200) return [];
  const body = (await res.json()) as { objectives: Array<{ name: string }> };
  return body.objectives.map((o) => o.name);
}

beforeAll(async () => {
  await run(
    join(ROOT, 'node_modules/.bin/tsc'),
    [
      '--ignoreConfig',
      '--outDir',
      BUILD,
      '--rootDir',
      ROOT,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--resolveJsonModule',
      '--types',
      'node',
      join(ROOT, 'src/cli/main.ts'),
    ],
    { cwd: ROOT, timeout: 180_000 },
  );
  writeFileSync(join(BUILD, 'package.json'), '{"type":"module","version":"0.0.0-test"}\n');
  dir = mkdtempSync(join(tmpdir(), 'vigil-reload-'));
  mkdirSync(join(dir, 'slo'));
  targetPort = await freePort();
  target = createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((r) => target.listen(targetPort, '127.0.0.1', r));
  port = await freePort();
  writeConfig();
}, 240_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await new Promise((r) => target?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
  rmSync(BUILD, { recursive: true, force: true });
});

describe('vigil run', () => {
  it('exits 2 on an invalid config at start, naming file, line and column', async () => {
    writeFileSync(join(dir, 'slo', 'svc.yaml'), slo(['alpha']).replace('target: 99%', 'target: lots'));
    const vigil = startVigil(['--config', 'vigil.yaml']);
    expect(await vigil.exited).toBe(2);
    expect(vigil.err()).toMatch(/svc\.yaml:5:\d+ objectives\[0\]\.target: /);
  });

  it('reloads on file change, SIGHUP and POST /-/reload; keeps the old config when the new one is broken; stops within 2 s', async () => {
    writeFileSync(join(dir, 'slo', 'svc.yaml'), slo(['alpha']));
    const vigil = startVigil(['--config', 'vigil.yaml']);
    await waitFor(async () => (await objectiveNames()).join(',') === 'alpha', {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'vigil serving alpha',
    });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);

    // A broken SLO file: the watcher's reload is rejected, the errors are logged, alpha is still served.
    writeFileSync(join(dir, 'slo', 'svc.yaml'), slo(['alpha', 'beta']).replace('kind: ServiceLevels', 'kind: ServiceLevelz'));
    await waitFor(() => vigil.out().includes('reload rejected'), {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'the rejected reload in the log',
    });
    const rejected = vigil
      .out()
      .split('\n')
      .find((l) => l.includes('reload rejected'))!;
    expect(JSON.parse(rejected).issues.join('\n')).toMatch(/svc\.yaml:2:\d+ kind: /);
    expect(await objectiveNames()).toEqual(['alpha']);

    // The same broken file through the API: 422 with the issues, old config kept.
    const viaApi = await fetch(`http://127.0.0.1:${port}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(viaApi.status).toBe(422);
    const problem = (await viaApi.json()) as { code: string; issues: Array<{ line: number; path: string }> };
    expect(problem.code).toBe('VIGIL_ERR_CONFIG_INVALID');
    expect(problem.issues[0]).toMatchObject({ line: 2, path: 'kind' });
    expect(await objectiveNames()).toEqual(['alpha']);
    const forbidden = await fetch(`http://127.0.0.1:${port}/-/reload`, { method: 'POST', headers: { authorization: 'Bearer wrong' } });
    expect(forbidden.status).toBe(403);

    // A good file: the watcher reloads it and beta appears.
    writeFileSync(join(dir, 'slo', 'svc.yaml'), slo(['alpha', 'beta']));
    await waitFor(async () => (await objectiveNames()).join(',') === 'alpha,beta', {
      timeoutMs: 10_000,
      intervalMs: 200,
      what: 'beta after the file change',
    });

    // SIGHUP picks up a third objective.
    writeConfig();
    writeFileSync(join(dir, 'slo', 'svc.yaml'), slo(['alpha', 'beta', 'gamma']));
    vigil.child.kill('SIGHUP');
    await waitFor(async () => (await objectiveNames()).includes('gamma'), {
      timeoutMs: 10_000,
      intervalMs: 200,
      what: 'gamma after SIGHUP',
    });

    // POST /-/reload with a good config: 200 and the services.
    const ok = await fetch(`http://127.0.0.1:${port}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ reloaded: true, services: ['reload-svc'] });

    // The probes ran: alpha is ok with data.
    await waitFor(
      async () => {
        const body = (await (await fetch(`http://127.0.0.1:${port}/api/sla/reload-svc/current`)).json()) as {
          objectives: Array<{ name: string; status: string }>;
        };
        return body.objectives.find((o) => o.name === 'alpha')?.status === 'ok';
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'alpha ok' },
    );
    // No secret in the logs.
    expect(vigil.out()).not.toContain(TOKEN);

    // Requests the router or Node's HTTP parser refuse get the API's error shape, short, from the real process too.
    const hostile: Array<[request: string, status: number, code: string]> = [
      [`GET /api/sla/${'a'.repeat(10_000)}/current HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 414, 'VIGIL_ERR_URL_TOO_LONG'],
      [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\nConnection: close\r\n\r\n`, 431, 'VIGIL_ERR_HEADERS_TOO_LARGE'],
      ['GET /api/sla/%zz/current HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, 'VIGIL_ERR_BAD_URL'],
    ];
    for (const [request, status, code] of hostile) {
      const answer = await rawHttp(port, request);
      expect(answer.status).toBe(status);
      expect(answer.body.length).toBeLessThan(400);
      expect(JSON.parse(answer.body)).toEqual({ error: STATUS_CODES[status], code, message: expect.any(String) });
    }

    const started = Date.now();
    vigil.child.kill('SIGTERM');
    expect(await vigil.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(existsSync(join(dir, 'data', 'store.v1.bin'))).toBe(true);
    expect(vigil.out()).toContain('store written');
  });

  it("serves burn rates over a team's window set from windowSets, and reloads when a set file changes", async () => {
    const own = mkdtempSync(join(tmpdir(), 'vigil-windows-'));
    try {
      mkdirSync(join(own, 'slo'));
      mkdirSync(join(own, 'windows'));
      const ownPort = await freePort();
      const windowSet = (long: string, short: string) =>
        `name: team\nreferencePeriod: 30d\nalerts:\n  - { severity: page, longWindow: ${long}, shortWindow: ${short}, budgetConsumed: 2% }\n`;
      writeFileSync(join(own, 'windows', 'team.yaml'), windowSet('1h', '5m'));
      writeFileSync(
        join(own, 'vigil.yaml'),
        [
          `listen: { host: 127.0.0.1, port: ${ownPort} }`,
          'slo: [slo]',
          'windowSets: [windows]',
          'evaluateEvery: 500ms',
          'sources:',
          `  probe: { default: { baseUrl: 'http://127.0.0.1:${targetPort}', schedule: '* * * * * *', timeout: 1s } }`,
          '',
        ].join('\n'),
      );
      writeFileSync(
        join(own, 'slo', 'svc.yaml'),
        'apiVersion: vigil/v1\nkind: ServiceLevels\nservice: win\nobjectives:\n  - { name: up, indicator: { probe: { path: /up } }, target: 99%, alert: { burnRateWindows: team } }\n',
      );
      const child = spawn(process.execPath, [MAIN, 'run', '--config', 'vigil.yaml'], { cwd: own, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const windows = async (): Promise<string> => {
        const res = await fetch(`http://127.0.0.1:${ownPort}/api/sla/win/current`).catch(() => null);
        if (res?.status !== 200) return '';
        const body = (await res.json()) as { objectives: Array<{ burn_rates: Array<{ window: string }> }> };
        return body.objectives[0]!.burn_rates.map((b) => b.window).join(',');
      };
      await waitFor(async () => (await windows()) === '5m,1h', { timeoutMs: 30_000, intervalMs: 200, what: 'burn rates over 5m and 1h' });
      writeFileSync(join(own, 'windows', 'team.yaml'), windowSet('2h', '10m'));
      await waitFor(async () => (await windows()) === '10m,2h', {
        timeoutMs: 10_000,
        intervalMs: 200,
        what: 'burn rates over 10m and 2h after the set changed',
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('starts and answers with every source unreachable, reporting them down without their secrets', async () => {
    const closed = await freePort(); // nothing listens there
    const own = mkdtempSync(join(tmpdir(), 'vigil-unreachable-'));
    try {
      mkdirSync(join(own, 'slo'));
      const ownPort = await freePort();
      writeFileSync(
        join(own, 'vigil.yaml'),
        [
          `listen: { host: 127.0.0.1, port: ${ownPort} }`,
          'slo: [slo]',
          'evaluateEvery: 500ms',
          'sources:',
          `  prometheus: { default: { url: 'http://127.0.0.1:${closed}', schedule: '* * * * * *', timeout: 1s } }`,
          `  docker: { default: { socketPath: '${join(own, 'no-docker.sock')}', schedule: '* * * * * *', timeout: 1s } }`,
          `  redis: { cache: { url: 'redis://:s3cret-redis-pw@127.0.0.1:${closed}/0', schedule: '* * * * * *', timeout: 1s } }`,
          `  postgres: { default: { connectionString: 'postgres://vigil:s3cret-pg-pw@127.0.0.1:${closed}/ml', schedule: '* * * * * *', timeout: 1s } }`,
          '',
        ].join('\n'),
      );
      writeFileSync(
        join(own, 'slo', 'svc.yaml'),
        [
          'apiVersion: vigil/v1',
          'kind: ServiceLevels',
          'service: dark',
          'objectives:',
          "  - { name: p95, indicator: { latency: { histogram: 'h_seconds' } }, threshold: { max: 50ms } }",
          "  - { name: cpu, indicator: { containerCpu: { containers: 'ml*' } }, threshold: { max: 60% } }",
          '  - { name: cache, indicator: { redisHitRatio: { source: cache } }, threshold: { min: 80% } }',
          "  - { name: db, indicator: { postgresQueryLatency: { match: '%ml%' } }, threshold: { max: 10ms } }",
          '',
        ].join('\n'),
      );
      const child = spawn(process.execPath, [MAIN, 'run', '--config', 'vigil.yaml'], { cwd: own, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise((r) => child.once('exit', r));
      type Body = {
        status: string;
        objectives: Array<{ status: string }>;
        sources: Array<{ kind: string; up: boolean; last_error: string | null }>;
      };
      const body = await waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${ownPort}/api/sla/dark/current`);
          if (res.status !== 200) return false;
          const text = await res.text();
          expect(text).not.toMatch(/s3cret/);
          const b = JSON.parse(text) as Body;
          return b.sources.length === 4 && b.sources.every((src) => !src.up && src.last_error) ? b : false;
        },
        { timeoutMs: 20_000, intervalMs: 250, what: 'every source reported down' },
      );
      expect(body.status).toBe('no_data');
      expect(body.objectives.map((o) => o.status)).toEqual(['no_data', 'no_data', 'no_data', 'no_data']);
      expect((await fetch(`http://127.0.0.1:${ownPort}/readyz`)).status).toBe(200);
      expect(out).not.toMatch(/s3cret/);
      child.kill('SIGTERM');
      await exited;
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});
