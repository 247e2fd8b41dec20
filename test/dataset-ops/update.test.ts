import { afterEach, describe, expect, test } from 'vitest';
import { fromBinary } from '@bufbuild/protobuf';
import { readFileSync, readdirSync } from 'node:fs';
import * as nodePath from 'node:path';
import { TransactionSchema } from '../../src/format/proto/transaction_pb.js';
import { lancetRows, makeRows, modelRows, peerRows, SCHEMA, tempDb, type Row } from './helpers.js';
import { peerOpen } from '../helpers/lance-peer.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function lastTxn(path: string, version: number) {
  const name = readdirSync(nodePath.join(path, '_transactions')).find((n) => n.startsWith(`${version - 1}-`))!;
  return fromBinary(TransactionSchema, readFileSync(nodePath.join(path, '_transactions', name)));
}

describe('update', () => {
  for (const mode of ['rewrite-rows', 'rewrite-columns', 'auto'] as const) {
    test(`${mode}: lancet, the model and Lance 12 agree; Lance can keep writing`, async () => {
      const env = await tempDb();
      cleanup = env.done;
      const model: Row[] = makeRows(0, 30);
      const t = await env.db.createTable('t', model, { schema: SCHEMA, maxRowsPerFile: 10 });
      await t.delete('id = 3');
      model.splice(3, 1);

      const r = await t.update({ where: 'id < 8 OR id >= 25', values: { label: "concat(label, '-x')", value: 'value * 2' }, mode });
      for (const m of model) if (m.id < 8n || m.id >= 25n) Object.assign(m, { label: `${m.label}-x`, value: m.value! * 2 });
      expect(r.rowsUpdated).toBe(12);
      if (mode !== 'auto') expect(r.mode).toBe(mode);
      expect(await lancetRows(t)).toEqual(modelRows(model));
      expect(await peerRows(env.path('t'))).toEqual(modelRows(model));

      const txn = lastTxn(env.path('t'), r.version);
      expect(txn.operation.case).toBe('update');
      const u = txn.operation.value as { updateMode: number; newFragments: unknown[]; fieldsModified: number[]; updatedFragments: { files: { fields: number[] }[] }[] };
      if (r.mode === 'rewrite-columns') {
        expect(u.updateMode).toBe(1);
        expect(u.newFragments).toHaveLength(0);
        expect(u.fieldsModified).toEqual([1, 2]);
        for (const f of u.updatedFragments) expect(f.files.map((d) => d.fields)).toEqual([[0, -2, -2], [1, 2]]);
      } else if (r.mode === 'rewrite-rows') {
        expect(u.updateMode).toBe(0);
        expect(u.newFragments.length).toBeGreaterThan(0);
      }

      // Lance 12 updates and deletes on top of lancet's result; lancet sees its writes.
      const peer = await peerOpen(env.path('t'));
      await peer.update({ where: 'id >= 20', values: { value: '0' } });
      await peer.delete('id = 26');
      for (const m of model) if (m.id >= 20n) m.value = 0;
      model.splice(model.findIndex((m) => m.id === 26n), 1);
      expect(await lancetRows(t)).toEqual(modelRows(model));

      // And lancet updates a fragment Lance wrote.
      await t.update({ where: 'id = 27', values: { label: "'z'" }, mode });
      model.find((m) => m.id === 27n)!.label = 'z';
      expect(await lancetRows(t)).toEqual(modelRows(model));
      expect(await peerRows(env.path('t'))).toEqual(modelRows(model));
    });
  }

  test('second column rewrite of the same columns replaces the column file', async () => {
    const env = await tempDb();
    cleanup = env.done;
    const t = await env.db.createTable('t', makeRows(0, 10), { schema: SCHEMA });
    await t.update({ values: { label: "'a'" }, mode: 'rewrite-columns' });
    await t.update({ where: 'id = 2', values: { label: "'b'" }, mode: 'rewrite-columns' });
    const ds = await t.dataset();
    expect(ds.fragments[0]!.files.map((f) => f.fields)).toEqual([[0, -2, 2], [1]]);
    const rows = await peerRows(env.path('t'), ['id', 'label']);
    expect(rows.map((r) => r.label)).toEqual(['a', 'a', 'b', 'a', 'a', 'a', 'a', 'a', 'a', 'a']);
  });

  test('no match commits nothing; bad input changes nothing', async () => {
    const env = await tempDb();
    cleanup = env.done;
    const t = await env.db.createTable('t', makeRows(0, 5), { schema: SCHEMA });
    const r = await t.update({ where: 'id > 100', values: { label: "'q'" } });
    expect(r).toMatchObject({ rowsUpdated: 0, version: 1, mode: 'none' });
    await expect(t.update({ values: { nope: '1' } })).rejects.toThrow(/unknown column/);
    await expect(t.update({ values: { label: 'missing_col + 1' } })).rejects.toThrow(/unknown column/);
    expect(await t.version()).toBe(1);
  });

  test('LanceDB signature update(values, {where}) and literal values', async () => {
    const env = await tempDb();
    cleanup = env.done;
    const t = await env.db.createTable('t', makeRows(0, 5), { schema: SCHEMA });
    await t.update({ value: 'value + 1' }, { where: 'id = 1' });
    await t.update({ where: 'id = 2', values: { value: 7, label: null } });
    const rows = await lancetRows(t);
    expect(rows[1]!.value).toBe(2.5);
    expect(rows[2]).toEqual({ id: '2', label: null, value: 7 });
  });
});
