import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { SqlError } from '../../src/errors.js';
import { parseFilter, parseExpr, evalPredicate, evalExpr, exprType, registerFunction } from '../../src/dataset/expr/index.js';
import { batchOf, ints, bigs, ubigs, floats, strs, bools, bins, selected } from './helpers.js';

// These cases pin the SQL session's (Spark) semantics; the Table API's are in test/dataset/filter-semantics.test.ts.
const SPARK = { dialect: 'spark' } as const;

const batch = batchOf({
  id: ints([1, 2, 3, 4, null]),
  big: bigs([9007199254740993n, 9007199254740992n, -(1n << 63n), 0n, null]),
  ubig: ubigs([(1n << 64n) - 1n, 1n << 63n, 0n, 5n, null]),
  score: floats([0.5, 1.5, null, -2, 3]),
  label: strs(['cat', 'dog', 'Cat', null, '100%']),
  flag: bools([true, false, null, true, false]),
  data: bins([new Uint8Array([0x89, 0x50]), new Uint8Array([]), null, new Uint8Array([1]), new Uint8Array([0x89])]),
});
const where = (sql: string) => selected(evalPredicate(parseFilter(sql), batch, SPARK));
const values = (sql: string) => evalExpr(parseExpr(sql), batch, SPARK).toArray();
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e.code;
    throw e;
  }
  return 'no error';
};

describe('predicates', () => {
  it('compares ints, floats and strings with NULL as unknown', () => {
    expect(where('id > 2')).toEqual([2, 3]);
    expect(where('id != 2')).toEqual([0, 2, 3]);
    expect(where('score <= 0.5')).toEqual([0, 3]);
    expect(where("label = 'cat'")).toEqual([0]);
    expect(where("label < 'd'")).toEqual([0, 2, 4]);
    expect(where('id = NULL')).toEqual([]);
  });

  it('compares 64-bit columns with literals exactly beyond 2^53', () => {
    expect(where('big = 9007199254740993')).toEqual([0]);
    expect(where('big > 9007199254740992')).toEqual([0]);
    expect(where('big = 9007199254740992.0')).toEqual([1]);
    // 2^53 + 1 is not a double; a naive Number() conversion would round it to 2^53.
    expect(where('big > 9007199254740992.0')).toEqual([0]);
    expect(where('big < 9007199254740994.0')).toEqual([0, 1, 2, 3]);
    expect(where('big = -9223372036854775808')).toEqual([2]);
    expect(where('ubig = 18446744073709551615')).toEqual([0]);
    expect(where('ubig > 9223372036854775807')).toEqual([0, 1]);
    expect(where('ubig > big')).toEqual([0, 1, 2, 3]);
  });

  it('uses three-valued AND / OR / NOT', () => {
    expect(where('flag OR id = 3')).toEqual([0, 2, 3]);
    expect(where('NOT flag')).toEqual([1, 4]);
    expect(where('NOT (flag AND id > 1)')).toEqual([0, 1, 4]);
    expect(where('flag IS NULL OR NOT flag')).toEqual([1, 2, 4]);
  });

  it('evaluates IN and NOT IN with NULLs in the list', () => {
    expect(where('id IN (1, 3, 7)')).toEqual([0, 2]);
    expect(where('id NOT IN (1, 3)')).toEqual([1, 3]);
    expect(where('id NOT IN (1, NULL)')).toEqual([]);
    expect(where("label IN ('dog', 'x')")).toEqual([1]);
  });

  it('evaluates BETWEEN and NOT BETWEEN', () => {
    expect(where('id BETWEEN 2 AND 3')).toEqual([1, 2]);
    expect(where('id NOT BETWEEN 2 AND 3')).toEqual([0, 3]);
    expect(where('score BETWEEN -2 AND 1')).toEqual([0, 3]);
  });

  it('matches LIKE with %, _, ESCAPE and ILIKE', () => {
    expect(where("label LIKE 'c%'")).toEqual([0]);
    expect(where("label LIKE '_o_'")).toEqual([1]);
    expect(where("label NOT LIKE '%a%'")).toEqual([1, 4]);
    expect(where("label LIKE '%!%' ESCAPE '!'")).toEqual([4]);
    expect(where("label LIKE '%\\%' ESCAPE '\\'")).toEqual([4]);
    expect(where("label ILIKE 'CAT'")).toEqual([0, 2]);
    expect(where("label LIKE '.*'")).toEqual([]);
  });

  it('compares binary with hex literals and evaluates functions', () => {
    expect(where("data = X'8950'")).toEqual([0]);
    expect(where("data > X'89'")).toEqual([0]);
    expect(where("starts_with(label, 'c') OR upper(label) = 'DOG'")).toEqual([0, 1]);
    expect(where('length(data) = 0')).toEqual([1]);
    expect(where("coalesce(label, 'none') = 'none'")).toEqual([3]);
  });

  it('IS TRUE / IS NOT FALSE are never NULL', () => {
    expect(where('flag IS NOT TRUE')).toEqual([1, 2, 4]);
    expect(where('flag IS NOT FALSE')).toEqual([0, 2, 3]);
  });
});

