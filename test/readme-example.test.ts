// The README's library example, run as written (against a temp directory) so the docs stay true.
import { expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { connect, blobField, sqlSession } from '../src/index.js';

it('README library example', async () => {
  const root = join(mkdtempSync(join(tmpdir(), 'lancet-readme-')), 'shop');
  const db = await connect(root);
  const schema = new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('label', new arrow.Utf8(), true),
    blobField('image', { inlineSizeThreshold: 64 * 1024 }),
  ]);
  const products = await db.createTable('products', [
    { id: 1, label: 'new', image: new Uint8Array(100).fill(7) },
    { id: 2, label: 'new', image: new Uint8Array(5 << 20).fill(9) },
  ], { schema });

  await products.update({ where: 'id = 1', values: { label: "'sale'" } });
  await products.delete('id = 2');
  const rows = await products.query().select(['id', 'image']).withRowAddress().toArrow();
  expect(rows.numRows).toBe(1);
  expect(Number(rows.getChild('image')!.get(0)!.kind)).toBe(0);
  const [bytes] = await products.fetchBlobs('image', [rows.getChild('_rowaddr')!.get(0)]);
  expect(bytes!.length).toBe(100);
  expect(bytes![0]).toBe(7);
  const old = await db.openTable('products', { version: 1 });
  expect(await old.countRows()).toBe(2);

  const session = sqlSession({ root });
  const [stats] = await session.sql(`UPDATE products SET label = 'discontinued' WHERE id = 1`);
  expect(stats).toMatchObject({ rowsAffected: 1, planPayloadBytes: 0, payloadBytesRead: 0, payloadBytesWritten: 0 });
  const after = (await (await db.openTable('products')).query().toArray()) as { label: string }[];
  expect(after.map((r) => r.label)).toEqual(['discontinued']);
});
