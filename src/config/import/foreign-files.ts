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

export function convertDocuments(sources: readonly YamlSource[], file: string): ConvertFileResult {
  const services: ConvertedService[] = [];
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const openslo = sources.filter((s) => isOpenSloDocument(s.value));
  for (const source of sources) {
    if (isOpenSloDocument(source.value)) continue;
    const sink = new IssueSink(file, (p) => source.locate(p));
    if (isSlothDocument(source.value)) {
      const slo = convertSloth(source.value, sink);
      if (slo !== null) services.push({ service: String(slo.service), format: 'sloth', slo });
    } else if (isSlothKubernetesDocument(source.value)) {
      const slo = convertSlothKubernetes(source.value, sink);
      if (slo !== null) services.push({ service: String(slo.service), format: 'sloth', slo });
    } else {
      sink.error(
        ['apiVersion'],
        'expected a Sloth prometheus/v1 (version: "prometheus/v1") or an OpenSLO v1 (apiVersion: openslo/v1) document',
      );
    }
    issues.push(...sink.issues);
    warnings.push(...sink.warnings);
  }
  if (openslo.length > 0) {
    const result = convertOpenSlo(
      openslo.map((s) => ({ value: s.value, locate: (p) => s.locate(p) })),
      file,
    );
    for (const sink of result.sinks) {
      issues.push(...sink.issues);
      warnings.push(...sink.warnings);
    }
    if (result.sinks.every((s) => s.ok)) services.push(...result.services.map((s) => ({ ...s, format: 'openslo' as const })));
  }
  return { services, issues, warnings };
}

export async function convertFile(path: string, display: string = path): Promise<ConvertFileResult> {
  const read = await readYamlDocuments(path, display);
  if (!read.ok) return { services: [], warnings: [], issues: read.issues };
  return convertDocuments(read.sources, display);
}
