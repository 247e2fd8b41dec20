// Lance 12 writes file format 2.0 (storage version '2.0'); lancet reads every column back as
// Lance 12 does: primitive, boolean, strings (plain, low-cardinality, long), binary,
// fixed-size lists, structs, lists, nulls everywhere, several pages.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/index.js';
import { peerCreate, peerScan, plainRows } from '../../test/helpers/lance-peer.js';
import { mixedTable as table } from './mixed-table.js';


describe('file format 2.0 written by Lance 12', () => {
  it('lancet reads every column of a 2.0 dataset as Lance 12 does, over whole scans and row ranges', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-v20-'));
    try {
      const n = 5000;
      await peerCreate(root, 't', table(n), { newTableDataStorageVersion: '2.0' });
      const dataFiles = readdirSync(join(root, 't.lance', 'data'));
      expect(dataFiles.length).toBeGreaterThan(0);
      const db = await connect(root);
      const t = await db.openTable('t');
      expect((await t.dataset()).fileVersion).toBe('2.0');
      const theirs = plainRows(await peerScan(join(root, 't.lance')));
      const ours = plainRows(await t.toArrow());
      expect(ours.length).toBe(n);
      for (let i = 0; i < n; i += 997) expect(ours[i]).toEqual(theirs[i]);
      expect(ours).toEqual(theirs);
      // Row ranges that start and end inside pages and lists.
      const picked = [1n, 2n, 3n, 1024n, 2047n, 2048n, 4095n, 4999n];
      const some = plainRows(await t.takeRowAddresses(picked));
      expect(some).toEqual(picked.map((i) => theirs[Number(i)]));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads the encodings 2.0 uses when field metadata asks: zstd and FSST buffers, packed structs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-v20-'));
    try {
      const n = 3000;
      const meta = (k: string, v: string) => new Map([[k, v]]);
      const text = (i: number) => (i % 11 === 0 ? null : `value ${i % 50} ${'abc'.repeat(i % 7)}`);
      const pairType = new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Float64(), true)]);
      const fields = [
        new arrow.Field('id', new arrow.Int64(), false, meta('lance-encoding:compression', 'zstd')),
        new arrow.Field('zs', new arrow.Utf8(), true, meta('lance-encoding:compression', 'zstd')),
        new arrow.Field('fs', new arrow.Utf8(), true, meta('lance-encoding:compression', 'fsst')),
        new arrow.Field('pk', pairType, true, meta('lance-encoding:packed', 'true')),
      ];
      const cols = [
        arrow.vectorFromArray(Array.from({ length: n }, (_, i) => BigInt(i)), new arrow.Int64()),
        arrow.vectorFromArray(Array.from({ length: n }, (_, i) => text(i)), new arrow.Utf8()),
        arrow.vectorFromArray(Array.from({ length: n }, (_, i) => text(i + 3)), new arrow.Utf8()),
        arrow.vectorFromArray(Array.from({ length: n }, (_, i) => ({ a: i, b: i / 4 })), pairType),
      ];
      const schema = new arrow.Schema(fields);
      const data = new arrow.Table(new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: n, nullCount: 0, children: cols.map((c) => c.data[0]!) })));
      await peerCreate(root, 't', data, { newTableDataStorageVersion: '2.0' });
      const t = await (await connect(root)).openTable('t');
      const theirs = plainRows(await peerScan(join(root, 't.lance')));
      expect(theirs.length).toBe(n);
      expect(plainRows(await t.toArrow())).toEqual(theirs);
      const picked = [0n, 7n, 1500n, 2999n];
      expect(plainRows(await t.takeRowAddresses(picked))).toEqual(picked.map((i) => theirs[Number(i)]));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads a legacy blob column (lance-encoding:blob) as the position/size descriptors Lance 12 returns', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lancet-v20-'));
    try {
      const fields = [new arrow.Field('id', new arrow.Int64(), false), new arrow.Field('payload', new arrow.LargeBinary(), true, new Map([['lance-encoding:blob', 'true']]))];
      const payloads = [new Uint8Array([1, 2, 3]), null, new Uint8Array(0), new Uint8Array(5000).fill(7)];
      const cols = [arrow.vectorFromArray([1n, 2n, 3n, 4n], new arrow.Int64()), arrow.vectorFromArray(payloads, new arrow.LargeBinary())];
      const data = new arrow.Table(new arrow.RecordBatch(new arrow.Schema(fields), arrow.makeData({ type: new arrow.Struct(fields), length: 4, nullCount: 0, children: cols.map((c) => c.data[0]!) })));
      await peerCreate(root, 't', data, { newTableDataStorageVersion: '2.0' });
      const theirs = await peerScan(join(root, 't.lance'));
      const ours = await (await (await connect(root)).openTable('t')).toArrow();
      expect(String(ours.schema.fields[1]!.type)).toBe(String(theirs.schema.fields[1]!.type));
      expect(plainRows(ours)).toEqual(plainRows(theirs));
      // A null payload comes back as {position: 1, size: 0} from 2.0 files, as Lance 12 returns it.
      expect(plainRows(ours)[1]!.payload).toEqual(['1', '0']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
