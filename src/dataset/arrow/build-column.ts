// JS values (row objects, SQL results) to one Arrow column of a given type, checked against the
// type first: a value that does not fit (a string for a number, 2^31 for Int32, 1.5 for an
// integer column, a vector of the wrong length) is an InvalidInputError naming the column, the
// row and the value instead of arrow-js's silent NaN/0/wrap-around. Buffers are built directly,
// so nested types (fixed-size lists of any Vector or array, structs, lists) come out whole with
// full-length children. Cells that already live in Arrow data (ArrowCell) are copied by buffer.
import * as arrow from 'apache-arrow';
import { InvalidInputError } from '../../errors.js';
import { interleaveData } from './kernels.js';
import { sameLayout } from './adopt.js';

/** Row `index` of `data`: a value handed around without leaving Arrow (exact for every type). */
export class ArrowCell {
  constructor(
    readonly data: arrow.Data,
    readonly index: number,
  ) {}

  /** The value as arrow-js reads it (for conversions to another type). */
  value(): unknown {
    return arrow.makeVector(this.data).get(this.index);
  }
}

const MS_PER_DAY = 86_400_000;
const encoder = new TextEncoder();

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()})`;
  if (v instanceof Uint8Array) return `${v.constructor.name}(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (typeof v === 'object' && v !== null) return v.constructor?.name ?? 'object';
  return String(v);
}

/** Where values are being built: column path and, per value, its top-level row. */
interface Site {
  path: string;
  rows: readonly number[];
}

function bad(site: Site, k: number, value: unknown, type: arrow.DataType, why: string): InvalidInputError {
  const row = site.rows[k]!;
  return new InvalidInputError('BAD_VALUE', `column "${site.path}" row ${row}: ${show(value)} ${why} (column type ${String(type)})`, {
    column: site.path,
    row,
    value: show(value),
  });
}

function isNull(v: unknown): boolean {
  return v === null || v === undefined;
}

function validity(values: readonly unknown[]): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  let nulls = 0;
  for (const v of values) if (isNull(v)) nulls++;
  if (nulls === 0) return { nullBitmap: undefined, nullCount: 0 };
  const bm = new Uint8Array(((values.length + 63) & ~63) >> 3);
  values.forEach((v, j) => {
    if (!isNull(v)) bm[j >> 3]! |= 1 << (j & 7);
  });
  return { nullBitmap: bm, nullCount: nulls };
}

function intOf(v: unknown, t: arrow.Int, site: Site, k: number): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw bad(site, k, v, t, 'is not an integer; round it explicitly');
    if (!Number.isSafeInteger(v)) throw bad(site, k, v, t, 'is beyond 2^53 and has lost precision; pass a bigint');
    b = BigInt(v);
  } else throw bad(site, k, v, t, `is a ${typeof v}, not a number or bigint`);
  const lo = t.isSigned ? -(1n << BigInt(t.bitWidth - 1)) : 0n;
  const hi = t.isSigned ? (1n << BigInt(t.bitWidth - 1)) - 1n : (1n << BigInt(t.bitWidth)) - 1n;
  if (b < lo || b > hi) throw bad(site, k, v, t, `is out of range [${lo}, ${hi}]`);
  return b;
}

function floatOf(v: unknown, t: arrow.DataType, site: Site, k: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') {
    const n = Number(v);
    if (BigInt(n) !== v) throw bad(site, k, v, t, 'cannot be represented exactly as a float');
    return n;
  }
  throw bad(site, k, v, t, `is a ${typeof v}, not a number`);
}

/** Epoch milliseconds of a Date or number (arrow-js's convention for dates and timestamps). */
function epochMs(v: unknown, t: arrow.DataType, site: Site, k: number): number {
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Number.NaN;
  if (!(v instanceof Date) && typeof v !== 'number') throw bad(site, k, v, t, `is a ${typeof v}, not a Date, epoch milliseconds (number) or a bigint in the column's unit`);
  if (!Number.isFinite(ms)) throw bad(site, k, v, t, 'is not a valid time');
  return ms;
}

const UNIT_PER_MS: Record<number, number> = { [arrow.TimeUnit.SECOND]: 1e-3, [arrow.TimeUnit.MILLISECOND]: 1, [arrow.TimeUnit.MICROSECOND]: 1e3, [arrow.TimeUnit.NANOSECOND]: 1e6 };

function timestampOf(v: unknown, t: arrow.Timestamp, site: Site, k: number): bigint {
  if (typeof v === 'bigint') return v;
  const ms = epochMs(v, t, site, k);
  const x = ms * UNIT_PER_MS[t.unit]!;
  const r = Math.round(x);
  if (Math.abs(x - r) > 1e-6 * Math.max(1, Math.abs(x))) throw bad(site, k, v, t, `is not a whole number of ${arrow.TimeUnit[t.unit].toLowerCase()}s; pass a bigint in the column's unit`);
  if (!Number.isSafeInteger(r)) throw bad(site, k, v, t, 'is beyond 2^53 in the column unit; pass a bigint');
  return BigInt(r);
}

