// Lance 12 writes list / struct-of-list / list-of-struct / map / dictionary columns (mini-block
// with repetition index, full-zip with repetition index, constant pages with levels) in file
// format 2.1 and 2.2; lancet must read back exactly what Lance 12 itself scans.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/index.js';
import { peerCreate, peerScan } from '../helpers/lance-peer.js';
import { nestedTable, tableJson, type NestedName } from './nested-data.js';

const tmp = () => fs.mkdtempSync(nodePath.join(os.tmpdir(), 'lancet-nested-read-'));

async function lancetScan(dir: string, ranges?: Array<[number, number]>): Promise<arrow.Table> {
  const db = await connect(dir);
  const t = await db.openTable('t');
  const all = await t.toArrow();
  if (!ranges) return all;
  return new arrow.Table(ranges.flatMap(([a, b]) => all.slice(a, b).batches));
}

async function roundTrip(table: arrow.Table, version: '2.1' | '2.2'): Promise<void> {
  const dir = tmp();
  try {
    await peerCreate(dir, 't', table, { newTableDataStorageVersion: version });
    const theirs = await peerScan(nodePath.join(dir, 't.lance'));
    const ours = await lancetScan(dir);
    expect(ours.numRows).toBe(table.numRows);
    expect(tableJson(ours)).toBe(tableJson(theirs));
    expect(tableJson(ours)).toBe(tableJson(table));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const shapes21: NestedName[] = ['l_i32', 'l_i64', 'l_str', 'l_bool', 'll_i32', 'l_struct', 's_list', 'l_fsl', 'lsl'];

describe('lancet reads nested columns Lance 12 writes', () => {
  for (const version of ['2.1', '2.2'] as const) {
    const shapes: NestedName[] = version === '2.2' ? [...shapes21, 'map'] : shapes21;
    it(`${version}: small pages, every shape, nulls at every level and empty lists`, async () => {
      await roundTrip(nestedTable(shapes, 40, 7), version);
    });

    it(`${version}: many rows (rows split across mini-block chunks, bit-packed levels)`, async () => {
      await roundTrip(nestedTable(['l_i64', 'l_str', 'll_i32', 'l_struct'], 6000, 11), version);
    });

    it(`${version}: large values go full-zip with a repetition index`, async () => {
      await roundTrip(nestedTable(['l_str', 'l_struct'], 60, 13, { bigStrings: true }), version);
    });

    it(`${version}: constant pages (all-null lists, only empty lists, all-null items)`, async () => {
      const L = new arrow.List(new arrow.Field('item', new arrow.Int32(), true));
      const t = new arrow.Table({
        allNull: arrow.vectorFromArray([null, null, null, null], L),
        allEmpty: arrow.vectorFromArray([[], [], [], []], L),
        nullItems: arrow.vectorFromArray([[null], [], null, [null, null]], L),
        nullOrEmpty: arrow.vectorFromArray([[], null, [], null], L),
        same: arrow.vectorFromArray([[7], [7, 7], [], [7]], L),
      });
      await roundTrip(t, version);
    });
  }

  it('large_list columns (added by Lance 12 through SQL; Arrow JS has no LargeList) read as lists', async () => {
    const dir = tmp();
    try {
      const table = nestedTable(['l_i32'], 30, 19);
      await peerCreate(dir, 't', table, { newTableDataStorageVersion: '2.2' });
      const { lancedb } = await import('../helpers/lance-peer.js');
      const pt = await (await lancedb.connect(dir)).openTable('t');
      await pt.addColumns([{ name: 'big', valueSql: "arrow_cast(l_i32, 'LargeList(Int32)')" }]);
      const ours = await (await connect(dir)).openTable('t');
      const manifestTypes = (await ours.dataset()).schema.fields.map((f) => f.logicalType);
      expect(manifestTypes).toEqual(['list', 'large_list']);
      const got = await ours.toArrow();
      expect(tableJson(new arrow.Table({ l_i32: got.getChild('big')! }))).toBe(tableJson(table));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('row ranges cut rows out of pages whose rows span chunks', async () => {
    const dir = tmp();
    try {
      const table = nestedTable(['l_i64', 'll_i32', 'l_struct'], 5000, 17);
      await peerCreate(dir, 't', table, { newTableDataStorageVersion: '2.2' });
      const db = await connect(dir);
      const t = await db.openTable('t');
      const ranges: Array<[number, number]> = [
        [0, 3],
        [1500, 1700],
        [4990, 5000],
      ];
      const got = await t.takeRowAddresses(ranges.flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => BigInt(a + i))));
      const expected = new arrow.Table(ranges.flatMap(([a, b]) => table.slice(a, b).batches));
      expect(tableJson(got)).toBe(tableJson(expected));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
