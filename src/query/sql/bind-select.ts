// One SELECT block: FROM/JOIN -> WHERE (pushed to scans where it is safe) -> GROUP BY/aggregates
// -> HAVING -> projection -> DISTINCT -> ORDER BY. Bare blob columns stay references throughout.
import { SqlError } from '../../errors.js';
import { exprToString, type Expr } from '../../dataset/expr/ast.js';
import { aggType } from '../exec/aggregate.js';
import { bareColumn, colRef, type BoundExpr, type Plan } from '../plan.js';
import { freshId, type Col } from '../relation.js';
import { conjuncts, identValue, unsupported, variant, type Obj } from './ast-util.js';
import { bindIr, boundColumns, boundType, liftAggregates, mapChildren, toIr, type AggCall, type Scope } from './bind-expr.js';
import { bindFrom, rejectBareBlob, sortKey, type BindContext } from './bind-query.js';

export async function bindSelect(sel: Obj, ctx: BindContext, orderItems: Obj[]): Promise<Plan> {
  for (const k of ['lateral_views', 'cluster_by', 'distribute_by', 'sort_by', 'named_window'] as const) {
    if (Array.isArray(sel[k]) && (sel[k] as unknown[]).length > 0) unsupported(k.replace('_', ' ').toUpperCase());
  }
  if (sel.qualify != null) unsupported('QUALIFY');
  let plan: Plan = (await bindFrom((sel.from as Obj[]) ?? [], ctx)) ?? { op: 'values', rows: [[]], cols: [] };
  if (sel.selection != null) plan = pushFilter(plan, toIr(sel.selection));

  // Aggregates are lifted out of every clause that may hold them, before IR conversion.
  const aggCalls: AggCall[] = [];
  const projection = liftAggregates(sel.projection, aggCalls) as Obj[];
  const having = sel.having != null ? liftAggregates(sel.having, aggCalls) : undefined;
  const orders = liftAggregates(orderItems, aggCalls) as Obj[];
  const groupBy = sel.group_by as Obj | undefined;
  const groupExprs = groupBy ? groupByExprs(groupBy) : [];

  let scope: Scope = { cols: plan.cols };
  let substitute = (b: BoundExpr): BoundExpr => b;
  if (aggCalls.length > 0 || groupExprs.length > 0) {
    const inScope = scope;
    const groups = groupExprs.map((g) => {
      const expr = bindIr(toIr(g), inScope);
      rejectBareBlob(expr, inScope, 'GROUP BY');
      const bare = bareColumn(expr);
      const src = bare ? inScope.cols.find((c) => c.id === bare) : undefined;
      const col: Col = { id: freshId('group'), name: src?.name ?? exprToString(toIr(g)), qualifier: src?.qualifier, type: boundType(expr, inScope), nullable: true };
      return { col, expr };
    });
    const aggs = aggCalls.map((a) => {
      const arg = a.arg === null ? null : bindIr(toIr(a.arg), inScope);
      if (arg && a.fn !== 'count') rejectBareBlob(arg, inScope, `${a.fn}()`);
      const col: Col = { id: a.id, name: a.text, type: aggType(a.fn, arg ? boundType(arg, inScope) : null), nullable: true };
      return { col, fn: a.fn, arg, distinct: a.distinct };
    });
    const cols = [...groups.map((g) => g.col), ...aggs.map((a) => a.col)];
    plan = { op: 'aggregate', input: plan, groups, aggs, cols };
    // Expressions after aggregation are bound on the input scope (plus placeholders), then
    // group-by sub-expressions are replaced by the group columns.
    const keyed = new Map(groups.map((g) => [irKey(g.expr.ir), g.col.id]));
    const post = new Set(cols.map((c) => c.id));
    substitute = (b: BoundExpr): BoundExpr => {
      const swap = (x: Expr): Expr => {
        const hit = keyed.get(irKey(x));
        if (hit) return { kind: 'column', path: [hit] };
        return mapChildren(x, swap);
      };
      const out = { ir: swap(b.ir), mats: b.mats };
      for (const id of boundColumns(out)) {
        if (!post.has(id)) {
          const c = inScope.cols.find((x) => x.id === id);
          throw new SqlError('NOT_GROUPED', `column ${c ? c.name : id} must appear in GROUP BY or inside an aggregate function`);
        }
      }
      return out;
    };
    scope = { cols: [...inScope.cols, ...aggs.map((a) => a.col)] };
    if (having !== undefined) plan = { op: 'filter', input: plan, pred: substitute(bindIr(toIr(having), scope)), cols: plan.cols };
  } else if (having !== undefined) {
    throw new SqlError('HAVING_WITHOUT_AGGREGATE', 'HAVING needs GROUP BY or an aggregate');
  }

  // Projection.
  const items: { col: Col; expr: BoundExpr }[] = [];
  for (const item of projection) {
    const [k, v] = variant(item);
    if (k === 'Wildcard' || k === 'QualifiedWildcard') {
      if (aggCalls.length > 0 || groupExprs.length > 0) unsupported('* together with GROUP BY or aggregates');
      const q = k === 'QualifiedWildcard' ? qualifiedName(v) : undefined;
      const cols = plan.cols.filter((c) => !c.hidden && (q === undefined || c.qualifier?.toLowerCase() === q.toLowerCase()));
      if (q !== undefined && cols.length === 0) throw new SqlError('UNKNOWN_TABLE', `no table or alias named ${q} in FROM`);
      for (const c of cols) items.push(passthrough(c));
      continue;
    }
    const exprAst = k === 'ExprWithAlias' ? (v as Obj).expr : k === 'UnnamedExpr' ? v : unsupported(`select item ${k}`);
    const alias = k === 'ExprWithAlias' ? identValue((v as Obj).alias) : undefined;
    const ir = toIr(exprAst);
    const expr = substitute(bindIr(ir, scope));
    const bare = bareColumn(expr);
    const src = bare ? [...scope.cols, ...plan.cols].find((c) => c.id === bare) : undefined;
    if (src) {
      const p = passthrough(src);
      if (alias !== undefined) p.col.name = alias;
      items.push(p);
      continue;
    }
    const name = alias ?? (ir.kind === 'column' ? ir.path[ir.path.length - 1]! : aggName(ir, aggCalls));
    items.push({ col: { id: freshId(name), name, type: boundType(expr, { cols: [...scope.cols, ...plan.cols] }), nullable: true }, expr });
  }
  // Blob references keep their row addresses (hidden), one per source relation.
  const hidden = new Map<string, Col>();
  for (const it of items) if (it.col.blob && !hidden.has(it.col.blob.rowAddr)) hidden.set(it.col.blob.rowAddr, plan.cols.find((c) => c.id === it.col.blob!.rowAddr)!);
  const projectItems = [...items, ...[...hidden.values()].map((c) => ({ col: c, expr: colRef(c.id) }))];
  const projected: Plan = { op: 'project', input: plan, items: projectItems, cols: projectItems.map((i) => i.col) };

  // ORDER BY: output names first (aliases), else the input scope (sorting before projecting).
  const outScope: Scope = { cols: projected.cols };
  let keys: ReturnType<typeof sortKey>[] | undefined;
  try {
    keys = orders.map((o) => sortKey(o, outScope));
  } catch (e) {
    if (!(e instanceof SqlError) || e.code !== 'UNKNOWN_COLUMN') throw e;
  }
  const distinct = sel.distinct != null;
  if (distinct) {
    const blob = projected.cols.find((c) => !c.hidden && c.blob);
    if (blob) throw new SqlError('BLOB_NOT_COMPARABLE', `SELECT DISTINCT over blob column ${blob.name}: blob references cannot be de-duplicated by value`);
  }
  if (keys === undefined) {
    if (distinct) throw new SqlError('UNKNOWN_COLUMN', 'ORDER BY of a SELECT DISTINCT must use selected columns');
    const inKeys = orders.map((o) => {
      const k = sortKey(o, scope);
      return { ...k, expr: substitute(k.expr) };
    });
    const sorted: Plan = { op: 'sort', input: plan, keys: inKeys, cols: plan.cols };
    return { ...projected, input: sorted } as Plan;
  }
  let out: Plan = distinct ? { op: 'distinct', input: projected, cols: projected.cols } : projected;
  if (keys.length) out = { op: 'sort', input: out, keys, cols: out.cols };
  return out;
}

