// Vectorized predicate evaluation. A boolean result is two byte masks, `t` (1 = TRUE) and `nul`
// (1 = NULL), so AND / OR / NOT keep SQL three-valued logic exactly. Comparisons, IN and
// BETWEEN of a plain column against literals run over the Arrow buffers directly: numbers over
// their typed array, 64-bit integers as exact (hi, lo) 32-bit word pairs (no BigInt per row),
// strings and binaries by UTF-8 / raw bytes (code point order = UTF-8 byte order); IS NULL and
// NULL propagation use validity bitmaps. Anything else is evaluated row-wise by eval.ts and
// turned into a mask, so every node keeps the row-wise semantics and errors.
import * as arrow from 'apache-arrow';
import type { CompareOp, Expr } from './ast.js';
import type { Dialect } from './dialect.js';
import { exprType, literalNodeType, nodeType } from './infer.js';
import { evalSelected, rightSide } from './short-circuit.js';
import { category, resolveColumn } from './types.js';
import { compareValues, literalValue, type Val } from './values.js';

export interface Mask {
  type: arrow.DataType;
  /** 1 where TRUE (never set where `nul` is). */
  t: Uint8Array;
  /** 1 where NULL; null when no row is NULL. */
  nul: Uint8Array | null;
}

/** Row-wise evaluation of a node (eval.ts), used for what has no vectorized form. */
export type RowEval = (e: Expr) => { type: arrow.DataType; values: Val[] };

/**
 * Evaluates `e` over `batch` into a mask (its `type` is the node's type, checked by the caller).
 * `rowEvalFor` gives the row-wise evaluator of a batch (a slice, when DataFusion's AND evaluates
 * its right side on the selected rows only).
 */
export function evalMask(e: Expr, batch: arrow.RecordBatch, rowEvalFor: (b: arrow.RecordBatch) => RowEval, dialect: Dialect): Mask {
  return new MaskEval(batch, rowEvalFor, dialect).mask(e);
}

/** Comparison ops as 3 bits: result for (less, equal, greater). */
const OP_BITS: Record<CompareOp, number> = { '<': 0b001, '<=': 0b011, '=': 0b010, '!=': 0b101, '>': 0b100, '>=': 0b110 };
/** The op with its operands swapped (`5 < x` is `x > 5`). */
const flipBits = (b: number) => ((b & 1) << 2) | (b & 2) | ((b >> 2) & 1);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
const utf8 = new TextEncoder();

interface ColumnRef {
  type: arrow.DataType;
  vector: arrow.Vector;
  /** NULL rows (own validity and every struct ancestor's), or null when there are none. */
  nul: Uint8Array | null;
}

/** Sets bit ((less, equal, greater) index) of `bits` for every row, ORed into `into` if given. */
type Kernel = (bits: number, into?: Uint8Array) => Uint8Array;

class MaskEval {
  private readonly n: number;
  constructor(
    private readonly batch: arrow.RecordBatch,
    private readonly rowEvalFor: (b: arrow.RecordBatch) => RowEval,
    private readonly dialect: Dialect,
  ) {
    this.n = batch.numRows;
    this.rowEval = rowEvalFor(batch);
  }

  private readonly rowEval: RowEval;

  /** AND / OR; DataFusion may skip the right side or evaluate it on the left's TRUE rows only. */
  private logical(e: Expr & { kind: 'binary' }, op: 'and' | 'or'): Mask {
    const a = this.mask(e.left);
    const how = this.dialect === 'datafusion' ? rightSide(op, a.t, a.nul !== null) : 'all';
    let b: Mask;
    if (how === 'skip') {
      // Not evaluated, but still type-checked, as DataFusion plans it.
      const bt = exprType(e.right, this.batch.schema, this.dialect);
      b = { type: bt, t: op === 'and' ? new Uint8Array(this.n) : new Uint8Array(this.n).fill(1), nul: null };
    } else if (how === 'selected') {
      b = evalSelected(
        this.batch,
        a.t,
        (sub) => new MaskEval(sub, this.rowEvalFor, this.dialect).mask(e.right),
        () => ({ type: new arrow.Bool(), t: new Uint8Array(this.n), nul: null }),
        (into, part, start) => {
          into.type = part.type;
          into.t.set(part.t, start);
          if (part.nul) (into.nul ??= new Uint8Array(this.n)).set(part.nul, start);
        },
      );
    } else b = this.mask(e.right);
    const type = nodeType(e, [a.type, b.type], this.batch.schema, this.dialect);
    return op === 'and' ? and(type, a, b, this.n) : or(type, a, b, this.n);
  }

