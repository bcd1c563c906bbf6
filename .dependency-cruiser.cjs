// The layer rule of vigil, checked by `npm run lint:deps` (part of `npm test`). docs/architecture.md
// shows the same table; test/unit/architecture/layers.test.ts checks that the two agree and that
// this configuration fails on a planted back-edge and a planted cycle.

/** Level -> top folders of src/. An import only ever points to the same level or a lower one. */
const LAYERS = [
  ['core', 'units'],
  ['config', 'store', 'leak'],
  ['promql'],
  ['sources'],
  ['snapshot'],
  ['evaluate', 'metrics', 'server', 'alerting', 'generate', 'ui', 'advise', 'compare'],
  ['daemon', 'loadtest', 'cli', 'examples'],
];

/**
 * Level 6 is composition: nothing below imports it, and inside it only these edges exist. The CLI
 * is the entry point of every verb (`run` and `demo` start the daemon, `loadtest` the load test,
 * `demo` the example service); the example's traffic reuses the load test's payload corpus.
 */
const COMPOSITION_EDGES = {
  cli: ['daemon', 'loadtest', 'examples'],
  examples: ['loadtest'],
  daemon: [],
  loadtest: [],
};

const folders = (list) => `^src/(${list.join('|')})/`;
const above = (level) => LAYERS.slice(level + 1).flat();
const known = LAYERS.flat();

const layerRules = LAYERS.slice(0, -1).map((names, level) => ({
  name: `level-${level}-imports-down`,
  comment: `${names.join(', ')} (level ${level}) must not import from a higher level (${above(level).join(', ')})`,
  severity: 'error',
  from: { path: folders(names) },
  to: { path: folders(above(level)) },
}));

const compositionRules = Object.entries(COMPOSITION_EDGES).map(([from, allowed]) => ({
  name: `composition-${from}`,
  comment: `${from} may import from level 6 only: ${allowed.join(', ') || 'nothing'}`,
  severity: 'error',
  from: { path: folders([from]) },
  to: { path: folders(LAYERS[6].filter((name) => name !== from && !allowed.includes(name))) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    ...compositionRules,
    {
      name: 'no-circular',
      comment: 'a cycle makes both ends one module: merge them or move the shared part down',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'unplaced-folder',
      comment: 'every top folder of src/ has a level in the layer table (this file and docs/architecture.md)',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: folders(known) },
    },
    {
      name: 'unplaced-folder-importing',
      comment: 'every top folder of src/ has a level in the layer table (this file and docs/architecture.md)',
      severity: 'error',
      from: { path: '^src/', pathNot: folders(known) },
      to: {},
    },
    {
      name: 'src-not-to-tests',
      comment: 'shipped code never imports tests, the harness or benchmarks',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // swc parses TypeScript without the typescript package's compiler API (TypeScript 7 has none)
    // and reports type-only imports too: a type import is a dependency like any other.
    parser: 'swc',
    // Imports name the emitted `.js`; the source beside it is the `.ts`.
    enhancedResolveOptions: { extensions: ['.ts', '.js'], exportsFields: ['exports'], conditionNames: ['import', 'node', 'default', 'types'] },
    moduleSystems: ['es6'],
  },
};

// For the test that compares the table with docs/architecture.md. Not enumerable: dependency-cruiser
// validates its configuration against a schema that allows no other keys.
Object.defineProperty(module.exports, 'layers', { value: { LAYERS, COMPOSITION_EDGES }, enumerable: false });
