// A sidecar cut short (disk full, partial copy, tampering) must never pass for a shorter blob:
// every read path checks the bytes it delivered against the descriptor's size and fails loudly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { randomUUID } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { connect, blobField, type Table } from '../../src/index.js';
import { runCli } from '../../src/cli/main.js';
import { MemoryStore } from '../../src/io/memory-store.js';
import { LocalStore } from '../../src/io/local-store.js';
import { S3Store } from '../../src/io/s3-store.js';
import type { ObjectStore } from '../../src/io/object-store.js';
import { startFakeS3, type FakeS3 } from '../helpers/fake-s3.js';

const SIZE = 300_000;
const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('img', { inlineSizeThreshold: 10, dedicatedSizeThreshold: 1000 })]);
const payload = new Uint8Array(SIZE).map((_, i) => (i * 31) & 0xff);

let root: string;
let table: Table;
let addr: bigint;
let dsPath: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lancet-trunc-'));
  const db = await connect(root);
  table = await db.createTable('t', [{ id: 0, img: payload }], { schema });
  const rows = (await table.query().withRowAddress().toArray()) as { _rowaddr: bigint }[];
  addr = rows[0]!._rowaddr;
  dsPath = join(root, 't.lance');
  const dataDir = join(dsPath, 'data');
  const sidecars: string[] = [];
  for (const d of await fs.readdir(dataDir, { withFileTypes: true })) {
    if (d.isDirectory()) for (const f of await fs.readdir(join(dataDir, d.name))) sidecars.push(join(dataDir, d.name, f));
  }
  expect(sidecars).toHaveLength(1);
  await fs.truncate(sidecars[0]!, SIZE / 2);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const truncated = expect.objectContaining({ code: 'TRUNCATED_BLOB' });

describe('a dedicated blob whose sidecar was truncated', () => {
  it('fetchBlobs, read and readRange fail with TRUNCATED_BLOB', async () => {
    await expect(table.fetchBlobs('img', [addr])).rejects.toEqual(truncated);
    const [f] = await table.fetchBlobFiles('img', [addr]);
    expect(f!.size).toBe(SIZE);
    await expect(f!.read()).rejects.toEqual(truncated);
    await expect(f!.readRange(SIZE / 2 - 10, SIZE / 2 + 10)).rejects.toEqual(truncated);
    expect(Buffer.from(await f!.readRange(0, 100)).equals(Buffer.from(payload.subarray(0, 100)))).toBe(true);
  });

  it('stream() errors instead of ending early', async () => {
    const [f] = await table.fetchBlobFiles('img', [addr]);
    let got = 0;
    await expect(
      (async () => {
        for await (const c of f!.stream()) got += (c as Buffer).length;
      })(),
    ).rejects.toEqual(truncated);
    expect(got).toBeLessThanOrEqual(SIZE / 2);
  });

  it('webStream() errors instead of closing early', async () => {
    const [f] = await table.fetchBlobFiles('img', [addr]);
    const reader = f!.webStream().getReader();
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) break;
      })(),
    ).rejects.toEqual(truncated);
  });

  it('lancet blob cat exits non-zero with one line', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = 0;
    let err = '';
    stdout.on('data', (d: Buffer) => (out += d.length));
    stderr.on('data', (d) => (err += d));
    const code = await runCli(['blob', 'cat', dsPath, '--column', 'img', '--row', String(addr)], { stdout, stderr, stdin: new PassThrough(), env: {} });
    expect(code).not.toBe(0);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('TRUNCATED_BLOB');
    expect(out).toBeLessThan(SIZE);
  });
});

describe('readStream with an end past the object', () => {
  let fake: FakeS3;
  beforeAll(async () => {
    fake = await startFakeS3({ buckets: ['b'] });
  });
  afterAll(async () => {
    await fake.close();
  });

  const stores: [string, () => ObjectStore][] = [
    ['memory', () => new MemoryStore()],
    ['local', () => new LocalStore(mkdtempSync(join(root, 'store-')))],
    ['s3', () => new S3Store({ bucket: 'b', prefix: randomUUID(), endpoint: fake.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'A', secretAccessKey: 'S' } })],
  ];
  for (const [name, make] of stores) {
    it(`${name}: fails with SHORT_READ instead of ending early`, async () => {
      const s = make();
      await s.put('x.bin', new Uint8Array(1000).fill(7));
      let got = 0;
      await expect(
        (async () => {
          for await (const c of s.readStream('x.bin', 100, 2000)) got += c.length;
        })(),
      ).rejects.toMatchObject({ code: 'SHORT_READ' });
      expect(got).toBeLessThanOrEqual(900);
      // An end inside the object and an open end still stream exactly.
      let n = 0;
      for await (const c of s.readStream('x.bin', 100, 1000)) n += c.length;
      expect(n).toBe(900);
      n = 0;
      for await (const c of s.readStream('x.bin', 100)) n += c.length;
      expect(n).toBe(900);
    });
  }
});