  mask(e: Expr): Mask {
    switch (e.kind) {
      case 'binary':
        if (e.op === 'and' || e.op === 'or') return this.logical(e, e.op);
        if (e.op in OP_BITS) return this.compare(e) ?? this.rows(e);
        return this.rows(e);
      case 'unary':
        if (e.op === 'not') {
          const a = this.mask(e.arg);
          return not(nodeType(e, [a.type], this.batch.schema, this.dialect), a);
        }
        return this.rows(e);
      case 'isNull': {
        // Only the argument's NULL rows matter; a mask carries them for any type.
        const a = this.mask(e.arg);
        const t = new Uint8Array(this.n);
        const neg = e.negated ? 1 : 0;
        if (a.nul) for (let i = 0; i < this.n; i++) t[i] = a.nul[i]! ^ neg;
        else if (neg) t.fill(1);
        return { type: nodeType(e, [a.type], this.batch.schema, this.dialect), t, nul: null };
      }
      case 'column': {
        const c = this.column(e);
        if (c.type.typeId === arrow.Type.Bool) return boolColumn(c, this.n);
        // Not a boolean: only its NULL rows are meaningful (IS NULL); AND/OR/NOT reject the type.
        return { type: c.type, t: new Uint8Array(this.n), nul: c.nul };
      }
      case 'literal': {
        const v = literalValue(e);
        const type = literalNodeType(e);
        if (v === null) return { type, t: new Uint8Array(this.n), nul: new Uint8Array(this.n).fill(1) };
        if (typeof v === 'boolean') return { type, t: new Uint8Array(this.n).fill(v ? 1 : 0), nul: null };
        return this.rows(e);
      }
      case 'in':
        return this.inList(e) ?? this.rows(e);
      case 'between':
        return this.between(e) ?? this.rows(e);
      default:
        return this.rows(e);
    }
  }

