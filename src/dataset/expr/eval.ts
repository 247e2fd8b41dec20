// Evaluation of expressions over one Arrow record batch with SQL three-valued logic, in the
// semantics of the caller's dialect (dialect.ts). Columns are read once into normalised JS values
// (values.ts); comparisons of a plain numeric column against a literal run directly over the
// typed array.
import * as arrow from 'apache-arrow';
import { SqlError } from '../../errors.js';
import { children, exprColumns, exprToString, type CastType, type CompareOp, type Expr } from './ast.js';
import { castValues, toStringValue } from './cast.js';
import type { Dialect } from './dialect.js';
import { lookupFunction } from './functions.js';
import { exprType, nodeType } from './infer.js';
import { evalSelected, rightSide } from './short-circuit.js';
import { foldsToNull } from './null-folding.js';
import { resolveLanceLiterals } from './lance-literals.js';
import { compileLike } from './like.js';
import { parseDate, parseTimestamp } from './temporal.js';
import { category, comparisonDomain, resolveColumn, typeMismatch, typeName, type Category } from './types.js';
import { buildVector, compareValues, literalValue, NS_PER_DAY, readVector, type Val } from './values.js';
import { evalMask } from './eval-mask.js';

export interface EvalOptions {
  /** The semantics to evaluate with: the Table API's ('datafusion') or the SQL session's ('spark'). */
  readonly dialect: Dialect;
}

interface Col {
  type: arrow.DataType;
  values: Val[];
}

interface Ctx {
  batch: arrow.RecordBatch;
  n: number;
  dialect: Dialect;
}

/** `e` as the dialect reads it: DataFusion first gives literals their columns' types. */
function rooted(e: Expr, schema: arrow.Schema, dialect: Dialect): Expr {
  return dialect === 'datafusion' ? resolveLanceLiterals(e, schema) : e;
}

/** Evaluates `e` for every row of `batch`; the vector's type is exprType(e, batch.schema, dialect). */
export function evalExpr(e: Expr, batch: arrow.RecordBatch, opts: EvalOptions): arrow.Vector {
  const root = rooted(e, batch.schema, opts.dialect);
  if (root.kind === 'column') {
    const direct = plainColumnVector(root, batch);
    if (direct) return direct;
  }
  const col = evalNode(root, { batch, n: batch.numRows, dialect: opts.dialect });
  return buildVector(col.type, col.values);
}

/** 1 where `e` is TRUE; 0 where it is FALSE or NULL. */
export function evalPredicate(e: Expr, batch: arrow.RecordBatch, opts: EvalOptions): Uint8Array {
  // Vectorized where it can be (eval-mask.ts); other nodes come back here row by row.
  const ctx: Ctx = { batch, n: batch.numRows, dialect: opts.dialect };
  const m = evalMask(rooted(e, batch.schema, opts.dialect), batch, (b) => (b === batch ? (x) => evalNode(x, ctx) : (x) => evalNode(x, { batch: b, n: b.numRows, dialect: ctx.dialect })), opts.dialect);
  const c = category(m.type);
  if (c !== 'bool' && c !== 'null') throw typeMismatch(e, `a filter must be boolean, got ${typeName(m.type)}`);
  return m.t;
}

/** The column's own vector, when no struct ancestor can null it out. */
function plainColumnVector(e: Expr & { kind: 'column' }, batch: arrow.RecordBatch): arrow.Vector | undefined {
  const r = resolveColumn(e, batch.schema);
  let v: arrow.Vector | null = batch.getChildAt(r.indexes[0]!);
  for (const i of r.indexes.slice(1)) {
    if (!v || v.nullCount > 0) return undefined;
    v = v.getChildAt(i);
  }
  return v ?? undefined;
}

function readColumn(e: Expr & { kind: 'column' }, ctx: Ctx): Col {
  const r = resolveColumn(e, ctx.batch.schema);
  let v = ctx.batch.getChildAt(r.indexes[0]!)!;
  const ancestors: arrow.Vector[] = [];
  for (const i of r.indexes.slice(1)) {
    ancestors.push(v);
    v = v.getChildAt(i)!;
  }
  const values = readVector(v);
  // Arrow struct children keep their own validity; a NULL parent makes the field NULL too.
  for (const a of ancestors) {
    if (a.nullCount === 0) continue;
    for (let i = 0; i < values.length; i++) if (!a.isValid(i)) values[i] = null;
  }
  return { type: r.type, values };
}

