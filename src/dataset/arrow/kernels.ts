// Arrow Data kernels that move rows by copying buffers: take, concat, interleave (scatter is an
// interleave of old and new rows) and all-null columns. Rebuilding a column from `get()` values
// loses data (a FixedSizeList cell is a Vector that arrow-js's builders index as an array, a
// microsecond timestamp comes back as fractional milliseconds, a decimal as a BN), so every
// rewrite path moves rows with these instead. The layout follows arrow-js: fixed-width values
// and offsets start at the Data's first row, validity and boolean bits at `offset`, struct and
// fixed-size-list children are sliced with the parent, list children are addressed by offsets.
import * as arrow from 'apache-arrow';
import { InvalidInputError } from '../../errors.js';

/** `src[j]`/`idx[j]`: output row j is row idx[j] of sources[src[j]]; a negative value gives null. */
interface Picks {
  src: Int32Array;
  idx: Int32Array;
}

function isValid(d: arrow.Data, i: number): boolean {
  if (d.typeId === arrow.Type.Null) return false;
  const bm = d.nullBitmap;
  if (!bm || bm.length === 0 || d.nullCount === 0) return true;
  const p = d.offset + i;
  return (bm[p >> 3]! & (1 << (p & 7))) !== 0;
}

/** Validity of the output rows; a picked row stays valid only if its source row is valid. */
function gatherValidity(sources: readonly arrow.Data[], p: Picks): { bitmap: Uint8Array | undefined; nullCount: number; valid: Uint8Array } {
  const n = p.src.length;
  const valid = new Uint8Array(n);
  let nulls = 0;
  for (let j = 0; j < n; j++) {
    const s = p.src[j]!;
    const i = p.idx[j]!;
    const ok = s >= 0 && i >= 0 && isValid(sources[s]!, i);
    valid[j] = ok ? 1 : 0;
    if (!ok) nulls++;
  }
  if (nulls === 0) return { bitmap: undefined, nullCount: 0, valid };
  const bitmap = new Uint8Array(((n + 63) & ~63) >> 3);
  for (let j = 0; j < n; j++) if (valid[j]) bitmap[j >> 3]! |= 1 << (j & 7);
  return { bitmap, nullCount: nulls, valid };
}

