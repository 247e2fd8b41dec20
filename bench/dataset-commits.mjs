// Issue 3 benchmark: commit latency and the cost of deletes/updates on a ~1 GB blob table.
//  * commits: N small appends (10 rows of id/category/label each) to a small table; median and
//    p90 latency of lancet table.add vs Lance 12 table.add, in the same run.
//  * delete 1 row (id = 42) and 10% of rows (category = 'cat3') on a 2000 × 500 KB Blob V2 table.
//  * update label of 1 row and of 10% of rows: lancet in 'auto' (reports the mode it chose),
//    'rewrite-columns' and 'rewrite-rows' modes — each on rows no earlier step touched — vs Lance 12
//    table.update (always REWRITE_ROWS, PEER-LANCE12.md §2).
// Bytes written = sizes of the files that appeared under the table directory (same rule for both).
// Lance 12 runs in a child process (its own table, its own memory).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import {
  BLOB_ROWS, BLOB_SIZE, IS_PEER_CHILD, argOf, benchDir, blobTableBatch, blobTableFields, blobTableStream, bytesWrittenSince,
  columns, listFiles, log, median, peakRssMB, peer, quantile, r1, r3, report, runPeerChild, timed,
} from './lib.mjs';

const NAME = 'dataset-commits';
const ROWS = BLOB_ROWS;
const SIZE = BLOB_SIZE;
const N_COMMITS = 50;
const APPEND_ROWS = 10;
const SCRIPT = fileURLToPath(import.meta.url);
const sync = () => execFileSync('sync');

function smallBatch(a, k) {
  const c = columns(a);
  const ids = Array.from({ length: APPEND_ROWS }, (_, j) => k * APPEND_ROWS + j);
  const fields = [new a.Field('id', new a.Int64(), false), new a.Field('category', new a.Utf8(), true), new a.Field('label', new a.Utf8(), true)];
  return c.batch(fields, [c.int64(ids), c.utf8(ids.map((i) => `cat${i % 10}`)), c.utf8(ids.map((i) => `label-${i}`))]);
}

/** Runs `fn` and returns {ms, bytes, ...extra} with bytes = files written under tableDir. */
async function op(tableDir, fn) {
  sync();
  const before = listFiles(tableDir);
  const t = await timed(fn);
  const bytes = bytesWrittenSince(tableDir, before);
  return { ms: r1(t.s * 1e3), bytesWritten: bytes, result: t.result };
}

/** The common sequence; `api` adapts lancet's or Lance 12's table. */
async function scenario(api) {
  const out = {};
  // commits
  const lat = [];
  await api.createSmall(smallBatch(api.arrow, 0));
  for (let k = 1; k <= N_COMMITS; k++) lat.push((await timed(() => api.appendSmall(smallBatch(api.arrow, k)))).s * 1e3);
  out.commitMedianMs = r1(median(lat));
  out.commitP90Ms = r1(quantile(lat, 0.9));
  log(NAME, api.name, 'commits', out.commitMedianMs, out.commitP90Ms);
  // big table
  const ingest = await timed(() => api.createBig());
  out.ingestS = r1(ingest.s);
  const dir = api.bigDir;
  const steps = [
    ['delete1', () => api.delete('id = 42')],
    ['delete10pct', () => api.delete("category = 'cat3'")],
    ...api.updates.map(([name, where, mode]) => [name, () => api.update(where, mode)]),
  ];
  for (const [name, fn] of steps) {
    try {
      const r = await op(dir, fn);
      out[name] = { ms: r.ms, bytesWritten: r.bytesWritten, ...(r.result ?? {}) };
    } catch (e) {
      // a failing operation is a finding, not a reason to lose the other figures
      out[name] = { error: `${e.code ?? e.name}: ${String(e.message).split('\n')[0]}` };
    }
    log(NAME, api.name, name, JSON.stringify(out[name]));
  }
  out.rowsAfter = await api.count();
  return out;
}

const UPDATE_1 = (id) => `id = ${id}`;
const UPDATE_10 = (cat) => `category = '${cat}'`;

