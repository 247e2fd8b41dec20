// Name resolution for expressions: the IR's column paths (`id`, `p.id`, `image.size`) become
// internal column ids; blob columns get their special forms (descriptor fields, length(),
// explicit blob_bytes()); aggregate calls are lifted out of the AST before IR conversion.
import * as arrow from 'apache-arrow';
import { SqlError } from '../../errors.js';
import { children, exprToString, type Expr } from '../../dataset/expr/ast.js';
import { fromSqlAst } from '../../dataset/expr/from-sql-ast.js';
import { exprType } from '../../dataset/expr/infer.js';
import type { AggFn } from '../exec/aggregate.js';
import type { BoundExpr, Materialization } from '../plan.js';
import { freshId, type Col } from '../relation.js';
import { variant, type Obj } from './ast-util.js';

export const DESCRIPTOR_FIELDS = ['kind', 'position', 'size', 'blob_id', 'blob_uri'] as const;

/** The columns an expression may name; hidden columns are only reachable by id. */
export interface Scope {
  cols: Col[];
}

export interface Resolved {
  col: Col;
  fields: string[];
}

const eq = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** Finds the column a path names: `q.c.f...` (qualified) or `c.f...`. */
export function resolvePath(path: string[], scope: Scope): Resolved {
  const byId = scope.cols.find((c) => c.id === path[0]);
  if (byId) return { col: byId, fields: path.slice(1) };
  const visible = scope.cols.filter((c) => !c.hidden);
  if (path.length >= 2) {
    const q = visible.filter((c) => eq(c.qualifier, path[0]) && eq(c.name, path[1]));
    if (q.length === 1) return { col: q[0]!, fields: path.slice(2) };
    if (q.length > 1) throw new SqlError('AMBIGUOUS_COLUMN', `column reference ${path.slice(0, 2).join('.')} is ambiguous`);
  }
  const m = visible.filter((c) => eq(c.name, path[0]));
  if (m.length === 1) return { col: m[0]!, fields: path.slice(1) };
  if (m.length > 1) {
    throw new SqlError('AMBIGUOUS_COLUMN', `column reference ${path[0]} is ambiguous (qualify it: ${m.map((c) => `${c.qualifier ?? '?'}.${c.name}`).join(', ')})`);
  }
  const known = visible.map((c) => (c.qualifier ? `${c.qualifier}.${c.name}` : c.name)).join(', ');
  throw new SqlError('UNKNOWN_COLUMN', `unknown column ${path.join('.')}; available: ${known || '(none)'}`, { column: path.join('.') });
}

/** Binds an IR expression against a scope (rewriting column paths to ids). */
export function bindIr(e: Expr, scope: Scope): BoundExpr {
  const mats: Materialization[] = [];
  const visit = (x: Expr): Expr => {
    if (x.kind === 'column') {
      const path = x.qualifier !== undefined ? [x.qualifier, ...x.path] : x.path;
      const { col, fields } = resolvePath(path, scope);
      if (col.blob && fields.length > 0) {
        if (fields.length !== 1 || !DESCRIPTOR_FIELDS.includes(fields[0]!.toLowerCase() as never)) {
          throw new SqlError('UNKNOWN_COLUMN', `blob column ${col.name} has no field ${fields.join('.')}; descriptor fields: ${DESCRIPTOR_FIELDS.join(', ')}`);
        }
        return { kind: 'column', path: [col.id, fields[0]!.toLowerCase()] };
      }
      return { kind: 'column', path: [col.id, ...fields] };
    }
    if (x.kind === 'call' && (x.name === 'length' || x.name === 'octet_length' || x.name === 'blob_bytes') && x.args.length === 1 && x.args[0]!.kind === 'column') {
      const a = x.args[0]!;
      const { col, fields } = resolvePath(a.qualifier !== undefined ? [a.qualifier, ...a.path] : a.path, scope);
      if (col.blob && fields.length === 0) {
        // length() of a blob is its descriptor size: no payload read.
        if (x.name !== 'blob_bytes') return { kind: 'column', path: [col.id, 'size'] };
        const id = freshId(`${col.name}_bytes`);
        mats.push({ id, source: col.blob });
        return { kind: 'column', path: [id] };
      }
      if (x.name === 'blob_bytes') throw new SqlError('NOT_A_BLOB', `blob_bytes() needs a blob v2 column, got ${exprToString(a)}`);
    }
    if (x.kind === 'call' && x.name === 'blob_bytes') throw new SqlError('NOT_A_BLOB', `blob_bytes() takes one blob v2 column`);
    return mapChildren(x, visit);
  };
  return { ir: visit(e), mats };
}

