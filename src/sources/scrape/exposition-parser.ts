/**
 * A parser for the Prometheus text exposition format (version 0.0.4), the format prom-client and
 * every Prometheus client library serve on `/metrics`.
 *
 * Why our own: the one npm parser for this format (`parse-prometheus-text-format`) ships no types,
 * returns prom2json-shaped objects (values as strings, histogram samples folded into bucket maps
 * that we would have to flatten again) and drops sample timestamps. We need flat samples with
 * numeric values and exact label sets, which is a small, well-specified job.
 *
 * Grammar handled: `# HELP name text`, `# TYPE name type`, other comments, blank lines, samples
 * `name{label="value",...} value [timestamp_ms]` with escapes `\\`, `\"`, `\n` in label values,
 * `\\` and `\n` in HELP, a trailing comma in label sets, and values `+Inf`, `-Inf`, `NaN`.
 */

import { ERR, type VigilError, vigilError } from '../../core/errors.js';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface ExpositionSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The name and label set as the line wrote them (`name{a="1"}`): the same text is the same series. */
  readonly series: string;
  readonly value: number;
  /** Milliseconds, when the target gave one. */
  readonly timestampMs?: number;
}

export interface MetricFamilyInfo {
  type: MetricType;
  help?: string;
}

export interface ParsedExposition {
  readonly samples: ExpositionSample[];
  /** By family name (a histogram's `_bucket`, `_sum`, `_count` samples belong to the family). */
  readonly families: Map<string, MetricFamilyInfo>;
}

function parseError(line: number, detail: string): VigilError {
  return vigilError(ERR.VIGIL_ERR_SCRAPE_PARSE, { line, detail });
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** A series' name and labels as parsed from its text (shared by every sample of that text: not to be changed). */
export interface ParsedSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * `known`: series parsed by earlier scrapes, by their text (`ExpositionSample.series`). A line of
 * a known series takes its name and labels from there and only its value is parsed: a target
 * writes the same series every scrape, and parsing label sets character by character was most of
 * a scrape's time (2 600 series per body in bench:scale). The samples are the same either way.
 */
export function parseExposition(text: string, known?: (series: string) => ParsedSeries | undefined): ParsedExposition {
  const samples: ExpositionSample[] = [];
  const families = new Map<string, MetricFamilyInfo>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      parseComment(trimmed, families, i + 1);
      continue;
    }
    samples.push(parseSample(trimmed, i + 1, known));
  }
  return { samples, families };
}

function parseComment(line: string, families: Map<string, MetricFamilyInfo>, lineNo: number): void {
  const match = /^#\s*(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
  if (!match) return; // any other comment is free text
  const [, keyword, name, rest = ''] = match;
  const family = families.get(name!) ?? { type: 'untyped' as MetricType };
  if (keyword === 'TYPE') {
    const type = rest.trim() as MetricType;
    if (!TYPES.has(type)) throw parseError(lineNo, `unknown metric type "${rest.trim()}" for ${name}`);
    family.type = type;
  } else {
    family.help = rest.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
  }
  families.set(name!, family);
}

function parseSample(line: string, lineNo: number, known?: (series: string) => ParsedSeries | undefined): ExpositionSample {
  const hit = known && knownSeries(line, known);
  let name: string;
  let labels: Readonly<Record<string, string>>;
  let series: string;
  if (hit) {
    ({ name, labels } = hit.parsed);
    series = hit.series;
  } else {
    const nameMatch = METRIC_NAME.exec(line);
    if (!nameMatch) throw parseError(lineNo, `expected a metric name, got "${line.slice(0, 40)}"`);
    name = nameMatch[0];
    let pos = name.length;
    const parsed: Record<string, string> = {};
    if (line[pos] === '{') {
      pos = parseLabels(line, pos + 1, parsed, lineNo);
    }
    labels = parsed;
    series = line.slice(0, pos);
  }
  const rest = line.slice(series.length).trim().split(/\s+/);
  if (rest.length < 1 || rest[0] === '' || rest.length > 2) {
    throw parseError(lineNo, `expected "value [timestamp]" after ${name}`);
  }
  const value = parseValue(rest[0]!, lineNo);
  if (rest.length === 2) {
    const ts = Number(rest[1]);
    if (!Number.isInteger(ts)) throw parseError(lineNo, `expected an integer timestamp, got "${rest[1]}"`);
    return { name, labels, series, value, timestampMs: ts };
  }
  return { name, labels, series, value };
}

/**
 * The line's series, when `known` has it: the line without its value, or without its value and
 * timestamp (neither holds whitespace). A text `known` holds was a whole series text of an earlier
 * line, and the parser reads a series text from its start without looking past its end (a `}`,
 * or a name followed by whitespace), so this line's series is that one.
 */
function knownSeries(
  line: string,
  known: (series: string) => ParsedSeries | undefined,
): { series: string; parsed: ParsedSeries } | undefined {
  let end = line.length;
  for (let fields = 0; fields < 2; fields++) {
    let space = end - 1;
    while (space >= 0 && line[space] !== ' ' && line[space] !== '\t') space--;
    while (space > 0 && (line[space - 1] === ' ' || line[space - 1] === '\t')) space--;
    if (space <= 0) return undefined;
    const series = line.slice(0, space);
    const parsed = known(series);
    if (parsed) return { series, parsed };
    end = space;
  }
  return undefined;
}

/** Parses `a="1",b="2"}` from `pos`; returns the position after `}`. */
function parseLabels(line: string, pos: number, labels: Record<string, string>, lineNo: number): number {
  for (let guard = 0; guard <= line.length; guard++) {
    while (line[pos] === ' ' || line[pos] === '\t') pos++;
    if (line[pos] === '}') return pos + 1;
    const nameMatch = LABEL_NAME.exec(line.slice(pos));
    if (!nameMatch) throw parseError(lineNo, `expected a label name at column ${pos + 1}`);
    const labelName = nameMatch[0];
    pos += labelName.length;
    while (line[pos] === ' ') pos++;
    if (line[pos] !== '=') throw parseError(lineNo, `expected "=" after label ${labelName}`);
    pos++;
    while (line[pos] === ' ') pos++;
    if (line[pos] !== '"') throw parseError(lineNo, `expected a quoted value for label ${labelName}`);
    pos++;
    let value = '';
    let closed = false;
    while (pos < line.length) {
      const ch = line[pos]!;
      if (ch === '\\') {
        const next = line[pos + 1];
        value += next === 'n' ? '\n' : next === '"' ? '"' : next === '\\' ? '\\' : `\\${next ?? ''}`;
        pos += 2;
      } else if (ch === '"') {
        closed = true;
        pos++;
        break;
      } else {
        value += ch;
        pos++;
      }
    }
    if (!closed) throw parseError(lineNo, `unterminated value for label ${labelName}`);
    if (labelName in labels) throw parseError(lineNo, `label ${labelName} given twice`);
    labels[labelName] = value;
    while (line[pos] === ' ') pos++;
    if (line[pos] === ',') pos++;
    else if (line[pos] !== '}') throw parseError(lineNo, `expected "," or "}" after label ${labelName}`);
  }
  throw parseError(lineNo, 'unterminated label set');
}

function parseValue(text: string, lineNo: number): number {
  // Case-insensitive, as Prometheus reads them (prom-client writes NaN as `Nan`).
  switch (text.toLowerCase()) {
    case '+inf':
    case 'inf':
      return Number.POSITIVE_INFINITY;
    case '-inf':
      return Number.NEGATIVE_INFINITY;
    case 'nan':
      return Number.NaN;
  }
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw parseError(lineNo, `expected a number, got "${text}"`);
  return value;
}
