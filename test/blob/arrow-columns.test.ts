// Plain Arrow columns written into a Blob V2 column: Binary/LargeBinary values are payloads (placed
// by size like any bytes), Utf8 values are external URIs; Lance 12 reads the result.
import { expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect, blobField } from '../../src/index.js';
import { peerOpen } from '../helpers/lance-peer.js';

const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), blobField('img', { inlineSizeThreshold: 10, dedicatedSizeThreshold: 40 })]);
const ids = (xs: number[]) => arrow.makeVector(Int32Array.from(xs));

it('accepts binary and large-binary columns (sliced too) and string URI columns for a blob column', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lancet-blobcols-'));
  // outside.bin sits next to the table, outside it: reading it back needs the connection's opt-in.
  const db = await connect(root, { externalBlobRoots: [root] });
  const t = await db.createTable('t', [{ id: 0, img: new Uint8Array(3).fill(9) }], { schema });
  const large = [new Uint8Array(5).fill(1), null, new Uint8Array(50).fill(2), new Uint8Array(0)];
  await t.add(new arrow.Table({ id: ids([1, 2, 3, 4]), img: arrow.vectorFromArray(large, new arrow.LargeBinary()) }));
  const small = arrow.vectorFromArray([null, new Uint8Array(20).fill(3), Buffer.from('hello'), new Uint8Array(7)], new arrow.Binary());
  const sliced = new arrow.Table({ id: ids([5, 6, 7, 8]), img: small }).slice(1, 3); // ids 6, 7: an offset slice
  await t.add(sliced);
  const ext = join(root, 'outside.bin');
  writeFileSync(ext, Buffer.from('external bytes'));
  await t.add(new arrow.Table({ id: ids([9]), img: arrow.vectorFromArray([`file://${ext}`], new arrow.Utf8()) }), { blob: { allowExternalOutsideBases: true } } as never);

  const rows = (await t.query().withRowAddress().toArray()) as { id: number; img: { kind: number } | null; _rowaddr: bigint }[];
  rows.sort((a, b) => a.id - b.id);
  expect(rows.map((r) => r.id)).toEqual([0, 1, 2, 3, 4, 6, 7, 9]);
  expect(rows.map((r) => (r.img ? Number(r.img.kind) : null))).toEqual([0, 0, null, 2, 0, 1, 0, 3]);
  const want = [new Uint8Array(3).fill(9), large[0], null, large[2], large[3], new Uint8Array(20).fill(3), Buffer.from('hello'), Buffer.from('external bytes')];
  const got = await t.fetchBlobs('img', rows.map((r) => r._rowaddr));
  got.forEach((b, i) => (want[i] === null ? expect(b).toBeNull() : expect(Buffer.from(b!).equals(Buffer.from(want[i]!))).toBe(true)));

  const peer = await peerOpen(join(root, 't.lance'));
  const prow = (await peer.query().select(['id']).withRowId().toArray()) as { id: number; _rowid: bigint }[];
  prow.sort((a, b) => a.id - b.id);
  const pb = await peer.fetchBlobs('img', prow.map((r) => r._rowid));
  pb.forEach((b: Buffer | null, i: number) => (want[i] === null ? expect(b).toBeNull() : expect(Buffer.from(b!).equals(Buffer.from(want[i]!))).toBe(true)));
});