/** Bytes of one slot of a fixed-width type (undefined for other layouts). */
export function fixedWidthBytes(type: arrow.DataType): number | undefined {
  switch (type.typeId) {
    case arrow.Type.Int:
      return (type as arrow.Int).bitWidth / 8;
    case arrow.Type.Float:
      return [2, 4, 8][(type as arrow.Float).precision];
    case arrow.Type.Date:
      return (type as arrow.Date_).unit === arrow.DateUnit.DAY ? 4 : 8;
    case arrow.Type.Time:
      return (type as arrow.Time).bitWidth / 8;
    case arrow.Type.Timestamp:
    case arrow.Type.Duration:
      return 8;
    case arrow.Type.Interval: {
      const u = (type as arrow.Interval).unit;
      return u === arrow.IntervalUnit.YEAR_MONTH ? 4 : u === arrow.IntervalUnit.DAY_TIME ? 8 : 16;
    }
    case arrow.Type.Decimal:
      return (type as arrow.Decimal).bitWidth / 8;
    case arrow.Type.FixedSizeBinary:
      return (type as arrow.FixedSizeBinary).byteWidth;
    default:
      return undefined;
  }
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function gatherFixed(type: arrow.DataType, width: number, sources: readonly arrow.Data[], p: Picks, valid: Uint8Array): ArrayBufferView {
  const n = p.src.length;
  const ArrayType = (type as unknown as { ArrayType: new (b: ArrayBuffer, o?: number, l?: number) => ArrayBufferView & { BYTES_PER_ELEMENT: number } }).ArrayType;
  const out = new ArrayBuffer(n * width);
  // Copy by 32-bit words when every slot is whole words (typed arrays are element-aligned).
  const word = width % 4 === 0 && sources.every((d) => d.values.byteOffset % 4 === 0) ? 4 : width % 2 === 0 && sources.every((d) => d.values.byteOffset % 2 === 0) ? 2 : 1;
  const per = width / word;
  const View = word === 4 ? Uint32Array : word === 2 ? Uint16Array : Uint8Array;
  const dst = new View(out);
  const srcViews = sources.map((d) => new View(d.values.buffer, d.values.byteOffset, d.values.byteLength / word));
  for (let j = 0; j < n; j++) {
    if (!valid[j]) continue;
    const sv = srcViews[p.src[j]!]!;
    const from = p.idx[j]! * per;
    const to = j * per;
    if (from + per > sv.length) throw new InvalidInputError('SHORT_ARROW_BUFFER', `an Arrow ${String(type)} column has ${sv.length / per} values but row ${p.idx[j]} is valid; the data is malformed`);
    for (let k = 0; k < per; k++) dst[to + k] = sv[from + k]!;
  }
  return new ArrayType(out, 0, (n * width) / ArrayType.prototype.BYTES_PER_ELEMENT);
}

function gatherBits(sources: readonly arrow.Data[], p: Picks, valid: Uint8Array): Uint8Array {
  const n = p.src.length;
  const out = new Uint8Array(((n + 63) & ~63) >> 3);
  for (let j = 0; j < n; j++) {
    if (!valid[j]) continue;
    const d = sources[p.src[j]!]!;
    const b = d.offset + p.idx[j]!;
    if ((d.values[b >> 3] & (1 << (b & 7))) !== 0) out[j >> 3]! |= 1 << (j & 7);
  }
  return out;
}

/** Start/end of row i in a (possibly 64-bit) offsets buffer. */
function span(offsets: Int32Array | BigInt64Array, i: number): [number, number] {
  return [Number(offsets[i]!), Number(offsets[i + 1]!)];
}

function gatherVarBinary(type: arrow.DataType, large: boolean, sources: readonly arrow.Data[], p: Picks, valid: Uint8Array) {
  const n = p.src.length;
  let total = 0;
  for (let j = 0; j < n; j++) {
    if (!valid[j]) continue;
    const [a, b] = span(sources[p.src[j]!]!.valueOffsets as Int32Array | BigInt64Array, p.idx[j]!);
    total += b - a;
  }
  if (!large && total > 0x7fffffff) throw new InvalidInputError('COLUMN_TOO_LARGE', `a ${String(type)} column would hold ${total} bytes, over the 2 GiB of 32-bit offsets; use the Large variant of the type`);
  const offsets = large ? new BigInt64Array(n + 1) : new Int32Array(n + 1);
  const data = new Uint8Array(total);
  let at = 0;
  for (let j = 0; j < n; j++) {
    if (valid[j]) {
      const d = sources[p.src[j]!]!;
      const [a, b] = span(d.valueOffsets as Int32Array | BigInt64Array, p.idx[j]!);
      data.set(bytesOf(d.values).subarray(a, b), at);
      at += b - a;
    }
    if (large) (offsets as BigInt64Array)[j + 1] = BigInt(at);
    else (offsets as Int32Array)[j + 1] = at;
  }
  return { valueOffsets: offsets, data };
}

/** Picks of the child rows under the picked list rows (null rows contribute none). */
function listChildPicks(sources: readonly arrow.Data[], p: Picks, valid: Uint8Array): { child: Picks; offsets: Int32Array } {
  const n = p.src.length;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let j = 0; j < n; j++) {
    if (valid[j]) {
      const [a, b] = span(sources[p.src[j]!]!.valueOffsets as Int32Array, p.idx[j]!);
      total += b - a;
    }
    offsets[j + 1] = total;
  }
  const child = { src: new Int32Array(total), idx: new Int32Array(total) };
  let at = 0;
  for (let j = 0; j < n; j++) {
    if (!valid[j]) continue;
    const [a, b] = span(sources[p.src[j]!]!.valueOffsets as Int32Array, p.idx[j]!);
    for (let k = a; k < b; k++, at++) {
      child.src[at] = p.src[j]!;
      child.idx[at] = k;
    }
  }
  return { child, offsets };
}

