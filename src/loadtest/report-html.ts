import type { InlineAssets } from '../ui/assets.js';
import { type Html, html } from '../ui/html.js';
import { statusBadge } from '../ui/page-parts.js';
import type { ChartMark, ReportChart } from '../ui/report-charts.js';
import { standalonePage } from '../ui/standalone-page.js';
import { describeLeak } from './leak-text.js';
import type { LatencySummary, LoadtestReport, ObjectiveVerdict, PerSecond, StressResult } from './report-schema.js';

/**
 * `vigil loadtest --report report.html`: the report as one HTML file that opens offline. Tables
 * from the report value (readable without the script), and charts of the run over time drawn by
 * the inlined uPlot bundle from the embedded per-second series. Everything from SLO files,
 * profiles and source answers is text: the `html` template escapes every value.
 */

const ms = (v: number | null) => (v === null ? '–' : v < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(1)} ms`);
const pct = (v: number) => `${(v * 100).toFixed(v < 0.001 && v > 0 ? 3 : 2)}%`;
const rate = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} req/s`;
const secs = (v: number) => `${v.toFixed(1)} s`;

const VERDICT_MARK: Record<ObjectiveVerdict['verdict'], { shape: string; word: string }> = {
  held: { shape: '✓', word: 'held' },
  broken: { shape: '✗', word: 'broken' },
  not_covered: { shape: '–', word: 'not covered' },
};

function verdictBadge(verdict: ObjectiveVerdict['verdict']): Html {
  const m = VERDICT_MARK[verdict];
  return html`<span class="verdict-${verdict}" data-verdict="${verdict}"><span aria-hidden="true">${m.shape}</span> ${m.word}</span>`;
}

const heldMark = (held: boolean) => verdictBadge(held ? 'held' : 'broken');

/** The stress step that broke (the breaking point), by its index; -1 when none broke. */
export function breakingStepIndex(stress: StressResult): number {
  if (stress.breakingRate === null) return -1;
  return stress.steps.findIndex((s) => !s.held && s.rate === stress.breakingRate && !s.generator.limited);
}

// ---- charts ----

/** The charts of the run over time: latency percentiles, answered vs asked, errors; phases shaded, the breaking point marked. */
export function reportCharts(report: LoadtestReport): ReportChart[] {
  const ps = report.per_second;
  if (!ps || ps.at_seconds.length === 0) return [];
  const bands = ps.phases.map((p) => ({ from: p.from_seconds, to: p.to_seconds, label: p.name }));
  const marks: ChartMark[] = [];
  if (report.stress) {
    const i = breakingStepIndex(report.stress);
    const phase = ps.phases.find((p) => p.name === `step-${i + 1}`);
    if (i >= 0 && phase) marks.push({ at: phase.from_seconds, label: `breaking point: ${report.stress.breakingRate} req/s` });
  }
  const x = ps.at_seconds;
  const rates: ReportChart['series'] = [
    ...(ps.asked_per_second ? [{ label: 'asked', values: ps.asked_per_second, color: 'muted' as const, dash: true, width: 2 }] : []),
    { label: 'answered', values: ps.answered_per_second, color: 'line', width: 2 },
  ];
  const charts: ReportChart[] = [
    {
      id: 'latency',
      yLabel: 'latency',
      unit: 'ms',
      x,
      series: [
        { label: 'p50', values: ps.p50_ms, color: 'ok' },
        { label: 'p95', values: ps.p95_ms, color: 'line', width: 2 },
        { label: 'p99', values: ps.p99_ms, color: 'warn' },
      ],
      bands,
      marks,
    },
    { id: 'rate', yLabel: 'req/s', unit: 'count', x, series: rates, bands, marks },
    {
      id: 'errors',
      yLabel: 'errors/s',
      unit: 'count',
      x,
      series: [{ label: 'errors (5xx, unanswered)', values: ps.errors_per_second, color: 'bound', width: 2 }],
      bands,
      marks,
    },
  ];
  const memory = soakMemoryChart(report);
  return memory ? [...charts, memory] : charts;
}