function evalNode(e: Expr, ctx: Ctx): Col {
  if (e.kind === 'column') return readColumn(e, ctx);
  if (e.kind === 'literal') {
    return { type: nodeType(e, [], ctx.batch.schema, ctx.dialect), values: new Array<Val>(ctx.n).fill(literalValue(e)) };
  }
  if (ctx.dialect === 'datafusion') {
    if (e.kind === 'binary' && (e.op === 'and' || e.op === 'or')) return evalLogical(e, e.op, ctx);
    if (e.kind === 'call' && e.name === 'coalesce') return evalCoalesce(e, ctx);
    // Still type-checked, as DataFusion plans it before simplifying.
    if (foldsToNull(e)) return { type: exprType(e, ctx.batch.schema, ctx.dialect), values: new Array<Val>(ctx.n).fill(null) };
  }
  const kids = children(e).map((c) => evalNode(c, ctx));
  const type = nodeType(
    e,
    kids.map((k) => k.type),
    ctx.batch.schema,
    ctx.dialect,
  );
  return { type, values: evalValues(e, kids, type, ctx) };
}

/** AND / OR with DataFusion's short-circuit (short-circuit.ts). */
function evalLogical(e: Expr & { kind: 'binary' }, op: 'and' | 'or', ctx: Ctx): Col {
  const l = evalNode(e.left, ctx);
  const t = new Uint8Array(ctx.n);
  let hasNull = false;
  l.values.forEach((v, i) => {
    if (v === true) t[i] = 1;
    else if (v === null) hasNull = true;
  });
  const how = rightSide(op, t, hasNull);
  let r: Col;
  if (how === 'skip') r = { type: exprType(e.right, ctx.batch.schema, ctx.dialect), values: new Array<Val>(ctx.n).fill(op === 'or') };
  else if (how === 'selected') {
    r = evalSelected(
      ctx.batch,
      t,
      (b) => evalNode(e.right, b === ctx.batch ? ctx : { batch: b, n: b.numRows, dialect: ctx.dialect }),
      () => ({ type: new arrow.Bool(), values: new Array<Val>(ctx.n).fill(false) }),
      (into, part, start) => {
        into.type = part.type;
        part.values.forEach((v, k) => (into.values[start + k] = v));
      },
    );
  } else r = evalNode(e.right, ctx);
  const type = nodeType(e, [l.type, r.type], ctx.batch.schema, ctx.dialect);
  return { type, values: evalBinary(e, l, r, type, ctx) };
}

/**
 * coalesce() as DataFusion runs it (a CASE WHEN arg IS NOT NULL chain): each argument only on the
 * rows every earlier one left NULL, so a failure on other rows does not surface.
 */
function evalCoalesce(e: Expr & { kind: 'call' }, ctx: Ctx): Col {
  const fn = lookupFunction(e);
  const remaining = new Uint8Array(ctx.n).fill(1);
  let left = ctx.n;
  const cols: Col[] = [];
  for (const arg of e.args) {
    if (left === 0) {
      cols.push({ type: exprType(arg, ctx.batch.schema, ctx.dialect), values: [] });
      continue;
    }
    const col = evalSelected(
      ctx.batch,
      remaining,
      (b) => evalNode(arg, b === ctx.batch ? ctx : { batch: b, n: b.numRows, dialect: ctx.dialect }),
      () => ({ type: new arrow.Null(), values: new Array<Val>(ctx.n).fill(null) }),
      (into, part, start) => {
        into.type = part.type;
        part.values.forEach((v, k) => (into.values[start + k] = v));
      },
    );
    cols.push(col);
    for (let i = 0; i < ctx.n; i++) {
      if (remaining[i] && col.values[i] !== null) {
        remaining[i] = 0;
        left--;
      }
    }
  }
  const type = fn.returnType(
    cols.map((c) => c.type),
    e,
  );
  const out = new Array<Val>(ctx.n).fill(null);
  const done = new Uint8Array(ctx.n);
  for (const c of cols) {
    if (c.values.length === 0) continue;
    const vals = coerceTo(c, type);
    for (let i = 0; i < ctx.n; i++) {
      if (!done[i] && vals[i] !== null) {
        out[i] = vals[i]!;
        done[i] = 1;
      }
    }
  }
  return { type, values: out };
}

const TRUTH: Record<CompareOp, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '!=': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

