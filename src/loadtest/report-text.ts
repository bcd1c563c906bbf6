import { toWire } from '../core/wire-keys.js';
import { describeLeak } from './leak-text.js';
import { type LatencySummary, type LoadtestReport, loadtestReportSchema, type SoakResult } from './report-schema.js';

/** `vigil loadtest --json`: the report in wire form (snake_case keys, see core/wire-keys.ts). */
export function reportJson(r: LoadtestReport): string {
  return JSON.stringify(toWire(loadtestReportSchema, r), null, 2);
}

const ms = (v: number | null) => (v === null ? '-' : v < 10 ? `${v.toFixed(2)}ms` : `${v.toFixed(1)}ms`);
const pct = (v: number) => `${(v * 100).toFixed(v < 0.001 && v > 0 ? 3 : 2)}%`;
const lat = (l: LatencySummary) => `p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  max ${ms(l.max)}`;

/** Client latency beside the service's own histogram over the same run: the gap is time outside the handler. */
function serverLines(r: LoadtestReport): string[] {
  const server = r.server;
  if (!server) return ['  server     the target exposes no request-duration histogram on /metrics: client view only'];
  const gap = (client: number | null, own: number | null) =>
    client === null || own === null ? '' : `  (${ms(Math.max(0, client - own))} outside the handler)`;
  const out = [
    `  server     ${server.metric} over the run, ${server.overall.count} requests: p50 ${ms(server.overall.p50)}  p95 ${ms(server.overall.p95)}  p99 ${ms(server.overall.p99)}`,
  ];
  for (const k of server.kinds) {
    const client = r.kinds.find((c) => c.name === k.kind);
    if (!client || k.count === 0) continue;
    out.push(`    ${k.kind.padEnd(16)} P95 client ${ms(client.latencyMs.p95)} vs server ${ms(k.p95)}${gap(client.latencyMs.p95, k.p95)}`);
  }
  return out;
}

function soakLines(s: SoakResult): string[] {
  const out = [
    `  soak: ${s.warmupS.toFixed(0)}s warm-up (not measured${s.warmupReason ? `; ${s.warmupReason}` : ''}), ${s.checkpoints.length} checkpoints every ${s.checkpointS}s of ${s.plannedS}s planned${s.checkpointFile ? `, written to ${s.checkpointFile}` : ''}`,
  ];
  if (s.resumedAtS.length) {
    out.push(
      `  resumed at ${s.resumedAtS.map((at) => `${at.toFixed(0)}s`).join(', ')} of the soak (interrupted ${s.pausedS.toFixed(0)}s in all): the rows and the leak verdict cover the whole soak, the totals above this run's part`,
    );
  }
  out.push('       at   req/s       p95       p99    errors     memory  leak');
  for (const c of s.checkpoints) {
    const mem = c.memoryBytes === null ? '-' : `${(c.memoryBytes / 1_048_576).toFixed(1)}MiB`;
    out.push(
      `    ${`${c.atS.toFixed(0)}s`.padStart(6)}  ${c.throughput.toFixed(0).padStart(6)}  ${ms(c.latencyMs.p95).padStart(8)}  ${ms(c.latencyMs.p99).padStart(8)}  ${pct(c.errorRatio).padStart(8)}  ${mem.padStart(9)}  ${c.leak?.verdict ?? '-'}${c.generatorLimited ? ' (generator limited)' : ''}`,
    );
  }
  out.push(
    s.memorySource
      ? `  memory: ${s.memorySource}, ${s.memory.t.length} readings; leak detector: ${describeLeak(s.leak)}`
      : `  memory: not followed (${s.memoryError ?? 'no readings'})`,
  );
  return out;
}