/** Structural key of an IR tree (literals hold bigints). */
function irKey(e: Expr): string {
  return JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
}

function passthrough(c: Col): { col: Col; expr: BoundExpr } {
  const id = freshId(c.name);
  const col: Col = { ...c, id };
  if (c.blob) col.blob = { ...c.blob, descriptor: id };
  return { col, expr: colRef(c.id) };
}

function qualifiedName(v: unknown): string {
  const arr = v as unknown[];
  const [k, on] = variant(arr[0]);
  if (k !== 'ObjectName') unsupported(`qualified wildcard ${k}`);
  const parts = (on as unknown[]).map((p) => identValue(variant(p)[1]));
  return parts[parts.length - 1]!;
}

function groupByExprs(g: Obj): unknown[] {
  const [k, v] = variant(g);
  if (k === 'All') unsupported('GROUP BY ALL');
  const [exprs, mods] = v as [unknown[], unknown[]];
  if (mods && mods.length) unsupported('GROUP BY modifiers');
  return exprs;
}

/** Display name of a computed column: aggregate placeholders print as the call text. */
function aggName(ir: Expr, aggs: AggCall[]): string {
  let s = exprToString(ir);
  for (const a of aggs) s = s.split(a.id).join(a.text).split('`' + a.text + '`').join(a.text);
  return s;
}

