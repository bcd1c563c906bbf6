// The real Dockerfile, built and run on the harness's Docker Engine. The base image is made by the
// harness (Debian bookworm + this machine's Node, see test/harness/node-base-image.ts) because no
// registry is reachable; the build reaches the npm registry through the host's network. The
// container runs as the non-root user, turns `healthy`, samples a container through the mounted
// Docker socket (refused without --group-add, with an error that says so), keeps its store on a
// volume across a restart, and stops cleanly on SIGTERM.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNodeBaseImage } from '../harness/node-base-image.js';
import { GiveUp } from '../harness/process-utils.js';
import { freePort, type RunningContainer, runContainer, testServices, waitFor } from '../harness/services.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const TAG = `vigil-test/vigil:${process.pid}`;
const PREFIX = `vci-${process.pid}`;
const VOLUME = `${PREFIX}-data`;

let configDir: string;
let target: RunningContainer;
const started: string[] = [];

/** The docker CLI against the harness's engine. */
async function docker(args: string[], timeoutMs = 60_000): Promise<string> {
  const { docker: engine } = testServices();
  try {
    const { stdout } = await run(engine.dockerBin, ['-H', `unix://${engine.socketPath}`, ...args], {
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    });
    return stdout.trim();
  } catch (err) {
    const e = err as { message: string; stdout?: string; stderr?: string };
    throw new Error(`docker ${args.slice(0, 2).join(' ')} failed: ${e.message}\n${(e.stdout ?? '').slice(-3000)}\n${e.stderr ?? ''}`);
  }
}

