import type { LatencySummary, LoadtestReport } from './report-schema.js';

const ms = (v: number | null) => (v === null ? '-' : v < 10 ? `${v.toFixed(2)}ms` : `${v.toFixed(1)}ms`);
const pct = (v: number) => `${(v * 100).toFixed(v < 0.001 && v > 0 ? 3 : 2)}%`;
const lat = (l: LatencySummary) => `p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  max ${ms(l.max)}`;

/** The human summary printed at the end of `vigil loadtest`. */
export function formatReport(r: LoadtestReport): string {
  const lines: string[] = [];
  lines.push(`vigil loadtest (${r.mode}) against ${r.target}: ${r.durationS.toFixed(1)} s`);
  lines.push(`  requests   ${r.responses} answered of ${r.requested} planned, ${r.throughput.toFixed(1)} req/s`);
  lines.push(`  latency    ${lat(r.latencyMs)}`);
  lines.push(
    `  errors     ${r.errors.server} server (5xx), ${r.errors.client} client (4xx), ${r.errors.connection} unanswered: ${pct(r.errors.ratio)}`,
  );
  if (r.kinds.length > 1 || r.mode === 'stress') {
    lines.push(r.mode === 'stress' ? '  per request kind (last step):' : '  per request kind:');
    for (const k of r.kinds) lines.push(`    ${k.name.padEnd(16)} ${String(k.responses).padStart(8)}  ${k.throughput.toFixed(1).padStart(8)} req/s  ${lat(k.latencyMs)}`);
  }
  if (r.stress) {
    lines.push('  stress steps:');
    lines.push('    asked req/s  answered      p50       p95       p99    errors  result');
    for (const s of r.stress.steps) {
      lines.push(
        `    ${String(s.rate).padStart(11)}  ${s.achieved.toFixed(0).padStart(8)}  ${ms(s.latencyMs.p50).padStart(8)}  ${ms(s.latencyMs.p95).padStart(8)}  ${ms(s.latencyMs.p99).padStart(8)}  ${pct(s.errorRatio).padStart(8)}  ${s.held ? 'held' : `broke: ${s.reasons.join('; ')}`}`,
      );
    }
    lines.push(`  highest rate that held: ${r.stress.highestHeldRate ?? 'none'} req/s; breaking point: ${r.stress.breakingRate ?? 'not reached'}${r.stress.breakingRate ? ` req/s (${r.stress.breakingReasons.join('; ')})` : ''}`);
    lines.push(`  after the run: ${r.stress.recovery.answered ? `target answered ${r.stress.recovery.url} after ${r.stress.recovery.afterMs} ms` : `target did NOT answer ${r.stress.recovery.url} within 30 s`}`);
  }
  if (r.objectives.length) {
    lines.push(r.mode === 'stress' ? '  objectives (at the last step):' : '  objectives:');
    for (const o of r.objectives) {
      const parts: string[] = [];
      if (o.client) {
        const v = o.client.what === 'good share' ? `${pct(o.client.value)} >= ${pct(o.client.bound)}` : `${ms(o.client.value)} <= ${ms(o.client.bound)}`;
        parts.push(`load test ${o.client.what}: ${v} ${o.client.held ? 'ok' : 'NO'}`);
      }
      if (o.vigil) {
        parts.push(o.vigil.worst === 'no_data' ? `vigil: no data${o.vigil.error ? ` (${o.vigil.error})` : ''}` : `vigil: worst ${o.vigil.worst} (${o.vigil.worstValue ?? '-'}), last ${o.vigil.last} (${o.vigil.lastValue ?? '-'})`);
      }
      const mark = o.verdict === 'held' ? 'HELD  ' : o.verdict === 'broken' ? 'BROKEN' : 'n/a   ';
      lines.push(`    ${mark} ${o.service}/${o.objective}${parts.length ? `  [${parts.join('; ')}]` : ''}`);
    }
  }
  for (const c of r.checks) lines.push(`  check ${c.held ? 'HELD  ' : 'BROKEN'} ${c.name}: ${c.detail}`);
  if (r.vigil) {
    const down = r.vigil.sources.filter((s) => !s.up);
    lines.push(`  vigil sources: ${r.vigil.config}; ${r.vigil.sources.length - down.length}/${r.vigil.sources.length} up${down.length ? ` (down: ${down.map((d) => `${d.kind}/${d.name}: ${d.lastError}`).join(', ')})` : ''}`);
  }
  const pass = r.mode === 'stress' ? 'PASS: the required rate held and the target recovered' : 'PASS: every objective held';
  lines.push(r.passed ? pass : `FAIL: ${r.failed.join(', ')}`);
  return lines.join('\n');
}
