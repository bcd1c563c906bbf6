// The install path a newcomer takes outside the repository: `npm pack`, a global install of the tarball
// into a fresh prefix, then the `vigil` bin run from an unrelated folder (no node_modules, no package.json
// near it). Catches a package that ships without dist/, a bin that reads files it did not pack, or a name
// that resolves to someone else's package.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = new URL('../../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
const work = mkdtempSync(join(tmpdir(), 'vigil-pack-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packed and installed outside the repository', () => {
  it('installs as vigil-slo and the vigil bin works from any folder', async () => {
    expect(manifest.name).toBe('vigil-slo');
    // --ignore-scripts: npm test built dist/ already; a rebuild here would rewrite files other tests are running.
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: REPO, maxBuffer: 16 << 20 });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBe(`vigil-slo-${manifest.version}.tgz`);
    const prefix = join(work, 'prefix');
    await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball!)], {
      cwd: work,
      maxBuffer: 16 << 20,
    });
    const elsewhere = join(work, 'elsewhere');
    cpSync(join(REPO, 'test/fixtures/valid/slo'), join(elsewhere, 'slo'), { recursive: true });
    const bin = join(prefix, 'bin', 'vigil');
    const version = await run(bin, ['--version'], { cwd: elsewhere });
    expect(version.stdout.trim()).toBe(manifest.version);
    const valid = await run(bin, ['validate', 'slo/'], { cwd: elsewhere });
    expect(valid.stdout + valid.stderr).toMatch(/valid/i);
    // A broken file must fail with its position, from the installed copy too.
    cpSync(join(REPO, 'test/fixtures/invalid-slo'), join(elsewhere, 'bad'), { recursive: true });
    const invalid = await run(bin, ['validate', 'bad/'], { cwd: elsewhere }).then(
      () => ({ code: 0, out: '' }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout + err.stderr }),
    );
    expect(invalid.code).toBe(1);
    expect(invalid.out).toMatch(/:\d+:\d+/);
  }, 300_000);
});