  /** Row-wise fallback: TRUE / NULL rows of the node's values. */
  private rows(e: Expr): Mask {
    const col = this.rowEval(e);
    const n = this.n;
    const t = new Uint8Array(n);
    let nul: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      const v = col.values[i];
      if (v === true) t[i] = 1;
      else if (v === null) (nul ??= new Uint8Array(n))[i] = 1;
    }
    return { type: col.type, t, nul };
  }

  private column(e: Expr & { kind: 'column' }): ColumnRef {
    const r = resolveColumn(e, this.batch.schema);
    let v = this.batch.getChildAt(r.indexes[0]!)!;
    let nul: Uint8Array | null = null;
    for (const i of r.indexes.slice(1)) {
      nul = orNulls(nul, v, this.n);
      v = v.getChildAt(i)!;
    }
    return { type: r.type, vector: v, nul: orNulls(nul, v, this.n) };
  }

  /** `column op literal` or `literal op column` over the column's buffers. */
  private compare(e: Expr & { kind: 'binary' }): Mask | undefined {
    const flip = e.left.kind === 'literal' && e.right.kind === 'column';
    const c = flip ? e.right : e.left;
    const l = flip ? e.left : e.right;
    if (c.kind !== 'column' || l.kind !== 'literal') return undefined;
    const col = this.column(c);
    const litT = literalNodeType(l);
    const type = nodeType(e, flip ? [litT, col.type] : [col.type, litT], this.batch.schema, this.dialect);
    const lit = literalValue(l);
    if (lit === null) return allNull(type, this.n);
    const kernel = kernelFor(col, lit, this.n, this.dialect);
    if (!kernel) return undefined;
    const bits = OP_BITS[e.op as CompareOp];
    return withNulls(type, kernel(flip ? flipBits(bits) : bits), col.nul);
  }

  private inList(e: Expr & { kind: 'in' }): Mask | undefined {
    if (e.arg.kind !== 'column' || !e.list.every((x) => x.kind === 'literal')) return undefined;
    const col = this.column(e.arg);
    const lits = e.list as Array<Expr & { kind: 'literal' }>;
    const type = nodeType(e, [col.type, ...lits.map(literalNodeType)], this.batch.schema, this.dialect);
    const n = this.n;
    let t: Uint8Array | null = null;
    let listNull = false;
    for (const l of lits) {
      const v = literalValue(l);
      if (v === null) {
        listNull = true;
        continue;
      }
      const kernel = kernelFor(col, v, n, this.dialect);
      if (!kernel) return undefined;
      t = kernel(OP_BITS['='], t ?? undefined);
    }
    t ??= new Uint8Array(n);
    // No match and a NULL in the list: NULL (x IN (1, NULL) is NULL for x = 2).
    let nul = col.nul;
    if (listNull) {
      const ln = new Uint8Array(n);
      for (let i = 0; i < n; i++) ln[i] = t[i]! ^ 1;
      nul = nul ? orMask(nul, ln, n) : ln;
    }
    const m = withNulls(type, t, nul);
    return e.negated ? not(type, m) : m;
  }

  private between(e: Expr & { kind: 'between' }): Mask | undefined {
    if (e.arg.kind !== 'column' || e.low.kind !== 'literal' || e.high.kind !== 'literal') return undefined;
    const col = this.column(e.arg);
    const type = nodeType(e, [col.type, literalNodeType(e.low), literalNodeType(e.high)], this.batch.schema, this.dialect);
    const side = (l: Expr & { kind: 'literal' }, op: CompareOp): Mask | undefined => {
      const v = literalValue(l);
      if (v === null) return allNull(type, this.n);
      const kernel = kernelFor(col, v, this.n, this.dialect);
      return kernel ? withNulls(type, kernel(OP_BITS[op]), col.nul) : undefined;
    };
    const ge = side(e.low, '>=');
    const le = ge && side(e.high, '<=');
    if (!ge || !le) return undefined;
    const m = and(type, ge, le, this.n);
    return e.negated ? not(type, m) : m;
  }
}

// ---------------------------------------------------------------------------------------------
// Mask algebra (bytes are 0/1; `t` and `nul` never both 1)

function allNull(type: arrow.DataType, n: number): Mask {
  return { type, t: new Uint8Array(n), nul: new Uint8Array(n).fill(1) };
}

function withNulls(type: arrow.DataType, t: Uint8Array, nul: Uint8Array | null): Mask {
  if (nul) for (let i = 0; i < t.length; i++) t[i]! &= nul[i]! ^ 1;
  return { type, t, nul };
}

function orMask(a: Uint8Array, b: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]! | b[i]!;
  return out;
}

/** FALSE wins over NULL; NULL over TRUE. */
function and(type: arrow.DataType, a: Mask, b: Mask, n: number): Mask {
  const t = new Uint8Array(n);
  for (let i = 0; i < n; i++) t[i] = a.t[i]! & b.t[i]!;
  if (!a.nul && !b.nul) return { type, t, nul: null };
  // NULL when either side is NULL and neither is FALSE (= each is TRUE or NULL).
  const nul = new Uint8Array(n);
  const at = a.t;
  const bt = b.t;
  const an = a.nul;
  const bn = b.nul;
  if (an && bn) for (let i = 0; i < n; i++) nul[i] = (an[i]! | bn[i]!) & (at[i]! | an[i]!) & (bt[i]! | bn[i]!);
  else if (an) for (let i = 0; i < n; i++) nul[i] = an[i]! & bt[i]!;
  else if (bn) for (let i = 0; i < n; i++) nul[i] = bn[i]! & at[i]!;
  return { type, t, nul };
}

