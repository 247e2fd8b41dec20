// The Arrow Data kernels (take, concat, interleave, scatter, null columns) and the checked
// column builder, over every type lancet writes plus lists, large lists of bytes, dictionaries
// and slices: each output row must be bit-identical to the row it was taken from.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { canon, COLUMN_KINDS, type ColumnKind } from '../dataset-ops/arrow-types.js';
import { concatData, dictionaryEncode, interleaveData, nullData, scatterData, takeData } from '../../src/dataset/arrow/kernels.js';
import { ArrowCell, buildColumn } from '../../src/dataset/arrow/build-column.js';
import { localTable, retypeData, sameLayout } from '../../src/dataset/arrow/adopt.js';
import { InvalidInputError } from '../../src/errors.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const cjsArrow: any = createRequire(import.meta.url)('apache-arrow');

const KINDS: ColumnKind[] = [
  ...COLUMN_KINDS,
  { name: 'list_i32', type: () => new arrow.List(new arrow.Field('item', new arrow.Int32(), true)), value: fc.array(fc.option(fc.integer(), { nil: null }), { maxLength: 4 }) },
  {
    name: 'list_struct',
    type: () => new arrow.List(new arrow.Field('item', new arrow.Struct([new arrow.Field('x', new arrow.LargeUtf8(), true)]), true)),
    value: fc.array(fc.option(fc.record({ x: fc.option(fc.string({ maxLength: 3 }), { nil: null }) }), { nil: null }), { maxLength: 3 }),
  },
  { name: 'dict_utf8', type: () => new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), value: fc.constantFrom('a', 'bb', 'ccc', '') },
  {
    name: 'fsl_struct',
    type: () => new arrow.FixedSizeList(2, new arrow.Field('item', new arrow.Struct([new arrow.Field('b', new arrow.Bool(), true)]), true)),
    value: fc.array(fc.option(fc.record({ b: fc.option(fc.boolean(), { nil: null }) }), { nil: null }), { minLength: 2, maxLength: 2 }),
  },
];

const columnArb = fc.constantFrom(...KINDS).chain((k) =>
  fc.record({
    kind: fc.constant(k.name),
    values: fc.array(fc.option(k.value, { nil: null, freq: 3 }), { minLength: 1, maxLength: 12 }),
    slice: fc.nat(),
  }),
);

function column(kind: string, values: unknown[], slice: number): { data: arrow.Data; rows: unknown[] } {
  const type = KINDS.find((k) => k.name === kind)!.type();
  const full = buildColumn(values, type, kind);
  // A slice starting mid-way exercises offsets of values, validity bits and children.
  const from = slice % values.length;
  const data = full.slice(from, values.length - from);
  return { data, rows: Array.from({ length: data.length }, (_, i) => canon(full, from + i)) };
}

const rowsOf = (d: arrow.Data) => Array.from({ length: d.length }, (_, i) => canon(d, i));

