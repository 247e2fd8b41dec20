// Every Arrow type lancet writes survives every path that rewrites rows or columns: Table.update
// (row and column rewrites), mergeInsert (matched update in both modes, insert-only, delete by
// source), compaction, and SQL CREATE TABLE AS SELECT, INSERT … SELECT, UPDATE and MERGE. After
// each step lancet's rows must equal the model bit for bit (fingerprints read from the Arrow
// buffers); at the end Lance 12 reads the same rows.
import { expect, test } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { tempDb } from '../../test/dataset-ops/helpers.js';
import { canonRows, COLUMN_KINDS, type ColumnKind } from '../../test/dataset-ops/arrow-types.js';
import { peerScan } from '../../test/helpers/lance-peer.js';
import { buildColumn } from '../../src/dataset/arrow/build-column.js';
import { sqlSession } from '../../src/query/session.js';
import { LanceCatalog } from '../../src/query/lance-catalog.js';
import type { Table } from '../../src/dataset/table.js';

type Row = Record<string, unknown>;
type Model = Map<bigint, Record<string, unknown>>;

const kindsArb = fc.uniqueArray(fc.constantFrom(...COLUMN_KINDS.map((k) => k.name)), { minLength: 3, maxLength: 7 });
const kindOf = (name: string) => COLUMN_KINDS.find((k) => k.name === name)!;

function rowArb(names: string[]): fc.Arbitrary<Row> {
  const kinds = names.map(kindOf);
  return fc.tuple(...kinds.map((k) => fc.option(k.value, { nil: null, freq: 3 }))).map((vals) => Object.fromEntries(vals.map((v, i) => [`c${i}`, v])));
}

const caseFor = (kinds: string[]) =>
  fc.record({
    kinds: fc.constant(kinds),
    rows: fc.array(rowArb(kinds), { minLength: 5, maxLength: 11 }),
    source: fc.array(rowArb(kinds), { minLength: 2, maxLength: 6 }),
    inserts: fc.array(rowArb(kinds), { minLength: 1, maxLength: 4 }),
    matchMode: fc.constantFrom('rewrite-rows' as const, 'rewrite-columns' as const),
    arrowSource: fc.boolean(),
  });
const caseArb = kindsArb.chain(caseFor);
// Every kind at once, both source spellings: each type goes through every path on every run.
const everyKind = (arrowSource: boolean) => ({ ...fc.sample(caseFor(COLUMN_KINDS.map((k) => k.name)), { numRuns: 1, seed: arrowSource ? 7 : 8 })[0]!, arrowSource });

function schemaOf(names: string[]): arrow.Schema {
  const kinds: ColumnKind[] = names.map(kindOf);
  return new arrow.Schema([
    new arrow.Field('id', new arrow.Int64(), false),
    new arrow.Field('tag', new arrow.Int32(), false),
    ...kinds.map((k, i) => new arrow.Field(`c${i}`, k.type(), true)),
  ]);
}

/** Row objects as an Arrow table of `schema` (the Arrow-input path of mergeInsert). */
function arrowTable(rows: Row[], schema: arrow.Schema): arrow.Table {
  const fields = schema.fields.filter((f) => rows.length && f.name in rows[0]!);
  const s = new arrow.Schema(fields);
  const children = fields.map((f) => buildColumn(rows.map((r) => r[f.name]), f.type, f.name));
  return new arrow.Table(s, [new arrow.RecordBatch(s, arrow.makeData({ type: new arrow.Struct(fields), length: rows.length, nullCount: 0, children }))]);
}

/** Fingerprints of rows as lancet would store them (built once from the row objects). */
function fingerprints(rows: Row[], schema: arrow.Schema, columns: string[]): Model {
  return canonRows(arrowTable(rows, schema), columns);
}

async function lancetModel(t: Table, columns: string[]): Promise<Model> {
  return canonRows(await t.query().toArrow(), columns);
}

function sorted(m: Model): [string, Record<string, unknown>][] {
  return [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, v]) => [k.toString(), v]);
}

