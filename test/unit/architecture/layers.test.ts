import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The layer rule is only worth its CI time if it fails when the rule is broken: run the same
 * dependency-cruiser command as `npm run lint:deps` on the real tree (clean) and on a copy of
 * `src/` with one planted violation of each kind (exactly those reported).
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
// Several seconds on a busy two-core machine: the whole tree is parsed.
const CRUISE_TIMEOUT_MS = 120_000;

interface Cruise {
  readonly exitCode: number;
  /** `rule: from → to` (a cycle: `rule: a → b → a`), sorted. */
  readonly violations: string[];
}

/** `depcruise src` with the project's configuration, run in `cwd`. */
function cruise(cwd: string): Promise<Cruise> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'err'],
      { cwd, maxBuffer: 16 << 20 },
      (err, stdout) => {
        const exitCode = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        if (exitCode === -1) return reject(err);
        // One block per violation, `error rule: from → to`; a cycle continues on indented lines.
        const blocks = stdout.split(/^\s*error /m).slice(1);
        const violations = blocks.map((block) =>
          block
            .split(/\n\s*\n/)[0]!
            .replace(/\s+/g, ' ')
            .trim(),
        );
        resolve({ exitCode, violations: violations.sort() });
      },
    );
  });
}

/** One planted file per broken rule; paths relative to the copy's root. */
const PLANTED: Record<string, string> = {
  // level 1 importing level 3: the kind of edge this check was made for
  'src/store/planted-back-edge.ts': "import type { Source } from '../sources/source.js';\nexport type Planted = Source;\n",
  // a reader (level 5) importing the wiring (level 6)
  'src/server/planted-daemon-import.ts': "import { Daemon } from '../daemon/daemon.js';\nexport const planted = Daemon;\n",
  // inside level 6, an edge that is not in the list
  'src/daemon/planted-cli-import.ts': "import { command } from '../cli/run.js';\nexport const planted = command;\n",
  // a top folder without a level, imported from a placed one
  'src/extras/planted.ts': "import { parseDuration } from '../units/units.js';\nexport const planted = parseDuration;\n",
  'src/leak/planted-extras-user.ts': "import { planted } from '../extras/planted.js';\nexport const user = planted;\n",
  // a cycle inside one folder (no level rule can see it)
  'src/leak/planted-cycle-a.ts': "import { b } from './planted-cycle-b.js';\nexport const a = (): number => b() + 1;\n",
  'src/leak/planted-cycle-b.ts': "import { a } from './planted-cycle-a.js';\nexport const b = (): number => (a.length > 0 ? 1 : 0);\n",
};

describe('the layer rule (dependency-cruiser)', () => {
  let copy: string;

  beforeAll(async () => {
    copy = await mkdtemp(join(tmpdir(), 'vigil-layers-'));
    await cp(join(ROOT, 'src'), join(copy, 'src'), { recursive: true });
    for (const [path, text] of Object.entries(PLANTED)) {
      await mkdir(dirname(join(copy, path)), { recursive: true });
      await writeFile(join(copy, path), text);
    }
  });

  afterAll(async () => {
    await rm(copy, { recursive: true, force: true });
  });

  it(
    'passes on the real tree',
    async () => {
      const result = await cruise(ROOT);
      expect(result.violations).toEqual([]);
      expect(result.exitCode).toBe(0);
    },
    CRUISE_TIMEOUT_MS,
  );

  it(
    'fails on a copy with planted violations, naming exactly them',
    async () => {
      const result = await cruise(copy);
      expect(result.violations).toEqual(
        [
          'level-1-imports-down: src/store/planted-back-edge.ts → src/sources/source.ts',
          'level-5-imports-down: src/server/planted-daemon-import.ts → src/daemon/daemon.ts',
          'composition-daemon: src/daemon/planted-cli-import.ts → src/cli/run.ts',
          'unplaced-folder: src/leak/planted-extras-user.ts → src/extras/planted.ts',
          'unplaced-folder-importing: src/extras/planted.ts → src/units/units.ts',
          'no-circular: src/leak/planted-cycle-a.ts → src/leak/planted-cycle-b.ts → src/leak/planted-cycle-a.ts',
        ].sort(),
      );
      expect(result.exitCode).toBe(result.violations.length);
    },
    CRUISE_TIMEOUT_MS,
  );
});

describe('the layer table', () => {
  it('docs/architecture.md shows the levels the configuration enforces', async () => {
    const require = createRequire(import.meta.url);
    const { LAYERS } = (require(CONFIG) as { layers: { LAYERS: string[][] } }).layers;
    const doc = await readFile(join(ROOT, 'docs/architecture.md'), 'utf8');
    const documented: string[][] = [];
    for (const m of doc.matchAll(/^\| (\d) \| `src\/([a-z-]+)\/` \|/gm)) (documented[Number(m[1])] ??= []).push(m[2]!);
    expect(documented).toEqual(LAYERS);
  });
});
