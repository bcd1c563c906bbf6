// Store persistence across a hard kill: a child process samples into the store and persists it
// on a short interval; it is SIGKILLed at random moments (also mid-write) and restarted. Each
// time the history is there, whole and consistent. A damaged file is set aside.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_FILE_NAME } from '../../src/store/store-file.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
let buildDir: string;
let dataDir: string;
let childJs: string;
const children = new Set<ChildProcess>();

interface ReadResult {
  loaded: { status: string; code?: string; setAsidePath?: string; points?: number };
  series: number;
  points: number;
  first: number;
  last: number;
  consistent: boolean;
}

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), 'vigil-store-child-'));
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-store-data-'));
  // Node 20 runs no TypeScript: compile the child and what it imports, as the benchmarks do.
  await run(
    join(ROOT, 'node_modules/.bin/tsc'),
    [
      '--ignoreConfig',
      '--outDir',
      buildDir,
      '--rootDir',
      ROOT,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--types',
      'node',
      join(ROOT, 'test/functional/store-restart.child.ts'),
    ],
    { cwd: ROOT, timeout: 120_000 },
  );
  writeFileSync(join(buildDir, 'package.json'), '{"type":"module"}\n');
  childJs = join(buildDir, 'test/functional/store-restart.child.js');
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts a writer; resolves once it has reported `saves` completed saves, with the last count. */
async function writeThenKill(saves: number, extraMs: number): Promise<{ savedPoints: number; loaded: { status: string } }> {
  const child = spawn(process.execPath, [childJs, 'write', dataDir, '150'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let savedPoints = 0;
  let loaded: { status: string } = { status: '?' };
  let count = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`writer reported ${count} saves in 20 s; stderr: ${stderr}`)), 20_000);
      child.once('exit', (code) => reject(new Error(`writer exited early (${code}); stderr: ${stderr}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const msg = JSON.parse(line) as { saved?: number; loaded?: { status: string } };
        if (msg.loaded) loaded = msg.loaded;
        if (msg.saved !== undefined) {
          savedPoints = msg.saved;
          if (++count >= saves) {
            clearTimeout(timer);
            resolve();
          }
        }
      });
    });
    // Kill at a moment unrelated to the save cycle: sometimes mid-write.
    await new Promise((r) => setTimeout(r, extraMs));
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    children.delete(child);
  }
  expect(stderr).toBe('');
  return { savedPoints, loaded };
}

async function readBack(): Promise<{ result: ReadResult; stderr: string }> {
  const { stdout, stderr } = await run(process.execPath, [childJs, 'read', dataDir], { timeout: 30_000 });
  return { result: JSON.parse(stdout.trim()) as ReadResult, stderr };
}

describe('store persistence across SIGKILL', () => {
  it('keeps the whole history through repeated kills and restarts', async () => {
    const first = await writeThenKill(3, 0);
    expect(first.loaded.status).toBe('missing');
    const after1 = await readBack();
    expect(after1.result.loaded.status).toBe('loaded');
    expect(after1.result.series).toBe(50);
    expect(after1.result.points).toBeGreaterThanOrEqual(first.savedPoints);
    expect(after1.result.consistent).toBe(true);
    const origin = after1.result.first;

    let previous = after1.result.points;
    for (const extraMs of [37, 71, 113, 5]) {
      const again = await writeThenKill(2, extraMs);
      expect(again.loaded.status).toBe('loaded');
      const { result, stderr } = await readBack();
      expect(stderr).toBe('');
      expect(result.loaded.status).toBe('loaded');
      expect(result.consistent).toBe(true);
      // The history from the very first run is still there, and it only grew.
      expect(result.first).toBe(origin);
      expect(result.points).toBeGreaterThanOrEqual(Math.max(again.savedPoints, previous));
      previous = result.points;
    }
    // A temp file of a write cut short is cleaned up by the next load.
    expect(readdirSync(dataDir)).toEqual([STORE_FILE_NAME]);
  });

  it('sets a damaged file aside, warns, and starts empty', async () => {
    const path = join(dataDir, STORE_FILE_NAME);
    const original = readFileSync(path);
    const damaged = Buffer.from(original);
    damaged[Math.floor(damaged.length / 2)]! ^= 0x5a;
    writeFileSync(path, damaged);
    const { result, stderr } = await readBack();
    expect(result.loaded.status).toBe('set-aside');
    expect(result.loaded.code).toBe('VIGIL_ERR_STORE_CORRUPT');
    expect(result.points).toBe(0);
    expect(stderr).toMatch(/^WARN store: .*checksum mismatch.*moved to .*\.corrupt-/);
    const names = readdirSync(dataDir);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(new RegExp(`^${STORE_FILE_NAME.replace(/\./g, '\\.')}\\.corrupt-`));
    expect(readFileSync(join(dataDir, names[0]!))).toEqual(damaged);
  });
});
