// Lance's literal coercion (the DataFusion dialect's first step). Lance's SQL planner gives every
// number literal the type Int64 or Float64 and then, before DataFusion's own type coercion,
// converts the literals that meet a column directly to that column's type:
// - at the root of a filter or value expression, and below AND / OR;
// - in `col <op> literal` and `literal <op> col` (any binary operator, arithmetic included);
// - in `col <op> (a <op> b ...)` for the literals of the nested binary operators on the right;
// - in `col BETWEEN low AND high` and `col IN (list)` (plain columns) for the literal bounds / items.
// A literal that does not convert exactly fails the whole expression (Lance: "Received literal
// Float64(2) and could not convert to literal of type 'Int32'"): `int_col = 2.5`, `int_col = '7'`,
// `int32_col + 2147483648`. Everything deeper keeps Int64 / Float64 literals, which is why
// `int32_col - 1` wraps at 32 bits as a value but `int32_col - 1 > 0` compares in 64 bits.
import * as arrow from 'apache-arrow';
import { SqlError } from '../../errors.js';
import { children, exprToString, literalToString, type CastType, type Expr, type Literal } from './ast.js';
import { castValues } from './cast.js';
import { exprType } from './infer.js';
import { category, resolveColumn } from './types.js';

/** `e` with Lance's literal coercion applied; throws TYPE_MISMATCH where Lance refuses. */
export function resolveLanceLiterals(e: Expr, schema: arrow.Schema): Expr {
  const resolved = coerceRoot(e, schema);
  checkTextAgainstNumbers(resolved, schema);
  return resolved;
}

const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=']);

/**
 * DataFusion casts a text literal compared with a numeric expression to that expression's type
 * while planning (the simplifier folds the cast), so a literal that does not convert fails the
 * whole filter whatever the rows: `(l - 2) = '1e3'` is an error even below an AND whose left
 * side is false everywhere. Evaluating the cast row by row would skip it there.
 */
function checkTextAgainstNumbers(e: Expr, schema: arrow.Schema): void {
  if (e.kind === 'binary' && COMPARISONS.has(e.op)) {
    for (const [lit, other] of [[e.left, e.right], [e.right, e.left]] as const) {
      if (lit.kind !== 'literal' || lit.value.type !== 'string' || other.kind === 'literal') continue;
      let t: arrow.DataType;
      try {
        t = exprType(other, schema, 'datafusion');
      } catch {
        continue; // the evaluator reports type errors with their full context
      }
      const to = numericCastType(t);
      if (to) castValues([lit.value.value], new arrow.Utf8(), to, false, e, 'datafusion');
    }
  }
  for (const c of children(e)) checkTextAgainstNumbers(c, schema);
}

function numericCastType(t: arrow.DataType): CastType | undefined {
  if (t.typeId === arrow.Type.Int) return INT_TARGETS[`${(t as arrow.Int).bitWidth}${(t as arrow.Int).isSigned}`]![0];
  if (t.typeId === arrow.Type.Float) return (t as arrow.Float).precision === arrow.Precision.SINGLE ? 'float32' : 'float64';
  return undefined;
}

function coerceRoot(e: Expr, schema: arrow.Schema): Expr {
  switch (e.kind) {
    case 'binary': {
      if (e.op === 'and' || e.op === 'or') return { ...e, left: coerceRoot(e.left, schema), right: coerceRoot(e.right, schema) };
      const lt = columnType(e.left, schema);
      if (lt) {
        if (e.right.kind === 'literal') return { ...e, right: coerceLiteral(e.right, lt, e) };
        if (e.right.kind === 'binary') return { ...e, right: { ...e.right, left: coerceTree(e.right.left, lt, e), right: coerceTree(e.right.right, lt, e) } };
        return e;
      }
      const rt = columnType(e.right, schema);
      if (rt && e.left.kind === 'literal') return { ...e, left: coerceLiteral(e.left, rt, e) };
      return e;
    }
    case 'between': {
      const t = columnType(e.arg, schema);
      return t ? { ...e, low: coerceTree(e.low, t, e), high: coerceTree(e.high, t, e) } : e;
    }
    case 'in': {
      const t = e.arg.kind === 'column' && e.arg.path.length === 1 ? columnType(e.arg, schema) : undefined;
      return t ? { ...e, list: e.list.map((x) => coerceTree(x, t, e)) } : e;
    }
    case 'cast':
      return e.implicit ? { ...e, arg: coerceRoot(e.arg, schema) } : e;
    default:
      return e;
  }
}

