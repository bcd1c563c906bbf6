import { ERR } from '../../core/errors.js';
import type { ConfigIssue } from '../config.js';
import type { PathSegment, Position, YamlSource } from '../yaml-source.js';
import { IssueSink } from './import-issues.js';
import { convertOpenSlo, isOpenSloDocument } from './openslo.js';
import { convertSloth, convertSlothKubernetes, isSlothDocument, isSlothKubernetesDocument } from './sloth.js';

/**
 * Foreign SLO formats (Sloth `prometheus/v1`, OpenSLO `openslo/v1`) wherever a vigil SLO file
 * is: the loader calls `importForeignDocument` for a document whose `apiVersion` is not
 * `vigil/v1`, and `importForeignDocuments` for a file of several documents. Each answers the
 * vigil/v1 document (validated by the loader as usual) or positioned issues.
 */

export interface ImportContext {
  /** Line and column of a field path in the foreign document, for precise import errors. */
  locate(path: readonly PathSegment[]): Position;
}

/**
 * `null`: not a format vigil imports. `{ slo, warnings }`: a vigil/v1 document, validated as usual,
 * and what the conversion dropped (positioned lines every verb shows). `{ issues }`: that format, but broken.
 */
export type ImportResult = { slo: unknown; warnings: string[] } | { issues: ConfigIssue[] } | null;

export function importForeignDocument(doc: unknown, file: string, context: ImportContext): ImportResult {
  if (isSlothKubernetesDocument(doc)) {
    const sink = new IssueSink(file, (p) => context.locate(p));
    const slo = convertSlothKubernetes(doc, sink);
    return slo !== null && sink.ok ? { slo, warnings: sink.warnings } : { issues: sink.issues };
  }
  if (isSlothDocument(doc)) {
    const sink = new IssueSink(file, (p) => context.locate(p));
    const slo = convertSloth(doc, sink);
    return slo !== null && sink.ok ? { slo, warnings: sink.warnings } : { issues: sink.issues };
  }
  if (isOpenSloDocument(doc)) {
    const { services, sinks } = convertOpenSlo([{ value: doc, locate: (p) => context.locate(p) }], file);
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

/**
 * For a loader that reads multi-document files (OpenSLO puts Service, SLI and SLO documents in
 * one file): every document of the file at once, each with its own positions. Null when the
 * documents are not all OpenSLO; issues when they do not make exactly one vigil service.
 */
export function importForeignDocuments(sources: readonly YamlSource[], file: string): ImportResult {
  if (sources.length === 0 || !sources.every((s) => isOpenSloDocument(s.value))) return null;
  const { services, sinks } = convertOpenSlo(
    sources.map((s) => ({ value: s.value, locate: (p) => s.locate(p) })),
    file,
  );
  const issues = sinks.flatMap((s) => s.issues);
  if (issues.length > 0) return { issues };
  if (services.length !== 1) {
    const { line, column } = sources[0]!.locate([]);
    return {
      issues: [
        {
          file,
          line,
          column,
          path: '',
          message: `holds SLOs of ${services.length} services (${services.map((s) => s.service).join(', ')}); a vigil SLO file is one service: split it or use vigil convert`,
          code: ERR.VIGIL_ERR_CONFIG_IMPORT,
        },
      ],
    };
  }
  return { slo: services[0]!.slo, warnings: sinks.flatMap((s) => s.warnings) };
}

export { convertDocuments, convertFile, parseDocuments } from './foreign-files.js';
