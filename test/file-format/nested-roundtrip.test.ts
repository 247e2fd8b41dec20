// Nested columns written by lancet: round trips through lancet's own reader (property test over
// shapes, null rates, page sizes and row ranges) and through Lance 12 (lancet writes, Lance reads).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/index.js';
import { MemoryStore } from '../../src/io/index.js';
import { createFileWriter, openLanceFile } from '../../src/format/file/index.js';
import { columnOwners, lanceSchemaFromArrow } from '../../src/format/schema.js';
import { peerScan } from '../helpers/lance-peer.js';
import { LancetError } from '../../src/errors.js';
import { seededRandom } from '../../src/io/faulty-store.js';
import { nestedTable, nestedTypes, tableJson, type NestedName } from './nested-data.js';

const ALL = Object.keys(nestedTypes) as NestedName[];

async function fileRoundTrip(table: arrow.Table, version: '2.1' | '2.2', pageSizeBytes: number, ranges?: Array<[number, number]>): Promise<arrow.Table> {
  const store = new MemoryStore();
  const schema = lanceSchemaFromArrow(table.schema);
  const w = await createFileWriter(store, 'f.lance', schema, { version, pageSizeBytes });
  for (const b of table.batches) await w.write(b);
  await w.finish();
  const r = await openLanceFile(store, 'f.lance');
  const col = new Map(columnOwners(r.schema.fields).map((f, i) => [f.id, i]));
  const batch = await r.read(r.schema.fields, (id) => col.get(id), ranges ? { ranges } : {});
  return new arrow.Table([batch]);
}

describe('nested columns: lancet write -> lancet read', () => {
  for (const version of ['2.1', '2.2'] as const) {
    it(`${version}: random shapes, nulls at every level, empty lists, small and large values, many pages`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            names: fc.subarray(version === '2.2' ? ALL : ALL.filter((n) => n !== 'map'), { minLength: 1, maxLength: 4 }),
            rows: fc.integer({ min: 1, max: 300 }),
            seed: fc.integer(),
            pNull: fc.constantFrom(0, 0.1, 0.4, 1),
            bigStrings: fc.boolean(),
            pageSizeBytes: fc.constantFrom(64, 1024, 1 << 20),
            batches: fc.integer({ min: 1, max: 3 }),
          }),
          async ({ names, rows, seed, pNull, bigStrings, pageSizeBytes, batches }) => {
            const parts = Array.from({ length: batches }, (_, i) => nestedTable(names, rows, seed + i, { pNull, bigStrings }));
            const table = new arrow.Table(parts.flatMap((p) => p.batches));
            const back = await fileRoundTrip(table, version, pageSizeBytes);
            expect(tableJson(back)).toBe(tableJson(table));
            // Row ranges cut rows out of pages whose rows may span chunks.
            const n = table.numRows;
            const ranges: Array<[number, number]> = [
              [0, Math.min(n, 2)],
              [Math.floor(n / 2), Math.max(Math.floor(n / 2), Math.floor((3 * n) / 4))],
              [Math.max(Math.floor((3 * n) / 4), n - 1), n],
            ].filter(([a, b], i, all) => b > a && (i === 0 || a >= all[i - 1]![1])) as Array<[number, number]>;
            const part = await fileRoundTrip(table, version, pageSizeBytes, ranges);
            expect(tableJson(part)).toBe(tableJson(new arrow.Table(ranges.flatMap(([a, b]) => table.slice(a, b).batches))));
          },
        ),
        { numRuns: 15, seed: version === '2.1' ? 21 : 22 },
      );
    });
  }

  it('chunks are split when thousands of empty or null lists sit between few values', async () => {
    const L = new arrow.List(new arrow.Field('item', new arrow.Int32(), true));
    const vals = Array.from({ length: 20000 }, (_, i) => (i % 3000 === 0 ? [i] : i % 2 ? [] : null));
    const table = new arrow.Table({ l: arrow.vectorFromArray(vals, L) });
    for (const version of ['2.1', '2.2'] as const) {
      const back = await fileRoundTrip(table, version, 1 << 20);
      expect(tableJson(back)).toBe(tableJson(table));
    }
  });

  it('corrupted list pages fail with typed errors, never raw exceptions', async () => {
    for (const table of [nestedTable(['l_i32', 'l_str', 'll_i32', 'l_struct', 'map'], 120, 3), nestedTable(['l_str'], 20, 4, { bigStrings: true })]) {
      const store = new MemoryStore();
      const w = await createFileWriter(store, 'f', lanceSchemaFromArrow(table.schema), { version: '2.2' });
      for (const b of table.batches) await w.write(b);
      const { fileSize } = await w.finish();
      const orig = await store.getRange('f', 0, fileSize);
      const rnd = seededRandom(9);
      for (let i = 0; i < 150; i++) {
        const bytes = orig.slice();
        for (let k = 0; k < 3; k++) bytes[Math.floor(rnd() * fileSize)]! ^= 1 << Math.floor(rnd() * 8);
        const s = new MemoryStore();
        await s.put('f', bytes);
        try {
          const r = await openLanceFile(s, 'f');
          const col = new Map(columnOwners(r.schema.fields).map((f, j) => [f.id, j]));
          await r.read(r.schema.fields, (id) => col.get(id));
        } catch (e) {
          expect(e).toBeInstanceOf(LancetError);
        }
      }
    }
  });

  it('map columns need file version 2.2 (as in Lance 12)', async () => {
    const t = nestedTable(['map'], 3, 1);
    await expect(fileRoundTrip(t, '2.1', 1 << 20)).rejects.toMatchObject({ code: 'BAD_VERSION' });
  });
});

