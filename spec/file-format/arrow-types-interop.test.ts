// Property: every Arrow type Lance 12 gives a logical type to (lance-core datatypes.rs: decimals
// 128/256, fixed-size binary, float16, date32/64, time32/64, timestamps of every unit with and
// without a time zone, durations, null, large utf8/binary, and lists/structs of them) crosses
// between lancet and Lance 12 in both directions with the same schema and the same bytes.
// Intervals are left out: Lance 12 has no logical type for them (it refuses such columns).
// Null columns are generated at the top level only: Lance 12 fails to write a null field inside
// a struct ("Arrays of type Null cannot contain a null bitmask") and lancet refuses it.
// Values are compared as raw slot bytes, so a lost nanosecond or decimal digit is caught.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/index.js';
import { peerCreate, peerScan } from '../../test/helpers/lance-peer.js';
import { rng } from './arbitraries.js';

const U = arrow.TimeUnit;
/** Zone names only: Lance 12 splits its type string on ':' and fails on offsets such as "+05:30". */
const ZONES = [null, 'UTC', 'Europe/Paris', 'Asia/Kolkata'];

const LEAVES: arrow.DataType[] = [
  new arrow.Decimal(3, 20, 128),
  new arrow.Decimal(0, 38, 128),
  new arrow.Decimal(5, 40, 256),
  new arrow.FixedSizeBinary(1),
  new arrow.FixedSizeBinary(7),
  new arrow.Float16(),
  new arrow.DateDay(),
  new arrow.DateMillisecond(),
  new arrow.TimeSecond(),
  new arrow.TimeMillisecond(),
  new arrow.TimeMicrosecond(),
  new arrow.TimeNanosecond(),
  ...[U.SECOND, U.MILLISECOND, U.MICROSECOND, U.NANOSECOND].flatMap((u) => ZONES.map((z) => new arrow.Timestamp(u, z))),
  ...[U.SECOND, U.MILLISECOND, U.MICROSECOND, U.NANOSECOND].map((u) => new arrow.Duration(u)),
  new arrow.LargeUtf8(),
  new arrow.LargeBinary(),
];

/** Bytes per slot of a fixed-width type. */
function widthOf(t: arrow.DataType): number | undefined {
  switch (t.typeId) {
    case arrow.Type.Decimal:
      return (t as arrow.Decimal).bitWidth / 8;
    case arrow.Type.FixedSizeBinary:
      return (t as arrow.FixedSizeBinary).byteWidth;
    case arrow.Type.Float:
      return 2;
    case arrow.Type.Date:
      return (t as arrow.Date_).unit === arrow.DateUnit.DAY ? 4 : 8;
    case arrow.Type.Time:
      return (t as arrow.Time).bitWidth / 8;
    case arrow.Type.Timestamp:
    case arrow.Type.Duration:
      return 8;
    default:
      return undefined;
  }
}

const nestedTypeArb: fc.Arbitrary<arrow.DataType> = fc.letrec<{ t: arrow.DataType }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: fc.constantFrom(...LEAVES), weight: 6 },
    { arbitrary: tie('t').map((c) => new arrow.List(new arrow.Field('item', c, true)) as arrow.DataType), weight: 1 },
    {
      arbitrary: fc.array(tie('t'), { minLength: 1, maxLength: 3 }).map((cs) => new arrow.Struct(cs.map((c, i) => new arrow.Field(`f${i}`, c, true))) as arrow.DataType),
      weight: 1,
    },
  ),
})).t;

type Rand = () => number;

function validity(r: Rand, n: number, nullRate: number): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (r() >= nullRate) bitmap[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return { bitmap, nulls };
}

