// Arrow dictionary columns (Lance logical type dict:{value}:{index}:false): Lance 12 writes them
// as their values (dictionary pages when worthwhile) and reads them back as dictionaries; lancet
// must open such tables (scan and version listing) and its file writer must write dictionary
// columns Lance 12 reads (Lance fails on a dict column stored as a plain value page).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/index.js';
import { peerCreate, peerScan } from '../helpers/lance-peer.js';
import { tableJson } from './nested-data.js';
import { writePeerDataset } from './peer-dataset.js';
import { lanceSchemaFromArrow } from '../../src/format/schema.js';

const tmp = () => fs.mkdtempSync(nodePath.join(os.tmpdir(), 'lancet-dict-'));

function dictTable(rows: number, indexType: arrow.Int8 | arrow.Int16 | arrow.Int32): arrow.Table {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'eps'];
  const vals = Array.from({ length: rows }, (_, i) => (i % 11 === 3 ? null : words[(i * 7) % words.length]!));
  const d = arrow.vectorFromArray(vals, new arrow.Dictionary(new arrow.Utf8(), indexType));
  const ld = arrow.vectorFromArray(
    Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? null : [words[i % 3]!, words[(i + 1) % 5]!].slice(0, i % 3))),
    new arrow.List(new arrow.Field('item', new arrow.Dictionary(new arrow.Utf8(), new arrow.Int16()), true)),
  );
  return new arrow.Table({ id: arrow.vectorFromArray(Array.from({ length: rows }, (_, i) => i), new arrow.Int32()), d, ld });
}

describe('dictionary columns', () => {
  for (const version of ['2.1', '2.2'] as const) {
    it(`${version}: Lance 12 writes Dictionary<Int8, Utf8>; lancet opens, scans (as a dictionary) and lists versions`, async () => {
      const dir = tmp();
      try {
        const words = ['a', 'b', 'c'];
        const t = new arrow.Table({
          d: arrow.vectorFromArray(
            Array.from({ length: 3000 }, (_, i) => (i % 13 === 0 ? null : words[i % 3]!)),
            new arrow.Dictionary(new arrow.Utf8(), new arrow.Int8()),
          ),
        });
        await peerCreate(dir, 't', t, { newTableDataStorageVersion: version });
        const table = await (await connect(dir)).openTable('t');
        const ours = await table.toArrow();
        expect(ours.schema.fields[0]!.type.typeId).toBe(arrow.Type.Dictionary);
        expect(String(ours.schema.fields[0]!.type)).toBe('Dictionary<Int8, Utf8>');
        expect(tableJson(ours)).toBe(tableJson(t));
        expect(tableJson(ours)).toBe(tableJson(await peerScan(nodePath.join(dir, 't.lance'))));
        expect((await table.listVersions()).map((v) => v.version)).toEqual([1]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it(`${version}: lancet's file writer writes dictionary columns (top level and inside lists) as dictionary pages; Lance 12 and lancet read them back`, async () => {
      const dir = tmp();
      try {
        const t = dictTable(2500, new arrow.Int32());
        const root = nodePath.join(dir, 't.lance');
        await writePeerDataset(root, lanceSchemaFromArrow(t.schema), async (w) => {
          for (const b of t.batches) await w.write(b);
        }, { version });
        const theirs = await peerScan(root);
        expect(String(theirs.schema.fields[1]!.type)).toBe('Dictionary<Int32, Utf8>');
        expect(tableJson(theirs)).toBe(tableJson(t));
        const back = await (await (await connect(dir)).openTable('t')).toArrow();
        expect(back.schema.fields.map((f) => String(f.type))).toEqual(t.schema.fields.map((f) => String(f.type)));
        expect(tableJson(back)).toBe(tableJson(t));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
