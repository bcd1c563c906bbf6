// The status page's script: charts (uPlot) and live updates by conditional polling. The pages are
// complete without it; it only adds. It builds DOM with textContent, never innerHTML, so names
// and texts from the data stay text here too; the overview's table, when it must change shape,
// is the server's own rendering of the page, swapped in whole.
import uPlot from 'uplot';
import type { Wire } from '../../core/wire-keys.js';
import type { ServiceCurrentResponse, ServiceListResponse } from '../../server/api-schemas.js';
import type { ObjectiveStatus } from '../../snapshot/snapshot-schema.js';
import type { ObjectiveHistoryResponse, ResourceHistoryResponse } from '../history-schema.js';
import { STATUS_MARK } from '../status-marks.js';
import { axes, bytes, COLORS, widthOf } from './chart-theme.js';

const main = document.getElementById('main') as HTMLElement;
const pollMs = Math.min(60_000, Math.max(1000, Number(main.dataset.pollSeconds ?? 5) * 1000));
const HOUR = 3600;

function badge(status: ObjectiveStatus): HTMLElement {
  const m = STATUS_MARK[status];
  const el = document.createElement('span');
  el.className = `st st-${status}`;
  el.dataset.status = status;
  const shape = document.createElement('span');
  shape.className = 'st-shape';
  shape.setAttribute('aria-hidden', 'true');
  shape.textContent = m.shape;
  el.append(shape, ` ${m.word}`);
  return el;
}

/** Replaces the badge inside `scope` (if the status changed) and the scope's data-status. */
function setStatus(scope: Element | null, status: ObjectiveStatus): void {
  if (!scope) return;
  const old = scope.querySelector('.st');
  if (old && (old as HTMLElement).dataset.status !== status) old.replaceWith(badge(status));
  if (scope instanceof HTMLElement && scope.dataset.status !== undefined) scope.dataset.status = status;
}

const byData = (attr: string, value: string) => `[data-${attr}="${CSS.escape(value)}"]`;