/** Child picks of a fixed-size list: `size` slots per row, null rows give null slots. */
function fixedListChildPicks(size: number, p: Picks, valid: Uint8Array): Picks {
  const n = p.src.length;
  const child = { src: new Int32Array(n * size).fill(-1), idx: new Int32Array(n * size).fill(-1) };
  for (let j = 0; j < n; j++) {
    if (!valid[j]) continue;
    for (let k = 0; k < size; k++) {
      child.src[j * size + k] = p.src[j]!;
      child.idx[j * size + k] = p.idx[j]! * size + k;
    }
  }
  return child;
}

/** Struct children see the parent's null rows as null rows too. */
function maskedPicks(p: Picks, valid: Uint8Array): Picks {
  const src = p.src.slice();
  for (let j = 0; j < src.length; j++) if (!valid[j]) src[j] = -1;
  return { src, idx: p.idx };
}

function gatherDictionary(type: arrow.Dictionary, sources: readonly arrow.Data[], p: Picks, v: { bitmap: Uint8Array | undefined; nullCount: number; valid: Uint8Array }): arrow.Data {
  // One shared dictionary stays as it is; different ones are concatenated and indices shifted.
  const dicts = sources.map((d) => d.dictionary!);
  const shared = dicts.length > 0 && dicts.every((x) => x === dicts[0]);
  const base: number[] = [];
  let dictionary: arrow.Vector;
  if (shared) {
    dictionary = dicts[0]!;
    dicts.forEach(() => base.push(0));
  } else {
    let at = 0;
    const datas: arrow.Data[] = [];
    for (const d of dicts) {
      base.push(at);
      if (d) {
        at += d.length;
        datas.push(...d.data);
      }
    }
    dictionary = arrow.makeVector(concatData(type.dictionary, datas));
  }
  const ArrayType = type.indices.ArrayType as unknown as new (n: number) => ArrayLike<number | bigint> & { [i: number]: number | bigint };
  const n = p.src.length;
  const out = new ArrayType(n);
  const big = (type.indices.bitWidth as number) === 64;
  const max = type.indices.isSigned ? 2 ** (type.indices.bitWidth - 1) - 1 : 2 ** type.indices.bitWidth - 1;
  if (dictionary.length - 1 > max) throw new InvalidInputError('DICTIONARY_OVERFLOW', `${dictionary.length} dictionary values do not fit ${String(type.indices)} indices; use wider dictionary indices`);
  for (let j = 0; j < n; j++) {
    if (!v.valid[j]) continue;
    const s = p.src[j]!;
    const x = Number(sources[s]!.values[p.idx[j]!]) + base[s]!;
    out[j] = big ? BigInt(x) : x;
  }
  return arrow.makeData({ type, length: n, nullCount: v.nullCount, nullBitmap: v.bitmap, data: out as never, dictionary } as never);
}