function evalValues(e: Expr, kids: Col[], type: arrow.DataType, ctx: Ctx): Val[] {
  const n = ctx.n;
  const out = new Array<Val>(n);
  switch (e.kind) {
    case 'unary': {
      const a = kids[0]!.values;
      for (let i = 0; i < n; i++) {
        const v = a[i]!;
        if (v === null) out[i] = null;
        else if (e.op === 'not') out[i] = !v;
        else if (e.op === 'pos') out[i] = v;
        else if (category(type) !== 'int') out[i] = -(v as number);
        else if (ctx.dialect === 'datafusion') out[i] = wrapInt(-BigInt(v as number | bigint), type as arrow.Int);
        else out[i] = typeof v === 'bigint' ? BigInt.asIntN(64, -v) : BigInt.asIntN(64, -BigInt(v as number));
      }
      return out;
    }
    case 'binary':
      return evalBinary(e, kids[0]!, kids[1]!, type, ctx);
    case 'isNull': {
      const a = kids[0]!.values;
      for (let i = 0; i < n; i++) out[i] = (a[i] === null) !== e.negated;
      return out;
    }
    case 'in': {
      const [arg, ...list] = kids;
      const pairs = list.map((l, k) => [...coercePair(ctx, e, arg!, l), arraysBoth(ctx, e.arg, e.list[k]!)] as const);
      for (let i = 0; i < n; i++) {
        let r: boolean | null = false;
        for (const [a, b, signedZero] of pairs) {
          const x = a[i]!;
          const y = b[i]!;
          if (x === null || y === null) r = null;
          else if (compareValues(x, y, ctx.dialect, signedZero) === 0) {
            r = true;
            break;
          }
        }
        out[i] = r === null ? null : r !== e.negated;
      }
      return out;
    }
    case 'between': {
      const [a1, lo] = coercePair(ctx, e, kids[0]!, kids[1]!);
      const [a2, hi] = coercePair(ctx, e, kids[0]!, kids[2]!);
      for (let i = 0; i < n; i++) {
        const ge = a1[i] === null || lo[i] === null ? null : compareValues(a1[i]!, lo[i]!, ctx.dialect) >= 0;
        const le = a2[i] === null || hi[i] === null ? null : compareValues(a2[i]!, hi[i]!, ctx.dialect) <= 0;
        const r = ge === false || le === false ? false : ge === null || le === null ? null : true;
        out[i] = r === null ? null : r !== e.negated;
      }
      return out;
    }
    case 'like': {
      const [s, p] = [kids[0]!.values, kids[1]!.values];
      if (ctx.dialect === 'datafusion' && e.escape !== undefined && e.escape !== '\\') {
        throw new SqlError('UNSUPPORTED_EXPR', `LIKE ... ESCAPE '${e.escape}' in ${exprToString(e)}: Lance 12 supports only the backslash as escape character; write \\% or \\_ instead`);
      }
      // DataFusion's LIKE escapes with a backslash when no ESCAPE clause is given.
      const escape = e.escape ?? (ctx.dialect === 'datafusion' ? '\\' : undefined);
      const cache = new Map<string, RegExp>();
      for (let i = 0; i < n; i++) {
        if (s[i] === null || p[i] === null) {
          out[i] = null;
          continue;
        }
        const pat = p[i] as string;
        let re = cache.get(pat);
        if (!re) cache.set(pat, (re = compileLike(pat, escape, e.caseInsensitive, e)));
        out[i] = re.test(s[i] as string) !== e.negated;
      }
      return out;
    }
    case 'case':
      return evalCase(e, kids, type, ctx);
    case 'cast':
      return castValues(kids[0]!.values, kids[0]!.type, e.to, e.safe, e, ctx.dialect);
    case 'call': {
      const fn = lookupFunction(e);
      const types = kids.map((k) => k.type);
      const args = kids.map((k) => coerceTo(k, type));
      const p = fn.propagatesNull;
      const nullable = typeof p === 'function' ? p(ctx.dialect) : p !== false;
      for (let i = 0; i < n; i++) {
        const row = args.map((a) => a[i]!);
        out[i] = nullable && row.some((v) => v === null) ? null : fn.evalRow(row, types, ctx.dialect);
      }
      return out;
    }
    default:
      throw new SqlError('UNSUPPORTED_EXPR', `cannot evaluate ${exprToString(e)}`);
  }
}

