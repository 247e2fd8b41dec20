// Dictionary columns of a table Lance 12 wrote keep their values through lancet's rewrites
// (merge in both modes, update, compaction): rows move with their dictionary indices.
import { afterEach, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { tempDb } from '../dataset-ops/helpers.js';
import { peerCreate, peerScan, plainRows } from '../helpers/lance-peer.js';

const envs: Awaited<ReturnType<typeof tempDb>>[] = [];
afterEach(() => {
  for (const e of envs.splice(0)) e.done();
});

const words = ['red', 'green', null, 'blue'];
const rowsOf = (t: arrow.Table) =>
  plainRows(t)
    .map((r) => ({ id: String(r.id), w: r.w, n: r.n }))
    .sort((a, b) => Number(a.id) - Number(b.id));

it('a Lance 12 dictionary column survives lancet merge, update and compaction', async () => {
  const env = await tempDb();
  envs.push(env);
  const ids = Array.from({ length: 10 }, (_, i) => i);
  const data = new arrow.Table({
    id: arrow.vectorFromArray(ids.map(BigInt), new arrow.Int64()),
    w: arrow.vectorFromArray(ids.map((i) => words[i % 4]!), new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    n: arrow.vectorFromArray(ids, new arrow.Int32()),
  });
  await peerCreate(env.dir, 't', data);
  const t = await env.db.openTable('t');
  const want = ids.map((i) => ({ id: String(i), w: words[i % 4]!, n: i }));
  expect(rowsOf(await t.query().toArrow())).toEqual(want);
  await t.mergeInsert('id').whenMatchedUpdateAll().writeMode('rewrite-rows').execute([{ id: 1n, n: 100 }]);
  await t.mergeInsert('id').whenMatchedUpdateAll().writeMode('rewrite-columns').execute([{ id: 2n, n: 200 }]);
  await t.update({ valuesSql: { n: 'n + 1' }, where: 'id > 6', mode: 'rewrite-rows' });
  await t.add([{ id: 10n, w: 'blue', n: 10 }]);
  await t.compact({ targetRowsPerFragment: 100 });
  want[1]!.n = 100;
  want[2]!.n = 200;
  for (const r of want) if (Number(r.id) > 6) r.n += 1;
  want.push({ id: '10', w: 'blue', n: 10 });
  expect(rowsOf(await t.query().toArrow())).toEqual(want);
  expect(rowsOf(await peerScan(env.path('t')))).toEqual(want);
});
