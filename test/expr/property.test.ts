// Random predicate trees over random batches, checked against a plain row-at-a-time reference
// evaluator with SQL three-valued logic. Each tree also goes through exprToString -> parseFilter,
// so the printer and the parser are exercised on every case.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { evalPredicate, exprToString, parseFilter, type Expr, type CompareOp } from '../../src/dataset/expr/index.js';
import { batchOf } from './helpers.js';

interface Row {
  i: number | null;
  j: number | null;
  b: bigint | null;
  s: string | null;
}
type V = number | bigint | string | boolean | null;

const TWO53 = 1n << 53n;
const bigAround = fc.oneof(
  { arbitrary: fc.bigInt({ min: TWO53 - 3n, max: TWO53 + 3n }), weight: 5 },
  fc.bigInt({ min: -TWO53 - 4n, max: -TWO53 + 4n }),
  fc.bigInt({ min: (1n << 62n) - 2n, max: (1n << 63n) - 1n }),
  fc.bigInt({ min: -(1n << 63n), max: -(1n << 63n) + 2n }),
  fc.bigInt({ min: -3n, max: 3n }),
);
// Includes astral and high-BMP characters, where UTF-16 order differs from code point order.
const str = fc.string({ unit: fc.constantFrom('a', 'b', 'B', '%', '_', 'é', '\uFFFD', '😀'), maxLength: 4 });
const small = fc.integer({ min: -3, max: 3 });
const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });

const rowArb: fc.Arbitrary<Row> = fc.record({ i: nullable(small), j: nullable(small), b: nullable(bigAround), s: nullable(str) });

const lit = (v: V): Expr => ({
  kind: 'literal',
  value:
    v === null
      ? { type: 'null' }
      : typeof v === 'bigint'
        ? { type: 'int', value: v }
        : typeof v === 'number'
          ? Number.isInteger(v)
            ? { type: 'int', value: BigInt(v) }
            : { type: 'float', value: v }
          : typeof v === 'string'
            ? { type: 'string', value: v }
            : { type: 'bool', value: v },
});
const colRef = (name: string): Expr => ({ kind: 'column', path: [name] });
const cmpOp = fc.constantFrom<CompareOp>('=', '!=', '<', '<=', '>', '>=');

// Float literals near 2^53 are integers or halves representable as doubles.
const bigLit = fc.oneof(
  bigAround.map((b) => lit(b)),
  bigAround.map((b): Expr => ({ kind: 'literal', value: { type: 'float', value: Number(b) + (Math.abs(Number(b)) < 2 ** 52 ? 0.5 : 0) } })),
);

const leaf: fc.Arbitrary<Expr> = fc.oneof(
  fc.tuple(cmpOp, fc.constantFrom('i', 'j'), nullable(small)).map(([op, c, v]): Expr => ({ kind: 'binary', op, left: colRef(c), right: lit(v) })),
  fc.tuple(cmpOp, fc.constantFrom('i', 'j'), fc.constantFrom('i', 'j')).map(([op, a, b]): Expr => ({ kind: 'binary', op, left: colRef(a), right: colRef(b) })),
  {
    // Weighted up: 64-bit vs literal comparisons are where precision bugs hide.
    arbitrary: fc.tuple(cmpOp, bigLit, fc.boolean()).map(([op, l, flip]): Expr => (flip ? { kind: 'binary', op, left: l, right: colRef('b') } : { kind: 'binary', op, left: colRef('b'), right: l })),
    weight: 4,
  },
  fc.tuple(cmpOp, fc.constantFrom('i', 'j')).map(([op, c]): Expr => ({ kind: 'binary', op, left: colRef('b'), right: colRef(c) })),
  fc.tuple(cmpOp, str).map(([op, v]): Expr => ({ kind: 'binary', op, left: colRef('s'), right: lit(v) })),
  fc.tuple(fc.constantFrom('i', 'j', 'b', 's'), fc.boolean()).map(([c, negated]): Expr => ({ kind: 'isNull', arg: colRef(c), negated })),
  fc.tuple(fc.constantFrom('i', 'j'), fc.array(nullable(small), { minLength: 1, maxLength: 4 }), fc.boolean()).map(([c, xs, negated]): Expr => ({ kind: 'in', arg: colRef(c), list: xs.map(lit), negated })),
  fc.tuple(fc.constantFrom('i', 'j'), nullable(small), nullable(small), fc.boolean()).map(([c, lo, hi, negated]): Expr => ({ kind: 'between', arg: colRef(c), low: lit(lo), high: lit(hi), negated })),
  fc.tuple(fc.string({ unit: fc.constantFrom('a', 'b', '%', '_', '😀', '!'), maxLength: 4 }), fc.boolean()).map(([p, negated]): Expr => ({
    kind: 'like',
    arg: colRef('s'),
    pattern: lit(p),
    // `!` escapes the next character, unless that would leave a dangling escape at the end.
    ...(danglingEscape(p, '!') ? {} : { escape: '!' }),
    negated,
    caseInsensitive: false,
  })),
  nullable(fc.boolean()).map((v) => lit(v)),
);