function randomBytes(r: Rand, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** Random column data of `type`; decimals stay within their precision, text is ASCII. */
function makeData(r: Rand, type: arrow.DataType, n: number, nullRate: number): arrow.Data {
  if (type.typeId === arrow.Type.Null) return arrow.makeData({ type: type as arrow.Null, length: n });
  const { bitmap, nulls } = validity(r, n, nullRate);
  const nullBitmap = nulls ? bitmap : null;
  const w = widthOf(type);
  if (w !== undefined) {
    const bytes = randomBytes(r, n * w);
    if (type.typeId === arrow.Type.Decimal) {
      // Two's complement little-endian of a value below 10^precision.
      const dv = new DataView(bytes.buffer);
      for (let i = 0; i < n; i++) {
        bytes.fill(0, i * w, (i + 1) * w);
        const v = BigInt(Math.floor((r() - 0.5) * 2e15));
        dv.setBigInt64(i * w, v, true);
        if (v < 0n) bytes.fill(0xff, i * w + 8, (i + 1) * w);
      }
    }
    const T = (type as unknown as { ArrayType: { new (b: ArrayBuffer, o: number, l: number): ArrayBufferView; BYTES_PER_ELEMENT: number } }).ArrayType;
    return arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap, data: new T(bytes.buffer as ArrayBuffer, 0, bytes.byteLength / T.BYTES_PER_ELEMENT) } as never);
  }
  switch (type.typeId) {
    case arrow.Type.LargeUtf8:
    case arrow.Type.LargeBinary: {
      const offsets = new BigInt64Array(n + 1);
      const parts: number[] = [];
      for (let i = 0; i < n; i++) {
        const len = Math.floor(r() * r() * 40);
        for (let k = 0; k < len; k++) parts.push(type.typeId === arrow.Type.LargeUtf8 ? 32 + Math.floor(r() * 95) : Math.floor(r() * 256));
        offsets[i + 1] = BigInt(parts.length);
      }
      return arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap, valueOffsets: offsets, data: Uint8Array.from(parts) } as never);
    }
    case arrow.Type.List: {
      const offsets = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + Math.floor(r() * 4);
      const child = makeData(r, (type as arrow.List).children[0]!.type, offsets[n]!, nullRate);
      return arrow.makeData({ type: type as arrow.List, length: n, nullCount: nulls, nullBitmap, valueOffsets: offsets, child });
    }
    case arrow.Type.Struct: {
      const children = (type as arrow.Struct).children.map((f) => makeData(r, f.type, n, nullRate));
      return arrow.makeData({ type: type as arrow.Struct, length: n, nullCount: nulls, nullBitmap, children });
    }
  }
  throw new Error(`no generator for ${String(type)}`);
}

function isValid(d: arrow.Data, i: number): boolean {
  if (d.typeId === arrow.Type.Null) return false;
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return true;
  const p = d.offset + i;
  return (d.nullBitmap[p >> 3]! & (1 << (p & 7))) !== 0;
}

/** Exact fingerprint of row i: null, hex of the slot bytes, or nested arrays/objects. */
function fingerprint(d: arrow.Data, i: number): unknown {
  if (!isValid(d, i)) return null;
  const t = d.type;
  const w = widthOf(t);
  const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
  if (w !== undefined) {
    const v = d.values as ArrayBufferView;
    return hex(new Uint8Array(v.buffer, v.byteOffset + (d.offset + i) * w, w));
  }
  switch (t.typeId) {
    case arrow.Type.LargeUtf8:
    case arrow.Type.LargeBinary: {
      const o = d.valueOffsets as unknown as BigInt64Array;
      return hex((d.values as Uint8Array).subarray(Number(o[d.offset + i]!), Number(o[d.offset + i + 1]!)));
    }
    case arrow.Type.List: {
      const o = d.valueOffsets as Int32Array;
      const s = o[d.offset + i]!;
      return Array.from({ length: o[d.offset + i + 1]! - s }, (_, k) => fingerprint(d.children[0]!, s + k));
    }
    case arrow.Type.Struct:
      return Object.fromEntries(t.children.map((f: arrow.Field, k: number) => [f.name, fingerprint(d.children[k]!, d.offset + i)]));
  }
  throw new Error(`no fingerprint for ${String(t)}`);
}

function rows(t: arrow.Table): unknown[][] {
  const out: unknown[][] = [];
  for (const b of t.batches) {
    for (let i = 0; i < b.numRows; i++) out.push(b.schema.fields.map((_, c) => fingerprint(b.data.children[c]!, i)));
  }
  return out;
}

const typesOf = (t: arrow.Table) => t.schema.fields.map((f) => `${f.name}: ${String(f.type)}`);

