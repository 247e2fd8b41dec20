// One oversized filter must not take the SQL parser down for the rest of the process: inputs
// whose expression trees would overflow the wasm parser's stack are refused up front with a
// typed error, and a trap that still happens re-creates the parser instance.
import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { connect } from '../../src/dataset/connection.js';
import { MemoryStore } from '../../src/io/memory-store.js';
import { SqlError } from '../../src/errors.js';
import { parseFilter, parseSql, fromSqlAst, initSqlParser } from '../../src/dataset/expr/index.js';
import { MAX_EXPRESSION_DEPTH } from '../../src/dataset/expr/sql-limits.js';
import { wasmParse } from '../../src/dataset/expr/sql-parser-wasm.js';
import { splitTopLevel } from '../../src/dataset/expr/split-filter.js';
import { sqlSession } from '../../src/query/session.js';

const orChain = (n: number) => Array.from({ length: n }, (_, i) => `id = ${i}`).join(' OR ');
const typedError = (f: () => unknown): SqlError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    return e as SqlError;
  }
  throw new Error('expected an error');
};

describe('SQL parser limits', () => {
  it('an 800-term OR filter gets a correct answer, and countRows and SQL keep working after it', async () => {
    const conn = await connect('memory://', { store: new MemoryStore() });
    const t = await conn.createTable('t', new arrow.Table({ id: arrow.vectorFromArray(Int32Array.from({ length: 10 }, (_, i) => i)) }));
    expect(await t.countRows(orChain(800))).toBe(10);
    expect(await t.countRows(Array.from({ length: 1200 }, (_, i) => `id = ${i + 7}`).join(' OR '))).toBe(3);
    expect(await t.countRows(Array.from({ length: 600 }, (_, i) => `id <> ${i + 5}`).join(' AND '))).toBe(5);
    expect(await t.countRows(Array.from({ length: 500 }, (_, i) => `(id = ${i} AND id BETWEEN 2 AND 4)`).join(' OR '))).toBe(3);
    // The balanced tree means what the chain means.
    const e = parseFilter(orChain(800));
    expect(e.kind === 'binary' && e.op === 'or').toBe(true);
    // One operand too deep on its own is still refused, with a typed error naming the limit.
    const err = await t.countRows(`(${orChain(800)})`).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).code).toBe('EXPRESSION_TOO_COMPLEX');
    expect((err as SqlError).message).toContain(String(MAX_EXPRESSION_DEPTH));
    expect((err as SqlError).message).toMatch(/IN \(/);
    expect(await t.countRows('id > 3')).toBe(6);
    expect(parseSql('SELECT a FROM t WHERE b = 1')).toHaveLength(1);
  });

  it('splits deep filters only at top-level OR / AND', () => {
    expect(splitTopLevel("a = 'x OR y' OR (b OR c) OR CASE WHEN d OR e THEN 1 END = 1 OR \"f OR\" -- g OR h", 'OR')).toEqual(["a = 'x OR y' ", ' (b OR c) ', ' CASE WHEN d OR e THEN 1 END = 1 ', ' "f OR" -- g OR h']);
    expect(splitTopLevel('a BETWEEN 1 AND 2 AND b', 'AND')).toBeUndefined();
    expect(splitTopLevel('(a OR b)', 'OR')).toBeUndefined();
    // A long chain mixing CASE operands still parses to the right answer shape.
    const deep = Array.from({ length: 500 }, (_, i) => `CASE WHEN a = ${i} OR b THEN 1 ELSE 0 END = 1`).join(' OR ');
    expect(parseFilter(deep).kind).toBe('binary');
  });

  it('a 10,000-deep parenthesis nest is a typed error and the parser keeps working', () => {
    const e = typedError(() => parseFilter('('.repeat(10_000) + 'id > 1' + ')'.repeat(10_000)));
    expect(e.code).toBe('EXPRESSION_TOO_COMPLEX');
    const e2 = typedError(() => parseSql('SELECT ' + '('.repeat(10_000) + '1' + ')'.repeat(10_000)));
    expect(e2.code).toBe('EXPRESSION_TOO_COMPLEX');
    expect(parseFilter('(id > 1)')).toEqual({ kind: 'binary', op: '>', left: { kind: 'column', path: ['id'] }, right: { kind: 'literal', value: { type: 'int', value: 1n } } });
  });

  it('operators inside string literals, quoted identifiers and comments are not counted', () => {
    const inString = `name = '${' OR '.repeat(5000)}'`;
    expect(parseFilter(inString).kind).toBe('binary');
    const quoted = `"${'+'.repeat(5000)}" = 1 -- ${'('.repeat(5000)}`;
    expect(parseFilter(quoted).kind).toBe('binary');
    // Long flat lists and many statements are not deep.
    expect(parseFilter(`id IN (${Array.from({ length: 5000 }, (_, i) => -i).join(', ')})`).kind).toBe('in');
    expect(parseSql(`INSERT INTO t VALUES ${Array.from({ length: 600 }, (_, i) => `(${-i}, 'a' || 'b')`).join(', ')}`)).toHaveLength(1);
    expect(parseSql(`SELECT CASE ${Array.from({ length: 300 }, (_, i) => `WHEN a = ${i} AND b > ${i} THEN ${i}`).join(' ')} END`)).toHaveLength(1);
  });

  it('a trap inside the wasm parser is a typed error and the next parse gets a fresh instance', async () => {
    const trap = typedError(() => wasmParse('spark', 'SELECT 1 WHERE ' + orChain(2000)));
    expect(trap.code).toBe('SQL_PARSER_FAILED');
    expect(wasmParse('spark', 'SELECT 1')).toHaveLength(1);
    const again = typedError(() => wasmParse('spark', 'SELECT 1 WHERE ' + orChain(2000)));
    expect(again.code).toBe('SQL_PARSER_FAILED');
    expect(parseFilter('id > 3').kind).toBe('binary');
    // The stock of replacement instances is restored in the background.
    await initSqlParser();
    expect(typedError(() => wasmParse('spark', 'SELECT 1 WHERE ' + orChain(2000))).code).toBe('SQL_PARSER_FAILED');
    expect(parseSql('SELECT 1')).toHaveLength(1);
    // Any number of traps, each followed by a chance to restock, leave a working parser.
    for (let i = 0; i < 4; i++) {
      expect(typedError(() => wasmParse('spark', 'SELECT 1 WHERE ' + orChain(2000))).code).toBe('SQL_PARSER_FAILED');
      await initSqlParser();
      expect(parseSql('SELECT 1')).toHaveLength(1);
    }
  });

  it('converting a parser tree deeper than the limit is a typed error, not a stack overflow', () => {
    let node: unknown = { Identifier: { value: 'x' } };
    for (let i = 0; i < 100_000; i++) node = { UnaryOp: { op: 'Not', expr: node } };
    const e = typedError(() => fromSqlAst(node));
    expect(e.code).toBe('EXPRESSION_TOO_COMPLEX');
  });
});

/** A catalog for statements that touch no table (USE). */
function stubCatalog() {
  const zero = { bytesRead: 0, bytesWritten: 0, bytesLinked: 0, payloadBytesRead: 0, payloadBytesWritten: 0, payloadBytesLinked: 0 };
  const cat = { forStatement: () => cat, counters: () => zero };
  return cat;
}

describe('a session after a refused statement', () => {
  it('still parses and runs statements', async () => {
    const db = sqlSession({ root: '/nonexistent-lancet-root', catalog: stubCatalog() as never });
    const err = await db.sql(`UPDATE t SET a = 1 WHERE ${orChain(800)}`).catch((e: unknown) => e);
    expect((err as SqlError).code).toBe('EXPRESSION_TOO_COMPLEX');
    expect(await db.sql('USE lance.db')).toHaveLength(1);
  });
});
