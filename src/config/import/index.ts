import { ERR } from '../../core/errors.js';
import type { ConfigIssue } from '../config.js';
import type { PathSegment, Position } from '../yaml-source.js';
import { IssueSink } from './import-issues.js';
import { convertOpenSlo, isOpenSloDocument } from './openslo.js';
import { convertSloth, convertSlothKubernetes, isSlothDocument, isSlothKubernetesDocument } from './sloth.js';

/**
 * Foreign SLO formats (Sloth `prometheus/v1` and `sloth.slok.dev/v1`, OpenSLO `openslo/v1` and
 * `v1alpha`) wherever a vigil SLO file is: the loader calls `importForeignDocument` for a file of
 * one document whose `apiVersion` is not `vigil/v1`, and `convertDocuments` for a file of several
 * (one vigil service per Sloth document, OpenSLO documents read together). Each answers vigil/v1
 * documents (validated by the loader as usual) or positioned issues.
 */

export interface ImportContext {
  /** Line and column of a field path in the foreign document, for precise import errors. */
  locate(path: readonly PathSegment[], at?: 'value' | 'key'): Position;
}

/**
 * `null`: not a format vigil imports. `{ slo, warnings }`: a vigil/v1 document, validated as usual,
 * and what the conversion dropped (positioned lines every verb shows). `{ issues }`: that format, but broken.
 */
export type ImportResult = { slo: unknown; warnings: string[] } | { issues: ConfigIssue[] } | null;

export function importForeignDocument(doc: unknown, file: string, context: ImportContext): ImportResult {
  if (isSlothKubernetesDocument(doc)) {
    const sink = new IssueSink(file, (p, at) => context.locate(p, at));
    const slo = convertSlothKubernetes(doc, sink);
    return slo !== null && sink.ok ? { slo, warnings: sink.warnings } : { issues: sink.issues };
  }
  if (isSlothDocument(doc)) {
    const sink = new IssueSink(file, (p, at) => context.locate(p, at));
    const slo = convertSloth(doc, sink);
    return slo !== null && sink.ok ? { slo, warnings: sink.warnings } : { issues: sink.issues };
  }
  if (isOpenSloDocument(doc)) {
    const { services, sinks } = convertOpenSlo([{ value: doc, locate: (p, at) => context.locate(p, at) }], file);
    const issues = sinks.flatMap((s) => s.issues);
    if (issues.length > 0) return { issues };
    if (services.length !== 1) {
      const { line, column } = context.locate(['spec']);
      return {
        issues: [
          {
            file,
            line,
            column,
            path: 'spec',
            message: 'expected an OpenSLO SLO document (a file of Service/SLI/SLO documents converts with `vigil convert`)',
            code: ERR.VIGIL_ERR_CONFIG_IMPORT,
          },
        ],
      };
    }
    return { slo: services[0]!.slo, warnings: sinks.flatMap((s) => s.warnings) };
  }
  return null;
}

export { convertDocuments, convertFile, documentLabel, isForeignDocument, parseDocuments } from './foreign-files.js';