function tableOf(fields: arrow.Field[], columns: arrow.Data[], n: number): arrow.Table {
  const schema = new arrow.Schema(fields);
  return new arrow.Table(new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: n, nullCount: 0, children: columns })));
}

const caseArb = fc.record({
  types: fc.array(fc.oneof({ arbitrary: nestedTypeArb, weight: 8 }, { arbitrary: fc.constant<arrow.DataType>(new arrow.Null()), weight: 1 }), { minLength: 1, maxLength: 4 }),
  rows: fc.integer({ min: 1, max: 40 }),
  nullRate: fc.constantFrom(0, 0.2, 1),
  seed: fc.integer(),
  version: fc.constantFrom('2.1', '2.2'),
});

describe('Arrow types between lancet and Lance 12', () => {
  it('lancet writes, Lance 12 reads; Lance 12 writes, lancet reads: same schema, same bytes', async () => {
    const started = Date.now();
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const r = rng(c.seed);
        const fields = c.types.map((t, i) => new arrow.Field(`c${i}`, t, true));
        const table = tableOf(fields, fields.map((f) => makeData(r, f.type, c.rows, c.nullRate)), c.rows);
        const want = rows(table);
        const root = mkdtempSync(join(tmpdir(), 'lancet-types-'));
        try {
          await (await connect(root)).createTable('ours', table, { fileVersion: c.version as '2.1' | '2.2' });
          const theirsRead = await peerScan(join(root, 'ours.lance'));
          expect(typesOf(theirsRead)).toEqual(typesOf(table));
          expect(rows(theirsRead)).toEqual(want);

          await peerCreate(root, 'theirs', table, { newTableDataStorageVersion: c.version });
          const oursRead = await (await (await connect(root)).openTable('theirs')).toArrow();
          expect(typesOf(oursRead)).toEqual(typesOf(table));
          expect(rows(oursRead)).toEqual(want);
          cases++;
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 80 },
    );
    console.log(`arrow types interop: ${cases} cases in ${Date.now() - started} ms`);
  }, 120_000);

  it('a list under a null struct row keeps its level: Lance 12 reads struct<list<int32>> with null items', async () => {
    // Row 1 is a null struct over a non-empty list slice; the list layer has no null or empty list
    // of its own. Lance 12 read lancet's file as "Structural validity has 4 entries for an array
    // with 3 values" when the list layer was narrowed to all-valid.
    const item = arrow.makeData({ type: new arrow.Int32(), length: 5, nullCount: 2, nullBitmap: new Uint8Array([0b01110]), data: new Int32Array([1, 2, 3, 4, 5]) });
    const lt = new arrow.List(new arrow.Field('item', new arrow.Int32(), true));
    const list = arrow.makeData({ type: lt, length: 2, nullCount: 0, valueOffsets: new Int32Array([0, 3, 5]), child: item });
    const st = new arrow.Struct([new arrow.Field('f0', lt, true)]);
    const s = arrow.makeData({ type: st, length: 2, nullCount: 1, nullBitmap: new Uint8Array([1]), children: [list] });
    const table = tableOf([new arrow.Field('c0', st, true)], [s], 2);
    for (const version of ['2.1', '2.2'] as const) {
      const root = mkdtempSync(join(tmpdir(), 'lancet-types-'));
      try {
        await (await connect(root)).createTable('ours', table, { fileVersion: version });
        const got = await peerScan(join(root, 'ours.lance'));
        expect(got.toArray().map((r) => JSON.stringify(r.toJSON()))).toEqual(['{"c0":{"f0":[null,2,3]}}', '{"c0":null}']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  });

  it('refuses a null-typed field inside a struct, saying what and why', async () => {
    const st = new arrow.Struct([new arrow.Field('n', new arrow.Null(), true)]);
    const s = arrow.makeData({ type: st, length: 1, nullCount: 0, children: [arrow.makeData({ type: new arrow.Null(), length: 1 })] });
    const root = mkdtempSync(join(tmpdir(), 'lancet-types-'));
    try {
      await expect((await connect(root)).createTable('t', tableOf([new arrow.Field('c0', st, true)], [s], 1))).rejects.toThrow(/null-typed field only as a top-level column/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
