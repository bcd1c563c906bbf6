#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { isVigilError } from '../core/errors.js';
import { redact } from '../core/redact.js';

/**
 * `vigil`: one file per verb under src/cli/, each exporting `command()`. Verbs are imported
 * lazily so `vigil validate` does not load dockerode, pg and fastify.
 */
const VERBS: Array<[name: string, summary: string, load: () => Promise<{ command(): Command }>]> = [
  ['run', 'run the monitoring daemon', () => import('./run.js')],
  ['check', 'the deploy gate: judge a fresh sample (or a daemon with --from); exit 1 on any breach', () => import('./check.js')],
  ['baseline', 'print current p95_latency, memory_usage, cpu_usage as `key value unit` lines', () => import('./baseline.js')],
  [
    'compare',
    'compare two saved measurements: before, after, change, interval, verdict; exit 1 on a regression',
    () => import('./compare.js'),
  ],
  [
    'advise',
    'recommend Redis and PostgreSQL changes; writes a reviewable script, changes nothing unless --apply',
    () => import('./advise.js'),
  ],
  ['validate', 'validate SLO files and the daemon config', () => import('./validate.js')],
  ['schema', 'write the JSON Schema of the SLO file format', () => import('./schema.js')],
  ['generate', 'write Prometheus rules into alerts/ and Grafana dashboards into dashboards/', () => import('./generate.js')],
  ['convert', 'convert Sloth or OpenSLO files to vigil SLO files', () => import('./convert.js')],
  ['loadtest', 'load-test a service, pass/fail by its SLO files', () => import('./loadtest.js')],
  ['demo', 'start the example ML service and vigil watching it', () => import('./demo.js')],
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('vigil')
    .description('Performance SLO monitoring and alerting for ML services')
    .version(version())
    .showHelpAfterError();
  const wanted = argv[2];
  for (const [name, summary, load] of VERBS) {
    if (name === wanted) program.addCommand((await load()).command());
    else program.command(name).description(summary).helpOption(false).allowUnknownOption();
  }
  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  // The last resort for an error nothing else caught: its text may quote a connection URL.
  const code = isVigilError(err) ? `${err.code}: ` : '';
  console.error(redact(`vigil: ${code}${err instanceof Error ? err.message : String(err)}`));
  process.exit(2);
});
