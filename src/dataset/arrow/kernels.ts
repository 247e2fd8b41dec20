// Arrow Data kernels that move rows by copying buffers: take, concat, interleave (scatter is an
// interleave of old and new rows) and all-null columns. Rebuilding a column from `get()` values
// loses data (a FixedSizeList cell is a Vector that arrow-js's builders index as an array, a
// microsecond timestamp comes back as fractional milliseconds, a decimal as a BN), so every
// rewrite path moves rows with these instead. The layout follows arrow-js: fixed-width values
// and offsets start at the Data's first row, validity and boolean bits at `offset`, struct and
// fixed-size-list children are sliced with the parent, list children are addressed by offsets.
import * as arrow from 'apache-arrow';
import { InvalidInputError } from '../../errors.js';

/**
 * Output rows as runs: run r is rows start[r] .. start[r]+len[r]-1 of sources[src[r]], or
 * len[r] null rows when src[r] < 0. Runs keep nested types cheap: a fixed-size list's items are
 * the parent's runs scaled by the list size, so no per-item index is ever built.
 */
interface Runs {
  src: Int32Array;
  start: Int32Array;
  len: Int32Array;
  count: number;
  rows: number;
}

class RunBuilder {
  private src = new Int32Array(16);
  private start = new Int32Array(16);
  private len = new Int32Array(16);
  private count = 0;
  private rows = 0;

  push(src: number, start: number, len: number): void {
    if (len <= 0) return;
    const k = this.count - 1;
    if (src < 0) start = 0;
    if (k >= 0 && this.src[k] === src && (src < 0 || this.start[k]! + this.len[k]! === start)) {
      this.len[k]! += len;
    } else {
      if (this.count === this.src.length) {
        const grow = (a: Int32Array) => {
          const b = new Int32Array(a.length * 2);
          b.set(a);
          return b;
        };
        this.src = grow(this.src);
        this.start = grow(this.start);
        this.len = grow(this.len);
      }
      this.src[this.count] = src;
      this.start[this.count] = start;
      this.len[this.count] = len;
      this.count++;
    }
    this.rows += len;
  }

  done(): Runs {
    return { src: this.src, start: this.start, len: this.len, count: this.count, rows: this.rows };
  }
}

function scaled(r: Runs, size: number): Runs {
  const b = new RunBuilder();
  for (let k = 0; k < r.count; k++) b.push(r.src[k]!, r.start[k]! * size, r.len[k]! * size);
  return b.done();
}

