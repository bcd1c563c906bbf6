import { writeFile } from 'node:fs/promises';
import { readMeasurement } from '../compare/baseline-file.js';
import { compareFiles, DEFAULT_COMPARE_OPTIONS, incompatibility } from '../compare/compare.js';
import { comparisonTable } from '../compare/compare-report.js';
import { formatIssue } from '../config/load-config.js';
import { ERR } from '../core/errors.js';
import type { LoadtestReport, RunLatencies } from '../loadtest/run-loadtest.js';
import { loadtestMeasurement } from './loadtest-measurement.js';

/** `vigil loadtest --save run.json` / `--compare before.json`: 0 saved / no regression, 1 a regression, 2 cannot compare. */
export async function saveOrCompare(
  report: LoadtestReport,
  latencies: RunLatencies,
  flags: {
    save?: string;
    compare?: string;
    service?: string;
    rate?: number;
    duration?: number;
    stress?: boolean;
    soak?: number;
    connections?: number;
    profile?: string;
    json?: boolean;
  },
): Promise<number> {
  // With --json, stdout holds the report alone; what people read goes to stderr.
  const say = flags.json ? (text: string) => console.error(text) : (text: string) => console.log(text);
  const service = flags.service ?? new URL(report.target).host;
  const measurement = loadtestMeasurement(report, latencies, {
    service,
    command: process.argv.slice(2).join(' '),
    seed: Date.now() % 2 ** 31,
    load: {
      rate: flags.rate ?? null,
      duration_ms: flags.duration ?? null,
      stress: flags.stress ?? false,
      soak_ms: flags.soak ?? null,
      connections: flags.connections ?? null,
      profile: flags.profile ?? null,
    },
  });
  if (flags.save !== undefined) {
    await writeFile(flags.save, `${JSON.stringify(measurement, null, 1)}\n`);
    say(`saved ${measurement.figures.length} figures to ${flags.save}`);
  }
  if (flags.compare === undefined) return 0;
  const before = await readMeasurement(flags.compare);
  if (!before.ok) {
    for (const issue of before.issues) console.error(formatIssue(issue));
    return 2;
  }
  const problems = incompatibility(before.file, measurement);
  if (problems.length) {
    for (const p of problems) console.error(`vigil loadtest --compare: ${ERR.VIGIL_ERR_COMPARE_INCOMPATIBLE}: ${p}`);
    return 2;
  }
  const result = compareFiles(before.file, measurement, DEFAULT_COMPARE_OPTIONS);
  say(comparisonTable(result));
  return result.regressed ? 1 : 0;
}
