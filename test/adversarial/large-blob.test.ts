// Blobs past 2 GiB: Node's fs binding aborts the whole process (not an exception) when one read
// is asked for more than 2^31-1 bytes, so every local read is split into <= 1 GiB calls, and a
// whole read past the in-memory limit is refused with a typed error pointing at streaming. The
// payload is a sparse file hard-linked into the dataset, so the test writes almost nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect, blobField, type Table } from '../../src/index.js';
import { LocalStore } from '../../src/io/local-store.js';
import { blobReference } from '../../src/format/blob/blob-reference.js';
import { MAX_IN_MEMORY_READ_BYTES, readFully } from '../../src/io/read-limits.js';

const GIB = 1024 ** 3;
const BIG = Math.floor(2.2 * GIB); // past int32 and past what one in-memory read may hold
const MARKS = [0, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 7, BIG - 1];

let root: string;
let table: Table;
let addr: bigint;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lancet-bigblob-'));
  const src = join(root, 'src');
  await fs.mkdir(src);
  const fh = await fs.open(join(src, 'big.bin'), 'w');
  try {
    await fh.truncate(BIG);
    for (const at of MARKS) await fh.write(new Uint8Array([(at % 251) + 1]), 0, 1, at);
  } finally {
    await fh.close();
  }
  const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('img')]);
  const db = await connect(join(root, 'db'));
  const img = blobReference({ type: 'object', store: new LocalStore(src), path: 'big.bin', size: BIG });
  table = await db.createTable('t', [{ id: 0, img }], { schema });
  expect(table.lastBlobWrite?.payloadBytesLinked).toBe(BIG);
  addr = ((await table.query().withRowAddress().toArray()) as { _rowaddr: bigint }[])[0]!._rowaddr;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function expectMarks(bytes: Uint8Array, from: number): void {
  for (const at of MARKS) if (at >= from && at < from + bytes.length) expect(bytes[at - from], `byte ${at}`).toBe((at % 251) + 1);
}

describe('a 2.2 GiB dedicated blob', () => {
  it('whole reads are refused with READ_TOO_LARGE pointing at streaming (no abort, no allocation)', async () => {
    expect(BIG).toBeGreaterThan(MAX_IN_MEMORY_READ_BYTES);
    const tooLarge = expect.objectContaining({ code: 'READ_TOO_LARGE', message: expect.stringContaining('stream') });
    await expect(table.fetchBlobs('img', [addr])).rejects.toEqual(tooLarge);
    const [f] = await table.fetchBlobFiles('img', [addr]);
    expect(f!.size).toBe(BIG);
    await expect(f!.read()).rejects.toEqual(tooLarge);
    await expect(f!.readRange(0, BIG)).rejects.toEqual(tooLarge);
  });

  it('ranges and streams across the 2 GiB line and at the tail are exact', async () => {
    const [f] = await table.fetchBlobFiles('img', [addr]);
    const r = await f!.readRange(2 ** 31 - 16, 2 ** 31 + 16);
    expect(r.length).toBe(32);
    expectMarks(r, 2 ** 31 - 16);
    const from = 2 ** 31 - 3 * 1024 * 1024;
    const parts: Buffer[] = [];
    for await (const c of f!.stream(from, from + 6 * 1024 * 1024)) parts.push(c as Buffer);
    const s = Buffer.concat(parts);
    expect(s.length).toBe(6 * 1024 * 1024);
    expectMarks(s, from);
    f!.seek(BIG - 10);
    const tail = await f!.read();
    expect(tail.length).toBe(10);
    expectMarks(tail, BIG - 10);
    let n = 0;
    let last = 0;
    for await (const c of f!.stream(BIG - 3 * 1024 * 1024)) {
      n += c.length;
      last = (c as Buffer)[c.length - 1]!;
    }
    expect(n).toBe(3 * 1024 * 1024);
    expect(last).toBe(((BIG - 1) % 251) + 1);
  });
});

it('readFully never asks one read call for more than its limit', async () => {
  const file = new Uint8Array(1000).map((_, i) => i & 0xff);
  const calls: number[] = [];
  const fh = {
    async read(buffer: Uint8Array, offset: number, length: number, position: number) {
      calls.push(length);
      const n = Math.max(0, Math.min(length, file.length - position, 37)); // short reads happen
      buffer.set(file.subarray(position, position + n), offset);
      return { bytesRead: n };
    },
  };
  const out = new Uint8Array(900);
  expect(await readFully(fh, out, 50, 64)).toBe(900);
  expect(Math.max(...calls)).toBeLessThanOrEqual(64);
  expect(Buffer.from(out).equals(Buffer.from(file.subarray(50, 950)))).toBe(true);
  expect(await readFully(fh, new Uint8Array(100), 950, 64)).toBe(50); // the file ends first
});
