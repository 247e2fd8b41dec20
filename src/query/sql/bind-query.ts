// SELECT / VALUES / set operations -> bound plan. Blob columns stay references: a bare column
// keeps its source pin and hidden row address through projections, joins, filters, sorts and
// limits; shapes that would need the bytes or would blur the source are rejected here.
import * as arrow from 'apache-arrow';
import { SqlError } from '../../errors.js';
import { exprToString, type Expr } from '../../dataset/expr/ast.js';
import { bareColumn, colRef, type BoundExpr, type Plan } from '../plan.js';
import { freshId, type Col, type SourceTable } from '../relation.js';
import { conjuncts, identValue, intLiteral, objectNameParts, unsupported, variant, type Obj } from './ast-util.js';
import { bindIr, boundColumns, boundType, liftAggregates, toIr, type AggCall, type Scope } from './bind-expr.js';
import { bindSelect } from './bind-select.js';

export interface BindContext {
  /** Opens a table for reading, pinned to `version` or the latest. */
  openSource(parts: string[], version?: number): Promise<SourceTable>;
  /** CTEs visible to the query being bound. */
  ctes: Map<string, Plan>;
}

/** Binds a parser `Query` node. */
export async function bindQuery(q: Obj, ctx: BindContext): Promise<Plan> {
  if (q.with != null) {
    const w = q.with as Obj;
    const ctes = new Map(ctx.ctes);
    for (const c of w.cte_tables as Obj[]) {
      const name = identValue((c.alias as Obj).name).toLowerCase();
      ctes.set(name, await bindQuery(c.query as Obj, { ...ctx, ctes }));
    }
    ctx = { ...ctx, ctes };
  }
  const orderBy = q.order_by as Obj | undefined;
  const orderItems = orderBy ? ((variant(orderBy.kind)[1] as Obj[] | undefined) ?? []) : [];
  let plan = await bindSetExpr(q.body, ctx, orderItems);
  const lc = q.limit_clause as Obj | undefined;
  if (lc) {
    const [k, v] = variant(lc);
    if (k !== 'LimitOffset') unsupported(`limit clause ${k}`);
    const o = v as Obj;
    const limit = o.limit != null ? intLiteral(o.limit, 'LIMIT') : undefined;
    const offset = o.offset != null ? intLiteral((o.offset as Obj).value, 'OFFSET') : 0;
    plan = { op: 'limit', input: plan, limit, offset, cols: plan.cols };
  }
  return plan;
}

async function bindSetExpr(body: unknown, ctx: BindContext, orderItems: Obj[]): Promise<Plan> {
  const [k, v] = variant(body);
  switch (k) {
    case 'Select':
      return bindSelect(v as Obj, ctx, orderItems);
    case 'Query':
      return withOrder(await bindQuery(v as Obj, ctx), orderItems);
    case 'Values':
      return withOrder(bindValues(v as Obj), orderItems);
    case 'SetOperation': {
      const o = v as Obj;
      if (o.op !== 'Union') unsupported(`${String(o.op).toUpperCase()} (only UNION [ALL] is supported)`);
      const left = await bindSetExpr(o.left, ctx, []);
      const right = await bindSetExpr(o.right, ctx, []);
      return withOrder(bindUnion(left, right, o.set_quantifier === 'All'), orderItems);
    }
    default:
      unsupported(`query body ${k}`);
  }
}

/** ORDER BY over the output columns of a finished plan (VALUES, UNION, nested queries). */
export function withOrder(plan: Plan, orderItems: Obj[]): Plan {
  if (orderItems.length === 0) return plan;
  const scope: Scope = { cols: plan.cols };
  const keys = orderItems.map((it) => sortKey(it, scope));
  return { op: 'sort', input: plan, keys, cols: plan.cols };
}

export function sortKey(it: Obj, scope: Scope): { expr: BoundExpr; descending: boolean; nullsFirst?: boolean } {
  const expr = bindIr(toIr(it.expr), scope);
  rejectBareBlob(expr, scope, 'ORDER BY');
  const opts = (it.options ?? {}) as Obj;
  return { expr, descending: opts.asc === false, nullsFirst: typeof opts.nulls_first === 'boolean' ? opts.nulls_first : undefined };
}

/** A blob column used as a value (not a descriptor field) where bytes would be compared. */
export function rejectBareBlob(e: BoundExpr, scope: Scope, where: string): void {
  const id = bareColumn(e);
  const col = id ? scope.cols.find((c) => c.id === id) : undefined;
  if (col?.blob) {
    throw new SqlError('BLOB_NOT_COMPARABLE', `${where} ${col.name}: blob v2 column values are references, not comparable bytes; use ${col.name}.size or blob_bytes(${col.name})`);
  }
}

