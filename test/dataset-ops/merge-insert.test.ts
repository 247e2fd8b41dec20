import { afterEach, describe, expect, test } from 'vitest';
import * as arrow from 'apache-arrow';
import { lancetRows, makeRows, modelRows, peerRows, SCHEMA, tempDb, type Row } from './helpers.js';
import { peerCreate, peerOpen, toPeerTable } from '../helpers/lance-peer.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const partial = (rows: { id: bigint; label: string }[]) =>
  new arrow.Table({ id: arrow.vectorFromArray(rows.map((r) => r.id), new arrow.Int64()), label: arrow.vectorFromArray(rows.map((r) => r.label), new arrow.Utf8()) });

describe('mergeInsert', () => {
  for (const mode of ['auto', 'rewrite-rows', 'rewrite-columns'] as const) {
    test(`${mode}: upsert + delete-by-source equals Lance 12 doing the same merge`, async () => {
      const env = await tempDb();
      cleanup = env.done;
      const model: Row[] = makeRows(0, 30);
      const t = await env.db.createTable('t', model, { schema: SCHEMA, maxRowsPerFile: 10 });
      const full = new arrow.Table({
        id: arrow.vectorFromArray(model.map((r) => r.id), new arrow.Int64()),
        label: arrow.vectorFromArray(model.map((r) => r.label), new arrow.Utf8()),
        value: arrow.vectorFromArray(model.map((r) => r.value), new arrow.Float64()),
      });
      await peerCreate(env.dir, 'p', full);

      const src = [...[2, 5, 11, 12, 29].map((i) => ({ id: BigInt(i), label: `u${i}` })), { id: 40n, label: 'new40' }, { id: 41n, label: 'new41' }];
      const r = await t.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().whenNotMatchedBySourceDelete({ where: 'id >= 20 AND id < 25' }).writeMode(mode).execute(partial(src));
      const pr = await (await peerOpen(env.path('p'))).mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().whenNotMatchedBySourceDelete({ where: 'id >= 20 AND id < 25' }).execute(toPeerTable(partial(src)));
      expect({ i: r.numInsertedRows, u: r.numUpdatedRows, d: r.numDeletedRows }).toEqual({ i: pr.numInsertedRows, u: pr.numUpdatedRows, d: pr.numDeletedRows });
      expect(r).toMatchObject({ numInsertedRows: 2, numUpdatedRows: 5, numDeletedRows: 5 });
      if (mode !== 'auto') expect(r.mode).toBe(mode);

      for (const s of src) {
        const m = model.find((x) => x.id === s.id);
        if (m) m.label = s.label;
        else model.push({ id: s.id, label: s.label, value: null });
      }
      const final = model.filter((m) => !(m.id >= 20n && m.id < 25n));
      expect(await lancetRows(t)).toEqual(modelRows(final));
      expect(await peerRows(env.path('t'))).toEqual(modelRows(final));
      expect(await peerRows(env.path('p'))).toEqual(modelRows(final));

      // Lance merges into lancet's result, lancet merges into Lance's.
      await (await peerOpen(env.path('t'))).mergeInsert('id').whenMatchedUpdateAll().execute(toPeerTable(partial([{ id: 1n, label: 'L1' }])));
      await t.mergeInsert('id').whenMatchedUpdateAll().execute(partial([{ id: 7n, label: 'T7' }]));
      final.find((m) => m.id === 1n)!.label = 'L1';
      final.find((m) => m.id === 7n)!.label = 'T7';
      expect(await lancetRows(t)).toEqual(modelRows(final));
      expect(await peerRows(env.path('t'))).toEqual(modelRows(final));
    });
  }

  test('whenMatchedUpdate with source.x expressions and a matched condition', async () => {
    const env = await tempDb();
    cleanup = env.done;
    const t = await env.db.createTable('t', makeRows(0, 6), { schema: SCHEMA });
    const src = [
      { id: 1n, label: 'a', value: 10 },
      { id: 2n, label: 'b', value: 20 },
      { id: 9n, label: 'c', value: 30 },
    ];
    const r = await t.mergeInsert('id').whenMatchedUpdate({ value: 'value + source.value', label: "concat(target.label, source.label)" }, { where: 'source.value > 15' }).execute(src);
    expect(r).toMatchObject({ numUpdatedRows: 1, numInsertedRows: 0, numDeletedRows: 0 });
    const rows = await peerRows(env.path('t'));
    expect(rows[2]).toEqual({ id: '2', label: 'l2b', value: 23 });
    expect(rows[1]).toEqual({ id: '1', label: 'l1', value: 1.5 });
  });

  test('duplicate source keys and unknown columns are refused without a commit', async () => {
    const env = await tempDb();
    cleanup = env.done;
    const t = await env.db.createTable('t', makeRows(0, 4), { schema: SCHEMA });
    await expect(t.mergeInsert('id').whenMatchedUpdateAll().execute([{ id: 1n, label: 'x' }, { id: 1n, label: 'y' }])).rejects.toThrow(/more than one row/);
    await expect(t.mergeInsert('id').whenMatchedUpdateAll().execute([{ id: 1n, nope: 1 }])).rejects.toThrow(/does not/);
    expect(await t.version()).toBe(1);
  });
});
