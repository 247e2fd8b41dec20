import { it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { sqlSession } from '../../src/query/session.js';
it('smoke', async () => {
  const root = mkdtempSync('/tmp/q/t/r');
  const db = sqlSession({ root });
  const show = (rs: any[]) => rs.map((r) => ({ ...r, table: r.table ? r.table.toArray().map((x: any) => x.toJSON()) : undefined }));
  const r = await db.sql(`CREATE NAMESPACE lance.db;
CREATE TABLE lance.db.products (id INT NOT NULL, category STRING, label STRING, image BINARY) USING lance
  TBLPROPERTIES ('image.lance.encoding' = 'blob', 'file_format_version' = '2.2');
INSERT INTO lance.db.products VALUES (1, 'shoes', 'active', X'89504E47'), (2, 'seasonal', 'x', NULL);
USE lance.db;
SELECT id, image.size, image.kind FROM lance.db.products WHERE category = 'shoes';
SELECT category, count(*) AS n, sum(image.size) FROM products GROUP BY category ORDER BY category;
CREATE TABLE lance.db.products_copy USING lance AS SELECT id, category, label, image FROM lance.db.products;
SELECT id, blob_bytes(image) AS b FROM products_copy ORDER BY id;
SHOW TABLES;
DESCRIBE products`);
  console.log(JSON.stringify(show(r), (k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v), 1));
});
