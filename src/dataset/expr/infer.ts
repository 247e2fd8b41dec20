// Result types of expression nodes. The evaluator calls nodeType with the types of the
// children it has just computed, so typing and evaluation cannot disagree.
import * as arrow from 'apache-arrow';
import { children, type Expr } from './ast.js';
import type { Dialect } from './dialect.js';
import { lookupFunction } from './functions.js';
import { resolveLanceLiterals } from './lance-literals.js';
import {
  canCast,
  castTargetType,
  category,
  commonType,
  comparisonDomain,
  isNumeric,
  literalType,
  resolveColumn,
  typeMismatch,
  typeName,
} from './types.js';

/** The Arrow type an expression produces over rows of `schema` (validates the whole tree). */
export function exprType(e: Expr, schema: arrow.Schema, dialect: Dialect): arrow.DataType {
  return resolvedType(dialect === 'datafusion' ? resolveLanceLiterals(e, schema) : e, schema, dialect);
}

/** exprType of a tree whose literals are already resolved for the dialect. */
function resolvedType(e: Expr, schema: arrow.Schema, dialect: Dialect): arrow.DataType {
  return nodeType(e, children(e).map((c) => resolvedType(c, schema, dialect)), schema, dialect);
}

/** A literal node's type: the one Lance's coercion gave it, else its own. */
export function literalNodeType(e: Expr & { kind: 'literal' }): arrow.DataType {
  return e.as !== undefined ? castTargetType(e.as) : literalType(e.value);
}

/**
 * DataFusion's arithmetic result type: the wider operand (Float64 over Float32 over integers;
 * the wider integer, a signed one wide enough when signedness differs). NULL takes the other side.
 */
function datafusionArithType(l: arrow.DataType, r: arrow.DataType): arrow.DataType {
  const cl = category(l);
  const cr = category(r);
  if (cl === 'null' && cr === 'null') return new arrow.Int64();
  if (cl === 'null') return r;
  if (cr === 'null') return l;
  if (cl === 'float' || cr === 'float') {
    const single = (t: arrow.DataType, c: string) => c !== 'float' || (t as arrow.Float).precision !== arrow.Precision.DOUBLE;
    return single(l, cl) && single(r, cr) ? new arrow.Float32() : new arrow.Float64();
  }
  const a = l as arrow.Int;
  const b = r as arrow.Int;
  if (a.isSigned === b.isSigned) return a.bitWidth >= b.bitWidth ? a : b;
  const [s, u] = a.isSigned ? [a, b] : [b, a];
  if (s.bitWidth > u.bitWidth) return s;
  const width = Math.min(64, u.bitWidth * 2);
  return width === 16 ? new arrow.Int16() : width === 32 ? new arrow.Int32() : new arrow.Int64();
}

const isBoolish = (t: arrow.DataType) => category(t) === 'bool' || category(t) === 'null';

function checkComparable(e: Expr, a: arrow.DataType, b: arrow.DataType, dialect: Dialect): void {
  if (comparisonDomain(a, b, dialect === 'datafusion') === undefined) throw typeMismatch(e, `cannot compare ${typeName(a)} with ${typeName(b)}`);
}

/** Type of `e` given its children's types, in the order of `children(e)`. */
export function nodeType(e: Expr, kids: arrow.DataType[], schema: arrow.Schema, dialect: Dialect): arrow.DataType {
  switch (e.kind) {
    case 'column':
      return resolveColumn(e, schema).type;
    case 'literal':
      return literalNodeType(e);
    case 'unary': {
      const t = kids[0]!;
      if (e.op === 'not') {
        if (!isBoolish(t)) throw typeMismatch(e, `NOT needs a boolean, got ${typeName(t)}`);
        return new arrow.Bool();
      }
      if (!isNumeric(category(t)) && category(t) !== 'null') throw typeMismatch(e, `unary ${e.op === 'neg' ? '-' : '+'} needs a number, got ${typeName(t)}`);
      if (category(t) === 'null') return new arrow.Int64();
      // DataFusion negates within the operand's type (wrapping); Spark widens integers to 64 bits.
      return dialect === 'spark' && e.op === 'neg' && category(t) === 'int' ? new arrow.Int64() : t;
    }
    case 'binary': {
      const [l, r] = kids as [arrow.DataType, arrow.DataType];
      switch (e.op) {
        case 'and':
        case 'or':
          if (!isBoolish(l) || !isBoolish(r)) throw typeMismatch(e, `${e.op.toUpperCase()} needs booleans, got ${typeName(l)} and ${typeName(r)}`);
          return new arrow.Bool();
        case '=':
        case '!=':
        case '<':
        case '<=':
        case '>':
        case '>=':
          checkComparable(e, l, r, dialect);
          return new arrow.Bool();
        case '||': {
          const cl = category(l);
          const cr = category(r);
          if (cl === 'struct' || cl === 'other' || cr === 'struct' || cr === 'other') throw typeMismatch(e, `cannot concatenate ${typeName(l)} and ${typeName(r)}`);
          // DataFusion's || joins strings only (use concat() to mix in numbers).
          const text = (c: string) => c === 'string' || c === 'null';
          if (dialect === 'datafusion' && !(text(cl) && text(cr)) && !(cl === 'binary' && cr === 'binary')) {
            throw typeMismatch(e, `|| needs strings, got ${typeName(l)} and ${typeName(r)}; use concat() or CAST(... AS STRING)`);
          }
          return cl === 'binary' && cr === 'binary' ? new arrow.Binary() : new arrow.Utf8();
        }
        default: {
          const cl = category(l);
          const cr = category(r);
          const ok = (c: string) => c === 'int' || c === 'float' || c === 'null';
          if (!ok(cl) || !ok(cr)) throw typeMismatch(e, `arithmetic ${e.op} needs numbers, got ${typeName(l)} and ${typeName(r)}`);
          if (dialect === 'datafusion') return datafusionArithType(l, r);
          // Spark semantics: `/` is always fractional division.
          return e.op === '/' || cl === 'float' || cr === 'float' ? new arrow.Float64() : new arrow.Int64();
        }
      }
    }
    case 'isNull':
      return new arrow.Bool();
    case 'in':
      for (const t of kids.slice(1)) checkComparable(e, kids[0]!, t, dialect);
      return new arrow.Bool();
    case 'between':
      checkComparable(e, kids[0]!, kids[1]!, dialect);
      checkComparable(e, kids[0]!, kids[2]!, dialect);
      return new arrow.Bool();
    case 'like':
      for (const t of kids) {
        const c = category(t);
        if (c !== 'string' && c !== 'null') throw typeMismatch(e, `LIKE needs strings, got ${typeName(t)}`);
      }
      return new arrow.Bool();
    case 'case': {
      let i = 0;
      const operand = e.operand ? kids[i++] : undefined;
      const results: arrow.DataType[] = [];
      for (let w = 0; w < e.whens.length; w++) {
        const cond = kids[i++]!;
        if (operand) checkComparable(e, operand, cond, dialect);
        else if (!isBoolish(cond)) throw typeMismatch(e, `WHEN condition must be boolean, got ${typeName(cond)}`);
        results.push(kids[i++]!);
      }
      if (e.else) results.push(kids[i]!);
      return commonType(results, e);
    }
    case 'cast':
      if (!canCast(kids[0]!, e.to)) throw typeMismatch(e, `cannot cast ${typeName(kids[0]!)} to ${e.to}`);
      return castTargetType(e.to);
    case 'call':
      return lookupFunction(e).returnType(kids, e);
  }
}