// ---------------------------------------------------------------------------------------------
// WHERE with pushdown

/** Scans whose rows may be filtered before the join (not on the null side of a LEFT JOIN). */
function pushableScans(p: Plan, out: Map<string, { scan: Plan & { op: 'scan' }; source: string }>): void {
  if (p.op === 'scan') {
    for (const r of p.read) if (!r.col.blob) out.set(r.col.id, { scan: p, source: r.source });
  } else if (p.op === 'join') {
    pushableScans(p.left, out);
    if (p.kind === 'inner') pushableScans(p.right, out);
  }
}

function pushFilter(plan: Plan, where: Expr): Plan {
  const scope: Scope = { cols: plan.cols };
  const pushable = new Map<string, { scan: Plan & { op: 'scan' }; source: string }>();
  pushableScans(plan, pushable);
  const rest: BoundExpr[] = [];
  for (const c of conjuncts(where)) {
    const b = bindIr(c, scope);
    const ids = [...boundColumns(b)];
    const targets = new Set(ids.map((id) => pushable.get(id)?.scan));
    const [scan] = targets;
    if (b.mats.length === 0 && ids.length > 0 && targets.size === 1 && scan && !hasStructAccess(b.ir)) {
      const rename = (x: Expr): Expr => (x.kind === 'column' ? { kind: 'column', path: [pushable.get(x.path[0]!)!.source] } : mapChildren(x, rename));
      const translated = rename(b.ir);
      scan.filter = scan.filter ? { kind: 'binary', op: 'and', left: scan.filter, right: translated } : translated;
      continue;
    }
    rest.push(b);
  }
  if (rest.length === 0) return plan;
  const pred = rest.reduce((a, b) => ({ ir: { kind: 'binary', op: 'and', left: a.ir, right: b.ir }, mats: [...a.mats, ...b.mats] }));
  return { op: 'filter', input: plan, pred, cols: plan.cols };
}

function hasStructAccess(e: Expr): boolean {
  if (e.kind === 'column') return e.path.length > 1;
  let found = false;
  mapChildren(e, (x) => ((found ||= hasStructAccess(x)), x));
  return found;
}

