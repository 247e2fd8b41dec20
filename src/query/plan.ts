// Logical plan nodes, already bound: every expression refers to columns by internal id, every
// node knows its output columns. SQL and the DataFrame API both build these; execute.ts runs them.
import type { Expr } from '../dataset/expr/ast.js';
import type { AggFn } from './exec/aggregate.js';
import type { JoinKind } from './exec/hash-join.js';
import type { BlobSource, Col, Relation, SourceTable } from './relation.js';

/** An explicit `blob_bytes(col)`: the executor fetches payloads into a new binary column. */
export interface Materialization {
  /** Id of the binary column the expression reads. */
  id: string;
  source: BlobSource;
}

/** A bound expression: IR over column ids, plus any payload fetches it needs first. */
export interface BoundExpr {
  ir: Expr;
  mats: Materialization[];
}

export type Plan =
  | {
      op: 'scan';
      table: SourceTable;
      /** Source column name -> output column (visible + hidden row address). */
      read: { source: string; col: Col }[];
      /** Hidden row-address column, present when any blob column is read. */
      rowAddr?: Col;
      /** Predicate pushed to the dataset, in the source's own column names. */
      filter?: Expr;
      cols: Col[];
    }
  /** Literal rows; `rel` holds rows already computed (UNION de-duplication, DataFrames of data). */
  | { op: 'values'; rows: BoundExpr[][]; rel?: Relation; cols: Col[] }
  | { op: 'filter'; input: Plan; pred: BoundExpr; cols: Col[] }
  | { op: 'project'; input: Plan; items: { col: Col; expr: BoundExpr }[]; cols: Col[] }
  | { op: 'join'; kind: JoinKind; left: Plan; right: Plan; leftKeys: BoundExpr[]; rightKeys: BoundExpr[]; residual?: BoundExpr; cols: Col[] }
  | { op: 'sort'; input: Plan; keys: { expr: BoundExpr; descending: boolean; nullsFirst?: boolean }[]; cols: Col[] }
  | { op: 'limit'; input: Plan; limit?: number; offset: number; cols: Col[] }
  | {
      op: 'aggregate';
      input: Plan;
      groups: { col: Col; expr: BoundExpr }[];
      aggs: { col: Col; fn: AggFn; arg: BoundExpr | null; distinct: boolean }[];
      cols: Col[];
    }
  | { op: 'distinct'; input: Plan; cols: Col[] }
  | { op: 'union'; inputs: Plan[]; all: boolean; cols: Col[] };

/** A bare column reference as a bound expression. */
export function colRef(id: string, ...fields: string[]): BoundExpr {
  return { ir: { kind: 'column', path: [id, ...fields] }, mats: [] };
}

/** The column id when the expression is just a column (no struct access), else undefined. */
export function bareColumn(e: BoundExpr): string | undefined {
  return e.ir.kind === 'column' && e.ir.path.length === 1 && e.mats.length === 0 ? e.ir.path[0] : undefined;
}

/** Output columns the user can see. */
export function visibleCols(p: Plan): Col[] {
  return p.cols.filter((c) => !c.hidden);
}

/** Every dataset a plan reads (for version pinning and source-identity checks). */
export function planSources(p: Plan): SourceTable[] {
  const out: SourceTable[] = [];
  const visit = (n: Plan) => {
    switch (n.op) {
      case 'scan':
        out.push(n.table);
        return;
      case 'values':
        return;
      case 'join':
        visit(n.left);
        visit(n.right);
        return;
      case 'union':
        n.inputs.forEach(visit);
        return;
      default:
        visit(n.input);
    }
  };
  visit(p);
  return out;
}
