// Evaluation of expressions over one Arrow record batch with SQL three-valued logic.
// Columns are read once into normalised JS values (values.ts); comparisons of a plain numeric
// column against a literal run directly over the typed array.
import * as arrow from 'apache-arrow';
import { SqlError } from '../../errors.js';
import { children, exprToString, type CompareOp, type Expr } from './ast.js';
import { castValues, toStringValue } from './cast.js';
import { lookupFunction } from './functions.js';
import { nodeType } from './infer.js';
import { compileLike } from './like.js';
import { parseDate, parseTimestamp } from './temporal.js';
import { category, comparisonDomain, resolveColumn, typeMismatch, typeName, type Category } from './types.js';
import { buildVector, compareValues, literalValue, NS_PER_DAY, readVector, type Val } from './values.js';
import { evalMask } from './eval-mask.js';

export interface EvalOptions {
  /** Reserved for the SQL layer (e.g. bound parameters); no options are read today. */
  readonly [key: string]: unknown;
}

interface Col {
  type: arrow.DataType;
  values: Val[];
}

interface Ctx {
  batch: arrow.RecordBatch;
  n: number;
}

/** Evaluates `e` for every row of `batch`; the vector's type is exprType(e, batch.schema). */
export function evalExpr(e: Expr, batch: arrow.RecordBatch, _opts: EvalOptions = {}): arrow.Vector {
  if (e.kind === 'column') {
    const direct = plainColumnVector(e, batch);
    if (direct) return direct;
  }
  const col = evalNode(e, { batch, n: batch.numRows });
  return buildVector(col.type, col.values);
}

/** 1 where `e` is TRUE; 0 where it is FALSE or NULL. */
export function evalPredicate(e: Expr, batch: arrow.RecordBatch, _opts: EvalOptions = {}): Uint8Array {
  // Vectorized where it can be (eval-mask.ts); other nodes come back here row by row.
  const ctx: Ctx = { batch, n: batch.numRows };
  const m = evalMask(e, batch, (x) => evalNode(x, ctx));
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
    return { type: nodeType(e, [], ctx.batch.schema), values: new Array<Val>(ctx.n).fill(literalValue(e)) };
  }
  const kids = children(e).map((c) => evalNode(c, ctx));
  const type = nodeType(
    e,
    kids.map((k) => k.type),
    ctx.batch.schema,
  );
  return { type, values: evalValues(e, kids, type, ctx) };
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
        else out[i] = typeof v === 'bigint' ? BigInt.asIntN(64, -v) : category(type) === 'int' ? BigInt.asIntN(64, -BigInt(v as number)) : -(v as number);
      }
      return out;
    }
    case 'binary':
      return evalBinary(e, kids[0]!, kids[1]!, type, n);
    case 'isNull': {
      const a = kids[0]!.values;
      for (let i = 0; i < n; i++) out[i] = (a[i] === null) !== e.negated;
      return out;
    }
    case 'in': {
      const [arg, ...list] = kids;
      const pairs = list.map((l) => coercePair(e, arg!, l));
      for (let i = 0; i < n; i++) {
        let r: boolean | null = false;
        for (const [a, b] of pairs) {
          const x = a[i]!;
          const y = b[i]!;
          if (x === null || y === null) r = null;
          else if (compareValues(x, y) === 0) {
            r = true;
            break;
          }
        }
        out[i] = r === null ? null : r !== e.negated;
      }
      return out;
    }
    case 'between': {
      const [a1, lo] = coercePair(e, kids[0]!, kids[1]!);
      const [a2, hi] = coercePair(e, kids[0]!, kids[2]!);
      for (let i = 0; i < n; i++) {
        const ge = a1[i] === null || lo[i] === null ? null : compareValues(a1[i]!, lo[i]!) >= 0;
        const le = a2[i] === null || hi[i] === null ? null : compareValues(a2[i]!, hi[i]!) <= 0;
        const r = ge === false || le === false ? false : ge === null || le === null ? null : true;
        out[i] = r === null ? null : r !== e.negated;
      }
      return out;
    }
    case 'like': {
      const [s, p] = [kids[0]!.values, kids[1]!.values];
      const cache = new Map<string, RegExp>();
      for (let i = 0; i < n; i++) {
        if (s[i] === null || p[i] === null) {
          out[i] = null;
          continue;
        }
        const pat = p[i] as string;
        let re = cache.get(pat);
        if (!re) cache.set(pat, (re = compileLike(pat, e.escape, e.caseInsensitive, e)));
        out[i] = re.test(s[i] as string) !== e.negated;
      }
      return out;
    }
    case 'case':
      return evalCase(e, kids, type, n);
    case 'cast':
      return castValues(kids[0]!.values, kids[0]!.type, e.to, e.safe, e);
    case 'call': {
      const fn = lookupFunction(e);
      const types = kids.map((k) => k.type);
      const args = kids.map((k) => coerceTo(k, type));
      const nullable = fn.propagatesNull !== false;
      for (let i = 0; i < n; i++) {
        const row = args.map((a) => a[i]!);
        out[i] = nullable && row.some((v) => v === null) ? null : fn.evalRow(row, types);
      }
      return out;
    }
    default:
      throw new SqlError('UNSUPPORTED_EXPR', `cannot evaluate ${exprToString(e)}`);
  }
}

function evalBinary(e: Expr & { kind: 'binary' }, l: Col, r: Col, type: arrow.DataType, n: number): Val[] {
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
    const [a, b] = coercePair(e, l, r);
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      const y = b[i]!;
      out[i] = x === null || y === null ? null : truth(compareValues(x, y));
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
      } else out[i] = (toStringValue(x, lc) ?? '') + (toStringValue(y, rc) ?? '');
    }
    return out;
  }
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

function evalCase(e: Expr & { kind: 'case' }, kids: Col[], type: arrow.DataType, n: number): Val[] {
  let k = 0;
  const operand = e.operand ? kids[k++]! : undefined;
  const branches: { cond: Val[]; result: Val[] }[] = [];
  for (let w = 0; w < e.whens.length; w++) {
    const condCol = kids[k++]!;
    let cond = condCol.values;
    if (operand) {
      const [a, b] = coercePair(e, operand, condCol);
      cond = a.map((x, i) => (x === null || b[i] === null ? null : compareValues(x, b[i]!) === 0));
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

/** Both sides converted into their comparison domain (date -> timestamp, text -> temporal). */
function coercePair(e: Expr, l: Col, r: Col): [Val[], Val[]] {
  const domain = comparisonDomain(l.type, r.type);
  if (domain === undefined) throw typeMismatch(e, `cannot compare ${typeName(l.type)} with ${typeName(r.type)}`);
  return [toDomain(e, l, domain), toDomain(e, r, domain)];
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
