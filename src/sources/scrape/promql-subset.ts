import { ERR, vigilError } from '../../core/errors.js';
import { ONE_WINDOW_PLACEHOLDER } from '../../promql/fill-window.js';
import type { Labels } from '../../store/point.js';
import { parseDuration } from '../../units/units.js';

/**
 * The small part of PromQL that vigil can answer from its own scrapes, without a Prometheus:
 *  - a selector `metric{label="v", other!="w", code=~"5..", route!~"/health|/metrics"}`;
 *  - a query `sum(rate(SELECTOR[WINDOW]))` or `sum(increase(SELECTOR[WINDOW]))`, where WINDOW is
 *    `{{window}}` (the objective's window, filled in by the evaluator) or a duration like `5m`.
 * Anything else is refused with VIGIL_ERR_SCRAPE_UNSUPPORTED_QUERY and says what is supported:
 * such objectives need a `prometheus` source.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

export interface Selector {
  readonly metric: string;
  readonly matchers: readonly LabelMatcher[];
}

export interface RangeQuery {
  readonly fn: 'rate' | 'increase';
  readonly selector: Selector;
  /** null for `{{window}}`: the caller's window applies. Milliseconds otherwise. */
  readonly windowMs: number | null;
}

const SUPPORTED =
  'a scrape source answers `metric{matchers}` selectors and `sum(rate(metric{matchers}[{{window}}]))` or ' +
  '`sum(increase(...))` with =, !=, =~, !~ matchers; use a prometheus source for other PromQL';

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  eat(token: string): boolean {
    this.skipSpace();
    if (this.text.startsWith(token, this.pos)) {
      this.pos += token.length;
      return true;
    }
    return false;
  }
  expect(token: string): void {
    if (!this.eat(token)) this.fail(`expected "${token}"`);
  }
  match(re: RegExp): string | null {
    this.skipSpace();
    const m = re.exec(this.text.slice(this.pos));
    if (m?.index !== 0) return null;
    this.pos += m[0].length;
    return m[0];
  }
  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }
  fail(message: string): never {
    throw vigilError(ERR.VIGIL_ERR_SCRAPE_UNSUPPORTED_QUERY, {
      detail: message,
      column: this.pos + 1,
      query: this.text,
      supported: SUPPORTED,
    });
  }
}

function readString(c: Cursor): string {
  c.skipSpace();
  const quote = c.text[c.pos];
  if (quote !== '"' && quote !== "'") c.fail('expected a quoted label value');
  c.pos++;
  let out = '';
  while (c.pos < c.text.length) {
    const ch = c.text[c.pos]!;
    if (ch === '\\') {
      const next = c.text[c.pos + 1] ?? '';
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      c.pos += 2;
      continue;
    }
    c.pos++;
    if (ch === quote) return out;
    out += ch;
  }
  return c.fail('unterminated string');
}

function readSelector(c: Cursor): Selector {
  const metric = c.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/);
  if (!metric) c.fail('expected a metric name');
  const matchers: LabelMatcher[] = [];
  if (c.eat('{')) {
    for (let guard = 0; guard < 1000 && !c.eat('}'); guard++) {
      const name = c.match(/[a-zA-Z_][a-zA-Z0-9_]*/);
      if (!name) c.fail('expected a label name');
      const op = (c.match(/=~|!~|!=|=/) ?? c.fail(`expected =, !=, =~ or !~ after ${name}`)) as MatchOp;
      const value = readString(c);
      if (op === '=~' || op === '!~') {
        try {
          new RegExp(value);
        } catch (err) {
          c.fail(`invalid regular expression for ${name}: ${(err as Error).message}`);
        }
      }
      matchers.push({ name, op, value });
      if (!c.eat(',')) {
        c.expect('}');
        break;
      }
    }
  }
  return { metric, matchers };
}

/** Parses a bare selector such as a latency indicator's `histogram`. */
export function parseSelector(text: string): Selector {
  const c: Cursor = new Cursor(text);
  const selector = readSelector(c);
  if (!c.atEnd()) c.fail('unexpected text after the selector');
  return selector;
}

/** Parses `sum(rate(SELECTOR[WINDOW]))` / `sum(increase(...))`. */
export function parseRangeQuery(text: string): RangeQuery {
  const c: Cursor = new Cursor(text);
  c.expect('sum');
  c.expect('(');
  const fn = c.match(/rate|increase/) as 'rate' | 'increase' | null;
  if (!fn) c.fail('expected rate( or increase( inside sum(');
  c.expect('(');
  const selector = readSelector(c);
  c.expect('[');
  let windowMs: number | null = null;
  if (c.match(ONE_WINDOW_PLACEHOLDER) === null) {
    const literal = c.match(/[0-9][0-9a-z.]*/);
    if (!literal) c.fail('expected {{window}} or a duration');
    try {
      windowMs = parseDuration(literal);
    } catch {
      c.fail(`expected a duration, got "${literal}"`);
    }
  }
  c.expect(']');
  c.expect(')');
  c.expect(')');
  if (!c.atEnd()) c.fail('unexpected text after the query');
  return { fn, selector, windowMs };
}

const regexCache = new Map<string, RegExp>();
function anchored(re: string): RegExp {
  let out = regexCache.get(re);
  if (!out) {
    // PromQL regexes are fully anchored.
    out = new RegExp(`^(?:${re})$`);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(re, out);
  }
  return out;
}

/** Whether a series' labels pass the matchers; a missing label reads as "" as in PromQL. */
export function matchesSelector(labels: Labels, matchers: readonly LabelMatcher[]): boolean {
  for (const m of matchers) {
    const v = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        if (v !== m.value) return false;
        break;
      case '!=':
        if (v === m.value) return false;
        break;
      case '=~':
        if (!anchored(m.value).test(v)) return false;
        break;
      case '!~':
        if (anchored(m.value).test(v)) return false;
        break;
    }
  }
  return true;
}
