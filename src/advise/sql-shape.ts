import { loadModule, parseSync } from 'libpg-query';
import type { z } from 'zod';
import type { PREDICATE_KINDS, predicateSchema } from './advice-schema.js';

/**
 * What a statement reads, taken from PostgreSQL's own grammar (libpg-query: the server's parser
 * compiled to WebAssembly, so it reads exactly what PostgreSQL reads, and installs without a
 * native build or a binary download). Only what index advice needs: the tables, the columns
 * compared in WHERE/JOIN conditions (with the operator and which `$n` they are compared with) and
 * the sort keys. Anything the walk does not understand is simply not reported, never guessed.
 */

export interface TableRef {
  readonly schema: string | null;
  readonly name: string;
  readonly alias: string | null;
}

export type PredicateKind = (typeof PREDICATE_KINDS)[number];

export type Predicate = z.infer<typeof predicateSchema>;

export interface SortKey {
  readonly table: string | null;
  readonly column: string;
  readonly descending: boolean;
}

export interface SqlShape {
  readonly tables: readonly TableRef[];
  readonly predicates: readonly Predicate[];
  readonly sortKeys: readonly SortKey[];
  /** `$n` used as LIMIT/OFFSET. */
  readonly limitParams: readonly number[];
}

export type ShapeResult = { ok: true; shape: SqlShape } | { ok: false; error: string; position: number | null };

let loaded: Promise<void> | null = null;
/** The WebAssembly module loads once per process. */
export function loadSqlParser(): Promise<void> {
  return (loaded ??= loadModule());
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => v !== null && typeof v === 'object' && !Array.isArray(v);

const RANGE_OPERATORS = new Set(['<', '<=', '>', '>=']);
/** Statements a plan and an index can help; utility statements (CREATE, ANALYZE, DO) are reported, not ranked. */
const QUERY_KINDS = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt']);

function columnOf(node: unknown): { qualifier: string | null; column: string } | null {
  if (!isNode(node) || !isNode(node.ColumnRef)) return null;
  const fields = (node.ColumnRef.fields as Node[]).map((f) => (isNode(f.String) ? String(f.String.sval) : null));
  if (fields.some((f) => f === null)) return null;
  const names = fields as string[];
  return { qualifier: names.length > 1 ? names[names.length - 2]! : null, column: names[names.length - 1]! };
}

function paramOf(node: unknown): number | null {
  if (!isNode(node)) return null;
  if (isNode(node.ParamRef)) return Number(node.ParamRef.number);
  // `$1::text[]`, `$1::int`
  if (isNode(node.TypeCast)) return paramOf(node.TypeCast.arg);
  return null;
}

/** Every node of a type anywhere below `root`, in document order. */
function collect(root: unknown, type: string, out: Node[] = []): Node[] {
  if (Array.isArray(root)) for (const item of root) collect(item, type, out);
  else if (isNode(root)) {
    for (const [key, value] of Object.entries(root)) {
      if (key === type && isNode(value)) out.push(value);
      collect(value, type, out);
    }
  }
  return out;
}

function predicatesIn(where: unknown, resolve: (q: string | null) => string | null): Predicate[] {
  const out: Predicate[] = [];
  for (const expr of collect(where, 'A_Expr')) {
    const operator = ((expr.name as Node[] | undefined) ?? []).map((n) => (isNode(n.String) ? String(n.String.sval) : '')).join('.');
    const kind = String(expr.kind);
    let left = columnOf(expr.lexpr);
    let right: unknown = expr.rexpr;
    const other = columnOf(expr.rexpr);
    if (left && other && operator === '=') {
      // A join condition `a.x = b.y`: either side may be looked up by the other.
      out.push({ table: resolve(other.qualifier), column: other.column, kind: 'equality', operator, param: null });
    }
    if (!left) {
      // `$1 = col`: the same predicate written the other way round.
      left = columnOf(expr.rexpr);
      right = expr.lexpr;
    }
    if (!left) continue;
    const predicateKind: PredicateKind =
      kind === 'AEXPR_OP_ANY' || kind === 'AEXPR_IN'
        ? 'in'
        : kind === 'AEXPR_BETWEEN'
          ? 'range'
          : operator === '='
            ? 'equality'
            : RANGE_OPERATORS.has(operator)
              ? 'range'
              : 'other';
    out.push({
      table: resolve(left.qualifier),
      column: left.column,
      kind: predicateKind,
      operator: kind === 'AEXPR_OP_ANY' ? `${operator} ANY` : operator,
      param: paramOf(right),
    });
  }
  return out;
}

export function sqlShape(sql: string): ShapeResult {
  let tree: { stmts?: Array<{ stmt: unknown }> };
  try {
    tree = parseSync(sql) as typeof tree;
  } catch (err) {
    const position = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    return { ok: false, error: (err as Error).message, position: typeof position === 'number' ? position : null };
  }
  const stmts = tree.stmts ?? [];
  const kinds = stmts.map((s) => (isNode(s.stmt) ? Object.keys(s.stmt)[0] : undefined));
  const utility = kinds.find((k) => k === undefined || !QUERY_KINDS.has(k));
  if (utility !== undefined || stmts.length === 0) {
    return { ok: false, error: `not a query (${utility ?? 'empty'}): nothing to plan or index`, position: null };
  }
  const tables: TableRef[] = collect(stmts, 'RangeVar').map((r) => ({
    schema: typeof r.schemaname === 'string' ? r.schemaname : null,
    name: String(r.relname),
    alias: isNode(r.alias) ? String(r.alias.aliasname) : null,
  }));
  const resolve = (qualifier: string | null): string | null => {
    if (qualifier === null) return tables.length === 1 ? tables[0]!.name : null;
    return tables.find((t) => t.alias === qualifier || t.name === qualifier)?.name ?? null;
  };
  const conditions = [...collect(stmts, 'SelectStmt'), ...collect(stmts, 'UpdateStmt'), ...collect(stmts, 'DeleteStmt')].map(
    (s) => s.whereClause,
  );
  const joins = collect(stmts, 'JoinExpr').map((j) => j.quals);
  const predicates = predicatesIn([...conditions, ...joins], resolve);
  const sortKeys: SortKey[] = collect(stmts, 'SortBy').flatMap((s) => {
    const c = columnOf(s.node);
    return c ? [{ table: resolve(c.qualifier), column: c.column, descending: s.sortby_dir === 'SORTBY_DESC' }] : [];
  });
  const limitParams = collect(stmts, 'SelectStmt')
    .flatMap((s) => [paramOf(s.limitCount), paramOf(s.limitOffset)])
    .filter((p): p is number => p !== null);
  return { ok: true, shape: { tables, predicates, sortKeys, limitParams } };
}
