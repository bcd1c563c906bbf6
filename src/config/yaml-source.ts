import { readFile, stat } from 'node:fs/promises';
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseAllDocuments,
  visit,
  type YAMLMap,
} from 'yaml';
import { ERR, type VigilErrorCode } from '../core/errors.js';
import type { ConfigIssue } from './config.js';

/**
 * Reading one YAML file into a plain value while keeping the parsed document, so any field path
 * (`objectives[2].threshold.max`) maps back to a line and column. Everything that can go wrong
 * with the bytes themselves (too big, binary, not UTF-8, empty, bad YAML, several documents where
 * one is expected) becomes a one-line issue here; nothing below this layer throws at the user.
 */

/** An SLO file or vigil.yaml is a few kilobytes; a megabyte is a mistake (or an attack). */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Aliases may expand a small file into a huge value (the "billion laughs"); yaml counts and stops. */
const MAX_ALIAS_COUNT = 100;

export type PathSegment = string | number;

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Where a field path lands in the document. */
export interface Location extends Position {
  /** The whole path was found; otherwise the position is the deepest ancestor that exists. */
  readonly exact: boolean;
}

/** A parsed YAML file: its plain value and a way back from field paths to positions. */
export class YamlSource {
  constructor(
    readonly file: string,
    readonly value: unknown,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Where the document begins: its `---` marker when it has one. */
  get start(): Position {
    return this.positionOf(this.doc.range[0]);
  }

  positionOf(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /**
   * The position of the value at `path` (`at: 'value'`) or of its key (`at: 'key'`, for unknown
   * keys). A missing path lands on the key of its deepest existing ancestor, which is where a
   * person adds the missing field.
   */
  locate(path: readonly PathSegment[], at: 'value' | 'key' = 'value'): Location {
    let node: unknown = this.doc.contents;
    let keyNode: Node | null = null;
    let found = 0;
    for (const segment of path) {
      node = this.resolve(node);
      let next: unknown;
      let nextKey: Node | null = null;
      if (isMap(node)) {
        const pair = this.findPair(node, String(segment));
        if (pair === undefined) break;
        nextKey = pair.key as Node;
        next = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        if (segment < 0 || segment >= node.items.length) break;
        next = node.items[segment];
      } else {
        break;
      }
      keyNode = nextKey;
      node = next;
      found++;
    }
    const exact = found === path.length;
    const valueStart = rangeStart(node);
    let offset: number | undefined;
    if (exact && at === 'value' && valueStart !== undefined && !(isScalar(node) && node.value === null && keyNode)) {
      offset = valueStart;
    } else {
      offset = rangeStart(keyNode) ?? valueStart;
    }
    if (!exact && found === 0) offset = rangeStart(this.doc.contents) ?? 0;
    return { ...this.positionOf(offset ?? 0), exact };
  }

  /** A key of a map, or of a map merged into it with `<<: *anchor` (the merged value is where the text is). */
  private findPair(map: YAMLMap, key: string, depth = 0): Pair | undefined {
    const own = map.items.find((p) => keyText(p.key) === key && key !== '<<');
    if (own || depth > 8) return own;
    for (const merge of map.items.filter((p) => keyText(p.key) === '<<')) {
      const value = this.resolve(merge.value);
      const sources = isSeq(value) ? value.items.map((i) => this.resolve(i)) : [value];
      for (const source of sources) {
        const found = isMap(source) ? this.findPair(source, key, depth + 1) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  }

  private resolve(node: unknown): unknown {
    // Bounded: an alias chain cannot be longer than the aliases in the file.
    for (let i = 0; i <= MAX_ALIAS_COUNT && isAlias(node); i++) node = node.resolve(this.doc);
    return node;
  }
}

function keyText(key: unknown): string | undefined {
  // With merge keys on, yaml gives `<<` a symbol value.
  if (isScalar(key)) return typeof key.value === 'symbol' ? (key.value.description ?? '') : String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return range[0];
  }
  return undefined;
}

export type ReadResult = { ok: true; source: YamlSource } | { ok: false; issues: ConfigIssue[] };
/** Every document of a file (OpenSLO puts Service, SLI and SLO documents in one). */
export type DocumentsResult = { ok: true; sources: YamlSource[] } | { ok: false; issues: ConfigIssue[] };
type TextResult = { ok: true; text: string } | { ok: false; issues: ConfigIssue[] };

function fileIssue(file: string, code: VigilErrorCode, message: string, position: Position = { line: 0, column: 0 }): ConfigIssue {
  return { file, line: position.line, column: position.column, path: '', message, code };
}

/** Reads and parses one file of one document; `display` is the name issues carry (relative to the working directory). */
export async function readYamlFile(path: string, display: string = path): Promise<ReadResult> {
  const text = await readYamlText(path, display);
  return text.ok ? parseYamlText(text.text, display) : text;
}

/** Reads and parses one file of any number of documents. */
export async function readYamlDocuments(path: string, display: string = path): Promise<DocumentsResult> {
  const text = await readYamlText(path, display);
  return text.ok ? parseYamlDocuments(text.text, display) : text;
}

async function readYamlText(path: string, display: string): Promise<TextResult> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, issues: [fileIssue(display, ERR.VIGIL_ERR_CONFIG_UNREADABLE, 'is not a regular file')] };
    if (info.size > MAX_FILE_BYTES) return tooLarge(display, info.size);
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, issues: [fileIssue(display, ERR.VIGIL_ERR_CONFIG_NOT_FOUND, 'no such file or folder')] };
    return { ok: false, issues: [fileIssue(display, ERR.VIGIL_ERR_CONFIG_UNREADABLE, `cannot be read (${code ?? String(err)})`)] };
  }
  // The file may have grown between stat and read.
  if (bytes.length > MAX_FILE_BYTES) return tooLarge(display, bytes.length);
  return decodeYamlBytes(bytes, display);
}

