// What both browser scripts' charts share: colours from the page's CSS variables (light and dark),
// the axes, and the width a chart takes in its host.
import type uPlot from 'uplot';

export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export const COLORS = {
  line: () => cssVar('--chart-line', '#2563eb'),
  bound: () => cssVar('--breach', '#c62828'),
  warn: () => cssVar('--warning', '#b26a00'),
  ok: () => cssVar('--ok', '#2e7d32'),
  muted: () => cssVar('--muted', '#6b7280'),
  fg: () => cssVar('--fg', '#111'),
  shade: () => cssVar('--breach-shade', 'rgba(198,40,40,0.15)'),
};

export function axes(yLabel: string, yValues?: (u: uPlot, v: number[]) => string[]): uPlot.Axis[] {
  const stroke = COLORS.fg();
  const grid = { stroke: COLORS.muted(), width: 0.5 };
  return [
    { stroke, grid, ticks: grid },
    { stroke, grid, ticks: grid, label: yLabel, size: 60, ...(yValues ? { values: yValues } : {}) },
  ];
}

export function widthOf(el: HTMLElement): number {
  return Math.max(280, Math.min(1100, el.clientWidth || 600));
}

/** A byte count on an axis or in a legend, binary units, 3 significant digits. */
export function bytes(v: number): string {
  const a = Math.abs(v);
  if (a >= 2 ** 30) return `${+(v / 2 ** 30).toPrecision(3)}GiB`;
  if (a >= 2 ** 20) return `${+(v / 2 ** 20).toPrecision(3)}MiB`;
  if (a >= 2 ** 10) return `${+(v / 2 ** 10).toPrecision(3)}KiB`;
  return `${Math.round(v)}B`;
}