/** Rebuilds a node with each direct child mapped. */
export function mapChildren(e: Expr, f: (x: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return e;
    case 'unary':
      return { ...e, arg: f(e.arg) };
    case 'isNull':
      return { ...e, arg: f(e.arg) };
    case 'cast':
      return { ...e, arg: f(e.arg) };
    case 'binary':
      return { ...e, left: f(e.left), right: f(e.right) };
    case 'in':
      return { ...e, arg: f(e.arg), list: e.list.map(f) };
    case 'between':
      return { ...e, arg: f(e.arg), low: f(e.low), high: f(e.high) };
    case 'like':
      return { ...e, arg: f(e.arg), pattern: f(e.pattern) };
    case 'case':
      return { ...e, operand: e.operand && f(e.operand), whens: e.whens.map((w) => ({ when: f(w.when), then: f(w.then) })), else: e.else && f(e.else) };
    case 'call':
      return { ...e, args: e.args.map(f) };
  }
}

/** Ids of the columns a bound expression reads. */
export function boundColumns(e: BoundExpr): Set<string> {
  const out = new Set<string>();
  const visit = (x: Expr) => {
    if (x.kind === 'column') out.add(x.path[0]!);
    children(x).forEach(visit);
  };
  visit(e.ir);
  for (const m of e.mats) out.add(m.source.rowAddr);
  return out;
}

/** Static type of a bound expression over the scope (best effort: runtime vectors win). */
export function boundType(e: BoundExpr, scope: Scope): arrow.DataType {
  const fields = scope.cols.map((c) => new arrow.Field(c.id, c.type, true));
  for (const m of e.mats) fields.push(new arrow.Field(m.id, new arrow.LargeBinary(), true));
  return exprType(e.ir, new arrow.Schema(fields), 'spark');
}

// ---------------------------------------------------------------------------------------------
// Aggregates (lifted at the AST level: fromSqlAst rejects count(*) and DISTINCT arguments)

export const AGG_FNS: readonly AggFn[] = ['count', 'sum', 'min', 'max', 'avg'];

export interface AggCall {
  /** Placeholder column id the rewritten AST refers to. */
  id: string;
  fn: AggFn;
  distinct: boolean;
  /** Argument AST; null for count(*). */
  arg: unknown | null;
  text: string;
}

/** Replaces aggregate calls in an AST by placeholder identifiers; collects them into `out`. */
export function liftAggregates(node: unknown, out: AggCall[]): unknown {
  if (Array.isArray(node)) return node.map((n) => liftAggregates(n, out));
  if (!node || typeof node !== 'object') return node;
  const o = node as Obj;
  if ('Function' in o && Object.keys(o).length === 1) {
    const f = o.Function as Obj;
    const name = (f.name as unknown[]).map((p) => String(((p as Obj).Identifier as Obj | undefined)?.value ?? '')).join('.').toLowerCase();
    if ((AGG_FNS as readonly string[]).includes(name)) {
      if (f.over != null) throw new SqlError('UNSUPPORTED_SQL', `window function ${name}(...) OVER is not supported`);
      const [ak, ap] = variant(f.args);
      let arg: unknown | null = null;
      let distinct = false;
      if (ak === 'List') {
        const list = ap as Obj;
        distinct = list.duplicate_treatment === 'Distinct';
        const args = list.args as unknown[];
        if (args.length !== 1) throw new SqlError('UNSUPPORTED_SQL', `${name}() takes exactly one argument`);
        const [, inner] = variant(args[0]);
        const [ek, ev] = variant(inner);
        if (ek === 'Wildcard') {
          if (name !== 'count') throw new SqlError('UNSUPPORTED_SQL', `${name}(*) is not valid`);
        } else if (ek === 'Expr') arg = ev;
        else throw new SqlError('UNSUPPORTED_SQL', `${name}(${ek}) is not supported`);
      }
      const text = `${name}(${distinct ? 'DISTINCT ' : ''}${arg === null ? '*' : exprToString(fromSqlAst(arg))})`;
      const id = `__agg${out.length}_${freshId(name)}`;
      out.push({ id, fn: name as AggFn, distinct, arg, text });
      return { Identifier: { value: id, quote_style: null } };
    }
  }
  const copy: Obj = {};
  for (const [k, v] of Object.entries(o)) copy[k] = k === 'span' ? v : liftAggregates(v, out);
  return copy;
}

export function containsAggregate(node: unknown): boolean {
  const found: AggCall[] = [];
  liftAggregates(node, found);
  return found.length > 0;
}

/** Parser AST -> IR (the expression module owns the conversion). */
export function toIr(node: unknown): Expr {
  return fromSqlAst(node);
}
