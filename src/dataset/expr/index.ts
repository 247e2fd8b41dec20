// Public surface of the expression language shared by dataset filters and the SQL layer.
//
// Parsing is synchronous: the wasm parser is loaded by a top-level await when sql-parser.ts is
// imported (see there). Standalone expressions are parsed by wrapping them in a SELECT and
// checking that nothing but the expression was filled in, so `a = 1 ORDER BY b` or
// `a = 1; DROP TABLE t` are rejected instead of silently ignored.
import { SqlError } from '../../errors.js';
import type { Expr } from './ast.js';
import { fromSqlAst } from './from-sql-ast.js';
import { parseWrapped, type Statement } from './sql-parser.js';
import { expressionDepthBound, MAX_EXPRESSION_DEPTH } from './sql-limits.js';
import { balancedChain, chunkOperands, splitTopLevel } from './split-filter.js';

export type { Expr, Literal, BinaryOp, CompareOp, ArithOp, UnaryOp, CastType } from './ast.js';
export { col, lit, literalOf, exprToString, exprColumns, children, quoteIdent, quoteString } from './ast.js';
export { fromSqlAst, castType, type SqlNode } from './from-sql-ast.js';
export { parseSql, initSqlParser, caretSnippet, SQL_DIALECT, type Statement } from './sql-parser.js';
export { evalExpr, evalPredicate, type EvalOptions } from './eval.js';
export { exprType } from './infer.js';
export { registerFunction, functionNames, type ScalarFunction } from './functions.js';
export { resolveColumn, category, type Category, type ResolvedColumn } from './types.js';
export type { Val } from './values.js';

type Obj = Record<string, unknown>;

// The wrapper ends its first line so parser positions map to the user's text by line - 1.
const FILTER_PREFIX = 'SELECT 1 WHERE\n';
const EXPR_PREFIX = 'SELECT\n';

/** Parses a standalone boolean expression such as a dataset filter (`label = 'cat' AND size > 10`). */
export function parseFilter(sql: string): Expr {
  // Too deep for the parser in one piece: parse the operands of its top-level OR (else AND)
  // chain one by one (see split-filter.ts).
  if (expressionDepthBound(FILTER_PREFIX + sql) > MAX_EXPRESSION_DEPTH) {
    for (const op of ['OR', 'AND'] as const) {
      const parts = splitTopLevel(sql, op);
      if (parts) return balancedChain(chunkOperands(parts, op).map(parseFilter), op === 'OR' ? 'or' : 'and');
    }
  }
  const select = parseSingleSelect(FILTER_PREFIX, sql);
  if (select.selection == null) throw emptyExpr(sql);
  return fromSqlAst(select.selection);
}

/** Parses a standalone value expression (a projection or an UPDATE SET value). */
export function parseExpr(sql: string): Expr {
  const select = parseSingleSelect(EXPR_PREFIX, sql);
  const items = select.projection as unknown[];
  const item = items[0] as Obj | undefined;
  if (items.length !== 1 || !item || !('UnnamedExpr' in item)) {
    throw new SqlError('SQL_PARSE', `expected a single expression, got: ${sql}`, { line: 1, column: 1 });
  }
  return fromSqlAst(item.UnnamedExpr);
}

function emptyExpr(sql: string): SqlError {
  return new SqlError('SQL_PARSE', `expected an expression, got: ${JSON.stringify(sql)}`, { line: 1, column: 1 });
}

/** Parses prefix + sql and returns its Select, rejecting anything beyond the expression slot. */
function parseSingleSelect(prefix: string, sql: string): Obj {
  if (sql.trim() === '') throw emptyExpr(sql);
  const stmts = parseWrapped(prefix + sql, { userText: sql, lineOffset: 1 });
  const select = stmts.length === 1 ? selectOf(stmts[0]!) : undefined;
  const shape = (s: Obj | undefined, q: Statement | undefined) => JSON.stringify(normalise({ s: { ...s, selection: null, projection: null }, q: { ...(q as Obj), body: null } }));
  const reference = parseWrapped(prefix + '1', { userText: '1', lineOffset: 1 })[0]!;
  if (!select || shape(select, queryOf(stmts[0]!)) !== shape(selectOf(reference), queryOf(reference))) {
    throw new SqlError('SQL_PARSE', `expected a single expression, found extra clauses or statements in: ${sql}`, { line: 1, column: 1 });
  }
  return select;
}

function queryOf(stmt: Statement): Statement | undefined {
  const q = (stmt as Obj).Query as Obj | undefined;
  return q as Statement | undefined;
}

function selectOf(stmt: Statement): Obj | undefined {
  const body = (queryOf(stmt) as Obj | undefined)?.body as Obj | undefined;
  return body?.Select as Obj | undefined;
}

/** Drops source spans and undefined members so two parses can be compared structurally. */
function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) if (k !== 'span' && x !== undefined) out[k] = normalise(x);
    return out;
  }
  return v;
}