/** A soak's target memory over the run (seconds from its start), with the limit when one was given. */
function soakMemoryChart(report: LoadtestReport): ReportChart | null {
  const soak = report.soak;
  if (!soak || soak.memory.t.length === 0) return null;
  const origin = Date.parse(report.startedAt);
  const x = soak.memory.t.map((t) => Math.round((t - origin) / 10) / 100);
  const limit = soak.limitBytes;
  return {
    id: 'memory',
    yLabel: 'memory',
    unit: 'bytes',
    x,
    series: [
      { label: 'resident memory', values: soak.memory.v, color: 'line', width: 2 },
      ...(soak.memory.judged
        ? [{ label: 'judged for leaks (outside the heap + live heap)', values: soak.memory.judged, color: 'ok' as const }]
        : []),
      ...(limit !== null ? [{ label: 'limit', values: x.map(() => limit), color: 'bound' as const, dash: true }] : []),
    ],
    bands: [],
    marks: [],
  };
}

// ---- sections ----

function header(r: LoadtestReport): Html {
  const verdict = r.passed
    ? html`<span class="verdict-held"><span aria-hidden="true">✓</span> passed</span>`
    : html`<span class="verdict-broken"><span aria-hidden="true">✗</span> failed: ${r.failed.join(', ')}</span>`;
  const model =
    r.model === 'open'
      ? `open model, ${r.arrivals} arrivals: latency from each request's due time`
      : 'closed model (fixed connections): latency from the send';
  return html`<h1>Load test of ${r.target}</h1>
<p class="meta">${r.mode} run started <time datetime="${r.startedAt}">${r.startedAt}</time>, ${secs(r.durationS)}; ${model}.</p>
<p id="result" data-passed="${String(r.passed)}">Result: ${verdict}</p>`;
}

function summary(r: LoadtestReport): Html {
  const cell = (label: string, value: string) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`;
  return html`<dl class="summary">
${r.model === 'open' ? cell('asked', `${r.requested} requests`) : ''}
${cell('answered', `${r.responses} requests`)}
${cell('throughput', rate(r.throughput))}
${cell('p50', ms(r.latencyMs.p50))}
${cell('p95', ms(r.latencyMs.p95))}
${cell('p99', ms(r.latencyMs.p99))}
${cell('max', ms(r.latencyMs.max))}
${cell('errors', `${pct(r.errors.ratio)} (${r.errors.server} 5xx, ${r.errors.connection} unanswered, ${r.errors.client} 4xx)`)}
${cell('generator', r.generator.limited ? 'limited the run' : 'kept up')}
</dl>
${r.generator.reason ? html`<p class="warning" id="generator-warning"><strong>Warning:</strong> ${r.generator.reason}</p>` : ''}`;
}

function charts(r: LoadtestReport, drawn: boolean): Html {
  const ps = r.per_second;
  if (!ps || ps.at_seconds.length === 0)
    return html`<p class="meta">This report has no per-second series (written by an older vigil or an empty run).</p>`;
  const step = ps.step_seconds === 1 ? 'per second' : `per ${ps.step_seconds} s (the run was long; buckets merged)`;
  const note = drawn
    ? ''
    : html`<p class="meta">The charts' script was not built into this file (<code>npm run build:ui</code>); tables only.</p>`;
  return html`<h2 id="over-time">Over time</h2>
${note}
<figure class="chart" data-chart="latency"><figcaption>Latency ${step}: p50, p95, p99 (ms)</figcaption></figure>
<figure class="chart" data-chart="rate"><figcaption>${r.model === 'open' ? 'Answered vs asked' : 'Answered'}, requests ${step}</figcaption></figure>
<figure class="chart" data-chart="errors"><figcaption>Errors ${step}: 5xx answers and requests without an answer</figcaption></figure>`;
}

/** Per phase: mean asked and answered rates, errors and the worst per-second p95 inside it. */
function phaseRows(ps: PerSecond): Html[] {
  return ps.phases.map((p) => {
    // A bucket belongs to the phase its middle falls in.
    const inside = ps.at_seconds.flatMap((t, i) => {
      const mid = t + ps.step_seconds / 2;
      return mid >= p.from_seconds && mid < p.to_seconds ? [i] : [];
    });
    const mean = (col: readonly number[]) => (inside.length ? inside.reduce((s, i) => s + (col[i] ?? 0), 0) / inside.length : 0);
    const p95s = inside.map((i) => ps.p95_ms[i]).filter((v): v is number => typeof v === 'number');
    return html`<tr><th scope="row">${p.name}</th><td class="num">${secs(p.from_seconds)}</td><td class="num">${secs(p.to_seconds)}</td>
<td class="num">${ps.asked_per_second ? rate(mean(ps.asked_per_second)) : '–'}</td><td class="num">${rate(mean(ps.answered_per_second))}</td>
<td class="num">${mean(ps.errors_per_second).toFixed(2)}/s</td><td class="num">${ms(p95s.length ? Math.max(...p95s) : null)}</td></tr>`;
  });
}

