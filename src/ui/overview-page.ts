import { type ObjectiveResult, type ServiceResult, type Snapshot, STATUS_RANK } from '../snapshot/snapshot-schema.js';
import type { ObjectivePairs } from './burn-pairs.js';
import { lowestBudget, worstFirst } from './history.js';
import { type Html, html } from './html.js';
import { objectiveAnchor, servicePath } from './page-links.js';
import { age, percent, shell, statusBadge } from './page-parts.js';

export interface OverviewQuery {
  /** Text searched in service names and label values. */
  q?: string | undefined;
  /** `key=value`: only services with that label. */
  label?: string | undefined;
}

/** A label filter `key=value`; null when the text is not one. */
function parseLabel(text: string | undefined): [string, string] | null {
  if (!text) return null;
  const at = text.indexOf('=');
  return at > 0 ? [text.slice(0, at).trim(), text.slice(at + 1).trim()] : null;
}

/** The services a query keeps, worst first. */
export function filterServices(services: readonly ServiceResult[], query: OverviewQuery): ServiceResult[] {
  const q = query.q?.trim().toLowerCase() ?? '';
  const label = parseLabel(query.label);
  return worstFirst(services).filter(
    (s) =>
      (q === '' || s.service.toLowerCase().includes(q) || Object.values(s.labels).some((v) => v.toLowerCase().includes(q))) &&
      (label === null || s.labels[label[0]] === label[1]),
  );
}

/** The objective that sets a service's status (the lowest budget among equals). */
export function worstObjective(service: ServiceResult): ObjectiveResult | undefined {
  let worst: ObjectiveResult | undefined;
  for (const o of service.objectives) {
    if (
      worst === undefined ||
      STATUS_RANK[o.status] > STATUS_RANK[worst.status] ||
      (STATUS_RANK[o.status] === STATUS_RANK[worst.status] && (o.errorBudgetRemaining ?? 2) < (worst.errorBudgetRemaining ?? 2))
    ) {
      worst = o;
    }
  }
  return worst;
}

export function boundText(o: ObjectiveResult): string {
  const t = o.threshold;
  if (t?.max && t.min) return `${t.min.display}..${t.max.display}`;
  if (t?.max) return `≤ ${t.max.display}`;
  if (t?.min) return `≥ ${t.min.display}`;
  return o.target !== null ? `target ${percent(o.target, 2)}` : '';
}

function labelChips(labels: Readonly<Record<string, string>>): Html {
  return html`${Object.entries(labels).map(([k, v]) => html`<a class="chip" href="/?label=${encodeURIComponent(`${k}=${v}`)}">${k}=${v}</a> `)}`;
}

function serviceRow(s: ServiceResult): Html {
  const worst = worstObjective(s);
  const budget = lowestBudget(s);
  return html`<tr data-service="${s.service}" data-status="${s.status}">
<td class="status-cell">${statusBadge(s.status)}</td>
<th scope="row"><a href="${servicePath(s.service)}">${s.service}</a></th>
<td>${worst ? html`<a href="${servicePath(s.service)}#${objectiveAnchor(worst.name)}">${worst.name}</a>: <span class="value">${worst.value?.display ?? 'no data'}</span> <span class="bound">${boundText(worst)}</span>` : '–'}</td>
<td class="num${budget !== null && budget <= 0 ? ' overspent' : ''}">${percent(budget)}</td>
<td class="num">${age(s.dataAgeSeconds)}</td>
<td>${labelChips(s.labels)}</td>
</tr>`;
}

function counts(services: readonly ServiceResult[]): Html {
  const n = (status: string) => services.filter((s) => s.status === status).length;
  return html`<p class="counts" id="counts">${services.length} services: <strong>${n('breach')}</strong> in breach, ${n('no_data')} without data, ${n('warning')} warning, ${n('ok')} ok.</p>`;
}

export interface PageContext {
  pollSeconds: number;
  assets: { script: string; style: string };
  /** An objective's alert window pairs (from the config's window sets); pages without it list none. */
  pairsOf?: ((service: string, objective: string) => ObjectivePairs | null) | undefined;
}

/** `GET /`: every service, worst first, with search and a label filter that work without JavaScript (a GET form). */
export function renderOverview(snapshot: Snapshot | null, query: OverviewQuery, ctx: PageContext): string {
  const services = snapshot ? filterServices(snapshot.services as ServiceResult[], query) : [];
  const body = html`<header>
<h1>Service levels</h1>
<p class="meta">Evaluated <time id="evaluated-at" datetime="${snapshot ? new Date(snapshot.evaluatedAt).toISOString() : ''}">${snapshot ? new Date(snapshot.evaluatedAt).toISOString() : 'not yet'}</time>. <span id="live" aria-live="polite"></span></p>
</header>
${snapshot ? counts(snapshot.services as ServiceResult[]) : html`<p>No evaluation has finished yet; this page fills in after the first one.</p>`}
<form class="filters" method="get" action="/" role="search">
<label>Search <input type="search" name="q" value="${query.q ?? ''}" placeholder="service or label"></label>
<label>Label <input type="text" name="label" value="${query.label ?? ''}" placeholder="team=ml"></label>
<button type="submit">Filter</button> ${query.q || query.label ? html`<a href="/">Clear</a>` : ''}
</form>
<div class="table-wrap">
<table class="services" id="services">
<caption>Services, worst first${query.q || query.label ? ' (filtered)' : ''}</caption>
<thead><tr><th scope="col">Status</th><th scope="col">Service</th><th scope="col">Worst objective</th><th scope="col">Lowest budget left</th><th scope="col">Data age</th><th scope="col">Labels</th></tr></thead>
<tbody>
${services.map(serviceRow)}
</tbody>
</table>
</div>
${snapshot && services.length === 0 ? html`<p>No service matches.</p>` : ''}
<footer><a href="/openapi.json">API</a> · <a href="/metrics">Metrics</a></footer>`;
  return shell({
    title: 'vigil: service levels',
    pollSeconds: ctx.pollSeconds,
    mainData: html`data-page="overview"`,
    body,
    assets: ctx.assets,
  }).text;
}
