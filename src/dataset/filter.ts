// Adapter to the filter language (src/dataset/expr, built by another engineer): parse a SQL
// predicate once, find the columns it needs, evaluate it on a batch into a row mask.
import type * as arrow from 'apache-arrow';
import { InvalidInputError } from '../errors.js';
import * as expr from './expr/index.js';
import type { Dialect } from './expr/dialect.js';

/**
 * The Table API (filters, valuesSql, merge conditions, computed columns) evaluates as Lance 12
 * does, through DataFusion's semantics, so strings written for LanceDB mean the same here.
 */
export const TABLE_API_DIALECT: Dialect = 'datafusion';

export interface ExprModule {
  parseFilter(sql: string): unknown;
  /** `dialect` defaults to TABLE_API_DIALECT. */
  evalPredicate(expr: unknown, batch: arrow.RecordBatch, dialect?: Dialect): Uint8Array;
  exprColumns(expr: unknown): string[];
  parseExpr?(sql: string): unknown;
  /** `dialect` defaults to TABLE_API_DIALECT. */
  evalExpr?(expr: unknown, batch: arrow.RecordBatch, dialect?: Dialect): arrow.Vector;
}

let injected: ExprModule | undefined;

/** Replaces the expression engine (undefined restores the default). */
export function setExprModule(m: ExprModule | undefined): void {
  injected = m;
}

const builtIn: ExprModule = {
  parseFilter: (sql) => expr.parseFilter(sql),
  evalPredicate: (e, batch, dialect = TABLE_API_DIALECT) => expr.evalPredicate(e as expr.Expr, batch, { dialect }),
  exprColumns: (e) => expr.exprColumns(e as expr.Expr),
  parseExpr: (sql) => expr.parseExpr(sql),
  evalExpr: (e, batch, dialect = TABLE_API_DIALECT) => expr.evalExpr(e as expr.Expr, batch, { dialect }) as unknown as arrow.Vector,
};

export async function exprModule(): Promise<ExprModule> {
  return injected ?? builtIn;
}

export interface CompiledFilter {
  sql: string;
  columns: string[];
  /** 1 = row matches; NULL counts as no match. */
  evaluate(batch: arrow.RecordBatch): Uint8Array;
}

/** `dialect`: the Table API's by default; the SQL session pushes its filters down with 'spark'. */
export async function compileFilter(sql: string, knownColumns: readonly string[], dialect: Dialect = TABLE_API_DIALECT): Promise<CompiledFilter> {
  const m = await exprModule();
  const expr = m.parseFilter(sql);
  const columns = m.exprColumns(expr);
  const unknown = columns.filter((c) => !knownColumns.includes(c));
  if (unknown.length) throw new InvalidInputError('UNKNOWN_COLUMN', `filter "${sql}" names unknown column(s): ${unknown.join(', ')}`, { filter: sql });
  return { sql, columns, evaluate: (batch) => m.evalPredicate(expr, batch, dialect) };
}
