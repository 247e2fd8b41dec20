// With stable row ids, a row rewrite keeps the ids of the rows it moves (as Lance 12 does), so
// Lance 12 sees the same _rowid for a row before and after lancet updates it.
import { expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/index.js';
import { peerScan, plainRows } from '../../test/helpers/lance-peer.js';

it('rewrite-rows update keeps stable row ids', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lancet-rowids-'));
  const db = await connect(root);
  const data = new arrow.Table({ id: arrow.makeVector(Int32Array.from({ length: 10 }, (_, i) => i)), label: arrow.vectorFromArray(Array.from({ length: 10 }, (_, i) => `l${i}`), new arrow.Utf8()) });
  const t = await db.createTable('t', data, { enableStableRowIds: true });
  await t.add(new arrow.Table({ id: arrow.makeVector(Int32Array.from([10, 11])), label: arrow.vectorFromArray(['l10', 'l11'], new arrow.Utf8()) }));
  const idsOf = async () => new Map(plainRows(await peerScan(join(root, 't.lance'), { withRowId: true })).map((r) => [r.id as number, r._rowid as string]));
  const before = await idsOf();
  expect([...before.values()].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
  const r = await t.update({ where: 'id IN (3, 7, 11)', values: { label: "'moved'" }, mode: 'rewrite-rows' });
  expect(r.mode).toBe('rewrite-rows');
  const after = await idsOf();
  expect(after).toEqual(before);
  const rows = plainRows(await peerScan(join(root, 't.lance')));
  expect(rows.filter((x) => x.label === 'moved').map((x) => x.id).sort()).toEqual([11, 3, 7]);
  // New rows continue after the highest id ever assigned.
  await t.add(new arrow.Table({ id: arrow.makeVector(Int32Array.from([12])), label: arrow.vectorFromArray(['l12'], new arrow.Utf8()) }));
  expect((await idsOf()).get(12)).toBe('12');
});

it('merge-insert in rewrite-rows mode keeps the ids of matched rows and gives inserts new ones', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lancet-rowids-'));
  const db = await connect(root);
  const tbl = (ids: number[], label: string) => new arrow.Table({ id: arrow.makeVector(Int32Array.from(ids)), label: arrow.vectorFromArray(ids.map(() => label), new arrow.Utf8()) });
  const t = await db.createTable('t', tbl([0, 1, 2, 3, 4, 5], 'old'), { enableStableRowIds: true });
  const idsOf = async () => new Map(plainRows(await peerScan(join(root, 't.lance'), { withRowId: true })).map((r) => [r.id as number, r._rowid as string]));
  const before = await idsOf();
  const r = await t.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().writeMode('rewrite-rows').execute(tbl([1, 4, 9], 'new'));
  expect([r.numUpdatedRows, r.numInsertedRows]).toEqual([2, 1]);
  const after = await idsOf();
  for (const id of [0, 1, 2, 3, 4, 5]) expect(after.get(id)).toBe(before.get(id));
  expect(after.get(9)).toBe('6');
  const labels = new Map(plainRows(await peerScan(join(root, 't.lance'))).map((x) => [x.id, x.label]));
  expect([labels.get(1), labels.get(4), labels.get(9), labels.get(0)]).toEqual(['new', 'new', 'new', 'old']);
});
