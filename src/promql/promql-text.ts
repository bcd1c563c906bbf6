import { formatDuration } from '../units/units.js';

/**
 * Small, pure helpers that turn SLO settings into PromQL text. Everything that ends up in a rule
 * or a panel query goes through here, so quoting and number formatting are the same everywhere.
 */

/**
 * A window in milliseconds as Prometheus users write it (`300000` -> `5m`, 30 days -> `30d`,
 * never weeks: it ends up in recording-rule names like `slo:sli_error:ratio_rate30d`).
 */
export function promDuration(ms: number): string {
  if (!(ms > 0)) throw new Error(`expected a positive window, got ${ms} ms`);
  return formatDuration(ms);
}

/** An alert's `for:`; 0 means "fires at once", which Prometheus writes as `0s`. */
export function promFor(ms: number): string {
  return ms === 0 ? '0s' : promDuration(ms);
}

/**
 * A number as a PromQL literal: at most 12 significant digits so `1 - 0.999` prints as `0.001`
 * and not `0.0010000000000000009`, and so the output is the same on every machine.
 */
export function promNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a PromQL number`);
  return String(Number(value.toPrecision(12)));
}

/** A PromQL double-quoted string (Go escaping; JSON's is a compatible subset for these inputs). */
export function promString(value: string): string {
  return JSON.stringify(value);
}

/** Text matched literally inside an RE2 pattern (`a.b` -> `a\.b`). */
export function regexQuote(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** A container-name glob (`ml-serving*`) as an anchored RE2 pattern (`ml-serving.*`). */
export function globToRegex(glob: string): string {
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += regexQuote(ch);
  }
  return out;
}

export type Matcher = readonly [label: string, op: '=' | '=~' | '!=' | '!~', value: string];

/** `{a="x",b=~"y.*"}`, or the empty string for no matchers. */
export function matchers(list: readonly Matcher[]): string {
  if (list.length === 0) return '';
  return `{${list.map(([label, op, value]) => `${label}${op}${promString(value)}`).join(',')}}`;
}

/**
 * `(expr)` unless the expression is already one operand: a bare selector, or one function call
 * or aggregation (`max by (x) (...)`) whose parentheses close at the very end.
 */
export function paren(expr: string): string {
  const text = expr.trim();
  if (/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*\})?$/.test(text)) return text;
  if (text.startsWith('(') && closingParen(text, 0) === text.length - 1) return text;
  const head = /^[a-zA-Z_][a-zA-Z0-9_]*\s*(?:(?:by|without)\s*\([^()]*\)\s*)?\(/.exec(text);
  if (head && closingParen(text, head[0].length - 1) === text.length - 1) return text;
  return `(${text})`;
}

/** Index of the parenthesis closing the one at `open`, skipping quoted strings; -1 if none. */
export function closingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== null) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}