function evalBinary(e: Expr & { kind: 'binary' }, l: Col, r: Col, type: arrow.DataType, ctx: Ctx): Val[] {
  const n = ctx.n;
  const out = new Array<Val>(n);
  const op = e.op;
  if (op === 'and' || op === 'or') {
    const isAnd = op === 'and';
    for (let i = 0; i < n; i++) {
      const a = l.values[i];
      const b = r.values[i];
      // The dominant value (FALSE for AND, TRUE for OR) wins even over NULL.
      if (a === !isAnd || b === !isAnd) out[i] = !isAnd;
      else out[i] = a === null || b === null ? null : isAnd;
    }
    return out;
  }
  if (op in TRUTH) {
    const truth = TRUTH[op as CompareOp];
    const [a, b] = coercePair(ctx, e, l, r);
    const signedZero = arraysBoth(ctx, e.left, e.right);
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      const y = b[i]!;
      out[i] = x === null || y === null ? null : truth(compareValues(x, y, ctx.dialect, signedZero));
    }
    return out;
  }
  if (op === '||') {
    const bin = category(type) === 'binary';
    const lc = category(l.type);
    const rc = category(r.type);
    for (let i = 0; i < n; i++) {
      const x = l.values[i]!;
      const y = r.values[i]!;
      if (x === null || y === null) out[i] = null;
      else if (bin) {
        const xa = x as Uint8Array;
        const ya = y as Uint8Array;
        const c = new Uint8Array(xa.length + ya.length);
        c.set(xa);
        c.set(ya, xa.length);
        out[i] = c;
      } else out[i] = (toStringValue(x, lc, ctx.dialect) ?? '') + (toStringValue(y, rc, ctx.dialect) ?? '');
    }
    return out;
  }
  if (ctx.dialect === 'datafusion') return datafusionArith(e, l, r, type, n);
  const isInt = category(type) === 'int';
  for (let i = 0; i < n; i++) {
    const x = l.values[i]!;
    const y = r.values[i]!;
    if (x === null || y === null) {
      out[i] = null;
      continue;
    }
    if (isInt) {
      const a = BigInt(x as number | bigint);
      const b = BigInt(y as number | bigint);
      // Division by zero yields NULL (Spark's non-ANSI behaviour) rather than failing the query.
      if (op === '%') out[i] = b === 0n ? null : a % b;
      else out[i] = BigInt.asIntN(64, op === '+' ? a + b : op === '-' ? a - b : a * b);
    } else {
      const a = Number(x);
      const b = Number(y);
      if ((op === '/' || op === '%') && b === 0) out[i] = null;
      else out[i] = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
    }
  }
  return out;
}

/** DataFusion orders -0.0 below 0.0 only between two arrays, i.e. operands that read a column. */
function arraysBoth(ctx: Ctx, a: Expr, b: Expr): boolean {
  return ctx.dialect === 'datafusion' && exprColumns(a).length > 0 && exprColumns(b).length > 0;
}

const DEFAULT_NAN = new Float64Array(new BigUint64Array([0xfff8000000000000n]).buffer)[0]!;

/** The low `bitWidth` bits of `v` as the type's value (numbers up to 32 bits, bigints at 64). */
function wrapInt(v: bigint, t: arrow.Int): Val {
  const w = BigInt.asIntN(t.bitWidth, v);
  const x = t.isSigned ? w : BigInt.asUintN(t.bitWidth, v);
  return t.bitWidth === 64 ? x : Number(x);
}

/**
 * Arrow's arithmetic kernels as DataFusion runs them: integers stay integers of the result type,
 * + - * wrap around, / truncates toward zero and fails on zero or overflow (MIN / -1), % takes
 * the dividend's sign and fails on zero; floats follow IEEE (x / 0 is ±inf or NaN).
 */
function datafusionArith(e: Expr & { kind: 'binary' }, l: Col, r: Col, type: arrow.DataType, n: number): Val[] {
  const out = new Array<Val>(n);
  const op = e.op;
  if (category(type) === 'int') {
    const t = type as arrow.Int;
    for (let i = 0; i < n; i++) {
      const x = l.values[i]!;
      const y = r.values[i]!;
      if (x === null || y === null) {
        out[i] = null;
        continue;
      }
      const a = BigInt(x as number | bigint);
      const b = BigInt(y as number | bigint);
      if (op === '/' || op === '%') {
        if (b === 0n) throw new SqlError('DIVIDE_BY_ZERO', `division by zero in ${exprToString(e)} (${a} ${op} 0); Lance 12 fails here too — filter out the zero divisors or divide by a float`, { expr: exprToString(e) });
        if (op === '%') out[i] = wrapInt(a % b, t);
        else {
          const q = a / b;
          const w = wrapInt(q, t);
          if (BigInt(w as number | bigint) !== q) throw new SqlError('ARITHMETIC_OVERFLOW', `${a} / ${b} overflows ${typeName(t)} in ${exprToString(e)}; CAST an operand to a wider type`, { expr: exprToString(e) });
          out[i] = w;
        }
      } else out[i] = wrapInt(op === '+' ? a + b : op === '-' ? a - b : a * b, t);
    }
    return out;
  }
  const single = (type as arrow.Float).precision === arrow.Precision.SINGLE;
  for (let i = 0; i < n; i++) {
    const x = l.values[i]!;
    const y = r.values[i]!;
    if (x === null || y === null) {
      out[i] = null;
      continue;
    }
    const a = Number(x);
    const b = Number(y);
    // A NaN operand passes through as it is (the left one first, as x86 and Arrow's kernels do;
    // JS engines may swap the operands of * and +); an invalid operation gives the x86 default
    // NaN, whose sign bit is set.
    let v: number;
    if (a !== a) v = a;
    else if (b !== b) v = b;
    else {
      v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
      if (v !== v) v = DEFAULT_NAN;
    }
    out[i] = single ? Math.fround(v) : v;
  }
  return out;
}

