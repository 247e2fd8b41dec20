// What users hand to createTable/add/mergeInsert arrives intact or fails loudly: values checked
// against the column types (no silent NaN/0/wrap-around), Arrow tables from the CommonJS copy of
// apache-arrow accepted, type spellings and Date values accepted, all-null vector pages written.
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { InvalidInputError } from '../../src/errors.js';
import { tempDb } from '../dataset-ops/helpers.js';
import { peerScan, plainRows } from '../helpers/lance-peer.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const cjsArrow: any = createRequire(import.meta.url)('apache-arrow');

const envs: Awaited<ReturnType<typeof tempDb>>[] = [];
async function db() {
  const e = await tempDb();
  envs.push(e);
  return e;
}
afterEach(() => {
  for (const e of envs.splice(0)) e.done();
});

const vec = (dim: number) => new arrow.FixedSizeList(dim, new arrow.Field('item', new arrow.Float32(), true));

describe('all-null fixed-size-list pages', () => {
  it('a column of null vectors built by arrow-js (short child buffer) is written and read back', async () => {
    const env = await db();
    const n = 7;
    const ids = arrow.vectorFromArray(Array.from({ length: n }, (_, i) => i), new arrow.Int32());
    const v = arrow.vectorFromArray(new Array(n).fill(null), vec(16));
    // The regression needs arrow-js's short child: fewer item slots than rows × dimension.
    expect(v.data[0]!.children[0]!.values.length).toBeLessThan(n * 16);
    const t = await env.db.createTable('t', new arrow.Table({ id: ids, v }));
    const rows = plainRows(await t.query().toArrow());
    expect(rows).toEqual(Array.from({ length: n }, (_, i) => ({ id: i, v: null })));
    expect(plainRows(await peerScan(env.path('t')))).toEqual(rows);
  });

  it('null vectors from row objects are written with full-length children', async () => {
    const env = await db();
    const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), new arrow.Field('v', vec(16), true)]);
    const rows = Array.from({ length: 6 }, (_, i) => ({ id: i, v: null }));
    const t = await env.db.createTable('t', rows, { schema });
    expect(plainRows(await t.query().toArrow())).toEqual(rows);
    expect(plainRows(await peerScan(env.path('t')))).toEqual(rows);
  });
});

describe('row values are checked against the column types', () => {
  const schema = new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('big', new arrow.Int64(), true),
    new arrow.Field('f', new arrow.Float64(), true),
    new arrow.Field('s', new arrow.Utf8(), true),
    new arrow.Field('v', vec(2), true),
  ]);

  it.each([
    ['a string into Int32', { id: 'abc' }, 'id', 0, '"abc"'],
    ['2^31 into Int32', { id: 2 ** 31 }, 'id', 0, '2147483648'],
    ['1.5 into Int32', { id: 1.5 }, 'id', 0, '1.5'],
    ['a string into Float64', { id: 1, f: '2.5' }, 'f', 0, '"2.5"'],
    ['a number into Utf8', { id: 1, s: 7 }, 's', 0, '7'],
    ['2^63 into Int64', { id: 1, big: 2n ** 63n }, 'big', 0, '9223372036854775808n'],
    ['a vector of the wrong length', { id: 1, v: [1, 2, 3] }, 'v', 0, 'array(3)'],
    ['a string inside a vector', { id: 1, v: [1, 'x'] }, 'v[]', 0, '"x"'],
  ])('%s is an InvalidInputError naming column, row and value (Table API)', async (_n, bad, column, _row, shown) => {
    const env = await db();
    const t = await env.db.createTable('t', [{ id: 1, big: 1n, f: 1, s: 'a', v: [0, 0] }], { schema });
    const rows = [{ id: 2, big: 2n, f: 2, s: 'b', v: [1, 1] }, bad];
    for (const attempt of [() => t.add(rows), () => t.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows)]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).code).toBe('BAD_VALUE');
      expect((err as InvalidInputError).details).toMatchObject({ column, row: 1, value: shown });
      expect((err as Error).message).toContain(`column "${column}" row 1: ${shown}`);
    }
    expect(await t.countRows()).toBe(1);
  });

  it('a row with a column the table lacks is refused, not silently dropped', async () => {
    const env = await db();
    const t = await env.db.createTable('t', [{ id: 1, big: 1n, f: 1, s: 'a', v: [0, 0] }], { schema });
    const err = await t.add([{ id: 2 }, { id: 3, sx: 'typo' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).details).toMatchObject({ column: 'sx', row: 1 });
    expect(await t.countRows()).toBe(1);
  });

  it('an update expression whose value does not fit the column fails with the column named', async () => {
    const env = await db();
    const t = await env.db.createTable('t', [{ id: 1, big: 1n, f: 1.5, s: 'a', v: [0, 0] }], { schema });
    const err = await t.update({ valuesSql: { id: "'abc'" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).details).toMatchObject({ column: 'id', row: 0, value: '"abc"' });
    expect(plainRows(await t.query().toArrow())[0]).toMatchObject({ id: 1 });
  });
});

