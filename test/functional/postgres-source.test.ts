// The PostgreSQL source against real PostgreSQL 15 servers with pg_stat_statements.
// Each test works in a database of its own, so other test files on the shared server cannot
// add calls to the statements it counts.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedSloFile } from '../../src/config/config.js';
import { sloFileSchema } from '../../src/config/slo-schema.js';
import { PostgresSource } from '../../src/sources/postgres/postgres-source.js';
import { statementLatencyOverWindow } from '../../src/sources/postgres/statement-latency.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { type PostgresHandle, startPostgres } from '../harness/launchers.js';
import { testServices } from '../harness/services.js';

function sloFile(objective: Record<string, unknown>): LoadedSloFile {
  return {
    path: 'slo/ml.yaml',
    slo: sloFileSchema.parse({
      apiVersion: 'vigil/v1',
      kind: 'ServiceLevels',
      service: 'ml-services',
      objectives: [{ name: 'ml-query-latency', indicator: { postgresQueryLatency: objective }, threshold: { max: '10ms' } }],
    }),
  };
}

function urlFor(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Samples into the store; returns the time just before, so a window starting there holds the sample. */
async function sampleInto(source: PostgresSource, store: SampleStore): Promise<number> {
  const before = Date.now();
  await new Promise((r) => setTimeout(r, 2));
  const result = await source.sample(AbortSignal.timeout(15_000));
  for (const p of result.points) store.append(p);
  await new Promise((r) => setTimeout(r, 5));
  return before;
}

describe('PostgreSQL source (shared server)', () => {
  const database = `vigil_pgsrc_${process.pid}`;
  let admin: pg.Client;
  let app: pg.Client;

  beforeAll(async () => {
    const { postgres } = testServices();
    admin = new pg.Client({ connectionString: postgres.connectionString });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    app = new pg.Client({ connectionString: urlFor(postgres.connectionString, database) });
    await app.connect();
    await app.query('CREATE TABLE ml_learning_features (id int PRIMARY KEY, embedding float8[] NOT NULL, label text)');
    await app.query("INSERT INTO ml_learning_features SELECT g, ARRAY[g * 0.1, g * 0.2], 'label-' || g FROM generate_series(1, 5000) g");
  });

  afterAll(async () => {
    await app?.end().catch(() => undefined);
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin?.end().catch(() => undefined);
  });

  /** Runs the known query n times; returns the client's mean round trip in seconds. */
  async function runKnownQuery(n: number): Promise<number> {
    let elapsed = 0;
    for (let i = 0; i < n; i++) {
      const started = process.hrtime.bigint();
      const r = await app.query('SELECT count(*) FROM ml_learning_features WHERE label LIKE $1', [`label-${i + 1}%`]);
      elapsed += Number(process.hrtime.bigint() - started) / 1e9;
      expect(Number(r.rows[0].count)).toBeGreaterThan(0);
    }
    return elapsed / n;
  }

  it('after N runs of a known query, calls match exactly and the mean is within the client round trip', async () => {
    const { postgres } = testServices();
    const files = [sloFile({ match: '%ml_learning_features%', database })];
    // Connected to this test's database, so its connection can be told from other test files'
    // sources, which share the server and the application name.
    await app.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const source = new PostgresSource('default', { connectionString: urlFor(postgres.connectionString, database), timeout: 10_000 }, files);
    const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 1000 });
    try {
      const t0 = await sampleInto(source, store);
      const n = 60;
      const clientMean = await runKnownQuery(n);
      await sampleInto(source, store);

      const series = [...store.all()];
      const r = statementLatencyOverWindow(series, t0, Date.now())!;
      // Tolerance: calls are exact. The server's execution time excludes parsing, network and
      // client time, so 0 < server mean <= client round-trip mean.
      expect(r.calls).toBe(n);
      expect(r.statements).toBe(1);
      expect(r.meanSeconds).toBeGreaterThan(0);
      expect(r.meanSeconds).toBeLessThanOrEqual(clientMean);
      expect(r.p95Seconds).toBeGreaterThanOrEqual(r.meanSeconds);
      expect(r.maxSeconds!).toBeGreaterThanOrEqual(r.meanSeconds);
      for (const s of series) {
        expect(s.labels).toMatchObject({ source: 'default', database, selector: `%ml_learning_features%|${database}` });
        expect(s.labels.queryid).toMatch(/^-?\d+$/);
      }
      // The CREATE TABLE and INSERT of the setup match too (track = all) but did not run in the window.

      // The pool keeps its one connection open between samples, named for DBAs.
      const named = await admin.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = 'vigil' AND datname = $1",
        [database],
      );
      expect(Number(named.rows[0]!.n)).toBe(1);
    } finally {
      await source.close();
      // A later test needs this database without the extension.
      await app.query('DROP EXTENSION IF EXISTS pg_stat_statements');
    }
  });

  it("leaves vigil's own statements out, even when the pattern matches their text", async () => {
    const { postgres } = testServices();
    const files = [sloFile({ match: '%pg_stat_statements%' })];
    const source = new PostgresSource('default', { connectionString: postgres.connectionString, timeout: 10_000 }, files);
    const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 1000 });
    try {
      await sampleInto(source, store);
      await sampleInto(source, store);
      const own = await admin.query<{ queryid: string }>(
        "SELECT queryid::text FROM pg_stat_statements WHERE query LIKE '%vigil:sampler%' AND query LIKE '%FROM pg_stat_statements s%'",
      );
      expect(own.rows.length).toBeGreaterThan(0); // the marker comment is kept in the view's text
      const ownIds = new Set(own.rows.map((r) => r.queryid));
      const sampled = new Set([...store.all()].map((s) => s.labels.queryid));
      expect(sampled.size).toBeGreaterThan(0); // e.g. the harness's CREATE EXTENSION pg_stat_statements
      for (const id of ownIds) expect(sampled.has(id)).toBe(false);
    } finally {
      await source.close();
    }
  });

  it('survives pg_stat_statements_reset() between samples', async () => {
    const { postgres } = testServices();
    const files = [sloFile({ match: '%ml_learning_features%', database })];
    const source = new PostgresSource('default', { connectionString: postgres.connectionString, timeout: 10_000 }, files);
    const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 1000 });
    try {
      const t0 = await sampleInto(source, store);
      await runKnownQuery(50);
      const t1 = await sampleInto(source, store);
      // Resets only this database's entries (userid 0 = any user, queryid 0 = any statement).
      await admin.query('SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = $1), 0)', [database]);
      await runKnownQuery(20);
      await sampleInto(source, store);
      const t2 = Date.now();

      const series = [...store.all()];
      const after = statementLatencyOverWindow(series, t1, t2)!;
      expect(after.calls).toBe(20);
      expect(after.meanSeconds).toBeGreaterThan(0);
      const whole = statementLatencyOverWindow(series, t0, t2)!;
      expect(whole.calls).toBe(70);
      expect(whole.meanSeconds).toBeGreaterThan(0);
      expect(whole.meanSeconds).toBeLessThan(1);
    } finally {
      await source.close();
    }
  });

  it("sees other roles' statements as a login role with only pg_read_all_stats", async () => {
    const { postgres } = testServices();
    const role = `vigil_ro_${process.pid}`;
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'ro-secret'`);
    await admin.query(`GRANT pg_read_all_stats TO ${role}`);
    const url = new URL(postgres.connectionString);
    url.username = role;
    url.password = 'ro-secret';
    const files = [sloFile({ match: '%ml_learning_features%', database })];
    const source = new PostgresSource('default', { connectionString: url.toString(), timeout: 10_000 }, files);
    const store = new SampleStore({ retentionMs: 3_600_000, maxPointsPerSeries: 1000 });
    try {
      const t0 = await sampleInto(source, store);
      await runKnownQuery(10); // run by the superuser, not by the sampling role
      await sampleInto(source, store);
      expect(statementLatencyOverWindow([...store.all()], t0, Date.now())?.calls).toBe(10);

      // Control: without the grant, other roles' statements are hidden (no text, no queryid).
      await source.close();
      await admin.query(`REVOKE pg_read_all_stats FROM ${role}`);
      const unprivileged = new PostgresSource('default', { connectionString: url.toString(), timeout: 10_000 }, files);
      try {
        const result = await unprivileged.sample(AbortSignal.timeout(15_000));
        expect(result.points).toEqual([]);
      } finally {
        await unprivileged.close();
      }
    } finally {
      await source.close();
      await admin.query(`DROP ROLE ${role}`);
    }
  });

  it('names the missing CREATE EXTENSION when the database lacks it', async () => {
    const { postgres } = testServices();
    const source = new PostgresSource('default', { connectionString: urlFor(postgres.connectionString, database), timeout: 10_000 }, [
      sloFile({ match: '%anything%' }),
    ]);
    try {
      const err = await source.sample(AbortSignal.timeout(15_000)).then(
        () => null,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(err?.code).toBe('VIGIL_ERR_PG_STAT_STATEMENTS_NOT_CREATED');
      expect(err?.message).toContain(`CREATE EXTENSION pg_stat_statements; in database "${database}"`);
    } finally {
      await source.close();
    }
  });
});

describe('PostgreSQL source (own server without the preload)', () => {
  let server: PostgresHandle;

  beforeAll(async () => {
    server = await startPostgres({ preloadStatements: false });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('says to preload and restart, and to create the extension, for each missing part', async () => {
    const source = new PostgresSource('default', { connectionString: server.connectionString, timeout: 10_000 }, [
      sloFile({ match: '%ml_learning%' }),
    ]);
    try {
      const neither = await source.sample(AbortSignal.timeout(15_000)).then(
        () => null,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(neither?.code).toBe('VIGIL_ERR_PG_STAT_STATEMENTS_MISSING');
      expect(neither?.message).toContain("shared_preload_libraries = 'pg_stat_statements'");
      expect(neither?.message).toContain('restart');
      expect(neither?.message).toContain('CREATE EXTENSION pg_stat_statements; in database "postgres"');

      const client = new pg.Client({ connectionString: server.connectionString });
      await client.connect();
      await client.query('CREATE EXTENSION pg_stat_statements');
      await client.end();

      const notLoaded = await source.sample(AbortSignal.timeout(15_000)).then(
        () => null,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(notLoaded?.code).toBe('VIGIL_ERR_PG_STAT_STATEMENTS_NOT_PRELOADED');
      expect(notLoaded?.message).toContain("shared_preload_libraries = 'pg_stat_statements'");
      expect(notLoaded?.message).not.toContain('CREATE EXTENSION');
    } finally {
      await source.close();
    }
  });
});
