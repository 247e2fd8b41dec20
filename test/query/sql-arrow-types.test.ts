// SQL results keep exact Arrow values: joins, sorts, UNION ALL and MIN/MAX move rows by buffer,
// so vectors, microsecond timestamps and decimals come out as stored (get() values lost them).
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { tempDb } from '../dataset-ops/helpers.js';
import { sqlSession, type SqlSession } from '../../src/query/session.js';
import { LanceCatalog } from '../../src/query/lance-catalog.js';
import { canon } from '../dataset-ops/arrow-types.js';
import { buildColumn } from '../../src/dataset/arrow/build-column.js';

let env: Awaited<ReturnType<typeof tempDb>>;
let db: SqlSession;
const VEC = new arrow.FixedSizeList(3, new arrow.Field('item', new arrow.Float32(), true));
const TS = [1_700_000_000_000_001n, 1_700_000_000_000_999n, 1_699_999_999_999_500n];

beforeAll(async () => {
  env = await tempDb();
  const schema = new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('ts', new arrow.Timestamp(arrow.TimeUnit.MICROSECOND), true),
    new arrow.Field('v', VEC, true),
    new arrow.Field('d', new arrow.Decimal(3, 10, 128), true),
  ]);
  // Built as Arrow data so the setup does not depend on the row-object path.
  const rows = [0, 1, 2].map((i) => ({ id: i, ts: TS[i], v: [i, i + 0.5, -i], d: BigInt(i * 1001 + 7) }));
  const cols = schema.fields.map((f) => buildColumn(rows.map((r) => r[f.name as keyof typeof r]), f.type, f.name));
  await env.db.createTable('t', new arrow.Table(schema, [new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: 3, nullCount: 0, children: cols }))]));
  db = sqlSession({ root: env.dir, catalog: new LanceCatalog(env.dir), namespace: [] });
});
afterAll(() => env.done());

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const t = (await db.sql(sql))[0]!.table!;
  const out: Record<string, unknown>[] = [];
  for (const b of t.batches) for (let i = 0; i < b.numRows; i++) out.push(Object.fromEntries(b.schema.fields.map((f) => [f.name, canon(b.getChild(f.name)!.data[0]!, i)])));
  return out;
}

const hex64 = (x: bigint) => Buffer.from(new BigInt64Array([x]).buffer).toString('hex');
const vecHex = (i: number) => [i, i + 0.5, -i].map((x) => Buffer.from(new Float32Array([x]).buffer).toString('hex'));

it('MIN/MAX of microsecond timestamps are exact', async () => {
  expect(await rows('SELECT MAX(ts) AS hi, MIN(ts) AS lo FROM t')).toEqual([{ hi: hex64(TS[1]!), lo: hex64(TS[2]!) }]);
});

it('sorted, joined and unioned rows keep their vectors and timestamps', async () => {
  const want = [2, 1, 0].map((i) => ({ id: Buffer.from(new Int32Array([i]).buffer).toString('hex'), ts: hex64(TS[i]!), v: vecHex(i) }));
  expect(await rows('SELECT id, ts, v FROM t ORDER BY id DESC')).toEqual(want);
  expect(await rows('SELECT a.id, b.ts, b.v FROM t a JOIN t b ON a.id = b.id ORDER BY a.id DESC')).toEqual(want);
  const u = await rows('SELECT id, ts, v FROM t WHERE id = 2 UNION ALL SELECT id, ts, v FROM t WHERE id < 2 ORDER BY id DESC');
  expect(u).toEqual(want);
});
