import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = new URL('../../../scripts/ensure-test-packages.mjs', import.meta.url).pathname;

function run(packages: Array<[string, string]>, env: Record<string, string>) {
  const out = spawnSync(process.execPath, [script], {
    env: { ...process.env, VIGIL_TEST_PACKAGES_JSON: JSON.stringify(packages), ...env },
    encoding: 'utf8',
  });
  return { code: out.status, stderr: out.stderr };
}

describe('npm pretest: Debian packages for the functional tests', () => {
  it('says nothing and succeeds when every executable is there', () => {
    expect(run([[process.execPath, 'nodejs']], {})).toEqual({ code: 0, stderr: '' });
  });

  it('names the missing packages and installs nothing with VIGIL_TEST_NO_APT=1', () => {
    const out = run(
      [
        ['/nonexistent/vigil-test-binary', 'vigil-no-such-package'],
        [process.execPath, 'nodejs'],
      ],
      { VIGIL_TEST_NO_APT: '1' },
    );
    expect(out.code).toBe(0);
    expect(out.stderr).toBe(
      '[vigil test set-up] missing Debian packages: vigil-no-such-package; VIGIL_TEST_NO_APT=1, so not installing them ' +
        '(apt-get install -y --no-install-recommends vigil-no-such-package)\n',
    );
  });
});
