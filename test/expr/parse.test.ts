import { describe, it, expect } from 'vitest';
import { SqlError } from '../../src/errors.js';
import { parseFilter, parseExpr, parseSql, exprToString, exprColumns, fromSqlAst, type Expr } from '../../src/dataset/expr/index.js';

function sqlError(fn: () => unknown): SqlError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    return e as SqlError;
  }
  throw new Error('expected an SqlError');
}

describe('parseSql', () => {
  it('parses statements with the spark dialect', () => {
    const stmts = parseSql("SELECT a FROM t WHERE b = 'x'; DELETE FROM t WHERE id = 1");
    expect(stmts).toHaveLength(2);
    expect(Object.keys(stmts[0]!)).toEqual(['Query']);
    expect(Object.keys(stmts[1]!)).toEqual(['Delete']);
  });

  it('turns syntax errors into SQL_PARSE with line, column and a caret', () => {
    const err = sqlError(() => parseSql('SELECT a\nFROM t WHERE a = = 2'));
    expect(err.code).toBe('SQL_PARSE');
    expect(err.details).toMatchObject({ line: 2, column: 18 });
    expect(err.message).toContain('line 2, column 18');
    expect(err.message).toContain('  FROM t WHERE a = = 2\n                   ^');
  });
});

describe('parseFilter', () => {
  it('reports errors against the filter text, not the wrapper', () => {
    const err = sqlError(() => parseFilter('a = = 2'));
    expect(err.code).toBe('SQL_PARSE');
    expect(err.details).toMatchObject({ line: 1, column: 5 });
    expect(err.message).toContain('  a = = 2\n      ^');
  });

  it('points past the end when the input stops early', () => {
    const err = sqlError(() => parseFilter('a ='));
    expect(err.details).toMatchObject({ line: 1, column: 4 });
  });

  it.each(['a = 1 ORDER BY b', 'a = 1; DROP TABLE t', 'a = 1 LIMIT 3', 'a = 1 GROUP BY a', '', '   '])('rejects %j', (text) => {
    expect(sqlError(() => parseFilter(text)).code).toBe('SQL_PARSE');
  });

  it('builds IR for each construct', () => {
    const e = parseFilter("image.size >= 10 AND t.label <> 'cat' OR NOT x IS NULL");
    expect(e).toEqual<Expr>({
      kind: 'binary',
      op: 'or',
      left: {
        kind: 'binary',
        op: 'and',
        left: { kind: 'binary', op: '>=', left: { kind: 'column', path: ['image', 'size'] }, right: { kind: 'literal', value: { type: 'int', value: 10n } } },
        right: { kind: 'binary', op: '!=', left: { kind: 'column', path: ['t', 'label'] }, right: { kind: 'literal', value: { type: 'string', value: 'cat' } } },
      },
      right: { kind: 'unary', op: 'not', arg: { kind: 'isNull', arg: { kind: 'column', path: ['x'] }, negated: false } },
    });
  });

  it('keeps int and float literals apart and exact', () => {
    const lit = (s: string) => (parseExpr(s) as Expr & { kind: 'literal' }).value;
    expect(lit('9007199254740993')).toEqual({ type: 'int', value: 9007199254740993n });
    expect(lit('-9223372036854775808')).toEqual({ type: 'int', value: -(1n << 63n) });
    expect(lit('18446744073709551615')).toEqual({ type: 'int', value: (1n << 64n) - 1n });
    expect(lit('1.5')).toEqual({ type: 'float', value: 1.5 });
    expect(lit('2e3')).toEqual({ type: 'float', value: 2000 });
    expect(lit("X'89504E47'")).toEqual({ type: 'bytes', value: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) });
    expect(lit("DATE '2020-03-01'")).toEqual({ type: 'date', days: 18322 });
    expect(lit("TIMESTAMP '1970-01-01 00:00:01.5'")).toEqual({ type: 'timestamp', micros: 1_500_000n });
    expect(lit('NULL')).toEqual({ type: 'null' });
    expect(lit('true')).toEqual({ type: 'bool', value: true });
    expect(lit('"dq"')).toEqual({ type: 'string', value: 'dq' });
  });

  it('rejects malformed literals with INVALID_LITERAL', () => {
    expect(sqlError(() => parseExpr("X'ABC'")).code).toBe('INVALID_LITERAL');
    expect(sqlError(() => parseExpr("DATE '2021-02-30'")).code).toBe('INVALID_LITERAL');
    expect(sqlError(() => parseExpr("TIMESTAMP 'noon'")).code).toBe('INVALID_LITERAL');
  });

  it('rejects unsupported constructs with UNSUPPORTED_EXPR naming them', () => {
    const err = sqlError(() => parseFilter('a <=> b'));
    expect(err.code).toBe('UNSUPPORTED_EXPR');
    expect(err.message).toContain('Spaceship');
    expect(sqlError(() => parseExpr('count(*)')).message).toContain('count(*)');
    expect(sqlError(() => parseExpr('CAST(a AS DECIMAL(10,2))')).code).toBe('UNSUPPORTED_TYPE');
  });

  it('maps function-like syntax to calls', () => {
    expect(exprToString(parseExpr('substring(x FROM 2 FOR 3)'))).toBe('substring(x, 2, 3)');
    expect(exprToString(parseExpr('SUBSTR(x, 2)'))).toBe('substring(x, 2)');
    expect(exprToString(parseExpr("TRIM(LEADING 'x' FROM y)"))).toBe("ltrim(y, 'x')");
    expect(exprToString(parseExpr('TRIM(y)'))).toBe('trim(y)');
    expect(exprToString(parseExpr('TRY_CAST(a AS BIGINT)'))).toBe('TRY_CAST(a AS BIGINT)');
  });
});

