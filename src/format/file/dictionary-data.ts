// Arrow dictionary columns (Lance logical type `dict:{value}:{index}:{ordered}`). Lance 2.1/2.2
// files store their values (dictionary pages are an encoding choice, not part of the type), so the
// writer expands indices to values and the reader rebuilds a dictionary of the declared type.
import * as arrow from 'apache-arrow';
import { InvalidInputError, LanceFormatError } from '../../errors.js';
import { fixedBitsOf } from './leaf-kind.js';

function isVariable(t: arrow.DataType): boolean {
  return [arrow.Type.Utf8, arrow.Type.Binary, arrow.Type.LargeUtf8, arrow.Type.LargeBinary].includes(t.typeId);
}

function indexAt(d: arrow.Data, i: number): number {
  return Number((d.values as ArrayLike<number | bigint>)[i]!);
}

/** The values a dictionary Data stands for, as a plain Data of the value type. */
export function expandDictionary(d: arrow.Data): arrow.Data {
  const type = d.type as arrow.Dictionary;
  const dict = d.dictionary?.data[0];
  const valueType = type.dictionary;
  const n = d.length;
  const nullBitmap = d.nullCount > 0 && d.nullBitmap ? d.nullBitmap : null;
  const valid = (i: number) => !nullBitmap || d.getValid(i);
  if (!dict) throw new InvalidInputError('BAD_DICTIONARY', 'dictionary column has no dictionary values');
  const check = (k: number) => {
    if (k < 0 || k >= dict.length) throw new InvalidInputError('BAD_DICTIONARY', `dictionary index ${k} is outside the ${dict.length}-value dictionary`);
  };
  const validity = nullBitmap ? { nullCount: d.nullCount, nullBitmap: packValidity(d) } : { nullCount: 0, nullBitmap: null };
  if (isVariable(valueType)) {
    const large = valueType.typeId === arrow.Type.LargeUtf8 || valueType.typeId === arrow.Type.LargeBinary;
    const src = dict.valueOffsets as Int32Array | BigInt64Array;
    const bytes = dict.values as Uint8Array;
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (!valid(i)) continue;
      const k = indexAt(d, i);
      check(k);
      total += Number(src[k + 1]!) - Number(src[k]!);
    }
    const data = new Uint8Array(total);
    const offs = new Float64Array(n + 1);
    let o = 0;
    for (let i = 0; i < n; i++) {
      if (valid(i)) {
        const k = indexAt(d, i);
        const a = Number(src[k]!);
        const b = Number(src[k + 1]!);
        data.set(bytes.subarray(a, b), o);
        o += b - a;
      }
      offs[i + 1] = o;
    }
    const valueOffsets = large ? BigInt64Array.from(offs, (x) => BigInt(x)) : Int32Array.from(offs);
    return arrow.makeData({ type: valueType as arrow.Utf8, length: n, ...validity, valueOffsets: valueOffsets as Int32Array, data });
  }
  const bits = fixedBitsOf(valueType);
  if (bits === undefined || bits % 8 !== 0) throw new InvalidInputError('UNSUPPORTED_TYPE', `dictionaries of ${String(valueType)} values are not supported`);
  const w = bits / 8;
  const v = dict.values as ArrayBufferView;
  const srcBytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const out = new Uint8Array(n * w);
  for (let i = 0; i < n; i++) {
    if (!valid(i)) continue;
    const k = indexAt(d, i);
    check(k);
    out.set(srcBytes.subarray(k * w, (k + 1) * w), i * w);
  }
  const T = (valueType as unknown as { ArrayType: { new (b: ArrayBuffer, o: number, l: number): ArrayBufferView; BYTES_PER_ELEMENT: number } }).ArrayType;
  return arrow.makeData({ type: valueType, length: n, ...validity, data: new T(out.buffer, 0, out.length / T.BYTES_PER_ELEMENT) } as never);
}

