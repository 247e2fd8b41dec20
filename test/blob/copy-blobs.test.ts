import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { LocalStore } from '../../src/io/local-store.js';
import { MemoryStore } from '../../src/io/memory-store.js';
import { diffCounters } from '../../src/io/object-store.js';
import { BlobKind, newBlobWriteCounters } from '../../src/format/blob/index.js';
import { copyBlobs } from '../../src/dataset/blob/copy-blobs.js';
import { fetchBlobs } from '../../src/dataset/blob/fetch-blobs.js';
import { MiniDataset } from './mini-dataset.js';
import { payload, sameBytes } from './writer-helpers.js';

const T = { inline: 100, dedicated: 1000, packFile: 1 << 20 };

async function tmp(): Promise<string> {
  return fs.mkdtemp(nodePath.join(os.tmpdir(), 'blobcopy-'));
}

describe('copyBlobs', () => {
  it('dedicated blobs between two local datasets are hard-linked: 0 payload bytes written', async () => {
    const dir = await tmp();
    const src = new MiniDataset(new LocalStore(nodePath.join(dir, 'a.lance')));
    const values = Array.from({ length: 20 }, (_, i) => payload(2000 + i, i));
    const addrs = await src.addFragment(values, T);
    const dstStore = new LocalStore(nodePath.join(dir, 'b.lance'));
    const dst = new MiniDataset(dstStore);
    const { values: refs, stats } = await copyBlobs(src, 'payload', addrs);
    expect(stats.references.object).toBe(20);
    const counters = newBlobWriteCounters();
    const before = { ...dstStore.counters };
    const newAddrs = await dst.addFragment(refs, T, { counters });
    const d = diffCounters(dstStore.counters, before);
    expect(counters.payloadBytesWritten).toBe(0);
    expect(counters.payloadBytesLinked).toBe(values.reduce((a, v) => a + v.length, 0));
    expect(d.bytesLinked).toBe(counters.payloadBytesLinked);
    // Same inode: a link, not a copy.
    const descs = await dst.blobDescriptors('payload', newAddrs);
    expect(descs.every((x) => x.descriptor!.kind === BlobKind.Dedicated)).toBe(true);
    await fs.rm(nodePath.join(dir, 'a.lance'), { recursive: true });
    const got = await fetchBlobs(dst, 'payload', newAddrs);
    got.forEach((g, i) => expect(sameBytes(g, values[i])).toBe(true));
    await fs.rm(dir, { recursive: true });
  });

  it('a pack whose every byte moves is linked whole with positions kept; a partial pack is range-copied', async () => {
    const dir = await tmp();
    const src = new MiniDataset(new LocalStore(nodePath.join(dir, 'a.lance')));
    const values = [payload(300, 1), payload(400, 2), payload(500, 3), payload(50, 4), null, new Uint8Array()];
    const addrs = await src.addFragment(values, T);
    const dst = new MiniDataset(new LocalStore(nodePath.join(dir, 'b.lance')));

    const all = await copyBlobs(src, 'payload', addrs);
    expect(all.stats.wholePacks).toBe(1);
    const c1 = newBlobWriteCounters();
    const a1 = await dst.addFragment(all.values, T, { counters: c1 });
    expect(c1.payloadBytesLinked).toBe(1200);
    expect(c1.payloadBytesWritten).toBe(50); // only the inline one
    const srcDescs = await src.blobDescriptors('payload', addrs.slice(0, 3));
    const dstDescs = await dst.blobDescriptors('payload', a1.slice(0, 3));
    expect(dstDescs.map((x) => x.descriptor!.position)).toEqual(srcDescs.map((x) => x.descriptor!.position));

    const some = await copyBlobs(src, 'payload', [addrs[1]!, addrs[1]!]);
    expect(some.stats.wholePacks).toBe(0);
    const c2 = newBlobWriteCounters();
    const a2 = await dst.addFragment(some.values, T, { counters: c2 });
    expect(c2.payloadBytesLinked).toBe(0);
    expect(c2.payloadBytesWritten).toBe(800);

    await fs.rm(nodePath.join(dir, 'a.lance'), { recursive: true });
    const got = await fetchBlobs(dst, 'payload', [...a1, ...a2]);
    expect(got.slice(0, 6).map((g, i) => sameBytes(g, values[i]))).toEqual([true, true, true, true, true, true]);
    expect(sameBytes(got[6], values[1])).toBe(true);
    expect(sameBytes(got[7], values[1])).toBe(true);
    await fs.rm(dir, { recursive: true });
  });

  it('references are re-placed by the target thresholds; memory stores stream-copy', async () => {
    const src = new MiniDataset(new MemoryStore());
    const values = [payload(2000, 1), payload(300, 2), payload(50, 3)];
    const addrs = await src.addFragment(values, T);
    const dst = new MiniDataset(new MemoryStore());
    const { values: refs } = await copyBlobs(src, 'payload', addrs);
    // Target: everything above 10 bytes is dedicated.
    const c = newBlobWriteCounters();
    const a = await dst.addFragment(refs, { inline: 10, dedicated: 10, packFile: 100 }, { counters: c });
    const descs = await dst.blobDescriptors('payload', a);
    expect(descs.map((x) => x.descriptor!.kind)).toEqual([BlobKind.Dedicated, BlobKind.Dedicated, BlobKind.Dedicated]);
    expect(c.payloadBytesWritten).toBe(2350);
    const got = await fetchBlobs(dst, 'payload', a);
    got.forEach((g, i) => expect(sameBytes(g, values[i])).toBe(true));
  });

  it('copying within one dataset links in place', async () => {
    const dir = await tmp();
    const ds = new MiniDataset(new LocalStore(nodePath.join(dir, 'a.lance')));
    const addrs = await ds.addFragment([payload(5000, 1)], T);
    const { values } = await copyBlobs(ds, 'payload', addrs);
    const c = newBlobWriteCounters();
    const a = await ds.addFragment(values, T, { counters: c });
    expect(c.payloadBytesLinked).toBe(5000);
    expect(sameBytes((await fetchBlobs(ds, 'payload', a))[0], payload(5000, 1))).toBe(true);
    const st1 = await fs.stat(nodePath.join(dir, 'a.lance', 'data', 'frag-0', '10000000000000000000000000000000.blob'));
    expect(st1.nlink).toBe(2);
    await fs.rm(dir, { recursive: true });
  });
});
