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

function table(n: number): arrow.Table {
  const at = (i: number, every: number) => i % every === 0;
  const vec = (f: (i: number) => unknown, type: arrow.DataType) => arrow.vectorFromArray(Array.from({ length: n }, (_, i) => f(i)), type);
  return new arrow.Table({
    id: vec((i) => BigInt(i), new arrow.Int64()),
    small: vec((i) => (at(i, 7) ? null : i % 100), new arrow.Int32()),
    score: vec((i) => (at(i, 11) ? null : i / 3), new arrow.Float64()),
    flag: vec((i) => (at(i, 5) ? null : i % 3 === 0), new arrow.Bool()),
    label: vec((i) => (at(i, 13) ? null : `cat-${i % 4}`), new arrow.Utf8()),
    text: vec((i) => (at(i, 17) ? null : `row ${i} ${'lorem ipsum dolor sit amet '.repeat(1 + (i % 5))}`), new arrow.Utf8()),
    big: vec((i) => `L${i}`, new arrow.LargeUtf8()),
    bytes: vec((i) => (at(i, 9) ? null : Uint8Array.from({ length: i % 6 }, (_, k) => (i + k) & 255)), new arrow.Binary()),
    same: vec(() => 42n, new arrow.Int64()),
    emb: vec((i) => (at(i, 19) ? null : [i, i + 0.5, -i]), new arrow.FixedSizeList(3, new arrow.Field('item', new arrow.Float32(), true))),
    pair: vec((i) => ({ a: at(i, 23) ? null : i, b: `p${i % 3}` }), new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Utf8(), true)])),
    tags: vec((i) => (at(i, 29) ? null : Array.from({ length: i % 4 }, (_, k) => i * 10 + k)), new arrow.List(new arrow.Field('item', new arrow.Int32(), true))),
  });
}

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
});
