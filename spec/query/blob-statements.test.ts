// The statements, run as written on real datasets holding inline, packed and dedicated
// blobs; Lance 12 reads every resulting table back with the right bytes; the statistics show
// which statements move no payload bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { sqlSession, type SqlSession, type StatementResult } from '../../src/query/session.js';
import { LanceCatalog } from '../../src/query/lance-catalog.js';
import type { QueryTable } from '../../src/query/catalog.js';
import { peerOpen } from '../../test/helpers/lance-peer.js';

const KB = 1024;
/** Payload of product `id`: inline (≤ 64 KiB), packed (≤ 4 MiB) or dedicated (> 4 MiB). */
function payload(id: number, salt = 0): Uint8Array | null {
  if (id === 7) return null;
  const size = id % 10 === 3 ? 4 * 1024 * KB + 100 + id : id % 5 === 1 ? 100 * KB + id : 200 + id;
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + id * 7 + salt) & 0xff;
  b.set(new TextEncoder().encode(`<${id}:${salt}>`));
  return b;
}
const CATS = ['shoes', 'seasonal', 'hats'];
const N = 60;

let root: string;
let db: SqlSession;
let catalog: LanceCatalog;
const one = async (sql: string): Promise<StatementResult> => {
  const [r] = await db.sql(sql);
  if (process.env.LANCET_PRINT_STATS) {
    const { table: _t, ...stats } = r!;
    console.log(JSON.stringify({ ...stats, statement: stats.statement.slice(0, 60) }));
  }
  return r!;
};

/** id → bytes as Lance 12 reads them (fetchBlobs by row id). */
async function peerBlobs(table: string): Promise<Map<number, { bytes: string | null; label: string; category: string }>> {
  const t = await peerOpen(nodePath.join(root, 'db', `${table}.lance`));
  const rows = await t.query().select(['id', 'category', 'label']).withRowId().toArray();
  const blobs = await t.fetchBlobs('image', rows.map((r: { _rowid: bigint }) => r._rowid));
  const out = new Map<number, { bytes: string | null; label: string; category: string }>();
  rows.forEach((r: { id: number; label: string; category: string }, i: number) => {
    out.set(Number(r.id), { bytes: blobs[i] ? Buffer.from(blobs[i]).toString('hex') : null, label: r.label, category: r.category });
  });
  return out;
}
const hex = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('hex') : null);

