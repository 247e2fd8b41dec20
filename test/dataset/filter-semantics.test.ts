// Regression tests for issue 19: Table API filters and `valuesSql` follow Lance 12's DataFusion
// semantics (the SQL session keeps Spark's; see README "Expression semantics").
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/index.js';
import { sqlSession } from '../../src/query/session.js';
import { LanceCatalog } from '../../src/query/lance-catalog.js';
import { SqlError } from '../../src/errors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'lancet-sem-'));

/** A float64 vector whose NaNs carry the sign bits given (true = negative NaN). */
function floats(values: (number | 'nan' | '-nan')[]): arrow.Vector {
  const buf = new Float64Array(values.length);
  const bits = new BigUint64Array(buf.buffer);
  values.forEach((v, i) => {
    if (v === 'nan') bits[i] = 0x7ff8000000000000n;
    else if (v === '-nan') bits[i] = 0xfff8000000000000n;
    else buf[i] = v;
  });
  return arrow.makeVector(buf);
}

async function table() {
  const db = await connect(tmp());
  const data = new arrow.Table({
    id: arrow.makeVector(Int32Array.from([0, 1, 2, 3])),
    score: floats([1, 5000, 'nan', '-nan']),
    s: arrow.vectorFromArray(['a', null, 'b', null], new arrow.Utf8()),
    out_f: arrow.vectorFromArray([null, null, null, null], new arrow.Float64()),
    out_s: arrow.vectorFromArray([null, null, null, null], new arrow.Utf8()),
  });
  return db.createTable('t', data);
}

const column = async (t: Awaited<ReturnType<typeof table>>, name: string) => (await t.query().select([name]).toArrow()).getChild(name)!.toArray();

describe('Table API expressions follow Lance 12 (DataFusion) semantics', () => {
  it('integer division truncates: -7/2 is -3 in valuesSql and in filters', async () => {
    const t = await table();
    await t.update({ valuesSql: { out_f: '-7/2' } });
    expect([...(await column(t, 'out_f'))]).toEqual([-3, -3, -3, -3]);
    expect(await t.countRows('-7/2 = -3')).toBe(4);
    expect(await t.countRows('id / 2 = 1')).toBe(2);
  });

  it('concat() skips NULL arguments while || propagates NULL', async () => {
    const t = await table();
    await t.update({ valuesSql: { out_s: "concat(NULL, '!')" } });
    expect([...(await column(t, 'out_s'))]).toEqual(['!', '!', '!', '!']);
    await t.update({ valuesSql: { out_s: "concat(s, '!')" } });
    expect([...(await column(t, 'out_s'))]).toEqual(['a!', '!', 'b!', '!']);
    expect(await t.countRows("s || '!' IS NULL")).toBe(2);
  });

  it('a filter that reads no column applies to every row (Arrow JS drops the length of a column-less batch)', async () => {
    const t = await table();
    expect(await t.countRows('true')).toBe(4);
    expect(await t.countRows('1 = 2')).toBe(0);
    expect(await t.delete('1 = 1')).toMatchObject({ numDeletedRows: 4 });
  });

  it('a negative NaN orders below every number, a positive NaN above', async () => {
    const t = await table();
    expect(await t.countRows('score > 1000')).toBe(2);
    expect(await t.countRows('score < 0')).toBe(1);
    expect(await t.delete('score > 1000')).toMatchObject({ numDeletedRows: 2 });
    expect([...(await column(t, 'id'))]).toEqual([0, 3]);
  });

  it('literals take the type of the column they meet: int32 values wrap, a fraction or text next to an int column fails', async () => {
    const db = await connect(tmp());
    const t = await db.createTable('t', new arrow.Table({ i: arrow.vectorFromArray([-2147483648, 0, 7], new arrow.Int32()), out: arrow.vectorFromArray([0n, 0n, 0n], new arrow.Int64()) }));
    await t.update({ valuesSql: { out: 'i - 1' } });
    expect([...(await column(t, 'out'))]).toEqual([2147483647n, -1n, 6n]);
    // Below the root the literal stays Int64, so the comparison does not wrap.
    expect(await t.countRows('i - 1 > 0')).toBe(1);
    await expect(t.countRows('i = 2.5')).rejects.toMatchObject({ code: 'TYPE_MISMATCH' });
    await expect(t.countRows("i = '7'")).rejects.toMatchObject({ code: 'TYPE_MISMATCH' });
    await expect(t.update({ valuesSql: { out: 'i + 2147483648' } })).rejects.toBeInstanceOf(SqlError);
    expect(await t.countRows("NOT (i = '7')")).toBe(2);
  });

  it('integer division by zero fails unless AND pre-selects the rows that avoid it', async () => {
    const db = await connect(tmp());
    const t = await db.createTable('t', new arrow.Table({ i: arrow.vectorFromArray([0, 1, 2, 3, 4, 5, 6, 7, 8, 10], new arrow.Int32()) }));
    await expect(t.countRows('10 / i > 0')).rejects.toMatchObject({ code: 'DIVIDE_BY_ZERO' });
    // 1 of 10 rows passes the left side (<= 20%): the right side only sees that row.
    expect(await t.countRows('i = 10 AND 10 / i = 1')).toBe(1);
    // 9 of 10 pass: DataFusion evaluates the right side everywhere and fails on i = 0.
    await expect(t.countRows('i <> 0 AND 10 / i > 0')).rejects.toMatchObject({ code: 'DIVIDE_BY_ZERO' });
    // A float dividend makes the division IEEE: 10.0 / 0 is +inf.
    expect(await t.countRows('10.0 / i > 1')).toBe(9);
  });

  it('the SQL session keeps Spark semantics, also in the filters it pushes into the scan', async () => {
    const root = tmp();
    const db = await connect(root);
    await db.createTable('t', new arrow.Table({ id: arrow.vectorFromArray([1, 2, 3], new arrow.Int32()) }));
    const session = sqlSession({ root, catalog: new LanceCatalog(root), namespace: [] });
    const rows = (await session.sql('SELECT id, id / 2 AS half FROM t WHERE id / 2 = 0.5'))[0]!.table!;
    expect(rows.toArray().map((r) => [r.id, r.half])).toEqual([[1, 0.5]]);
    const t = await db.openTable('t');
    expect(await t.countRows('id / 2 = 0.5')).toBe(0);
    expect(await t.countRows('id / 2 = 0')).toBe(1);
  });
});
