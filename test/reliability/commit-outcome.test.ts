// A manifest write whose response is lost (the object was created, the call failed) must not
// turn into a failed operation whose files are then deleted: the commit reads the version back
// and reports success when it holds its own transaction.
import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/index.js';
import { FaultyStore } from '../../src/io/faulty-store.js';
import { MemoryStore } from '../../src/io/memory-store.js';
import { StoreError } from '../../src/errors.js';

describe('commit after a lost response of the manifest write', () => {
  it('append and delete report success, land once, and keep their files', async () => {
    const inner = new MemoryStore('memory://lost-response');
    const clean = await connect('mem', { store: inner });
    await clean.createTable('t', arrow.tableFromArrays({ id: Int32Array.from([1, 2, 3]) }));
    // Every put-if-absent under _versions/ succeeds and then reports failure.
    let lost = 0;
    const faulty = new Proxy(inner, {
      get(target, prop, recv) {
        if (prop === 'putIfAbsent') {
          return async (path: string, data: Uint8Array) => {
            await target.putIfAbsent(path, data);
            if (!path.includes('_versions/')) return;
            lost++;
            throw new StoreError('INJECTED_FAULT', 'lost response of putIfAbsent', path);
          };
        }
        const v = Reflect.get(target, prop, recv);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const t = await (await connect('mem', { store: faulty })).openTable('t');
    expect((await t.add([{ id: 4 }, { id: 5 }])).version).toBe(2);
    const del = await t.delete('id = 2');
    expect(del).toEqual({ numDeletedRows: 1, version: 3 });
    expect(lost).toBe(2);

    const back = await (await connect('mem', { store: inner })).openTable('t');
    expect(await back.version()).toBe(3);
    const ids = (await back.query().select(['id']).toArrow()).getChild('id')!.toArray() as Int32Array;
    expect([...ids].sort()).toEqual([1, 3, 4, 5]);
    const files = (await inner.list('t.lance/')).map((m) => m.path);
    expect(files.filter((p) => p.includes('_deletions/')).length).toBe(1);
    expect(files.filter((p) => p.includes('_transactions/')).length).toBe(3);
  });

  it('a write that failed before landing still fails and leaves no transaction file', async () => {
    const inner = new MemoryStore('memory://lost-request');
    const clean = await connect('mem', { store: inner });
    await clean.createTable('t', arrow.tableFromArrays({ id: Int32Array.from([1]) }));
    const faulty = new FaultyStore(inner, { seed: 2, failRate: 1, ops: ['putIfAbsent'] });
    const t = await (await connect('mem', { store: faulty })).openTable('t');
    await expect(t.add([{ id: 2 }])).rejects.toMatchObject({ code: 'INJECTED_FAULT' });
    expect(await (await connect('mem', { store: inner })).openTable('t').then((x) => x.version())).toBe(1);
    expect((await inner.list('t.lance/_transactions/')).length).toBe(1);
  });
});