describe('Arrow data from any apache-arrow copy and type spelling', () => {
  it('an Arrow table built with the CommonJS copy of apache-arrow is accepted by createTable, add and mergeInsert', async () => {
    const env = await db();
    expect(cjsArrow.Table).not.toBe(arrow.Table);
    const make = (from: number) =>
      new cjsArrow.Table({
        id: cjsArrow.vectorFromArray([from, from + 1], new cjsArrow.Int32()),
        v: cjsArrow.vectorFromArray([[from, 0.5], null], new cjsArrow.FixedSizeList(2, new cjsArrow.Field('item', new cjsArrow.Float32(), true))),
        ts: cjsArrow.vectorFromArray([from * 1000, null], new cjsArrow.TimestampMicrosecond()),
      });
    const t = await env.db.createTable('t', make(0));
    await t.add(make(10));
    await t.add(make(20).batches[0]);
    await t.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(make(1));
    const rows = plainRows(await t.query().toArrow()).sort((a, b) => (a.id as number) - (b.id as number));
    expect(rows.map((r) => [r.id, r.v])).toEqual([
      [0, [0, 0.5]],
      [1, [1, 0.5]],
      [2, null],
      [10, [10, 0.5]],
      [11, null],
      [20, [20, 0.5]],
      [21, null],
    ]);
    expect(plainRows(await peerScan(env.path('t'))).sort((a, b) => (a.id as number) - (b.id as number))).toEqual(rows);
  });

  it('an array of CommonJS batches and a CommonJS schema for row objects are accepted', async () => {
    const env = await db();
    const schema = new cjsArrow.Schema([new cjsArrow.Field('id', new cjsArrow.Int32(), false), new cjsArrow.Field('v', new cjsArrow.FixedSizeList(2, new cjsArrow.Field('item', new cjsArrow.Float32(), true)), true)]);
    const t = await env.db.createTable('t', [{ id: 0, v: [1, 2] }], { schema });
    const batch = (id: number) => new cjsArrow.Table({ id: cjsArrow.vectorFromArray([id], new cjsArrow.Int32()), v: cjsArrow.vectorFromArray([[id, id]], schema.fields[1].type) }).batches[0];
    await t.add([batch(1), batch(2)]);
    const rows = plainRows(await t.query().toArrow()).sort((a, b) => (a.id as number) - (b.id as number));
    expect(rows).toEqual([
      { id: 0, v: [1, 2] },
      { id: 1, v: [1, 1] },
      { id: 2, v: [2, 2] },
    ]);
  });

  it('TimestampMicrosecond data goes into a Timestamp(MICROSECOND) column; Date values into timestamp and date columns', async () => {
    const env = await db();
    const schema = new arrow.Schema([
      new arrow.Field('id', new arrow.Int32(), false),
      new arrow.Field('ts', new arrow.Timestamp(arrow.TimeUnit.MICROSECOND), true),
      new arrow.Field('day', new arrow.DateDay(), true),
    ]);
    const t = await env.db.createTable('t', [{ id: 0, ts: new Date('2024-03-01T10:00:00.123Z'), day: new Date('2024-03-01') }], { schema });
    const exact = arrow.makeData({ type: new arrow.TimestampMicrosecond(), length: 1, nullCount: 0, data: new BigInt64Array([1_709_287_200_123_456n]) });
    await t.add(
      new arrow.Table({
        id: arrow.vectorFromArray([1], new arrow.Int32()),
        ts: arrow.makeVector(exact),
        day: arrow.vectorFromArray([null], new arrow.DateDay()),
      }),
    );
    const peer = await peerScan(env.path('t'));
    const ts = peer.getChild('ts')!.data.flatMap((d) => [...(d.values as BigInt64Array).subarray(0, d.length)]);
    const ids = [...peer.getChild('id')!];
    expect(ts[ids.indexOf(0)]).toBe(1_709_287_200_123_000n);
    expect(ts[ids.indexOf(1)]).toBe(1_709_287_200_123_456n);
    const days = peer.getChild('day')!;
    expect(days.get(ids.indexOf(0))).toBe(Date.UTC(2024, 2, 1));
    const err = await t.add([{ id: 2, day: new Date('2024-03-01T10:00:00Z') }]).catch((e: unknown) => e);
    expect((err as InvalidInputError).code).toBe('BAD_VALUE');
  });
});

describe('dictionary-encoded input', () => {
  it('a dictionary column (with nulls, several batches with their own dictionaries) is stored as its values', async () => {
    const env = await db();
    const batch = (ids: number[], words: (string | null)[]) => {
      const t = new arrow.Table({ id: arrow.vectorFromArray(ids, new arrow.Int32()), w: arrow.vectorFromArray(words, new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())) });
      return t.batches[0]!;
    };
    const t = await env.db.createTable('t', [batch([0, 1, 2], ['b', null, 'b']), batch([3, 4], ['z', 'a'])]);
    await t.mergeInsert('id').whenMatchedUpdateAll().execute(new arrow.Table([batch([1, 3], ['q', null])]));
    const want = [
      { id: 0, w: 'b' },
      { id: 1, w: 'q' },
      { id: 2, w: 'b' },
      { id: 3, w: null },
      { id: 4, w: 'a' },
    ];
    const sort = (r: Record<string, unknown>[]) => r.sort((a, b) => (a.id as number) - (b.id as number));
    expect(String((await t.schema()).fields[1]!.type)).toBe('Utf8');
    expect(sort(plainRows(await t.query().toArrow()))).toEqual(want);
    expect(sort(plainRows(await peerScan(env.path('t'))))).toEqual(want);
  });
});
