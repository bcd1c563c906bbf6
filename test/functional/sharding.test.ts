// Three shards (real daemon processes, one shared config file, each told its index) split 1000
// services by hashmod of the service name: each samples only its own (probes of its services'
// URLs), lists what it owns, and any shard's /api/sla and status page give all 1000 (the page's
// rows of other shards link to the owner's page). With a shard killed, the others answer without
// it, marked partial.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GiveUp } from '../harness/process-utils.js';
import { freePort, waitFor } from '../harness/services.js';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const SERVICES = 1000;
const SHARDS = 3;
const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(4, '0')}`);

interface ListBody {
  services: Array<{ service: string; shard?: number; href: string }>;
  shard?: { index: number; total: number; services: string[] };
  partial?: boolean;
  peers?: Array<{ url: string; ok: boolean; shard: number | null; error?: string }>;
}

let dir: string;
let target: Server;
/** Paths the services' probes asked for. */
const probed = new Set<string>();
const shards: Array<{ url: string; child: ChildProcess }> = [];

/** Prometheus hashmod, written out again here so the test does not grade the code with itself. */
function owner(service: string): number {
  return Number(createHash('md5').update(service).digest().readBigUInt64BE(8) % BigInt(SHARDS));
}

async function list(url: string, query = ''): Promise<ListBody> {
  const res = await fetch(`${url}/api/sla${query}`);
  if (res.status !== 200) throw new Error(`${url}/api/sla${query}: HTTP ${res.status}`);
  return (await res.json()) as ListBody;
}

/** The overview page's rows (service -> link), its counts line and its partial notice, read from the HTML. */
async function overview(url: string): Promise<{ rows: Map<string, string>; counts: string; partial: string | false }> {
  const res = await fetch(`${url}/`);
  if (res.status !== 200) throw new Error(`${url}/: HTTP ${res.status}`);
  const text = await res.text();
  const rows = new Map<string, string>();
  for (const m of text.matchAll(/<tr data-service="([^"]+)"[^>]*>[\s\S]*?<th scope="row"><a href="([^"]+)">/g))
    rows.set(m[1]!, m[2]!.replace(/&amp;/g, '&'));
  const counts = /<p class="counts" id="counts"[^>]*>([\s\S]*?)<\/p>/.exec(text)?.[1]?.replace(/<[^>]+>/g, '') ?? '';
  const partial = /<p class="partial"[^>]*>([\s\S]*?)<\/p>/.exec(text)?.[1] ?? false;
  return { rows, counts, partial };
}

async function storeSeries(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^vigil_store_series (\d+)/m.exec(text)?.[1] ?? NaN);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-shards-'));
  target = createServer((req, res) => {
    probed.add(req.url ?? '');
    res.end('ok');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const address = target.address();
  const targetPort = typeof address === 'object' && address ? address.port : 0;

  const ports = await Promise.all(Array.from({ length: SHARDS }, () => freePort()));
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  mkdirSync(join(dir, 'slo'));
  // One config for every shard, as a StatefulSet's ConfigMap: the peers list names all shards
  // (a shard asking itself adds nothing new to the merged list).
  writeFileSync(
    join(dir, 'vigil.yaml'),
    [
      'slo: [slo]',
      'sources:',
      "  probe: { default: { schedule: '*/10 * * * * *', timeout: 9s } }",
      'shard:',
      `  total: ${SHARDS}`,
      `  peers: [${urls.map((u) => `'${u}'`).join(', ')}]`,
      // Generous: on a loaded machine a shard evaluating 333 objectives may answer slowly; the
      // timeout itself is unit-tested (test/unit/server/shard-fanout.test.ts).
      '  peerTimeout: 10s',
      'evaluateEvery: 5s',
      '',
    ].join('\n'),
  );
  for (const name of names) {
    writeFileSync(
      join(dir, 'slo', `${name}.yaml`),
      `apiVersion: vigil/v1\nkind: ServiceLevels\nservice: ${name}\nobjectives:\n  - { name: up, indicator: { probe: { url: 'http://127.0.0.1:${targetPort}/${name}' } }, target: 99% }\n`,
    );
  }
  for (let index = 0; index < SHARDS; index++) {
    const child = spawn(process.execPath, [MAIN, 'run', '--config', join(dir, 'vigil.yaml')], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        VIGIL_SHARD_INDEX: String(index),
        VIGIL_LISTEN_PORT: String(ports[index]),
        VIGIL_DATA_DIR: join(dir, `data-${index}`),
      },
    });
    shards.push({ url: urls[index]!, child });
  }
  await Promise.all(
    shards.map(({ url, child }, index) =>
      waitFor(
        async () => {
          if (child.exitCode !== null) throw new GiveUp(`shard ${index} exited with ${child.exitCode}`);
          return (await fetch(`${url}/readyz`)).status === 200;
        },
        { timeoutMs: 90_000, intervalMs: 250, what: `shard ${index}` },
      ),
    ),
  );
}, 180_000);

afterAll(async () => {
  for (const { child } of shards) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await new Promise((r) => target?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('three shards over 1000 services', () => {
  it('split the services by hashmod, within 10 % of a third each, each owned once', async () => {
    const owned = await Promise.all(shards.map(async ({ url }) => (await list(url, '?scope=local')).shard!));
    const seen = new Set<string>();
    for (const [index, shard] of owned.entries()) {
      expect(shard).toMatchObject({ index, total: SHARDS });
      expect(Math.abs(shard.services.length - SERVICES / SHARDS) / (SERVICES / SHARDS)).toBeLessThanOrEqual(0.1);
      for (const name of shard.services) {
        expect(owner(name)).toBe(index);
        expect(seen.has(name)).toBe(false);
        seen.add(name);
      }
    }
    expect(seen.size).toBe(SERVICES);
  });

  it('sample only their own services', async () => {
    // Every service's probe is run (by its shard)...
    await waitFor(() => probed.size === SERVICES, { timeoutMs: 120_000, what: `probes of all ${SERVICES} services` });
    // ...and each shard's store holds series for its services only: once every probe has run
    // (a shard's first cycles may still be under way), the same whole number of series per owned
    // service on every shard. A shard that also probed others' services would stay above.
    const perService = await waitFor(
      async () => {
        const ratios = await Promise.all(
          shards.map(async ({ url }) => (await storeSeries(url)) / (await list(url, '?scope=local')).services.length),
        );
        return ratios.every((r) => r > 0 && Number.isInteger(r) && r === ratios[0]) ? ratios : false;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: 'the same number of stored series per owned service on every shard' },
    );
    expect(perService).toHaveLength(SHARDS);
  });

  it("any shard's status page shows all 1000, other shards' rows linking to their owner's page", async () => {
    const page = await overview(shards[1]!.url);
    expect(page.rows.size).toBe(SERVICES);
    expect(page.partial).toBe(false);
    for (const name of names) {
      const href = page.rows.get(name)!;
      // This shard's own services link to its pages; the others' to the owning shard's page.
      const expected = owner(name) === 1 ? `/services/${name}` : `${shards[owner(name)]!.url}/services/${name}`;
      expect(href).toBe(expected);
    }
    expect(page.counts).toMatch(new RegExp(`^${SERVICES} services:`));
    // The link works: the owner serves the service's page.
    const other = names.find((n) => owner(n) === 2)!;
    const res = await fetch(page.rows.get(other)!);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(other);
  });

  it('any shard lists all 1000, each with its owner; a dead shard makes the answer partial', async () => {
    for (const { url } of shards) {
      const body = await list(url);
      expect(body.partial, JSON.stringify(body.peers)).toBe(false);
      expect(body.services).toHaveLength(SERVICES);
      expect(body.services.map((s) => s.service)).toEqual(names);
      for (const s of body.services) expect(s.shard).toBe(owner(s.service));
    }

    const dead = shards[2]!;
    dead.child.kill('SIGKILL');
    await new Promise((r) => (dead.child.exitCode !== null || dead.child.signalCode !== null ? r(null) : dead.child.once('exit', r)));
    const body = await list(shards[0]!.url);
    expect(body.partial).toBe(true);
    const failed = body.peers!.filter((p) => !p.ok);
    expect(failed.map((p) => p.url)).toEqual([dead.url]);
    expect(failed[0]!.error).toBeTruthy();
    expect(body.services).toHaveLength(names.filter((n) => owner(n) !== 2).length);

    // The status page says so too, naming the shard, and shows the rest.
    const page = await overview(shards[0]!.url);
    expect(page.partial).toContain(dead.url);
    expect(page.rows.size).toBe(names.filter((n) => owner(n) !== 2).length);
  });
});