function gather(type: arrow.DataType, sources: readonly arrow.Data[], p: Picks): arrow.Data {
  const n = p.src.length;
  if (type.typeId === arrow.Type.Null) return arrow.makeData({ type: type as arrow.Null, length: n, nullCount: n });
  const v = gatherValidity(sources, p);
  const common = { type, length: n, nullCount: v.nullCount, nullBitmap: v.bitmap };
  if (arrow.DataType.isDictionary(type)) return gatherDictionary(type, sources, p, v);
  const width = fixedWidthBytes(type);
  if (width !== undefined) return arrow.makeData({ ...common, data: gatherFixed(type, width, sources, p, v.valid) } as never);
  switch (type.typeId) {
    case arrow.Type.Bool:
      return arrow.makeData({ ...common, data: gatherBits(sources, p, v.valid) } as never);
    case arrow.Type.Utf8:
    case arrow.Type.Binary:
      return arrow.makeData({ ...common, ...gatherVarBinary(type, false, sources, p, v.valid) } as never);
    case arrow.Type.LargeUtf8:
    case arrow.Type.LargeBinary:
      return arrow.makeData({ ...common, ...gatherVarBinary(type, true, sources, p, v.valid) } as never);
    case arrow.Type.FixedSizeList: {
      const t = type as arrow.FixedSizeList;
      const child = gather(t.children[0]!.type, sources.map((d) => d.children[0]!), fixedListChildPicks(t.listSize, p, v.valid));
      return arrow.makeData({ ...common, child } as never);
    }
    case arrow.Type.List:
    case arrow.Type.Map: {
      const { child, offsets } = listChildPicks(sources, p, v.valid);
      const c = gather(type.children[0]!.type, sources.map((d) => d.children[0]!), child);
      return arrow.makeData({ ...common, valueOffsets: offsets, child: c } as never);
    }
    case arrow.Type.Struct: {
      const masked = maskedPicks(p, v.valid);
      const children = type.children.map((f: arrow.Field, k: number) => gather(f.type, sources.map((d) => d.children[k]!), masked));
      return arrow.makeData({ ...common, children } as never);
    }
    default:
      throw new InvalidInputError('UNSUPPORTED_TYPE', `cannot move rows of Arrow type ${String(type)}; lancet writes no column of this type`);
  }
}

function picksOf(src: ArrayLike<number>, idx: ArrayLike<number>): Picks {
  return { src: Int32Array.from(src), idx: Int32Array.from(idx) };
}

/** Rows `indices` of `data` in that order (an index below 0 gives a null row). */
export function takeData(data: arrow.Data, indices: ArrayLike<number>): arrow.Data {
  const src = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) src[j] = indices[j]! < 0 ? -1 : 0;
  return gather(data.type, [data], { src, idx: Int32Array.from(indices) });
}

/** Output row j is row `idx[j]` of `sources[src[j]]` (negative: null). All sources share `type`'s layout. */
export function interleaveData(type: arrow.DataType, sources: readonly arrow.Data[], src: ArrayLike<number>, idx: ArrayLike<number>): arrow.Data {
  return gather(type, sources, picksOf(src, idx));
}

/** The rows of every Data, one after the other, in one Data. */
export function concatData(type: arrow.DataType, datas: readonly arrow.Data[]): arrow.Data {
  if (datas.length === 1) return datas[0]!;
  const n = datas.reduce((s, d) => s + d.length, 0);
  const src = new Int32Array(n);
  const idx = new Int32Array(n);
  let at = 0;
  datas.forEach((d, s) => {
    for (let i = 0; i < d.length; i++, at++) {
      src[at] = s;
      idx[at] = i;
    }
  });
  return gather(type, datas, { src, idx });
}

/** `old` with rows `at` replaced, in order, by the rows of `fresh`. */
export function scatterData(old: arrow.Data, at: ArrayLike<number>, fresh: arrow.Data): arrow.Data {
  const src = new Int32Array(old.length);
  const idx = Int32Array.from({ length: old.length }, (_, i) => i);
  for (let k = 0; k < at.length; k++) {
    src[at[k]!] = 1;
    idx[at[k]!] = k;
  }
  return gather(old.type, [old, fresh], { src, idx });
}

/** `n` null rows of `type`, with full-length children (fixed-size lists get n × size slots). */
export function nullData(type: arrow.DataType, n: number): arrow.Data {
  return gather(type, [], { src: new Int32Array(n).fill(-1), idx: new Int32Array(n).fill(-1) });
}

/** One Data holding every row of the vector. */
export function columnData(v: arrow.Vector): arrow.Data {
  return v.data.length === 1 ? v.data[0]! : v.data.length === 0 ? nullOrEmpty(v.type) : concatData(v.type, v.data);
}

function nullOrEmpty(type: arrow.DataType): arrow.Data {
  return nullData(type, 0);
}
