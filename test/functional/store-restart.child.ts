// Child process of store-restart.test.ts: a minimal daemon that only samples into the store and
// persists it, so the test can SIGKILL it at any moment and restart it.
//   write <dataDir> <intervalMs>: load, then append to 50 series every 10 ms, save on the interval,
//                                 print `{"saved":...}` after each save; runs until killed.
//   read <dataDir>:               load and print what is there, then exit.
import { StorePersister } from '../../src/store/persist.js';
import { SampleStore } from '../../src/store/sample-store.js';

const [mode, dataDir, intervalArg] = process.argv.slice(2);
if (!dataDir || (mode !== 'write' && mode !== 'read')) throw new Error('usage: write|read <dataDir> [intervalMs]');

const store = new SampleStore({ retentionMs: 24 * 3_600_000, maxPointsPerSeries: 100_000 });
const persister = new StorePersister({
  store,
  dataDir,
  intervalMs: Number(intervalArg ?? 200),
  logger: { info: () => undefined, warn: (m) => process.stderr.write(`WARN ${m}\n`) },
});
const loaded = await persister.load();

function summary() {
  let points = 0;
  let first = Infinity;
  let last = -Infinity;
  let monotonic = true;
  for (const s of store.all()) {
    points += s.buffer.length;
    for (let i = 0; i < s.buffer.length; i++) {
      const t = s.buffer.timeAt(i);
      if (i > 0 && t <= s.buffer.timeAt(i - 1)) monotonic = false;
      // Every value is its own timestamp mod 1e6: a torn write would break the pairing.
      if (s.buffer.valueAt(i) !== t % 1e6) monotonic = false;
      first = Math.min(first, t);
      last = Math.max(last, t);
    }
  }
  return { series: store.seriesCount, points, first, last, consistent: monotonic };
}

if (mode === 'read') {
  process.stdout.write(`${JSON.stringify({ loaded, ...summary() })}\n`);
} else {
  process.stdout.write(`${JSON.stringify({ started: true, loaded })}\n`);
  setInterval(() => {
    const t = Date.now();
    for (let i = 0; i < 50; i++) store.appendRaw('m', { source: 'child', series: String(i) }, t, t % 1e6);
  }, 10);
  // Saves on the interval, reporting each one once it is on disk.
  setInterval(
    () => {
      persister
        .save()
        .then((r) => process.stdout.write(`${JSON.stringify({ saved: r.points })}\n`))
        .catch((err: unknown) => process.stderr.write(`save failed: ${String(err)}\n`));
    },
    Number(intervalArg ?? 200),
  );
}