/** TRUE wins over NULL; NULL over FALSE. */
function or(type: arrow.DataType, a: Mask, b: Mask, n: number): Mask {
  const t = new Uint8Array(n);
  for (let i = 0; i < n; i++) t[i] = a.t[i]! | b.t[i]!;
  if (!a.nul && !b.nul) return { type, t, nul: null };
  const nul = new Uint8Array(n);
  const an = a.nul;
  const bn = b.nul;
  if (an && bn) for (let i = 0; i < n; i++) nul[i] = (an[i]! | bn[i]!) & (t[i]! ^ 1);
  else if (an) for (let i = 0; i < n; i++) nul[i] = an[i]! & (t[i]! ^ 1);
  else if (bn) for (let i = 0; i < n; i++) nul[i] = bn[i]! & (t[i]! ^ 1);
  return { type, t, nul };
}

function not(type: arrow.DataType, a: Mask): Mask {
  const n = a.t.length;
  const t = new Uint8Array(n);
  const an = a.nul;
  if (an) for (let i = 0; i < n; i++) t[i] = (a.t[i]! | an[i]!) ^ 1;
  else for (let i = 0; i < n; i++) t[i] = a.t[i]! ^ 1;
  return { type, t, nul: an };
}

// ---------------------------------------------------------------------------------------------
// Columns

/** ORs the NULL rows of `v` into `nul` (allocated on the first NULL). */
function orNulls(nul: Uint8Array | null, v: arrow.Vector, n: number): Uint8Array | null {
  if (v.nullCount === 0) return nul;
  const out = nul ?? new Uint8Array(n);
  let row = 0;
  for (const d of v.data) {
    const bitmap = d.nullBitmap;
    if (d.nullCount > 0 && bitmap && bitmap.length > 0) {
      const off = d.offset;
      const len = d.length;
      let i = 0;
      if ((off & 7) === 0) {
        // Whole bytes: skip the all-valid ones (the common case).
        const b0 = off >> 3;
        for (; i + 8 <= len; i += 8) {
          const nb = bitmap[b0 + (i >> 3)]! ^ 0xff;
          if (nb === 0) continue;
          for (let j = 0; j < 8; j++) out[row + i + j]! |= (nb >> j) & 1;
        }
      }
      for (; i < len; i++) {
        const p = off + i;
        out[row + i]! |= ((bitmap[p >> 3]! >> (p & 7)) & 1) ^ 1;
      }
    }
    row += d.length;
  }
  return out;
}

function boolColumn(c: ColumnRef, n: number): Mask {
  const t = new Uint8Array(n);
  let row = 0;
  for (const d of c.vector.data) {
    const bits = d.values as Uint8Array;
    const off = d.offset;
    for (let i = 0; i < d.length; i++) {
      const p = off + i;
      t[row + i] = (bits[p >> 3]! >> (p & 7)) & 1;
    }
    row += d.length;
  }
  return withNulls(c.type, t, c.nul);
}

// ---------------------------------------------------------------------------------------------
// Comparison kernels: write, for every row, bit ((less, equal, greater) index) of `bits`

