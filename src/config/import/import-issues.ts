import type { ZodError } from 'zod';
import { ERR } from '../../core/errors.js';
import type { ConfigIssue } from '../config.js';
import { formatPath } from '../issue-format.js';
import type { PathSegment, Position } from '../yaml-source.js';

/**
 * Errors of a foreign document carry the foreign file's positions: each converter reports by
 * path in the document it reads, and `locate` maps the path to a line and column.
 */

/** `at: 'key'` for the key itself (an unknown key), else the value at the path. */
export type Locate = (path: readonly PathSegment[], at?: 'value' | 'key') => Position;

export interface SinkOptions {
  /** Said before each message: `document 2/3` in a file of several YAML documents. */
  readonly document?: string;
  /**
   * The path as written in the file for a path of the document the converter reads, when it reads
   * a reshaped copy (camelCase keys renamed, an OpenSLO v1alpha SLO read as v1 documents).
   */
  readonly written?: (path: readonly PathSegment[]) => PathSegment[];
}

export class IssueSink {
  readonly issues: ConfigIssue[] = [];
  /** Things vigil has no place for (dropped annotations, alert names); printed by `vigil convert`. */
  readonly warnings: string[] = [];

  constructor(
    readonly file: string,
    private readonly locate: Locate,
    private readonly options: SinkOptions = {},
  ) {}

  private written(path: readonly PathSegment[]): PathSegment[] {
    return this.options.written ? this.options.written(path) : [...path];
  }

  /** Line and column of a path of this sink's document. */
  locateOf(path: readonly PathSegment[]): Position {
    return this.locate(this.written(path));
  }

  /**
   * A sink whose paths go through `map` first (a nested part of the document, or a reshaped
   * copy of it); it shares this sink's lists so the caller reads one place.
   */
  mapped(map: (path: readonly PathSegment[]) => PathSegment[]): IssueSink {
    const child = new IssueSink(this.file, this.locate, { ...this.options, written: (p) => this.written(map(p)) });
    (child as { issues: ConfigIssue[] }).issues = this.issues;
    (child as { warnings: string[] }).warnings = this.warnings;
    return child;
  }

  /** Issues and warnings under `path`, for a nested part of the document (same file). */
  at(path: readonly PathSegment[]): IssueSink {
    return this.mapped((p) => [...path, ...p]);
  }

  private said(message: string): string {
    return this.options.document === undefined ? message : `${this.options.document}: ${message}`;
  }

  error(path: readonly PathSegment[], message: string): void {
    const full = this.written(path);
    const { line, column } = this.locate(full);
    this.issues.push({
      file: this.file,
      line,
      column,
      path: formatPath(full),
      message: this.said(message),
      code: ERR.VIGIL_ERR_CONFIG_IMPORT,
    });
  }

  /** `at: 'key'` points at the key rather than its value (an unknown key's warning). */
  warn(path: readonly PathSegment[], message: string, at: 'value' | 'key' = 'value'): void {
    const full = this.written(path);
    const { line, column } = this.locate(full, at);
    this.warnings.push(`${this.file}:${line}:${column} ${formatPath(full)}: ${this.said(message)}`);
  }

  zod(error: ZodError): void {
    for (const issue of error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      let message = issue.message;
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) this.error([...path, key], `unknown key "${key}"`);
        continue;
      }
      if (issue.code === 'invalid_type' && /received undefined/.test(message))
        message = `missing; ${message.replace(/, received undefined$/, '')}`;
      this.error(path, message);
    }
  }

  get ok(): boolean {
    return this.issues.length === 0;
  }
}

/** A foreign name as a vigil name (lowercase letters, digits, dashes), or null when nothing is left. */
export function vigilName(name: string): string | null {
  const out = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return out === '' ? null : out;
}
