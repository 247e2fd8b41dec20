// Column types lancet writes, with value generators, and an exact per-row fingerprint read
// straight from Arrow buffers (independent of arrow-js `get()` and of lancet's kernels), so a
// rewrite that loses a sub-millisecond timestamp, a decimal digit or a vector item is caught.
import fc from 'fast-check';
import * as arrow from 'apache-arrow';

export interface ColumnKind {
  name: string;
  type: () => arrow.DataType;
  /** Non-null JS values the column accepts from row objects. */
  value: fc.Arbitrary<unknown>;
}

const float32 = fc.float({ noNaN: true, noDefaultInfinity: true });
const item = () => new arrow.Field('item', new arrow.Float32(), true);

export const COLUMN_KINDS: ColumnKind[] = [
  { name: 'int8', type: () => new arrow.Int8(), value: fc.integer({ min: -128, max: 127 }) },
  { name: 'int16', type: () => new arrow.Int16(), value: fc.integer({ min: -32768, max: 32767 }) },
  { name: 'int32', type: () => new arrow.Int32(), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
  { name: 'int64', type: () => new arrow.Int64(), value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
  { name: 'uint8', type: () => new arrow.Uint8(), value: fc.integer({ min: 0, max: 255 }) },
  { name: 'uint16', type: () => new arrow.Uint16(), value: fc.integer({ min: 0, max: 65535 }) },
  { name: 'uint32', type: () => new arrow.Uint32(), value: fc.integer({ min: 0, max: 2 ** 32 - 1 }) },
  { name: 'uint64', type: () => new arrow.Uint64(), value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) },
  { name: 'float16', type: () => new arrow.Float16(), value: fc.integer({ min: -2048, max: 2048 }) },
  { name: 'float32', type: () => new arrow.Float32(), value: float32 },
  { name: 'float64', type: () => new arrow.Float64(), value: fc.double({ noNaN: true }) },
  { name: 'bool', type: () => new arrow.Bool(), value: fc.boolean() },
  { name: 'utf8', type: () => new arrow.Utf8(), value: fc.string({ maxLength: 6 }) },
  { name: 'large_utf8', type: () => new arrow.LargeUtf8(), value: fc.string({ maxLength: 6 }) },
  { name: 'binary', type: () => new arrow.Binary(), value: fc.uint8Array({ maxLength: 6 }) },
  { name: 'large_binary', type: () => new arrow.LargeBinary(), value: fc.uint8Array({ maxLength: 6 }) },
  { name: 'fsb3', type: () => new arrow.FixedSizeBinary(3), value: fc.uint8Array({ minLength: 3, maxLength: 3 }) },
  { name: 'date32', type: () => new arrow.DateDay(), value: fc.integer({ min: -100_000, max: 100_000 }).map((d) => new Date(d * 86_400_000)) },
  { name: 'date64', type: () => new arrow.DateMillisecond(), value: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }) },
  { name: 'ts_s', type: () => new arrow.Timestamp(arrow.TimeUnit.SECOND), value: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }) },
  { name: 'ts_ms_utc', type: () => new arrow.Timestamp(arrow.TimeUnit.MILLISECOND, 'UTC'), value: fc.oneof(fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n }), fc.date({ noInvalidDate: true })) },
  { name: 'ts_us', type: () => new arrow.Timestamp(arrow.TimeUnit.MICROSECOND), value: fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }) },
  { name: 'ts_ns_tz', type: () => new arrow.Timestamp(arrow.TimeUnit.NANOSECOND, 'America/New_York'), value: fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }) },
  { name: 'decimal', type: () => new arrow.Decimal(2, 12, 128), value: fc.bigInt({ min: -(10n ** 12n) + 1n, max: 10n ** 12n - 1n }) },
  {
    name: 'vec3',
    type: () => new arrow.FixedSizeList(3, item()),
    // Items may be null too (nested nulls); whole rows are null often (all-null pages).
    value: fc.array(fc.option(float32, { nil: null, freq: 6 }), { minLength: 3, maxLength: 3 }),
  },
  {
    name: 'struct',
    type: () => new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Utf8(), true)]),
    value: fc.record({ a: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null }), b: fc.option(fc.string({ maxLength: 4 }), { nil: null }) }),
  },
];

function valid(d: arrow.Data, i: number): boolean {
  if (d.typeId === arrow.Type.Null) return false;
  const bm = d.nullBitmap;
  if (!bm || bm.length === 0 || d.nullCount === 0) return true;
  const p = d.offset + i;
  return (bm[p >> 3]! & (1 << (p & 7))) !== 0;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

const WIDTH: Partial<Record<arrow.Type, (t: arrow.DataType) => number>> = {
  [arrow.Type.Int]: (t) => (t as arrow.Int).bitWidth / 8,
  [arrow.Type.Float]: (t) => [2, 4, 8][(t as arrow.Float).precision]!,
  [arrow.Type.Date]: (t) => ((t as arrow.Date_).unit === arrow.DateUnit.DAY ? 4 : 8),
  [arrow.Type.Timestamp]: () => 8,
  [arrow.Type.Decimal]: (t) => (t as arrow.Decimal).bitWidth / 8,
  [arrow.Type.FixedSizeBinary]: (t) => (t as arrow.FixedSizeBinary).byteWidth,
};

/** Exact fingerprint of row i of `d`: null, hex of the slot bytes, or nested arrays/objects. */
export function canon(d: arrow.Data, i: number): unknown {
  if (!valid(d, i)) return null;
  const t = d.type;
  const w = WIDTH[t.typeId]?.(t);
  if (w !== undefined) {
    const v = d.values as ArrayBufferView;
    return hex(new Uint8Array(v.buffer, v.byteOffset + i * w, w));
  }
  switch (t.typeId) {
    case arrow.Type.Bool: {
      const b = d.offset + i;
      return ((d.values as Uint8Array)[b >> 3]! & (1 << (b & 7))) !== 0;
    }
    case arrow.Type.Utf8:
    case arrow.Type.Binary:
    case arrow.Type.LargeUtf8:
    case arrow.Type.LargeBinary: {
      const o = d.valueOffsets as Int32Array | BigInt64Array;
      return hex((d.values as Uint8Array).subarray(Number(o[i]!), Number(o[i + 1]!)));
    }
    case arrow.Type.FixedSizeList: {
      const n = (t as arrow.FixedSizeList).listSize;
      return Array.from({ length: n }, (_, k) => canon(d.children[0]!, i * n + k));
    }
    case arrow.Type.List: {
      const o = d.valueOffsets as Int32Array;
      return Array.from({ length: o[i + 1]! - o[i]! }, (_, k) => canon(d.children[0]!, o[i]! + k));
    }
    case arrow.Type.Struct:
      return Object.fromEntries(t.children.map((f: arrow.Field, k: number) => [f.name, canon(d.children[k]!, i)]));
    case arrow.Type.Dictionary:
      return canon((d.dictionary as arrow.Vector).data[0]!, Number(d.values[i]));
    default:
      throw new Error(`canon: no fingerprint for ${String(t)}`);
  }
}

/** Fingerprints of every row of `t`, keyed by the int64 `id` column. */
export function canonRows(t: arrow.Table, columns: readonly string[]): Map<bigint, Record<string, unknown>> {
  const out = new Map<bigint, Record<string, unknown>>();
  for (const b of t.batches) {
    const id = b.getChild('id')!;
    for (let i = 0; i < b.numRows; i++) {
      out.set(id.get(i) as bigint, Object.fromEntries(columns.map((c) => [c, canon(b.getChild(c)!.data[0]!, i)])));
    }
  }
  return out;
}
