// Range reads reuse open file handles; a handle must never serve bytes of an object the same
// process replaced, deleted or re-created through any LocalStore.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../src/io/index.js';

const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);

describe('LocalStore read handles', () => {
  it('reads fresh bytes after put, delete + re-create, copy and streaming writes over a cached path', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-handles-'));
    const a = new LocalStore(root);
    const b = new LocalStore(root); // a second store on the same directory shares the cache
    await a.put('x.bin', bytes(100, 1));
    expect((await a.getRange('x.bin', 0, 4))[0]).toBe(1); // handle now cached
    await b.put('x.bin', bytes(100, 2));
    expect((await a.getRange('x.bin', 0, 4))[0]).toBe(2);
    await a.delete('x.bin');
    await expect(a.getRange('x.bin', 0, 4)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const w = await b.createWriter('x.bin');
    await w.write(bytes(50, 3));
    await w.close();
    expect(Array.from(await a.getRange('x.bin', 46, 50))).toEqual([3, 3, 3, 3]);
    await a.put('y.bin', bytes(10, 9));
    await a.delete('x.bin');
    await b.copy('y.bin', 'x.bin');
    expect((await a.getRange('x.bin', 0, 1))[0]).toBe(9);
  });

  it('serves many concurrent range reads of one file correctly through one handle', async () => {
    const s = new LocalStore(mkdtempSync(join(tmpdir(), 'lancet-handles-')));
    const data = new Uint8Array(1 << 16).map((_, i) => (i * 7) & 0xff);
    await s.put('d.bin', data);
    const ranges = Array.from({ length: 200 }, (_, i) => [(i * 313) % 60000, ((i * 313) % 60000) + 1 + (i % 97)] as const);
    const before = s.counters.readRequests;
    const parts = await Promise.all(ranges.map(([x, y]) => s.getRange('d.bin', x, y)));
    parts.forEach((p, i) => expect(Buffer.from(p).equals(Buffer.from(data.subarray(ranges[i]![0], ranges[i]![1])))).toBe(true));
    expect(s.counters.readRequests - before).toBe(200);
  });
});
