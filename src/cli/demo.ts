import { Command } from 'commander';

// Placeholder until the issue that owns this verb lands.
export function command(): Command {
  return new Command('demo').description('not built yet').action(() => {
    console.error('vigil demo: not built yet');
    process.exitCode = 2;
  });
}