describe('values', () => {
  it('does integer arithmetic in 64 bits and Spark division', () => {
    expect(values('id * 2 + 1')).toEqual(new BigInt64Array([3n, 5n, 7n, 9n, 0n]).map((v, i) => (i === 4 ? 0n : v)));
    expect(evalExpr(parseExpr('id * 2 + 1'), batch, SPARK).get(4)).toBeNull();
    expect(Array.from(values('big + 1')).slice(0, 1)).toEqual([9007199254740994n]);
    expect(evalExpr(parseExpr('id / 2'), batch, SPARK).get(0)).toBe(0.5);
    expect(evalExpr(parseExpr('id % 0'), batch, SPARK).get(0)).toBeNull();
    expect(evalExpr(parseExpr('-id'), batch, SPARK).get(1)).toBe(-2n);
  });

  it('evaluates CASE, CAST and string functions', () => {
    const v = evalExpr(parseExpr("CASE WHEN id > 2 THEN 'hi' WHEN id = 1 THEN 'one' END"), batch, SPARK);
    expect([...v]).toEqual(['one', null, 'hi', 'hi', null]);
    expect([...evalExpr(parseExpr('CASE id WHEN 2 THEN 2.5 ELSE 0 END'), batch, SPARK)]).toEqual([0, 2.5, 0, 0, 0]);
    expect([...evalExpr(parseExpr("CAST(id AS STRING) || '!'"), batch, SPARK)]).toEqual(['1!', '2!', '3!', '4!', null]);
    expect([...evalExpr(parseExpr("TRY_CAST(label AS INT)"), batch, SPARK)]).toEqual([null, null, null, null, null]);
    expect([...evalExpr(parseExpr("substring(label, 2, 2)"), batch, SPARK)]).toEqual(['at', 'og', 'at', null, '00']);
    expect([...evalExpr(parseExpr("trim('  x ')"), batch, SPARK)][0]).toBe('x');
    expect([...evalExpr(parseExpr("concat(label, id)"), batch, SPARK)]).toEqual(['cat1', 'dog2', 'Cat3', null, null]);
    expect(code(() => evalExpr(parseExpr("CAST(label AS INT)"), batch, SPARK))).toBe('CAST_FAILED');
  });

  it('returns column vectors unchanged and infers types', () => {
    expect(evalExpr(parseExpr('label'), batch, SPARK).data[0]).toBe(batch.getChild('label')!.data[0]);
    expect(String(exprType(parseExpr('id + 1'), batch.schema, 'spark'))).toBe('Int64');
    expect(String(exprType(parseExpr('id / 1'), batch.schema, 'spark'))).toBe('Float64');
    expect(String(exprType(parseExpr('score + id'), batch.schema, 'spark'))).toBe('Float64');
    expect(String(exprType(parseExpr("label || 'x'"), batch.schema, 'spark'))).toBe('Utf8');
    expect(String(exprType(parseExpr('CAST(id AS BIGINT UNSIGNED)'), batch.schema, 'spark'))).toBe('Uint64');
    expect(String(exprType(parseExpr('id IS NULL'), batch.schema, 'spark'))).toBe('Bool');
  });
});

