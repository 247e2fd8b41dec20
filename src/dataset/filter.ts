// Adapter to the filter language (src/dataset/expr, built by another engineer): parse a SQL
// predicate once, find the columns it needs, evaluate it on a batch into a row mask.
import type * as arrow from 'apache-arrow';
import { InvalidInputError } from '../errors.js';
import * as expr from './expr/index.js';

export interface ExprModule {
  parseFilter(sql: string): unknown;
  evalPredicate(expr: unknown, batch: arrow.RecordBatch): Uint8Array;
  exprColumns(expr: unknown): string[];
  parseExpr?(sql: string): unknown;
  evalExpr?(expr: unknown, batch: arrow.RecordBatch): arrow.Vector;
}

let injected: ExprModule | undefined;

/** Replaces the expression engine (undefined restores the default). */
export function setExprModule(m: ExprModule | undefined): void {
  injected = m;
}

const builtIn: ExprModule = {
  parseFilter: (sql) => expr.parseFilter(sql),
  evalPredicate: (e, batch) => expr.evalPredicate(e as expr.Expr, batch),
  exprColumns: (e) => expr.exprColumns(e as expr.Expr),
  parseExpr: (sql) => expr.parseExpr(sql),
  evalExpr: (e, batch) => expr.evalExpr(e as expr.Expr, batch) as unknown as arrow.Vector,
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

export async function compileFilter(sql: string, knownColumns: readonly string[]): Promise<CompiledFilter> {
  const m = await exprModule();
  const expr = m.parseFilter(sql);
  const columns = m.exprColumns(expr);
  const unknown = columns.filter((c) => !knownColumns.includes(c));
  if (unknown.length) throw new InvalidInputError('UNKNOWN_COLUMN', `filter "${sql}" names unknown column(s): ${unknown.join(', ')}`, { filter: sql });
  return { sql, columns, evaluate: (batch) => m.evalPredicate(expr, batch) };
}
