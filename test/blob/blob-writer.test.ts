import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { Readable } from 'node:stream';
import { MemoryStore } from '../../src/io/memory-store.js';
import {
  BlobKind,
  createBlobFileWriter,
  layoutForSize,
  sidecarPath,
  type BlobDescriptor,
  type BlobThresholds,
} from '../../src/format/blob/index.js';
import { MemorySink, chunked, payload, sameBytes } from './writer-helpers.js';

const DATA = 'data/abc.lance';

async function readBack(store: MemoryStore, sink: MemorySink, d: BlobDescriptor | null): Promise<Uint8Array | null> {
  if (d === null) return null;
  switch (d.kind) {
    case BlobKind.Inline:
      return d.size === 0n ? new Uint8Array() : sink.read(d.position, d.size);
    case BlobKind.Packed:
      return store.getRange(sidecarPath(DATA, d.blobId), Number(d.position), Number(d.position + d.size));
    case BlobKind.Dedicated:
      expect(d.position).toBe(0n);
      expect((await store.head(sidecarPath(DATA, d.blobId))).size).toBe(Number(d.size));
      return store.get(sidecarPath(DATA, d.blobId));
    default:
      throw new Error('unexpected kind');
  }
}

const kindOf = { inline: BlobKind.Inline, packed: BlobKind.Packed, dedicated: BlobKind.Dedicated } as const;

