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
import { LocalStore } from '../../src/io/index.js';
import { openLanceFile } from '../../src/format/file/index.js';
import { columnOwners } from '../../src/format/schema.js';
import { seededRandom } from '../../src/io/faulty-store.js';

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
      await roundTrip(nestedTable(['l_i64', 'l_str', 'll_i32', 'l_struct'], 3000, 11), version);
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

  it('random row ranges of Lance-written list pages read only the chunks that hold them', async () => {
    const dir = tmp();
    try {
      const table = nestedTable(['l_i64', 'l_struct'], 8000, 23);
      await peerCreate(dir, 't', table, { newTableDataStorageVersion: '2.2' });
      const dataDir = nodePath.join(dir, 't.lance', 'data');
      const file = fs.readdirSync(dataDir).find((f) => f.endsWith('.lance'))!;
      const local = new LocalStore(dataDir);
      // Records the bytes each read asks for (the store may coalesce or read ahead).
      const asked: Array<[number, number]> = [];
      const store = new Proxy(local, {
        get(target, key) {
          if (key === 'getRanges') {
            return async (path: string, rs: ReadonlyArray<[number, number]>) => {
              asked.push(...rs);
              return target.getRanges(path, rs);
            };
          }
          const v = (target as unknown as Record<string | symbol, unknown>)[key];
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      const r = await openLanceFile(store, file);
      const col = new Map(columnOwners(r.schema.fields).map((f, i) => [f.id, i]));
      const rnd = seededRandom(5);
      for (let round = 0; round < 5; round++) {
        const cuts = [...new Set(Array.from({ length: 6 }, () => Math.floor(rnd() * 8001)))].sort((x, y) => x - y);
        const ranges: Array<[number, number]> = [];
        for (let i = 0; i + 1 < cuts.length; i += 2) if (cuts[i + 1]! > cuts[i]!) ranges.push([cuts[i]!, cuts[i + 1]!]);
        const got = new arrow.Table([await r.read(r.schema.fields, (id) => col.get(id), { ranges })]);
        expect(tableJson(got)).toBe(tableJson(new arrow.Table(ranges.flatMap(([a, b]) => table.slice(a, b).batches))));
      }
      // One row from the middle of a multi-chunk page: a few chunks, not the page.
      const pageBytes = r.columnInfo(0).pages.reduce((a, p) => a + p.bufferSizes[1]!, 0);
      asked.length = 0;
      const one = new arrow.Table([await r.read([r.schema.fields[0]!], (id) => col.get(id), { ranges: [[4000, 4001]] })]);
      expect(tableJson(one)).toBe(tableJson(new arrow.Table({ l_i64: table.getChild('l_i64')!.slice(4000, 4001) })));
      const page = r.columnInfo(0).pages[0]!;
      expect(page.bufferSizes[0]! / 4).toBeGreaterThan(4); // several chunks
      const [from, size] = [page.bufferOffsets[1]!, page.bufferSizes[1]!];
      const chunkBytes = asked.filter(([a]) => a >= from && a < from + size).reduce((x, [a, b]) => x + b - a, 0);
      expect(chunkBytes).toBeGreaterThan(0);
      expect(chunkBytes).toBeLessThan(pageBytes / 2);
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
