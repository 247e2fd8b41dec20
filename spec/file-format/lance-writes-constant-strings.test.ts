// Lance 12 stores a page whose strings are all equal as a constant page whose first buffer holds
// the value (with or without definition levels after it). Regression test for the reader.
import { it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { peerCreate, peerOpen, toPeerTable } from '../../test/helpers/lance-peer.js';
import { connect } from '../../src/dataset/index.js';

const utf8 = (xs: (string | null)[]) => arrow.vectorFromArray(xs, new arrow.Utf8());
const ids = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const tbl = (id: Int32Array, s: (string | null)[]) => new arrow.Table({ id: arrow.makeVector(id), s: utf8(s) });

it('reads Lance pages of identical strings, with and without nulls, and large strings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lancet-const-'));
  await peerCreate(dir, 't', tbl(ids(2), ['x', 'y']));
  const t = await peerOpen(join(dir, 't.lance'));
  await t.add(toPeerTable(tbl(ids(20), Array(20).fill('same'))));
  await t.add(toPeerTable(tbl(ids(20), Array.from({ length: 20 }, (_, i) => (i % 3 ? 'same' : null)))));
  await t.add(toPeerTable(tbl(ids(3), ['', '', ''])));
  const rows = (await (await (await connect(dir)).openTable('t')).query().toArray()) as { s: string | null }[];
  expect(rows.length).toBe(45);
  expect(rows.slice(2, 22).every((r) => r.s === 'same')).toBe(true);
  expect(rows.slice(22, 42).map((r) => r.s)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 3 ? 'same' : null)));
  expect(rows.slice(42).map((r) => r.s)).toEqual(['', '', '']);
});
