import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { sloOption } from '../../../src/cli/slo-option.js';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;

function parse(argv: string[]): { args: string[]; slo: string[] | undefined } {
  const cmd = new Command('baseline').argument('[service]').option('-c, --config <file>').addOption(sloOption()).exitOverride();
  cmd.parse(argv, { from: 'user' });
  return { args: cmd.args, slo: cmd.opts<{ slo?: string[] }>().slo };
}

describe('--slo next to positional arguments', () => {
  it.each([
    [['--config', 'c.yaml', '--slo', 'dir', 'ml-services']],
    [['ml-services', '--config', 'c.yaml', '--slo', 'dir']],
    [['--slo', 'dir', 'ml-services', '--config', 'c.yaml']],
    [['--slo=dir', 'ml-services']],
  ])('%j: the service stays a positional, dir the only SLO path', (argv) => {
    expect(parse(argv)).toEqual({ args: ['ml-services'], slo: ['dir'] });
  });

  it('collects several paths from repeated flags and commas', () => {
    expect(parse(['--slo', 'a.yaml', '--slo', 'b/,c.yaml']).slo).toEqual(['a.yaml', 'b/', 'c.yaml']);
    expect(parse([]).slo).toBeUndefined();
  });

  it('vigil baseline --slo <dir> <service>: the service is looked up, not read as a file', async () => {
    const out = await run(process.execPath, ['dist/cli/main.js', 'baseline', '--slo', 'test/fixtures/valid/slo', 'no-such-service'], {
      cwd: root,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/no-such-service/);
    expect(out.stderr).not.toMatch(/no such file/i);
  });
});