/** One poll: the body when it changed, null on 304 or failure. The browser sends If-None-Match from its cache. */
async function poll<T>(url: string, last: { etag: string | null }): Promise<T | null> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), Math.max(2000, pollMs));
  try {
    const res = await fetch(url, { cache: 'no-cache', signal: ctl.signal });
    if (!res.ok) return null;
    const etag = res.headers.get('etag');
    if (etag !== null && etag === last.etag) return null;
    last.etag = etag;
    return (await res.json()) as T;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

function setLive(text: string): void {
  const live = document.getElementById('live');
  if (live) live.textContent = text;
}

function setEvaluated(iso: string): void {
  const el = document.getElementById('evaluated-at');
  if (el) {
    el.textContent = iso;
    el.setAttribute('datetime', iso);
  }
}

/** A loop of one timer: each poll schedules the next, so a slow answer never stacks requests. */
function every(fn: () => Promise<void>): void {
  const tick = async () => {
    await fn();
    setTimeout(tick, document.hidden ? pollMs * 4 : pollMs);
  };
  setTimeout(tick, pollMs);
}

// ---- overview ----

/** The API's bodies as they travel: the server's zod-inferred types in wire form (snake_case keys). */
type ListBody = Wire<ServiceListResponse>;

/**
 * Swaps in the table the server renders for this same address (search and label filter
 * included): a service that appeared or left, and the worst-first order after a status change,
 * come as they would with a reload. The markup is the server's, escaped there as on the first
 * load; scripts in parsed markup never run, and the CSP forbids inline ones anyway.
 */
async function refreshTable(): Promise<boolean> {
  try {
    const res = await fetch(location.pathname + location.search, { cache: 'no-cache' });
    if (!res.ok) return false;
    const fresh = new DOMParser().parseFromString(await res.text(), 'text/html');
    for (const selector of ['#services tbody', '#counts']) {
      const next = fresh.querySelector(selector);
      const current = document.querySelector(selector);
      if (next && current) current.replaceWith(document.importNode(next, true));
    }
    return true;
  } catch {
    return false;
  }
}

/** True when the rows on the page no longer match the list: a status changed, or services came or went. */
function tableOutdated(body: ListBody, lastCount: number): boolean {
  if (body.services.length !== lastCount) return true;
  return body.services.some((s) => {
    const row = document.querySelector<HTMLElement>(`tr${byData('service', s.service)}`);
    return row !== null && row.dataset.status !== s.status;
  });
}

function startOverview(): void {
  const last = { etag: null as string | null };
  // How many services the page was rendered from (a filtered page shows fewer rows); none before the first evaluation.
  let seen = Number((document.getElementById('counts') as HTMLElement | null)?.dataset.services ?? Number.NaN);
  every(async () => {
    const body = await poll<ListBody>('/api/sla', last);
    if (!body) return;
    setEvaluated(body.evaluated_at);
    const outdated = tableOutdated(body, seen);
    seen = body.services.length;
    if (!(outdated && (await refreshTable()))) {
      for (const s of body.services) setStatus(document.querySelector(`tr${byData('service', s.service)}`), s.status);
    }
    setLive(`updated ${new Date().toLocaleTimeString()}`);
  });
}

// ---- charts ----

/** Shades the buckets whose worst status was breach (and, lighter, warning): where the SLI was out of bounds. */
function shadePlugin(status: () => (ObjectiveStatus | null)[], stepSeconds: () => number): uPlot.Plugin {
  return {
    hooks: {
      drawClear: [
        (u: uPlot) => {
          const xs = u.data[0];
          const st = status();
          const { ctx, bbox } = u;
          ctx.save();
          for (let i = 0; i < st.length; i++) {
            if (st[i] !== 'breach' && st[i] !== 'warning') continue;
            const x0 = u.valToPos(xs[i]!, 'x', true);
            const x1 = u.valToPos(xs[i]! + stepSeconds(), 'x', true);
            ctx.fillStyle = st[i] === 'breach' ? COLORS.shade() : 'rgba(178,106,0,0.10)';
            ctx.fillRect(x0, bbox.top, Math.max(1, x1 - x0), bbox.height);
          }
          ctx.restore();
        },
      ],
    },
  };
}

const charts = new Map<string, uPlot>();

/** Creates the chart once, then only swaps its data: a page open for a day keeps the same objects. */
function draw(key: string, host: HTMLElement, make: (w: number) => uPlot.Options, data: uPlot.AlignedData): void {
  const existing = charts.get(key);
  if (existing) {
    existing.setData(data);
    return;
  }
  const plot = new uPlot(make(widthOf(host)), data, host);
  charts.set(key, plot);
}

const fmtUnit = (unit: string | null) => (v: number) =>
  unit === 'seconds'
    ? v < 1
      ? `${+(v * 1000).toPrecision(3)}ms`
      : `${+v.toPrecision(3)}s`
    : unit === 'ratio'
      ? `${+(v * 100).toPrecision(4)}%`
      : unit === 'bytes'
        ? bytes(v)
        : `${+v.toPrecision(4)}`;

/** The newest history per objective: what the breach shading reads when the chart redraws. */
const latest = new Map<string, ObjectiveHistoryResponse>();

const flat = (n: number, v: number | null) => new Array<number | null>(n).fill(v);

function drawObjective(h: ObjectiveHistoryResponse): void {
  const host = document.querySelector<HTMLElement>(`figure[data-chart="sli"]${byData('objective', h.objective)}`);
  if (host) {
    const n = h.t.length;
    const series: uPlot.Series[] = [
      {},
      { label: h.objective, stroke: COLORS.line(), width: 2, value: (_u, v) => (v === null ? '–' : fmtUnit(h.unit)(v)) },
    ];
    const data: (number | null)[][] = [h.t, h.value];
    const bounds: Array<[string, number | null, string]> = [
      ['max', h.threshold?.max ?? null, COLORS.bound()],
      ['min', h.threshold?.min ?? null, COLORS.bound()],
      ['warning', h.threshold?.warning ?? null, COLORS.warn()],
    ];
    for (const [name, v, stroke] of bounds) {
      if (v === null) continue;
      series.push({ label: name, stroke, dash: [6, 4], width: 1.5, points: { show: false } });
      data.push(flat(n, v));
    }
    latest.set(h.objective, h);
    draw(
      `sli:${h.objective}`,
      host,
      (width) => ({
        width,
        height: 220,
        series,
        axes: axes(h.unit ?? '', (_u, vs) => vs.map(fmtUnit(h.unit))),
        plugins: [
          shadePlugin(
            () => latest.get(h.objective)?.status ?? [],
            () => latest.get(h.objective)?.step_seconds ?? 0,
          ),
        ],
      }),
      data as uPlot.AlignedData,
    );
  }
  const budgetHost = document.querySelector<HTMLElement>(`figure[data-chart="budget"]${byData('objective', h.objective)}`);
  if (budgetHost) {
    draw(
      `budget:${h.objective}`,
      budgetHost,
      (width) => ({
        width,
        height: 160,
        series: [
          {},
          { label: 'budget left', stroke: COLORS.ok(), fill: 'rgba(46,125,50,0.12)', width: 2 },
          { label: 'exhausted', stroke: COLORS.bound(), dash: [4, 4] },
        ],
        axes: axes('budget', (_u, vs) => vs.map((v) => `${Math.round(v * 100)}%`)),
      }),
      [h.t, h.error_budget_remaining, flat(h.t.length, 0)] as uPlot.AlignedData,
    );
  }
  const burnHost = document.querySelector<HTMLElement>(`figure[data-chart="burn"]${byData('objective', h.objective)}`);
  if (burnHost && h.burn_rates.length > 0) {
    const labels = h.burn_rates.map((b) => b.window);
    const xs = labels.map((_, i) => i);
    draw(
      `burn:${h.objective}`,
      burnHost,
      (width) => ({
        width,
        height: 160,
        scales: { x: { time: false, range: [-0.5, labels.length - 0.5] } },
        series: [
          { label: 'window', value: (_u, v) => labels[v] ?? '' },
          {
            label: 'burn rate',
            stroke: COLORS.line(),
            fill: COLORS.line(),
            paths: uPlot.paths.bars!({ size: [0.6, 60] }),
            points: { show: false },
          },
          { label: 'budget pace (1×)', stroke: COLORS.bound(), dash: [4, 4], points: { show: false } },
        ],
        axes: [
          { stroke: COLORS.fg(), values: (_u, vs) => vs.map((v) => labels[v] ?? ''), splits: () => xs },
          { stroke: COLORS.fg(), label: '× budget', size: 50 },
        ],
      }),
      [xs, h.burn_rates.map((b) => b.rate), flat(xs.length, 1)] as uPlot.AlignedData,
    );
  }
}

function resourceFigure(key: string, caption: string): HTMLElement {
  const id = `res-${key}`;
  let fig = document.getElementById(id);
  if (!fig) {
    fig = document.createElement('figure');
    fig.id = id;
    fig.className = 'chart';
    fig.dataset.chart = key.startsWith('mem') ? 'memory' : 'redis';
    const cap = document.createElement('figcaption');
    cap.textContent = caption;
    fig.append(cap);
    document.getElementById('resource-charts')?.append(fig);
  }
  return fig;
}

function drawResources(r: ResourceHistoryResponse): void {
  r.containers.forEach((c, i) => {
    const name = Object.values(c.labels).join(' ');
    const leak = c.leak
      ? `; leak verdict ${c.leak.verdict}${c.leak.growth_bytes_per_hour !== null ? `, floor +${bytes(c.leak.growth_bytes_per_hour)}/h` : ''}`
      : '';
    const fig = resourceFigure(`mem-${i}`, `Container memory: ${name}${leak}`);
    // The fitted trend from the newest floor, projected forward until it meets the limit (or half the range again).
    const xs = [...r.t];
    const trend = c.trend;
    if (trend && trend.growth_bytes_per_hour > 0) {
      const hitsLimit =
        c.limit_bytes !== null ? trend.anchor_t + ((c.limit_bytes - trend.anchor_bytes) / trend.growth_bytes_per_hour) * HOUR : Infinity;
      const end = Math.min(hitsLimit, r.to + (r.to - r.from) / 2);
      for (let x = r.to + r.step_seconds; x < end; x += r.step_seconds * 4) xs.push(x);
      if (end > r.to && Number.isFinite(end)) xs.push(end);
    }
    const pad = <T>(col: T[]) => [...col, ...new Array<T | null>(xs.length - col.length).fill(null)];
    const trendCol = xs.map((x) =>
      trend && x >= trend.anchor_t ? trend.anchor_bytes + ((x - trend.anchor_t) / HOUR) * trend.growth_bytes_per_hour : null,
    );
    draw(
      `mem-${i}`,
      fig,
      (width) => ({
        width,
        height: 220,
        series: [
          {},
          { label: 'working set (max)', stroke: COLORS.line(), width: 1.5 },
          { label: 'floor (min)', stroke: COLORS.ok(), width: 2 },
          { label: 'leak trend', stroke: COLORS.bound(), dash: [6, 4], width: 2, points: { show: false } },
          { label: 'limit', stroke: COLORS.muted(), dash: [2, 3], width: 1.5, points: { show: false } },
        ],
        axes: axes('memory', (_u, vs) => vs.map(bytes)),
      }),
      [xs, pad(c.working_set_bytes), pad(c.floor_bytes), trendCol, flat(xs.length, c.limit_bytes)] as uPlot.AlignedData,
    );
  });
  r.redis.forEach((x, i) => {
    const fig = resourceFigure(`redis-${i}`, `Redis hit ratio: ${x.source}`);
    draw(
      `redis-${i}`,
      fig,
      (width) => ({
        width,
        height: 160,
        series: [{}, { label: 'hit ratio', stroke: COLORS.line(), width: 2 }],
        scales: { y: { range: [0, 1] } },
        axes: axes('hit ratio', (_u, vs) => vs.map((v) => `${Math.round(v * 100)}%`)),
      }),
      [r.t, x.hit_ratio] as uPlot.AlignedData,
    );
  });
}

// ---- service page ----

type CurrentBody = Wire<ServiceCurrentResponse>;

function rangeSeconds(range: string, periods: (string | null)[]): number {
  const fixed: Record<string, number> = { '1h': HOUR, '6h': 6 * HOUR, '24h': 24 * HOUR };
  if (fixed[range]) return fixed[range]!;
  const days = periods.map((p) => (p && /^(\d+)d$/.exec(p)?.[1]) || null).filter((d): d is string => d !== null);
  return days.length > 0 ? Math.min(90, Math.max(...days.map(Number))) * 86_400 : 24 * HOUR;
}

async function getJson<T>(url: string): Promise<T | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return res.ok ? ((await res.json()) as T) : null;
  } catch {
    return null;
  }
}