describe('nested columns: lancet write -> Lance 12 read', () => {
  const tmp = () => fs.mkdtempSync(nodePath.join(os.tmpdir(), 'lancet-nested-write-'));
  const cases: Array<{ name: string; rows: number; bigStrings?: boolean; names?: NestedName[] }> = [
    { name: 'every shape, small pages', rows: 50 },
    { name: 'rows spanning mini-block chunks', rows: 5000, names: ['l_i64', 'l_str', 'll_i32', 'l_struct', 'map'] },
    { name: 'large values (full-zip)', rows: 60, bigStrings: true, names: ['l_str', 'l_struct', 'lsl'] },
  ];
  for (const version of ['2.1', '2.2'] as const) {
    for (const c of cases) {
      it(`${version}: ${c.name}`, async () => {
        const names = (c.names ?? ALL).filter((n) => version === '2.2' || n !== 'map');
        const table = nestedTable(names, c.rows, c.rows + (version === '2.2' ? 1 : 0), { bigStrings: !!c.bigStrings });
        const dir = tmp();
        try {
          const db = await connect(dir);
          await db.createTable('t', table, { fileVersion: version });
          const theirs = await peerScan(nodePath.join(dir, 't.lance'));
          expect(tableJson(theirs)).toBe(tableJson(table));
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }

  it('Lance 12 appends to a lancet-written list table and lancet reads both fragments', async () => {
    const dir = tmp();
    try {
      const a = nestedTable(['l_i32', 'l_struct'], 30, 3);
      const b = nestedTable(['l_i32', 'l_struct'], 30, 4);
      const db = await connect(dir);
      await db.createTable('t', a, { fileVersion: '2.2' });
      const { lancedb, toPeerTable } = await import('../helpers/lance-peer.js');
      const peerDb = await lancedb.connect(dir);
      const pt = await peerDb.openTable('t');
      await pt.add(toPeerTable(b));
      const ours = await (await connect(dir)).openTable('t');
      expect(tableJson(await ours.toArrow())).toBe(tableJson(new arrow.Table([...a.batches, ...b.batches])));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