describe('exprToString', () => {
  const cases = [
    'a = 1 AND (b < 2.5 OR c IS NOT NULL)',
    'NOT (a = 1 OR b = 2)',
    'a - (b - c) * -d',
    'x NOT IN (1, 2, NULL)',
    'y NOT BETWEEN 1 AND 10',
    "s LIKE 'a!%%' ESCAPE '!'",
    "s NOT ILIKE 'A_'",
    "CASE WHEN a > 1 THEN 'big' WHEN a IS NULL THEN NULL ELSE 'small' END",
    'CASE a WHEN 1 THEN 2 END',
    "CAST(a AS DOUBLE) + CAST('1' AS INT)",
    "lower(name) || '-' || upper(`weird col`)",
    '`select` = 1',
    "b = X'00FF' AND d >= DATE '2024-02-29' AND t < TIMESTAMP '2024-01-01 10:00:00.000001'",
    '- -5 = +a',
    '(a = b) = (c IS NULL)',
    "s = 'it''s'",
  ];
  it.each(cases)('round-trips %s', (text) => {
    const e = parseFilter(text);
    const printed = exprToString(e);
    expect(parseFilter(printed)).toEqual(e);
  });
});

describe('exprColumns', () => {
  it('lists top-level columns once, resolving qualifiers when names are given', () => {
    const e = parseFilter('image.size > 1 AND t.label = lower(name) AND image.height < 2');
    expect(exprColumns(e)).toEqual(['image', 't', 'name']);
    expect(exprColumns(e, ['image', 'label', 'name'])).toEqual(['image', 'label', 'name']);
  });
});

describe('fromSqlAst', () => {
  it('converts WHERE expressions from full statements', () => {
    const [stmt] = parseSql('DELETE FROM t WHERE id IN (1, 2)');
    const del = (stmt as unknown as { Delete: { selection: unknown } }).Delete;
    expect(exprToString(fromSqlAst(del.selection))).toBe('id IN (1, 2)');
  });
});
