import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { sloJsonSchema } from '../config/json-schema.js';

/** `vigil schema [--out file]`: the JSON Schema of the SLO file format, on stdout or into a file. */
export function command(): Command {
  return new Command('schema')
    .description('write the JSON Schema of the SLO file format (for editors: see docs/slo-format.md)')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action(async (options: { out?: string }) => {
      const text = `${JSON.stringify(sloJsonSchema(), null, 2)}\n`;
      if (options.out === undefined) {
        process.stdout.write(text);
        return;
      }
      const target = resolve(options.out);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
      console.error(`wrote ${options.out}`);
    });
}
