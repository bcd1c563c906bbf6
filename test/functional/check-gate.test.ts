// `vigil check` as a deploy gate against a real daemon (`vigil run` as a process): a target that
// failed a minute ago and answers again now passes a local check (it judges its own few-second
// sample, and its table says so) while `check --from` gates on the daemon's verdict over its window,
// with the same table and exit code 1. A probe that fails gets a NOTE saying how many probes failed.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../harness/services.js';
import { nonSnakeKeys } from '../support/snake-keys.js';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

let dir: string;
let target: Server;
let port: number;
let failing = true;
let daemon: ChildProcess | undefined;

function vigil(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number) : 0;
      resolve({ code: typeof code === 'number' ? code : -1, out: stdout + stderr });
    });
  });
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'vigil-gate-'));
  mkdirSync(join(dir, 'slo'));
  const targetPort = await freePort();
  // /flaky fails until the test says otherwise; /down always fails.
  target = createServer((req, res) => res.writeHead(req.url === '/down' || (req.url === '/flaky' && failing) ? 500 : 200).end());
  await new Promise<void>((r) => target.listen(targetPort, '127.0.0.1', r));
  port = await freePort();
  writeFileSync(
    join(dir, 'vigil.yaml'),
    [
      `listen: { host: 127.0.0.1, port: ${port} }`,
      'slo: [slo]',
      'dataDir: data',
      'evaluateEvery: 500ms',
      'sources:',
      `  probe: { default: { baseUrl: 'http://127.0.0.1:${targetPort}', schedule: '* * * * * *', timeout: 1s } }`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'slo', 'gate.yaml'),
    [
      'apiVersion: vigil/v1',
      'kind: ServiceLevels',
      'service: gate-svc',
      'objectives:',
      // 99.99 %: on a fresh daemon (time before its history counts as good) the 1h/5m page pair
      // fires after 14.4 × 0.01 % × 1 h ≈ 5 s of failures; at 99 % it would take ~9 min.
      '  - { name: flaky, indicator: { probe: { path: /flaky } }, target: 99.99%, window: 5m }',
      '',
    ].join('\n'),
  );
  daemon = spawn(process.execPath, [MAIN, 'run', '--config', 'vigil.yaml'], { cwd: dir, stdio: 'ignore' });
}, 60_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
  await new Promise((r) => target?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function flakyStatus(): Promise<string | null> {
  const res = await fetch(`http://127.0.0.1:${port}/api/sla/gate-svc/current`).catch(() => null);
  if (res?.status !== 200) return null;
  const body = (await res.json()) as { objectives: Array<{ name: string; status: string }> };
  return body.objectives.find((o) => o.name === 'flaky')?.status ?? null;
}

describe('vigil check --from a running daemon', () => {
  it('gates on the daemon verdict over its window, while a local check says what it judged', async () => {
    await waitFor(async () => (await flakyStatus()) === 'breach', {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: 'the daemon to see /flaky breach',
    });
    // Three seconds of failures, then the target recovers.
    await new Promise((r) => setTimeout(r, 3_000));
    failing = false;

    const local = await vigil(['check', '--config', 'vigil.yaml', '--gap', '2s']);
    expect(local.out).toMatch(/gate-svc\s+flaky\s+100%\s+>= 99\.99% over 2s sample\s+OK/);
    expect(local.out).toMatch(/observed: 1 of 1 objectives had data, judged over a 2s sample/);
    expect(local.code).toBe(0);

    const remote = await vigil(['check', '--from', `http://127.0.0.1:${port}`]);
    expect(remote.out).toMatch(
      /gate-svc\s+flaky\s+\S+%\s+>= 99\.99% of 30d\s+BREACH\s+\d+ of \d+ probes of http:\/\/127\.0\.0\.1:\d+\/flaky failed/,
    );
    expect(remote.out).toMatch(/judged over the daemon's windows and periods/);
    expect(remote.code).toBe(1);
    const json = await vigil(['check', '--from', `http://127.0.0.1:${port}`, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ exit_code: 1, services: [{ service: 'gate-svc' }] });
    expect(nonSnakeKeys(JSON.parse(json.out))).toEqual([]);
  });

  it('exits 2 naming the daemon when nothing answers there, and on an unknown service', async () => {
    const closed = await freePort();
    const down = await vigil(['check', '--from', `http://127.0.0.1:${closed}`]);
    expect(down.code).toBe(2);
    expect(down.out).toMatch(/cannot read the daemon at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    const unknown = await vigil(['check', '--from', `http://127.0.0.1:${port}`, '--service', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toMatch(/unknown service "nope".*known: gate-svc/);
  });
});
