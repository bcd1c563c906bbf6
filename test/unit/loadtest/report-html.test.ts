import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { breakingStepIndex, reportCharts, reportHtml } from '../../../src/loadtest/report-html.js';
import { loadtestReportSchema } from '../../../src/loadtest/report-schema.js';
import type { ReportChart } from '../../../src/ui/report-charts.js';
import { HOSTILE_REPORT, profileReport, stressReport } from '../../support/loadtest-report-fixture.js';

const ASSETS = { script: 'console.log("charts")', style: 'body{color:red}' };

/** The embedded chart data, parsed back as the browser script reads it. */
function embedded(page: string): ReportChart[] {
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(page);
  if (!m) throw new Error('no embedded report data');
  return JSON.parse(m[1]!) as ReportChart[];
}

const sha = (text: string) => createHash('sha256').update(text).digest('base64');

describe('the HTML load-test report', () => {
  it('the fixtures are reports as the schema reads them', () => {
    expect(loadtestReportSchema.safeParse(stressReport()).success).toBe(true);
    expect(loadtestReportSchema.safeParse(profileReport()).success).toBe(true);
  });

  it('escapes every name from SLO files, profiles and sources: markup appears as text only', () => {
    const page = reportHtml(profileReport(HOSTILE_REPORT), ASSETS);
    // Our own elements only: the data block and the inlined module, no image, no other script.
    expect(page.match(/<script/g)).toHaveLength(2);
    expect(page).not.toMatch(/<img/);
    for (const text of Object.values(HOSTILE_REPORT)) expect(page).not.toContain(text);
    expect(page).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;svc');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;');
    expect(page).toContain('&lt;img src=x onerror=&quot;window.__pwned=5&quot;&gt;');
    // The phase name travels in the chart data too, where no `<` can end the script element...
    const data = page.slice(page.indexOf('id="report-data">'));
    expect(data.slice(0, data.indexOf('</script>'))).not.toContain('<script>window');
    // ...and comes back intact for the canvas.
    expect(embedded(page)[0]!.bands.map((b) => b.label)).toContain(HOSTILE_REPORT.phase);
  });

  it('forbids every external load and allows exactly the inlined script and style (CSP meta)', () => {
    const page = reportHtml(stressReport(), ASSETS);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page)?.[1]?.replaceAll('&#39;', "'");
    expect(csp).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${sha(ASSETS.script)}'`);
    expect(csp).toContain(`style-src 'sha256-${sha(ASSETS.style)}'`);
    expect(page).toContain(`<script type="module">${ASSETS.script}</script>`);
    expect(page).toContain(`<style>${ASSETS.style}</style>`);
    // Nothing to fetch: no src or href to anywhere but the page itself and a data: icon.
    expect(page).not.toMatch(/\b(src|href)="(https?:|\/\/)/);
  });

  it('refuses to inline a bundle that would close its element early', () => {
    expect(() => reportHtml(stressReport(), { ...ASSETS, script: 'let s = "</script>";' })).toThrow(/cannot be inlined/);
  });

  it('marks the breaking point: its step row and a line on every chart at the step start', () => {
    const report = stressReport();
    expect(breakingStepIndex(report.stress!)).toBe(2);
    const page = reportHtml(report, ASSETS);
    const rows = [...page.matchAll(/<tr class="([^"]*)" data-step="(\d+)"/g)].map((m) => [m[2], m[1]]);
    expect(rows).toEqual([
      ['1', ''],
      ['2', ''],
      ['3', 'breaking'],
    ]);
    expect(page).toMatch(/<strong id="breaking-point">800 req\/s<\/strong>/);
    for (const chart of reportCharts(report)) expect(chart.marks).toEqual([{ at: 20, label: 'breaking point: 800 req/s' }]);
  });

  it('does not call a step the generator could not drive a breaking point', () => {
    const report = stressReport();
    const stress = report.stress!;
    const last = stress.steps[2]!;
    report.stress = {
      ...stress,
      breakingRate: null,
      generatorLimitedAt: 800,
      steps: [...stress.steps.slice(0, 2), { ...last, reasons: [], generator: { ...last.generator, limited: true, reason: 'sent late' } }],
    };
    expect(breakingStepIndex(report.stress)).toBe(-1);
    expect(reportHtml(report, ASSETS)).not.toContain('class="breaking"');
    expect(reportCharts(report).every((c) => c.marks.length === 0)).toBe(true);
  });

  it('shows the profile phases: a table row each, and the same stretches shaded on the charts', () => {
    const report = profileReport();
    const page = reportHtml(report, ASSETS);
    const table = page.slice(page.indexOf('id="phase-table"'), page.indexOf('</table>', page.indexOf('id="phase-table"')));
    expect([...table.matchAll(/<th scope="row">([^<]*)<\/th>/g)].map((m) => m[1])).toEqual(['ramp', 'peak', 'cool-down']);
    // The peak asked 400 req/s throughout.
    expect(table).toMatch(/peak<\/th><td class="num">20\.0 s<\/td><td class="num">40\.0 s<\/td>\s*<td class="num">400 req\/s/);
    const charts = reportCharts(report);
    expect(charts.map((c) => c.id)).toEqual(['latency', 'rate', 'errors']);
    for (const c of charts)
      expect(c.bands).toEqual(report.per_second!.phases.map((p) => ({ from: p.from_seconds, to: p.to_seconds, label: p.name })));
    expect(charts[1]!.series.map((s) => s.label)).toEqual(['asked', 'answered']);
    expect(charts[0]!.series.map((s) => s.label)).toEqual(['p50', 'p95', 'p99']);
  });

  it("shows each objective's verdict with both views, client and vigil", () => {
    const page = reportHtml(profileReport({ error: 'prometheus: timeout' }), ASSETS);
    const table = page.slice(page.indexOf('id="verdicts"'));
    const rows = [...table.matchAll(/<tr data-verdict="(\w+)">([\s\S]*?)<\/tr>/g)];
    expect(rows.map((r) => r[1])).toEqual(['held', 'broken']);
    const broken = rows[1]![2]!;
    expect(broken).toMatch(/<td class="client">.*broken.*P99 latency \(ms\): 64\.8 ms ≤ 50\.0 ms/s);
    expect(broken).toMatch(/<td class="vigil">worst .*breach.* 61\.0ms <br>last .*breach.* 58\.4ms/s);
    expect(broken).toContain('prometheus: timeout');
    expect(broken).toContain('client + vigil');
  });

  it('without the built bundle: tables only, no script, a CSP that allows none', () => {
    const page = reportHtml(profileReport(), null);
    expect(page).not.toContain('<script type="module">');
    expect(page.replaceAll('&#39;', "'")).toContain("script-src 'none'");
    expect(page).toContain('id="verdicts"');
  });

  it("draws a soak's memory over the run with its limit", () => {
    const report = profileReport();
    const origin = Date.parse(report.startedAt);
    report.mode = 'soak';
    report.soak = {
      plannedS: 60,
      checkpointS: 30,
      warmupS: 0,
      warmupReason: 'no warm-up',
      doneS: 60,
      resumedAtS: [],
      pausedS: 0,
      checkpoints: [],
      memorySource: 'http://127.0.0.1:8095/metrics process_resident_memory_bytes',
      memoryError: null,
      limitBytes: 512 * 2 ** 20,
      memory: { t: [origin + 1000, origin + 31_000], v: [100 * 2 ** 20, 101 * 2 ** 20] },
      leak: null,
      checkpointFile: null,
    };
    const memory = reportCharts(report).find((c) => c.id === 'memory');
    expect(memory).toMatchObject({ unit: 'bytes', x: [1, 31] });
    expect(memory?.series.map((s) => [s.label, s.values])).toEqual([
      ['resident memory', [100 * 2 ** 20, 101 * 2 ** 20]],
      ['limit', [512 * 2 ** 20, 512 * 2 ** 20]],
    ]);
    expect(reportHtml(report, ASSETS)).toContain('<figure class="chart" data-chart="memory">');
    // A Node target's judged series is drawn beside the resident memory.
    report.soak.memory = { ...report.soak.memory, judged: [80 * 2 ** 20, 80 * 2 ** 20] };
    expect(
      reportCharts(report)
        .find((c) => c.id === 'memory')
        ?.series.map((s) => s.label),
    ).toEqual(['resident memory', 'judged for leaks (outside the heap + live heap)', 'limit']);
  });

  it('a report without the per-second series (an older vigil) says so and has no charts', () => {
    const { per_second: _omitted, ...old } = profileReport();
    expect(reportCharts(old)).toEqual([]);
    expect(reportHtml(old, ASSETS)).toContain('no per-second series');
  });
});
