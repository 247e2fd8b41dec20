// Issue "Trust" #1: a FixedSizeList<Float32> column rewritten by mergeInsert, update, compaction,
// CREATE TABLE AS SELECT or INSERT … SELECT kept its vectors (it used to turn to NaN/0 on disk for
// every row of the rewritten fragment, and Lance 12 read the same NaNs).
import { afterEach, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { tempDb } from '../dataset-ops/helpers.js';
import { peerScan, plainRows } from '../helpers/lance-peer.js';
import { sqlSession } from '../../src/query/session.js';
import { LanceCatalog } from '../../src/query/lance-catalog.js';

const envs: Awaited<ReturnType<typeof tempDb>>[] = [];
afterEach(() => {
  for (const e of envs.splice(0)) e.done();
});

const VEC = new arrow.FixedSizeList(4, new arrow.Field('item', new arrow.Float32(), true));

function table(ids: number[], shift: number): arrow.Table {
  return new arrow.Table({
    id: arrow.vectorFromArray(ids, new arrow.Int32()),
    tag: arrow.vectorFromArray(ids.map((i) => `t${i}`), new arrow.Utf8()),
    v: arrow.vectorFromArray(ids.map((i) => [i, i + 0.25, -i, shift]), VEC),
  });
}

const expected = (ids: number[], shift: (i: number) => number) => ids.map((i) => ({ id: i, v: [i, i + 0.25, -i, shift(i)] }));
const rowsOf = (t: arrow.Table) =>
  plainRows(t)
    .map((r) => ({ id: r.id, v: r.v }))
    .sort((a, b) => (a.id as number) - (b.id as number));

it('vectors survive merge, update, compaction, CTAS and INSERT … SELECT (lancet and Lance 12 read them)', async () => {
  const env = await tempDb();
  envs.push(env);
  const ids = [0, 1, 2, 3, 4, 5, 6, 7];
  const t = await env.db.createTable('t', table(ids, 0), { maxRowsPerFile: 3 });
  await t.mergeInsert('id').whenMatchedUpdateAll().writeMode('rewrite-rows').execute(table([1, 4], 9));
  await t.mergeInsert('id').whenMatchedUpdateAll().writeMode('rewrite-columns').execute(table([6], 9));
  await t.mergeInsert('id').whenNotMatchedInsertAll().execute(table([8, 9], 9));
  await t.update({ valuesSql: { tag: "'x'" }, where: 'id % 2 = 0', mode: 'rewrite-rows' });
  await t.compact({ targetRowsPerFragment: 100 });
  const want = expected([...ids, 8, 9], (i) => ([1, 4, 6, 8, 9].includes(i) ? 9 : 0));
  expect(rowsOf(await t.query().toArrow())).toEqual(want);
  expect(rowsOf(await peerScan(env.path('t')))).toEqual(want);

  const db = sqlSession({ root: env.dir, catalog: new LanceCatalog(env.dir), namespace: [] });
  await db.sql('CREATE TABLE c AS SELECT * FROM t WHERE id < 5');
  await db.sql('INSERT INTO c SELECT * FROM t WHERE id >= 5');
  await db.sql("UPDATE c SET tag = 'y' WHERE id % 3 = 0");
  expect(rowsOf(await (await env.db.openTable('c')).query().toArrow())).toEqual(want);
  expect(rowsOf(await peerScan(env.path('c')))).toEqual(want);
});
