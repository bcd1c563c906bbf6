import { Command, InvalidArgumentError, Option } from 'commander';
import { ERR, isVigilError, vigilError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { parseDuration } from '../units/units.js';
import { loadProfile } from '../loadtest/profile-schema.js';
import { formatReport } from '../loadtest/report-text.js';
import { runLoadtest, type LoadtestOptions } from '../loadtest/run-loadtest.js';
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
const collect = (value: string, previous: string[] = []) => [...previous, value];

interface Flags {
  url: string;
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
}

/**
 * `vigil loadtest`: sustained rate, stress to the breaking point, or a production profile, with
 * pass/fail from the SLO files (exit 0 every objective held, 1 one broke, 2 could not run).
 */
export function command(): Command {
  return new Command('loadtest')
    .description('load-test a service (loopback only), pass/fail by its SLO files')
    .option('--url <url>', 'target base URL, or a full URL to hit one path', 'http://127.0.0.1:8095')
    .option('--rate <rps>', 'constant arrival rate, requests per second', positive('--rate'))
    .option('--duration <d>', 'how long a constant-rate run lasts (default: 60s)', duration)
    .option('--stress', 'step the rate up until an objective breaks or errors pass --max-errors')
    .option('--start-rate <rps>', 'stress: first step', positive('--start-rate'), 100)
    .option('--step-factor <x>', 'stress: each step multiplies the rate by this', positive('--step-factor'), 1.5)
    .addOption(new Option('--step-duration <d>', 'stress: length of each step').argParser(duration).default(10_000, '10s'))
    .option('--max-rate <rps>', 'stress: stop stepping above this rate', positive('--max-rate'), 20_000)
    .option('--min-rate <rps>', 'stress: pass only if at least this rate held (default: the first step)', positive('--min-rate'))
    .option('--profile <file>', 'production profile: phases, request mix, payload corpus (YAML)')
    .option('--method <m>', 'single-URL mode: HTTP method')
    .option('--body <json>', 'single-URL mode: JSON body; {{task}} is replaced by corpus tasks')
    .option('--slo <path>', 'SLO file or folder (repeatable); default slo/ when present', collect)
    .option('--config <vigil.yaml>', "evaluate with this vigil config's sources during the run")
    .option('--allow-remote', 'allow a target that is not a loopback address')
    .option('--timeout <s>', 'per-request timeout in seconds', positive('--timeout'), 10)
    .option('--max-errors <ratio>', 'error ratio (5xx + unanswered) that fails the run', Number, 0.01)
    .option('--no-watch', "do not evaluate with vigil's sources during the run")
    .option('--json', 'print the report as JSON')
    .option('--save <file>', 'save the run as a measurement for vigil compare (raw latencies, throughput, errors)')
    .option('--compare <before.json>', 'compare the run with a saved load-test measurement; exit 1 on a regression')
    .option('--service <name>', 'service name in the saved measurement (default: the target host and port)')
    .action(async (flags: Flags) => {
      try {
        const options: LoadtestOptions = {
          url: flags.url,
          allowRemote: flags.allowRemote ?? false,
          timeoutS: flags.timeout,
          maxErrorRatio: flags.maxErrors,
          progress: !flags.json,
          watch: flags.watch,
        };
        if (flags.rate !== undefined) {
          options.rate = flags.rate;
          options.durationMs = flags.duration ?? 60_000;
        }
        if (flags.profile) options.profile = { profile: loadProfile(flags.profile), path: flags.profile };
        if (flags.stress) {
          options.stress = { startRate: flags.startRate, factor: flags.stepFactor, maxRate: flags.maxRate, stepMs: flags.stepDuration };
          if (flags.minRate !== undefined) options.stress.minRate = flags.minRate;
        }
        if (!options.stress && options.rate === undefined && !options.profile) {
          throw vigilError(ERR.VIGIL_ERR_LOADTEST_USAGE);
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
        let latencies: Parameters<typeof saveOrCompare>[1] = { overallMs: new Float64Array(), perKindMs: new Map() };
        options.onLatencies = (overallMs, perKindMs) => (latencies = { overallMs, perKindMs });
        const report = await runLoadtest(options);
        // The report quotes objectives' and sources' error texts: scrubbed like every output.
        console.log(redact(flags.json ? JSON.stringify(report, null, 2) : formatReport(report)));
        process.exitCode = report.passed ? 0 : 1;
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