function bindValues(v: Obj): Plan {
  const rows = (v.rows as Obj[]).map((r) => (Array.isArray(r) ? r : (r.content as unknown[])));
  if (rows.length === 0) unsupported('empty VALUES');
  const width = rows[0]!.length;
  const empty: Scope = { cols: [] };
  const bound = rows.map((r, i) => {
    if (r.length !== width) throw new SqlError('VALUES_WIDTH', `VALUES row ${i + 1} has ${r.length} values, expected ${width}`);
    return r.map((cell) => bindIr(toIr(cell), empty));
  });
  const cols: Col[] = [];
  for (let c = 0; c < width; c++) {
    let type: arrow.DataType = new arrow.Null();
    for (const r of bound) {
      const t = boundType(r[c]!, empty);
      if (t.typeId !== arrow.Type.Null) {
        type = t;
        break;
      }
    }
    cols.push({ id: freshId(`col${c + 1}`), name: `col${c + 1}`, type, nullable: true });
  }
  return { op: 'values', rows: bound, cols };
}

function bindUnion(left: Plan, right: Plan, all: boolean): Plan {
  const lv = left.cols.filter((c) => !c.hidden);
  const rv = right.cols.filter((c) => !c.hidden);
  if (lv.length !== rv.length) throw new SqlError('UNION_WIDTH', `UNION inputs have ${lv.length} and ${rv.length} columns`);
  for (let i = 0; i < lv.length; i++) {
    const a = lv[i]!;
    const b = rv[i]!;
    if (a.blob || b.blob) {
      const same = a.blob && b.blob && a.blob.table.uri === b.blob.table.uri && a.blob.table.version === b.blob.table.version && a.blob.column === b.blob.column;
      if (!same || !all) {
        throw new SqlError(
          'BLOB_UNION',
          `UNION${all ? ' ALL' : ''} column ${i + 1} (${a.name}) mixes blob sources (${describeBlob(a)} vs ${describeBlob(b)}); blob references must come from one dataset version and column${all ? '' : ', and UNION without ALL would compare bytes'}`,
        );
      }
    }
  }
  // Each side is re-projected to [visible..., one row address per blob column] so rows line up.
  const shape = (p: Plan, vis: Col[]): Plan => {
    const items = vis.map((c) => ({ col: { ...c, id: freshId(c.name) }, expr: colRef(c.id) }));
    for (const c of vis) if (c.blob) items.push({ col: { id: freshId('_rowaddr'), name: '_rowaddr', type: new arrow.Uint64(), nullable: true, hidden: true }, expr: colRef(c.blob.rowAddr) });
    return { op: 'project', input: p, items, cols: items.map((i) => i.col) };
  };
  const l = shape(left, lv);
  const r = shape(right, rv);
  const vis: Col[] = lv.map((c) => ({ id: freshId(c.name), name: c.name, type: c.type, nullable: true }));
  const hidden: Col[] = [];
  lv.forEach((c, i) => {
    if (!c.blob) return;
    const h: Col = { id: freshId('_rowaddr'), name: '_rowaddr', type: new arrow.Uint64(), nullable: true, hidden: true };
    hidden.push(h);
    vis[i]!.blob = { ...c.blob, rowAddr: h.id, descriptor: vis[i]!.id };
  });
  const cols = [...vis, ...hidden];
  return { op: 'union', inputs: [l, r], all, cols };
}

function describeBlob(c: Col): string {
  return c.blob ? `${c.blob.table.name}@v${c.blob.table.version}.${c.blob.column}` : `a non-reference ${String(c.type)}`;
}

// ---------------------------------------------------------------------------------------------
// FROM

/** Binds one FROM item with its joins. Qualifier defaults to the table's last name part. */
export async function bindFrom(items: Obj[], ctx: BindContext): Promise<Plan | undefined> {
  let plan: Plan | undefined;
  for (const item of items) {
    let p = await bindFactor(item.relation, ctx);
    for (const j of (item.joins as Obj[]) ?? []) {
      const right = await bindFactor(j.relation, ctx);
      const [kind, cons] = variant(j.join_operator);
      const jk = kind === 'Join' || kind === 'Inner' ? 'inner' : kind === 'Left' || kind === 'LeftOuter' ? 'left' : kind === 'CrossJoin' ? 'cross' : unsupported(`${kind} join`);
      p = bindJoin(p, right, jk === 'cross' ? 'inner' : jk, jk === 'cross' ? undefined : cons);
    }
    plan = plan ? bindJoin(plan, p, 'inner', undefined) : p;
  }
  return plan;
}

