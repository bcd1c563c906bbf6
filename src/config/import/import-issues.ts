import type { ZodError } from 'zod';
import { ERR } from '../../core/errors.js';
import type { ConfigIssue } from '../config.js';
import { formatPath } from '../issue-format.js';
import type { PathSegment, Position } from '../yaml-source.js';

/**
 * Errors of a foreign document carry the foreign file's positions: each converter reports by
 * path in the document it reads, and `locate` maps the path to a line and column.
 */

export type Locate = (path: readonly PathSegment[]) => Position;

export class IssueSink {
  readonly issues: ConfigIssue[] = [];
  /** Things vigil has no place for (dropped annotations, alert names); printed by `vigil convert`. */
  readonly warnings: string[] = [];

  constructor(
    readonly file: string,
    private readonly locate: Locate,
    private readonly prefix: readonly PathSegment[] = [],
  ) {}

  /** Line and column of a path of this sink's document (for a converter that reads a renamed copy). */
  locateOf(path: readonly PathSegment[]): Position {
    return this.locate([...this.prefix, ...path]);
  }

  /** Issues and warnings under `path`, for a nested part of the document (same file). */
  at(path: readonly PathSegment[]): IssueSink {
    const child = new IssueSink(this.file, this.locate, [...this.prefix, ...path]);
    // Child sinks share the parent's lists so the caller reads one place.
    (child as { issues: ConfigIssue[] }).issues = this.issues;
    (child as { warnings: string[] }).warnings = this.warnings;
    return child;
  }

  error(path: readonly PathSegment[], message: string): void {
    const full = [...this.prefix, ...path];
    const { line, column } = this.locate(full);
    this.issues.push({ file: this.file, line, column, path: formatPath(full), message, code: ERR.VIGIL_ERR_CONFIG_IMPORT });
  }

  warn(path: readonly PathSegment[], message: string): void {
    const full = [...this.prefix, ...path];
    const { line, column } = this.locate(full);
    this.warnings.push(`${this.file}:${line}:${column} ${formatPath(full)}: ${message}`);
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
