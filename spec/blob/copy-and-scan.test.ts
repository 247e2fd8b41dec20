// Zero-copy blob movement between datasets and payload-free metadata scans, checked with the
// stores' counters and with Lance 12 reading the result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { Readable } from 'node:stream';
import { connect } from '../../src/dataset/connection.js';
import '../../src/dataset/blob/table-blobs.js';
import { LocalStore } from '../../src/io/local-store.js';
import { diffCounters, type ObjectStore } from '../../src/io/object-store.js';
import { BlobKind, DEFAULT_BLOB_THRESHOLDS, blobField, layoutForSize } from '../../src/format/blob/index.js';
import { peerOpen, peerScan } from '../../test/helpers/lance-peer.js';
import { payload, sameBytes } from '../../test/blob/writer-helpers.js';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'blob-copy-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('payload', { inlineSizeThreshold: 1000, dedicatedSizeThreshold: 20_000 })]);

/** Records every path read, so tests can say which objects a query touched. */
function recordingStore(store: LocalStore, reads: string[] = []): { store: ObjectStore; reads: string[] } {
  const proxy = new Proxy(store, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      if (typeof v !== 'function') return v;
      // Each table reads through a view confined to its folder: record the views' reads too.
      if (prop === 'withReadRoot') return (base: string) => recordingStore(target.withReadRoot(base) as LocalStore, reads).store;
      if (prop === 'getRange' || prop === 'getRanges' || prop === 'readStream' || prop === 'get') {
        return (path: string, ...rest: unknown[]) => {
          reads.push(path);
          return (v as (...a: unknown[]) => unknown).call(target, path, ...rest);
        };
      }
      return v.bind(target);
    },
  });
  return { store: proxy, reads };
}

describe('copyBlobs between datasets', () => {
  it('100 dedicated blobs are hard-linked (0 payload bytes written) and Lance 12 reads them after the source is deleted', async () => {
    const srcDb = await connect(nodePath.join(root, 'src'));
    const values = Array.from({ length: 100 }, (_, i) => payload(25_000 + i * 10, i));
    const src = await srcDb.createTable('a', values.map((v, i) => ({ id: i, payload: v })), { schema });
    const addrs = Array.from({ length: 100 }, (_, i) => BigInt(i));
    const { values: refs, stats } = await src.copyBlobs('payload', addrs);
    expect(stats.references.object).toBe(100);
    expect(stats.payloadBytesRead).toBe(0);

    const dstStore = new LocalStore(nodePath.join(root, 'dst'));
    const dstDb = await connect(nodePath.join(root, 'dst'), { store: dstStore });
    const before = { ...dstStore.counters };
    const dst = await dstDb.createTable('b', refs.map((r, i) => ({ id: i, payload: r })), { schema });
    const d = diffCounters(dstStore.counters, before);
    const total = values.reduce((a, v) => a + v.length, 0);
    expect(dst.lastBlobWrite!.payloadBytesWritten).toBe(0);
    expect(dst.lastBlobWrite!.payloadBytesLinked).toBe(total);
    expect(d.bytesLinked).toBe(total);
    // Everything the destination store wrote is metadata: far less than one payload.
    expect(d.bytesWritten).toBeLessThan(25_000);

    await fs.rm(nodePath.join(root, 'src'), { recursive: true });
    const path = nodePath.join(root, 'dst', 'b.lance');
    const scan = await peerScan(path, { columns: ['id', 'payload'] });
    for (let i = 0; i < scan.numRows; i++) expect((scan.getChild('payload')!.get(i) as { kind: number }).kind).toBe(BlobKind.Dedicated);
    const peer = await peerOpen(path);
    const got = (await peer.fetchBlobs('payload', addrs.map(Number))) as Buffer[];
    expect(got.every((g, i) => sameBytes(g, values[i]))).toBe(true);
  });

  it('a whole pack moves by link; a subset of a pack and inline values are copied; mixed kinds read back by Lance 12', async () => {
    const db = await connect(nodePath.join(root, 'mixed'));
    const sizes = [500, 5000, 6000, 7000, 30_000, 0, -1];
    const values = sizes.map((s, i) => (s < 0 ? null : payload(s, 100 + i)));
    const src = await db.createTable('a', values.map((v, i) => ({ id: i, payload: v })), { schema });
    const all = await src.copyBlobs('payload', sizes.map((_, i) => i));
    expect(all.stats.wholePacks).toBe(1);
    // Same connection, same store: the target writes only the inline value.
    const dst = await db.createTable('b', all.values.map((r, i) => ({ id: i, payload: r })), { schema });
    expect(dst.lastBlobWrite!.payloadBytesWritten).toBe(500);
    expect(dst.lastBlobWrite!.payloadBytesLinked).toBe(5000 + 6000 + 7000 + 30_000);

    const part = await src.copyBlobs('payload', [2, 2, 4]);
    await dst.add(part.values.map((r, i) => ({ id: 100 + i, payload: r })));
    expect(dst.lastBlobWrite!.payloadBytesWritten).toBe(12_000);
    expect(dst.lastBlobWrite!.payloadBytesLinked).toBe(30_000);

    const peer = await peerOpen(nodePath.join(root, 'mixed', 'b.lance'));
    const got = (await peer.fetchBlobs('payload', [0, 1, 2, 3, 4, 5, 6])) as (Buffer | null)[];
    expect(got.map((g, i) => (values[i] === null ? g === null : sameBytes(g, values[i])))).toEqual([true, true, true, true, true, true, true]);
    const got2 = await dst.fetchBlobs('payload', [1n << 32n, (1n << 32n) | 1n, (1n << 32n) | 2n]);
    expect([sameBytes(got2[0], values[2]), sameBytes(got2[1], values[2]), sameBytes(got2[2], values[4])]).toEqual([true, true, true]);
  });
});

