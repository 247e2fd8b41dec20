// Property: Lance 12 reads lancet-written data files (wrapped in a one-fragment dataset) back
// to exactly the values written; plus Blob V2 descriptor columns with inline payloads, checked
// through Lance's own fetchBlobs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { lanceSchemaFromArrow } from '../../src/format/schema.js';
import { blobField } from '../../src/format/blob/blob-field.js';
import { blobDescriptorType, type FileVersion } from '../../src/format/file/index.js';
import { peerOpen, peerScan } from '../../test/helpers/lance-peer.js';
import { writePeerDataset } from '../../test/file-format/peer-dataset.js';
import { canonicalRows, makeBatch, rng, schemaArb } from './arbitraries.js';

async function tmpRoot(): Promise<string> {
  const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'lancet-interop-'));
  return nodePath.join(dir, 't.lance');
}

describe('Lance 12 reads lancet files', () => {
  it('scans random schemas and batches to the written values', async () => {
    let cases = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          schema: schemaArb({ peerSafe: true }),
          rows: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 3 }),
          seed: fc.integer(),
          version: fc.constantFrom<FileVersion>('2.1', '2.2'),
          pageSize: fc.constantFrom(1, 300, 8 << 20),
        }),
        async (c) => {
          const r = rng(c.seed);
          const schema = lanceSchemaFromArrow(c.schema);
          const batches = c.rows.map((n) => makeBatch(r, c.schema, n, { peerSafe: true }));
          const root = await tmpRoot();
          try {
            await writePeerDataset(root, schema, async (w) => {
              for (const b of batches) await w.write(b);
            }, { version: c.version, pageSizeBytes: c.pageSize });
            const got = await peerScan(root);
            const names = c.schema.fields.map((f) => f.name);
            expect(got.numRows).toBe(c.rows.reduce((a, b) => a + b, 0));
            expect(canonicalRows(got.batches, names)).toEqual(canonicalRows(batches, names));
            cases++;
          } finally {
            await fs.rm(nodePath.dirname(root), { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 200 },
    );
    // Figures for the report: one dataset and one peer scan per case.
    console.log(`interop: ${cases} cases in ${Date.now() - started} ms`);
  }, 300_000);

  it('serves Blob V2 inline payloads written through appendOutOfLineBuffer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.uint8Array({ maxLength: 3000 }), { nil: null, freq: 4 }), { minLength: 1, maxLength: 12 }),
        async (payloads) => {
          const arrowSchema = new arrow.Schema([new arrow.Field('id', new arrow.Int64(), false), blobField('payload')]);
          const schema = lanceSchemaFromArrow(arrowSchema);
          const root = await tmpRoot();
          try {
            await writePeerDataset(root, schema, async (w) => {
              const n = payloads.length;
              const position = new BigUint64Array(n);
              const size = new BigUint64Array(n);
              const valid = new Uint8Array((n + 7) >> 3);
              for (let i = 0; i < n; i++) {
                const p = payloads[i];
                if (p === null || p === undefined) continue;
                valid[i >> 3]! |= 1 << (i & 7);
                position[i] = await w.appendOutOfLineBuffer(p);
                expect(position[i]! % 64n).toBe(0n);
                size[i] = BigInt(p.length);
              }
              const t = blobDescriptorType();
              const desc = arrow.makeData({
                type: t,
                length: n,
                nullCount: payloads.filter((p) => p === null).length,
                nullBitmap: valid,
                children: [
                  arrow.makeData({ type: new arrow.Uint8(), length: n, data: new Uint8Array(n) }),
                  arrow.makeData({ type: new arrow.Uint64(), length: n, data: position }),
                  arrow.makeData({ type: new arrow.Uint64(), length: n, data: size }),
                  arrow.makeData({ type: new arrow.Uint32(), length: n, data: new Uint32Array(n) }),
                  arrow.makeData({ type: new arrow.Utf8(), length: n, valueOffsets: new Int32Array(n + 1), data: new Uint8Array(0) }),
                ],
              });
              const ids = arrow.makeData({ type: new arrow.Int64(), length: n, data: BigInt64Array.from(payloads.map((_, i) => BigInt(i))) });
              const bs = new arrow.Schema([arrowSchema.fields[0]!, new arrow.Field('payload', t, true)]);
              await w.write(new arrow.RecordBatch(bs, arrow.makeData({ type: new arrow.Struct(bs.fields), length: n, nullCount: 0, children: [ids, desc] })));
            });
            const table = await peerOpen(root);
            const rowIds = payloads.map((_, i) => BigInt(i));
            const blobs: Array<Uint8Array | null> = await table.fetchBlobs('payload', rowIds);
            expect(blobs.map((b) => (b === null ? null : Buffer.from(b).toString('hex')))).toEqual(
              payloads.map((p) => (p === null ? null : Buffer.from(p).toString('hex'))),
            );
            const scanned = await peerScan(root);
            const col = scanned.getChild('payload')!;
            payloads.forEach((p, i) => {
              const d = col.get(i) as { size: bigint; kind: number } | null;
              if (p === null) expect(d).toBeNull();
              else expect([Number(d!.kind), BigInt(d!.size)]).toEqual([0, BigInt(p.length)]);
            });
          } finally {
            await fs.rm(nodePath.dirname(root), { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