function tooLarge(display: string, size: number): { ok: false; issues: ConfigIssue[] } {
  return {
    ok: false,
    issues: [fileIssue(display, ERR.VIGIL_ERR_CONFIG_TOO_LARGE, `is ${size} bytes; the limit is ${MAX_FILE_BYTES} (1 MiB)`)],
  };
}

/** Parses bytes already in memory (tests, stdin). */
export function parseYamlBytes(bytes: Uint8Array, file: string): ReadResult {
  const text = decodeYamlBytes(bytes, file);
  return text.ok ? parseYamlText(text.text, file) : text;
}

/** UTF-8 text, or an issue at the first NUL byte or invalid sequence. */
function decodeYamlBytes(bytes: Uint8Array, file: string): TextResult {
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      ok: false,
      issues: [
        fileIssue(file, ERR.VIGIL_ERR_CONFIG_BINARY, `is binary (NUL byte at offset ${nul}); expected YAML text`, bytePosition(bytes, nul)),
      ],
    };
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    return {
      ok: false,
      issues: [
        fileIssue(
          file,
          ERR.VIGIL_ERR_CONFIG_BINARY,
          `is not UTF-8 text (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad}); expected YAML text`,
          bytePosition(bytes, bad),
        ),
      ],
    };
  }
}

/** Line and column (in characters) of a byte offset, decoding what precedes it. */
function bytePosition(bytes: Uint8Array, offset: number): Position {
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset));
  const lastBreak = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: [...before.slice(lastBreak + 1)].length + 1 };
}

/** Offset of the first byte that does not begin a valid UTF-8 sequence (only called when decoding failed). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    try {
      // The decoder knows the finer rules (overlong forms, surrogates).
      strict.decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return Math.max(0, bytes.length - 1);
}

/** One file, one document: vigil.yaml and vigil SLO files. */
export function parseYamlText(text: string, file: string): ReadResult {
  const all = parseYamlDocuments(text, file);
  if (!all.ok) return all;
  if (all.sources.length > 1) return { ok: false, issues: [multiDocumentIssue(all.sources)] };
  return { ok: true, source: all.sources[0]! };
}

