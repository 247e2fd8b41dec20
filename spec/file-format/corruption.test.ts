// Property: damaged files (flipped bytes, truncation) only ever raise typed errors —
// LanceFormatError for bad content, StoreError for reads past the end — within bounded time.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { MemoryStore } from '../../src/io/memory-store.js';
import { LanceFormatError, StoreError } from '../../src/errors.js';
import { lanceSchemaFromArrow } from '../../src/format/schema.js';
import { createFileWriter, openLanceFile, type FileVersion } from '../../src/format/file/index.js';
import { canonicalRows, makeBatch, rng } from './arbitraries.js';

const arrowSchema = new arrow.Schema([
  new arrow.Field('i', new arrow.Int32(), true),
  new arrow.Field('s', new arrow.Utf8(), true),
  new arrow.Field('big', new arrow.LargeBinary(), true),
  new arrow.Field('st', new arrow.Struct([new arrow.Field('x', new arrow.Float64(), true), new arrow.Field('b', new arrow.Bool(), true)]), true),
  new arrow.Field('v', new arrow.FixedSizeList(70, new arrow.Field('item', new arrow.Float32(), true)), true),
]);

async function validFile(seed: number, version: FileVersion): Promise<{ bytes: Uint8Array; batch: arrow.RecordBatch }> {
  const store = new MemoryStore();
  const schema = lanceSchemaFromArrow(arrowSchema);
  const batch = makeBatch(rng(seed), arrowSchema, 60, {});
  const w = await createFileWriter(store, 'ok.lance', schema, { version, pageSizeBytes: 2048 });
  await w.write(batch);
  await w.finish();
  return { bytes: await store.get('ok.lance'), batch };
}

/** Opens and fully reads `bytes`; returns the rows or throws. */
async function readAll(bytes: Uint8Array): Promise<unknown[][]> {
  const store = new MemoryStore();
  await store.put('bad.lance', bytes);
  const r = await openLanceFile(store, 'bad.lance');
  const out = await r.read(r.schema.fields, (id) => {
    const idx = [0, 1, 2, 4, 5, 6].indexOf(id);
    return idx < 0 ? undefined : idx;
  });
  return canonicalRows([out], out.schema.fields.map((f) => f.name));
}

function expectTyped(e: unknown): void {
  if (!(e instanceof LanceFormatError || e instanceof StoreError)) throw e;
  expect(typeof (e as { code: string }).code).toBe('string');
}

describe('corrupted files', () => {
  it('flipped bytes give typed errors or a readable file, never a crash or hang', async () => {
    const files = await Promise.all([validFile(1, '2.2'), validFile(2, '2.1')]);
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 4 }),
        async (which, flips) => {
          const { bytes } = files[which]!;
          const bad = bytes.slice();
          for (const [pos, x, tail] of flips) {
            // Half of the flips hit the metadata tail, where one byte changes the most.
            const at = tail ? bad.length - 1 - (pos % Math.min(600, bad.length)) : pos % bad.length;
            bad[at]! ^= x;
          }
          const t0 = Date.now();
          try {
            await readAll(bad);
          } catch (e) {
            expectTyped(e);
            codes.set((e as { code: string }).code, (codes.get((e as { code: string }).code) ?? 0) + 1);
          }
          expect(Date.now() - t0).toBeLessThan(2000);
        },
      ),
      { numRuns: 300 },
    );
    // Most damage is caught; the data region has no checksums, so some flips read as other values.
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    console.log('corruption error codes:', Object.fromEntries(codes));
  }, 120_000);

  it('truncated files give typed errors', async () => {
    const { bytes } = await validFile(3, '2.2');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length - 1 }), async (len) => {
        await expect(readAll(bytes.subarray(0, len))).rejects.toSatisfy((e: unknown) => e instanceof LanceFormatError || e instanceof StoreError);
      }),
      { numRuns: 100 },
    );
  });

  it('a reader told a larger size gets a StoreError, not garbage', async () => {
    const { bytes } = await validFile(4, '2.2');
    const store = new MemoryStore();
    await store.put('f.lance', bytes);
    await expect(openLanceFile(store, 'f.lance', { size: bytes.length + 100 })).rejects.toBeInstanceOf(StoreError);
  });

  it('rejects unknown versions with UNSUPPORTED_VERSION, and a 2.2 file relabelled 2.0 with a typed error', async () => {
    const { bytes } = await validFile(5, '2.2');
    // 2.0 (0.3 on disk) is read since the 2.0 reader landed: 2.2 metadata read as 2.0 must fail
    // typed, not crash.
    const relabelled = bytes.slice();
    new DataView(relabelled.buffer).setUint16(relabelled.length - 8, 0, true);
    new DataView(relabelled.buffer).setUint16(relabelled.length - 6, 3, true);
    await expect(readAll(relabelled)).rejects.toBeInstanceOf(LanceFormatError);
    for (const [major, minor] of [[2, 0], [3, 0], [2, 3]]) {
      const bad = bytes.slice();
      const dv = new DataView(bad.buffer);
      dv.setUint16(bad.length - 8, major!, true);
      dv.setUint16(bad.length - 6, minor!, true);
      await expect(readAll(bad)).rejects.toMatchObject({ code: 'UNSUPPORTED_VERSION' });
    }
  });

  it('the unmodified file reads back', async () => {
    const { bytes, batch } = await validFile(6, '2.1');
    expect(await readAll(bytes)).toEqual(canonicalRows([batch], arrowSchema.fields.map((f) => f.name)));
  });
});