/** The column's type when `e` is a column (or struct field) reference of `schema`. */
function columnType(e: Expr, schema: arrow.Schema): arrow.DataType | undefined {
  if (e.kind !== 'column') return undefined;
  try {
    return resolveColumn(e, schema).type;
  } catch {
    // Unknown names are reported by the evaluator with the full list of columns.
    return undefined;
  }
}

/** Literals anywhere in a tree of binary operators, converted to `t`. */
function coerceTree(e: Expr, t: arrow.DataType, where: Expr): Expr {
  if (e.kind === 'binary') return { ...e, left: coerceTree(e.left, t, where), right: coerceTree(e.right, t, where) };
  if (e.kind === 'literal') return coerceLiteral(e, t, where);
  return e;
}

const INT_TARGETS: Record<string, [CastType, bigint, bigint]> = {
  '8true': ['int8', -128n, 127n],
  '16true': ['int16', -32768n, 32767n],
  '32true': ['int32', -2147483648n, 2147483647n],
  '64true': ['int64', -(1n << 63n), (1n << 63n) - 1n],
  '8false': ['uint8', 0n, 255n],
  '16false': ['uint16', 0n, 65535n],
  '32false': ['uint32', 0n, 4294967295n],
  '64false': ['uint64', 0n, (1n << 64n) - 1n],
};

function coerceLiteral(e: Expr & { kind: 'literal' }, t: arrow.DataType, where: Expr): Expr {
  const l = e.value;
  // NULL, DATE '...' and TIMESTAMP '...' are not number/string literals to Lance (the typed ones
  // are casts of a string), so they are left to the evaluator's coercion.
  if (e.as !== undefined || l.type === 'null' || l.type === 'date' || l.type === 'timestamp') return e;
  const typed = convert(l, t);
  if (typed) return { kind: 'literal', value: typed[0], as: typed[1] };
  throw new SqlError(
    'TYPE_MISMATCH',
    `literal ${literalToString(l)} cannot be converted to the type ${String(t).toLowerCase()} of the column it is compared or combined with, in ${exprToString(where)}; write a literal of the column's type or CAST the column (Lance 12 rejects this filter too)`,
    { expr: exprToString(where) },
  );
}

/** Lance's exact literal conversions; undefined where it has none. */
function convert(l: Literal, t: arrow.DataType): [Literal, CastType] | undefined {
  const c = category(t);
  if (t.typeId === arrow.Type.Int) {
    // Lance parses integers beyond Int64 as Float64 literals, which never convert to integers.
    if (l.type !== 'int' || l.value > (1n << 63n) - 1n) return undefined;
    const it = t as arrow.Int;
    const [to, lo, hi] = INT_TARGETS[`${it.bitWidth}${it.isSigned}`]!;
    return l.value >= lo && l.value <= hi ? [l, to] : undefined;
  }
  if (t.typeId === arrow.Type.Float) {
    const p = (t as arrow.Float).precision;
    if (p === arrow.Precision.HALF) return undefined;
    if (l.type !== 'int' && l.type !== 'float') return undefined;
    const f = Number(l.value);
    return p === arrow.Precision.SINGLE ? [{ type: 'float', value: Math.fround(f) }, 'float32'] : [{ type: 'float', value: f }, 'float64'];
  }
  if (c === 'string') return l.type === 'string' ? [l, 'string'] : undefined;
  if (c === 'bool') return l.type === 'bool' ? [l, 'bool'] : undefined;
  return undefined;
}