async function bindFactor(rel: unknown, ctx: BindContext): Promise<Plan> {
  const [k, v] = variant(rel);
  const o = v as Obj;
  const alias = o.alias ? identValue((o.alias as Obj).name) : undefined;
  if (k === 'Derived') {
    const sub = await bindQuery(o.subquery as Obj, ctx);
    return requalify(sub, alias);
  }
  if (k !== 'Table') unsupported(`FROM ${k}`);
  if (o.args != null) unsupported('table functions');
  const parts = objectNameParts(o.name);
  const cte = parts.length === 1 ? ctx.ctes.get(parts[0]!.toLowerCase()) : undefined;
  if (cte) return requalify(cte, alias ?? parts[0]);
  let version: number | undefined;
  if (o.version != null) {
    const [vk, vv] = variant(o.version);
    if (vk !== 'VersionAsOf') unsupported(`${vk} time travel (use VERSION AS OF n)`);
    version = intLiteral(vv, 'VERSION AS OF');
  }
  const table = await ctx.openSource(parts, version);
  return scanPlan(table, alias ?? parts[parts.length - 1]!);
}

/** A scan of every column of `table`, with a row-address column when it has blob columns. */
export function scanPlan(table: SourceTable, qualifier: string, opts: { rowAddr?: boolean } = {}): Plan & { op: 'scan' } {
  const read = table.schema.fields.map((f) => ({ source: f.name, col: { id: freshId(f.name), name: f.name, qualifier, type: f.type, nullable: f.nullable } as Col }));
  const blobs = read.filter((r) => isBlobField(table.schema.fields.find((f) => f.name === r.source)!));
  let rowAddr: Col | undefined;
  if (blobs.length > 0 || opts.rowAddr) {
    rowAddr = { id: freshId('_rowaddr'), name: '_rowaddr', qualifier, type: new arrow.Uint64(), nullable: false, hidden: true };
    for (const b of blobs) {
      b.col.type = descriptorType();
      b.col.blob = { table, column: b.source, rowAddr: rowAddr.id, descriptor: b.col.id };
    }
  }
  return { op: 'scan', table, read, rowAddr, cols: [...read.map((r) => r.col), ...(rowAddr ? [rowAddr] : [])] };
}

export function isBlobField(f: arrow.Field): boolean {
  return f.metadata?.get('ARROW:extension:name') === 'lance.blob.v2';
}

/** The descriptor struct scans return for blob v2 columns. */
export function descriptorType(): arrow.Struct {
  return new arrow.Struct([
    new arrow.Field('kind', new arrow.Uint8(), false),
    new arrow.Field('position', new arrow.Uint64(), false),
    new arrow.Field('size', new arrow.Uint64(), false),
    new arrow.Field('blob_id', new arrow.Uint32(), false),
    new arrow.Field('blob_uri', new arrow.Utf8(), false),
  ]);
}

function requalify(p: Plan, alias: string | undefined): Plan {
  if (alias === undefined) return p;
  const cols = p.cols.map((c) => ({ ...c, qualifier: alias }));
  const items = p.cols.map((c, i) => ({ col: cols[i]!, expr: colRef(c.id) }));
  return { op: 'project', input: p, items, cols };
}

function bindJoin(left: Plan, right: Plan, kind: 'inner' | 'left', constraint: unknown): Plan {
  const cols = [...left.cols, ...right.cols];
  const scope: Scope = { cols };
  const leftIds = new Set(left.cols.map((c) => c.id));
  const rightIds = new Set(right.cols.map((c) => c.id));
  const leftKeys: BoundExpr[] = [];
  const rightKeys: BoundExpr[] = [];
  const rest: Expr[] = [];
  if (constraint !== undefined) {
    const [ck, cv] = variant(constraint);
    if (ck === 'None') {
      /* cross join */
    } else if (ck !== 'On') unsupported(`join constraint ${ck}`);
    else {
      for (const c of conjuncts(toIr(cv))) {
        if (c.kind === 'binary' && c.op === '=') {
          const a = bindIr(c.left, scope);
          const b = bindIr(c.right, scope);
          const sa = boundColumns(a);
          const sb = boundColumns(b);
          const within = (s: Set<string>, ids: Set<string>) => s.size > 0 && [...s].every((x) => ids.has(x));
          if (within(sa, leftIds) && within(sb, rightIds)) {
            rejectBareBlob(a, scope, 'JOIN ON');
            leftKeys.push(a), rightKeys.push(b);
            continue;
          }
          if (within(sa, rightIds) && within(sb, leftIds)) {
            leftKeys.push(b), rightKeys.push(a);
            continue;
          }
        }
        rest.push(c);
      }
    }
  }
  const residual = rest.length ? bindIr(rest.reduce((a, b) => ({ kind: 'binary', op: 'and', left: a, right: b })), scope) : undefined;
  if (kind === 'left' && residual && residual.mats.length) unsupported('blob_bytes() in a LEFT JOIN condition');
  return { op: 'join', kind, left, right, leftKeys, rightKeys, residual, cols };
}

export { exprToString, liftAggregates };
export type { AggCall };