function evalCase(e: Expr & { kind: 'case' }, kids: Col[], type: arrow.DataType, ctx: Ctx): Val[] {
  const n = ctx.n;
  let k = 0;
  const operand = e.operand ? kids[k++]! : undefined;
  const branches: { cond: Val[]; result: Val[] }[] = [];
  for (let w = 0; w < e.whens.length; w++) {
    const condCol = kids[k++]!;
    let cond = condCol.values;
    if (operand) {
      const [a, b] = coercePair(ctx, e, operand, condCol);
      cond = a.map((x, i) => (x === null || b[i] === null ? null : compareValues(x, b[i]!, ctx.dialect) === 0));
    }
    branches.push({ cond, result: coerceTo(kids[k++]!, type) });
  }
  const otherwise = e.else ? coerceTo(kids[k]!, type) : undefined;
  const out = new Array<Val>(n);
  for (let i = 0; i < n; i++) {
    const hit = branches.find((b) => b.cond[i] === true);
    out[i] = hit ? hit.result[i]! : otherwise ? otherwise[i]! : null;
  }
  return out;
}

/** Converts a child's values to the representation of `target` where the two differ. */
function coerceTo(col: Col, target: arrow.DataType): Val[] {
  if (category(col.type) === 'date' && category(target) === 'timestamp') {
    return col.values.map((v) => (v === null ? null : BigInt(v as number) * NS_PER_DAY));
  }
  return col.values;
}

/**
 * Both sides converted into their comparison domain (date -> timestamp, text -> temporal; in
 * DataFusion also text -> the other side's number type, strictly).
 */
function coercePair(ctx: Ctx, e: Expr, l: Col, r: Col): [Val[], Val[]] {
  const df = ctx.dialect === 'datafusion';
  const domain = comparisonDomain(l.type, r.type, df);
  if (domain === undefined) throw typeMismatch(e, `cannot compare ${typeName(l.type)} with ${typeName(r.type)}`);
  if (df && (domain === 'int' || domain === 'float')) {
    const num = category(l.type) === 'string' ? r : l;
    const text = (c: Col) => (category(c.type) === 'string' ? castValues(c.values, c.type, castTypeOf(num.type), false, e, 'datafusion') : c.values);
    return [text(l), text(r)];
  }
  return [toDomain(e, l, domain), toDomain(e, r, domain)];
}

/** The CAST target naming a numeric Arrow type. */
function castTypeOf(t: arrow.DataType): CastType {
  if (category(t) === 'float') return (t as arrow.Float).precision === arrow.Precision.DOUBLE ? 'float64' : 'float32';
  const it = t as arrow.Int;
  return `${it.isSigned ? 'int' : 'uint'}${it.bitWidth}` as CastType;
}

function toDomain(e: Expr, col: Col, domain: Category): Val[] {
  const c = category(col.type);
  if (c === domain || c === 'null' || (domain === 'float' && c === 'int')) return col.values;
  if (c === 'date' && domain === 'timestamp') return coerceTo(col, new arrow.TimestampNanosecond());
  if (c === 'string' && (domain === 'date' || domain === 'timestamp')) {
    return col.values.map((v) => {
      if (v === null) return null;
      const parsed = domain === 'date' ? parseDate(v as string) : parseTimestamp(v as string);
      if (parsed === undefined) {
        throw new SqlError('CAST_FAILED', `cannot compare ${domain} with '${v as string}': not a valid ${domain} in ${exprToString(e)}`, { expr: exprToString(e) });
      }
      return typeof parsed === 'bigint' ? parsed * 1000n : parsed;
    });
  }
  return col.values;
}