describe('structs and temporal columns', () => {
  const image = arrow.vectorFromArray(
    [{ size: 10, mime: 'png' }, null, { size: 30, mime: 'jpg' }],
    new arrow.Struct([new arrow.Field('size', new arrow.Int32(), true), new arrow.Field('mime', new arrow.Utf8(), true)]),
  );
  const days = arrow.makeVector(arrow.makeData({ type: new arrow.DateDay(), length: 3, data: new Int32Array([18262, 19000, 0]) }));
  const ts = arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMicrosecond(), length: 3, data: new BigInt64Array([1n, 1_577_836_800_000_000n, -1n]) }));
  const b = batchOf({ image, d: days, t: ts });
  const w = (sql: string) => selected(evalPredicate(parseFilter(sql), b, SPARK));

  it('reads struct fields by dotted path; a NULL parent nulls the field', () => {
    expect(w('image.size > 5')).toEqual([0, 2]);
    expect(w('image.size IS NULL')).toEqual([1]);
    expect(w("tbl.image.mime = 'jpg'")).toEqual([2]);
    expect([...evalExpr(parseExpr('image.size + 1'), b, SPARK)]).toEqual([11n, null, 31n]);
  });

  it('compares dates and timestamps with typed and string literals', () => {
    expect(w("d = DATE '2020-01-01'")).toEqual([0]);
    expect(w("d > '2020-01-01'")).toEqual([1]);
    expect(w("t >= TIMESTAMP '2020-01-01 00:00:00'")).toEqual([1]);
    expect(w("t < TIMESTAMP '1970-01-01 00:00:00.000001'")).toEqual([2]);
    expect(w("d < TIMESTAMP '1970-01-01 00:00:00.000001'")).toEqual([2]);
    expect(code(() => w("d > 'yesterday'"))).toBe('CAST_FAILED');
    const out = evalExpr(parseExpr("CAST('2020-01-02' AS DATE)"), b, SPARK);
    expect(out.type).toBeInstanceOf(arrow.DateDay);
    expect(out.data[0]!.values[0]).toBe(18263);
  });
});

describe('errors', () => {
  it('rejects numeric vs string comparisons with TYPE_MISMATCH naming the expression', () => {
    try {
      evalPredicate(parseFilter('label = 5'), batch, SPARK);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(SqlError);
      expect((e as SqlError).code).toBe('TYPE_MISMATCH');
      expect((e as SqlError).message).toContain("label = 5");
      expect((e as SqlError).message).toContain('utf8');
    }
    expect(code(() => evalPredicate(parseFilter('id + 1'), batch, SPARK))).toBe('TYPE_MISMATCH');
    expect(code(() => evalPredicate(parseFilter("flag AND 'x'"), batch, SPARK))).toBe('TYPE_MISMATCH');
    expect(code(() => exprType(parseExpr("label + 1"), batch.schema, 'spark'))).toBe('TYPE_MISMATCH');
    expect(code(() => evalPredicate(parseFilter("label LIKE 5"), batch, SPARK))).toBe('TYPE_MISMATCH');
  });

  it('lists available columns for unknown ones', () => {
    try {
      evalPredicate(parseFilter('nope = 1'), batch, SPARK);
      throw new Error('no error');
    } catch (e) {
      expect((e as SqlError).code).toBe('UNKNOWN_COLUMN');
      expect((e as SqlError).message).toContain('nope');
      expect((e as SqlError).message).toContain('id, big, ubig, score, label, flag, data');
    }
  });

  it('reports unknown functions and wrong argument counts', () => {
    expect(code(() => evalExpr(parseExpr('frobnicate(id)'), batch, SPARK))).toBe('UNKNOWN_FUNCTION');
    expect(code(() => evalExpr(parseExpr('lower(label, label)'), batch, SPARK))).toBe('WRONG_ARG_COUNT');
  });
});

describe('function registry', () => {
  it('lets callers add scalar functions', () => {
    registerFunction({
      name: 'test_double_len',
      minArgs: 1,
      maxArgs: 1,
      returnType: () => new arrow.Int32(),
      evalRow: ([s]) => (s as string).length * 2,
    });
    expect([...evalExpr(parseExpr('test_double_len(label)'), batch, SPARK)]).toEqual([6, 6, 6, null, 8]);
  });
});