function getBit(b: Uint8Array, i: number): boolean {
  return ((b[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
}

/** Copies `n` bits of `src` from bit `from` to `dst` at bit `to` (dst bits there are clear). */
function copyBitRange(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  let i = 0;
  if ((from & 7) === (to & 7)) {
    for (; i < n && ((from + i) & 7) !== 0; i++) if (getBit(src, from + i)) dst[(to + i) >> 3]! |= 1 << ((to + i) & 7);
    const bytes = (n - i) >> 3;
    if (bytes > 0) {
      dst.set(src.subarray((from + i) >> 3, ((from + i) >> 3) + bytes), (to + i) >> 3);
      i += bytes * 8;
    }
  }
  for (; i < n; i++) if (getBit(src, from + i)) dst[(to + i) >> 3]! |= 1 << ((to + i) & 7);
}

function hasNulls(d: arrow.Data): boolean {
  if (d.typeId === arrow.Type.Null) return d.length > 0;
  return !!d.nullBitmap && d.nullBitmap.length > 0 && d.nullCount > 0;
}

/** Validity of the output rows: source validity bits, clear for null runs. */
function gatherValidity(sources: readonly arrow.Data[], r: Runs): { bitmap: Uint8Array | undefined; nullCount: number } {
  let any = false;
  for (let k = 0; k < r.count && !any; k++) any = r.src[k]! < 0 || hasNulls(sources[r.src[k]!]!);
  if (!any) return { bitmap: undefined, nullCount: 0 };
  const bitmap = new Uint8Array(((r.rows + 63) & ~63) >> 3);
  let at = 0;
  for (let k = 0; k < r.count; k++) {
    const n = r.len[k]!;
    const s = r.src[k]!;
    if (s >= 0) {
      const d = sources[s]!;
      if (d.typeId === arrow.Type.Null) {
        // no valid rows
      } else if (!hasNulls(d)) for (let i = 0; i < n; i++) bitmap[(at + i) >> 3]! |= 1 << ((at + i) & 7);
      else copyBitRange(d.nullBitmap!, d.offset + r.start[k]!, bitmap, at, n);
    }
    at += n;
  }
  let valid = 0;
  for (let i = 0; i < r.rows; i++) if (getBit(bitmap, i)) valid++;
  return valid === r.rows ? { bitmap: undefined, nullCount: 0 } : { bitmap, nullCount: r.rows - valid };
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

function bytesOf(a: ArrayBufferView | undefined): Uint8Array {
  return a ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : new Uint8Array(0);
}

/**
 * Fixed-width slots by runs. Slots past the end of a source buffer (arrow-js leaves them out
 * under null rows) read as zeros.
 */
function gatherFixed(type: arrow.DataType, width: number, sources: readonly arrow.Data[], r: Runs): ArrayBufferView {
  const ArrayType = (type as unknown as { ArrayType: { new (b: ArrayBuffer, o?: number, l?: number): ArrayBufferView; BYTES_PER_ELEMENT: number } }).ArrayType;
  const out = new Uint8Array(r.rows * width);
  const src = sources.map((d) => bytesOf(d.values));
  let at = 0;
  for (let k = 0; k < r.count; k++) {
    const n = r.len[k]!;
    const s = r.src[k]!;
    if (s >= 0) {
      const b = src[s]!;
      const from = r.start[k]! * width;
      const end = Math.min(b.length, from + n * width);
      if (end > from) {
        if (end - from <= 16) for (let i = from; i < end; i++) out[at * width + i - from] = b[i]!;
        else out.set(b.subarray(from, end), at * width);
      }
    }
    at += n;
  }
  return new ArrayType(out.buffer, 0, (r.rows * width) / ArrayType.BYTES_PER_ELEMENT);
}

function gatherBits(sources: readonly arrow.Data[], r: Runs): Uint8Array {
  const out = new Uint8Array(((r.rows + 63) & ~63) >> 3);
  let at = 0;
  for (let k = 0; k < r.count; k++) {
    const s = r.src[k]!;
    if (s >= 0) copyBitRange(sources[s]!.values as Uint8Array, sources[s]!.offset + r.start[k]!, out, at, r.len[k]!);
    at += r.len[k]!;
  }
  return out;
}

type Offsets = Int32Array | BigInt64Array;

function gatherVarBinary(type: arrow.DataType, large: boolean, sources: readonly arrow.Data[], r: Runs) {
  let total = 0;
  for (let k = 0; k < r.count; k++) {
    const s = r.src[k]!;
    if (s < 0) continue;
    const o = sources[s]!.valueOffsets as Offsets;
    total += Number(o[r.start[k]! + r.len[k]!]!) - Number(o[r.start[k]!]!);
  }
  if (!large && total > 0x7fffffff) throw new InvalidInputError('COLUMN_TOO_LARGE', `a ${String(type)} column would hold ${total} bytes, over the 2 GiB of 32-bit offsets; use the Large variant of the type`);
  const offsets = large ? new BigInt64Array(r.rows + 1) : new Int32Array(r.rows + 1);
  const data = new Uint8Array(total);
  let row = 0;
  let pos = 0;
  for (let k = 0; k < r.count; k++) {
    const n = r.len[k]!;
    const s = r.src[k]!;
    if (s < 0) {
      for (let i = 0; i < n; i++) offsets[row + i + 1] = (large ? BigInt(pos) : pos) as never;
    } else {
      const d = sources[s]!;
      const o = d.valueOffsets as Offsets;
      const base = Number(o[r.start[k]!]!);
      const end = Number(o[r.start[k]! + n]!);
      data.set(bytesOf(d.values).subarray(base, end), pos);
      for (let i = 0; i < n; i++) {
        const x = pos + Number(o[r.start[k]! + i + 1]!) - base;
        offsets[row + i + 1] = (large ? BigInt(x) : x) as never;
      }
      pos += end - base;
    }
    row += n;
  }
  return { valueOffsets: offsets, data };
}

/** Runs of the child rows under the picked list rows, and the output offsets. */
function listChildRuns(sources: readonly arrow.Data[], r: Runs): { child: Runs; offsets: Int32Array } {
  const offsets = new Int32Array(r.rows + 1);
  const b = new RunBuilder();
  let row = 0;
  let total = 0;
  for (let k = 0; k < r.count; k++) {
    const n = r.len[k]!;
    const s = r.src[k]!;
    if (s < 0) {
      offsets.fill(total, row + 1, row + n + 1);
    } else {
      const o = sources[s]!.valueOffsets as Int32Array;
      const base = o[r.start[k]!]!;
      b.push(s, base, o[r.start[k]! + n]! - base);
      for (let i = 0; i < n; i++) offsets[row + i + 1] = total + o[r.start[k]! + i + 1]! - base;
      total += o[r.start[k]! + n]! - base;
    }
    row += n;
  }
  return { child: b.done(), offsets };
}

function gatherDictionary(type: arrow.Dictionary, sources: readonly arrow.Data[], r: Runs, v: { bitmap: Uint8Array | undefined; nullCount: number }): arrow.Data {
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
  const big = (type.indices.bitWidth as number) === 64;
  const max = type.indices.isSigned ? 2 ** (type.indices.bitWidth - 1) - 1 : 2 ** type.indices.bitWidth - 1;
  if (dictionary.length - 1 > max) throw new InvalidInputError('DICTIONARY_OVERFLOW', `${dictionary.length} dictionary values do not fit ${String(type.indices)} indices; use wider dictionary indices`);
  const ArrayType = type.indices.ArrayType as unknown as new (n: number) => { [i: number]: number | bigint };
  const out = new ArrayType(r.rows);
  let at = 0;
  for (let k = 0; k < r.count; k++) {
    const s = r.src[k]!;
    if (s >= 0) {
      const values = sources[s]!.values;
      for (let i = 0; i < r.len[k]!; i++) {
        const x = Number(values[r.start[k]! + i] ?? 0) + base[s]!;
        out[at + i] = big ? BigInt(x) : x;
      }
    }
    at += r.len[k]!;
  }
  return arrow.makeData({ type, length: r.rows, nullCount: v.nullCount, nullBitmap: v.bitmap, data: out as never, dictionary } as never);
}

function gather(type: arrow.DataType, sources: readonly arrow.Data[], r: Runs): arrow.Data {
  const n = r.rows;
  if (type.typeId === arrow.Type.Null) return arrow.makeData({ type: type as arrow.Null, length: n, nullCount: n });
  const v = gatherValidity(sources, r);
  const common = { type, length: n, nullCount: v.nullCount, nullBitmap: v.bitmap };
  if (arrow.DataType.isDictionary(type)) return gatherDictionary(type, sources, r, v);
  const width = fixedWidthBytes(type);
  if (width !== undefined) return arrow.makeData({ ...common, data: gatherFixed(type, width, sources, r) } as never);
  switch (type.typeId) {
    case arrow.Type.Bool:
      return arrow.makeData({ ...common, data: gatherBits(sources, r) } as never);
    case arrow.Type.Utf8:
    case arrow.Type.Binary:
      return arrow.makeData({ ...common, ...gatherVarBinary(type, false, sources, r) } as never);
    case arrow.Type.LargeUtf8:
    case arrow.Type.LargeBinary:
      return arrow.makeData({ ...common, ...gatherVarBinary(type, true, sources, r) } as never);
    case arrow.Type.FixedSizeList: {
      // Items under null rows are copied as they are (or zero when arrow-js left them out): readers skip them.
      const t = type as arrow.FixedSizeList;
      const child = gather(t.children[0]!.type, sources.map((d) => d.children[0]!), scaled(r, t.listSize));
      return arrow.makeData({ ...common, child } as never);
    }
    case arrow.Type.List:
    case arrow.Type.Map: {
      const { child, offsets } = listChildRuns(sources, r);
      const c = gather(type.children[0]!.type, sources.map((d) => d.children[0]!), child);
      return arrow.makeData({ ...common, valueOffsets: offsets, child: c } as never);
    }
    case arrow.Type.Struct: {
      const children = type.children.map((f: arrow.Field, k: number) => gather(f.type, sources.map((d) => d.children[k] ?? nullData(f.type, d.length)), r));
      return arrow.makeData({ ...common, children } as never);
    }
    default:
      throw new InvalidInputError('UNSUPPORTED_TYPE', `cannot move rows of Arrow type ${String(type)}; lancet writes no column of this type`);
  }
}

/** Runs for output row j = row idx[j] of sources[src[j]] (negative: null). */
function runsOf(src: ArrayLike<number> | undefined, idx: ArrayLike<number>): Runs {
  const b = new RunBuilder();
  for (let j = 0; j < idx.length; j++) {
    const s = src ? src[j]! : 0;
    const i = idx[j]!;
    b.push(s < 0 || i < 0 ? -1 : s, i, 1);
  }
  return b.done();
}

/** Rows `indices` of `data` in that order (an index below 0 gives a null row). */
export function takeData(data: arrow.Data, indices: ArrayLike<number>): arrow.Data {
  return gather(data.type, [data], runsOf(undefined, indices));
}

/** Output row j is row `idx[j]` of `sources[src[j]]` (negative: null). All sources share `type`'s layout. */
export function interleaveData(type: arrow.DataType, sources: readonly arrow.Data[], src: ArrayLike<number>, idx: ArrayLike<number>): arrow.Data {
  return gather(type, sources, runsOf(src, idx));
}

/** The rows of every Data, one after the other, in one Data. */
export function concatData(type: arrow.DataType, datas: readonly arrow.Data[]): arrow.Data {
  if (datas.length === 1) return datas[0]!;
  const b = new RunBuilder();
  datas.forEach((d, s) => b.push(s, 0, d.length));
  return gather(type, datas, b.done());
}

/** `old` with rows `at` replaced, in order, by the rows of `fresh`. */
export function scatterData(old: arrow.Data, at: ArrayLike<number>, fresh: arrow.Data): arrow.Data {
  const src = new Int32Array(old.length);
  const idx = Int32Array.from({ length: old.length }, (_, i) => i);
  for (let k = 0; k < at.length; k++) {
    src[at[k]!] = 1;
    idx[at[k]!] = k;
  }
  return gather(old.type, [old, fresh], runsOf(src, idx));
}

/** `n` null rows of `type`, with full-length children (fixed-size lists get n × size slots). */
export function nullData(type: arrow.DataType, n: number): arrow.Data {
  const b = new RunBuilder();
  b.push(-1, 0, n);
  return gather(type, [], b.done());
}

/** One Data holding every row of the vector. */
export function columnData(v: arrow.Vector): arrow.Data {
  return v.data.length === 1 ? v.data[0]! : v.data.length === 0 ? nullData(v.type, 0) : concatData(v.type, v.data);
}

/** A key per row equal exactly when the rows' bytes are equal (undefined: do not share). */
function rowKeys(d: arrow.Data): ((i: number) => string | undefined) | undefined {
  const width = fixedWidthBytes(d.type);
  const bytes = bytesOf(d.values);
  const latin1 = (a: number, b: number) => Buffer.from(bytes.buffer, bytes.byteOffset + a, b - a).toString('latin1');
  if (width !== undefined) return (i) => latin1(i * width, (i + 1) * width);
  switch (d.typeId) {
    case arrow.Type.Utf8:
    case arrow.Type.Binary:
    case arrow.Type.LargeUtf8:
    case arrow.Type.LargeBinary: {
      const o = d.valueOffsets as Offsets;
      return (i) => latin1(Number(o[i]!), Number(o[i + 1]!));
    }
    case arrow.Type.Bool:
      return (i) => (getBit(bytes, d.offset + i) ? 't' : 'f');
    default:
      return undefined;
  }
}

/** Plain values as a dictionary column of `type` (distinct values once, in first-seen order). */
export function dictionaryEncode(data: arrow.Data, type: arrow.Dictionary): arrow.Data {
  const keyOf = rowKeys(data);
  const first: number[] = [];
  const slot = new Map<string, number>();
  const idx = new Int32Array(data.length);
  const valid = (i: number) => !hasNulls(data) || getBit(data.nullBitmap!, data.offset + i);
  for (let i = 0; i < data.length; i++) {
    // Null rows point at entry 0; they must not make a null the entry for a real value.
    if (!valid(i)) continue;
    const k = keyOf?.(i);
    let s = k === undefined ? undefined : slot.get(k);
    if (s === undefined) {
      s = first.length;
      first.push(i);
      if (k !== undefined) slot.set(k, s);
    }
    idx[i] = s;
  }
  if (first.length === 0 && data.length > 0) first.push(0);
  const max = type.indices.isSigned ? 2 ** (type.indices.bitWidth - 1) - 1 : 2 ** type.indices.bitWidth - 1;
  if (first.length - 1 > max) throw new InvalidInputError('DICTIONARY_OVERFLOW', `${first.length} distinct values do not fit ${String(type.indices)} dictionary indices`);
  const dictionary = arrow.makeVector(takeData(retypeAs(data, type.dictionary), first));
  const big = (type.indices.bitWidth as number) === 64;
  const ArrayType = type.indices.ArrayType as unknown as new (n: number) => { [i: number]: number | bigint };
  const indices = new ArrayType(data.length);
  for (let i = 0; i < data.length; i++) indices[i] = big ? BigInt(idx[i]!) : idx[i]!;
  const v = gatherValidity([data], { src: Int32Array.of(0), start: Int32Array.of(0), len: Int32Array.of(data.length), count: data.length ? 1 : 0, rows: data.length });
  return arrow.makeData({ type, length: data.length, nullCount: v.nullCount, nullBitmap: v.bitmap, data: indices as never, dictionary } as never);
}

function retypeAs(d: arrow.Data, type: arrow.DataType): arrow.Data {
  return d.type === type ? d : new arrow.Data(type, d.offset, d.length, d.nullCount, [d.valueOffsets, d.values, d.nullBitmap, d.typeIds], d.children, d.dictionary);
}