async function logs(name: string): Promise<string> {
  const { docker: engine } = testServices();
  const { stdout, stderr } = await run(engine.dockerBin, ['-H', `unix://${engine.socketPath}`, 'logs', name], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout + stderr;
}

async function inspect<T>(name: string, format: string): Promise<T> {
  return JSON.parse(await docker(['inspect', '--format', `{{json ${format}}}`, name])) as T;
}

interface DaemonRun {
  name: string;
  port: number;
}

/** Starts the image as a user would: socket, config and a named volume mounted; host network. */
async function startVigil(suffix: string, extra: string[]): Promise<DaemonRun> {
  const { docker: engine } = testServices();
  const port = await freePort();
  const name = `${PREFIX}-${suffix}`;
  await docker([
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'host',
    // The Dockerfile's own HEALTHCHECK command, checked every 2 s instead of 30 s.
    '--health-interval',
    '2s',
    '-e',
    'VIGIL_LISTEN_HOST=127.0.0.1',
    '-e',
    `VIGIL_LISTEN_PORT=${port}`,
    '-v',
    `${engine.socketPath}:/var/run/docker.sock:ro`,
    '-v',
    `${configDir}:/etc/vigil:ro`,
    '-v',
    `${VOLUME}:/var/lib/vigil`,
    ...extra,
    TAG,
  ]);
  started.push(name);
  return { name, port };
}

type SourceView = { kind: string; up: boolean; last_error: string | null };
type ServiceView = { status: string; objectives: Array<{ status: string; value: { value: number } | null }>; sources: SourceView[] };

/** Throws (ending a wait at once) when the container is no longer running, with its log. */
async function assertRunning(name: string): Promise<void> {
  if (!(await inspect<boolean>(name, '.State.Running'))) throw new GiveUp(`${name} exited:\n${await logs(name)}`);
}

async function current(port: number): Promise<ServiceView | false> {
  const res = await fetch(`http://127.0.0.1:${port}/api/sla/fleet/current`);
  return res.status === 200 ? ((await res.json()) as ServiceView) : false;
}

beforeAll(async () => {
  const { docker: engine } = testServices();
  const t0 = Date.now();
  const base = await ensureNodeBaseImage(engine, join(ROOT, 'Dockerfile'));
  const t1 = Date.now();
  await docker(['build', '--network', 'host', '-t', TAG, ROOT], 900_000);
  const t2 = Date.now();
  // What the image test costs, for the CI budget (docs/deployment.md quotes these lines).
  process.stderr.write(
    `[container-image] base image ${base.image} ${base.cached ? 'imported from cache' : 'made'} in ${t1 - t0} ms; docker build in ${t2 - t1} ms\n`,
  );

  configDir = mkdtempSync(join(tmpdir(), 'vigil-image-'));
  // The image's user is not root: the mounted config must be readable by anyone.
  chmodSync(configDir, 0o755);
  mkdirSync(join(configDir, 'slo'));
  writeFileSync(
    join(configDir, 'vigil.yaml'),
    [
      'slo: [slo]',
      'sources:',
      "  docker: { default: { socketPath: /var/run/docker.sock, schedule: '*/2 * * * * *', timeout: 5s } }",
      'store: { persistInterval: 1h }',
      'evaluateEvery: 1s',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(configDir, 'slo', 'fleet.yaml'),
    [
      'apiVersion: vigil/v1',
      'kind: ServiceLevels',
      'service: fleet',
      'objectives:',
      `  - { name: memory, indicator: { containerMemory: { containers: '${PREFIX}-target' } }, threshold: { max: 64MiB } }`,
      '',
    ].join('\n'),
  );
  target = await runContainer(engine, { name: `${PREFIX}-target`, cmd: ['sleep', '3600'] });
}, 1_200_000);

afterAll(async () => {
  for (const name of started) await docker(['rm', '-f', '-v', name]).catch(() => undefined);
  await target?.remove();
  await docker(['volume', 'rm', '-f', VOLUME]).catch(() => undefined);
  await docker(['rmi', '-f', TAG]).catch(() => undefined);
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe('the vigil image', () => {
  it('without the socket group, says to use --group-add', async () => {
    const vigil = await startVigil('nogroup', []);
    const view = await waitFor(
      async () => {
        await assertRunning(vigil.name);
        const v = await current(vigil.port);
        const src = v ? v.sources.find((s) => s.kind === 'docker') : undefined;
        return src && !src.up && src.last_error ? src : false;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the docker source to report the refused socket' },
    );
    const gid = statSync(testServices().docker.socketPath).gid;
    expect(view.last_error).toContain('permission denied on the Docker socket /var/run/docker.sock');
    expect(view.last_error).toContain(`--group-add ${gid}`);
    await docker(['rm', '-f', vigil.name]);
  });

  it('runs as non-root, turns healthy, samples through the socket, keeps its store on a volume, stops on SIGTERM', async () => {
    const gid = statSync(testServices().docker.socketPath).gid;
    const vigil = await startVigil('main', ['--group-add', String(gid)]);

    expect(await inspect<string>(vigil.name, '.Config.User')).toBe('vigil');
    expect(await docker(['exec', vigil.name, 'id', '-u'])).not.toBe('0');
    expect(await docker(['exec', vigil.name, 'id', '-un'])).toBe('vigil');

    await waitFor(async () => (await assertRunning(vigil.name), await inspect<string>(vigil.name, '.State.Health.Status')) === 'healthy', {
      timeoutMs: 90_000,
      intervalMs: 1_000,
      what: 'the HEALTHCHECK to report healthy',
    });

    const sampled = await waitFor(
      async () => {
        const v = await current(vigil.port);
        return v && v.objectives[0]?.status === 'ok' && v.objectives[0].value ? v : false;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the memory of the target container, sampled through the socket' },
    );
    expect(sampled.sources.find((s) => s.kind === 'docker')).toMatchObject({ up: true, last_error: null });
    expect(sampled.objectives[0]!.value!.value).toBeGreaterThan(0);

    // SIGTERM (docker stop's signal): the store is written and the process exits 0, well before
    // the engine's 10 s grace would end in SIGKILL (exit 137).
    await docker(['stop', '--time', '10', vigil.name], 30_000);
    expect(await inspect<number>(vigil.name, '.State.ExitCode')).toBe(0);
    const firstLogs = await logs(vigil.name);
    expect(firstLogs).toContain('vigil stopped');
    const written = /"series":(\d+),"points":(\d+)[^\n]*"msg":"store written"/.exec(firstLogs);
    expect(written, firstLogs).not.toBeNull();
    const writtenPoints = Number(written![2]);
    expect(writtenPoints).toBeGreaterThan(0);

    // Started again on the same volume: the history is loaded back.
    await docker(['start', vigil.name]);
    const loaded = await waitFor(
      async () => /store: loaded (\d+) series, (\d+) points from \/var\/lib\/vigil\//.exec(await logs(vigil.name)),
      { timeoutMs: 60_000, intervalMs: 500, what: 'the restarted daemon to load its store from the volume' },
    );
    expect(Number(loaded[2])).toBe(writtenPoints);
    await waitFor(async () => (await current(vigil.port)) !== false, { timeoutMs: 60_000, what: 'the API after the restart' });
    await docker(['stop', '--time', '10', vigil.name], 30_000);
    expect(await inspect<number>(vigil.name, '.State.ExitCode')).toBe(0);
  });
});
