import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore, MemoryStore, type ObjectStore } from '../src/io/index.js';
import { AlreadyExistsError, NotFoundError } from '../src/errors.js';

const stores: [string, () => ObjectStore][] = [
  ['local', () => new LocalStore(mkdtempSync(join(tmpdir(), 'lancet-io-')))],
  ['memory', () => new MemoryStore()],
];

describe.each(stores)('%s store', (_name, make) => {
  it('puts, gets ranges, lists and deletes', async () => {
    const s = make();
    const data = new Uint8Array(1000).map((_, i) => i & 0xff);
    await s.put('a/b/c.bin', data);
    expect((await s.head('a/b/c.bin')).size).toBe(1000);
    expect(Array.from(await s.getRange('a/b/c.bin', 10, 20))).toEqual(Array.from(data.subarray(10, 20)));
    const parts = await s.getRanges('a/b/c.bin', [[900, 910], [0, 5], [5, 10]]);
    expect(parts.map((p) => p[0])).toEqual([900 & 0xff, 0, 5]);
    expect((await s.list('a/')).map((m) => m.path)).toEqual(['a/b/c.bin']);
    await s.delete('a/b/c.bin');
    await expect(s.head('a/b/c.bin')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('put-if-absent lets exactly one concurrent writer win', async () => {
    const s = make();
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.putIfAbsent('v/1', new Uint8Array([i]))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyExistsError);
  });

  it('streams writes and copies without moving bytes where it can', async () => {
    const s = make();
    const w = await s.createWriter('x/big.bin');
    await w.write(new Uint8Array(10).fill(1));
    await w.write(new Uint8Array(5).fill(2));
    expect(await w.close()).toBe(15);
    expect(await s.copy('x/big.bin', 'y/big.bin')).toBe('link');
    expect(s.counters.bytesLinked).toBe(15);
    await s.copyRange('x/big.bin', 8, 12, 'y/part.bin');
    expect(Array.from(await s.get('y/part.bin'))).toEqual([1, 1, 2, 2]);
    const chunks: number[] = [];
    for await (const c of s.readStream('x/big.bin', 9, 11)) chunks.push(...c);
    expect(chunks).toEqual([1, 2]);
  });
});
