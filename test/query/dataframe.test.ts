// The DataFrame API shares the SQL plan: filters, projections (blob references kept), joins,
// and writes (append / createOrReplace / overwrite / mergeInto) that link instead of copy.
import { beforeAll, describe, expect, it } from 'vitest';
import { productsFixture, blobBytes, type Fixture } from './helpers.js';

let f: Fixture;
const plain = (t: { toArray(): { toJSON(): Record<string, unknown> }[] }) => t.toArray().map((x) => x.toJSON());

beforeAll(async () => {
  f = await productsFixture();
  await f.db.sql(`CREATE TABLE lance.db.extra (id INT NOT NULL, note STRING) USING lance;
INSERT INTO lance.db.extra VALUES (3, 'x'), (6, 'y'), (9, 'z'), (9, 'zz')`);
}, 60_000);

describe('DataFrame', () => {
  it('filter / select / join / orderBy / limit run on the shared plan', async () => {
    const df = f.db
      .table('products')
      .filter("category = 'shoes'")
      .select('id', 'image', 'image.size AS size')
      .join(f.db.table('extra'), 'id')
      .orderBy('id DESC', 'note')
      .limit(3);
    const t = await df.toArrow();
    expect(t.schema.fields.map((x) => x.name)).toEqual(['id', 'image', 'size', 'note']);
    expect(plain(t).map((r) => [r.id, Number(r.size), r.note])).toEqual([
      [9, 8, 'z'],
      [9, 8, 'zz'],
      [6, 8, 'y'],
    ]);
  });

  it('writeTo().createOrReplace() / append() / overwrite() carry blobs by reference', async () => {
    const shoes = f.db.table('lance.db.products').filter("category <> 'shoes'").select('id', 'category', 'label', 'image');
    const created = await shoes.writeTo('lance.db.archive').createOrReplace();
    expect(created.rowsAffected).toBe(8);
    expect(created.planPayloadBytes).toBe(0);
    // Dedicated blobs (3000 B: ids 2, 8, 11; id 5 is NULL) and the one pack (200 B: ids 1, 4, 7,
    // 10), wholly covered by the copied rows, are linked; no payload byte is written.
    expect(created.payloadBytesLinked).toBe(3 * 3000 + 4 * 200);
    expect(created.payloadBytesWritten).toBe(0);
    const appended = await f.db.table('products').filter('id = 12').select('id', 'category', 'label', 'image').writeTo('archive').append();
    expect(appended.rowsAffected).toBe(1);
    const [r] = await f.db.sql('SELECT id, blob_bytes(image) AS b FROM archive WHERE id IN (2, 12) ORDER BY id');
    const b = r!.table!.getChild('b')!;
    expect([Buffer.from(b.get(0)).equals(blobBytes(2, 3000)), Buffer.from(b.get(1)).equals(blobBytes(12, 8))]).toEqual([true, true]);
    const over = await f.db.table('products').filter('id <= 2').select('id', 'category', 'label', 'image').writeTo('archive').overwrite();
    expect(over.rowsAffected).toBe(2);
    expect((await f.db.table('archive').toArrow()).numRows).toBe(2);
  });

  it('mergeInto() updates matched rows and inserts the rest in one transaction', async () => {
    await f.db.sql(`CREATE TABLE lance.db.fixes (id INT NOT NULL, category STRING, label STRING, image BINARY) USING lance TBLPROPERTIES ('image.lance.encoding' = 'blob')`);
    const fixes = await f.catalog.open(['db', 'fixes']);
    await f.catalog.append(fixes, [
      { id: 1, category: 'hats', label: 'fixed', image: blobBytes(100, 5000) },
      { id: 50, category: 'new', label: 'added', image: blobBytes(50, 10) },
    ]);
    const before = (await f.catalog.open(['db', 'products'])).version;
    const r = await f.db.table('fixes').mergeInto('products', 'id').whenMatchedUpdate({ label: 's.label', image: 's.image' }).whenNotMatchedInsertAll().execute();
    expect(r.rowsAffected).toBe(2);
    expect(r.version).toBe(before + 1);
    const rows = plain((await f.db.sql('SELECT id, label, image.size AS size FROM products WHERE id IN (1, 50) ORDER BY id'))[0]!.table!);
    expect(rows.map((x) => [x.id, x.label, Number(x.size)])).toEqual([
      [1, 'fixed', 5000],
      [50, 'added', 10],
    ]);
  });
});
