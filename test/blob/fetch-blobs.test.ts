import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { MemoryStore } from '../../src/io/memory-store.js';
import { LocalStore } from '../../src/io/local-store.js';
import { diffCounters } from '../../src/io/object-store.js';
import { BlobKind, externalDescriptor } from '../../src/format/blob/index.js';
import { fetchBlobFiles, fetchBlobs } from '../../src/dataset/blob/fetch-blobs.js';
import { MiniDataset } from './mini-dataset.js';
import { payload, sameBytes } from './writer-helpers.js';

const T = { inline: 100, dedicated: 1000, packFile: 3000 };

describe('fetchBlobs', () => {
  it('property: request order, duplicates, nulls and empties, byte-exact across kinds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 2500 })), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { minLength: 0, maxLength: 40 }),
        async (sizes, picks) => {
          const ds = new MiniDataset(new MemoryStore());
          const values = sizes.map((s, i) => (s === null ? null : payload(s, i + 7)));
          const addrs = await ds.addFragment(values, T);
          const req = picks.map((p) => addrs[p % addrs.length]!);
          const got = await fetchBlobs(ds, 'payload', req);
          expect(got.length).toBe(req.length);
          req.forEach((a, k) => {
            const want = values[Number(a & 0xffffffffn)]!;
            if (want === null) expect(got[k]).toBeNull();
            else expect(sameBytes(got[k], want)).toBe(true);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('coalesces ranges per object: one request per pack / data file, none for nulls and empties', async () => {
    const store = new MemoryStore();
    const ds = new MiniDataset(store);
    const values = [payload(50, 1), payload(60, 2), payload(500, 3), payload(600, 4), null, new Uint8Array(), payload(2000, 5)];
    const addrs = await ds.addFragment(values, { inline: 100, dedicated: 1000, packFile: 1 << 20 });
    const before = { ...store.counters };
    const got = await fetchBlobs(ds, 'payload', addrs);
    const d = diffCounters(store.counters, before);
    expect(d.readRequests).toBe(3); // data file (2 inline), pack (2 packed), dedicated
    expect(d.bytesRead).toBeLessThanOrEqual(50 + 60 + 64 + 500 + 600 + 2000);
    expect(got[4]).toBeNull();
    expect(got[5]).toEqual(new Uint8Array());
  });

  it('metadata-only access reads no payload byte', async () => {
    const store = new MemoryStore();
    const ds = new MiniDataset(store);
    const addrs = await ds.addFragment([payload(5000, 1), payload(500, 2)], T);
    const before = { ...store.counters };
    const files = await fetchBlobFiles(ds, 'payload', addrs);
    expect(files.map((f) => f!.size)).toEqual([5000, 500]);
    expect(files.map((f) => f!.kind)).toEqual([BlobKind.Dedicated, BlobKind.Packed]);
    expect(diffCounters(store.counters, before).bytesRead).toBe(0);
  });
});

describe('fetchBlobFiles', () => {
  it('lazy handles: read with cursor, readRange, stream, webStream', async () => {
    const store = new MemoryStore();
    const ds = new MiniDataset(store);
    const big = payload(5000, 3);
    const addrs = await ds.addFragment([big, null, new Uint8Array(), payload(70, 4)], T);
    const [f, n, e, small] = await fetchBlobFiles(ds, 'payload', addrs);
    expect(n).toBeNull();
    expect(e!.size).toBe(0);
    expect(await e!.read()).toEqual(new Uint8Array());
    expect(sameBytes(await f!.readRange(10, 20), big.subarray(10, 20))).toBe(true);
    expect(f!.tell()).toBe(0);
    await expect(f!.readRange(0, 5001)).rejects.toMatchObject({ code: 'BAD_RANGE' });
    expect(sameBytes(await f!.read(), big)).toBe(true);
    expect((await f!.read()).length).toBe(0);
    const parts: Buffer[] = [];
    for await (const c of f!.stream(100, 4000)) parts.push(c as Buffer);
    expect(sameBytes(Buffer.concat(parts), big.subarray(100, 4000))).toBe(true);
    const chunks: Uint8Array[] = [];
    const reader = small!.webStream().getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      chunks.push(r.value);
    }
    expect(sameBytes(Buffer.concat(chunks), payload(70, 4))).toBe(true);
  });

  it('external blobs: under a base, absolute, ranged and whole; unsafe descriptors refused', async () => {
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'blobext-'));
    await fs.mkdir(nodePath.join(dir, 'media'));
    const bytes = payload(3000, 9);
    await fs.writeFile(nodePath.join(dir, 'media', 'a.bin'), bytes);
    await fs.writeFile(nodePath.join(dir, 'secret.bin'), payload(10, 1));
    const ds = new MiniDataset(new LocalStore(nodePath.join(dir, 'ds')), [{ id: 1, path: nodePath.join(dir, 'media'), isDatasetRoot: false }]);
    const addrs = await ds.addFragment(
      [nodePath.join(dir, 'media', 'a.bin'), { uri: `file://${dir}/media/a.bin`, position: 5, size: 10 }, `file://${dir}/secret.bin`],
      T,
      { allowExternalOutsideBases: true },
    );
    const descs = await ds.blobDescriptors('payload', addrs);
    expect(descs.map((d) => [d.descriptor!.blobId, d.descriptor!.blobUri])).toEqual([[1, 'a.bin'], [1, 'a.bin'], [0, `file://${dir}/secret.bin`]]);
    // Under the registered base: readable as is. The absolute URI outside it needs the opt-in.
    expect(sameBytes((await fetchBlobs(ds, 'payload', [addrs[0]!]))[0], bytes)).toBe(true);
    await expect(fetchBlobs(ds, 'payload', addrs)).rejects.toMatchObject({ code: 'EXTERNAL_BLOB_OUTSIDE_DATASET' });
    ds.externalReads = { roots: [dir] };
    const got = await fetchBlobs(ds, 'payload', addrs);
    expect(sameBytes(got[0], bytes)).toBe(true);
    expect(sameBytes(got[1], bytes.subarray(5, 15))).toBe(true);
    expect(sameBytes(got[2], payload(10, 1))).toBe(true);
    expect((await fetchBlobFiles(ds, 'payload', [addrs[0]!]))[0]!.size).toBe(3000);
    // A tampered descriptor that tries to climb out of its base is refused.
    ds.rows.set(99n, { rowAddress: 99n, descriptor: externalDescriptor(1, '../secret.bin'), dataFile: ds.rows.get(addrs[0]!)!.dataFile });
    await expect(fetchBlobs(ds, 'payload', [99n])).rejects.toMatchObject({ code: 'UNSAFE_BLOB_URI' });
    await fs.rm(dir, { recursive: true });
  });
});
