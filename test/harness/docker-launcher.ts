// Throwaway Docker Engine: its own socket, data root and exec root in a harness folder, no
// iptables, no bridge (containers run with --network none). A tiny image is imported from the
// static busybox, because no image registry is reachable.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  GiveUp,
  ManagedProcess,
  makeTempDir,
  onFreePort,
  pidAlive,
  pidsMentioning,
  requireBinary,
  TEMP_PREFIX,
  unmountUnder,
  waitFor,
} from './process-utils.js';
import { Service, type ServiceControl } from './service-handle.js';

const run = promisify(execFile);

export const TEST_IMAGE = 'vigil-test/busybox:latest';
/** The Debian client matching dockerd 20.10 (/usr/local/bin/docker is newer and may warn). */
export const DOCKER_CLIENT = '/usr/bin/docker';

/** Applets linked into the test image; enough for CPU burners, memory growers and sleepers. */
const APPLETS = [
  'sh',
  'sleep',
  'head',
  'cat',
  'base64',
  'true',
  'false',
  'yes',
  'dd',
  'echo',
  'ls',
  'env',
  'tail',
  'seq',
  'wc',
  'kill',
  'ps',
  'top',
  'date',
  'printf',
  'test',
  'tr',
  'awk',
  'nc',
  'httpd',
  'wget',
  'mkdir',
  'rm',
  'cp',
  'ash',
];

export interface DockerAddress {
  socketPath: string;
  /** Set when started with tcp: true (plain HTTP on loopback). */
  tcpHost?: string;
  tcpPort?: number;
  image: string;
  dockerBin: string;
}

export interface DockerOptions {
  /** Also listen on 127.0.0.1:<free port> over plain HTTP (default false). */
  tcp?: boolean;
  tcpPort?: number;
}

export type DockerHandle = DockerAddress & ServiceControl;

/** One Engine API call over the unix socket; resolves with status and body text. */
export function dockerApi(socketPath: string, method: string, path: string, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`docker API ${method} ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

function buildRootfs(rootfs: string): void {
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  for (const d of ['tmp', 'proc', 'sys', 'dev', 'etc']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  for (const applet of APPLETS) symlinkSync('busybox', join(rootfs, 'bin', applet));
  writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\n');
}

export function startDocker(opts: DockerOptions = {}): Promise<DockerHandle> {
  if (!opts.tcp) return startDockerOn(undefined);
  return onFreePort(opts.tcpPort, (port) => startDockerOn(port));
}

async function startDockerOn(tcpPort: number | undefined): Promise<DockerHandle> {
  const dockerd = requireBinary('/usr/sbin/dockerd', 'dockerd', 'docker.io');
  const client = requireBinary(DOCKER_CLIENT, 'docker client', 'docker.io');
  requireBinary('/bin/busybox', 'busybox (static)', 'busybox-static');
  const dir = makeTempDir('dk');
  const socketPath = join(dir, 'docker.sock');
  const dataRoot = join(dir, 'data');
  // Short on purpose: containerd and shim sockets live below the exec root.
  const execRoot = join(dir, 'x');
  const configFile = join(dir, 'daemon.json');
  // An empty config file keeps the machine's /etc/docker/daemon.json out of the test engine.
  writeFileSync(configFile, '{}\n');
  const args = [
    '--host',
    `unix://${socketPath}`,
    '--data-root',
    dataRoot,
    '--exec-root',
    execRoot,
    '--pidfile',
    join(dir, 'dockerd.pid'),
    '--config-file',
    configFile,
    '--iptables=false',
    '--ip6tables=false',
    '--bridge=none',
    '--ip-masq=false',
    '--log-level=warn',
  ];
  if (tcpPort) args.push('--host', `tcp://127.0.0.1:${tcpPort}`);
  const proc = new ManagedProcess({
    command: dockerd,
    args,
    logFile: join(dir, 'dockerd.log'),
    pidFile: join(dir, 'server.pid'),
    cwd: dir,
  });

  const address: DockerAddress = {
    socketPath,
    image: TEST_IMAGE,
    dockerBin: client,
    ...(tcpPort ? { tcpHost: '127.0.0.1', tcpPort } : {}),
  };
  let imported = false;

  const service = new Service({
    name: 'docker',
    dir,
    process: proc,
    // dockerd stops running containers on shutdown (10 s each by default); ours are killed first.
    graceMs: 20_000,
    ready: async () => {
      await waitFor(
        async () => {
          if (!proc.running()) throw new GiveUp('dockerd exited during start-up');
          const res = await dockerApi(socketPath, 'GET', '/_ping', 2_000);
          return res.status === 200;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: `dockerd at ${socketPath}` },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n--- dockerd log ---\n${proc.logTail()}`);
      });
      if (tcpPort) {
        await waitFor(async () => (await fetch(`http://127.0.0.1:${tcpPort}/_ping`)).ok, {
          timeoutMs: 30_000,
          what: `dockerd on tcp 127.0.0.1:${tcpPort}`,
        });
      }
      if (!imported) {
        const rootfs = join(dir, 'rootfs');
        buildRootfs(rootfs);
        try {
          await run(
            '/bin/sh',
            ['-c', `tar -C '${rootfs}' -c . | '${client}' -H 'unix://${socketPath}' import --change 'CMD ["sh"]' - ${TEST_IMAGE}`],
            {
              timeout: 60_000,
            },
          );
        } catch (err) {
          const e = err as { message: string; stderr?: string };
          throw new Error(`importing ${TEST_IMAGE} failed: ${e.message}\n${e.stderr ?? ''}`);
        }
        imported = true;
      }
    },
    // dockerd stops running containers when it shuts down anyway; killing them first saves the
    // 10 s each busybox `sh` would spend ignoring SIGTERM. After restart() they show as exited.
    beforeHalt: async () => {
      const list = await dockerApi(socketPath, 'GET', '/containers/json');
      const running = JSON.parse(list.body) as Array<{ Id: string }>;
      await Promise.all(running.map((c) => dockerApi(socketPath, 'POST', `/containers/${c.Id}/kill`, 10_000).catch(() => undefined)));
    },
    beforeStop: async () => {
      // Remove every container first, so no shim outlives the engine.
      const list = await dockerApi(socketPath, 'GET', '/containers/json?all=true');
      const containers = JSON.parse(list.body) as Array<{ Id: string }>;
      await Promise.all(
        containers.map((c) => dockerApi(socketPath, 'DELETE', `/containers/${c.Id}?force=true&v=true`, 30_000).catch(() => undefined)),
      );
    },
    afterExit: () => {
      // containerd and the shims mention our folder on their command line; none may survive.
      for (const pid of pidsMentioning(dir)) {
        if (pidAlive(pid)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
      // Leave the data root mounted only while running; a restart mounts again.
      if (dir.startsWith(TEMP_PREFIX)) unmountUnder(dir);
    },
  });
  await service.start();
  return Object.assign(service, address);
}
