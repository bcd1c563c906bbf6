import { Command, InvalidArgumentError, Option } from 'commander';
import { ERR, isVigilError, vigilError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { loadProfile } from '../loadtest/profile-schema.js';
import { formatReport, reportJson } from '../loadtest/report-text.js';
import { runLoadtestWithLatencies } from '../loadtest/run-loadtest.js';
import { LOADTEST_DEFAULTS, type LoadtestOptions } from '../loadtest/run-plan.js';
import { parseBytes, parseDuration } from '../units/units.js';
import { readSavedReport, writeHtmlReport } from './loadtest-report.js';
import { saveOrCompare } from './loadtest-save.js';

const positive = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number for ${name}`);
  return n;
};
const duration = (value: string) => {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
/** A soak may have no warm-up at all (`--warmup 0s`). */
const durationOrZero = (value: string) => {
  try {
    return parseDuration(value, { allowZero: true });
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
const bytes = (value: string) => {
  try {
    return parseBytes(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

interface Flags {
  url?: string;
  rate?: number;
  duration?: number;
  stress?: boolean;
  startRate: number;
  stepFactor: number;
  stepDuration: number;
  maxRate: number;
  minRate?: number;
  profile?: string;
  method?: string;
  body?: string;
  slo?: string[];
  config?: string;
  allowRemote?: boolean;
  timeout: number;
  maxErrors: number;
  watch: boolean;
  json?: boolean;
  save?: string;
  compare?: string;
  service?: string;
  arrivals: 'uniform' | 'poisson';
  connections?: number;
  maxConnections: number;
  workers: number | 'auto';
  soak?: number;
  checkpoint?: number;
  memoryLimit?: number;
  checkpointFile?: string;
  resume?: string;
  warmup?: number;
  maxWarmup?: number;
  report?: string;
  reportFrom?: string;
}

const workersFlag = (value: string): number | 'auto' => (value === 'auto' ? 'auto' : positive('--workers')(value));

/**
 * `vigil loadtest`: sustained rate, stress to the breaking point, or a production profile, with
 * pass/fail from the SLO files (exit 0 every objective held, 1 one broke, 2 could not run).
 */
export function command(): Command {
  return new Command('loadtest')
    .description('load-test a service (loopback only), pass/fail by its SLO files')
    .option('--url <url>', "the URL every request goes to, or with --profile the target's base URL (default: the profile's target)")
    .option('--rate <rps>', 'open model: constant arrival rate, requests per second', positive('--rate'))
    .addOption(
      new Option('--arrivals <process>', 'open model: evenly spaced or Poisson arrivals')
        .choices(['uniform', 'poisson'])
        .default(LOADTEST_DEFAULTS.arrivals),
    )
    .option('--connections <n>', 'closed model (as wrk): n connections, each sending when answered; no --rate', positive('--connections'))
    .option(
      '--max-connections <n>',
      'open model: at most n connections (requests beyond wait; the wait counts)',
      positive('--max-connections'),
      LOADTEST_DEFAULTS.maxConnections,
    )
    .option(
      '--workers <n|auto>',
      'worker threads that send the load; auto: enough for the planned rate (a short calibration), one more when the generator falls behind, at most the cores',
      workersFlag,
      LOADTEST_DEFAULTS.workers,
    )
    .option('--duration <d>', `how long a constant-rate run lasts (default: ${LOADTEST_DEFAULTS.durationMs / 1000}s)`, duration)
    .option('--stress', 'step the rate up until an objective breaks or errors pass --max-errors')
    .option('--start-rate <rps>', 'stress: first step', positive('--start-rate'), 100)
    .option('--step-factor <x>', 'stress: each step multiplies the rate by this', positive('--step-factor'), 1.5)
    .addOption(new Option('--step-duration <d>', 'stress: length of each step').argParser(duration).default(10_000, '10s'))
    .option('--max-rate <rps>', 'stress: stop stepping above this rate', positive('--max-rate'), 20_000)
    .option('--min-rate <rps>', 'stress: pass only if at least this rate held (default: the first step)', positive('--min-rate'))
    .option('--soak <d>', 'soak: steady --rate for this long (e.g. 24h), checkpoints, the target memory judged for leaks', duration)
    .option('--checkpoint <d>', 'soak: summarise, judge and write the checkpoint file this often (default: a twelfth, 10s..10m)', duration)
    .option('--memory-limit <bytes>', "soak: the target's memory limit (e.g. 512MiB): leak materiality and time to exhaustion", bytes)
    .option(
      '--warmup <d>',
      'soak: load before the soak, not measured, at least this long (default: a twelfth, at most 10m; none when resuming)',
      durationOrZero,
    )
    .option(
      '--max-warmup <d>',
      "soak: the warm-up goes on while the target's memory still rises, up to this long (default: the soak's length, at most 30m)",
      durationOrZero,
    )
    .option('--checkpoint-file <file>', 'soak: rewrite this JSON file at every checkpoint (kept if the run is killed)')
    .option('--resume <checkpoint-file>', 'soak: continue an interrupted soak (same --soak, --rate, target) from its checkpoint file')
    .option('--profile <file>', 'production profile: phases, request mix, payload corpus (YAML)')
    .option('--method <m>', 'single-URL mode: HTTP method')
    .option('--body <json>', 'single-URL mode: JSON body; {{task}} is replaced by corpus tasks')
    .option('--slo <path>', 'SLO file or folder (repeatable); default slo/ when present', collect)
    .option('--config <vigil.yaml>', "evaluate with this vigil config's sources during the run")
    .option('--allow-remote', 'allow a target that is not a loopback address')
    .option('--timeout <s>', 'per-request timeout in seconds', positive('--timeout'), LOADTEST_DEFAULTS.timeoutS)
    .option('--max-errors <ratio>', 'error ratio (5xx + unanswered) that fails the run', Number, LOADTEST_DEFAULTS.maxErrorRatio)
    .option('--no-watch', "do not evaluate with vigil's sources during the run")
    .option('--json', 'print the report as JSON')
    .option('--save <file>', 'save the run as a measurement for vigil compare (raw latencies, throughput, errors)')
    .option('--compare <before.json>', 'compare the run with a saved load-test measurement; exit 1 on a regression')
    .option('--service <name>', 'service name in the saved measurement (default: the target host and port)')
    .option('--report <file.html>', 'write the run as one HTML file that opens offline (charts over time, steps, verdicts)')
    .option('--report-from <run.json>', 'with --report: render a report saved with --json instead of running')
    .action(async (flags: Flags) => {
      try {
        if (flags.reportFrom !== undefined) {
          if (flags.report === undefined)
            throw vigilError(ERR.VIGIL_ERR_LOADTEST_USAGE, { detail: '--report-from needs --report file.html' });
          writeHtmlReport(readSavedReport(flags.reportFrom), flags.report);
          console.error(`vigil loadtest: wrote ${flags.report}`);
          return;
        }
        const profile = flags.profile ? { profile: loadProfile(flags.profile), path: flags.profile } : undefined;
        const url = flags.url ?? profile?.profile.target;
        if (!url) throw vigilError(ERR.VIGIL_ERR_LOADTEST_USAGE, { detail: 'give --url (or a profile with a target)' });
        const options: LoadtestOptions = {
          url,
          allowRemote: flags.allowRemote ?? false,
          timeoutS: flags.timeout,
          maxErrorRatio: flags.maxErrors,
          progress: !flags.json,
          watch: flags.watch,
          arrivals: flags.arrivals,
          maxConnections: flags.maxConnections,
          workers: flags.workers,
        };
        if (flags.connections !== undefined) options.connections = flags.connections;
        if (flags.soak !== undefined) {
          options.soak = { durationMs: flags.soak, limitBytes: flags.memoryLimit ?? null, checkpointFile: flags.checkpointFile ?? null };
          if (flags.checkpoint !== undefined) options.soak.checkpointMs = flags.checkpoint;
          if (flags.warmup !== undefined) options.soak.warmupMs = flags.warmup;
          if (flags.maxWarmup !== undefined) options.soak.maxWarmupMs = flags.maxWarmup;
          if (flags.resume !== undefined) options.soak.resumeFrom = flags.resume;
        }
        if (flags.rate !== undefined) options.rate = flags.rate;
        if (flags.duration !== undefined) options.durationMs = flags.duration;
        if (profile) options.profile = profile;
        if (flags.stress) {
          options.stress = { startRate: flags.startRate, factor: flags.stepFactor, maxRate: flags.maxRate, stepMs: flags.stepDuration };
          if (flags.minRate !== undefined) options.stress.minRate = flags.minRate;
        }
        if (flags.method) options.method = flags.method.toUpperCase() as LoadtestOptions['method'];
        if (flags.body !== undefined) {
          try {
            options.body = JSON.parse(flags.body);
          } catch {
            options.body = flags.body;
          }
        }
        if (flags.slo) options.sloPaths = flags.slo;
        if (flags.config) options.configPath = flags.config;
        const { report, latencies } = await runLoadtestWithLatencies(options);
        // The report quotes objectives' and sources' error texts: scrubbed like every output.
        console.log(redact(flags.json ? reportJson(report) : formatReport(report)));
        process.exitCode = report.passed ? 0 : 1;
        if (flags.report !== undefined) {
          writeHtmlReport(report, flags.report);
          console.error(`vigil loadtest: wrote ${flags.report}`);
        }
        if (flags.save !== undefined || flags.compare !== undefined) {
          const code = await saveOrCompare(report, latencies, flags);
          process.exitCode = Math.max(process.exitCode, code);
        }
      } catch (err) {
        const code = isVigilError(err) ? `${err.code}: ` : '';
        console.error(redact(`vigil loadtest: ${code}${err instanceof Error ? err.message : String(err)}`));
        process.exitCode = 2;
      }
    });
}
