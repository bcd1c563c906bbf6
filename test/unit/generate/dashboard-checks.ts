import type { Dashboard, Panel, RowPanel, VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import { expect } from 'vitest';

/**
 * Structural checks of the dashboards against the SDK's dashboard model (typed here as the SDK's
 * `Dashboard`, so a field the SDK does not know fails to compile) and what Grafana needs to
 * import them: uid of 8-40 safe characters, unique panel ids, a grid 24 wide, a datasource
 * variable that every panel and query reads, a refId and expression on every query.
 */
export function checkDashboard(d: Dashboard): void {
  expect(d.uid).toMatch(/^[a-zA-Z0-9_-]{8,40}$/);
  expect(typeof d.title).toBe('string');
  expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
  const vars = (d.templating?.list ?? []) as VariableModel[];
  const ds = vars.find((v) => v.name === 'datasource');
  expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
  // Grafana's built-in annotation is there, as in a dashboard made in Grafana.
  expect(d.annotations?.list?.[0]).toMatchObject({ builtIn: 1, datasource: { type: 'grafana' } });
  for (const a of d.annotations!.list!.slice(1)) expect(a.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
  const panels = (d.panels ?? []) as Array<Panel | RowPanel>;
  expect(panels.length).toBeGreaterThan(1);
  const ids = panels.map((p) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const p of panels) {
    expect(p.gridPos!.x + p.gridPos!.w).toBeLessThanOrEqual(24);
    if (p.type === 'row') continue;
    const panel = p as Panel;
    expect(['stat', 'gauge', 'timeseries']).toContain(panel.type);
    expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(panel.targets!.length).toBeGreaterThan(0);
    const refIds = new Set<string>();
    for (const t of panel.targets as unknown as Array<{ refId: string; expr: string }>) {
      expect(t.refId).toMatch(/^[A-Z]$/);
      refIds.add(t.refId);
      expect(t.expr.trim().length).toBeGreaterThan(0);
      expect(t.expr).not.toMatch(/\{\{\s*window\s*\}\}/);
    }
    expect(refIds.size).toBe(panel.targets!.length);
  }
}

export function panelQueries(d: Dashboard): string[] {
  return ((d.panels ?? []) as Panel[]).flatMap((p) => ((p.targets ?? []) as unknown as Array<{ expr: string }>).map((t) => t.expr));
}

/** Panel queries and the PromQL of the annotations. */
export function allQueries(d: Dashboard): string[] {
  const fromAnnotations = (d.annotations?.list ?? [])
    .map((a) => (a as { expr?: string }).expr)
    .filter((e): e is string => typeof e === 'string');
  return [...panelQueries(d), ...fromAnnotations];
}
