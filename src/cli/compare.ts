import { Command, InvalidArgumentError } from 'commander';
import { readMeasurement } from '../compare/baseline-file.js';
import { type CompareOptions, compareFiles, DEFAULT_COMPARE_OPTIONS, incompatibility } from '../compare/compare.js';
import { comparisonJson, comparisonTable } from '../compare/compare-report.js';
import { formatIssue } from '../config/load-config.js';
import { ERR } from '../core/errors.js';
import { parseRatio } from '../units/units.js';

/**
 * `vigil compare before.json after.json`: per figure before, after, change, confidence interval
 * and verdict. Exit 0 no regression, 1 a regression, 2 the files cannot be read or compared.
 */

interface Options {
  json?: boolean;
  confidence: string;
  replicates: string;
  seed: string;
  tolerance?: string;
}

function number(what: string, min: number, max: number) {
  return (text: string): string => {
    const v = Number(text);
    if (!Number.isFinite(v) || v < min || v > max) throw new InvalidArgumentError(`expected ${what} between ${min} and ${max}`);
    return text;
  };
}

export function command(): Command {
  return new Command('compare')
    .description('compare two saved measurements (vigil baseline --save): exit 0 no regression, 1 a regression, 2 cannot compare')
    .argument('<before>', 'the earlier measurement file')
    .argument('<after>', 'the later measurement file')
    .option('--json', 'JSON output (snake_case keys)')
    .option('--confidence <level>', 'two-sided confidence of the intervals', number('a level', 0.5, 0.999), '0.95')
    .option('--replicates <n>', 'bootstrap resamples per figure', number('a count', 100, 100_000), '2000')
    .option('--seed <n>', 'seed of the bootstrap (same seed, same intervals)', number('a seed', 0, 2 ** 31 - 1), '1')
    .option('--tolerance <share>', "replaces every objective's tolerance, e.g. 5%")
    .action(async (before: string, after: string, options: Options) => {
      process.exitCode = await compare(before, after, options);
    });
}

export async function compare(beforePath: string, afterPath: string, options: Options): Promise<number> {
  const [before, after] = await Promise.all([readMeasurement(beforePath), readMeasurement(afterPath)]);
  const issues = [...(before.ok ? [] : before.issues), ...(after.ok ? [] : after.issues)];
  if (!before.ok || !after.ok) {
    for (const issue of issues) console.error(formatIssue(issue));
    return 2;
  }
  const problems = incompatibility(before.file, after.file);
  if (problems.length) {
    for (const p of problems) console.error(`vigil compare: ${ERR.VIGIL_ERR_COMPARE_INCOMPATIBLE}: ${p}`);
    return 2;
  }
  let tolerance: number | undefined;
  try {
    tolerance = options.tolerance === undefined ? undefined : parseRatio(options.tolerance);
  } catch (err) {
    console.error(`vigil compare: --tolerance: ${(err as Error).message}`);
    return 2;
  }
  const compareOptions: CompareOptions = {
    ...DEFAULT_COMPARE_OPTIONS,
    confidence: Number(options.confidence),
    replicates: Math.round(Number(options.replicates)),
    seed: Math.round(Number(options.seed)),
    tolerance,
  };
  const result = compareFiles(before.file, after.file, compareOptions);
  console.log(options.json ? JSON.stringify(comparisonJson(result), null, 2) : comparisonTable(result));
  return result.regressed ? 1 : 0;
}