function decimalOf(v: unknown, t: arrow.Decimal, site: Site, k: number): bigint {
  let unscaled: bigint;
  if (typeof v === 'bigint') unscaled = v;
  else if (v instanceof Uint32Array) {
    unscaled = 0n;
    for (let w = v.length - 1; w >= 0; w--) unscaled = (unscaled << 32n) | BigInt(v[w]!);
    const bits = BigInt(v.length * 32);
    if (v.length && v[v.length - 1]! & 0x80000000) unscaled -= 1n << bits;
  } else if (typeof v === 'string' || typeof v === 'number') {
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v.trim();
    const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
    if (!m || (m[2] === '' && !m[3])) throw bad(site, k, v, t, 'is not a decimal number');
    const frac = (m[3] ?? '').replace(/0+$/, '');
    if (frac.length > t.scale) throw bad(site, k, v, t, `has more than ${t.scale} fractional digits; round it explicitly`);
    unscaled = BigInt((m[2] || '0') + frac.padEnd(t.scale, '0')) * (m[1] === '-' ? -1n : 1n);
  } else throw bad(site, k, v, t, `is a ${typeof v}, not a bigint (unscaled), decimal string or number`);
  if ((unscaled < 0n ? -unscaled : unscaled) >= 10n ** BigInt(t.precision)) throw bad(site, k, v, t, `has more than ${t.precision} digits`);
  return unscaled;
}

function bytesOf(v: unknown, t: arrow.DataType, site: Site, k: number): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw bad(site, k, v, t, `is a ${typeof v === 'object' ? show(v) : typeof v}, not a Uint8Array`);
}

/** Items of a list-like value: arrays, typed arrays, Vectors of any apache-arrow copy. */
function itemsOf(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<unknown>);
  const o = v as { get?: unknown; length?: unknown; toArray?: unknown; [Symbol.iterator]?: unknown };
  if (typeof o === 'object' && o !== null && typeof o.get === 'function' && typeof o.length === 'number' && typeof o[Symbol.iterator] === 'function') return [...(o as Iterable<unknown>)];
  return undefined;
}

function fixedArray(t: arrow.DataType, n: number): { arr: ArrayBufferView & { [i: number]: number | bigint }; per: number } {
  const ArrayType = (t as unknown as { ArrayType: new (n: number) => ArrayBufferView & { [i: number]: number | bigint; BYTES_PER_ELEMENT: number } }).ArrayType;
  return { arr: new ArrayType(n), per: 1 };
}

function varBinary(values: readonly unknown[], t: arrow.DataType, large: boolean, site: Site, text: boolean) {
  const parts = values.map((v, k) => {
    if (isNull(v)) return undefined;
    if (text) {
      if (typeof v !== 'string') throw bad(site, k, v, t, `is a ${typeof v === 'object' ? show(v) : typeof v}, not a string`);
      return encoder.encode(v);
    }
    return bytesOf(v, t, site, k);
  });
  const total = parts.reduce((s, p) => s + (p?.length ?? 0), 0);
  if (!large && total > 0x7fffffff) throw new InvalidInputError('COLUMN_TOO_LARGE', `column "${site.path}" would hold ${total} bytes, over the 2 GiB of ${String(t)}; use the Large variant`, { column: site.path });
  const offsets = large ? new BigInt64Array(values.length + 1) : new Int32Array(values.length + 1);
  const data = new Uint8Array(total);
  let at = 0;
  parts.forEach((p, j) => {
    if (p) data.set(p, at), (at += p.length);
    if (large) (offsets as BigInt64Array)[j + 1] = BigInt(at);
    else (offsets as Int32Array)[j + 1] = at;
  });
  return { valueOffsets: offsets, data };
}

