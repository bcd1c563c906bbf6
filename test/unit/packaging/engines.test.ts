import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

// `npm ci` warns EBADENGINE (and users on the oldest supported Node hit real breakage) when a locked
// dependency's `engines.node` excludes a Node version vigil promises. Checked against the lockfile, so a
// dependency bump that drops Node 20 fails here before anyone installs it.
interface LockedPackage {
  readonly version?: string;
  readonly engines?: Record<string, string> | readonly string[];
}
const root = new URL('../../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};

/** The lowest release of each supported major: every one must satisfy every dependency. */
function supportedFloors(range: string): string[] {
  const floor = semver.minVersion(range);
  if (floor === null) throw new Error(`engines.node "${range}" has no minimum`);
  return [floor.version, process.versions.node];
}

function excludedBy(enginesNode: string, node: string): boolean {
  const valid = semver.validRange(enginesNode);
  return valid !== null && !semver.satisfies(node, valid, { includePrerelease: true });
}

describe('dependency engines', () => {
  it('every locked package accepts the supported Node range and the Node running the tests', () => {
    const offenders: string[] = [];
    for (const [path, pkg] of Object.entries(lock.packages)) {
      if (path === '' || pkg.engines === undefined || Array.isArray(pkg.engines)) continue;
      const wanted = (pkg.engines as Record<string, string>).node;
      if (wanted === undefined) continue;
      for (const node of supportedFloors(manifest.engines.node)) {
        if (excludedBy(wanted, node)) offenders.push(`${path}@${pkg.version ?? '?'} needs node ${wanted} (checked ${node})`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the check itself notices a package that needs a newer Node', () => {
    expect(excludedBy('>=22', '20.0.0')).toBe(true);
    expect(excludedBy('>=18', '20.0.0')).toBe(false);
  });
});
