// The row-value model the evaluator works in, and conversions to and from Arrow vectors.
// Normalised values: ints are numbers (<= 32 bits) or bigints (64 bits), floats numbers,
// dates days (number), timestamps bigint *nanoseconds* (so every unit compares exactly),
// strings, Uint8Array bytes, booleans; NULL is null.
import * as arrow from 'apache-arrow';
import type { Expr } from './ast.js';
import type { Dialect } from './dialect.js';
import { category, type Category } from './types.js';

export type Val = null | boolean | number | bigint | string | Uint8Array | object;

const NS_PER_UNIT: Record<number, bigint> = {
  [arrow.TimeUnit.SECOND]: 1_000_000_000n,
  [arrow.TimeUnit.MILLISECOND]: 1_000_000n,
  [arrow.TimeUnit.MICROSECOND]: 1_000n,
  [arrow.TimeUnit.NANOSECOND]: 1n,
};

/** Reads every row of `v` as normalised values. */
export function readVector(v: arrow.Vector): Val[] {
  const out: Val[] = new Array(v.length);
  let row = 0;
  for (const data of v.data) {
    readData(data, out, row);
    row += data.length;
  }
  return out;
}

function readData(data: arrow.Data, out: Val[], at: number): void {
  const n = data.length;
  const t = data.type;
  const valid = (i: number) => data.getValid(i);
  if (t.typeId === arrow.Type.Dictionary) {
    const dict = readVector(data.dictionary!);
    const keys = data.values as ArrayLike<number | bigint>;
    for (let i = 0; i < n; i++) out[at + i] = valid(i) ? dict[Number(keys[i])]! : null;
    return;
  }
  const c = category(t);
  if (c === 'int' || (c === 'float' && (t as arrow.Float).precision !== arrow.Precision.HALF)) {
    // Typed-array fast path; `values` is already offset-adjusted by Arrow JS.
    const values = data.values as ArrayLike<number | bigint>;
    const noNulls = data.nullCount === 0;
    for (let i = 0; i < n; i++) out[at + i] = noNulls || valid(i) ? values[i]! : null;
    return;
  }
  if (c === 'date') {
    const ms = (t as arrow.Date_).unit === arrow.DateUnit.MILLISECOND;
    const values = data.values as ArrayLike<number | bigint>;
    for (let i = 0; i < n; i++) {
      if (!valid(i)) out[at + i] = null;
      else out[at + i] = ms ? Math.floor(Number(values[i]) / 86_400_000) : Number(values[i]);
    }
    return;
  }
  if (c === 'timestamp') {
    const mul = NS_PER_UNIT[(t as arrow.Timestamp).unit]!;
    const values = data.values as BigInt64Array;
    for (let i = 0; i < n; i++) out[at + i] = valid(i) ? values[i]! * mul : null;
    return;
  }
  const vec = arrow.makeVector(data);
  for (let i = 0; i < n; i++) {
    const x = vec.get(i) as Val | undefined;
    out[at + i] = x === undefined || x === null ? null : x;
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A literal as a normalised value (small ints as numbers, others exact bigints). */
export function literalValue(e: Expr & { kind: 'literal' }): Val {
  const l = e.value;
  switch (l.type) {
    case 'null':
      return null;
    case 'date':
      return l.days;
    case 'timestamp':
      return l.micros * 1000n;
    case 'int':
      // Small ints as numbers: comparing them with 32-bit columns then needs no bigint per row.
      return l.value >= MIN_SAFE && l.value <= MAX_SAFE ? Number(l.value) : l.value;
    default:
      return l.value;
  }
}


/** Exact comparison of a JS number with a bigint (no rounding through doubles). */
function compareNumBig(a: number, b: bigint, dialect: Dialect, signedZero: boolean): number {
  // DataFusion casts the integer to Float64 and compares doubles.
  if (dialect === 'datafusion') return compareFloatsTotal(a, Number(b), signedZero);
  // Safe-range bigints convert to doubles exactly.
  if (b >= MIN_SAFE && b <= MAX_SAFE) return compareNums(a, Number(b));
  if (Number.isNaN(a)) return 1;
  if (a === Infinity) return 1;
  if (a === -Infinity) return -1;
  const fl = Math.floor(a);
  const bf = BigInt(fl);
  if (bf < b) return -1;
  if (bf > b) return 1;
  return a > fl ? 1 : 0;
}

function compareNums(a: number, b: number): number {
  // NaN sorts above every number and equals itself, as in Spark.
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const signScratch = new Float64Array(1);
const signWords = new Int32Array(signScratch.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Whether the sign bit of `x` is set (tells -NaN from NaN; JS keeps a NaN's bits when copied). */
export function signBit(x: number): boolean {
  signScratch[0] = x;
  return signWords[HI]! < 0;
}

/**
 * Arrow's float order (DataFusion): IEEE total order, so a NaN orders by its sign bit — -NaN
 * below -Infinity, NaN above Infinity, each equal to itself. -0.0 orders below 0.0 only when
 * both sides are arrays (`f < -f`); against a constant (`f = 0`, `f IN (0.0)`) they are equal.
 */
export function compareFloatsTotal(a: number, b: number, signedZero = false): number {
  if (a === a && b === b) {
    if (a === b && a === 0 && signedZero) return signBit(a) === signBit(b) ? 0 : signBit(a) ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const ra = a === a ? 0 : signBit(a) ? -1 : 1;
  const rb = b === b ? 0 : signBit(b) ? -1 : 1;
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/** Orders strings by code point (= UTF-8 byte order), not UTF-16 unit order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return a.codePointAt(i)! < b.codePointAt(i)! ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Compares two non-null values already coerced into the same domain. `signedZero`: DataFusion
 * comparing two non-constant operands, where -0.0 < 0.0 (see compareFloatsTotal).
 */
export function compareValues(a: Val, b: Val, dialect: Dialect, signedZero = false): number {
  if (typeof a === 'number') {
    if (typeof b === 'number') return dialect === 'datafusion' ? compareFloatsTotal(a, b, signedZero) : compareNums(a, b);
    if (typeof b === 'bigint') return compareNumBig(a, b, dialect, signedZero);
  } else if (typeof a === 'bigint') {
    if (typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    if (typeof b === 'number') return -compareNumBig(b, a, dialect, signedZero);
  } else if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  else if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  else if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  throw new Error(`internal: cannot compare ${typeof a} with ${typeof b}`);
}

// ---------------------------------------------------------------------------------------------
// Building vectors

/** Builds an Arrow vector of `type` from normalised values. */
export function buildVector(type: arrow.DataType, values: readonly Val[]): arrow.Vector {
  const n = values.length;
  const c: Category = category(type);
  if (c === 'null') return arrow.makeVector(arrow.makeData({ type: new arrow.Null(), length: n }));
  if (c === 'date' || c === 'timestamp') return buildTemporal(type, values);
  if (c === 'float' && (type as arrow.Float).precision !== arrow.Precision.HALF) return buildFloat(type as arrow.Float, values);
  let vals: unknown[] = values as unknown[];
  if (c === 'int') {
    const big = (type as arrow.Int).bitWidth === 64;
    vals = values.map((v) => (v === null ? null : big ? BigInt(v as number | bigint) : Number(v)));
  } else if (c === 'float') {
    vals = values.map((v) => (v === null ? null : Number(v)));
  }
  return arrow.vectorFromArray(vals, type);
}

/**
 * Floats written straight into their typed array: Arrow JS's builder may hand a NaN back with
 * its sign bit cleared, and the sign of NaN is a value in the DataFusion dialect (-NaN < -inf).
 */
function buildFloat(type: arrow.Float, values: readonly Val[]): arrow.Vector {
  const n = values.length;
  const out = type.precision === arrow.Precision.SINGLE ? new Float32Array(n) : new Float64Array(n);
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nullCount++;
      continue;
    }
    bitmap[i >> 3]! |= 1 << (i & 7);
    out[i] = Number(v);
  }
  return arrow.makeVector(arrow.makeData({ type, length: n, nullCount, nullBitmap: nullCount ? bitmap : null, data: out as never }));
}

function buildTemporal(type: arrow.DataType, values: readonly Val[]): arrow.Vector {
  const n = values.length;
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  const isDate = category(type) === 'date';
  const dayUnit = isDate && (type as arrow.Date_).unit === arrow.DateUnit.DAY;
  const out = dayUnit ? new Int32Array(n) : new BigInt64Array(n);
  const div = isDate ? 0n : NS_PER_UNIT[(type as arrow.Timestamp).unit]!;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nullCount++;
      continue;
    }
    bitmap[i >> 3]! |= 1 << (i & 7);
    if (dayUnit) (out as Int32Array)[i] = Number(v);
    else if (isDate) (out as BigInt64Array)[i] = BigInt(v as number) * 86_400_000n;
    else (out as BigInt64Array)[i] = floorDiv(v as bigint, div);
  }
  const data = arrow.makeData({ type: type as arrow.Date_, length: n, nullCount, nullBitmap: nullCount ? bitmap : null, data: out as never });
  return arrow.makeVector(data);
}

export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

export const NS_PER_DAY = 86_400_000_000_000n;
export const nsPerUnit = (unit: arrow.TimeUnit): bigint => NS_PER_UNIT[unit]!;
