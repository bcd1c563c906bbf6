/**
 * `npm run bench:leak`: first the corpus comparison (bench/leak-compare.ts), then the timing:
 * 1000 series of 24 h at 1 min (1440 points each) through detectLeak, time per full pass, with
 * the least-squares pass over the same data as the baseline in the same run.
 */
import { detectLeak } from '../src/leak/detect-leak.js';
import { SeededRandom } from '../test/leak-corpus/leak-corpus.js';
import { runComparison } from './leak-compare.js';
import { leastSquaresLeak } from './leak-least-squares.js';

const SERIES = 1000;
const POINTS = 1440;
const STEP_MS = 60_000;
const WINDOW_MS = POINTS * STEP_MS;
const LIMIT = 2 ** 30;
const PASSES = 20;
const WARMUP_PASSES = 3;

function makeSeries(): Array<{ t: Float64Array; v: Float64Array }> {
  const rnd = new SeededRandom(7);
  const start = Date.UTC(2026, 0, 1);
  const out: Array<{ t: Float64Array; v: Float64Array }> = [];
  for (let s = 0; s < SERIES; s++) {
    // A mix: a quarter leak at 0-3 %/h, all have a sawtooth and noise.
    const rate = s % 4 === 0 ? rnd.next() * 0.03 : 0;
    const period = 5 + Math.floor(rnd.next() * 30);
    const depth = 0.05 + rnd.next() * 0.3;
    const t = new Float64Array(POINTS);
    const v = new Float64Array(POINTS);
    for (let i = 0; i < POINTS; i++) {
      t[i] = start + i * STEP_MS;
      v[i] = (0.2 + (rate * i) / 60 + depth * ((i % period) / period) + 0.005 * rnd.gaussian()) * LIMIT;
    }
    out.push({ t, v });
  }
  return out;
}

function timePasses(label: string, pass: () => number): { label: string; medianMs: number; minMs: number; flagged: number } {
  let flagged = 0;
  for (let i = 0; i < WARMUP_PASSES; i++) flagged = pass();
  const times: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    const t0 = process.hrtime.bigint();
    flagged = pass();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { label, medianMs: times[Math.floor(PASSES / 2)]!, minMs: times[0]!, flagged };
}

function runTiming(): void {
  const data = makeSeries();
  const now = data[0]!.t[POINTS - 1]!;
  const detector = timePasses('detectLeak (Theil–Sen + Mann–Kendall on 48 bucket floors)', () => {
    let leaks = 0;
    for (const s of data) if (detectLeak(s.t, s.v, { windowMs: WINDOW_MS, now, limitBytes: LIMIT }).verdict === 'leak') leaks++;
    return leaks;
  });
  const baseline = timePasses('baseline: least squares over the raw points', () => {
    let leaks = 0;
    for (const s of data)
      if (leastSquaresLeak(s.t, s.v, { windowMs: WINDOW_MS, now, limitBytes: LIMIT, minGrowthShareOfLimit: 0.05, minCoverage: 0.25 }))
        leaks++;
    return leaks;
  });
  console.log(
    `\n# Timing: ${SERIES} series x ${POINTS} points (24 h at 1 min), ${PASSES} passes after ${WARMUP_PASSES} warm-up, node ${process.version}\n`,
  );
  console.log('| method | median ms / pass | best ms / pass | series called leak |');
  console.log('|---|---|---|---|');
  for (const r of [detector, baseline]) console.log(`| ${r.label} | ${r.medianMs.toFixed(1)} | ${r.minMs.toFixed(1)} | ${r.flagged} |`);
  console.log(
    `\ndetector / baseline time ratio: ${(detector.medianMs / baseline.medianMs).toFixed(2)}x; goal < 100 ms per pass: ${detector.medianMs < 100 ? 'met' : 'NOT met'}`,
  );
}

runComparison();
runTiming();