/** The human summary printed at the end of `vigil loadtest`. */
export function formatReport(r: LoadtestReport): string {
  const lines: string[] = [];
  lines.push(`vigil loadtest (${r.mode}) against ${r.target}: ${r.durationS.toFixed(1)} s`);
  lines.push(
    r.model === 'open'
      ? `  model      open, ${r.arrivals} arrivals: latency from each request's due time (waiting behind a slow answer counts)`
      : '  model      closed (fixed connections, as wrk): latency from the send; waiting behind a slow answer is NOT counted',
  );
  const planned = r.model === 'open' ? ` of ${r.requested} planned` : '';
  lines.push(`  requests   ${r.responses} answered${planned}, ${r.throughput.toFixed(1)} req/s`);
  lines.push(`  latency    ${lat(r.latencyMs)}`);
  if (r.model === 'open') lines.push(`  from send  ${lat(r.latencyFromSendMs)}  (what a closed loop would report)`);
  const g = r.generator;
  const late = g.sendLatenessMs;
  lines.push(
    `  generator  ${g.workers ? `${g.workers} worker thread(s)` : 'main thread'}${g.workersReason ? ` [${g.workersReason}]` : ''}; sent late: p99 ${ms(late.p99)}, ${pct(late.lateShare)} over 10 ms; event-loop delay p99 ${ms(g.eventLoopDelayMs.p99)}`,
  );
  if (g.reason) lines.push(`  WARNING    ${g.reason}`);
  lines.push(...serverLines(r));
  lines.push(
    `  errors     ${r.errors.server} server (5xx), ${r.errors.client} client (4xx), ${r.errors.connection} unanswered: ${pct(r.errors.ratio)}`,
  );
  if (r.kinds.length > 1 || r.mode === 'stress') {
    lines.push(r.mode === 'stress' ? '  per request kind (last step):' : '  per request kind:');
    for (const k of r.kinds)
      lines.push(
        `    ${k.name.padEnd(16)} ${String(k.responses).padStart(8)}  ${k.throughput.toFixed(1).padStart(8)} req/s  ${lat(k.latencyMs)}`,
      );
  }
  if (r.stress) {
    lines.push('  stress steps:');
    lines.push('    asked req/s  answered      p50       p95       p99    errors  result');
    for (const s of r.stress.steps) {
      lines.push(
        `    ${String(s.rate).padStart(11)}  ${s.achieved.toFixed(0).padStart(8)}  ${ms(s.latencyMs.p50).padStart(8)}  ${ms(s.latencyMs.p95).padStart(8)}  ${ms(s.latencyMs.p99).padStart(8)}  ${pct(s.errorRatio).padStart(8)}  ${s.held ? 'held' : s.generator.limited ? 'generator limited (not a breaking point)' : `broke: ${s.reasons.join('; ')}`}`,
      );
    }
    lines.push(
      `  highest rate that held: ${r.stress.highestHeldRate ?? 'none'} req/s; breaking point: ${r.stress.breakingRate ?? 'not reached'}${r.stress.breakingRate ? ` req/s (${r.stress.breakingReasons.join('; ')})` : ''}`,
    );
    if (r.stress.generatorLimitedAt !== null) {
      lines.push(
        `  stopped at ${r.stress.generatorLimitedAt} req/s by the generator, not the target: no breaking point was measured there`,
      );
    }
    lines.push(
      `  after the run: ${r.stress.recovery.answered ? `target answered ${r.stress.recovery.url} after ${r.stress.recovery.afterMs} ms` : `target did NOT answer ${r.stress.recovery.url} within 30 s`}`,
    );
  }
  if (r.soak) lines.push(...soakLines(r.soak));
  if (r.objectives.length) {
    lines.push(r.mode === 'stress' ? '  objectives (at the last step):' : '  objectives:');
    for (const o of r.objectives) {
      const parts: string[] = [];
      if (o.client) {
        const v =
          o.client.what === 'good share'
            ? `${pct(o.client.value)} >= ${pct(o.client.bound)}`
            : `${ms(o.client.value)} <= ${ms(o.client.bound)}`;
        parts.push(`load test ${o.client.what}: ${v} ${o.client.held ? 'ok' : 'NO'}`);
      }
      if (o.vigil) {
        parts.push(
          o.vigil.worst === 'no_data'
            ? `vigil: no data${o.vigil.error ? ` (${o.vigil.error})` : ''}`
            : `vigil: worst ${o.vigil.worst} (${o.vigil.worstValue ?? '-'}), last ${o.vigil.last} (${o.vigil.lastValue ?? '-'})`,
        );
      }
      const mark = o.verdict === 'held' ? 'HELD  ' : o.verdict === 'broken' ? 'BROKEN' : 'n/a   ';
      const on = o.judgedOn.length ? ` judged on ${o.judgedOn.map((v) => (v === 'client' ? 'client' : 'server (vigil)')).join(' + ')}` : '';
      lines.push(`    ${mark} ${o.service}/${o.objective}${on}${parts.length ? `  [${parts.join('; ')}]` : ''}`);
    }
  }
  for (const c of r.checks) lines.push(`  check ${c.held ? 'HELD  ' : 'BROKEN'} ${c.name}: ${c.detail}`);
  if (r.vigil) {
    const down = r.vigil.sources.filter((s) => !s.up);
    lines.push(
      `  vigil sources: ${r.vigil.config}; ${r.vigil.sources.length - down.length}/${r.vigil.sources.length} up${down.length ? ` (down: ${down.map((d) => `${d.kind}/${d.name}: ${d.lastError}`).join(', ')})` : ''}`,
    );
  }
  const pass = r.mode === 'stress' ? 'PASS: the required rate held and the target recovered' : 'PASS: every objective held';
  lines.push(r.passed ? pass : `FAIL: ${r.failed.join(', ')}`);
  return lines.join('\n');
}
