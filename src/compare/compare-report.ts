import { formatQuantity } from '../units/units.js';
import type { Figure } from './baseline-schema.js';
import type { Comparison, FigureComparison } from './compare.js';

/** What `vigil compare` prints: a table for people, or JSON with snake_case keys for scripts. */

export function formatFigure(value: number | null, unit: Figure['unit']): string {
  if (value === null) return 'n/a';
  switch (unit) {
    case 'seconds':
      return Math.abs(value) < 1 ? `${Number((value * 1000).toPrecision(4))}ms` : `${Number(value.toPrecision(4))}s`;
    case 'per_second':
      return `${Number(value.toPrecision(4))}/s`;
    case 'percent':
      return `${Number(value.toPrecision(4))}%`;
    default:
      return formatQuantity({ value, unit });
  }
}

const percent = (share: number | null): string =>
  share === null ? 'n/a' : `${share >= 0 ? '+' : ''}${Number((share * 100).toPrecision(3))}%`;

function intervalText(f: FigureComparison): string {
  if (!f.interval) return f.reason ?? '';
  const signed = (v: number) => `${v >= 0 ? '+' : '-'}${formatFigure(Math.abs(v), f.unit)}`;
  return `[${signed(f.interval.low)}, ${signed(f.interval.high)}]`;
}

export function comparisonTable(c: Comparison): string {
  const header = ['figure', 'before', 'after', 'change', `${Math.round(c.confidence * 100)}% interval of the change`, 'verdict'];
  const rows = c.figures.map((f) => [
    f.name,
    formatFigure(f.before, f.unit),
    formatFigure(f.after, f.unit),
    percent(f.change),
    intervalText(f),
    f.verdict,
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const lines = all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  const regressed = c.figures.filter((f) => f.verdict === 'regressed').map((f) => f.name);
  const summary = regressed.length ? `REGRESSED: ${regressed.join(', ')}` : 'no regression';
  return [`${c.service} (${c.kind})`, ...lines, summary].join('\n');
}

export function comparisonJson(c: Comparison): unknown {
  return {
    service: c.service,
    kind: c.kind,
    confidence: c.confidence,
    regressed: c.regressed,
    figures: c.figures.map((f) => ({
      name: f.name,
      objective: f.objective,
      measure: f.measure,
      unit: f.unit,
      better: f.better,
      tolerance: f.tolerance,
      before: f.before,
      after: f.after,
      change_ratio: f.change,
      interval_low: f.interval?.low ?? null,
      interval_high: f.interval?.high ?? null,
      verdict: f.verdict,
      reason: f.reason,
    })),
  };
}
