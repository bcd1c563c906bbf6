import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { ConfigIssue } from '../config.js';
import { ISSUE_CODES } from '../issue-codes.js';
import { MAX_FILE_BYTES, YamlSource } from '../yaml-source.js';
import { IssueSink } from './import-issues.js';
import { convertOpenSlo, isOpenSloDocument } from './openslo.js';
import { convertSloth, isSlothDocument } from './sloth.js';

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

function fileIssue(file: string, code: string, message: string, line = 0, column = 0): ConfigIssue {
  return { file, line, column, path: '', message, code };
}

/** Parses every document with positions; the loader's one-document rule does not apply here. */
export function parseDocuments(text: string, file: string): { sources: YamlSource[]; issues: ConfigIssue[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const issues: ConfigIssue[] = [];
  const sources: YamlSource[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    for (const error of doc.errors) {
      const { line, col } = lines.linePos(error.pos[0]);
      issues.push(fileIssue(file, ISSUE_CODES.yamlSyntax, `not valid YAML: ${error.message.split('\n')[0]}`, line, col));
    }
    if (doc.errors.length > 0 || doc.contents === null) continue;
    sources.push(new YamlSource(file, doc.toJS({ maxAliasCount: 100 }), doc, lines));
  }
  if (issues.length === 0 && sources.length === 0) issues.push(fileIssue(file, ISSUE_CODES.empty, 'is empty; expected YAML documents'));
  return { sources, issues };
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
    } else {
      sink.error(['apiVersion'], 'expected a Sloth prometheus/v1 (version: "prometheus/v1") or an OpenSLO v1 (apiVersion: openslo/v1) document');
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
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > MAX_FILE_BYTES) {
      return { services: [], warnings: [], issues: [fileIssue(display, ISSUE_CODES.tooLarge, 'is larger than 1 MiB')] };
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      services: [],
      warnings: [],
      issues: [fileIssue(display, code === 'ENOENT' ? ISSUE_CODES.notFound : ISSUE_CODES.unreadable, code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`)],
    };
  }
  const parsed = parseDocuments(text, display);
  if (parsed.issues.length > 0) return { services: [], warnings: [], issues: parsed.issues };
  return convertDocuments(parsed.sources, display);
}
