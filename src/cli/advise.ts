import { Command } from 'commander';

/**
 * `vigil advise redis|postgres`: measure a configured source, recommend changes with their
 * reasons, write them as a reviewable script; change nothing unless `--apply`.
 */
export function command(): Command {
  const advise = new Command('advise').description(
    'recommend cache and database changes from measurements; writes a reviewable script, changes nothing unless --apply',
  );
  advise
    .command('redis')
    .description('sample a Redis prediction cache (INFO, CONFIG, SCAN) and write redis-ml-cache-config.sh')
    .option('-c, --config <file>', 'daemon config (vigil.yaml) that defines the Redis source')
    .option('--source <name>', 'Redis source instance in the config', 'default')
    .option('--url <url>', 'Redis URL instead of a configured source')
    .option('--period <duration>', 'how long to watch hits, misses and evictions', '10s')
    .option('--keys <n>', 'keys to sample with SCAN', '2000')
    .option('--out <file>', 'the script to write', 'redis-ml-cache-config.sh')
    .option('--apply', "run the script's commands after showing them")
    .option('--rewrite', 'also CONFIG REWRITE (persist into redis.conf); only with --apply')
    .option('--json', 'print the facts and recommendations as JSON')
    .action(async (options) => {
      const { adviseRedisCommand } = await import('./advise-redis.js');
      process.exitCode = await adviseRedisCommand(options);
    });
  advise
    .command('postgres')
    .description('rank the statements matching a pattern, read their tables, indexes and plans, and write ml-query-optimization.sql')
    .option('-c, --config <file>', 'daemon config (vigil.yaml) that defines the PostgreSQL source')
    .option('--source <name>', 'PostgreSQL source instance in the config', 'default')
    .option('--url <url>', 'connection string instead of a configured source')
    .option('--match <pattern>', 'SQL LIKE pattern over the statement text', '%ml_learning%')
    .option('--limit <n>', 'statements to consider, by total time', '20')
    .option('--out <file>', 'the SQL file to write', 'ml-query-optimization.sql')
    .option('--apply', "run the file's statements after showing them (indexes are built CONCURRENTLY)")
    .option('--json', 'print the statements, tables and actions as JSON')
    .action(async (options) => {
      const { advisePostgresCommand } = await import('./advise-postgres.js');
      process.exitCode = await advisePostgresCommand(options);
    });
  return advise;
}