describe('metadata scans', () => {
  it('a scan returns descriptors and reads no sidecar and no inline payload bytes', async () => {
    const local = new LocalStore(nodePath.join(root, 'scan'));
    const rec = recordingStore(local);
    const db = await connect(nodePath.join(root, 'scan'), { store: rec.store });
    const size = (i: number) => (i % 3 === 0 ? 60_000 : i % 3 === 1 ? 100_000 : i < 9 ? 4_300_000 : 70_000);
    const values = Array.from({ length: 60 }, (_, i) => payload(size(i), i));
    const plainSchema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('payload')]);
    const t = await db.createTable('t', values.map((v, i) => ({ id: i, payload: v })), { schema: plainSchema });
    rec.reads.length = 0;
    const before = { ...local.counters };
    const out = await t.query().select(['id', 'payload']).toArrow();
    const d = diffCounters(local.counters, before);
    expect(out.numRows).toBe(60);
    const col = out.getChild('payload')!;
    expect(String(col.type)).toContain('kind');
    const kinds = Array.from({ length: 60 }, (_, i) => (col.get(i) as { kind: number }).kind);
    expect(kinds).toEqual(values.map((v) => layoutForSize(v.length, DEFAULT_BLOB_THRESHOLDS)).map((l) => ({ inline: 0, packed: 1, dedicated: 2 })[l]));
    expect(rec.reads.filter((p) => p.endsWith('.blob'))).toEqual([]);
    // 20 inline payloads (1.2 MB) sit in the data file; the scan reads its 64 KiB tail and descriptor pages only.
    expect(d.bytesRead).toBeLessThan(128 * 1024);
    // And reading the bytes afterwards touches exactly the sidecars needed.
    rec.reads.length = 0;
    await t.fetchBlobs('payload', [2n, 5n]);
    expect(new Set(rec.reads.filter((p) => p.endsWith('.blob'))).size).toBe(2);
    // Payload reads are exact: two dedicated sidecars, nothing more than their bytes plus descriptor reads.
    expect(diffCounters(local.counters, before).bytesRead - d.bytesRead).toBeLessThan(2 * 4_300_000 + 128 * 1024);
  });
});

describe('streamed values through the table API', () => {
  it('Readable streams, async iterables, files and web Blobs in row objects are streamed into place; Lance 12 reads them', async () => {
    const file = nodePath.join(root, 'input.bin');
    const big = payload(30_000, 1);
    await fs.writeFile(file, big);
    const a = payload(5000, 2);
    const b = payload(800, 3);
    const c = payload(25_000, 4);
    async function* gen(bytes: Uint8Array) {
      for (let i = 0; i < bytes.length; i += 700) yield bytes.subarray(i, i + 700);
    }
    const db = await connect(nodePath.join(root, 'streams'));
    const t = await db.createTable(
      't',
      [
        { id: 0, payload: { path: file } },
        { id: 1, payload: Readable.from(gen(a)) },
        { id: 2, payload: gen(b) },
        { id: 3, payload: new Blob([c]) },
      ],
      { schema },
    );
    expect(t.lastBlobWrite!.values).toMatchObject({ inline: 1, packed: 1, dedicated: 2 });
    const peer = await peerOpen(nodePath.join(root, 'streams', 't.lance'));
    const got = (await peer.fetchBlobs('payload', [0, 1, 2, 3])) as Buffer[];
    expect([sameBytes(got[0], big), sameBytes(got[1], a), sameBytes(got[2], b), sameBytes(got[3], c)]).toEqual([true, true, true, true]);
  });
});
