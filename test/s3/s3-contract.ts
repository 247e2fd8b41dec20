// S3Store behaviour every S3 server we test against must show: run against the in-repo fake
// (fast, every run) and against radosgw (fidelity, CI). Each test works under its own prefix.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError, StoreError } from '../../src/errors.js';
import { diffCounters } from '../../src/io/object-store.js';
import type { S3Store, S3StoreOptions } from '../../src/io/s3-store.js';

const MIB = 1024 * 1024;

export interface S3Harness {
  /** A store under a fresh, empty prefix. */
  make(extra?: Partial<S3StoreOptions>): S3Store;
  /** Whether process memory can be measured (false when the server lives in this process). */
  measuresMemory: boolean;
}

function pattern(n: number, seed = 7): Uint8Array {
  const words = new Uint32Array(Math.ceil(n / 4));
  let x = seed;
  for (let i = 0; i < words.length; i++) words[i] = x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  return new Uint8Array(words.buffer, 0, n);
}

/** vitest's deep equality walks typed arrays element by element: far too slow for MiBs. */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  if (!Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected)) {
    const i = actual.findIndex((b, k) => b !== expected[k]);
    expect.fail(`bytes differ first at offset ${i}: ${actual[i]} != ${expected[i]}`);
  }
}

async function drain(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of it) chunks.push(c);
  return new Uint8Array(Buffer.concat(chunks));
}

