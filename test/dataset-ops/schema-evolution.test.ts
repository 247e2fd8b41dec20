import { afterEach, expect, test } from 'vitest';
import * as arrow from 'apache-arrow';
import { lancetRows, makeRows, peerRows, SCHEMA, tempDb } from './helpers.js';
import { peerOpen } from '../helpers/lance-peer.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

test('addColumns (computed and all-null), alter, drop: Lance 12 sees the same table and keeps writing', async () => {
  const env = await tempDb();
  cleanup = env.done;
  const t = await env.db.createTable('t', makeRows(0, 12), { schema: SCHEMA, maxRowsPerFile: 5 });
  await t.delete('id = 6');
  await t.addColumns({ doubled: 'value * 2', tag: "concat('t', label)" });
  await t.addColumns([new arrow.Field('note', new arrow.Utf8(), true)]);
  const expected = makeRows(0, 12)
    .filter((r) => r.id !== 6n)
    .map((r) => ({ id: r.id.toString(), label: r.label, value: r.value, doubled: r.value! * 2, tag: `t${r.label}`, note: null }));
  expect(await lancetRows(t)).toEqual(expected);
  expect(await peerRows(env.path('t'))).toEqual(expected);
  const ds = await t.dataset();
  expect(ds.fragments[0]!.files.map((f) => f.fields)).toEqual([[0, 1, 2], [3, 4]]);

  await t.alterColumns([{ path: 'tag', rename: 'tag2' }, { path: 'label', nullable: false }]);
  await t.dropColumns(['value']);
  const after = expected.map(({ value: _v, tag, ...r }) => ({ ...r, tag2: tag }));
  const order = (rows: Record<string, unknown>[]) => rows.map((r) => ({ id: r.id, label: r.label, doubled: r.doubled, tag2: r.tag2, note: r.note }));
  expect(order(await lancetRows(t))).toEqual(order(after));
  expect(order(await peerRows(env.path('t')))).toEqual(order(after));
  expect((await t.schema()).fields.find((f) => f.name === 'label')!.nullable).toBe(false);

  // Lance writes on top of the evolved schema; lancet reads it.
  const peer = await peerOpen(env.path('t'));
  await peer.update({ where: 'id = 1', valuesSql: { tag2: "'peer'" } });
  const rows = await lancetRows(t);
  expect(rows.find((r) => r.id === '1')!.tag2).toBe('peer');

  // Dropping every column of a data file removes the file from the manifest.
  await t.dropColumns(['doubled', 'tag2']);
  expect((await t.dataset()).fragments[0]!.files.map((f) => f.fields)).toEqual([[0, 1, 2]]);
});

test('bad schema changes are refused without a commit', async () => {
  const env = await tempDb();
  cleanup = env.done;
  const t = await env.db.createTable('t', [...makeRows(0, 3), { id: 9n, label: null, value: null }], { schema: SCHEMA });
  await expect(t.addColumns({ id: '1' })).rejects.toThrow(/already exists/);
  await expect(t.alterColumns([{ path: 'label', nullable: false }])).rejects.toThrow(/null/);
  await expect(t.dropColumns(['id', 'label', 'value'])).rejects.toThrow(/every column/);
  await expect(t.dropColumns(['nope'])).rejects.toThrow(/no column/);
  expect(await t.version()).toBe(1);
});
