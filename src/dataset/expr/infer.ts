// Result types of expression nodes. The evaluator calls nodeType with the types of the
// children it has just computed, so typing and evaluation cannot disagree.
import * as arrow from 'apache-arrow';
import { children, type Expr } from './ast.js';
import { lookupFunction } from './functions.js';
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
export function exprType(e: Expr, schema: arrow.Schema): arrow.DataType {
  return nodeType(e, children(e).map((c) => exprType(c, schema)), schema);
}

const isBoolish = (t: arrow.DataType) => category(t) === 'bool' || category(t) === 'null';

function checkComparable(e: Expr, a: arrow.DataType, b: arrow.DataType): void {
  if (comparisonDomain(a, b) === undefined) throw typeMismatch(e, `cannot compare ${typeName(a)} with ${typeName(b)}`);
}

/** Type of `e` given its children's types, in the order of `children(e)`. */
export function nodeType(e: Expr, kids: arrow.DataType[], schema: arrow.Schema): arrow.DataType {
  switch (e.kind) {
    case 'column':
      return resolveColumn(e, schema).type;
    case 'literal':
      return literalType(e.value);
    case 'unary': {
      const t = kids[0]!;
      if (e.op === 'not') {
        if (!isBoolish(t)) throw typeMismatch(e, `NOT needs a boolean, got ${typeName(t)}`);
        return new arrow.Bool();
      }
      if (!isNumeric(category(t)) && category(t) !== 'null') throw typeMismatch(e, `unary ${e.op === 'neg' ? '-' : '+'} needs a number, got ${typeName(t)}`);
      return category(t) === 'null' ? new arrow.Int64() : e.op === 'neg' && category(t) === 'int' ? new arrow.Int64() : t;
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
          checkComparable(e, l, r);
          return new arrow.Bool();
        case '||': {
          const cl = category(l);
          const cr = category(r);
          if (cl === 'struct' || cl === 'other' || cr === 'struct' || cr === 'other') throw typeMismatch(e, `cannot concatenate ${typeName(l)} and ${typeName(r)}`);
          return cl === 'binary' && cr === 'binary' ? new arrow.Binary() : new arrow.Utf8();
        }
        default: {
          const cl = category(l);
          const cr = category(r);
          const ok = (c: string) => c === 'int' || c === 'float' || c === 'null';
          if (!ok(cl) || !ok(cr)) throw typeMismatch(e, `arithmetic ${e.op} needs numbers, got ${typeName(l)} and ${typeName(r)}`);
          // Spark semantics: `/` is always fractional division.
          return e.op === '/' || cl === 'float' || cr === 'float' ? new arrow.Float64() : new arrow.Int64();
        }
      }
    }
    case 'isNull':
      return new arrow.Bool();
    case 'in':
      for (const t of kids.slice(1)) checkComparable(e, kids[0]!, t);
      return new arrow.Bool();
    case 'between':
      checkComparable(e, kids[0]!, kids[1]!);
      checkComparable(e, kids[0]!, kids[2]!);
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
        if (operand) checkComparable(e, operand, cond);
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
