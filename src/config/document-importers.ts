import type { ConfigIssue } from './config.js';
import type { PathSegment, Position } from './yaml-source.js';

/**
 * Foreign SLO formats (Sloth `prometheus/v1`, OpenSLO `openslo/v1`) are converted by importers
 * that register here (`src/config/import/` does, when imported; the loader imports it for
 * multi-document OpenSLO files, so it is always registered). The loader calls them for any
 * document whose `apiVersion` is not `vigil/v1`; tests and embedders may register more.
 */

export interface ImportContext {
  /** Line and column of a field path in the foreign document, for precise import errors. */
  locate(path: readonly PathSegment[]): Position;
}

/** `null`: not my format. `{ slo }`: a vigil/v1 document, validated as usual. `{ issues }`: my format, but broken. */
export type ImportResult = { slo: unknown } | { issues: ConfigIssue[] } | null;

export type DocumentImporter = (doc: unknown, file: string, context: ImportContext) => ImportResult;

const importers: DocumentImporter[] = [];

export function registerDocumentImporter(importer: DocumentImporter): void {
  if (!importers.includes(importer)) importers.push(importer);
}

/** The first importer that recognises the document decides; null when none does. */
export function importForeign(doc: unknown, file: string, context: ImportContext): ImportResult {
  for (const importer of importers) {
    const result = importer(doc, file, context);
    if (result !== null) return result;
  }
  return null;
}
