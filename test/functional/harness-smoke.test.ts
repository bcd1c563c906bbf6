// Proves each shared real service answers, so a failing functional test points at the code under
// test, not at the harness.
import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { redisPing, startPostgres, startRedis } from '../harness/launchers.js';
import { requireBinary } from '../harness/process-utils.js';
import { dockerClient, runContainer, testServices, waitFor } from '../harness/services.js';

describe('test harness services', () => {
  it('PostgreSQL answers SQL and has pg_stat_statements preloaded', async () => {
    const { postgres } = testServices();
    const client = new pg.Client({ connectionString: postgres.connectionString });
    await client.connect();
    try {
      const one = await client.query<{ one: number }>('select 1 as one');
      expect(one.rows[0]?.one).toBe(1);
      const preload = await client.query<{ shared_preload_libraries: string }>('show shared_preload_libraries');
      expect(preload.rows[0]?.shared_preload_libraries).toContain('pg_stat_statements');
      // Literals are normalised away, so the marker is an identifier-like string in a comparison
      // against a catalog the statement text names uniquely.
      await client.query("select count(*) as harness_smoke from pg_catalog.pg_tablespace where spcname <> 'x'");
      const stats = await client.query<{ calls: string }>(
        "select calls from pg_stat_statements where query like '%harness_smoke from pg_catalog.pg_tablespace%'",
      );
      expect(Number(stats.rows[0]?.calls)).toBeGreaterThanOrEqual(1);
    } finally {
      await client.end();
    }
  });

  it('Redis answers PING and INFO stats', async () => {
    const { redis } = testServices();
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    try {
      expect(await client.ping()).toBe('PONG');
      expect(await client.info('stats')).toContain('keyspace_hits:');
    } finally {
      client.disconnect();
    }
  });

  it('Docker Engine answers on its socket and over TCP, and runs a container from the test image', async () => {
    const { docker } = testServices();
    const viaSocket = dockerClient(docker);
    expect(String(await viaSocket.ping())).toBe('OK');
    const viaTcp = dockerClient(docker, 'tcp');
    const images = await viaTcp.listImages();
    expect(images.flatMap((i) => i.RepoTags ?? [])).toContain(docker.image);

    const container = await runContainer(docker, { cmd: ['sh', '-c', 'echo harness-ok; sleep 30'], memoryBytes: 64 * 1024 * 1024 });
    try {
      const info = await viaSocket.getContainer(container.id).inspect();
      expect(info.State.Running).toBe(true);
      expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
      const logs = await waitFor(
        async () => {
          const buf = await viaSocket.getContainer(container.id).logs({ stdout: true, stderr: true });
          return buf.toString('utf8').includes('harness-ok') ? buf.toString('utf8') : undefined;
        },
        { timeoutMs: 10_000, what: 'container output' },
      );
      expect(logs).toContain('harness-ok');
    } finally {
      await container.remove();
    }
    const left = await viaSocket.listContainers({ all: true, filters: { id: [container.id] } });
    expect(left).toHaveLength(0);
  });

  it('Prometheus answers queries and scrapes itself', async () => {
    const { prometheus } = testServices();
    const result = await waitFor(
      async () => {
        const res = await fetch(`${prometheus.url}/api/v1/query?query=up`);
        const body = (await res.json()) as {
          status: string;
          data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
        };
        return body.data.result.find((r) => r.metric.job === 'prometheus');
      },
      { timeoutMs: 20_000, what: 'up{job="prometheus"}' },
    );
    expect(result.value[1]).toBe('1');
  });

  it('Alertmanager answers its v2 status API', async () => {
    const { alertmanager } = testServices();
    const res = await fetch(`${alertmanager.url}/api/v2/status`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { cluster: { status: string }; versionInfo: { version: string } };
    expect(body.versionInfo.version).toMatch(/^0\.\d+/);
    expect(body.cluster.status).toBe('disabled');
  });
});

describe('launchers for a test of its own', () => {
  it('halts and restarts PostgreSQL on the same port with the same data, then stop() removes everything', async () => {
    const own = await startPostgres();
    const { port, dir } = own;
    try {
      const client = new pg.Client({ connectionString: own.connectionString });
      await client.connect();
      await client.query('create table harness_restart (v int); insert into harness_restart values (7)');
      await client.end();
      const firstPid = own.pid;
      await own.halt();
      expect(processAlive(firstPid)).toBe(false);
      await expect(connectOnce(own.connectionString)).rejects.toThrow();
      await own.restart();
      expect(own.port).toBe(port);
      expect(own.pid).not.toBe(firstPid);
      const again = new pg.Client({ connectionString: own.connectionString });
      await again.connect();
      try {
        expect((await again.query<{ v: number }>('select v from harness_restart')).rows[0]?.v).toBe(7);
        // pg_stat_statements survives the restart (same preload, same extension).
        await again.query('select count(*) from pg_stat_statements');
      } finally {
        await again.end();
      }
    } finally {
      const pid = own.pid;
      await own.stop();
      expect(processAlive(pid)).toBe(false);
      expect(existsSync(dir)).toBe(false);
    }
  });

  it('starts PostgreSQL without the pg_stat_statements preload when asked', async () => {
    const own = await startPostgres({ preloadStatements: false, createExtension: true });
    try {
      const client = new pg.Client({ connectionString: own.connectionString });
      await client.connect();
      try {
        await expect(client.query('select * from pg_stat_statements')).rejects.toThrow(/shared_preload_libraries/);
      } finally {
        await client.end();
      }
    } finally {
      await own.stop();
    }
  });

  it('halts and restarts Redis on the same port', async () => {
    const own = await startRedis();
    try {
      await own.halt();
      expect(await redisPing(own.port)).toBe(false);
      await own.restart();
      expect(await redisPing(own.port)).toBe(true);
    } finally {
      await own.stop();
    }
    expect(existsSync(own.dir)).toBe(false);
  });

  it('names the apt package when a binary is missing', () => {
    expect(() => requireBinary('/nonexistent/prometheus', 'prometheus', 'prometheus')).toThrow(
      'prometheus not found at /nonexistent/prometheus: apt-get install -y prometheus',
    );
  });
});

function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

async function connectOnce(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
  } finally {
    await client.end().catch(() => undefined);
  }
}
