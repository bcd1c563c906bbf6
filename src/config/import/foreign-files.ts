import { ERR } from '../../core/errors.js';
import type { ConfigIssue } from '../config.js';
import { parseYamlDocuments, readYamlDocuments, type YamlSource } from '../yaml-source.js';
import { IssueSink } from './import-issues.js';
import { convertOpenSlo, isOpenSloDocument } from './openslo.js';
import { convertSloth, convertSlothKubernetes, isSlothDocument, isSlothKubernetesDocument } from './sloth.js';

/**
 * Whole foreign files, every YAML document of them (OpenSLO puts Service, SLI and SLO documents
 * in one file; Sloth may list several services), converted to vigil/v1 documents.
 */

export interface ConvertedService {
  readonly service: string;
  readonly format: 'sloth' | 'openslo';
  readonly slo: Record<string, unknown>;
  /** The document it came from (for OpenSLO, its first SLO's): where issues found after conversion point. */
  readonly source: YamlSource;
  /** `document 2/3` in a file of several documents, said before each message about it. */
  readonly document?: string;
}

export interface ConvertFileResult {
  readonly services: ConvertedService[];
  readonly issues: ConfigIssue[];
  readonly warnings: string[];
}

/** Every document with positions, parsed as the loader parses (the loader's one-document rule aside). */
export function parseDocuments(text: string, file: string): { sources: YamlSource[]; issues: ConfigIssue[] } {
  const parsed = parseYamlDocuments(text, file);
  return parsed.ok ? { sources: parsed.sources, issues: [] } : { sources: [], issues: parsed.issues };
}

/** A document of a format vigil converts (Sloth's two forms, OpenSLO). */
export function isForeignDocument(doc: unknown): boolean {
  return isSlothDocument(doc) || isSlothKubernetesDocument(doc) || isOpenSloDocument(doc);
}

/** How messages name a document of a file of several (`document 2/3`); nothing for a file of one. */
export function documentLabel(index: number, count: number): string | undefined {
  return count > 1 ? `document ${index + 1}/${count}` : undefined;
}

/**
 * Each document on its own (Sloth files may list services in `---`-separated documents, in
 * either of Sloth's forms), except OpenSLO documents, which are read together wherever they are
 * in the file (an SLO's `indicatorRef` names an SLI document of the same file).
 */
export function convertDocuments(sources: readonly YamlSource[], file: string): ConvertFileResult {
  const services: ConvertedService[] = [];
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const label = (i: number) => documentLabel(i, sources.length);
  const openslo = sources.flatMap((s, i) => (isOpenSloDocument(s.value) ? [i] : []));
  sources.forEach((source, i) => {
    if (isOpenSloDocument(source.value)) return;
    const document = label(i);
    const sink = new IssueSink(file, (p, at) => source.locate(p, at), { document });
    const slo = isSlothDocument(source.value)
      ? convertSloth(source.value, sink)
      : isSlothKubernetesDocument(source.value)
        ? convertSlothKubernetes(source.value, sink)
        : notForeign(source.value, sink);
    if (slo !== null && sink.ok) services.push({ service: String(slo.service), format: 'sloth', slo, source, document });
    issues.push(...sink.issues);
    warnings.push(...sink.warnings);
  });
  if (openslo.length > 0) {
    const result = convertOpenSlo(
      openslo.map((i) => ({ value: sources[i]!.value, locate: (p, at) => sources[i]!.locate(p, at), document: label(i) })),
      file,
    );
    for (const sink of result.sinks) {
      issues.push(...sink.issues);
      warnings.push(...sink.warnings);
    }
    if (result.sinks.every((s) => s.ok)) {
      for (const s of result.services) {
        const at = openslo[s.doc]!;
        services.push({ service: s.service, format: 'openslo', slo: s.slo, source: sources[at]!, document: label(at) });
      }
    }
  }
  issues.push(...duplicateServices(services, file));
  return { services, issues, warnings };
}

/**
 * Two documents of one file converted to the same vigil service would be two vigil files of one
 * name (`vigil convert` writes `<service>.yaml`). OpenSLO SLOs of one service are already one
 * service (the format names a service by reference); two Sloth documents are two specs, which
 * Sloth keeps apart, so they are not merged behind the user's back: an error at the second one.
 */
function duplicateServices(services: readonly ConvertedService[], file: string): ConfigIssue[] {
  const first = new Map<string, ConvertedService>();
  const issues: ConfigIssue[] = [];
  for (const s of services) {
    const earlier = first.get(s.service);
    if (earlier === undefined) {
      first.set(s.service, s);
      continue;
    }
    const path = servicePath(s.source.value);
    const { line, column } = s.source.locate(path);
    issues.push({
      file,
      line,
      column,
      path: path.join('.'),
      message:
        `${s.document ?? 'this document'}: service "${s.service}" is also converted from ${earlier.document ?? 'another document'}; ` +
        'one vigil file per service: put its SLOs in one document, or rename one service',
      code: ERR.VIGIL_ERR_CONFIG_DUPLICATE_SERVICE,
    });
  }
  return issues;
}

/** Where a document names its service: `service` in Sloth's file form, `spec.service` in its Kubernetes form and OpenSLO. */
function servicePath(doc: unknown): string[] {
  return isSlothDocument(doc) ? ['service'] : ['spec', 'service'];
}

function notForeign(doc: unknown, sink: IssueSink): null {
  const vigil = (doc as { apiVersion?: unknown } | null)?.apiVersion === 'vigil/v1';
  sink.error(
    ['apiVersion'],
    vigil
      ? 'a vigil/v1 document among others: a vigil SLO file is one document (put it in its own file)'
      : 'expected a Sloth prometheus/v1 (version: "prometheus/v1"), a Sloth PrometheusServiceLevel (apiVersion: sloth.slok.dev/v1) or an OpenSLO (apiVersion: openslo/v1 or openslo/v1alpha) document',
  );
  return null;
}

export async function convertFile(path: string, display: string = path): Promise<ConvertFileResult> {
  const read = await readYamlDocuments(path, display);
  if (!read.ok) return { services: [], warnings: [], issues: read.issues };
  return convertDocuments(read.sources, display);
}
