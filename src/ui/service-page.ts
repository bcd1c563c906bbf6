import type { ObjectiveResult, ServiceResult, Snapshot } from '../snapshot/snapshot-schema.js';
import { formatQuantity, parseDuration } from '../units/units.js';
import { type ObjectivePairs, pairFires } from './burn-pairs.js';
import { type Html, html } from './html.js';
import { boundText, type PageContext } from './overview-page.js';
import { objectiveAnchor, servicePath } from './page-links.js';
import { age, eta, percent, shell, statusBadge } from './page-parts.js';

/** The ranges the picker offers; `period` is the objective's compliance period (or 24 h without one). */
export const RANGES = ['1h', '6h', '24h', 'period'] as const;
export type RangeName = (typeof RANGES)[number];

export function rangeOf(text: string | undefined): RangeName {
  return (RANGES as readonly string[]).includes(text ?? '') ? (text as RangeName) : '1h';
}

/**
 * Seconds until the error budget is gone at the current burn: the remaining share of the budget
 * over the share burnt per second (rate × budget / period). The shortest window with a positive
 * rate stands for "current". Null without a budget, a period or a burn.
 */
export function budgetEtaSeconds(o: ObjectiveResult): number | null {
  if (o.errorBudgetRemaining === null || o.period === null) return null;
  if (o.errorBudgetRemaining <= 0) return 0;
  const rate = o.burnRates.find((b) => b.rate !== null && b.rate > 0)?.rate;
  if (rate === undefined || rate === null) return null;
  return (o.errorBudgetRemaining * parseDuration(o.period)) / 1000 / rate;
}

function objectiveRow(o: ObjectiveResult): Html {
  return html`<tr data-objective="${o.name}" data-status="${o.status}">
<td class="status-cell">${statusBadge(o.status)}</td>
<th scope="row"><a href="#${objectiveAnchor(o.name)}">${o.name}</a></th>
<td class="num value">${o.value?.display ?? 'no data'}</td>
<td>${boundText(o)}</td>
<td class="num">${percent(o.errorBudgetRemaining)}</td>
<td class="num">${eta(budgetEtaSeconds(o))}</td>
<td class="num">${age(o.dataAgeSeconds)}</td>
</tr>`;
}

function burnTable(o: ObjectiveResult): Html {
  if (o.burnRates.length === 0) return html``;
  return html`<table class="burn"><caption>Burn rate per window (1 = exactly the budget over ${o.period ?? 'the period'})</caption>
<thead><tr><th scope="col">Window</th><th scope="col">Burn rate</th><th scope="col">Reading</th></tr></thead>
<tbody>${o.burnRates.map(
    (b) =>
      html`<tr class="${b.rate !== null && b.rate > 1 ? 'burning' : ''}"><th scope="row">${b.window}</th><td class="num">${b.rate === null ? '–' : `${b.rate.toFixed(2)}×`}</td><td>${
        b.rate === null ? 'no data' : b.rate > 1 ? html`<strong>▲ faster than the budget allows</strong>` : 'within budget'
      }</td></tr>`,
  )}</tbody></table>`;
}

function pairsTable(o: ObjectiveResult, pairs: ObjectivePairs | null): Html {
  if (!pairs || pairs.pairs.length === 0) return html``;
  const rate = (w: string) => o.burnRates.find((r) => r.window === w)?.rate ?? null;
  const shown = (x: number | null) => (x === null ? '–' : `${x.toFixed(2)}×`);
  return html`<table class="pairs"><caption>Alert window pairs (set ${pairs.set}): a pair fires when both its windows burn faster than its factor</caption>
<thead><tr><th scope="col">Severity</th><th scope="col">Long / short</th><th scope="col">Factor</th><th scope="col">Long rate</th><th scope="col">Short rate</th><th scope="col">State</th></tr></thead>
<tbody>${pairs.pairs.map((p) => {
    const fires = pairFires(p, o.burnRates);
    return html`<tr class="${fires ? 'burning' : ''}" data-fires="${fires ? 'true' : 'false'}"><th scope="row">${p.severity}</th><td>${p.long} / ${p.short}</td><td class="num">${p.factor}×</td><td class="num">${shown(rate(p.long))}</td><td class="num">${shown(rate(p.short))}</td><td>${
      fires ? html`<strong>✖ firing</strong>` : 'quiet'
    }</td></tr>`;
  })}</tbody></table>`;
}

function leakBlock(o: ObjectiveResult): Html {
  if (!o.leak) return html``;
  const l = o.leak;
  const growth = l.growthBytesPerHour === null ? '–' : `${formatQuantity({ value: l.growthBytesPerHour, unit: 'bytes' })}/h`;
  return html`<dl class="leak"><dt>Leak verdict</dt><dd data-leak="${l.verdict}">${l.verdict.replace('_', ' ')} (confidence ${percent(l.confidence, 0)})</dd>
<dt>Floor growth</dt><dd>${growth}</dd><dt>Limit reached</dt><dd>${eta(l.exhaustionEtaSeconds)}</dd>
<dt>Containers</dt><dd>${o.breakdown.map((b) => html`<span class="chip">${Object.values(b.labels).join(' ')}: ${b.leak?.verdict ?? '–'}</span> `)}</dd></dl>`;
}

