// Issue 5 benchmark: SQL statements on a ~1 GB Blob V2 table `products` (2000 × 500 KB at scale 1)
// — bytes written, payload bytes moved (lancet's per-statement stats) and time — next to Lance 12
// doing the same through its SDK:
//   UPDATE products SET label = 'discontinued' WHERE id = 42        ↔ table.update
//   MERGE INTO products … USING label_fixes (10% of rows)            ↔ mergeInsert('id').whenMatchedUpdateAll()
//                                                                        without, then with a BTREE index on id
//   INSERT INTO archive SELECT * FROM products WHERE category='cat4' ↔ query + fetchBlobs + archive.add
//   CREATE TABLE products_copy AS SELECT * FROM products             ↔ scan + fetchBlobs + createTable/add (200-row chunks)
// A statement the SQL layer does not run yet is measured through the equivalent dataset-API call
// and labelled `via: 'dataset-api'` with the SQL error. Bytes written = new/changed files under the
// root (hard links to existing files are counted as linked, not written).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import {
  BLOB_ROWS, BLOB_SIZE, IS_PEER_CHILD, argOf, benchDir, blobTableBatch, blobTableFields, blobTableStream, columns,
  listFiles, log, peakRssMB, peer, r1, r3, report, runPeerChild, timed, writtenSince,
} from './lib.mjs';

const NAME = 'sql-statements';
const ROWS = BLOB_ROWS;
const SIZE = BLOB_SIZE;
const SCRIPT = fileURLToPath(import.meta.url);
const sync = () => execFileSync('sync');
const idsOfCat = (c) => Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 10 === c);

async function step(root, fn) {
  sync();
  const before = listFiles(root);
  const t = await timed(fn);
  const w = writtenSince(root, before);
  return { ms: r1(t.s * 1e3), fsBytesWritten: w.written, fsBytesLinked: w.linked, ...(t.result ?? {}) };
}

if (IS_PEER_CHILD) {
  const { lancedb, arrow: parrow } = peer();
  const root = argOf('dir');
  const db = await lancedb.connect(root);
  const c = columns(parrow);
  const fields = blobTableFields(parrow, (n) => lancedb.blob(n));
  const products = await db.createTable('products', new parrow.Table([blobTableBatch(parrow, fields, 0, ROWS, SIZE, Buffer.allocUnsafe(ROWS * SIZE))]), {
    storageOptions: { newTableDataStorageVersion: '2.2' },
  });
  const fixes = (cat, tag) => {
    const ids = idsOfCat(cat);
    const f = [new parrow.Field('id', new parrow.Int64(), false), new parrow.Field('label', new parrow.Utf8(), true)];
    return new parrow.Table([c.batch(f, [c.int64(ids), c.utf8(ids.map((i) => `${tag}-${i}`))])]);
  };
  /** Rows (with blob bytes) matching `where`, as a Lance-side arrow table, in chunks. */
  async function* rowsWithBlobs(where, chunk = 200) {
    let q = products.query().select(['id', 'category', 'label']).withRowId();
    if (where) q = q.where(where);
    const meta = await q.toArray();
    for (let s = 0; s < meta.length; s += chunk) {
      const part = meta.slice(s, s + chunk);
      const bufs = await products.fetchBlobs('image', part.map((r) => r._rowid));
      const backing = Buffer.concat(bufs);
      const bin = c.largeBinary(backing, part.length, SIZE);
      yield new parrow.Table([c.batch(fields, [c.int64(part.map((r) => Number(r.id))), c.utf8(part.map((r) => r.category)), c.utf8(part.map((r) => r.label)), c.blob(fields[3], bin)])]);
    }
  }
  const out = {};
  out.update = await step(root, async () => ({ rows: (await products.update({ where: 'id = 42', values: { label: 'discontinued' } })).rowsUpdated }));
  out.mergeNoIndex = await step(root, async () => ({ rows: (await products.mergeInsert('id').whenMatchedUpdateAll().execute(fixes(3, 'fixed'))).numUpdatedRows }));
  out.createIndex = await step(root, async () => { await products.createIndex('id', { config: lancedb.Index.btree() }); });
  out.mergeIndexed = await step(root, async () => ({ rows: (await products.mergeInsert('id').whenMatchedUpdateAll().execute(fixes(5, 'fixed2'))).numUpdatedRows }));
  out.insertSelect = await step(root, async () => {
    const archive = await db.createEmptyTable('archive', new parrow.Schema(fields), { storageOptions: { newTableDataStorageVersion: '2.2' } });
    let rows = 0;
    for await (const t of rowsWithBlobs("category = 'cat4'")) { await archive.add(t); rows += t.numRows; }
    return { rows, how: 'createEmptyTable + query + fetchBlobs + add' };
  });
  out.ctas = await step(root, async () => {
    let copy;
    let rows = 0;
    for await (const t of rowsWithBlobs(null)) {
      if (!copy) copy = await db.createTable('products_copy', t, { storageOptions: { newTableDataStorageVersion: '2.2' } });
      else await copy.add(t);
      rows += t.numRows;
    }
    return { rows, how: 'scan + fetchBlobs + createTable/add in 200-row chunks' };
  });
  for (const [k, v] of Object.entries(out)) log(NAME, 'lance', k, JSON.stringify(v));
  report({ ...out, peakRssMB: Math.round(peakRssMB()) });
  process.exit(0);
}

