// A column added after a drop must never take the dropped column's field id while a data file
// still lists that id: the new column would read the old column's bytes.
import { afterEach, expect, test } from 'vitest';
import * as arrow from 'apache-arrow';
import { lancetRows, makeRows, peerRows, SCHEMA, tempDb } from './helpers.js';
import { peerCreate, peerOpen } from '../helpers/lance-peer.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const cols = (rows: Record<string, unknown>[], names: string[]) => rows.map((r) => Object.fromEntries(names.map((n) => [n, r[n] ?? null])));

test('drop the last column, then add columns of other types: they read as their own values, in lancet and Lance 12', async () => {
  const env = await tempDb();
  cleanup = env.done;
  // `value` (float64, id 2) is the highest id; its data file keeps listing id 2 after the drop.
  const t = await env.db.createTable('t', makeRows(0, 6), { schema: SCHEMA });
  await t.dropColumns(['value']);
  await t.addColumns([new arrow.Field('note', new arrow.Utf8(), true)]);
  await t.addColumns({ twice: 'id * 2' });
  const ids = (await t.schema()).fields.map((f) => f.name);
  expect(ids).toEqual(['id', 'label', 'note', 'twice']);
  const ds = await t.dataset();
  const fieldIds = Object.fromEntries(ds.schema.fields.map((f) => [f.name, f.id]));
  // Above every id any data file lists (0, 1, 2), as Lance assigns them.
  expect(fieldIds).toEqual({ id: 0, label: 1, note: 3, twice: 4 });

  const expected = makeRows(0, 6).map((r) => ({ id: r.id.toString(), label: r.label, note: null, twice: (r.id * 2n).toString() }));
  const names = ['id', 'label', 'note', 'twice'];
  expect(cols(await lancetRows(t), names)).toEqual(expected);
  expect(cols(await peerRows(env.path('t')), names)).toEqual(expected);
});

test('lancet reads a dataset Lance 12 evolved by drop + add, and adds after it without reusing ids', async () => {
  const env = await tempDb();
  cleanup = env.done;
  const src = arrow.tableFromArrays({ id: BigInt64Array.from([1n, 2n, 3n]), v: Float64Array.from([0.5, 1.5, 2.5]) });
  const peer = await peerCreate(env.dir, 'p', src);
  await peer.dropColumns(['v']);
  await peer.addColumns([{ name: 'w', valueSql: "concat('w', cast(id as string))" }]);
  const t = await env.db.openTable('p');
  const expected = [
    { id: '1', w: 'w1' },
    { id: '2', w: 'w2' },
    { id: '3', w: 'w3' },
  ];
  expect(cols(await lancetRows(t), ['id', 'w'])).toEqual(expected);
  // Lance 12 itself skipped the dropped id 1 still listed by the first data file.
  expect((await t.dataset()).schema.fields.map((f) => [f.name, f.id])).toEqual([['id', 0], ['w', 2]]);
  await t.dropColumns(['w']);
  await t.addColumns({ k: 'id + 100' });
  const again = [1, 2, 3].map((i) => ({ id: String(i), k: String(i + 100) }));
  expect(cols(await lancetRows(t), ['id', 'k'])).toEqual(again);
  expect(cols(await peerRows(env.path('p')), ['id', 'k'])).toEqual(again);
  const reopened = await peerOpen(env.path('p'));
  expect(await reopened.countRows()).toBe(3);
});
