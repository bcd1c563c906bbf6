// Issue 12 items 5 and 7: a store file that exists but cannot be read was replaced by an empty
// store at the first persist; an unwritable data folder was found only a minute later. Both now
// stop the start with a message that says what is wrong, and leave what is on disk untouched.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/daemon.js';
import { isStoreAccessError, type StoreAccessError } from '../../src/store/persist.js';
import { STORE_FILE_NAME } from '../../src/store/store-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-store-access-'));
  mkdirSync(join(dir, 'slo'));
  writeFileSync(
    join(dir, 'slo', 'svc.yaml'),
    'apiVersion: vigil/v1\nkind: ServiceLevels\nservice: svc\nobjectives:\n  - name: up\n    indicator: { probe: { url: "http://127.0.0.1:9/health" } }\n    target: 99%\n',
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function start(dataDir: string): Promise<Daemon> {
  writeFileSync(join(dir, 'vigil.yaml'), `dataDir: ${JSON.stringify(dataDir)}\nsources:\n  probe:\n    default: {}\n`);
  return Daemon.start({
    configPath: join(dir, 'vigil.yaml'),
    logger: pino({ level: 'silent' }),
    watch: false,
    listen: { host: '127.0.0.1', port: 0 },
  });
}

async function refusal(dataDir: string): Promise<StoreAccessError> {
  let daemon: Daemon | null = null;
  try {
    daemon = await start(dataDir);
  } catch (err) {
    expect(isStoreAccessError(err)).toBe(true);
    return err as StoreAccessError;
  } finally {
    await daemon?.stop();
  }
  throw new Error('the daemon started');
}

describe('a store file that exists but cannot be read', () => {
  // Ways a store file can be out of reach without being damaged (as root, modes do not stop reads).
  const unreadable: Record<string, (path: string) => void> = {
    'a folder in its place': (path) => {
      mkdirSync(path);
      writeFileSync(join(path, 'keep'), 'history');
    },
    'a symbolic link loop': (path) => {
      symlinkSync(`${path}.b`, path);
      symlinkSync(path, `${path}.b`);
    },
  };

  for (const [what, make] of Object.entries(unreadable)) {
    it(`${what}: the daemon refuses to start and writes nothing`, async () => {
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir);
      const path = join(dataDir, STORE_FILE_NAME);
      make(path);
      const err = await refusal(dataDir);
      expect(err.code).toBe('VIGIL_ERR_STORE_UNREADABLE');
      expect(err.message).toContain(path);
      expect(err.message).toContain('not starting, so its history is not overwritten');
      if (what === 'a folder in its place') expect(readFileSync(join(path, 'keep'), 'utf8')).toBe('history');
    });
  }
});

describe('a data folder that cannot hold the store', () => {
  const blocked: Record<string, () => string> = {
    'a file where the folder should be': () => {
      writeFileSync(join(dir, 'data'), 'not a folder');
      return join(dir, 'data');
    },
    'a file where a parent folder should be': () => {
      writeFileSync(join(dir, 'parent'), 'not a folder');
      return join(dir, 'parent', 'data');
    },
    'a device where a parent folder should be': () => '/dev/null/vigil-data',
  };

  for (const [what, make] of Object.entries(blocked)) {
    it(`${what}: refused at start with a message naming the folder`, async () => {
      const dataDir = make();
      const err = await refusal(dataDir);
      expect(err.code).toBe('VIGIL_ERR_STORE_UNWRITABLE');
      expect(err.message).toMatch(/^store: the data folder .+ cannot hold the store \(.+\); set `dataDir` to a writable folder$/);
    });
  }

  it('a writable folder starts, and the store file is written at stop', async () => {
    const daemon = await start(join(dir, 'data'));
    await daemon.stop();
    expect(statSync(join(dir, 'data', STORE_FILE_NAME)).size).toBeGreaterThan(0);
  });
});