function startService(): void {
  const service = main.dataset.service ?? '';
  const range = main.dataset.range ?? '1h';
  const base = `/api/sla/${encodeURIComponent(service)}`;
  const objectives = [...document.querySelectorAll<HTMLElement>('section.objective')].map((s) => s.dataset.objective ?? '');
  let periods: (string | null)[] = [];
  const shown = new Map<string, ObjectiveStatus>();

  // The range is aligned to its step (as the server picks it by default: about 300 buckets), so
  // every open page asks the same question within a step and the server answers it once; the
  // charts are redrawn at most once per step, since a bucket cannot change faster.
  let chartsAt = 0;
  const refreshCharts = async (force: boolean) => {
    const span = rangeSeconds(range, periods);
    const step = Math.max(1, Math.ceil(span / 300));
    const nowS = Date.now() / 1000;
    if (!force && nowS - chartsAt < Math.max(step, pollMs / 1000)) return;
    chartsAt = nowS;
    const to = Math.ceil(nowS / step) * step;
    const q = `?from=${to - span}&to=${to}&step=${step}`;
    const [histories, resources] = await Promise.all([
      Promise.all(objectives.map((o) => getJson<ObjectiveHistoryResponse>(`${base}/objectives/${encodeURIComponent(o)}/history${q}`))),
      getJson<ResourceHistoryResponse>(`${base}/resources${q}`),
    ]);
    for (const h of histories) if (h) drawObjective(h);
    if (resources) drawResources(resources);
  };

  const last = { etag: null as string | null };
  const update = async () => {
    const body = await poll<CurrentBody>(`${base}/current`, last);
    if (!body) return;
    periods = body.objectives.map((o) => o.period);
    const changed = body.objectives.some((o) => shown.get(o.name) !== o.status);
    for (const o of body.objectives) shown.set(o.name, o.status);
    setEvaluated(body.evaluated_at);
    setStatus(document.querySelector('h1'), body.status);
    for (const o of body.objectives) {
      const row = document.querySelector(`#objectives tr${byData('objective', o.name)}`);
      setStatus(row, o.status);
      const value = row?.querySelector('.value');
      if (value) value.textContent = o.value?.display ?? 'no data';
      setStatus(document.querySelector(`section${byData('objective', o.name)} h2`), o.status);
    }
    setLive(`updated ${new Date().toLocaleTimeString()}`);
    // A status change redraws at once (the breach should show on the chart too); otherwise once per step.
    await refreshCharts(changed);
  };
  void update();
  every(update);

  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const plot of charts.values()) {
        const host = plot.root.parentElement;
        if (host) plot.setSize({ width: widthOf(host), height: plot.height });
      }
    }, 200);
  });
}

if (main.dataset.page === 'overview') startOverview();
else if (main.dataset.page === 'service') startService();
