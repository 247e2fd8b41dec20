import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { connect } from '../../src/dataset/index.js';
import { plainRows } from '../helpers/lance-peer.js';
import { InvalidInputError } from '../../src/errors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'lancet-tbl-'));
const ids = (t: arrow.Table) => plainRows(t).map((r) => Number(r.id));

describe('Table API', () => {
  it('creates, appends, deletes, filters, pages and travels in time', async () => {
    const db = await connect(tmp());
    const t = await db.createTable('t', arrow.tableFromArrays({ id: Int32Array.from({ length: 10 }, (_, i) => i), name: Array.from({ length: 10 }, (_, i) => `n${i}`) }));
    expect(await t.version()).toBe(1);
    expect(await t.add([{ id: 10, name: 'n10' }, { id: 11, name: null }])).toEqual({ version: 2 });
    expect(await t.countRows()).toBe(12);
    expect(await t.delete('id % 3 = 0')).toEqual({ numDeletedRows: 4, version: 3 });
    expect(await t.delete('id > 100')).toEqual({ numDeletedRows: 0, version: 3 });
    expect(await t.countRows()).toBe(8);
    expect(await t.countRows('id > 5')).toBe(4);
    expect(ids(await t.query().where('id >= 4').select(['id']).toArrow())).toEqual([4, 5, 7, 8, 10, 11]);
    expect(ids(await t.query().offset(2).limit(3).toArrow())).toEqual([4, 5, 7]);
    const withAddr = plainRows(await t.query().where('id > 9').withRowAddress().toArrow());
    expect(withAddr).toEqual([
      { id: 10, name: 'n10', _rowaddr: String(1n << 32n) },
      { id: 11, name: null, _rowaddr: String((1n << 32n) + 1n) },
    ]);
    let streamed = 0;
    for await (const b of t.query()) streamed += b.numRows;
    expect(streamed).toBe(8);
    expect(ids(await t.takeRowAddresses([(1n << 32n) + 1n, 2n, 3n, 2n], ['id']))).toEqual([2, 11]);

    expect((await t.listVersions()).map((v) => v.version)).toEqual([1, 2, 3]);
    await t.checkout(1);
    expect(await t.countRows()).toBe(10);
    await expect(t.add([{ id: 1, name: 'x' }])).rejects.toBeInstanceOf(InvalidInputError);
    await t.checkoutLatest();
    expect(await t.countRows()).toBe(8);

    await t.tags.create('before-delete', 2);
    expect(await t.tags.list()).toMatchObject({ 'before-delete': { version: 2 } });
    await expect(t.tags.create('before-delete', 1)).rejects.toThrow(/exists/);
    await expect(t.tags.create('.bad', 1)).rejects.toThrow(/invalid tag/);
    await t.checkout('before-delete');
    expect(await t.countRows()).toBe(12);
    await t.restore();
    expect(await t.version()).toBe(4);
    expect(await t.countRows()).toBe(12);
    await t.add([{ id: 12, name: 'n12' }]);
    const frags = (await t.dataset()).fragments.map((f) => f.id);
    expect(new Set(frags).size).toBe(frags.length);
    await t.tags.delete('before-delete');
    expect(await t.tags.list()).toEqual({});

    const reopened = await db.openTable('t', { version: 3 });
    expect(await reopened.countRows()).toBe(8);
  });

  it('drops fully deleted fragments and merges deletion vectors', async () => {
    const db = await connect(tmp());
    const t = await db.createTable('t', arrow.tableFromArrays({ id: Int32Array.from([1, 2, 3]) }));
    await t.add(arrow.tableFromArrays({ id: Int32Array.from([4, 5, 6]) }));
    await t.delete('id = 1');
    await t.delete('id = 2');
    const ds = await t.dataset();
    expect(ds.fragments[0]!.deletionFile?.numDeletedRows).toBe(2n);
    await t.delete('id <= 3');
    expect((await t.dataset()).fragments.map((f) => f.id)).toEqual([1n]);
    expect(ids(await t.toArrow())).toEqual([4, 5, 6]);
  });

  it('manages tables and namespaces in a connection', async () => {
    const root = tmp();
    const db = await connect(root);
    await db.createTable('a', [{ x: 1 }]);
    await db.createTable('ns.b', [{ x: 2 }]);
    expect(await db.tableNames()).toEqual(['a', 'ns.b']);
    await expect(db.createTable('a', [{ x: 1 }])).rejects.toThrow(/already exists/);
    await db.createTable('a', [{ x: 5 }, { x: 6 }], { mode: 'overwrite' });
    expect(await (await db.openTable('a')).countRows()).toBe(2);
    expect(await (await db.openTable('a', { version: 1 })).countRows()).toBe(1);
    await db.dropTable('a');
    expect(await db.tableNames()).toEqual(['ns.b']);
    await expect(db.openTable('a')).rejects.toThrow(/no table/);
    await expect(db.openTable('bad/name')).rejects.toThrow(/invalid table name/);
  });

  it('matches a model of appends and deletes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.record({ add: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 8 }) }), fc.record({ del: fc.integer({ min: 0, max: 50 }) })), { maxLength: 6 }),
        async (ops) => {
          const db = await connect(`memory://prop${Math.random()}`);
          const t = await db.createTable('t', [{ v: 1 }], { schema: new arrow.Schema([new arrow.Field('v', new arrow.Int32(), true)]) });
          let model = [1];
          for (const op of ops) {
            if ('add' in op) {
              await t.add(op.add.map((v) => ({ v })));
              model = [...model, ...op.add];
            } else {
              await t.delete(`v < ${op.del}`);
              model = model.filter((v) => !(v < op.del));
            }
          }
          expect(plainRows(await t.toArrow()).map((r) => r.v)).toEqual(model);
          expect(await t.countRows()).toBe(model.length);
        },
      ),
      { numRuns: 25 },
    );
  });
});