describe('blob file writer', () => {
  it('property: bytes, streams of unknown size and known-size blobs land where the layout rule says, byte-exact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ inline: fc.integer({ min: 0, max: 300 }), dedicated: fc.integer({ min: 1, max: 2000 }), packFile: fc.integer({ min: 1, max: 5000 }) }),
        fc.array(fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 3000 })), { maxLength: 25 }),
        fc.constantFrom('bytes', 'stream', 'readable', 'blob'),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 4000 }),
        async (t: BlobThresholds, sizes, mode, chunk, maxBuffered) => {
          const store = new MemoryStore();
          const sink = new MemorySink();
          const w = createBlobFileWriter({ store, dataFilePath: DATA, sink, maxBufferedBytes: maxBuffered });
          const col = w.column('payload', t);
          const values = sizes.map((s, i) => (s === null ? null : payload(s, i + 1)));
          const descs: (BlobDescriptor | null)[] = [];
          for (const v of values) {
            if (v === null) descs.push(await col.write(null));
            else if (mode === 'bytes') descs.push(await col.write(v));
            else if (mode === 'stream') descs.push(await col.write(chunked(v, chunk)));
            else if (mode === 'readable') descs.push(await col.write(Readable.from(chunked(v, chunk))));
            else descs.push(await col.write(new Blob([v])));
          }
          await w.finish();
          for (let i = 0; i < values.length; i++) {
            const v = values[i]!;
            const d = descs[i]!;
            if (v === null) {
              expect(d).toBeNull();
              continue;
            }
            expect(d.kind).toBe(kindOf[layoutForSize(v.length, t)]);
            expect(d.size).toBe(BigInt(v.length));
            expect(sameBytes(await readBack(store, sink, d), v)).toBe(true);
          }
          // Packs never exceed the threshold unless they hold one value; every sidecar is accounted for.
          const packs = new Map<number, number[]>();
          for (const d of descs) if (d?.kind === BlobKind.Packed) packs.set(d.blobId, [...(packs.get(d.blobId) ?? []), Number(d.size)]);
          for (const [id, members] of packs) {
            const size = (await store.head(sidecarPath(DATA, id))).size;
            expect(size).toBe(members.reduce((a, b) => a + b, 0));
            if (members.length > 1) expect(size).toBeLessThanOrEqual(t.packFile);
          }
          const expectedSidecars = new Set(descs.filter((d) => d && d.kind !== BlobKind.Inline).map((d) => sidecarPath(DATA, d!.blobId)));
          expect(new Set((await store.list('data/abc/')).map((m) => m.path))).toEqual(expectedSidecars);
          expect(w.counters.values.null).toBe(sizes.filter((s) => s === null).length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('packs roll over exactly like Lance 12 (150000 threshold)', async () => {
    const store = new MemoryStore();
    const w = createBlobFileWriter({ store, dataFilePath: DATA, sink: new MemorySink() });
    const col = w.column("p", { inline: 1000, dedicated: 4 << 20, packFile: 150000 });
    const descs = [];
    for (const [i, s] of [30001, 50003, 70005, 20007, 90009, 40011].entries()) descs.push((await col.write(payload(s, i)))!);
    await w.finish();
    expect(descs.map((d) => d.blobId)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(descs.map((d) => Number(d.position))).toEqual([0, 30001, 0, 70005, 0, 90009]);
    expect((await Promise.all([1, 2, 3].map((id) => store.head(sidecarPath(DATA, id))))).map((m) => m.size)).toEqual([80004, 90012, 130020]);
  });

  it('ids and the rolling pack are shared by all blob columns of one data file (as Lance 12 does)', async () => {
    const store = new MemoryStore();
    const w = createBlobFileWriter({ store, dataFilePath: DATA, sink: new MemorySink() });
    const t = { inline: 10, dedicated: 100, packFile: 1000 };
    const a = w.column('a', t);
    const b = w.column('b', t);
    const d1 = await a.write(payload(50, 1));
    const d2 = await b.write(payload(50, 2));
    const d3 = await b.write(payload(500, 3));
    await w.finish();
    expect([d1!.blobId, d2!.blobId, d3!.blobId]).toEqual([1, 1, 2]);
    expect([d1!.position, d2!.position]).toEqual([0n, 50n]);
    // A column with another pack threshold starts its own pack.
    const w2 = createBlobFileWriter({ store, dataFilePath: 'data/two.lance', sink: new MemorySink() });
    const x = await w2.column('x', t).write(payload(50, 1));
    const y = await w2.column('y', { ...t, packFile: 999 }).write(payload(50, 2));
    await w2.finish();
    expect([x!.blobId, y!.blobId, y!.position]).toEqual([1, 2, 0n]);
    expect(w.counters.payloadBytesWritten).toBe(600);
  });

  it('a streamed value never holds more than the buffer bound: big streams spill to a sidecar', async () => {
    const store = new MemoryStore();
    const t = { inline: 100, dedicated: 10_000, packFile: 1 << 30 };
    const w = createBlobFileWriter({ store, dataFilePath: DATA, sink: new MemorySink(), maxBufferedBytes: 1000 });
    const col = w.column('p', t);
    const packedOne = payload(5000, 9);
    const d = await col.write(chunked(packedOne, 300));
    const big = payload(50_000, 10);
    const d2 = await col.write(chunked(big, 4096));
    await w.finish();
    expect(d!.kind).toBe(BlobKind.Packed);
    expect(d2!.kind).toBe(BlobKind.Dedicated);
    // The packed value went through a spill file that was removed afterwards.
    expect(w.counters.payloadBytesRead).toBe(5000);
    expect((await store.list('data/abc/')).length).toBe(2);
    expect(sameBytes(await store.getRange(sidecarPath(DATA, d!.blobId), Number(d!.position), Number(d!.position + d!.size)), packedOne)).toBe(true);
    expect(sameBytes(await store.get(sidecarPath(DATA, d2!.blobId)), big)).toBe(true);
  });

  it('streams {path} files with their size learned by stat', async () => {
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'blobw-'));
    const file = nodePath.join(dir, 'f.bin');
    const bytes = payload(5 * 1024 * 1024, 3);
    await fs.writeFile(file, bytes);
    const store = new MemoryStore();
    const w = createBlobFileWriter({ store, dataFilePath: DATA, sink: new MemorySink() });
    const d = await w.column('p', { inline: 65536, dedicated: 4 << 20, packFile: 1 << 30 }).write({ path: file });
    await w.finish();
    expect(d!.kind).toBe(BlobKind.Dedicated);
    expect(sameBytes(await store.get(sidecarPath(DATA, d!.blobId)), bytes)).toBe(true);
    await fs.rm(dir, { recursive: true });
  });

  it('external URIs: reference mode records, ingest mode copies the bytes in', async () => {
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'blobx-'));
    const file = nodePath.join(dir, 'ext.bin');
    const bytes = payload(200_000, 4);
    await fs.writeFile(file, bytes);
    const t = { inline: 65536, dedicated: 4 << 20, packFile: 1 << 30 };
    const store = new MemoryStore();
    const bases = [{ id: 7, path: dir, isDatasetRoot: false }];
    const w = createBlobFileWriter({ store, dataFilePath: DATA, sink: new MemorySink(), bases });
    const col = w.column('p', t);
    expect(await col.write(file)).toEqual({ kind: BlobKind.External, position: 0n, size: 0n, blobId: 7, blobUri: 'ext.bin' });
    expect(await col.write({ uri: new URL(`file://${file}`), position: 10, size: 20 })).toEqual({ kind: BlobKind.External, position: 10n, size: 20n, blobId: 7, blobUri: 'ext.bin' });
    await expect(col.write('/somewhere/else.bin')).rejects.toMatchObject({ code: 'UNSAFE_BLOB_URI' });
    await expect(col.write(`${dir}/../x`)).rejects.toMatchObject({ code: 'UNSAFE_BLOB_URI' });
    await expect(col.write('')).rejects.toMatchObject({ code: 'BAD_BLOB_VALUE' });
    await w.finish();
    expect(w.counters.payloadBytesWritten).toBe(0);

    const w2 = createBlobFileWriter({ store, dataFilePath: 'data/ing.lance', sink: new MemorySink(), externalMode: 'ingest', allowExternalOutsideBases: true });
    const col2 = w2.column('p', t);
    const d = await col2.write(file);
    const dr = await col2.write({ uri: file, position: 100, size: 50 });
    await w2.finish();
    expect(d!.kind).toBe(BlobKind.Packed);
    expect(sameBytes(await store.getRange(sidecarPath('data/ing.lance', d!.blobId), Number(d!.position), Number(d!.position + d!.size)), bytes)).toBe(true);
    expect(dr!.kind).toBe(BlobKind.Inline);
    expect(w2.counters.payloadBytesRead).toBe(200_050);
    await fs.rm(dir, { recursive: true });
  });

  it('rejects malformed values with typed errors', async () => {
    const w = createBlobFileWriter({ store: new MemoryStore(), dataFilePath: DATA, sink: new MemorySink() });
    const col = w.column('p', { inline: 10, dedicated: 100, packFile: 1000 });
    await expect(col.write({ data: new Uint8Array(1), uri: 'file:///x' } as never)).rejects.toMatchObject({ code: 'BAD_BLOB_VALUE' });
    await expect(col.write({ uri: 'file:///x', position: 1 } as never)).rejects.toMatchObject({ code: 'BAD_BLOB_VALUE' });
    await expect(col.write(42 as never)).rejects.toMatchObject({ code: 'BAD_BLOB_VALUE' });
    await expect(col.write(Readable.from(['text']))).rejects.toMatchObject({ code: 'BAD_BLOB_VALUE' });
    expect(await col.write({ data: null })).toBeNull();
    expect(await col.write({ data: new Uint8Array() })).toMatchObject({ kind: BlobKind.Inline, size: 0n });
  });

  it('abort removes every sidecar it wrote, finished or open', async () => {
    const store = new MemoryStore();
    const w = createBlobFileWriter({ store, dataFilePath: DATA, sink: new MemorySink() });
    const col = w.column('p', { inline: 10, dedicated: 100, packFile: 1000 });
    await col.write(payload(50, 1)); // open pack
    await col.write(payload(500, 2)); // dedicated, closed
    expect((await store.list('data/abc/')).length).toBe(1);
    await w.abort();
    expect(await store.list('data/')).toEqual([]);
    await expect(col.write(payload(5, 1))).rejects.toMatchObject({ code: 'WRITER_CLOSED' });
  });
});
