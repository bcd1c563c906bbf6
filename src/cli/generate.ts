import { relative } from 'node:path';
import { Command, Option } from 'commander';
import { formatIssue, loadConfig } from '../config/load-config.js';
import { exitCodeForAll, isVigilError } from '../core/errors.js';
import { generateAll } from '../generate/generate.js';
import { inFormat, OUTPUT_FORMATS, type OutputFormat } from '../generate/output-formats.js';
import { findDrift, writeOutputs } from '../generate/write-outputs.js';

/**
 * `vigil generate`: Prometheus rule files into alerts/, Grafana dashboards into dashboards/.
 * Exit 0 done (or, with --check, everything current), 1 out of date (--check) or invalid SLO
 * files, 2 could not run.
 */

interface Options {
  slo: string[];
  alertsDir: string;
  dashboardsDir: string;
  config?: string;
  grafanaUrl?: string;
  runbookBase?: string;
  externalUrl?: string;
  check?: boolean;
  format?: OutputFormat;
}

export function command(): Command {
  return new Command('generate')
    .description('write Prometheus rules into alerts/ and Grafana dashboards into dashboards/ from the SLO files')
    .option('--slo <path...>', 'SLO files or folders (vigil, Sloth or OpenSLO)', ['slo'])
    .option('--alerts-dir <dir>', 'where rule files go', 'alerts')
    .option('--dashboards-dir <dir>', 'where dashboards go', 'dashboards')
    .option('-c, --config <file>', "daemon config (vigil.yaml): its windowSets (a team's own burn-rate window sets) and source names")
    .option('--grafana-url <url>', 'Grafana base URL for dashboard_url annotations (default: a relative /d/<uid> link)')
    .option(
      '--runbook-base <url>',
      'runbook_url of alerts whose objective has no alert.runbookUrl: <url>#<alert kind> (default: no runbook_url)',
    )
    .option('--external-url <url>', "vigil's external URL: alerts get status_page_url, the objective on the status page (default: none)")
    .option('--check', 'write nothing; exit 1 listing the files that are out of date')
    .addOption(
      new Option(
        '--format <format>',
        'output layout: prometheus (rule files), prometheus-operator (PrometheusRule + dashboard ConfigMaps), mimir (rule files with a namespace, for mimirtool)',
      )
        .choices([...OUTPUT_FORMATS])
        .default('prometheus'),
    )
    .action(async (options: Options) => {
      process.exitCode = await generate(options);
    });
}

/** The base goes into every alert as `<base>#<anchor>`: an absolute http(s) URL without a fragment of its own. */
function runbookBaseProblem(base: string): string | null {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return `--runbook-base ${JSON.stringify(base)} is not a URL; expected e.g. https://runbooks.example.com/slo`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `--runbook-base must be an http(s) URL, got ${JSON.stringify(base)}`;
  if (base.includes('#')) return `--runbook-base must not have a #fragment (vigil appends #<alert kind>), got ${JSON.stringify(base)}`;
  return null;
}

export async function generate(options: Options): Promise<number> {
  const cwd = process.cwd();
  const problem = options.runbookBase !== undefined ? runbookBaseProblem(options.runbookBase) : null;
  if (problem !== null) {
    console.error(`vigil generate: ${problem}`);
    return 2;
  }
  // The same loader as the daemon's: the window sets come from the config, never from the output folder.
  const loaded = await loadConfig({ configPath: options.config, sloPaths: options.slo, cwd });
  for (const warning of loaded.warnings) console.error(`warning: ${warning}`);
  if (!loaded.ok) {
    for (const issue of loaded.issues) console.error(formatIssue(issue));
    console.error(`vigil generate: ${loaded.issues.length} issue(s) in the config or SLO files; nothing generated`);
    return exitCodeForAll(loaded.issues.map((i) => i.code));
  }
  const folders = { alerts: options.alertsDir, dashboards: options.dashboardsDir };
  let result;
  try {
    result = inFormat(
      generateAll(
        loaded.config.services.map((f) => ({ path: relative(cwd, f.path) || f.path, slo: f.slo })),
        {
          windowSets: loaded.config.windowSets,
          ...(options.grafanaUrl !== undefined ? { grafanaUrl: options.grafanaUrl } : {}),
          ...(options.runbookBase !== undefined ? { runbookBase: options.runbookBase } : {}),
          ...(options.externalUrl !== undefined ? { externalUrl: options.externalUrl } : {}),
        },
      ),
      options.format ?? 'prometheus',
    );
  } catch (err) {
    if (isVigilError(err) && err.exitCode !== undefined) {
      console.error(`vigil generate: ${err.code}: ${err.message}`);
      return err.exitCode;
    }
    throw err;
  }
  for (const note of result.notes) console.error(`note: ${note}`);
  if (options.check) {
    const drift = await findDrift(result.files, folders);
    for (const path of drift.outdated) console.log(`out of date: ${path}`);
    for (const path of drift.stale) console.log(`not generated from any SLO file: ${path}`);
    if (drift.outdated.length > 0 || drift.stale.length > 0) {
      console.log(`vigil generate --check: ${drift.outdated.length + drift.stale.length} file(s) differ; run vigil generate`);
      return 1;
    }
    console.log(`vigil generate --check: ${result.files.length} file(s) up to date`);
    return 0;
  }
  const written = await writeOutputs(result.files, folders);
  console.log(`vigil generate: ${result.files.length} file(s), ${written.length} written`);
  for (const path of written) console.log(`  ${path}`);
  return 0;
}
