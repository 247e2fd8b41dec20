// Statement statistics are counted per statement: two statements running at once each report
// exactly their own bytes, and the counts agree with what the store itself stored and served.
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/io/memory-store.js';
import type { ObjectWriter } from '../../src/io/object-store.js';
import { LanceCatalog } from '../../src/query/lance-catalog.js';
import { sqlSession } from '../../src/query/session.js';

const hex = (seed: number, size: number) => Buffer.from(Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff)).toString('hex');
const values = (sizes: number[]) => sizes.map((s, i) => `(${i}, X'${hex(i, s)}')`).join(', ');

let roots = 0;
async function newTables(store: MemoryStore) {
  const root = `memory://lancet-stats-${roots++}`;
  const catalog = new LanceCatalog(root, { store });
  const db = sqlSession({ root, catalog });
  for (const t of ['a', 'b']) await db.sql(`CREATE TABLE ${t} (id INT NOT NULL, image BINARY) USING lance TBLPROPERTIES ('image.lance.encoding' = 'blob')`);
  return db;
}

/** A memory store that tallies the bytes it stores per table directory (its first path segment). */
class TallyingStore extends MemoryStore {
  readonly stored = new Map<string, number>();
  private tally(path: string, n: number): void {
    const dir = path.split('/')[0]!;
    this.stored.set(dir, (this.stored.get(dir) ?? 0) + n);
  }
  override async put(path: string, data: Uint8Array): Promise<void> {
    await super.put(path, data);
    this.tally(path, data.length);
  }
  override async putIfAbsent(path: string, data: Uint8Array): Promise<void> {
    await super.putIfAbsent(path, data);
    this.tally(path, data.length);
  }
  override async createWriter(path: string): Promise<ObjectWriter> {
    const w = await super.createWriter(path);
    const tally = (n: number) => this.tally(path, n);
    return {
      async write(chunk: Uint8Array) {
        await w.write(chunk);
        tally(chunk.length);
      },
      get position() {
        return w.position;
      },
      close: () => w.close(),
      abort: () => w.abort(),
    };
  }
}

describe('statement statistics under concurrency', () => {
  it('two concurrent INSERTs each report their own bytes, matching what the store stored', async () => {
    const store = new TallyingStore();
    const db = await newTables(store);
    const sizesA = [5000, 5000, 5000];
    const sizesB = [70_000, 70_000];
    store.stored.clear();
    const storeBefore = store.counters.bytesWritten;
    const [[ra], [rb]] = await Promise.all([db.sql(`INSERT INTO a VALUES ${values(sizesA)}`), db.sql(`INSERT INTO b VALUES ${values(sizesB)}`)]);
    expect(ra!.payloadBytesWritten).toBe(15_000);
    expect(rb!.payloadBytesWritten).toBe(140_000);
    // The independent measure: what the store itself stored, per table directory.
    expect(ra!.bytesWritten).toBe(store.stored.get('a.lance'));
    expect(rb!.bytesWritten).toBe(store.stored.get('b.lance'));
    expect([...store.stored.keys()].sort()).toEqual(['a.lance', 'b.lance']);
    expect(ra!.bytesWritten + rb!.bytesWritten).toBe(store.counters.bytesWritten - storeBefore);
  });

  it('two concurrent SELECTs of blob payloads each report the payload bytes they read', async () => {
    const store = new MemoryStore();
    const db = await newTables(store);
    await db.sql(`INSERT INTO a VALUES ${values([3000, 3000])}; INSERT INTO b VALUES ${values([90_000])}`);
    const readBefore = store.counters.bytesRead;
    const [[ra], [rb]] = await Promise.all([db.sql('SELECT id, blob_bytes(image) AS b FROM a'), db.sql('SELECT id, blob_bytes(image) AS b FROM b')]);
    expect([ra!.payloadBytesRead, ra!.planPayloadBytes]).toEqual([6000, 6000]);
    expect([rb!.payloadBytesRead, rb!.planPayloadBytes]).toEqual([90_000, 90_000]);
    expect(ra!.bytesWritten + rb!.bytesWritten).toBe(0);
    // The store served at least the payloads (plus manifests and column metadata).
    expect(store.counters.bytesRead - readBefore).toBeGreaterThanOrEqual(96_000);
  });

  it('many concurrent statements of different sizes never see each other’s bytes', async () => {
    const store = new MemoryStore();
    const db = await newTables(store);
    const sizes = [1, 2, 3, 4, 5, 6].map((k) => k * 2000);
    const before = store.counters.bytesWritten;
    const results = await Promise.all(sizes.map((s, i) => db.sql(`INSERT INTO ${i % 2 ? 'b' : 'a'} VALUES ${values([s])}`)));
    expect(results.map(([r]) => r!.payloadBytesWritten)).toEqual(sizes);
    expect(results.reduce((n, [r]) => n + r!.bytesWritten, 0)).toBe(store.counters.bytesWritten - before);
  });
});
