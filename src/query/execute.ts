// Runs a bound plan bottom-up over whole relations. Blob columns never turn into bytes here
// except through an explicit blob_bytes() materialization, which is counted in planPayloadBytes.
import * as arrow from 'apache-arrow';
import { SqlError } from '../errors.js';
import { children, type Expr } from '../dataset/expr/ast.js';
import { exprType } from '../dataset/expr/infer.js';
import { hashAggregate } from './exec/aggregate.js';
import { hashJoin } from './exec/hash-join.js';
import { limitRange, sortPermutation } from './exec/sort.js';
import { groupKey, takeVector, vectorOf } from './exec/values.js';
import { concatData } from '../dataset/arrow/kernels.js';
import { sameLayout } from '../dataset/arrow/adopt.js';
import type { BoundExpr, Materialization, Plan } from './plan.js';
import { batchOf, gather, vectorOfCol, type Col, type Relation, type SourceTable } from './relation.js';

/** The expression engine, injected so the executor does not own expression semantics. */
export interface Evaluator {
  evalExpr(e: Expr, batch: arrow.RecordBatch): arrow.Vector;
  evalPredicate(e: Expr, batch: arrow.RecordBatch): Uint8Array;
}

export interface ScanRequest {
  table: SourceTable;
  columns: string[];
  filter?: Expr;
  withRowAddress: boolean;
}

export interface ExecContext {
  evaluator: Evaluator;
  /** Reads a source; the result holds `columns` (+ `_rowaddr` when asked) by source name. */
  scan(req: ScanRequest): Promise<arrow.Table>;
  /** Payload bytes of a blob column at row addresses (explicit materialization only). */
  fetchBlobs(table: SourceTable, column: string, rowAddrs: bigint[]): Promise<(Uint8Array | null)[]>;
  /** Payload bytes materialized inside the plan. */
  planPayloadBytes: number;
}

export const ROW_ADDR = '_rowaddr';

export async function execute(plan: Plan, ctx: ExecContext): Promise<Relation> {
  switch (plan.op) {
    case 'scan':
      return scan(plan, ctx);
    case 'values':
      return evalValues(plan, ctx);
    case 'filter': {
      const input = await execute(plan.input, ctx);
      const keep = await evalPredicate(plan.pred, input, ctx);
      return gather(input, selected(keep, input.numRows));
    }
    case 'project': {
      const input = await execute(plan.input, ctx);
      const vectors: arrow.Vector[] = [];
      for (const it of plan.items) vectors.push(await evalBound(it.expr, input, ctx));
      return { cols: plan.cols, vectors, numRows: input.numRows };
    }
    case 'join': {
      const [left, right] = [await execute(plan.left, ctx), await execute(plan.right, ctx)];
      const lk: arrow.Vector[] = [];
      const rk: arrow.Vector[] = [];
      for (const k of plan.leftKeys) lk.push(await evalBound(k, left, ctx));
      for (const k of plan.rightKeys) rk.push(await evalBound(k, right, ctx));
      // The residual is evaluated once over all candidate pairs (it is synchronous inside hashJoin).
      let residualInput: Relation | undefined;
      const residual = plan.residual;
      const pairs0 = hashJoin(lk, rk, left.numRows, right.numRows, 'inner');
      let keep: Uint8Array | undefined;
      if (residual) {
        residualInput = concatCols(gather(left, pairs0.left), gather(right, pairs0.right));
        keep = await evalPredicate(residual, residualInput, ctx);
      }
      const pairs = hashJoin(lk, rk, left.numRows, right.numRows, plan.kind, keep ? () => keep! : undefined);
      return concatCols(gather(left, pairs.left), gather(right, pairs.right));
    }
    case 'sort': {
      const input = await execute(plan.input, ctx);
      const keys = [];
      for (const k of plan.keys) keys.push({ values: await evalBound(k.expr, input, ctx), descending: k.descending, nullsFirst: k.nullsFirst });
      return gather(input, sortPermutation(keys, input.numRows));
    }
    case 'limit': {
      const input = await execute(plan.input, ctx);
      return gather(input, limitRange(input.numRows, plan.limit, plan.offset));
    }
    case 'aggregate': {
      const input = await execute(plan.input, ctx);
      const gk: arrow.Vector[] = [];
      for (const g of plan.groups) gk.push(await evalBound(g.expr, input, ctx));
      const specs = [];
      for (const a of plan.aggs) specs.push({ fn: a.fn, arg: a.arg ? await evalBound(a.arg, input, ctx) : null, distinct: a.distinct });
      const res = hashAggregate(gk, specs, input.numRows, plan.groups.length === 0);
      const vectors = [...gk.map((v) => takeVector(v, res.groupRows)), ...res.values];
      return { cols: plan.cols, vectors, numRows: res.groupRows.length };
    }
    case 'distinct': {
      const input = await execute(plan.input, ctx);
      const seen = new Set<string>();
      const keep: number[] = [];
      const vis = input.vectors.filter((_, i) => !input.cols[i]!.hidden);
      for (let i = 0; i < input.numRows; i++) {
        const k = groupKey(vis, i);
        if (!seen.has(k)) seen.add(k), keep.push(i);
      }
      return gather(input, keep);
    }
    case 'union': {
      const parts: Relation[] = [];
      for (const p of plan.inputs) parts.push(await execute(p, ctx));
      const vectors = plan.cols.map((c, ci) => {
        // Same-typed inputs are concatenated by buffer (get() values lose vectors, timestamps, decimals).
        if (parts.every((r) => sameLayout(r.vectors[ci]!.type, c.type))) return arrow.makeVector(concatData(c.type, parts.flatMap((r) => r.vectors[ci]!.data)));
        const cells: unknown[] = [];
        for (const r of parts) for (let i = 0; i < r.numRows; i++) cells.push(r.vectors[ci]!.get(i));
        return vectorOf(c.type, cells);
      });
      const rel: Relation = { cols: plan.cols, vectors, numRows: parts.reduce((n, r) => n + r.numRows, 0) };
      return plan.all ? rel : execute({ op: 'distinct', input: { op: 'values', rows: [], rel, cols: plan.cols }, cols: plan.cols }, ctx);
    }
  }
}

