// Legacy blob (v1, `lance-encoding:blob` on a LargeBinary field) columns in 2.1 files Lance 12
// writes: lancet scans them as the {position, size} descriptors Lance 12 returns (null rows
// null), and fetchBlobs reads each row's bytes from its data file at `position`.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/index.js';
import { peerCreate, peerOpen, peerScan, plainRows, toPeerTable } from '../../test/helpers/lance-peer.js';

function payloadsTable(payloads: (Uint8Array | null)[]): arrow.Table {
  const fields = [new arrow.Field('id', new arrow.Int64(), false), new arrow.Field('payload', new arrow.LargeBinary(), true, new Map([['lance-encoding:blob', 'true']]))];
  const cols = [arrow.vectorFromArray(payloads.map((_, i) => BigInt(i)), new arrow.Int64()), arrow.vectorFromArray(payloads, new arrow.LargeBinary())];
  return new arrow.Table(new arrow.RecordBatch(new arrow.Schema(fields), arrow.makeData({ type: new arrow.Struct(fields), length: payloads.length, nullCount: 0, children: cols.map((c) => c.data[0]!) })));
}

describe('legacy blob columns in 2.1 files written by Lance 12', () => {
  it('scan as position/size descriptors and fetchBlobs returns the bytes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-blobv1-'));
    try {
      const payloads: (Uint8Array | null)[] = Array.from({ length: 300 }, (_, i) =>
        i % 7 === 3 ? null : i % 11 === 5 ? new Uint8Array(0) : Uint8Array.from({ length: (i * 37) % 3000 + 1 }, (_, k) => (i + k) & 0xff),
      );
      await peerCreate(root, 't', payloadsTable(payloads), { newTableDataStorageVersion: '2.1' });
      // A second fragment: row addresses of another data file.
      await (await peerOpen(join(root, 't.lance'))).add(toPeerTable(payloadsTable([new Uint8Array([9, 8, 7]), null])));
      const t = await (await connect(root)).openTable('t');
      expect((await t.dataset()).fileVersion).toBe('2.1');
      const theirs = await peerScan(join(root, 't.lance'));
      const ours = await t.toArrow();
      expect(String(ours.schema.fields[1]!.type)).toBe(String(theirs.schema.fields[1]!.type));
      expect(plainRows(ours)).toEqual(plainRows(theirs));

      const addresses = [...payloads.map((_, i) => BigInt(i)), 1n << 32n, (1n << 32n) + 1n, 5n, 3n];
      const want = [...payloads, new Uint8Array([9, 8, 7]), null, payloads[5]!, payloads[3]!];
      const got = await t.fetchBlobs('payload', addresses);
      const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));
      expect(got.map(hex)).toEqual(want.map(hex));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
