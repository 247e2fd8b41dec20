import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { LocalStore, MemoryStore, S3Store, type CopyMethod, type ObjectStore } from '../src/io/index.js';
import { AlreadyExistsError, NotFoundError } from '../src/errors.js';
import { startFakeS3, type FakeS3 } from './helpers/fake-s3.js';
import { rgwEnv, rgwStore } from './s3/s3-env.js';

let fake: FakeS3;
const opened: S3Store[] = [];
beforeAll(async () => {
  fake = await startFakeS3({ buckets: ['io-stores'] });
});
afterAll(async () => {
  for (const s of opened) await s.close();
  await fake.close();
});

const track = (s: S3Store) => (opened.push(s), s);
const rgw = rgwEnv(); // throws in CI when radosgw was not started

// [name, factory, how `copy` of a whole object is carried out]
const stores: [string, () => ObjectStore, CopyMethod][] = [
  ['local', () => new LocalStore(mkdtempSync(join(tmpdir(), 'lancet-io-'))), 'link'],
  ['memory', () => new MemoryStore(), 'link'],
  [
    's3 (fake server)',
    () => track(new S3Store({ bucket: 'io-stores', prefix: randomUUID(), endpoint: fake.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 's' } })),
    'server-copy',
  ],
  ...(rgw ? [['s3 (radosgw)', () => track(rgwStore(rgw)), 'server-copy'] as [string, () => ObjectStore, CopyMethod]] : []),
];

describe.each(stores)('%s store', (_name, make, copyMethod) => {
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
    expect(await s.copy('x/big.bin', 'y/big.bin')).toBe(copyMethod);
    expect(s.counters.bytesLinked).toBe(15);
    await s.copyRange('x/big.bin', 8, 12, 'y/part.bin');
    expect(Array.from(await s.get('y/part.bin'))).toEqual([1, 1, 2, 2]);
    const chunks: number[] = [];
    for await (const c of s.readStream('x/big.bin', 9, 11)) chunks.push(...c);
    expect(chunks).toEqual([1, 2]);
  });
});
