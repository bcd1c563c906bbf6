import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorePersister } from '../../../src/store/persist.js';
import { SampleStore } from '../../../src/store/sample-store.js';
import { decodeStoreFile, encodeStoreFile, restoreStore, STORE_FILE_NAME, snapshotStore } from '../../../src/store/store-file.js';

const HOUR = 3_600_000;
const newStore = () => new SampleStore({ retentionMs: 24 * HOUR, maxPointsPerSeries: 10_000 });

function filled(now: number): SampleStore {
  const store = newStore();
  for (let i = 0; i < 100; i++) {
    const t = now - (100 - i) * 15_000;
    store.appendRaw('container_memory_working_set_bytes', { source: 'default', container: 'a', started_at: 'x' }, t, 1e6 + i * 1000);
    store.appendRaw('redis_keyspace_hits_total', { source: 'cache', run_id: 'r"1\\é' }, t, i * 0.1);
  }
  store.markEnded('redis_keyspace_hits_total', { source: 'cache', run_id: 'r"1\\é' });
  return store;
}

function contents(store: SampleStore) {
  return [...store.all()]
    .map((s) => {
      const { t, v } = s.buffer.range(-Infinity, Infinity);
      return { id: s.id, ended: s.ended, t: [...t], v: [...v] };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('store file format', () => {
  it('round-trips every series, its points, labels and ended flag exactly', () => {
    const now = Date.UTC(2026, 10, 26, 12);
    const store = filled(now);
    const buf = encodeStoreFile(snapshotStore(store));
    expect(buf.subarray(0, 8).toString('ascii')).toBe('VIGILSTO');
    const copy = newStore();
    expect(restoreStore(copy, decodeStoreFile(buf))).toEqual({ series: 2, points: 200 });
    expect(contents(copy)).toEqual(contents(store));
  });

  it('rejects a foreign file, another version, a flipped bit and a truncated file with distinct codes', () => {
    const buf = encodeStoreFile(snapshotStore(filled(Date.now())));
    expect(() => decodeStoreFile(Buffer.from('{"not":"ours"}'))).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_STORE_FOREIGN' }));
    const v2 = Buffer.from(buf);
    v2.writeUInt32LE(3, 8);
    expect(() => decodeStoreFile(v2)).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_STORE_VERSION' }));
    const flipped = Buffer.from(buf);
    flipped[flipped.length - 3]! ^= 0x10;
    expect(() => decodeStoreFile(flipped)).toThrow(
      expect.objectContaining({ code: 'VIGIL_ERR_STORE_CORRUPT', message: 'checksum mismatch' }),
    );
    expect(() => decodeStoreFile(buf.subarray(0, buf.length - 100))).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_STORE_CORRUPT' }));
    expect(() => decodeStoreFile(buf.subarray(0, 20))).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_STORE_CORRUPT' }));
  });

  it('an empty store is a valid file', () => {
    expect(decodeStoreFile(encodeStoreFile([]))).toEqual([]);
  });
});

describe('StorePersister', () => {
  it('saves atomically and loads back; points past the retention are dropped on load', async () => {
    const dir = join(tempDir(), 'nested', 'data');
    const now = Date.UTC(2026, 10, 26, 12);
    const store = filled(now);
    // A series whose newest point is older than the retention is not worth loading.
    store.appendRaw('probe_success', { source: 'p', url: 'u' }, now - 23.9 * HOUR, 1);
    const saved = await new StorePersister({ store, dataDir: dir, intervalMs: 60_000 }).save();
    expect(saved).toMatchObject({ series: 3, points: 201 });
    expect(saved.memoryBytes).toBe(store.memoryBytes());
    expect(readdirSync(dir)).toEqual([STORE_FILE_NAME]); // no temp file left behind

    const later = newStore();
    const loaded = await new StorePersister({ store: later, dataDir: dir, intervalMs: 60_000, now: () => now + 0.2 * HOUR }).load();
    expect(loaded).toMatchObject({ status: 'loaded', series: 3, points: 201 });
    // prune(now) after the load: the probe series is past 24 h by then.
    expect(later.select('probe_success')).toEqual([]);
    expect(contents(later)).toEqual(contents(store).filter((s) => !s.id.startsWith('probe_success')));
  });

  it('a missing file is a normal first start', async () => {
    expect(await new StorePersister({ store: newStore(), dataDir: tempDir(), intervalMs: 1000 }).load()).toEqual({ status: 'missing' });
  });

  it('sets a corrupt or foreign file aside with a warning and starts empty', async () => {
    for (const [content, code] of [
      [Buffer.from('garbage that is not a store'), 'VIGIL_ERR_STORE_FOREIGN'],
      [
        (() => {
          const b = encodeStoreFile(snapshotStore(filled(Date.now())));
          b[40]! ^= 0xff;
          return b;
        })(),
        'VIGIL_ERR_STORE_CORRUPT',
      ],
    ] as const) {
      const dir = tempDir();
      writeFileSync(join(dir, STORE_FILE_NAME), content);
      const warnings: string[] = [];
      const store = newStore();
      const report = await new StorePersister({
        store,
        dataDir: dir,
        intervalMs: 1000,
        now: () => Date.UTC(2026, 10, 26, 12, 30),
        logger: { info: () => undefined, warn: (m) => warnings.push(m) },
      }).load();
      expect(report).toMatchObject({ status: 'set-aside', code });
      expect(store.seriesCount).toBe(0);
      expect(readdirSync(dir)).toEqual([`${STORE_FILE_NAME}.corrupt-2026-11-26T12-30-00-000Z`]);
      expect(readFileSync(join(dir, `${STORE_FILE_NAME}.corrupt-2026-11-26T12-30-00-000Z`))).toEqual(content);
      expect(warnings[0]).toContain(code);
      expect(warnings[0]).toContain('starting with an empty store');
    }
  });

  it('saves on its interval and once more at stop', async () => {
    const dir = tempDir();
    const store = newStore();
    const persister = new StorePersister({ store, dataDir: dir, intervalMs: 100 });
    persister.start();
    store.appendRaw('m', { source: 's' }, Date.now(), 1);
    // The first interval save (a loaded machine may take longer than a few intervals).
    for (let waited = 0; !existsSync(persister.path) && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const fromInterval = decodeStoreFile(readFileSync(persister.path));
    expect(fromInterval).toHaveLength(1);
    store.appendRaw('m2', { source: 's' }, Date.now(), 2);
    const final = await persister.stop();
    expect(final.series).toBe(2);
    expect(decodeStoreFile(readFileSync(persister.path))).toHaveLength(2);
  });
});
