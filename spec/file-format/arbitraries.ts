// fast-check generators for Lance schemas and Arrow batches, plus a canonical row form used to
// compare what was written with what was read.
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { fixedBitsOf } from '../../src/format/file/leaf-kind.js';

export interface GenOptions {
  /** Only types and values Lance 12 reads back identically (ASCII strings, no float16/decimal). */
  peerSafe?: boolean;
  maxRows?: number;
}

const TIME_UNITS = [arrow.TimeUnit.SECOND, arrow.TimeUnit.MILLISECOND, arrow.TimeUnit.MICROSECOND, arrow.TimeUnit.NANOSECOND];

export function leafTypeArb(o: GenOptions): fc.Arbitrary<arrow.DataType> {
  const fixed: fc.Arbitrary<arrow.DataType>[] = [
    fc.constantFrom<arrow.DataType>(
      new arrow.Int8(), new arrow.Int16(), new arrow.Int32(), new arrow.Int64(),
      new arrow.Uint8(), new arrow.Uint16(), new arrow.Uint32(), new arrow.Uint64(),
      new arrow.Float32(), new arrow.Float64(), new arrow.Bool(), new arrow.DateDay(), new arrow.DateMillisecond(),
    ),
    fc.tuple(fc.constantFrom(...TIME_UNITS), fc.constantFrom(null, 'UTC', 'America/New_York')).map(([u, tz]) => new arrow.Timestamp(u, tz)),
  ];
  if (!o.peerSafe) fixed.push(fc.constantFrom<arrow.DataType>(new arrow.Float16(), new arrow.Decimal(2, 20, 128)));
  const variable = fc.constantFrom<arrow.DataType>(new arrow.Utf8(), new arrow.LargeUtf8(), new arrow.Binary(), new arrow.LargeBinary());
  const fsl = fc
    .tuple(fc.constantFrom<arrow.DataType>(new arrow.Float32(), new arrow.Int16(), new arrow.Float64(), new arrow.Bool()), fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constantFrom(32, 64, 100)))
    .map(([item, n]) => new arrow.FixedSizeList(n, new arrow.Field('item', item, true)) as arrow.DataType);
  return fc.oneof({ arbitrary: fc.oneof(...fixed), weight: 4 }, { arbitrary: variable, weight: 3 }, { arbitrary: fsl, weight: 1 });
}

export function fieldArb(o: GenOptions, depth = 0): fc.Arbitrary<arrow.Field> {
  const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
  const leaf = fc.tuple(name, leafTypeArb(o), fc.boolean()).map(([n, t, nullable]) => new arrow.Field(n, t, nullable));
  if (depth >= 2) return leaf;
  const struct = fc
    .tuple(name, fc.uniqueArray(fieldArb(o, depth + 1), { minLength: 1, maxLength: 3, selector: (f) => f.name }), fc.boolean())
    .map(([n, kids, nullable]) => new arrow.Field(n, new arrow.Struct(kids), nullable));
  return fc.oneof({ arbitrary: leaf, weight: 4 }, { arbitrary: struct, weight: 1 });
}

export function schemaArb(o: GenOptions): fc.Arbitrary<arrow.Schema> {
  return fc.uniqueArray(fieldArb(o), { minLength: 1, maxLength: 4, selector: (f) => f.name }).map((fs) => new arrow.Schema(fs));
}

/** How nulls are sprinkled: none, some, all. */
type NullMode = 'none' | 'some' | 'all';

