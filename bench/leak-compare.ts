/**
 * Judges the labelled corpus (test/leak-corpus) with the detector and with a least-squares slope
 * over the raw series (PromQL deriv/predict_linear), side by side: the final verdict of each shape,
 * false positives, misses and time to detect (replaying each series at increasing `now`).
 * Run: npm run bench:leak (prints this table, then the timing benchmark).
 */
import { DEFAULT_LEAK_THRESHOLDS, detectLeak } from '../src/leak/detect-leak.js';
import { buildLeakCorpus, CORPUS_LIMIT_BYTES, CORPUS_WINDOW_MS, type CorpusSeries } from '../test/leak-corpus/leak-corpus.js';
import { type LeakJudge, type ReplayResult, replay } from '../test/leak-corpus/replay.js';
import { leastSquaresLeak } from './leak-least-squares.js';

export const detectorJudge: LeakJudge = (t, v, now) =>
  detectLeak(t, v, { windowMs: CORPUS_WINDOW_MS, now, limitBytes: CORPUS_LIMIT_BYTES }).verdict === 'leak';

export const leastSquaresJudge: LeakJudge = (t, v, now) =>
  leastSquaresLeak(t, v, {
    windowMs: CORPUS_WINDOW_MS,
    now,
    limitBytes: CORPUS_LIMIT_BYTES,
    minGrowthShareOfLimit: DEFAULT_LEAK_THRESHOLDS.minGrowthShareOfLimit,
    minCoverage: DEFAULT_LEAK_THRESHOLDS.minCoverage,
  });

interface Row {
  series: CorpusSeries;
  detector: ReplayResult;
  leastSquares: ReplayResult;
}

function hours(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 3_600_000).toFixed(2)} h`;
}

function cell(label: string, r: ReplayResult): string {
  const verdict = r.finalLeak ? 'leak' : 'no leak';
  const wrong = (label === 'leak') !== r.finalLeak;
  if (label === 'leak') return `${verdict}${wrong ? ' (MISS)' : ''}, ttd ${hours(r.timeToDetectMs)}`;
  const early = r.firstLeakAt !== null && !r.finalLeak ? `, leak at ${hours(r.firstLeakAt - 0)}` : '';
  return `${verdict}${wrong ? ' (FALSE POSITIVE)' : ''}${early}`;
}

export function compareOnCorpus(): Row[] {
  return buildLeakCorpus().map((series) => ({
    series,
    detector: replay(series, detectorJudge),
    leastSquares: replay(series, leastSquaresJudge),
  }));
}

function summary(rows: Row[], pick: (r: Row) => ReplayResult): string[] {
  const judged = rows.filter((r) => !r.series.unsplit);
  const fp = judged.filter((r) => r.series.label === 'not-leak' && pick(r).finalLeak).length;
  const everFp = judged.filter(
    (r) => r.series.label === 'not-leak' && r.series.name !== 'leak-that-stops' && pick(r).firstLeakAt !== null,
  ).length;
  const leaks = judged.filter((r) => r.series.label === 'leak');
  const misses = leaks.filter((r) => !pick(r).finalLeak).length;
  const ttd = leaks
    .map((r) => pick(r).timeToDetectMs)
    .filter((x): x is number => x !== null)
    .sort((a, b) => a - b);
  const med = ttd.length ? ttd[Math.floor(ttd.length / 2)]! : null;
  return [`${fp} / ${judged.length - leaks.length}`, `${everFp}`, `${misses} / ${leaks.length}`, hours(med)];
}

function printTable(rows: Row[]): void {
  const start = (r: Row) => r.series.t[0]!;
  const lines: string[] = [];
  lines.push('| shape | label | Theil–Sen + Mann–Kendall (this detector) | least squares (deriv / predict_linear) |');
  lines.push('|---|---|---|---|');
  for (const r of rows) {
    const shift = (x: ReplayResult): ReplayResult => ({ ...x, firstLeakAt: x.firstLeakAt === null ? null : x.firstLeakAt - start(r) });
    const name = r.series.unsplit ? `${r.series.name} (unsplit, illustration)` : r.series.name;
    lines.push(
      `| ${name} | ${r.series.label} | ${cell(r.series.label, shift(r.detector))} | ${cell(r.series.label, shift(r.leastSquares))} |`,
    );
  }
  const d = summary(rows, (r) => r.detector);
  const l = summary(rows, (r) => r.leastSquares);
  lines.push('');
  lines.push('| totals (unsplit illustrations excluded) | this detector | least squares |');
  lines.push('|---|---|---|');
  lines.push(`| false positives at 24 h (non-leaking shapes) | ${d[0]} | ${l[0]} |`);
  lines.push(`| non-leaking shapes called leak at any replayed time (leak-that-stops excluded) | ${d[1]} | ${l[1]} |`);
  lines.push(`| misses at 24 h (leaking shapes) | ${d[2]} | ${l[2]} |`);
  lines.push(`| median time to detect | ${d[3]} | ${l[3]} |`);
  console.log(lines.join('\n'));
}

export function runComparison(): void {
  console.log(`# Leak corpus: detector vs least squares (window 24 h, limit 1 GiB, replay every 15 min)\n`);
  printTable(compareOnCorpus());
}