function phases(r: LoadtestReport): Html {
  const ps = r.per_second;
  if (!ps || ps.phases.length === 0 || r.stress) return html``;
  return html`<h2 id="phases">Phases</h2>
<div class="table-wrap"><table id="phase-table">
<thead><tr><th scope="col">phase</th><th scope="col">from</th><th scope="col">to</th><th scope="col">asked (mean)</th><th scope="col">answered (mean)</th><th scope="col">errors (mean)</th><th scope="col">worst p95 of a ${ps.step_seconds} s bucket</th></tr></thead>
<tbody>${phaseRows(ps)}</tbody></table></div>`;
}

const latencyCells = (l: LatencySummary) =>
  html`<td class="num">${ms(l.p50)}</td><td class="num">${ms(l.p95)}</td><td class="num">${ms(l.p99)}</td>`;

function stress(r: LoadtestReport): Html {
  const s = r.stress;
  if (!s) return html``;
  const breaking = breakingStepIndex(s);
  const rows = s.steps.map((step, i) => {
    const result =
      i === breaking
        ? html`<strong><span aria-hidden="true">✗</span> breaking point</strong>: ${step.reasons.join('; ')}`
        : step.held
          ? html`<span aria-hidden="true">✓</span> held`
          : step.generator.limited
            ? html`generator limited (not a breaking point): ${step.generator.reason ?? ''}`
            : html`<span aria-hidden="true">✗</span> broke: ${step.reasons.join('; ')}`;
    return html`<tr class="${i === breaking ? 'breaking' : ''}" data-step="${i + 1}" data-held="${String(step.held)}"><th scope="row">${i + 1}</th>
<td class="num">${rate(step.rate)}</td><td class="num">${rate(step.achieved)}</td>${latencyCells(step.latencyMs)}<td class="num">${pct(step.errorRatio)}</td><td>${result}</td></tr>`;
  });
  const recovery = s.recovery.answered
    ? `the target answered ${s.recovery.url} ${s.recovery.afterMs} ms after the last step`
    : `the target did NOT answer ${s.recovery.url} within 30 s after the last step`;
  return html`<h2 id="stress">Stress steps</h2>
<p>Highest rate that held: <strong>${s.highestHeldRate === null ? 'none' : rate(s.highestHeldRate)}</strong>; breaking point:
<strong id="breaking-point">${s.breakingRate === null ? 'not reached' : rate(s.breakingRate)}</strong>${s.breakingReasons.length ? ` (${s.breakingReasons.join('; ')})` : ''}.
${s.generatorLimitedAt !== null ? `Stopped at ${s.generatorLimitedAt} req/s by the generator, not the target. ` : ''}After the run: ${recovery}.</p>
<div class="table-wrap"><table id="stress-steps">
<thead><tr><th scope="col">step</th><th scope="col">asked</th><th scope="col">answered</th><th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th><th scope="col">errors</th><th scope="col">result</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

function clientCell(o: ObjectiveVerdict): Html {
  const c = o.client;
  if (!c) return html`<td class="client">–</td>`;
  const value = c.what === 'good share' ? `${pct(c.value)} ≥ ${pct(c.bound)}` : `${ms(c.value)} ≤ ${ms(c.bound)}`;
  return html`<td class="client">${heldMark(c.held)} ${c.what}: ${value} <br><span class="meta">requests: ${c.kinds.join(', ')}</span></td>`;
}

function vigilCell(o: ObjectiveVerdict): Html {
  const v = o.vigil;
  if (!v) return html`<td class="vigil">not watched</td>`;
  const err = v.error ? html` <br><span class="meta">${v.error}</span>` : '';
  return html`<td class="vigil">worst ${statusBadge(v.worst)} ${v.worstValue ?? ''} <br>last ${statusBadge(v.last)} ${v.lastValue ?? ''}${err}</td>`;
}

function objectives(r: LoadtestReport): Html {
  if (r.objectives.length === 0)
    return html`<h2 id="objectives">Objectives</h2><p class="meta">No SLO files were given: no objective verdicts.</p>`;
  const rows = r.objectives.map(
    (
      o,
    ) => html`<tr data-verdict="${o.verdict}"><td>${o.service}</td><th scope="row">${o.objective}</th><td>${o.kind}</td><td>${verdictBadge(o.verdict)}</td>
${clientCell(o)}${vigilCell(o)}<td>${o.judgedOn.length ? o.judgedOn.join(' + ') : '–'}</td></tr>`,
  );
  return html`<h2 id="objectives">Objectives${r.stress ? ' (at the last step)' : ''}</h2>
<p class="meta">Two views of each objective: the load test's own measurements (client) and vigil's evaluation of the service's metrics during the run.</p>
<div class="table-wrap"><table id="verdicts">
<thead><tr><th scope="col">service</th><th scope="col">objective</th><th scope="col">kind</th><th scope="col">verdict</th><th scope="col">client view</th><th scope="col">vigil view</th><th scope="col">judged on</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

function checks(r: LoadtestReport): Html {
  if (r.checks.length === 0) return html``;
  const rows = r.checks.map((c) => html`<tr><th scope="row">${c.name}</th><td>${heldMark(c.held)}</td><td>${c.detail}</td></tr>`);
  return html`<h2 id="checks">Checks</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">check</th><th scope="col">result</th><th scope="col">detail</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function kinds(r: LoadtestReport): Html {
  const server = new Map((r.server?.kinds ?? []).map((k) => [k.kind, k]));
  const rows = r.kinds.map((k) => {
    const own = server.get(k.name);
    return html`<tr><th scope="row">${k.name}</th><td><code>${k.method} ${k.path}</code></td><td class="num">${k.responses}</td><td class="num">${rate(k.throughput)}</td>
${latencyCells(k.latencyMs)}<td class="num">${own ? ms(own.p95) : '–'}</td><td class="num">${k.serverErrors} / ${k.connectionErrors} / ${k.clientErrors}</td></tr>`;
  });
  return html`<h2 id="requests">Requests${r.stress ? ' (last step)' : ''}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">kind</th><th scope="col">request</th><th scope="col">answered</th><th scope="col">rate</th><th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th><th scope="col">p95 by the service</th><th scope="col">5xx / unanswered / 4xx</th></tr></thead><tbody>${rows}</tbody></table></div>
<p class="meta">${r.server ? `The service's own view: ${r.server.metric} over the run, ${r.server.overall.count} requests, p95 ${ms(r.server.overall.p95)}.` : 'The target exposes no request-duration histogram: client view only.'}</p>`;
}

function soak(r: LoadtestReport): Html {
  const s = r.soak;
  if (!s) return html``;
  const rows = s.checkpoints.map(
    (
      c,
    ) => html`<tr><th scope="row">${secs(c.atS)}</th><td class="num">${rate(c.throughput)}</td>${latencyCells(c.latencyMs)}<td class="num">${pct(c.errorRatio)}</td>
<td class="num">${c.memoryBytes === null ? '–' : `${(c.memoryBytes / 1_048_576).toFixed(1)} MiB`}</td><td>${c.leak?.verdict ?? '–'}</td></tr>`,
  );
  return html`<h2 id="soak">Soak checkpoints</h2>
<p>Memory: ${s.memorySource ? `${s.memorySource}; ${describeLeak(s.leak)}` : `not followed (${s.memoryError ?? 'no readings'})`}</p>
${s.memory.t.length > 0 ? html`<figure class="chart" data-chart="memory"><figcaption>The target's resident memory over the soak</figcaption></figure>` : ''}
<div class="table-wrap"><table><thead><tr><th scope="col">at</th><th scope="col">rate</th><th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th><th scope="col">errors</th><th scope="col">memory</th><th scope="col">leak</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function sources(r: LoadtestReport): Html {
  if (!r.vigil) return html``;
  const rows = r.vigil.sources.map(
    (s) => html`<tr><th scope="row">${s.kind}/${s.name}</th><td>${s.up ? 'up' : 'down'}</td><td>${s.lastError ?? ''}</td></tr>`,
  );
  return html`<h2 id="sources">vigil's sources</h2><p class="meta">${r.vigil.config}</p>
<div class="table-wrap"><table><thead><tr><th scope="col">source</th><th scope="col">state</th><th scope="col">last error</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** The whole report page as one HTML document. `assets` null: tables only. */
export function reportHtml(report: LoadtestReport, assets: InlineAssets | null): string {
  const body = html`${header(report)}
${summary(report)}
${charts(report, assets !== null)}
${stress(report)}
${phases(report)}
${objectives(report)}
${checks(report)}
${kinds(report)}
${soak(report)}
${sources(report)}
<footer>Written by <code>vigil loadtest --report</code>: one file, nothing loaded from the network.</footer>`;
  return standalonePage({ title: `vigil load test: ${report.target}`, body, data: reportCharts(report), assets });
}