/** The issue for a file of several documents where one is expected; it points at the second. */
export function multiDocumentIssue(sources: readonly YamlSource[]): ConfigIssue {
  const second = sources[1]!;
  return fileIssue(
    second.file,
    ERR.VIGIL_ERR_CONFIG_MULTI_DOCUMENT,
    `holds ${sources.length} YAML documents; expected one (put each in its own file)`,
    second.start,
  );
}

/**
 * Every document of the text, each a `YamlSource` sharing the file's line counter so positions
 * are the file's. A file of documents that are all empty (nothing, comments, `---`) is empty.
 */
export function parseYamlDocuments(text: string, file: string): DocumentsResult {
  const empty = fileIssue(file, ERR.VIGIL_ERR_CONFIG_EMPTY, 'is empty; expected a YAML mapping');
  if (text.trim() === '') return { ok: false, issues: [empty] };
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, merge: true });
  if (!Array.isArray(parsed) || parsed.length === 0) return { ok: false, issues: [empty] };
  const documents = parsed as Document.Parsed[];
  const position = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };

  const issues: ConfigIssue[] = [];
  for (const doc of documents) {
    for (const error of doc.errors) {
      const start = error.linePos?.[0];
      issues.push(
        fileIssue(
          file,
          ERR.VIGIL_ERR_CONFIG_YAML_SYNTAX,
          `not valid YAML: ${firstLine(error.message)}`,
          start ? { line: start.line, column: start.col } : position(error.pos[0]),
        ),
      );
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  // A document of nothing (`---` alone, a trailing `---`) holds nothing: it is not counted.
  const filled = documents.filter((doc) => !(doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)));
  if (filled.length === 0) return { ok: false, issues: [empty] };
  const sources: YamlSource[] = [];
  for (const doc of filled) {
    // Alias problems surface only when the document becomes data, without a position: they
    // are placed at the first alias, which is where they are.
    const at = firstAliasOffset(doc);
    const aliasIssue = (message: string) => ({
      ok: false as const,
      issues: [fileIssue(file, ERR.VIGIL_ERR_CONFIG_YAML_SYNTAX, `not valid YAML: ${message}`, position(at ?? doc.range[0]))],
    });
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      return aliasIssue(firstLine(err instanceof Error ? err.message : String(err)));
    }
    // `&a [*a]` is a list that holds itself: every reader after this would recurse for ever.
    if (hasCycle(value)) return aliasIssue('an alias refers to a node that contains it (a cycle)');
    sources.push(new YamlSource(file, value, doc, lines));
  }
  return { ok: true, sources };
}

function firstAliasOffset(doc: Document.Parsed): number | null {
  let offset: number | null = null;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? null;
      return visit.BREAK;
    },
  });
  return offset;
}

/** Whether a value reaches itself (only aliases can do that). Iterative: the data may be deep. */
function hasCycle(root: unknown): boolean {
  const onPath = new Set<object>();
  const done = new Set<object>();
  const stack: Array<{ node: object; children: unknown[]; next: number }> = [];
  const enter = (value: unknown): boolean => {
    if (value === null || typeof value !== 'object') return false;
    if (onPath.has(value)) return true;
    if (done.has(value)) return false;
    onPath.add(value);
    const children = value instanceof Map ? [...value.keys(), ...value.values()] : Object.values(value);
    stack.push({ node: value, children, next: 0 });
    return false;
  };
  if (enter(root)) return true;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.children.length) {
      if (enter(top.children[top.next++])) return true;
    } else {
      stack.pop();
      onPath.delete(top.node);
      done.add(top.node);
    }
  }
  return false;
}

/** yaml's pretty messages carry a position suffix and a code frame; the issue has its own position. */
function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  const trimmed = line.replace(/ at line \d+, column \d+:?$/, '').trim();
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}
