import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { stringify } from 'yaml';
import type { ConfigIssue } from '../config/config.js';
import { convertFile } from '../config/import/index.js';
import { formatIssue } from '../config/issue-format.js';
import { sloFileSchema } from '../config/slo-schema.js';
import { ERR, exitCodeForAll } from '../core/errors.js';

/**
 * `vigil convert <files...> [--out dir]`: Sloth (`prometheus/v1`, `PrometheusServiceLevel`) and OpenSLO (v1, v1alpha) files to vigil/v1
 * SLO files, one per service (`<out>/<service>.yaml`), or to stdout without --out. Exit 0 done,
 * 1 a file could not be converted (issues with file:line:column), 2 could not run.
 */

interface Options {
  out?: string;
}

export function command(): Command {
  return new Command('convert')
    .description('convert Sloth (prometheus/v1, PrometheusServiceLevel) or OpenSLO (v1, v1alpha) files to vigil SLO files')
    .argument('<files...>', 'Sloth or OpenSLO YAML files')
    .option('-o, --out <dir>', 'write <dir>/<service>.yaml instead of printing')
    .action(async (files: string[], options: Options) => {
      process.exitCode = await convert(files, options);
    });
}

export async function convert(files: string[], options: Options): Promise<number> {
  const cwd = process.cwd();
  const issues: ConfigIssue[] = [];
  const outputs: Array<{ service: string; text: string; from: string }> = [];
  for (const file of files) {
    const display = relative(cwd, resolve(cwd, file)) || file;
    const result = await convertFile(resolve(cwd, file), display);
    for (const w of result.warnings) console.error(`warning: ${w}`);
    issues.push(...result.issues);
    for (const s of result.services) {
      // The output must itself be a valid vigil file; a converter bug must not write junk.
      const check = sloFileSchema.safeParse(s.slo);
      if (!check.success) {
        for (const i of check.error.issues) {
          issues.push({
            file: display,
            line: 0,
            column: 0,
            path: i.path.join('.'),
            message: `after conversion: ${i.message}`,
            code: ERR.VIGIL_ERR_CONFIG_IMPORT,
          });
        }
        continue;
      }
      const header = `# Converted by \`vigil convert\` from ${basename(display)} (${s.format === 'sloth' ? 'Sloth' : 'OpenSLO'}).\n`;
      outputs.push({ service: s.service, from: display, text: header + stringify(s.slo, { lineWidth: 0 }) });
    }
  }
  if (issues.length > 0) {
    for (const i of issues) console.error(formatIssue(i));
    console.error(`vigil convert: ${issues.length} issue(s); nothing written`);
    return exitCodeForAll(issues.map((i) => i.code));
  }
  const seen = new Map<string, string>();
  for (const o of outputs) {
    const first = seen.get(o.service);
    if (first !== undefined) {
      console.error(`vigil convert: service ${o.service} comes from both ${first} and ${o.from}; convert them separately`);
      return 1;
    }
    seen.set(o.service, o.from);
  }
  if (options.out === undefined) {
    process.stdout.write(outputs.map((o) => o.text).join('---\n'));
    return 0;
  }
  await mkdir(options.out, { recursive: true });
  for (const o of outputs) {
    const path = join(options.out, `${o.service}.yaml`);
    await writeFile(path, o.text);
    console.log(`wrote ${path}`);
  }
  return 0;
}