async function scan(plan: Extract<Plan, { op: 'scan' }>, ctx: ExecContext): Promise<Relation> {
  const columns = plan.read.map((r) => r.source);
  const t = await ctx.scan({ table: plan.table, columns, filter: plan.filter, withRowAddress: plan.rowAddr !== undefined });
  const vectors = plan.cols.map((c) => {
    const src = c === plan.rowAddr ? ROW_ADDR : plan.read.find((r) => r.col === c)!.source;
    const v = t.getChild(src);
    if (!v) throw new SqlError('SCAN_COLUMN_MISSING', `dataset ${plan.table.name} returned no column "${src}"`);
    return v as arrow.Vector;
  });
  return { cols: plan.cols, vectors, numRows: t.numRows };
}

function evalValues(plan: Plan & { op: 'values' }, ctx: ExecContext): Promise<Relation> | Relation {
  if (plan.rel) return plan.rel;
  return (async () => {
    const one: Relation = { cols: [], vectors: [], numRows: 1 };
    const cells: unknown[][] = plan.cols.map(() => []);
    for (const row of plan.rows) {
      for (let i = 0; i < row.length; i++) cells[i]!.push((await evalBound(row[i]!, one, ctx)).get(0));
    }
    return { cols: plan.cols, vectors: plan.cols.map((c, i) => vectorOf(c.type, cells[i]!)), numRows: plan.rows.length };
  })();
}

function concatCols(a: Relation, b: Relation): Relation {
  return { cols: [...a.cols, ...b.cols], vectors: [...a.vectors, ...b.vectors], numRows: a.numRows };
}

function selected(mask: Uint8Array, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (mask[i]) out.push(i);
  return out;
}

/** Adds materialized payload columns, then evaluates. Bare columns skip the evaluator. */
export async function evalBound(e: BoundExpr, rel: Relation, ctx: ExecContext): Promise<arrow.Vector> {
  const withMats = e.mats.length ? await materialize(e.mats, rel, ctx) : rel;
  if (e.ir.kind === 'column' && e.ir.path.length === 1) return vectorOfCol(withMats, e.ir.path[0]!);
  const batch = batchOf(withMats, referenced(e.ir));
  // Empty inputs: only the type matters (and empty struct data may lack children).
  if (rel.numRows === 0) return vectorOf(exprType(e.ir, batch.schema, 'spark'), []);
  return ctx.evaluator.evalExpr(e.ir, batch);
}

async function evalPredicate(e: BoundExpr, rel: Relation, ctx: ExecContext): Promise<Uint8Array> {
  if (rel.numRows === 0) return new Uint8Array(0);
  const withMats = e.mats.length ? await materialize(e.mats, rel, ctx) : rel;
  return ctx.evaluator.evalPredicate(e.ir, batchOf(withMats, referenced(e.ir)));
}

function referenced(e: Expr): string[] {
  const out: string[] = [];
  const visit = (x: Expr): void => {
    if (x.kind === 'column') out.push(x.path[0]!);
    children(x).forEach(visit);
  };
  visit(e);
  return out;
}

/** Fetches each distinct (source, row address) once and fans the bytes out to every row. */
async function materialize(mats: Materialization[], rel: Relation, ctx: ExecContext): Promise<Relation> {
  const cols: Col[] = [...rel.cols];
  const vectors = [...rel.vectors];
  for (const m of mats) {
    const addrs = vectorOfCol(rel, m.source.rowAddr);
    const distinct = new Map<bigint, number>();
    const rowAddrs: (bigint | null)[] = [];
    for (let i = 0; i < rel.numRows; i++) {
      const a = addrs.get(i) as bigint | null;
      rowAddrs.push(a);
      if (a !== null && !distinct.has(a)) distinct.set(a, distinct.size);
    }
    const bytes = await ctx.fetchBlobs(m.source.table, m.source.column, [...distinct.keys()]);
    for (const b of bytes) if (b) ctx.planPayloadBytes += b.length;
    const cells = rowAddrs.map((a) => (a === null ? null : bytes[distinct.get(a)!] ?? null));
    cols.push({ id: m.id, name: m.id, type: new arrow.LargeBinary(), nullable: true, hidden: true });
    vectors.push(vectorOf(new arrow.LargeBinary(), cells));
  }
  return { cols, vectors, numRows: rel.numRows };
}
