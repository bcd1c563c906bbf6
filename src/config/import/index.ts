import type { ImportResult } from '../document-importers.js';
import { registerDocumentImporter, type ImportContext } from '../document-importers.js';
import { IssueSink } from './import-issues.js';
import { convertOpenSlo, isOpenSloDocument } from './openslo.js';
import { convertSloth, isSlothDocument } from './sloth.js';

/**
 * Importing this module lets the loader accept Sloth `prometheus/v1` and OpenSLO v1 documents
 * wherever a vigil SLO file is: it registers one importer that recognises both formats and
 * returns the vigil/v1 document (validated by the loader as usual) or positioned issues.
 */

export function importForeignDocument(doc: unknown, file: string, context: ImportContext): ImportResult {
  if (isSlothDocument(doc)) {
    const sink = new IssueSink(file, (p) => context.locate(p));
    const slo = convertSloth(doc, sink);
    return slo !== null && sink.ok ? { slo } : { issues: sink.issues };
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
            code: 'VIGIL_ERR_CONFIG_IMPORT',
          },
        ],
      };
    }
    return { slo: services[0]!.slo };
  }
  return null;
}

registerDocumentImporter(importForeignDocument);

export { convertFile, convertDocuments, parseDocuments } from './foreign-files.js';