beforeAll(async () => {
  root = mkdtempSync(nodePath.join(tmpdir(), 'lancet-sql-'));
  catalog = new LanceCatalog(root);
  db = sqlSession({ root, catalog, namespace: ['db'] });
  await db.sql(`CREATE NAMESPACE lance.db;
CREATE TABLE lance.db.products (id INT NOT NULL, category STRING, label STRING, image BINARY) USING lance
  TBLPROPERTIES ('image.lance.encoding' = 'blob', 'file_format_version' = '2.2');
INSERT INTO lance.db.products VALUES (1, 'shoes', 'active', X'89504E47');`);
  // Bulk rows through the same catalog the SQL uses (SQL literals of megabytes are unwieldy).
  const products = await catalog.open(['db', 'products']);
  const rows = [];
  for (let id = 2; id <= N; id++) rows.push({ id, category: CATS[id % 3]!, label: 'active', image: payload(id) });
  await catalog.append(products, rows);
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('blob statements (spark SQL, catalog lance)', () => {
  it('SELECT returns descriptors, never bytes', async () => {
    const r = await one('SELECT id, image.size, image.kind FROM lance.db.products WHERE category = \'shoes\'');
    const rows = r.table!.toArray().map((x) => x.toJSON());
    const expected = [1, ...Array.from({ length: N - 1 }, (_, i) => i + 2).filter((id) => CATS[id % 3] === 'shoes')];
    expect(rows.map((x) => x.id)).toEqual(expected);
    const kinds = (id: number) => [Number(rows.find((x) => x.id === id)!.size), rows.find((x) => x.id === id)!.kind];
    expect(kinds(33)).toEqual([4 * 1024 * KB + 133, 2]); // dedicated
    expect(kinds(6)).toEqual([100 * KB + 6, 1]); // packed
    expect(kinds(9)).toEqual([209, 0]); // inline
    expect(rows.find((x) => x.id === 1)).toMatchObject({ kind: 0 });
    expect(r.planPayloadBytes + r.payloadBytesRead + r.payloadBytesWritten + r.bytesWritten).toBe(0);
  });

  it('UPDATE of a scalar column reads and writes 0 payload bytes and only a few KB', async () => {
    const r = await one("UPDATE products SET label = 'discontinued' WHERE id = 42");
    expect(r.rowsAffected).toBe(1);
    expect([r.planPayloadBytes, r.payloadBytesRead, r.payloadBytesWritten, r.payloadBytesLinked]).toEqual([0, 0, 0, 0]);
    expect(r.bytesWritten).toBeGreaterThan(0);
    expect(r.bytesWritten).toBeLessThan(8 * KB);
    const peer = await peerBlobs('products');
    expect(peer.get(42)!.label).toBe('discontinued');
    expect(peer.get(42)!.bytes).toBe(hex(payload(42)));
  });

  it('INSERT ... SELECT links dedicated blobs (0 payload bytes for them) and Lance 12 reads the copy', async () => {
    await one('CREATE TABLE lance.db.products_archive (id INT NOT NULL, category STRING, label STRING, image BINARY) USING lance TBLPROPERTIES (\'image.lance.encoding\' = \'blob\', \'file_format_version\' = \'2.2\')');
    const r = await one("INSERT INTO lance.db.products_archive SELECT id, category, label, image FROM lance.db.products WHERE category = 'seasonal'");
    const ids = Array.from({ length: N - 1 }, (_, i) => i + 2).filter((id) => CATS[id % 3] === 'seasonal');
    expect(r.rowsAffected).toBe(ids.length);
    const sizes = ids.map((id) => payload(id)?.length ?? 0);
    const dedicated = sizes.filter((s) => s > 4 * 1024 * KB).reduce((a, b) => a + b, 0);
    const small = sizes.filter((s) => s <= 4 * 1024 * KB).reduce((a, b) => a + b, 0);
    expect(dedicated).toBeGreaterThan(0);
    expect(r.planPayloadBytes).toBe(0);
    expect(r.payloadBytesLinked).toBe(dedicated);
    // Only inline/packed bytes may pass through; the dedicated ones never do.
    expect(r.payloadBytesWritten).toBeLessThanOrEqual(small);
    expect(r.payloadBytesRead).toBeLessThanOrEqual(small);
    const peer = await peerBlobs('products_archive');
    expect([...peer.keys()].sort((a, b) => a - b)).toEqual(ids);
    for (const id of ids) expect(peer.get(id)!.bytes).toBe(hex(payload(id)));
  });

  it('one-to-many JOIN copies each source blob once per distinct row and Lance 12 reads every fan-out row', async () => {
    const meta = [];
    for (let id = 2; id <= 20; id++) for (let k = 0; k < 3; k++) meta.push(`(${id}, '${CATS[id % 3]}', '${k < 2 ? 'train' : 'test'}')`);
    await db.sql(`CREATE TABLE lance.db.product_metadata (id INT NOT NULL, category STRING, split STRING) USING lance;
INSERT INTO lance.db.product_metadata VALUES ${meta.join(', ')};
CREATE TABLE lance.db.product_images USING lance AS SELECT id, image FROM lance.db.products WHERE id <= 20;
CREATE TABLE lance.db.training_examples (id INT NOT NULL, category STRING, image BINARY) USING lance TBLPROPERTIES ('image.lance.encoding' = 'blob', 'file_format_version' = '2.2')`);
    const images = await catalog.open(['db', 'product_images']);
    const requested: bigint[][] = [];
    // Each statement runs on its own catalog view (per-statement counters): watch the views' opens.
    const origFor = catalog.forStatement.bind(catalog);
    catalog.forStatement = () => {
      const view = origFor();
      const origOpen = view.open.bind(view);
      view.open = async (path, version) => {
        const t = await origOpen(path, version);
        if (path.join('.') !== 'db.product_images') return t;
        const copy = t.copyBlobs.bind(t);
        (t as QueryTable & { copyBlobs: QueryTable['copyBlobs'] }).copyBlobs = async (col, addrs) => (requested.push([...addrs]), copy(col, addrs));
        return t;
      };
      return view;
    };
    try {
      const r = await one(`INSERT INTO lance.db.training_examples SELECT p.id, p.category, i.image FROM lance.db.product_metadata p
  JOIN lance.db.product_images i ON p.id = i.id WHERE p.split = 'train'`);
      expect(r.rowsAffected).toBe(19 * 2);
      // One copyBlobs call, each source row once although every image appears twice.
      expect(requested.length).toBe(1);
      expect(new Set(requested[0]!.map(String)).size).toBe(requested[0]!.length);
      expect(requested[0]!.length).toBe(18); // id 7 has a NULL image: nothing to copy
      const inlineOnce = Array.from({ length: 19 }, (_, i) => payload(i + 2)).filter((b) => b && b.length <= 64 * KB).reduce((s, b) => s + b!.length, 0);
      expect(r.payloadBytesRead).toBeLessThanOrEqual(inlineOnce);
      expect(r.planPayloadBytes).toBe(0);
      // Every image appears in two output rows, yet each source blob is linked or copied once.
      const distinctOnce = Array.from({ length: 19 }, (_, i) => payload(i + 2)).reduce((s, b) => s + (b ? b.length : 0), 0);
      expect(r.payloadBytesLinked + r.payloadBytesWritten).toBeLessThanOrEqual(distinctOnce);
      expect(r.payloadBytesLinked).toBeGreaterThan(0);
    } finally {
      catalog.forStatement = origFor;
    }
    void images;
    const t = await peerOpen(nodePath.join(root, 'db', 'training_examples.lance'));
    const rows = await t.query().select(['id']).withRowId().toArray();
    const blobs = await t.fetchBlobs('image', rows.map((x: { _rowid: bigint }) => x._rowid));
    expect(rows.length).toBe(38);
    rows.forEach((x: { id: number }, i: number) => expect(hex(blobs[i])).toBe(hex(payload(Number(x.id)))));
  });

  it('MERGE ... SET t.label = s.new_label moves no payload bytes', async () => {
    await db.sql(`CREATE TABLE lance.db.label_fixes (id INT NOT NULL, new_label STRING) USING lance;
INSERT INTO lance.db.label_fixes VALUES (3, 'fixed-3'), (13, 'fixed-13'), (21, 'fixed-21'), (999, 'nobody')`);
    const r = await one('MERGE INTO lance.db.products t USING lance.db.label_fixes s ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.label = s.new_label');
    expect(r.rowsAffected).toBe(3);
    expect([r.planPayloadBytes, r.payloadBytesRead, r.payloadBytesWritten, r.payloadBytesLinked]).toEqual([0, 0, 0, 0]);
    expect(r.bytesWritten).toBeLessThan(8 * KB);
    const peer = await peerBlobs('products');
    for (const id of [3, 13, 21]) expect(peer.get(id)).toMatchObject({ label: `fixed-${id}`, bytes: hex(payload(id)) });
  });

  it('UPDATE of every seasonal row keeps all blobs in place', async () => {
    const r = await one("UPDATE lance.db.products SET label = 'archived' WHERE category = 'seasonal'");
    expect(r.rowsAffected).toBe(Array.from({ length: N - 1 }, (_, i) => i + 2).filter((id) => CATS[id % 3] === 'seasonal').length);
    expect([r.payloadBytesRead, r.payloadBytesWritten, r.payloadBytesLinked, r.planPayloadBytes]).toEqual([0, 0, 0, 0]);
    const peer = await peerBlobs('products');
    for (const [id, v] of peer) {
      if (v.category === 'seasonal') expect(v.label).toBe('archived');
      expect(v.bytes).toBe(id === 1 ? '89504e47' : hex(payload(id)));
    }
  });

  it('MERGE with SET t.image = s.image and NOT MATCHED INSERT copies source blobs by reference', async () => {
    await db.sql(`CREATE TABLE lance.db.corrected_images (id INT NOT NULL, category STRING, image BINARY) USING lance TBLPROPERTIES ('image.lance.encoding' = 'blob', 'file_format_version' = '2.2')`);
    const src = await catalog.open(['db', 'corrected_images']);
    const fixes = [4, 13, 23, 61, 73].map((id) => ({ id, category: 'shoes', image: payload(id, 9) }));
    await catalog.append(src, fixes);
    const r = await one(`MERGE INTO lance.db.products t USING lance.db.corrected_images s ON t.id = s.id
  WHEN MATCHED THEN UPDATE SET t.image = s.image
  WHEN NOT MATCHED THEN INSERT (id, category, label, image) VALUES (s.id, s.category, 'new', s.image)`);
    expect(r.rowsAffected).toBe(5);
    expect(r.planPayloadBytes).toBe(0);
    // 13, 23 and 73 are dedicated in the source, 61 is alone in its pack: all linked, not written;
    // only the 204-byte inline image of row 4 passes through memory.
    expect(r.payloadBytesLinked).toBe([13, 23, 61, 73].reduce((s, id) => s + payload(id, 9)!.length, 0));
    expect(r.payloadBytesWritten).toBe(204);
    const peer = await peerBlobs('products');
    for (const f of fixes) expect(peer.get(f.id)!.bytes).toBe(hex(f.image));
    expect(peer.get(61)!.label).toBe('new');
    expect(peer.get(5)!.bytes).toBe(hex(payload(5)));
  });

  it('CTAS and CREATE OR REPLACE TABLE AS SELECT', async () => {
    const a = await one('CREATE TABLE lance.db.products_copy USING lance AS SELECT id, category, label, image FROM lance.db.products');
    expect(a.rowsAffected).toBe(N + 2);
    expect(a.planPayloadBytes).toBe(0);
    const b = await one('CREATE OR REPLACE TABLE lance.db.products_copy USING lance AS SELECT * FROM lance.db.products WHERE id > 10');
    expect(b.rowsAffected).toBe(N + 2 - 10);
    expect(b.payloadBytesLinked).toBeGreaterThan(0);
    const peer = await peerBlobs('products_copy');
    const products = await peerBlobs('products');
    expect([...peer.keys()].every((id) => id > 10)).toBe(true);
    for (const [id, v] of peer) expect(v.bytes).toBe(products.get(id)!.bytes);
  });
});
