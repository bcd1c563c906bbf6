import { writeFile } from 'node:fs/promises';
import pg from 'pg';
import { postgresAdviceOutputSchema } from '../advise/advice-schema.js';
import { advisePostgres } from '../advise/postgres-advice.js';
import { applyPostgresAdvice } from '../advise/postgres-apply.js';
import { samplePostgres } from '../advise/postgres-sampler.js';
import { postgresScript } from '../advise/postgres-script.js';
import { redact } from '../core/redact.js';
import { toWire } from '../core/wire-keys.js';
import { advisedSource } from './advise-source.js';

/** `vigil advise postgres`: exit 0 advice written (and applied with --apply), 2 could not measure. */

export interface AdvisePostgresOptions {
  config?: string;
  source: string;
  url?: string;
  match: string;
  limit: string;
  out: string;
  apply?: boolean;
  json?: boolean;
}

async function connectionString(options: AdvisePostgresOptions): Promise<string | null> {
  if (options.url) return options.url;
  return (await advisedSource('postgres', options))?.connectionString ?? null;
}

export async function advisePostgresCommand(options: AdvisePostgresOptions): Promise<number> {
  const url = await connectionString(options);
  if (url === null) return 2;
  const target = redact(url);
  const client = new pg.Client({ connectionString: url, application_name: 'vigil advise', statement_timeout: 60_000 });
  try {
    await client.connect();
    const facts = await samplePostgres(client, { pattern: options.match, limit: Number(options.limit) });
    const advice = advisePostgres(facts.statements, facts.tables);
    await writeFile(options.out, postgresScript(advice, { target, pattern: options.match, generatedAt: new Date().toISOString() }));
    if (options.json) {
      const output = { target, pattern: options.match, ...advice, tables: facts.tables };
      console.log(JSON.stringify(toWire(postgresAdviceOutputSchema, output), null, 2));
    } else {
      for (const s of advice.statements) {
        console.log(
          `#${s.rank} total ${s.stats.totalMs.toFixed(1)} ms, ${s.stats.calls} calls, mean ${s.stats.meanMs.toFixed(2)} ms, P95 est ${s.p95Ms.toFixed(2)} ms: ${s.stats.query.replace(/\s+/g, ' ').slice(0, 120)}`,
        );
      }
      for (const s of advice.skipped) console.log(`skipped (${s.error}): ${s.stats.query.replace(/\s+/g, ' ').slice(0, 120)}`);
      for (const a of advice.actions) console.log(`- ${a.sql}\n    why: ${a.reason}\n    expected: ${a.effect}`);
      if (advice.actions.length === 0) console.log('nothing to change');
      console.log(`wrote ${options.out}${options.apply ? '' : ' (nothing was run; review it, or rerun with --apply)'}`);
    }
    if (options.apply) {
      const result = await applyPostgresAdvice(client, advice, (line) => console.log(line));
      console.log(`applied ${result.ran} statements${result.refused.length ? `, refused ${result.refused.length}` : ''}`);
    }
    return 0;
  } catch (err) {
    console.error(`vigil advise postgres: ${target}: ${redact((err as Error).message)}`);
    return 2;
  } finally {
    await client.end().catch(() => undefined);
  }
}