function build(values: readonly unknown[], type: arrow.DataType, site: Site): arrow.Data {
  const n = values.length;
  const { nullBitmap, nullCount } = validity(values);
  const common = { type, length: n, nullCount, nullBitmap };
  const make = (props: Record<string, unknown>) => arrow.makeData({ ...common, ...props } as never) as arrow.Data;
  switch (type.typeId) {
    case arrow.Type.Null:
      values.forEach((v, k) => {
        if (!isNull(v)) throw bad(site, k, v, type, 'is not null');
      });
      return arrow.makeData({ type: type as arrow.Null, length: n, nullCount: n });
    case arrow.Type.Int: {
      const t = type as arrow.Int;
      const { arr } = fixedArray(t, n);
      const big = t.bitWidth === 64;
      values.forEach((v, k) => {
        if (isNull(v)) return;
        const b = intOf(v, t, site, k);
        arr[k] = big ? b : Number(b);
      });
      return make({ data: arr });
    }
    case arrow.Type.Float: {
      const t = type as arrow.Float;
      const { arr } = fixedArray(t, n);
      values.forEach((v, k) => {
        if (isNull(v)) return;
        const x = floatOf(v, t, site, k);
        arr[k] = t.precision === arrow.Precision.HALF ? arrow.util.float64ToUint16(x) : x;
      });
      return make({ data: arr });
    }
    case arrow.Type.Bool: {
      const data = new Uint8Array(((n + 63) & ~63) >> 3);
      values.forEach((v, k) => {
        if (isNull(v)) return;
        if (typeof v !== 'boolean') throw bad(site, k, v, type, `is a ${typeof v}, not a boolean`);
        if (v) data[k >> 3]! |= 1 << (k & 7);
      });
      return make({ data });
    }
    case arrow.Type.Utf8:
      return make(varBinary(values, type, false, site, true));
    case arrow.Type.LargeUtf8:
      return make(varBinary(values, type, true, site, true));
    case arrow.Type.Binary:
      return make(varBinary(values, type, false, site, false));
    case arrow.Type.LargeBinary:
      return make(varBinary(values, type, true, site, false));
    case arrow.Type.FixedSizeBinary: {
      const w = (type as arrow.FixedSizeBinary).byteWidth;
      const data = new Uint8Array(n * w);
      values.forEach((v, k) => {
        if (isNull(v)) return;
        const b = bytesOf(v, type, site, k);
        if (b.length !== w) throw bad(site, k, v, type, `has ${b.length} bytes, not ${w}`);
        data.set(b, k * w);
      });
      return make({ data });
    }
    case arrow.Type.Date: {
      const t = type as arrow.Date_;
      const { arr } = fixedArray(t, n);
      values.forEach((v, k) => {
        if (isNull(v)) return;
        if (typeof v === 'bigint') {
          arr[k] = t.unit === arrow.DateUnit.DAY ? Number(intOf(v, new arrow.Int32(), site, k)) : v;
          return;
        }
        const ms = epochMs(v, t, site, k);
        if (t.unit === arrow.DateUnit.DAY) {
          if (ms % MS_PER_DAY !== 0) throw bad(site, k, v, t, 'is not midnight UTC of a day');
          arr[k] = ms / MS_PER_DAY;
        } else {
          if (!Number.isInteger(ms)) throw bad(site, k, v, t, 'is not a whole number of milliseconds');
          arr[k] = BigInt(ms);
        }
      });
      return make({ data: arr });
    }
    case arrow.Type.Timestamp: {
      const { arr } = fixedArray(type, n);
      values.forEach((v, k) => {
        if (!isNull(v)) arr[k] = timestampOf(v, type as arrow.Timestamp, site, k);
      });
      return make({ data: arr });
    }
    case arrow.Type.Time:
    case arrow.Type.Duration: {
      const { arr } = fixedArray(type, n);
      const big = (arr as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT === 8;
      const range = big ? new arrow.Int64() : new arrow.Int32();
      values.forEach((v, k) => {
        if (isNull(v)) return;
        const b = intOf(v, range, site, k);
        arr[k] = big ? b : Number(b);
      });
      return make({ data: arr });
    }
    case arrow.Type.Decimal: {
      const t = type as arrow.Decimal;
      const words = t.bitWidth / 32;
      const data = new Uint32Array(n * words);
      values.forEach((v, k) => {
        if (isNull(v)) return;
        let x = BigInt.asUintN(t.bitWidth, decimalOf(v, t, site, k));
        for (let w = 0; w < words; w++, x >>= 32n) data[k * words + w] = Number(x & 0xffffffffn);
      });
      return make({ data });
    }
    case arrow.Type.FixedSizeList: {
      const t = type as arrow.FixedSizeList;
      const child: unknown[] = new Array(n * t.listSize).fill(null);
      const rows: number[] = new Array(n * t.listSize);
      values.forEach((v, k) => {
        for (let i = 0; i < t.listSize; i++) rows[k * t.listSize + i] = site.rows[k]!;
        if (isNull(v)) return;
        const items = itemsOf(v);
        if (!items) throw bad(site, k, v, t, 'is not an array, typed array or Vector');
        if (items.length !== t.listSize) throw bad(site, k, v, t, `has ${items.length} items, not ${t.listSize}`);
        for (let i = 0; i < t.listSize; i++) child[k * t.listSize + i] = items[i];
      });
      return make({ child: build(child, t.children[0]!.type, { path: `${site.path}[]`, rows }) });
    }
    case arrow.Type.List:
    case arrow.Type.Map: {
      const offsets = new Int32Array(n + 1);
      const child: unknown[] = [];
      const rows: number[] = [];
      const itemType = type.children[0]!.type;
      values.forEach((v, k) => {
        if (!isNull(v)) {
          let items = itemsOf(v);
          if (type.typeId === arrow.Type.Map && !items && typeof v === 'object') {
            const [kf, vf] = (itemType as arrow.Struct).children;
            items = [...(v instanceof Map ? v.entries() : Object.entries(v as object))].map(([a, b]) => ({ [kf!.name]: a, [vf!.name]: b }));
          }
          if (!items) throw bad(site, k, v, type, 'is not an array, typed array or Vector');
          for (const x of items) child.push(x), rows.push(site.rows[k]!);
        }
        offsets[k + 1] = child.length;
      });
      return make({ valueOffsets: offsets, child: build(child, itemType, { path: `${site.path}[]`, rows }) });
    }
    case arrow.Type.Struct: {
      const fields = type.children;
      const names = new Set(fields.map((f) => f.name));
      const read = values.map((v, k) => {
        if (isNull(v)) return undefined;
        if (v instanceof Map) return (name: string) => v.get(name);
        if (typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v) || v instanceof Date) throw bad(site, k, v, type, 'is not an object');
        if (Object.getPrototypeOf(v) === Object.prototype) {
          const extra = Object.keys(v as object).filter((x) => !names.has(x));
          if (extra.length) throw bad(site, k, v, type, `has field(s) ${extra.join(', ')} the struct does not`);
        }
        return (name: string) => (v as Record<string, unknown>)[name];
      });
      const children = fields.map((f) =>
        build(
          read.map((r) => (r ? r(f.name) ?? null : null)),
          f.type,
          { path: `${site.path}.${f.name}`, rows: site.rows },
        ),
      );
      return make({ children });
    }
    case arrow.Type.Dictionary: {
      const t = type as arrow.Dictionary;
      // Equal primitive values share a dictionary entry; other values get one each.
      const slots = new Map<unknown, number>();
      const dict: unknown[] = [];
      const dictRows: number[] = [];
      const { arr } = fixedArray(t.indices, n);
      const big = (t.indices.bitWidth as number) === 64;
      values.forEach((v, k) => {
        if (isNull(v)) return;
        const key = typeof v === 'object' ? Symbol() : v;
        let s = slots.get(key);
        if (s === undefined) {
          s = dict.length;
          dict.push(v), dictRows.push(site.rows[k]!);
          slots.set(key, s);
        }
        arr[k] = big ? BigInt(s) : s;
      });
      const max = t.indices.isSigned ? 2 ** (t.indices.bitWidth - 1) - 1 : 2 ** t.indices.bitWidth - 1;
      if (dict.length - 1 > max) throw new InvalidInputError('DICTIONARY_OVERFLOW', `column "${site.path}" has ${dict.length} distinct values, more than ${String(t.indices)} indices can address`, { column: site.path });
      const dictionary = arrow.makeVector(build(dict, t.dictionary, { path: site.path, rows: dictRows }));
      return make({ data: arr, dictionary });
    }
    default:
      throw new InvalidInputError('UNSUPPORTED_TYPE', `column "${site.path}" has Arrow type ${String(type)}, which lancet cannot build from JS values`, { column: site.path });
  }
}

