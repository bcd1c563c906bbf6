/**
 * A structural check of a cron expression, in time and memory bounded by its length.
 *
 * node-cron's own validator expands every range into the list of its numbers before it looks
 * at the bounds, so `0-99999999 * * * * *` allocates a hundred million numbers (about a minute
 * and 4 GB) before saying no. This check runs first: it reads each field's items without
 * expanding them and names the first one out of bounds, with the field and the character where
 * it starts. Only an expression that passes it (every number small, so expansion is cheap) is
 * then handed to node-cron for the rest of its syntax (`L`, `W`, `#`, ...).
 */

/** Longer than any sensible schedule; bounds the work below too. */
export const MAX_CRON_LENGTH = 256;

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Lower-case names allowed in place of numbers (months, week days), value = index + offset. */
  readonly names?: readonly string[];
  readonly nameOffset?: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const LONG_MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const LONG_DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'seconds', min: 0, max: 59 },
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: [...MONTHS, ...LONG_MONTHS], nameOffset: 1 },
  // 7 is Sunday too, as in most crons.
  { name: 'day of week', min: 0, max: 7, names: [...DAYS, ...LONG_DAYS], nameOffset: 0 },
];

const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Where and why an expression is malformed: `column` is 1-based within the expression. */
export interface CronProblem {
  readonly column: number;
  readonly message: string;
}

/** `null` when the expression is structurally sound, else the first problem found. */
export function checkCronStructure(expression: string): CronProblem | null {
  if (expression.length > MAX_CRON_LENGTH) {
    return { column: MAX_CRON_LENGTH + 1, message: `is ${expression.length} characters long; at most ${MAX_CRON_LENGTH}` };
  }
  if (NICKNAMES.has(expression.trim().toLowerCase())) return null;
  const fields = splitFields(expression);
  if (fields.length !== 5 && fields.length !== 6) {
    return { column: 1, message: `has ${fields.length} field(s); expected 5 (minute first) or 6 (second first)` };
  }
  // Five fields: node-cron adds seconds = 0 in front.
  const specs = fields.length === 6 ? FIELDS : FIELDS.slice(1);
  for (let i = 0; i < fields.length; i++) {
    const problem = checkField(fields[i]!.text, fields[i]!.column, specs[i]!, i + 1);
    if (problem) return problem;
  }
  return null;
}

function splitFields(expression: string): { text: string; column: number }[] {
  const out: { text: string; column: number }[] = [];
  const re = /\S+/g;
  for (let m = re.exec(expression); m !== null; m = re.exec(expression)) out.push({ text: m[0], column: m.index + 1 });
  return out;
}

function checkField(text: string, column: number, spec: FieldSpec, position: number): CronProblem | null {
  let offset = 0;
  for (const item of text.split(',')) {
    const problem = checkItem(item, spec);
    if (problem) {
      return { column: column + offset + problem.at, message: `field ${position} (${spec.name}): ${problem.message}` };
    }
    offset += item.length + 1;
  }
  return null;
}

/** One comma-separated item: `*`, `?`, `n`, `a-b`, any of those `/step`, or node-cron's `L`/`W`/`#` forms. */
function checkItem(item: string, spec: FieldSpec): { at: number; message: string } | null {
  if (item === '') return { at: 0, message: 'empty item (two commas in a row?)' };
  const slash = item.indexOf('/');
  const base = slash === -1 ? item : item.slice(0, slash);
  if (slash !== -1) {
    const step = item.slice(slash + 1);
    const span = spec.max - spec.min + 1;
    if (!/^\d{1,3}$/.test(step) || Number(step) < 1 || Number(step) > span) {
      return { at: slash + 1, message: `step ${quote(step)} must be a whole number from 1 to ${span}` };
    }
  }
  if (base === '*' || base === '?') return null;
  // node-cron's day-of-month/week extras (L, L-3, 15W, 5#2, 5L) are checked by node-cron; their numbers are still bounded here.
  if (/[lw#]/i.test(base) && !isName(base, spec)) return checkNumbers(base, spec, 0);
  const dash = base.indexOf('-');
  if (dash === -1) return checkValue(base, spec, 0);
  const from = checkValue(base.slice(0, dash), spec, 0);
  if (from) return from;
  return checkValue(base.slice(dash + 1), spec, dash + 1);
}

function checkValue(text: string, spec: FieldSpec, at: number): { at: number; message: string } | null {
  if (isName(text, spec)) return null;
  if (!/^\d+$/.test(text)) return { at, message: `${quote(text)} is not a number${spec.names ? ' or a name' : ''}` };
  return inBounds(text, spec, at);
}

function checkNumbers(text: string, spec: FieldSpec, at: number): { at: number; message: string } | null {
  const re = /\d+/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const problem = inBounds(m[0], spec, at + m.index);
    if (problem) return problem;
  }
  return null;
}

function inBounds(digits: string, spec: FieldSpec, at: number): { at: number; message: string } | null {
  // Compare as text first: a hundred digits is no number to parse.
  const value = digits.length > 3 ? Infinity : Number(digits);
  if (value < spec.min || value > spec.max) {
    return { at, message: `${quote(digits)} is outside ${spec.min}-${spec.max}` };
  }
  return null;
}

function isName(text: string, spec: FieldSpec): boolean {
  return spec.names?.includes(text.toLowerCase()) ?? false;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text);
}
