// Blob V2 descriptor columns through lancet's own reader, and the I/O shape of opening a file.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { MemoryStore } from '../../src/io/memory-store.js';
import { lanceSchemaFromArrow } from '../../src/format/schema.js';
import { blobField } from '../../src/format/blob/blob-field.js';
import { blobDescriptorType, createFileWriter, openLanceFile } from '../../src/format/file/index.js';
import { makeBatch, rng } from './arbitraries.js';

interface Desc {
  kind: number;
  position: bigint;
  size: bigint;
  blobId: number;
  uri: string;
}

function descriptorData(rows: Array<Desc | null>): arrow.Data {
  const n = rows.length;
  const valid = new Uint8Array((n + 7) >> 3);
  rows.forEach((r, i) => r && (valid[i >> 3]! |= 1 << (i & 7)));
  const uris = arrow.vectorFromArray(rows.map((r) => r?.uri ?? ''), new arrow.Utf8()).data[0]!;
  return arrow.makeData({
    type: blobDescriptorType(),
    length: n,
    nullCount: rows.filter((r) => !r).length,
    nullBitmap: valid,
    children: [
      arrow.makeData({ type: new arrow.Uint8(), length: n, data: Uint8Array.from(rows.map((r) => r?.kind ?? 0)) }),
      arrow.makeData({ type: new arrow.Uint64(), length: n, data: BigUint64Array.from(rows.map((r) => r?.position ?? 0n)) }),
      arrow.makeData({ type: new arrow.Uint64(), length: n, data: BigUint64Array.from(rows.map((r) => r?.size ?? 0n)) }),
      arrow.makeData({ type: new arrow.Uint32(), length: n, data: Uint32Array.from(rows.map((r) => r?.blobId ?? 0)) }),
      uris,
    ],
  });
}

const descArb: fc.Arbitrary<Desc | null> = fc.option(
  fc.record({
    kind: fc.integer({ min: 0, max: 3 }),
    position: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    size: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    blobId: fc.nat(),
    uri: fc.string({ maxLength: 40 }),
  }),
  { nil: null },
);

describe('blob v2 descriptor columns', () => {
  it('read back as Struct<kind, position, size, blob_id, blob_uri> with nulls and row ranges', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(descArb, { minLength: 1, maxLength: 30 }), fc.nat(), async (rows, cut) => {
        const schema = lanceSchemaFromArrow(new arrow.Schema([blobField('b')]));
        const store = new MemoryStore();
        const w = await createFileWriter(store, 'b.lance', schema);
        const at = await w.appendOutOfLineBuffer(new Uint8Array([1, 2, 3]));
        expect(at % 64n).toBe(0n);
        const bs = new arrow.Schema([new arrow.Field('b', blobDescriptorType(), true)]);
        await w.write(new arrow.RecordBatch(bs, arrow.makeData({ type: new arrow.Struct(bs.fields), length: rows.length, nullCount: 0, children: [descriptorData(rows)] })));
        const res = await w.finish();
        expect(res.fieldIds).toEqual([schema.fields[0]!.id]);
        const r = await openLanceFile(store, 'b.lance');
        expect(r.columnInfo(0).pages[0]!.layout.layout.case).toBe('fullZipLayout');
        const from = cut % rows.length;
        const out = await r.read(schema.fields, () => 0, { ranges: [[from, rows.length]] });
        const col = out.getChild('b')!;
        expect(String(col.type)).toBe(String(blobDescriptorType()));
        rows.slice(from).forEach((d, i) => {
          const got = col.get(i) as { kind: number; position: bigint; size: bigint; blob_id: number; blob_uri: string } | null;
          if (!d) expect(got).toBeNull();
          else expect([got!.kind, got!.position, got!.size, got!.blob_id, got!.blob_uri]).toEqual([d.kind, d.position, d.size, d.blobId, d.uri]);
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe('I/O shape', () => {
  it('opens a small file with one ranged read and reads a projected column without touching others', async () => {
    const sch = new arrow.Schema([new arrow.Field('a', new arrow.Int64(), true), new arrow.Field('s', new arrow.Utf8(), true)]);
    const store = new MemoryStore();
    const w = await createFileWriter(store, 'f.lance', lanceSchemaFromArrow(sch));
    await w.write(makeBatch(rng(9), sch, 5000, {}));
    const res = await w.finish();
    const before = { ...store.counters };
    const r = await openLanceFile(store, 'f.lance', { size: res.fileSize });
    expect(store.counters.readRequests - before.readRequests).toBe(1);
    const mid = { ...store.counters };
    await r.read([r.schema.fields[0]!], () => 0);
    const aPages = r.columnInfo(0).pages.flatMap((p) => p.bufferSizes).reduce((x, y) => x + y, 0);
    expect(store.counters.bytesRead - mid.bytesRead).toBeLessThanOrEqual(aPages + 64 * r.columnInfo(0).pages.length * 2);
  });
});
