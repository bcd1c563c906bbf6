import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorePersister } from '../../../src/store/persist.js';
import { SampleStore } from '../../../src/store/sample-store.js';

// Issue 12 item 7: a failing persist was a repeated warning with a misleading errno text and no
// metric. Every failed interval save is counted (vigil_store_persist_failures_total) and the
// warning says what is wrong with which path.

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('persist failures', () => {
  it('are counted, and each warning names the path and the cause in words', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-persist-'));
    const dataDir = join(dir, 'data');
    const warnings: string[] = [];
    const store = new SampleStore({ retentionMs: 60_000, maxPointsPerSeries: 100 });
    store.appendRaw('m', { source: 's' }, Date.now(), 1);
    const persister = new StorePersister({
      store,
      dataDir,
      intervalMs: 20,
      logger: { info: () => undefined, warn: (m) => warnings.push(m) },
    });
    // The folder became a file after start (a volume swapped, say).
    writeFileSync(dataDir, 'in the way');
    persister.start();
    // Two failed intervals at least (bounded wait: the machine may be busy).
    for (let waited = 0; persister.failures < 2 && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await persister.stop().catch(() => undefined);
    expect(persister.failures).toBeGreaterThanOrEqual(2);
    expect(warnings.length).toBe(persister.failures);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^store: writing the snapshot to ${dataDir}/store\\.v1\\.bin failed \\(.*${dataDir} is in the way: a file where a folder is needed\\); retrying in 0 s$`,
      ),
    );
  });
});
