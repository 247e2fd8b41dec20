// Write statements: typed errors with the statement text, nothing committed on failure,
// DELETE/UPDATE/MERGE semantics, INSERT column lists and OVERWRITE, parse errors with a caret.
import { beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../src/errors.js';
import { productsFixture, type Fixture } from './helpers.js';

let f: Fixture;
const version = async (name: string) => (await f.catalog.open(['db', name])).version;
const ids = async (sql: string) => (await f.db.sql(sql))[0]!.table!.toArray().map((x) => x.toJSON());

beforeAll(async () => {
  f = await productsFixture();
}, 60_000);

describe('write statements', () => {
  it('parse errors carry line, column and a caret under the offending token', async () => {
    const err = await f.db.sql("SELECT id FROM products;\nUPDATE products SETT label = 'x'").catch((e) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect(err.code).toBe('SQL_PARSE');
    // `SETT` reads as a table alias, so the parser stops at `label` (line 2, column 22).
    expect([err.details.line, err.details.column]).toEqual([2, 22]);
    expect(err.message).toContain("  UPDATE products SETT label = 'x'\n                       ^");
  });

  it.each([
    ['a string into a blob column', "UPDATE products SET image = 'not bytes' WHERE id = 1", 'BLOB_TYPE_MISMATCH'],
    ['a transformed descriptor into a blob column', 'INSERT INTO products SELECT id, category, label, coalesce(image, image) FROM products', 'BLOB_TYPE_MISMATCH'],
    ['a string into an INT column', "INSERT INTO products VALUES ('x', 'c', 'l', NULL)", 'TYPE_MISMATCH'],
    ['NULL into a NOT NULL column', "INSERT INTO products VALUES (NULL, 'c', 'l', NULL)", 'NULL_VIOLATION'],
    ['an unknown SET column', "UPDATE products SET nope = 1", 'UNKNOWN_COLUMN'],
    ['an unknown target table', 'INSERT INTO lance.db.nope VALUES (1)', 'UNKNOWN_TABLE'],
    ['the wrong number of values', 'INSERT INTO products VALUES (1, 2)', 'INSERT_WIDTH'],
    ['an unsupported statement', 'DROP TABLE products', 'UNSUPPORTED_STATEMENT'],
    ['a non-lance CTAS', 'CREATE TABLE lance.db.pq USING parquet AS SELECT id FROM products', 'UNSUPPORTED_FORMAT'],
    ['a duplicate MERGE match', 'MERGE INTO products t USING (SELECT 1 AS id UNION ALL SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE', 'MERGE_DUPLICATE_MATCH'],
  ])('%s fails with a typed error and commits nothing', async (_n, sql, code) => {
    const before = await version('products');
    const err = await f.db.sql(sql).catch((e) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect(err.code).toBe(code);
    expect(err.message).toContain(`in statement: ${sql}`);
    expect(await version('products')).toBe(before);
  });

  it('a failing statement stops the script after the statements before it', async () => {
    const before = await version('products');
    const err = await f.db.sql("UPDATE products SET label = 'one' WHERE id = 1; UPDATE products SET image = 'x'; UPDATE products SET label = 'three' WHERE id = 1").catch((e) => e);
    expect(err.code).toBe('BLOB_TYPE_MISMATCH');
    expect(await version('products')).toBe(before + 1);
    expect(await ids('SELECT label FROM products WHERE id = 1')).toEqual([{ label: 'one' }]);
  });

  it('INSERT with a column list, INSERT OVERWRITE, DELETE', async () => {
    await f.db.sql(`CREATE TABLE lance.db.small (id BIGINT NOT NULL, name STRING, score DOUBLE) USING lance;
INSERT INTO lance.db.small (name, id) VALUES ('a', 1), ('b', 2), ('c', 3)`);
    expect(await ids('SELECT id, name, score FROM lance.db.small ORDER BY id')).toEqual([
      { id: 1n, name: 'a', score: null },
      { id: 2n, name: 'b', score: null },
      { id: 3n, name: 'c', score: null },
    ]);
    const [d] = await f.db.sql('DELETE FROM lance.db.small WHERE id >= 2');
    expect(d!.rowsAffected).toBe(2);
    await f.db.sql('INSERT OVERWRITE lance.db.small SELECT id * 10, name, 1.5 FROM lance.db.small');
    expect(await ids('SELECT id, name, score FROM lance.db.small')).toEqual([{ id: 10n, name: 'a', score: 1.5 }]);
  });

  it('MERGE with conditional clauses, DELETE and NOT MATCHED BY SOURCE', async () => {
    await f.db.sql(`CREATE TABLE lance.db.m (id INT NOT NULL, v STRING) USING lance;
INSERT INTO lance.db.m VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four');
CREATE TABLE lance.db.src (id INT NOT NULL, v STRING, del BOOLEAN) USING lance;
INSERT INTO lance.db.src VALUES (1, 'uno', false), (2, 'dos', true), (5, 'cinco', false)`);
    const [r] = await f.db.sql(`MERGE INTO lance.db.m t USING lance.db.src s ON t.id = s.id
      WHEN MATCHED AND s.del THEN DELETE
      WHEN MATCHED THEN UPDATE SET t.v = s.v
      WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)
      WHEN NOT MATCHED BY SOURCE AND t.id = 4 THEN DELETE`);
    expect(r!.rowsAffected).toBe(4);
    expect(await ids('SELECT id, v FROM lance.db.m ORDER BY id')).toEqual([
      { id: 1, v: 'uno' },
      { id: 3, v: 'three' },
      { id: 5, v: 'cinco' },
    ]);
  });

  it('UPDATE of a blob column to bytes or NULL rewrites those rows; other blobs stay', async () => {
    await f.db.sql("UPDATE products SET image = X'CAFEBABE' WHERE id = 2; UPDATE products SET image = NULL WHERE id = 3");
    const [r] = await f.db.sql('SELECT id, blob_bytes(image) AS b FROM products WHERE id IN (1, 2, 3) ORDER BY id');
    const b = r!.table!.getChild('b')!;
    expect([b.get(0)?.length, Buffer.from(b.get(1)).toString('hex'), b.get(2)]).toEqual([200, 'cafebabe', null]);
  });
});