/** The kernel comparing the column with a non-null literal, or undefined (row-wise then). */
function kernelFor(col: ColumnRef, lit: Val, n: number, dialect: Dialect): Kernel | undefined {
  const t = col.type;
  const datas = col.vector.data;
  switch (t.typeId) {
    case arrow.Type.Int: {
      const it = t as arrow.Int;
      if (typeof lit !== 'number' && typeof lit !== 'bigint') return undefined;
      if (it.bitWidth === 64) {
        // DataFusion compares a 64-bit integer with a fraction as doubles (rounding): row-wise.
        if (dialect === 'datafusion' && typeof lit === 'number' && !Number.isInteger(lit)) return undefined;
        return LITTLE_ENDIAN ? (bits, into) => int64Kernel(datas, it.isSigned, lit, bits, into ?? new Uint8Array(n)) : undefined;
      }
      return (bits, into) => numberKernel(datas, lit, bits, into ?? new Uint8Array(n), dialect);
    }
    case arrow.Type.Float:
      if ((t as arrow.Float).precision === arrow.Precision.HALF) return undefined;
      if (typeof lit !== 'number' && typeof lit !== 'bigint') return undefined;
      if (dialect === 'datafusion') return (bits, into) => floatTotalKernel(datas, Number(lit), bits, into ?? new Uint8Array(n));
      return (bits, into) => numberKernel(datas, lit, bits, into ?? new Uint8Array(n), dialect);
    case arrow.Type.Utf8:
      if (typeof lit !== 'string' || hasLoneSurrogate(lit)) return undefined;
      return (bits, into) => bytesKernel(datas, utf8.encode(lit), bits, into ?? new Uint8Array(n));
    case arrow.Type.Binary:
      if (!(lit instanceof Uint8Array)) return undefined;
      return (bits, into) => bytesKernel(datas, lit, bits, into ?? new Uint8Array(n));
    default:
      return undefined;
  }
}

const orAll = (out: Uint8Array, bit: number) => (bit ? out.fill(1) : out);

/** Lone surrogates would not survive UTF-8 encoding; such literals are compared row-wise. */
function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff || i + 1 === s.length) return true;
    const d = s.charCodeAt(++i);
    if (d < 0xdc00 || d > 0xdfff) return true;
  }
  return false;
}

/** Columns read as JS numbers (ints up to 32 bits, float32/64) against a number or bigint. */
function numberKernel(datas: readonly arrow.Data[], lit: number | bigint, bits: number, out: Uint8Array, dialect: Dialect): Uint8Array {
  let row = 0;
  for (const d of datas) {
    // One element type in the loop keeps it monomorphic: other widths are widened (natively).
    const raw = d.values as Float64Array | Float32Array | Int32Array;
    const v = raw instanceof Float64Array ? raw : new Float64Array(raw);
    const len = d.length;
    if (typeof lit === 'number') {
      const L = lit;
      const nanL = L !== L;
      for (let i = 0; i < len; i++) {
        const x = v[i]!;
        // NaN sorts above every number and equals itself.
        const c = x < L ? 0 : x > L ? 2 : x === L ? 1 : x !== x ? (nanL ? 1 : 2) : 0;
        out[row + i]! |= (bits >> c) & 1;
      }
    } else {
      // A literal beyond 2^53: exact mixed comparison (rare).
      for (let i = 0; i < len; i++) out[row + i]! |= (bits >> (compareValues(v[i]!, lit, dialect) + 1)) & 1;
    }
    row += len;
  }
  return out;
}

/**
 * Float columns in Arrow's order (DataFusion): a NaN ranks by its sign bit, below -Infinity when
 * negative and above Infinity when positive; -0.0 equals 0.0. The sign is read from the raw bits.
 */
function floatTotalKernel(datas: readonly arrow.Data[], L: number, bits: number, out: Uint8Array): Uint8Array {
  const rankL = L === L ? 0 : signBitOf(L) ? -1 : 1;
  let row = 0;
  for (const d of datas) {
    const raw = d.values as Float64Array | Float32Array;
    const len = d.length;
    // Sign bits: the high 32-bit word of a double, the only word of a float.
    const words = new Int32Array(raw.buffer, raw.byteOffset, raw instanceof Float64Array ? len * 2 : len);
    const stride = raw instanceof Float64Array ? 2 : 1;
    const hi = raw instanceof Float64Array && LITTLE_ENDIAN ? 1 : 0;
    for (let i = 0; i < len; i++) {
      const x = raw[i]!;
      let c: number;
      if (x === x && rankL === 0) c = x < L ? 0 : x > L ? 2 : 1;
      else {
        const rx = x === x ? 0 : words[i * stride + hi]! < 0 ? -1 : 1;
        c = rx < rankL ? 0 : rx > rankL ? 2 : 1;
      }
      out[row + i]! |= (bits >> c) & 1;
    }
    row += len;
  }
  return out;
}

