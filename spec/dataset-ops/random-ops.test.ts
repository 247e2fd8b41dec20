// Random operation sequences (lancet and Lance 12 writing the same table) checked after every
// step against an in-memory model, through both lancet's and Lance 12's readers.
import { expect, test } from 'vitest';
import fc from 'fast-check';
import { lancetRows, makeRows, modelRows, peerRows, SCHEMA, tempDb, type Row } from '../../test/dataset-ops/helpers.js';
import { peerOpen } from '../../test/helpers/lance-peer.js';

type Op =
  | { kind: 'append'; n: number }
  | { kind: 'delete'; mod: number; rem: number }
  | { kind: 'update'; below: number; mode: 'auto' | 'rewrite-rows' | 'rewrite-columns'; tag: string }
  | { kind: 'merge'; ids: number[]; mode: 'auto' | 'rewrite-rows' | 'rewrite-columns'; bySource: boolean }
  | { kind: 'compact'; target: number }
  | { kind: 'cleanup' }
  | { kind: 'checkout'; back: number }
  | { kind: 'peerUpdate'; below: number }
  | { kind: 'peerDelete'; mod: number };

const mode = fc.constantFrom('auto' as const, 'rewrite-rows' as const, 'rewrite-columns' as const);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), n: fc.integer({ min: 1, max: 7 }) }),
  fc.record({ kind: fc.constant('delete' as const), mod: fc.integer({ min: 2, max: 5 }), rem: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant('update' as const), below: fc.integer({ min: 0, max: 40 }), mode, tag: fc.constantFrom('a', 'b', 'c') }),
  fc.record({ kind: fc.constant('merge' as const), ids: fc.uniqueArray(fc.integer({ min: 0, max: 45 }), { maxLength: 6 }), mode, bySource: fc.boolean() }),
  fc.record({ kind: fc.constant('compact' as const), target: fc.integer({ min: 3, max: 20 }) }),
  fc.record({ kind: fc.constant('cleanup' as const) }),
  fc.record({ kind: fc.constant('checkout' as const), back: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('peerUpdate' as const), below: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('peerDelete' as const), mod: fc.integer({ min: 3, max: 7 }) }),
);

test('random mutation sequences keep lancet, Lance 12 and the model equal', async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.array(op, { minLength: 2, maxLength: 5 }), async (initial, ops) => {
      runs++;
      const env = await tempDb();
      try {
        let model: Row[] = makeRows(0, initial);
        let nextId = initial;
        const t = await env.db.createTable('t', model, { schema: SCHEMA, maxRowsPerFile: 4 });
        const history = new Map<number, Row[]>([[1, structuredClone(model)]]);
        let oldest = 1;
        const record = (v: number) => history.set(v, structuredClone(model));
        for (const o of ops) {
          switch (o.kind) {
            case 'append': {
              const rows = makeRows(nextId, o.n);
              nextId += o.n;
              record((await t.add(rows, { maxRowsPerFile: 3 })).version);
              model.push(...rows);
              record(await t.version());
              break;
            }
            case 'delete': {
              await t.delete(`id % ${o.mod} = ${o.rem % o.mod}`);
              model = model.filter((r) => Number(r.id) % o.mod !== o.rem % o.mod);
              record(await t.version());
              break;
            }
            case 'update': {
              await t.update({ where: `id < ${o.below}`, values: { label: `concat(label, '${o.tag}')`, value: 'value + 1' }, mode: o.mode });
              for (const r of model) if (r.id < BigInt(o.below)) Object.assign(r, { label: r.label === null ? null : r.label + o.tag, value: r.value === null ? null : r.value + 1 });
              record(await t.version());
              break;
            }
            case 'merge': {
              const src = o.ids.map((i) => ({ id: BigInt(i), label: `m${i}` }));
              let b = t.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().writeMode(o.mode);
              if (o.bySource) b = b.whenNotMatchedBySourceDelete({ where: 'id > 30' });
              await b.execute(src);
              const inSrc = new Set(o.ids.map(BigInt));
              if (o.bySource) model = model.filter((r) => inSrc.has(r.id) || r.id <= 30n);
              for (const s of src) {
                const m = model.find((r) => r.id === s.id);
                if (m) m.label = s.label;
                else model.push({ id: s.id, label: s.label, value: null });
              }
              nextId = Math.max(nextId, ...o.ids.map((i) => i + 1));
              record(await t.version());
              break;
            }
            case 'compact':
              await t.compact({ targetRowsPerFragment: o.target });
              record(await t.version());
              break;
            case 'cleanup': {
              const latest = await t.version();
              await t.cleanup({ olderThan: new Date(Date.now() + 1000) });
              for (const v of [...history.keys()]) if (v !== latest) history.delete(v);
              oldest = latest;
              break;
            }
            case 'checkout': {
              const latest = await t.version();
              const v = Math.max(oldest, latest - o.back);
              if (history.has(v)) {
                await t.checkout(v);
                expect(await lancetRows(t)).toEqual(modelRows(history.get(v)!));
                await t.checkoutLatest();
              }
              break;
            }
            case 'peerUpdate': {
              await (await peerOpen(env.path('t'))).update({ where: `id < ${o.below}`, valuesSql: { value: 'value * 2' } });
              for (const r of model) if (r.id < BigInt(o.below) && r.value !== null) r.value *= 2;
              record(await t.version());
              break;
            }
            case 'peerDelete': {
              await (await peerOpen(env.path('t'))).delete(`id % ${o.mod} = 1`);
              model = model.filter((r) => Number(r.id) % o.mod !== 1);
              record(await t.version());
              break;
            }
          }
          const want = modelRows(model);
          expect(await lancetRows(t)).toEqual(want);
          expect(await peerRows(env.path('t'))).toEqual(want);
        }
      } finally {
        env.done();
      }
    }),
    { numRuns: 30, seed: Number(process.env.FC_SEED ?? 20251) },
  );
  expect(runs).toBeGreaterThanOrEqual(30);
}, 240_000);