function danglingEscape(p: string, esc: string): boolean {
  const cs = [...p];
  for (let k = 0; k < cs.length; k++) if (cs[k] === esc && ++k === cs.length) return true;
  return false;
}

const { tree } = fc.letrec<{ tree: Expr }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(fc.constantFrom('and' as const, 'or' as const), tie('tree'), tie('tree')).map(([op, l, r]): Expr => ({ kind: 'binary', op, left: l, right: r })),
    tie('tree').map((a): Expr => ({ kind: 'unary', op: 'not', arg: a })),
  ),
}));

// ---------------------------------------------------------------------------------------------
// Reference evaluator

function cmpRef(a: V, b: V): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = Array.from(a, (c) => c.codePointAt(0)!);
    const y = Array.from(b, (c) => c.codePointAt(0)!);
    for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return x[k]! - y[k]!;
    return x.length - y.length;
  }
  // Numbers: scale everything by 2 so halves become exact bigints.
  const twice = (v: V) => (typeof v === 'bigint' ? 2n * v : BigInt(Math.round((v as number) * 2)));
  const d = twice(a) - twice(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

function likeRef(s: string[], p: string[], escape: string | undefined): boolean {
  if (p.length === 0) return s.length === 0;
  const [c, ...rest] = p;
  if (escape !== undefined && c === escape) return s[0] === rest[0] && likeRef(s.slice(1), rest.slice(1), escape);
  if (c === '%') return [...Array(s.length + 1).keys()].some((k) => likeRef(s.slice(k), rest, escape));
  if (c === '_') return s.length > 0 && likeRef(s.slice(1), rest, escape);
  return s[0] === c && likeRef(s.slice(1), rest, escape);
}

function ref(e: Expr, row: Row): V {
  switch (e.kind) {
    case 'column':
      return row[e.path[0] as keyof Row];
    case 'literal': {
      const l = e.value;
      return l.type === 'null' ? null : l.type === 'int' ? l.value : l.type === 'float' || l.type === 'string' || l.type === 'bool' ? l.value : null;
    }
    case 'unary': {
      const v = ref(e.arg, row);
      return v === null ? null : !v;
    }
    case 'binary': {
      const a = ref(e.left, row);
      const b = ref(e.right, row);
      if (e.op === 'and') return a === false || b === false ? false : a === null || b === null ? null : true;
      if (e.op === 'or') return a === true || b === true ? true : a === null || b === null ? null : false;
      if (a === null || b === null) return null;
      const c = cmpRef(a, b);
      return { '=': c === 0, '!=': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[e.op as CompareOp];
    }
    case 'isNull':
      return (ref(e.arg, row) === null) !== e.negated;
    case 'in': {
      const a = ref(e.arg, row);
      if (a === null) return null;
      const xs = e.list.map((x) => ref(x, row));
      const r = xs.some((x) => x !== null && cmpRef(a, x) === 0) ? true : xs.includes(null) ? null : false;
      return r === null ? null : r !== e.negated;
    }
    case 'between': {
      const a = ref(e.arg, row);
      const lo = ref(e.low, row);
      const hi = ref(e.high, row);
      const ge = a === null || lo === null ? null : cmpRef(a, lo) >= 0;
      const le = a === null || hi === null ? null : cmpRef(a, hi) <= 0;
      const r = ge === false || le === false ? false : ge === null || le === null ? null : true;
      return r === null ? null : r !== e.negated;
    }
    case 'like': {
      const s = ref(e.arg, row);
      const p = ref(e.pattern, row);
      if (s === null || p === null) return null;
      return likeRef([...(s as string)], [...(p as string)], e.escape) !== e.negated;
    }
    default:
      throw new Error(`reference evaluator does not handle ${e.kind}`);
  }
}

function toBatch(rows: Row[]): arrow.RecordBatch {
  return batchOf({
    i: arrow.vectorFromArray(rows.map((r) => r.i), new arrow.Int32()),
    j: arrow.vectorFromArray(rows.map((r) => r.j), new arrow.Int16()),
    b: arrow.vectorFromArray(rows.map((r) => r.b), new arrow.Int64()),
    s: arrow.vectorFromArray(rows.map((r) => r.s), new arrow.Utf8()),
  });
}

describe('evalPredicate vs reference evaluator', () => {
  it('agrees on random predicate trees (three-valued logic, exact bigints)', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 12 }), tree, (rows, e) => {
        const parsed = parseFilter(exprToString(e));
        const got = Array.from(evalPredicate(parsed, toBatch(rows), { dialect: 'spark' }));
        const want = rows.map((r) => (ref(e, r) === true ? 1 : 0));
        expect(got).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });

  it('printing then parsing gives back the same tree', () => {
    fc.assert(
      fc.property(tree, (e) => {
        expect(parseFilter(exprToString(e))).toEqual(e);
      }),
      { numRuns: 300 },
    );
  });
});