function bitmap(n: number, valid: (i: number) => boolean): { bitmap: Uint8Array; nulls: number } {
  const b = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (valid(i)) b[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return { bitmap: b, nulls };
}

/** A deterministic PRNG driven by a fast-check seed, so data generation stays cheap. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

function randomBytes(r: () => number, n: number, ascii: boolean): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = ascii ? 0x61 + Math.floor(r() * 26) : Math.floor(r() * 256);
  return b;
}

function validityOf(r: () => number, field: arrow.Field, n: number, mode: NullMode) {
  if (!field.nullable || mode === 'none') return { nullCount: 0, nullBitmap: null as Uint8Array | null };
  const { bitmap: b, nulls } = bitmap(n, () => mode !== 'all' && r() > 0.3);
  return { nullCount: nulls, nullBitmap: nulls ? b : null };
}

/** Random Arrow Data of `field`'s type with `n` rows. `huge` allows values of 64 KiB+. */
export function makeColumn(r: () => number, field: arrow.Field, n: number, o: GenOptions & { huge?: boolean }): arrow.Data {
  const t = field.type;
  const mode: NullMode = r() < 0.1 ? 'all' : r() < 0.5 ? 'none' : 'some';
  const v = validityOf(r, field, n, mode);
  if (t.typeId === arrow.Type.Struct) {
    const children = (t.children as arrow.Field[]).map((c) => makeColumn(r, c, n, o));
    return arrow.makeData({ type: t as arrow.Struct, length: n, ...v, children });
  }
  if (t.typeId === arrow.Type.FixedSizeList) {
    const fsl = t as arrow.FixedSizeList;
    const child = makeColumn(r, fsl.children[0]!, n * fsl.listSize, { ...o, huge: false });
    return arrow.makeData({ type: fsl, length: n, ...v, child });
  }
  const bits = fixedBitsOf(t);
  if (bits !== undefined) {
    const bytes = randomBytes(r, Math.ceil((n * bits) / 8), false);
    if (t.typeId === arrow.Type.Bool) return arrow.makeData({ type: t as arrow.Bool, length: n, ...v, data: bytes });
    const T = (t as unknown as { ArrayType: { new (b: ArrayBuffer): ArrayBufferView } }).ArrayType;
    if (o.peerSafe && t.typeId === arrow.Type.Float) {
      // NaN payloads do not survive every path; keep floats finite.
      const dv = new DataView(bytes.buffer);
      const w = bits / 8;
      for (let i = 0; i < n; i++) (w === 4 ? dv.setFloat32(i * 4, (r() - 0.5) * 1e6, true) : dv.setFloat64(i * 8, (r() - 0.5) * 1e12, true));
    }
    return arrow.makeData({ type: t, length: n, ...v, data: new T(bytes.buffer as ArrayBuffer) } as never);
  }
  const large = t.typeId === arrow.Type.LargeUtf8 || t.typeId === arrow.Type.LargeBinary;
  const ascii = t.typeId === arrow.Type.Utf8 || t.typeId === arrow.Type.LargeUtf8;
  const lens: number[] = [];
  const pick = r();
  for (let i = 0; i < n; i++) {
    const x = r();
    let len = pick < 0.6 ? Math.floor(x * 24) : pick < 0.9 ? Math.floor(x * 600) : Math.floor(x * 3000);
    if (o.huge && x < 0.05) len = 65536 + Math.floor(r() * 2000);
    if (x > 0.95) len = 0;
    lens.push(len);
  }
  const total = lens.reduce((a, b) => a + b, 0);
  const data = randomBytes(r, total, ascii);
  const offsets = large ? new BigInt64Array(n + 1) : new Int32Array(n + 1);
  let p = 0;
  lens.forEach((len, i) => {
    p += len;
    if (large) (offsets as BigInt64Array)[i + 1] = BigInt(p);
    else (offsets as Int32Array)[i + 1] = p;
  });
  return arrow.makeData({ type: t as arrow.Utf8, length: n, ...v, valueOffsets: offsets as Int32Array, data });
}

export function makeBatch(r: () => number, schema: arrow.Schema, n: number, o: GenOptions & { huge?: boolean }): arrow.RecordBatch {
  const children = schema.fields.map((f) => makeColumn(r, f, n, o));
  return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children }));
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** Canonical value of row `i` of `d`: null, hex of the value bytes, or nested arrays. */
export function canonical(d: arrow.Data, i: number): unknown {
  if (!d.getValid(i)) return null;
  const t = d.type;
  if (t.typeId === arrow.Type.Struct) return d.children.map((c) => canonical(c, i));
  if (t.typeId === arrow.Type.FixedSizeList) {
    const n = (t as arrow.FixedSizeList).listSize;
    const c = d.children[0]!;
    return Array.from({ length: n }, (_, j) => canonical(c, i * n + j));
  }
  if (t.typeId === arrow.Type.Bool) {
    const bit = d.offset + i;
    return ((d.values as Uint8Array)[bit >> 3]! >> (bit & 7)) & 1;
  }
  const bits = fixedBitsOf(t);
  if (bits !== undefined) {
    const v = d.values as ArrayBufferView;
    const w = bits / 8;
    return hex(new Uint8Array(v.buffer, v.byteOffset + i * w, w));
  }
  const o = d.valueOffsets as Int32Array | BigInt64Array;
  const a = Number(o[i]!);
  const b = Number(o[i + 1]!);
  return hex((d.values as Uint8Array).subarray(a, b));
}

export function canonicalRows(batches: readonly arrow.RecordBatch[], names: readonly string[]): unknown[][] {
  const out: unknown[][] = [];
  for (const b of batches) {
    const idx = names.map((n) => b.schema.fields.findIndex((f) => f.name === n));
    for (let i = 0; i < b.numRows; i++) out.push(idx.map((k) => canonical(b.data.children[k]!, i)));
  }
  return out;
}
