// Throwaway PostgreSQL 15 with pg_stat_statements preloaded, owned by the `postgres` user (the
// server refuses to run as root) in a harness folder, listening on 127.0.0.1 only.
import { execFile } from 'node:child_process';
import { chownSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { GiveUp, ManagedProcess, makeTempDir, onFreePort, removeDir, requireBinary, userIds, waitFor } from './process-utils.js';
import { Service, type ServiceControl } from './service-handle.js';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface PostgresAddress {
  host: string;
  port: number;
  user: string;
  database: string;
  connectionString: string;
}

export interface PostgresOptions {
  /** Preload pg_stat_statements (default true). false gives the "must be loaded via shared_preload_libraries" case. */
  preloadStatements?: boolean;
  /** Run CREATE EXTENSION pg_stat_statements in `postgres` (default: same as preloadStatements). */
  createExtension?: boolean;
  /** Fixed port (default: a free one). */
  port?: number;
}

export type PostgresHandle = PostgresAddress & ServiceControl;

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) chownTree(full, uid, gid);
    else chownSync(full, uid, gid);
  }
}

export function startPostgres(opts: PostgresOptions = {}): Promise<PostgresHandle> {
  return onFreePort(opts.port, (port) => startPostgresOn(port, opts));
}

async function startPostgresOn(port: number, opts: PostgresOptions): Promise<PostgresHandle> {
  const postgresBin = requireBinary(join(PG_BIN, 'postgres'), 'postgres', 'postgresql');
  const initdbBin = requireBinary(join(PG_BIN, 'initdb'), 'initdb', 'postgresql');
  const preload = opts.preloadStatements ?? true;
  const createExtension = opts.createExtension ?? preload;
  const { uid, gid } = userIds('postgres');
  const dir = makeTempDir('pg');
  const dataDir = join(dir, 'data');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C', HOME: dir };
  try {
    chownTree(dir, uid, gid);
    await run(initdbBin, ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'], {
      uid,
      gid,
      env,
      cwd: dir,
    });
  } catch (err) {
    removeDir(dir);
    const e = err as { message: string; stderr?: string };
    throw new Error(`initdb failed: ${e.message}\n${e.stderr ?? ''}`);
  }

  const args = ['-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'];
  // Throwaway data: durability costs time on a shared 2-core machine and buys nothing here.
  args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  if (preload) args.push('-c', 'shared_preload_libraries=pg_stat_statements');
  const proc = new ManagedProcess({
    command: postgresBin,
    args,
    logFile: join(dir, 'postgres.log'),
    pidFile: join(dir, 'server.pid'),
    uid,
    gid,
    env,
    cwd: dir,
    // SIGINT = "fast shutdown": does not wait for clients to disconnect (SIGTERM would).
    stopSignal: 'SIGINT',
  });

  const address: PostgresAddress = {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
  };
  let extensionCreated = false;

  const service = new Service({
    name: 'postgres',
    dir,
    process: proc,
    graceMs: 10_000,
    ready: async () => {
      await waitFor(
        async () => {
          if (!proc.running()) throw new GiveUp('postgres exited during start-up');
          const client = new pg.Client({ connectionString: address.connectionString, connectionTimeoutMillis: 2_000 });
          try {
            await client.connect();
            await client.query('select 1');
            if (createExtension && !extensionCreated) {
              await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
              // Tests should see their own statements, not the harness's start-up queries.
              if (preload) await client.query('select pg_stat_statements_reset()');
              extensionCreated = true;
            }
            return true;
          } finally {
            await client.end().catch(() => undefined);
          }
        },
        { timeoutMs: 60_000, intervalMs: 150, what: `postgres on 127.0.0.1:${port}` },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n--- postgres log ---\n${proc.logTail()}`);
      });
    },
  });
  await service.start();
  return Object.assign(service, address);
}
