import { Command } from 'commander';
import { formatIssue } from '../config/load-config.js';
import { Daemon, isDaemonConfigError } from '../daemon/daemon.js';
import { isStoreAccessError } from '../store/persist.js';
import { sloOption } from './slo-option.js';

/**
 * `vigil run --config vigil.yaml`: the daemon. Exit 2 when the config is invalid at start (each
 * issue printed as file:line:col path: message). SIGHUP reloads; SIGTERM/SIGINT stop within 2 s,
 * writing the store first.
 */

interface Options {
  config?: string;
  slo?: string[];
  port?: string;
  host?: string;
}

/** Hard stop if a graceful stop hangs: SIGTERM must end the process within 2 s. */
const HARD_STOP_MS = 1_900;

export function command(): Command {
  return new Command('run')
    .description('run the monitoring daemon (HTTP API, /metrics, alerting); SIGHUP reloads')
    .option('-c, --config <file>', 'daemon config (vigil.yaml)')
    .addOption(sloOption())
    .option('--host <host>', 'listen host (overrides listen.host)')
    .option('--port <port>', 'listen port (overrides listen.port; 0 picks a free one)')
    .addHelpText('after', '\nExit codes: 0 stopped by a signal, 2 invalid config at start.')
    .action(async (options: Options) => {
      process.exitCode = await run(options);
    });
}

export async function run(options: Options): Promise<number> {
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({
      configPath: options.config,
      sloPaths: options.slo,
      ...(options.host || options.port
        ? { listen: { ...(options.host ? { host: options.host } : {}), ...(options.port ? { port: Number(options.port) } : {}) } }
        : {}),
    });
  } catch (err) {
    if (isDaemonConfigError(err)) {
      for (const issue of err.details.issues) console.error(formatIssue(issue));
      console.error(`vigil run: invalid config (${err.details.issues.length} issue(s)); not started`);
      return 2;
    }
    if (isStoreAccessError(err)) {
      console.error(`vigil run: ${err.message}`);
      return 2;
    }
    throw err;
  }
  return await new Promise<number>((resolveExit) => {
    const stop = (signal: string) => {
      daemon.logger.info({ signal }, 'stopping');
      const hard = setTimeout(() => {
        daemon.logger.error('graceful stop took too long; exiting');
        process.exit(1);
      }, HARD_STOP_MS);
      hard.unref();
      void daemon.stop().finally(() => {
        clearTimeout(hard);
        daemon.logger.flush?.();
        resolveExit(0);
        // Sockets of sources that ignore close() must not keep the process up.
        setImmediate(() => process.exit(0));
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      void daemon.reload('SIGHUP');
    });
  });
}
