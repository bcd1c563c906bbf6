// Throwaway Redis on 127.0.0.1, no persistence, kept as our own child (not daemonized) so its
// pid is known without a pidfile race.
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { GiveUp, ManagedProcess, makeTempDir, onFreePort, requireBinary, waitFor } from './process-utils.js';
import { Service, type ServiceControl } from './service-handle.js';

export interface RedisAddress {
  host: string;
  port: number;
  url: string;
}

export interface RedisOptions {
  port?: number;
}

export type RedisHandle = RedisAddress & ServiceControl;

/** One raw PING over TCP: no client library retries muddying start-up detection. */
export function redisPing(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

export function startRedis(opts: RedisOptions = {}): Promise<RedisHandle> {
  return onFreePort(opts.port, (port) => startRedisOn(port));
}

async function startRedisOn(port: number): Promise<RedisHandle> {
  const bin = requireBinary('/usr/bin/redis-server', 'redis-server', 'redis-server');
  const dir = makeTempDir('redis');
  const proc = new ManagedProcess({
    command: bin,
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--dir',
      dir,
      '--logfile',
      '',
    ],
    logFile: join(dir, 'redis.log'),
    pidFile: join(dir, 'server.pid'),
    cwd: dir,
  });
  const address: RedisAddress = { host: '127.0.0.1', port, url: `redis://127.0.0.1:${port}` };
  const service = new Service({
    name: 'redis',
    dir,
    process: proc,
    graceMs: 5_000,
    ready: async () => {
      await waitFor(
        async () => {
          if (!proc.running()) throw new GiveUp('redis-server exited during start-up');
          return redisPing(port);
        },
        { timeoutMs: 20_000, intervalMs: 100, what: `redis on 127.0.0.1:${port}` },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n--- redis log ---\n${proc.logTail()}`);
      });
    },
  });
  await service.start();
  return Object.assign(service, address);
}