function packValidity(d: arrow.Data): Uint8Array {
  const out = new Uint8Array((d.length + 7) >> 3);
  for (let i = 0; i < d.length; i++) if (d.getValid(i)) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** Re-encodes decoded values as a dictionary of `type` (distinct values in first-seen order). */
export function encodeDictionary(values: arrow.Data, type: arrow.Dictionary, where: { path: string; offset: number }): arrow.Data {
  const n = values.length;
  const valid = (i: number) => values.nullCount === 0 || values.getValid(i);
  const seen = new Map<string, number>();
  const firsts: number[] = [];
  const idx = new Float64Array(n);
  const key = keyOf(values);
  for (let i = 0; i < n; i++) {
    if (!valid(i)) continue;
    const k = key(i);
    let at = seen.get(k);
    if (at === undefined) {
      at = firsts.length;
      seen.set(k, at);
      firsts.push(i);
    }
    idx[i] = at;
  }
  const indexType = type.indices;
  const max = indexType.isSigned ? 2 ** (indexType.bitWidth - 1) - 1 : 2 ** indexType.bitWidth - 1;
  if (firsts.length - 1 > max) {
    throw new LanceFormatError('BAD_DICTIONARY', `column holds ${firsts.length} distinct values, more than a ${String(indexType)} dictionary index can address`, where);
  }
  const I = (indexType as unknown as { ArrayType: { new (n: number): ArrayLike<number | bigint> & { [i: number]: number | bigint } } }).ArrayType;
  const indices = new I(n);
  for (let i = 0; i < n; i++) indices[i] = (indexType.bitWidth as number) === 64 ? BigInt(idx[i]!) : idx[i]!;
  const dictVector = arrow.makeVector(takeRows(values, firsts));
  return arrow.makeData({
    type,
    length: n,
    nullCount: values.nullCount,
    nullBitmap: values.nullCount ? values.nullBitmap : null,
    data: indices as unknown as Int8Array,
    dictionary: dictVector,
  } as never);
}

function keyOf(values: arrow.Data): (i: number) => string {
  if (isVariable(values.type)) {
    const o = values.valueOffsets as Int32Array | BigInt64Array;
    const b = values.values as Uint8Array;
    return (i) => Buffer.from(b.buffer, b.byteOffset + Number(o[i]!), Number(o[i + 1]!) - Number(o[i]!)).toString('latin1');
  }
  const bits = fixedBitsOf(values.type) ?? 8;
  const w = bits / 8;
  const v = values.values as ArrayBufferView;
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return (i) => Buffer.from(bytes.buffer, bytes.byteOffset + i * w, w).toString('latin1');
}

/** Rows `rows` of a plain (non-null at those rows) variable or fixed Data. */
function takeRows(values: arrow.Data, rows: readonly number[]): arrow.Data {
  const n = rows.length;
  if (isVariable(values.type)) {
    const large = values.type.typeId === arrow.Type.LargeUtf8 || values.type.typeId === arrow.Type.LargeBinary;
    const o = values.valueOffsets as Int32Array | BigInt64Array;
    const b = values.values as Uint8Array;
    const offs = new Float64Array(n + 1);
    rows.forEach((r, k) => (offs[k + 1] = offs[k]! + Number(o[r + 1]!) - Number(o[r]!)));
    const data = new Uint8Array(offs[n]!);
    rows.forEach((r, k) => data.set(b.subarray(Number(o[r]!), Number(o[r + 1]!)), offs[k]!));
    const valueOffsets = large ? BigInt64Array.from(offs, (x) => BigInt(x)) : Int32Array.from(offs);
    return arrow.makeData({ type: values.type as arrow.Utf8, length: n, nullCount: 0, valueOffsets: valueOffsets as Int32Array, data });
  }
  const w = (fixedBitsOf(values.type) ?? 8) / 8;
  const v = values.values as ArrayBufferView;
  const src = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const out = new Uint8Array(n * w);
  rows.forEach((r, k) => out.set(src.subarray(r * w, (r + 1) * w), k * w));
  const T = (values.type as unknown as { ArrayType: { new (b: ArrayBuffer, o: number, l: number): ArrayBufferView; BYTES_PER_ELEMENT: number } }).ArrayType;
  return arrow.makeData({ type: values.type, length: n, nullCount: 0, data: new T(out.buffer, 0, out.length / T.BYTES_PER_ELEMENT) } as never);
}