describe('Arrow data kernels', () => {
  it('take copies the picked rows exactly (negative index: null), for every type and slices', () => {
    fc.assert(
      fc.property(columnArb, fc.array(fc.integer({ min: -1, max: 40 }), { maxLength: 20 }), (c, picks) => {
        const { data, rows } = column(c.kind, c.values, c.slice);
        const idx = picks.map((p) => (p < 0 ? -1 : p % data.length));
        const out = takeData(data, idx);
        expect(out.length).toBe(idx.length);
        expect(rowsOf(out)).toEqual(idx.map((i) => (i < 0 ? null : rows[i])));
      }),
      { numRuns: 300 },
    );
  });

  it('concat, interleave and scatter keep every row', () => {
    fc.assert(
      fc.property(columnArb, fc.nat(), (c, seed) => {
        const a = column(c.kind, c.values, c.slice);
        const b = column(c.kind, [...c.values].reverse(), c.slice + 1);
        expect(rowsOf(concatData(a.data.type, [a.data, b.data]))).toEqual([...a.rows, ...b.rows]);
        const src = Array.from({ length: 10 }, (_, j) => ((seed >> j) & 1 ? 1 : 0));
        const idx = src.map((s, j) => (j * 7 + seed) % (s ? b.data.length : a.data.length));
        expect(rowsOf(interleaveData(a.data.type, [a.data, b.data], src, idx))).toEqual(src.map((s, j) => (s ? b.rows : a.rows)[idx[j]!]));
        const at = [...new Set(Array.from({ length: Math.min(3, a.data.length, b.data.length) }, (_, j) => (seed + j * 5) % a.data.length))];
        const fresh = takeData(b.data, at.map((_, j) => j));
        const want = [...a.rows];
        at.forEach((i, j) => (want[i] = b.rows[j]));
        expect(rowsOf(scatterData(a.data, at, fresh))).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('null columns have full-length children (a fixed-size list of n rows has n × size item slots)', () => {
    const t = new arrow.FixedSizeList(8, new arrow.Field('item', new arrow.Float32(), true));
    const d = nullData(t, 5);
    expect(d.nullCount).toBe(5);
    expect(d.children[0]!.length).toBe(40);
    expect(d.children[0]!.values.length).toBe(40);
    for (const k of KINDS) expect(rowsOf(nullData(k.type(), 3))).toEqual([null, null, null]);
  });

  it('large binary offsets are 64-bit and survive take', () => {
    const d = buildColumn([new Uint8Array([1, 2]), null, new Uint8Array([3])], new arrow.LargeBinary(), 'b');
    const out = takeData(d, [2, 0, 1]);
    expect(out.valueOffsets).toBeInstanceOf(BigInt64Array);
    expect(rowsOf(out)).toEqual(['03', '0102', null]);
  });

  it('dictionaries from different sources are merged and the indices shifted', () => {
    const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    const a = buildColumn(['x', 'y', 'x'], type, 'd');
    const b = buildColumn(['z', null], type, 'd');
    expect(rowsOf(concatData(type, [a, b]))).toEqual([...rowsOf(a), ...rowsOf(b)]);
  });
});

it('dictionary encoding keeps every row and stores each distinct value once', () => {
  fc.assert(
    fc.property(fc.constantFrom('utf8', 'large_binary', 'int64', 'ts_us', 'decimal', 'bool'), fc.array(fc.nat(5)), fc.nat(), (name, picks, seed) => {
      const k = KINDS.find((x) => x.name === name)!;
      const pool = fc.sample(k.value, { numRuns: 4, seed });
      const values = picks.map((p) => (p === 5 ? null : pool[p % 4]));
      const plain = buildColumn(values, k.type(), name);
      const enc = dictionaryEncode(plain, new arrow.Dictionary(k.type(), new arrow.Int16()));
      expect(rowsOf(enc)).toEqual(rowsOf(plain));
      expect(enc.dictionary!.length).toBeLessThanOrEqual(5);
    }),
    { numRuns: 100 },
  );
});

describe('checked column builder', () => {
  it('agrees with arrow-js where arrow-js is exact', () => {
    const exact = ['int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32', 'float32', 'float64', 'bool', 'utf8', 'binary'];
    fc.assert(
      fc.property(fc.constantFrom(...exact).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.option(KINDS.find((k) => k.name === n)!.value, { nil: null }), { maxLength: 10 }))), ([n, values]) => {
        const type = KINDS.find((k) => k.name === n)!.type();
        expect(rowsOf(buildColumn(values, type, n))).toEqual(rowsOf(arrow.vectorFromArray(values, type as never).data[0]!));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps what arrow-js loses: microseconds, decimals, vectors given as Vectors', () => {
    const ts = buildColumn([1_700_000_000_123_456n, new Date(1_700_000_000_123)], new arrow.TimestampMicrosecond(), 'ts');
    expect(Array.from(ts.values as BigInt64Array)).toEqual([1_700_000_000_123_456n, 1_700_000_000_123_000n]);
    const dec = buildColumn([-12345n, '1.5', 2.25], new arrow.Decimal(2, 9, 128), 'd');
    expect(rowsOf(dec)).toEqual(rowsOf(buildColumn([-12345n, 150n, 225n], new arrow.Decimal(2, 9, 128), 'd')));
    const fsl = new arrow.FixedSizeList(2, new arrow.Field('item', new arrow.Float32(), true));
    const src = arrow.vectorFromArray([[1, 2]], fsl);
    expect(rowsOf(buildColumn([src.get(0), new Float32Array([3, 4])], fsl, 'v'))).toEqual(rowsOf(arrow.vectorFromArray([[1, 2], [3, 4]], fsl).data[0]!));
  });

  it('ArrowCells are copied from their data; other values are built and checked', () => {
    const type = new arrow.TimestampNanosecond();
    const old = buildColumn([1n, 2n, null, 4n], type, 'ts');
    const out = buildColumn([new ArrowCell(old, 3), 7n, new ArrowCell(old, 2), null], type, 'ts');
    expect(Array.from(out.values as BigInt64Array)[0]).toBe(4n);
    expect(rowsOf(out)).toEqual([rowsOf(old)[3], rowsOf(buildColumn([7n], type, 'ts'))[0], null, null]);
    expect(() => buildColumn([new ArrowCell(old, 0), 'x'], type, 'ts')).toThrow(InvalidInputError);
  });

  it.each([
    [new arrow.Int8(), 128, 'is out of range'],
    [new arrow.Uint32(), -1, 'is out of range'],
    [new arrow.Int64(), 2 ** 60, 'pass a bigint'],
    [new arrow.Int32(), true, 'not a number or bigint'],
    [new arrow.Float32(), '1', 'not a number'],
    [new arrow.Bool(), 1, 'not a boolean'],
    [new arrow.Binary(), 'ab', 'not a Uint8Array'],
    [new arrow.FixedSizeBinary(2), new Uint8Array(3), 'not 2'],
    [new arrow.Decimal(2, 4, 128), '123.45', 'more than 4 digits'],
    [new arrow.Decimal(2, 9, 128), '1.234', 'fractional digits'],
    [new arrow.TimestampSecond(), 1500, 'whole number of seconds'],
    [new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true)]), { a: 1, b: 2 }, 'field(s) b'],
  ])('%s rejects %s', (type, value, why) => {
    const err = (() => {
      try {
        buildColumn([null, value], type, 'col', 10);
      } catch (e) {
        return e;
      }
    })() as InvalidInputError;
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.code).toBe('BAD_VALUE');
    expect(err.details.row).toBe(11);
    expect(err.message).toContain(why);
  });
});

describe('foreign Arrow and type spellings', () => {
  it('a CommonJS apache-arrow table is adopted over the same buffers', () => {
    const t = new cjsArrow.Table({
      v: cjsArrow.vectorFromArray([[1, 2], null], new cjsArrow.FixedSizeList(2, new cjsArrow.Field('item', new cjsArrow.Float32(), true))),
      d: cjsArrow.vectorFromArray(['a', 'b']),
      ts: cjsArrow.vectorFromArray([1, null], new cjsArrow.TimestampMicrosecond()),
    });
    expect(t).not.toBeInstanceOf(arrow.Table);
    const local = localTable(t);
    expect(local).toBeInstanceOf(arrow.Table);
    for (const name of ['v', 'd', 'ts']) {
      const ours = local.getChild(name)!.data[0]!;
      expect(ours).toBeInstanceOf(arrow.Data);
      expect(rowsOf(ours)).toEqual(rowsOf(t.getChild(name).data[0]));
      expect(ours.values).toBe(t.getChild(name).data[0].values);
    }
  });

  it('type classes with the same layout compare equal and relabel', () => {
    expect(sameLayout(new arrow.TimestampMicrosecond(), new arrow.Timestamp(arrow.TimeUnit.MICROSECOND))).toBe(true);
    expect(sameLayout(new arrow.TimestampMicrosecond(), new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, 'UTC'))).toBe(false);
    expect(sameLayout(new arrow.Int32(), new arrow.Uint32())).toBe(false);
    const d = buildColumn([5n], new arrow.TimestampMicrosecond(), 'ts');
    const target = new arrow.Timestamp(arrow.TimeUnit.MICROSECOND);
    expect(retypeData(d, target).type).toBe(target);
  });
});