export function s3Contract(name: string, harness: () => S3Harness): void {
  describe(`S3Store contract on ${name}`, () => {
    it('puts, heads, gets whole objects and exact ranges, lists and deletes', async () => {
      const s = harness().make();
      const data = pattern(100_000);
      await s.put('a/b/c.bin', data);
      await s.put('a/d.bin', data.subarray(0, 10));
      await s.put('z.bin', new Uint8Array(0));
      expect((await s.head('a/b/c.bin')).size).toBe(100_000);
      expect(await s.exists('a/b/c.bin')).toBe(true);
      expect(await s.exists('a/b/nope')).toBe(false);
      expectBytes(await s.get('a/b/c.bin'), data);
      expectBytes(await s.get('z.bin'), new Uint8Array(0));
      expectBytes(await s.getRange('a/b/c.bin', 100, 200), data.subarray(100, 200));
      expectBytes(await s.getRange('a/b/c.bin', 99_990, 100_000), data.subarray(99_990));
      expectBytes(await s.getRange('a/b/c.bin', 5, 5), new Uint8Array(0));

      const before = { ...s.counters };
      const parts = await s.getRanges('a/b/c.bin', [
        [90_000, 90_010],
        [0, 5],
        [5, 10],
        [1000, 1100],
      ]);
      expect(parts).toEqual([data.subarray(90_000, 90_010), data.subarray(0, 5), data.subarray(5, 10), data.subarray(1000, 1100)]);
      // [0,5), [5,10), [1000,1100) coalesce into one GET; [90000, 90010) is another.
      expect(diffCounters(s.counters, before).readRequests).toBe(2);

      expect((await s.list('a/')).map((m) => m.path).sort()).toEqual(['a/b/c.bin', 'a/d.bin']);
      expect((await s.list('a/b')).map((m) => m.path)).toEqual(['a/b/c.bin']);
      expect((await s.list('')).length).toBe(3);
      const meta = (await s.list('a/d')).at(0)!;
      expect(meta.size).toBe(10);
      expect(Math.abs(meta.mtimeMs - Date.now())).toBeLessThan(10 * 60_000);

      await s.delete('a/b/c.bin');
      await s.delete('a/b/c.bin'); // missing: not an error
      await expect(s.head('a/b/c.bin')).rejects.toBeInstanceOf(NotFoundError);
      await expect(s.get('a/b/c.bin')).rejects.toBeInstanceOf(NotFoundError);
      await expect(s.getRange('a/b/c.bin', 0, 1)).rejects.toBeInstanceOf(NotFoundError);
      expect(s.root).toMatch(/^s3:\/\/[^/]+\/lancet-tests\//);
    });

    it('refuses ranges past the end instead of returning fewer bytes', async () => {
      const s = harness().make();
      await s.put('r.bin', pattern(1000));
      const err = await s.getRange('r.bin', 990, 1010).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('SHORT_READ');
      expect(((await s.getRange('r.bin', 1000, 1001).catch((e: unknown) => e)) as StoreError).code).toBe('SHORT_READ');
      expect(((await s.getRange('r.bin', 1001, 1001).catch((e: unknown) => e)) as StoreError).code).toBe('SHORT_READ');
      await expect(s.getRanges('r.bin', [[0, 10], [995, 1005]])).rejects.toMatchObject({ code: 'SHORT_READ' });
    });

    it('streams ranges with ranged GETs and stops early without draining', async () => {
      const s = harness().make();
      const data = pattern(300_000);
      await s.put('s.bin', data);
      expectBytes(await drain(s.readStream('s.bin')), data);
      expectBytes(await drain(s.readStream('s.bin', 123, 45_678)), data.subarray(123, 45_678));
      expectBytes(await drain(s.readStream('s.bin', 299_000)), data.subarray(299_000));
      expectBytes(await drain(s.readStream('s.bin', 300_000)), new Uint8Array(0));
      expectBytes(await drain(s.readStream('s.bin', 10, 10)), new Uint8Array(0));
      const before = s.counters.bytesRead;
      for await (const c of s.readStream('s.bin')) {
        expect(c.length).toBeGreaterThan(0);
        break;
      }
      expect(s.counters.bytesRead - before).toBeLessThan(300_000);
      await expect(drain(s.readStream('missing.bin'))).rejects.toBeInstanceOf(NotFoundError);
    });

    it('put-if-absent: exactly one of 10 concurrent writers wins and its bytes stay', async () => {
      const s = harness().make();
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.putIfAbsent('_versions/1.manifest', new TextEncoder().encode(`writer-${i}`))));
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyExistsError);
      expect(new TextDecoder().decode(await s.get('_versions/1.manifest'))).toBe(`writer-${won[0]}`);
      await expect(s.putIfAbsent('_versions/1.manifest', new Uint8Array([1]))).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(new TextDecoder().decode(await s.get('_versions/1.manifest'))).toBe(`writer-${won[0]}`);
      await s.putIfAbsent('_versions/2.manifest', new Uint8Array([2]));
      expectBytes(await s.get('_versions/2.manifest'), new Uint8Array([2]));
    });

    it('lists across pages with continuation tokens', async () => {
      const s = harness().make({ listPageSize: 2 });
      await Promise.all(Array.from({ length: 7 }, (_, i) => s.put(`data/f${i}.lance`, new Uint8Array(i))));
      await s.put('data2/x', new Uint8Array(1));
      const before = s.counters.listRequests;
      const listed = await s.list('data/');
      expect(listed.map((m) => m.path).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `data/f${i}.lance`));
      expect(listed.find((m) => m.path === 'data/f6.lance')!.size).toBe(6);
      expect(s.counters.listRequests - before).toBe(4);
      expect(await s.list('nothing/')).toEqual([]);
    });

    it('writes a 12 MiB object as a multipart upload holding one part in memory', async () => {
      const h = harness();
      const s = h.make({ partSize: 5 * MIB });
      const before = { ...s.counters };
      const w = await s.createWriter('big/blob.bin');
      const chunk = new Uint8Array(64 * 1024);
      const hash = createHash('sha256');
      const baseline = process.memoryUsage().arrayBuffers;
      let peak = 0;
      for (let i = 0; i < 192; i++) {
        chunk.fill(i & 0xff); // the caller reuses its buffer: the writer must have copied it
        chunk[0] = i >> 8;
        hash.update(chunk);
        await w.write(chunk);
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
      }
      expect(w.position).toBe(12 * MIB);
      expect(await w.close()).toBe(12 * MIB);
      const d = diffCounters(s.counters, before);
      expect(d.writeRequests).toBe(5); // create + 3 parts + complete
      expect(d.bytesWritten).toBe(12 * MIB);
      // One 5 MiB part buffer plus small change; buffering the object would take 12 MiB.
      if (h.measuresMemory) expect(peak).toBeLessThan(9 * MIB);
      expect((await s.head('big/blob.bin')).size).toBe(12 * MIB);
      const back = createHash('sha256');
      for await (const c of s.readStream('big/blob.bin')) back.update(c);
      expect(back.digest('hex')).toBe(hash.digest('hex'));
    });

    it('writes small objects with a single PUT and leaves nothing on abort', async () => {
      const s = harness().make({ partSize: 5 * MIB });
      const before = s.counters.writeRequests;
      const w = await s.createWriter('small.bin');
      void w.write(new Uint8Array([1, 2])); // unawaited writes still land in order
      await w.write(new Uint8Array([3]));
      expect(await w.close()).toBe(3);
      expect(await w.close()).toBe(3);
      expect(s.counters.writeRequests - before).toBe(1);
      expectBytes(await s.get('small.bin'), new Uint8Array([1, 2, 3]));

      const empty = await s.createWriter('empty.bin');
      expect(await empty.close()).toBe(0);
      expect((await s.head('empty.bin')).size).toBe(0);

      const a = await s.createWriter('aborted.bin');
      await a.write(new Uint8Array(6 * MIB)); // past one part: a multipart upload is open
      await a.abort();
      await a.abort();
      expect(await s.exists('aborted.bin')).toBe(false);
      await expect(a.write(new Uint8Array(1))).rejects.toMatchObject({ code: 'WRITER_CLOSED' });
    });

    it('copies server-side and refuses to overwrite', async () => {
      const s = harness().make();
      const data = pattern(50_000);
      await s.put('src.bin', data);
      const before = { ...s.counters };
      expect(await s.copy('src.bin', 'copy/dst.bin')).toBe('server-copy');
      expectBytes(await s.get('copy/dst.bin'), data);
      const d = diffCounters(s.counters, before);
      expect(d.bytesLinked).toBe(50_000);
      expect(d.bytesRead).toBe(50_000); // only the get above: the copy moved no bytes through us
      await expect(s.copy('src.bin', 'copy/dst.bin')).rejects.toBeInstanceOf(AlreadyExistsError);
      await expect(s.copy('missing.bin', 'copy/other.bin')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('copies byte ranges server-side with UploadPartCopy', async () => {
      const s = harness().make();
      const data = pattern(50_000);
      await s.put('src.bin', data);
      const before = { ...s.counters };
      expect(await s.copyRange('src.bin', 1000, 21_000, 'part.bin')).toBe('server-copy');
      expect(await s.copyRange('src.bin', 0, 50_000, 'whole.bin')).toBe('server-copy');
      expect(await s.copyRange('src.bin', 7, 7, 'empty.bin')).toBe('server-copy');
      const d = diffCounters(s.counters, before);
      expect(d.bytesLinked).toBe(70_000);
      expect(d.bytesRead).toBe(0);
      expectBytes(await s.get('part.bin'), data.subarray(1000, 21_000));
      expectBytes(await s.get('whole.bin'), data);
      expect((await s.head('empty.bin')).size).toBe(0);
      await expect(s.copyRange('src.bin', 49_000, 50_001, 'past.bin')).rejects.toMatchObject({ code: 'SHORT_READ' });
      await expect(s.copyRange('src.bin', 0, 10, 'part.bin')).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await s.exists('past.bin')).toBe(false);
    });

    it('copies objects above the single-copy limit in server-side parts', async () => {
      const s = harness().make({ maxSingleCopy: 6 * MIB, copyPartSize: 5 * MIB, partSize: 5 * MIB });
      const w = await s.createWriter('big.bin');
      const data = pattern(12 * MIB + 17);
      await w.write(data);
      await w.close();
      const before = { ...s.counters };
      expect(await s.copy('big.bin', 'big-copy.bin')).toBe('server-copy');
      expect(await s.copyRange('big.bin', 3, 11 * MIB, 'big-range.bin')).toBe('server-copy');
      const d = diffCounters(s.counters, before);
      expect(d.bytesRead).toBe(0);
      expect(d.bytesLinked).toBe(12 * MIB + 17 + 11 * MIB - 3);
      expectBytes(await s.get('big-copy.bin'), data);
      expectBytes(await s.get('big-range.bin'), data.subarray(3, 11 * MIB));
    });
  });
}
