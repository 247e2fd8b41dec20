// Wires the executor to a catalog and the expression module, and measures one statement.
import { evalExpr, evalPredicate } from '../dataset/expr/eval.js';
import { exprToString, type Expr } from '../dataset/expr/ast.js';
import type * as arrow from 'apache-arrow';
import { SqlError } from '../errors.js';
import type { QueryTable, TableCatalog } from './catalog.js';
import { execute, type ExecContext } from './execute.js';
import type { Plan } from './plan.js';
import type { Relation } from './relation.js';
import type { BindContext } from './sql/bind-query.js';

// The SQL session keeps Spark semantics (it mirrors lance-spark); the Table API uses DataFusion's.
export const evaluator = {
  evalExpr: (e: Expr, batch: arrow.RecordBatch) => evalExpr(e, batch, { dialect: 'spark' }),
  evalPredicate: (e: Expr, batch: arrow.RecordBatch) => evalPredicate(e, batch, { dialect: 'spark' }),
};

export function execContext(): ExecContext {
  return {
    evaluator,
    scan: async (req) => (req.table as QueryTable).scan({ columns: req.columns, filter: req.filter ? exprToString(req.filter) : undefined, withRowAddress: req.withRowAddress }),
    fetchBlobs: (table, column, addrs) => (table as QueryTable).fetchBlobs(column, addrs),
    planPayloadBytes: 0,
  };
}

/** Runs a plan; returns the relation and the payload bytes it materialized. */
export async function runPlan(plan: Plan, ctx = execContext()): Promise<{ rel: Relation; planPayloadBytes: number }> {
  const rel = await execute(plan, ctx);
  return { rel, planPayloadBytes: ctx.planPayloadBytes };
}

/** Table-name resolution: `lance.db.t`, `db.t`, `t` (current namespace). */
export interface Names {
  namespace: string[];
  /** Named plans (DataFrames handed to SQL) visible like CTEs. */
  views?: Map<string, Plan>;
}

export const CATALOG_NAME = 'lance';

export function resolveName(parts: string[], names: Names): string[] {
  const p = parts[0]?.toLowerCase() === CATALOG_NAME && parts.length >= 2 ? parts.slice(1) : parts;
  if (p.length === 1) return [...names.namespace, p[0]!];
  return p;
}

/** Opens tables once per statement, so a statement reads one pinned version per table. */
export function bindContext(catalog: TableCatalog, names: Names): BindContext {
  const cache = new Map<string, Promise<QueryTable>>();
  return {
    ctes: new Map(names.views ?? []),
    openSource: (parts, version) => {
      const path = resolveName(parts, names);
      const key = `${path.join('/')}@${version ?? 'latest'}`;
      let t = cache.get(key);
      if (!t) cache.set(key, (t = openOrFail(catalog, path, version)));
      return t;
    },
  };
}

export async function openOrFail(catalog: TableCatalog, path: string[], version?: number): Promise<QueryTable> {
  if (!(await catalog.exists(path))) throw new SqlError('UNKNOWN_TABLE', `table ${[CATALOG_NAME, ...path].join('.')} does not exist`, { table: path.join('.') });
  return catalog.open(path, version);
}
