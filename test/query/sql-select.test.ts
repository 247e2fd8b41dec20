// SELECT over real datasets: joins, aggregates, ordering, unions, time travel, and the blob
// shapes that must be rejected rather than compared or written as bytes.
import { beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../../src/errors.js';
import { productsFixture, type Fixture } from './helpers.js';

let f: Fixture;
const rows = async (sql: string) => {
  const [r] = await f.db.sql(sql);
  return r!.table!.toArray().map((x) => JSON.parse(JSON.stringify(x.toJSON(), (_k, v) => (typeof v === 'bigint' ? Number(v) : v))));
};

beforeAll(async () => {
  f = await productsFixture();
  await f.db.sql(`CREATE TABLE lance.db.tags (id INT, tag STRING) USING lance;
INSERT INTO lance.db.tags VALUES (1, 'a'), (1, 'b'), (2, 'c'), (99, 'orphan')`);
}, 60_000);

describe('SELECT', () => {
  it('projects descriptor fields and length() without reading payloads', async () => {
    const [r] = await f.db.sql('SELECT id, image.size AS size, length(image) AS n, image.kind FROM products WHERE id IN (1, 2, 3) ORDER BY id');
    expect(r!.planPayloadBytes + r!.payloadBytesRead).toBe(0);
    expect(r!.table!.toArray().map((x) => [x.id, Number(x.size), Number(x.n), x.kind])).toEqual([
      [1, 200, 200, 1],
      [2, 3000, 3000, 2],
      [3, 8, 8, 0],
    ]);
  });

  it('joins with one-to-many fan-out, inner and left', async () => {
    expect(await rows('SELECT p.id, t.tag FROM products p JOIN tags t ON p.id = t.id ORDER BY t.tag')).toEqual([
      { id: 1, tag: 'a' },
      { id: 1, tag: 'b' },
      { id: 2, tag: 'c' },
    ]);
    const left = await rows('SELECT p.id, t.tag FROM products p LEFT JOIN tags t ON p.id = t.id WHERE p.id <= 3 ORDER BY p.id, t.tag');
    expect(left).toEqual([
      { id: 1, tag: 'a' },
      { id: 1, tag: 'b' },
      { id: 2, tag: 'c' },
      { id: 3, tag: null },
    ]);
  });

  it('aggregates with GROUP BY, HAVING, ORDER BY an aggregate', async () => {
    expect(await rows('SELECT category, count(*) AS n, sum(image.size) AS bytes, min(id) AS lo, max(id) AS hi FROM products GROUP BY category HAVING count(*) > 3 ORDER BY n DESC, category')).toEqual([
      { category: 'hats', n: 4, bytes: 800, lo: 1, hi: 10 },
      { category: 'seasonal', n: 4, bytes: 9000, lo: 2, hi: 11 },
      { category: 'shoes', n: 4, bytes: 32, lo: 3, hi: 12 },
    ]);
    expect(await rows('SELECT count(*) AS n, count(image) AS imgs, avg(id) AS a FROM products')).toEqual([{ n: 12, imgs: 11, a: 6.5 }]);
  });

  it('LIMIT/OFFSET, DISTINCT on scalars, UNION ALL of one source, subqueries and CTEs', async () => {
    expect(await rows('SELECT id FROM products ORDER BY id DESC LIMIT 2 OFFSET 1')).toEqual([{ id: 11 }, { id: 10 }]);
    expect(await rows('SELECT DISTINCT category FROM products ORDER BY category')).toEqual([{ category: 'hats' }, { category: 'seasonal' }, { category: 'shoes' }]);
    expect(await rows('SELECT id FROM products WHERE id < 2 UNION ALL SELECT id FROM products WHERE id > 11')).toEqual([{ id: 1 }, { id: 12 }]);
    expect(await rows('WITH s AS (SELECT id, category FROM products WHERE id > 9) SELECT x.id FROM (SELECT * FROM s) x ORDER BY x.id')).toEqual([{ id: 10 }, { id: 11 }, { id: 12 }]);
  });

  it('VERSION AS OF reads an older snapshot', async () => {
    const t = await f.catalog.open(['db', 'products']);
    await f.db.sql("UPDATE products SET label = 'new' WHERE id = 1");
    expect(await rows(`SELECT label FROM lance.db.products VERSION AS OF ${t.version} WHERE id = 1`)).toEqual([{ label: 'l1' }]);
    expect(await rows('SELECT label FROM products WHERE id = 1')).toEqual([{ label: 'new' }]);
  });

  it('blob_bytes() materializes explicitly and reports it in planPayloadBytes', async () => {
    const [r] = await f.db.sql('SELECT id, blob_bytes(image) AS b FROM products WHERE id IN (1, 2, 5) ORDER BY id');
    expect(r!.planPayloadBytes).toBe(200 + 3000);
    const b = r!.table!.getChild('b')!;
    expect([b.get(0).length, b.get(1).length, b.get(2)]).toEqual([200, 3000, null]);
  });

  it.each([
    ['GROUP BY a blob', 'SELECT image, count(*) FROM products GROUP BY image', 'BLOB_NOT_COMPARABLE'],
    ['DISTINCT over a blob', 'SELECT DISTINCT image FROM products', 'BLOB_NOT_COMPARABLE'],
    ['ORDER BY a blob', 'SELECT id FROM products ORDER BY image', 'BLOB_NOT_COMPARABLE'],
    ['min() of a blob', 'SELECT min(image) FROM products', 'BLOB_NOT_COMPARABLE'],
    ['UNION mixing blob sources', 'SELECT image FROM products UNION ALL SELECT image FROM lance.db.products VERSION AS OF 1', 'BLOB_UNION'],
    ['UNION (distinct) over blobs', 'SELECT image FROM products UNION SELECT image FROM products', 'BLOB_UNION'],
    ['unknown column', 'SELECT nope FROM products', 'UNKNOWN_COLUMN'],
    ['unknown table', 'SELECT * FROM lance.db.nope', 'UNKNOWN_TABLE'],
    ['ambiguous column', 'SELECT id FROM products p JOIN tags t ON p.id = t.id', 'AMBIGUOUS_COLUMN'],
    ['not grouped', 'SELECT label, count(*) FROM products GROUP BY category', 'NOT_GROUPED'],
    ['unknown descriptor field', 'SELECT image.bytes FROM products', 'UNKNOWN_COLUMN'],
  ])('%s is a typed error naming the statement', async (_name, sql, code) => {
    const err = await f.db.sql(sql).catch((e) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect(err.code).toBe(code);
    expect(err.message).toContain(`in statement: ${sql}`);
  });
});