function objectiveSection(o: ObjectiveResult, pairs: ObjectivePairs | null): Html {
  const chart = o.kind !== 'memoryLeak';
  return html`<section class="objective" id="${objectiveAnchor(o.name)}" data-objective="${o.name}">
<h2>${statusBadge(o.status)} ${o.name}</h2>
${o.description ? html`<p class="description">${o.description}</p>` : ''}
<p><span class="value">${o.value?.display ?? 'no data'}</span> against ${boundText(o) || 'no bound'} over ${o.window}; source ${o.source.kind ?? 'unknown'}/${o.source.name}.
${o.compliance !== null ? html` Compliance ${percent(o.compliance, 3)} of target ${percent(o.target, 2)} over ${o.period}${o.complianceCoverage !== null && o.complianceCoverage < 1 ? ` (history covers ${percent(o.complianceCoverage, 0)} of it)` : ''}.` : ''}</p>
${o.error ? html`<p class="error" role="note">${o.error}</p>` : ''}
${chart ? html`<figure class="chart" data-chart="sli" data-objective="${o.name}"><figcaption>${o.name} over time, its bound and the intervals in breach</figcaption><noscript>Charts need JavaScript; the figures above do not.</noscript></figure>` : ''}
${chart && o.target !== null ? html`<figure class="chart" data-chart="budget" data-objective="${o.name}"><figcaption>Error budget remaining</figcaption></figure>` : ''}
${o.burnRates.length > 0 ? html`<figure class="chart" data-chart="burn" data-objective="${o.name}"><figcaption>Burn rate per window</figcaption></figure>` : ''}
${burnTable(o)}
${pairsTable(o, pairs)}
${leakBlock(o)}
</section>`;
}

function upBadge(up: boolean): Html {
  return up
    ? html`<span class="st st-ok" data-status="ok"><span class="st-shape" aria-hidden="true">✓</span> up</span>`
    : html`<span class="st st-breach" data-status="breach"><span class="st-shape" aria-hidden="true">✖</span> down</span>`;
}

function sourcesTable(snapshot: Snapshot, service: ServiceResult): Html {
  const used = new Set(service.objectives.map((o) => `${o.source.kind}/${o.source.name}`));
  const sources = snapshot.sources.filter((s) => used.has(`${s.kind}/${s.name}`));
  return html`<table class="sources"><caption>Sources this service reads</caption>
<thead><tr><th scope="col">Source</th><th scope="col">Health</th><th scope="col">Last success</th><th scope="col">Last error</th></tr></thead>
<tbody>${sources.map(
    (s) =>
      html`<tr><th scope="row">${s.kind}/${s.name}</th><td>${upBadge(s.up)}${s.up ? '' : ` (${s.consecutiveFailures} failures)`}</td><td>${s.lastSuccess === null ? 'never' : new Date(s.lastSuccess).toISOString()}</td><td class="error">${s.lastError ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

function statementsTable(service: ServiceResult): Html {
  const rows = service.objectives
    .filter((o) => o.kind === 'postgresQueryLatency')
    .flatMap((o) => o.breakdown.map((b) => ({ o, b })))
    .sort((x, y) => (y.b.value ?? -1) - (x.b.value ?? -1))
    .slice(0, 10);
  if (rows.length === 0) return html``;
  return html`<table class="statements"><caption>Slowest statements (latest evaluation)</caption>
<thead><tr><th scope="col">Objective</th><th scope="col">Statement</th><th scope="col">Latency</th></tr></thead>
<tbody>${rows.map(
    ({ o, b }) =>
      html`<tr><td>${o.name}</td><td><code>${Object.entries(b.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}</code></td><td class="num">${b.value === null ? '–' : formatQuantity({ value: b.value, unit: 'seconds' })}</td></tr>`,
  )}</tbody></table>`;
}

function rangePicker(service: string, range: RangeName): Html {
  return html`<nav class="ranges" aria-label="Time range">${RANGES.map(
    (r) =>
      html`<a href="${servicePath(service)}?range=${r}" ${r === range ? html`aria-current="true"` : ''}>${r === 'period' ? 'whole period' : r}</a> `,
  )}</nav>`;
}

/** `GET /services/<service>`: each objective with its figures and charts, the resources, the sources. */
export function renderServicePage(snapshot: Snapshot, service: ServiceResult, range: RangeName, ctx: PageContext): string {
  const body = html`<nav class="crumbs"><a href="/">All services</a></nav>
<header>
<h1>${statusBadge(service.status)} <span class="service-name">${service.service}</span></h1>
<p class="meta">${Object.entries(service.labels).map(([k, v]) => html`<span class="chip">${k}=${v}</span> `)}
Evaluated <time id="evaluated-at" datetime="${new Date(snapshot.evaluatedAt).toISOString()}">${new Date(snapshot.evaluatedAt).toISOString()}</time>; data age ${age(service.dataAgeSeconds)}. <span id="live" aria-live="polite"></span></p>
${rangePicker(service.service, range)}
</header>
<div class="table-wrap">
<table class="objectives" id="objectives"><caption>Objectives</caption>
<thead><tr><th scope="col">Status</th><th scope="col">Objective</th><th scope="col">Value</th><th scope="col">Bound</th><th scope="col">Budget left</th><th scope="col">Budget gone</th><th scope="col">Data age</th></tr></thead>
<tbody>${service.objectives.map(objectiveRow)}</tbody>
</table>
</div>
${service.objectives.map((o) => objectiveSection(o, ctx.pairsOf?.(service.service, o.name) ?? null))}
<section class="resources" id="resources"><h2>Resources</h2>
<div id="resource-charts" class="charts"></div>
${statementsTable(service)}
</section>
${sourcesTable(snapshot, service)}`;
  return shell({
    title: `vigil: ${service.service}`,
    pollSeconds: ctx.pollSeconds,
    mainData: html`data-page="service" data-service="${service.service}" data-range="${range}"`,
    body,
    assets: ctx.assets,
  }).text;
}