const signScratch = new Float64Array(1);
const signWords = new Int32Array(signScratch.buffer);
function signBitOf(x: number): boolean {
  signScratch[0] = x;
  return signWords[LITTLE_ENDIAN ? 1 : 0]! < 0;
}

/**
 * 64-bit integer columns against a literal, exactly: the literal becomes floor(L) as a bigint
 * (plus "has a fraction": then x = floor(L) means x < L), split into (hi, lo) 32-bit words that
 * are compared with the column's words.
 */
function int64Kernel(datas: readonly arrow.Data[], signed: boolean, lit: number | bigint, bits: number, out: Uint8Array): Uint8Array {
  let floor: bigint;
  let frac = false;
  if (typeof lit === 'bigint') floor = lit;
  else if (lit !== lit || lit === Infinity) return orAll(out, bits & 1); // every x < L (NaN sorts last)
  else if (lit === -Infinity) return orAll(out, (bits >> 2) & 1);
  else {
    const f = Math.floor(lit);
    frac = f !== lit;
    floor = BigInt(f);
  }
  const min = signed ? I64_MIN : 0n;
  const max = signed ? I64_MAX : U64_MAX;
  if (floor < min) return orAll(out, (bits >> 2) & 1); // every x > L
  if (floor > max) return orAll(out, bits & 1); // every x < L
  const word = BigInt.asUintN(64, floor);
  const loL = Number(word & 0xffffffffn);
  const hiU = Number(word >> 32n);
  const hiL = signed ? hiU | 0 : hiU;
  const eqC = frac ? 0 : 1;
  let row = 0;
  for (const d of datas) {
    const vals = d.values as BigInt64Array;
    const w = new Uint32Array(vals.buffer, vals.byteOffset, d.length * 2);
    const len = d.length;
    if (signed) {
      for (let i = 0; i < len; i++) {
        const hi = w[2 * i + 1]! | 0;
        const lo = w[2 * i]!;
        const c = hi < hiL ? 0 : hi > hiL ? 2 : lo < loL ? 0 : lo > loL ? 2 : eqC;
        out[row + i]! |= (bits >> c) & 1;
      }
    } else {
      for (let i = 0; i < len; i++) {
        const hi = w[2 * i + 1]!;
        const lo = w[2 * i]!;
        const c = hi < hiL ? 0 : hi > hiL ? 2 : lo < loL ? 0 : lo > loL ? 2 : eqC;
        out[row + i]! |= (bits >> c) & 1;
      }
    }
    row += len;
  }
  return out;
}

/** Utf8 / Binary (32-bit offsets) against literal bytes, lexicographically by unsigned byte. */
function bytesKernel(datas: readonly arrow.Data[], lit: Uint8Array, bits: number, out: Uint8Array): Uint8Array {
  const L = lit.length;
  // = and != do not care about order: unequal lengths decide at once.
  const eqOnly = (bits & 1) === (bits >> 2);
  const ne = bits & 1;
  let row = 0;
  for (const d of datas) {
    const off = d.valueOffsets as Int32Array;
    const data = d.values as Uint8Array;
    const len = d.length;
    for (let i = 0; i < len; i++) {
      const s = off[i]!;
      const vl = off[i + 1]! - s;
      if (eqOnly && vl !== L) {
        out[row + i]! |= ne;
        continue;
      }
      const m = vl < L ? vl : L;
      let k = 0;
      while (k < m && data[s + k] === lit[k]) k++;
      const c = k < m ? (data[s + k]! < lit[k]! ? 0 : 2) : vl < L ? 0 : vl > L ? 2 : 1;
      out[row + i]! |= (bits >> c) & 1;
    }
    row += len;
  }
  return out;
}