test('every written Arrow type survives every rewrite path, read by lancet and Lance 12', async () => {
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      const env = await tempDb();
      try {
        const schema = schemaOf(c.kinds);
        const columns = schema.fields.map((f) => f.name).filter((n) => n !== 'id');
        const n = c.rows.length;
        const rows = c.rows.map((r, i) => ({ id: BigInt(i), tag: i, ...r }));
        let model = fingerprints(rows, schema, columns);
        const t = await env.db.createTable('t', rows, { schema, maxRowsPerFile: 4 });
        const check = async (step: string) => expect(sorted(await lancetModel(t, columns)), step).toEqual(sorted(model));
        await check('create');

        const bumpTag = (pred: (id: bigint) => boolean, by: number) => {
          for (const [id, r] of model) if (pred(id)) r.tag = fingerprints([{ id, tag: rows.find((x) => x.id === id)!.tag + by }], schema, ['tag']).get(id)!.tag;
        };
        await t.update({ valuesSql: { tag: 'tag + 1' }, where: 'id % 3 = 0', mode: 'rewrite-rows' });
        for (const r of rows) if (r.id % 3n === 0n) r.tag += 1;
        bumpTag((id) => id % 3n === 0n, 0);
        await check('update rewrite-rows');
        await t.update({ valuesSql: { tag: 'tag + 10' }, where: 'id % 2 = 0', mode: 'rewrite-columns' });
        for (const r of rows) if (r.id % 2n === 0n) r.tag += 10;
        bumpTag((id) => id % 2n === 0n, 0);
        await check('update rewrite-columns');

        // Matched rows take every column from the source; the others are inserted.
        const source = c.source.map((r, i) => ({ id: BigInt(i < c.source.length / 2 ? (i * 2) % n : n + i), tag: 500 + i, ...r }));
        await t.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().writeMode(c.matchMode).execute(c.arrowSource ? arrowTable(source, schema) : source);
        for (const [id, r] of fingerprints(source, schema, columns)) model.set(id, r);
        await check(`merge matched (${c.matchMode})`);

        const inserts = c.inserts.map((r, i) => ({ id: BigInt(1000 + i), tag: -i, ...r }));
        await t.mergeInsert('id').whenNotMatchedInsertAll().execute(c.arrowSource ? arrowTable(inserts, schema) : inserts);
        for (const [id, r] of fingerprints(inserts, schema, columns)) model.set(id, r);
        await check('merge insert-only');

        const keep = [...model.keys()].filter((id) => id % 4n !== 1n);
        await t.mergeInsert('id').whenNotMatchedBySourceDelete().execute(keep.map((id) => ({ id })));
        model = new Map([...model].filter(([id]) => keep.includes(id)));
        await check('merge delete by source');

        await t.compact({ targetRowsPerFragment: 1000 });
        await check('compaction');
        expect(sorted(canonRows(await peerScan(env.path('t')), columns)), 'Lance 12 reads t').toEqual(sorted(model));

        // SQL: CTAS + INSERT … SELECT rebuild t as c; UPDATE and MERGE rewrite c's rows.
        const db = sqlSession({ root: env.dir, catalog: new LanceCatalog(env.dir), namespace: [] });
        await db.sql('CREATE TABLE c AS SELECT * FROM t WHERE id % 2 = 0');
        await db.sql('INSERT INTO c SELECT * FROM t WHERE id % 2 = 1');
        const c2 = await env.db.openTable('c');
        const checkC = async (step: string, m: Model) => expect(sorted(await lancetModel(await env.db.openTable('c'), columns)), step).toEqual(sorted(m));
        await checkC('CTAS + INSERT SELECT', model);
        expect(c2).toBeDefined();

        await db.sql('UPDATE c SET tag = tag + 100 WHERE id % 3 = 1');
        const modelC: Model = new Map([...model].map(([id, r]) => [id, { ...r }]));
        for (const [id, r] of modelC) {
          if (id % 3n === 1n) {
            const tag = (await t.query().where(`id = ${id}`).toArrow()).getChild('tag')!.get(0) as number;
            r.tag = fingerprints([{ id, tag: tag + 100 }], schema, ['tag']).get(id)!.tag;
          }
        }
        await checkC('SQL UPDATE', modelC);

        await db.sql('DELETE FROM c WHERE id % 5 = 0');
        const sets = columns.map((col) => `${col} = s.${col}`).join(', ');
        await db.sql(`MERGE INTO c USING (SELECT * FROM t) s ON c.id = s.id WHEN MATCHED AND c.id % 2 = 0 THEN UPDATE SET ${sets} WHEN NOT MATCHED THEN INSERT (id, ${columns.join(', ')}) VALUES (s.id, ${columns.map((col) => `s.${col}`).join(', ')})`);
        for (const [id, r] of model) if (id % 5n === 0n || id % 2n === 0n) modelC.set(id, { ...r });
        await checkC('SQL MERGE', modelC);
        expect(sorted(canonRows(await peerScan(env.path('c')), columns)), 'Lance 12 reads c').toEqual(sorted(modelC));
      } finally {
        env.done();
      }
    }),
    { numRuns: 6, examples: [[everyKind(true)], [everyKind(false)]], seed: Number(process.env.FC_SEED ?? 20261202), endOnFailure: true },
  );
}, 240_000);