// ---- lancet
const root = benchDir(NAME);
const lroot = join(root, 'lancet');
const { connect } = await import('../dist/dataset/index.js');
await import('../dist/dataset/blob/table-blobs.js');
const { blobField } = await import('../dist/format/blob/blob-field.js');
const { sqlSession } = await import('../dist/query/session.js');
const db = await connect(lroot);
const products = await db.createTable('products', blobTableStream(arrow, blobTableFields(arrow, (n) => blobField(n)), ROWS, SIZE), { fileVersion: '2.2' });
const c = columns(arrow);
const fixFields = (name) => [new arrow.Field('id', new arrow.Int64(), false), new arrow.Field(name, new arrow.Utf8(), true)];
for (const [t, cat, tag] of [['label_fixes', 3, 'fixed'], ['label_fixes2', 5, 'fixed2']]) {
  const ids = idsOfCat(cat);
  await db.createTable(t, c.batch(fixFields('new_label'), [c.int64(ids), c.utf8(ids.map((i) => `${tag}-${i}`))]));
}
const session = sqlSession({ root: lroot });

/** Runs `sql`; if the SQL layer refuses it, runs `fallback` (dataset API) and says so. */
async function statement(sql, fallback) {
  let sqlError = null;
  const r = await step(lroot, async () => {
    try {
      const [s] = await session.sql(sql);
      return { via: 'sql', rows: s.rowsAffected, planPayloadBytes: s.planPayloadBytes, payloadBytesRead: s.payloadBytesRead, payloadBytesWritten: s.payloadBytesWritten, payloadBytesLinked: s.payloadBytesLinked, statsBytesWritten: s.bytesWritten };
    } catch (e) {
      sqlError = String(e.message).split('\n')[0];
      return null;
    }
  });
  if (!sqlError) return { statement: sql, ...r };
  if (!fallback) return { statement: sql, notMeasured: sqlError };
  try {
    const f = await step(lroot, fallback);
    return { statement: sql, via: 'dataset-api', sqlError, ...f };
  } catch (e) {
    return { statement: sql, via: 'dataset-api', sqlError, error: `${e.code ?? e.name}: ${String(e.message).split('\n')[0]}` };
  }
}

const mergeSource = (cat, tag) => {
  const ids = idsOfCat(cat);
  return c.batch(fixFields('label'), [c.int64(ids), c.utf8(ids.map((i) => `${tag}-${i}`))]);
};
const mergeFallback = (cat, tag) =>
  typeof products.mergeInsert === 'function'
    ? async () => {
        const r = await products.mergeInsert('id').whenMatchedUpdateAll().execute(mergeSource(cat, tag));
        return { call: "table.mergeInsert('id').whenMatchedUpdateAll()", rows: r.numUpdatedRows, mode: r.mode, reportedBytesWritten: r.bytesWritten };
      }
    : null;

const lancet = {};
lancet.update = await statement("UPDATE products SET label = 'discontinued' WHERE id = 42", async () => {
  const r = await products.update({ where: 'id = 42', valuesSql: { label: "'discontinued'" } });
  return { call: 'table.update (auto)', rows: r.rowsUpdated, mode: r.mode, reportedBytesWritten: r.bytesWritten };
});
lancet.merge = await statement('MERGE INTO products t USING label_fixes s ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.label = s.new_label', mergeFallback(3, 'fixed'));
lancet.merge2 = await statement('MERGE INTO products t USING label_fixes2 s ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.label = s.new_label', mergeFallback(5, 'fixed2'));
lancet.createEmptyArchive = await statement('CREATE TABLE archive USING lance AS SELECT * FROM products WHERE id < 0');
lancet.insertSelect = await statement("INSERT INTO archive SELECT * FROM products WHERE category = 'cat4'");
lancet.ctas = await statement('CREATE TABLE products_copy USING lance AS SELECT * FROM products');
for (const [k, v] of Object.entries(lancet)) log(NAME, 'lancet', k, JSON.stringify(v));
const lancetPeak = Math.round(peakRssMB());

const lance = runPeerChild(SCRIPT, ['--dir', join(root, 'lance')]);
rmSync(root, { recursive: true, force: true });

const ratio = (a, b) => (a != null && b ? r3(a / b) : null);
report({
  bench: NAME,
  rows: ROWS,
  payloadBytes: ROWS * SIZE,
  lancet,
  lance: lance.error ? null : lance,
  updateBytesRatio: ratio(lance.update?.fsBytesWritten, lancet.update.fsBytesWritten),
  mergeBytesRatioVsNoIndex: ratio(lance.mergeNoIndex?.fsBytesWritten, lancet.merge.fsBytesWritten),
  mergeBytesRatioVsIndexed: ratio(lance.mergeIndexed?.fsBytesWritten, lancet.merge.fsBytesWritten),
  mergeSpeedupVsNoIndex: ratio(lance.mergeNoIndex?.ms, lancet.merge.ms),
  insertSelectSpeedup: ratio(lance.insertSelect?.ms, lancet.insertSelect.ms),
  ctasBytesRatio: ratio(lance.ctas?.fsBytesWritten, lancet.ctas.fsBytesWritten),
  ctasSpeedup: ratio(lance.ctas?.ms, lancet.ctas.ms),
  ratioNote: 'ratios = Lance 12 / lancet (bytes or time; >1: lancet cheaper)',
  lancetPeakRssMB: lancetPeak,
  lancePeakRssMB: lance.peakRssMB ?? null,
  ...(lance.error ? { lanceError: lance.error } : {}),
});
