import { Command } from 'commander';
import type { ConfigIssue } from '../config/config.js';
import { formatIssue, loadConfig } from '../config/load-config.js';
import { samplingWarnings } from '../config/sampling-warnings.js';
import { exitCodeForAll } from '../core/errors.js';

/**
 * `vigil validate [paths...]`: exit 0 when every file is valid, 1 when any is not, 2 when it
 * could not run (a path that does not exist). One line per issue, then a summary line.
 */

export const EXIT = { valid: 0, invalid: 1, cannotRun: 2 } as const;

interface Options {
  config?: string;
  json?: boolean;
}

export function command(): Command {
  return new Command('validate')
    .description('validate SLO files (and the daemon config with --config); exit 0 valid, 1 invalid, 2 could not run')
    .argument('[paths...]', "SLO files or folders of them (default: the config's `slo` list, or ./slo)")
    .option('-c, --config <file>', 'daemon config (vigil.yaml); also checks that objectives name sources it defines')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 valid, 1 invalid, 2 could not run (a path that does not exist).\n' +
        'Each issue is one line: file:line:column field.path: message. Reference: docs/slo-format.md',
    )
    .action(async (paths: string[], options: Options) => {
      process.exitCode = await validate(paths, options);
    });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export async function validate(paths: string[], options: Options): Promise<number> {
  const result = await loadConfig({
    configPath: options.config,
    sloPaths: paths.length > 0 ? paths : undefined,
  });
  // Warnings (what a Sloth/OpenSLO conversion dropped) come first and do not change the exit code.
  if (!options.json) for (const warning of result.warnings) console.log(`warning: ${warning}`);
  if (result.ok) {
    // Valid, but unable to give the figures promised (a source too slow for a window, a period the store cannot hold).
    const sampling = samplingWarnings(result.config);
    if (!options.json) for (const warning of sampling) console.log(`warning: ${warning}`);
    const services = result.config.services;
    const objectives = services.reduce((n, s) => n + s.slo.objectives.length, 0);
    // A Sloth or OpenSLO file may hold several services.
    const paths = new Set(services.map((s) => s.path)).size;
    const counted =
      paths === services.length ? plural(paths, 'SLO file') : `${plural(paths, 'SLO file')} (${plural(services.length, 'service')})`;
    const summary = `valid: ${counted}, ${plural(objectives, 'objective')}${options.config ? `, config ${options.config}` : ''}`;
    if (options.json) {
      print({
        valid: true,
        files: services.map((s) => s.path),
        services: services.map((s) => s.slo.service),
        issues: [],
        warnings: [...result.warnings, ...sampling],
        summary,
      });
    } else {
      console.log(summary);
    }
    return EXIT.valid;
  }
  const issues: ConfigIssue[] = result.issues;
  const cannotRun = exitCodeForAll(issues.map((i) => i.code)) === EXIT.cannotRun;
  const files = new Set(issues.map((i) => i.file));
  const summary = `${cannotRun ? 'could not validate' : 'invalid'}: ${plural(issues.length, 'issue')} in ${plural(files.size, 'file')}`;
  if (options.json) {
    print({ valid: false, issues, warnings: result.warnings, summary });
  } else {
    for (const issue of issues) console.log(formatIssue(issue));
    console.log(summary);
  }
  return cannotRun ? EXIT.cannotRun : EXIT.invalid;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
