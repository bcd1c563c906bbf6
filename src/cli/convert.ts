import { Command } from 'commander';

// Placeholder until the issue that owns this verb lands.
export function command(): Command {
  return new Command('convert').description('not built yet').action(() => {
    console.error('vigil convert: not built yet');
    process.exitCode = 2;
  });
}