if (IS_PEER_CHILD) {
  const { lancedb, arrow: parrow } = peer();
  const dir = argOf('dir');
  const db = await lancedb.connect(dir);
  let small;
  let big;
  const res = await scenario({
    name: 'lance',
    arrow: parrow,
    bigDir: join(dir, 'images.lance'),
    createSmall: async (b) => { small = await db.createTable('small', new parrow.Table([b])); },
    appendSmall: (b) => small.add(new parrow.Table([b])),
    createBig: async () => {
      const fields = blobTableFields(parrow, (n) => lancedb.blob(n));
      const batch = blobTableBatch(parrow, fields, 0, ROWS, SIZE, Buffer.allocUnsafe(ROWS * SIZE));
      big = await db.createTable('images', new parrow.Table([batch]), { storageOptions: { newTableDataStorageVersion: '2.2' } });
    },
    delete: async (w) => ({ rows: (await big.delete(w)).numDeletedRows }),
    update: async (w) => ({ rows: (await big.update({ where: w, values: { label: 'discontinued' } })).rowsUpdated }),
    updates: [['update1', UPDATE_1(44)], ['update10pct', UPDATE_10('cat5')]],
    count: () => big.countRows(),
  });
  report({ ...res, peakRssMB: Math.round(peakRssMB()) });
  process.exit(0);
}

const dir = benchDir(NAME);
const { LocalStore } = await import('../dist/io/local-store.js');
const { connect } = await import('../dist/dataset/index.js');
await import('../dist/dataset/blob/table-blobs.js');
const { blobField } = await import('../dist/format/blob/blob-field.js');
const store = new LocalStore(join(dir, 'lancet'));
const db = await connect(join(dir, 'lancet'), { store });
let small;
let big;
const hasUpdate = typeof (await import('../dist/dataset/table.js')).Table.prototype.update === 'function';
const lancet = await scenario({
  name: 'lancet',
  arrow,
  bigDir: join(dir, 'lancet', 'images.lance'),
  createSmall: async (b) => { small = await db.createTable('small', b); },
  appendSmall: (b) => small.add(b),
  createBig: async () => { big = await db.createTable('images', blobTableStream(arrow, blobTableFields(arrow, (n) => blobField(n)), ROWS, SIZE), { fileVersion: '2.2' }); },
  delete: async (w) => ({ rows: (await big.delete(w)).numDeletedRows }),
  update: async (w, mode) => {
    if (!hasUpdate) return { notMeasured: 'table.update not available' };
    const r = await big.update({ where: w, valuesSql: { label: "'discontinued'" }, mode });
    return { rows: r.rowsUpdated, mode: r.mode, reportedBytesWritten: r.bytesWritten };
  },
  updates: [
    ['update1_auto', UPDATE_1(44), 'auto'],
    ['update1_rewriteColumns', UPDATE_1(45), 'rewrite-columns'],
    ['update1_rewriteRows', UPDATE_1(46), 'rewrite-rows'],
    ['update10pct_auto', UPDATE_10('cat5'), 'auto'],
    ['update10pct_rewriteColumns', UPDATE_10('cat6'), 'rewrite-columns'],
    ['update10pct_rewriteRows', UPDATE_10('cat7'), 'rewrite-rows'],
  ],
  count: () => big.countRows(),
});
const lancetPeak = Math.round(peakRssMB());
const lance = runPeerChild(SCRIPT, ['--dir', join(dir, 'lance')]);
rmSync(dir, { recursive: true, force: true });

const speed = (a, b) => (a && b ? r3(a / b) : null); // other time / lancet time
report({
  bench: NAME,
  rows: ROWS,
  payloadBytes: ROWS * SIZE,
  commits: N_COMMITS,
  appendRows: APPEND_ROWS,
  lancet,
  lance: lance.error ? null : lance,
  commitMedianSpeedup: speed(lance.commitMedianMs, lancet.commitMedianMs),
  commitP90Speedup: speed(lance.commitP90Ms, lancet.commitP90Ms),
  delete1BytesRatio: speed(lance.delete1?.bytesWritten, lancet.delete1.bytesWritten),
  delete10pctBytesRatio: speed(lance.delete10pct?.bytesWritten, lancet.delete10pct.bytesWritten),
  update1BytesRatio: speed(lance.update1?.bytesWritten, lancet.update1_auto.bytesWritten),
  update10pctBytesRatio: speed(lance.update10pct?.bytesWritten, lancet.update10pct_auto.bytesWritten),
  update10pctSpeedup: speed(lance.update10pct?.ms, lancet.update10pct_auto.ms),
  ratioNote: 'ratios = Lance 12 / lancet (time or bytes; >1: lancet cheaper); lancet auto mode vs Lance update()',
  lancetPeakRssMB: lancetPeak,
  lancePeakRssMB: lance.peakRssMB ?? null,
  ...(lance.error ? { lanceError: lance.error } : {}),
});