/**
 * One column of `type` from `values` (null/undefined are nulls). ArrowCell values of the same
 * layout are copied from their Data; other cells are converted through their JS value.
 * `column` names the column in errors; `firstRow` is the row number of values[0].
 */
export function buildColumn(values: readonly unknown[], type: arrow.DataType, column: string, firstRow = 0): arrow.Data {
  const n = values.length;
  const rows = Array.from({ length: n }, (_, k) => firstRow + k);
  if (!values.some((v) => v instanceof ArrowCell)) return build(values, type, { path: column, rows });
  const sources: arrow.Data[] = [];
  const sourceOf = new Map<arrow.Data, number>();
  const src = new Int32Array(n).fill(-1);
  const idx = new Int32Array(n).fill(-1);
  const plain: unknown[] = [];
  const plainRows: number[] = [];
  const plainAt: number[] = [];
  values.forEach((v, k) => {
    if (v instanceof ArrowCell && sameLayout(v.data.type, type)) {
      let s = sourceOf.get(v.data);
      if (s === undefined) sourceOf.set(v.data, (s = sources.length)), sources.push(v.data);
      src[k] = s;
      idx[k] = v.index;
    } else if (!isNull(v)) {
      plain.push(v instanceof ArrowCell ? v.value() : v);
      plainRows.push(rows[k]!);
      plainAt.push(k);
    }
  });
  if (plain.length) {
    const s = sources.length;
    sources.push(build(plain, type, { path: column, rows: plainRows }));
    plainAt.forEach((k, j) => {
      src[k] = s;
      idx[k] = j;
    });
  }
  return interleaveData(type, sources, src, idx);
}
