// Issue 4 benchmark: 100 random blob reads (500 KB each) from a ~1 GB Blob V2 table (2000 rows at
// scale 1), warm (page cache hot; median of 5) and cold (after dropping caches; median of 3).
// lancet: fetchBlobFiles + read() (all in parallel, and one by one), fetchBlobs; the floor is a
// plain fs pread of the same byte ranges (taken from lancet's handles). Lance 12:
// fetchBlobFiles + Promise.all(read()), and fetchBlobs. Each table is written by a child process
// and each side reads in its own process, so every peak RSS below belongs to the reads alone.
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import * as arrow from 'apache-arrow';
import {
  BLOB_ROWS, BLOB_SIZE, IS_PEER_CHILD, MB, argOf, benchDir, blobTableBatch, blobTableFields, blobTableStream, dropCaches,
  log, median, peakRssMB, peer, pickDistinct, r1, r3, report, runChild, runPeerChild, timed,
} from './lib.mjs';

const NAME = 'blob-random-read';
const ROWS = BLOB_ROWS;
const SIZE = BLOB_SIZE;
const N = Math.min(100, ROWS);
const WARM = 5;
const COLD = 3;
const SCRIPT = fileURLToPath(import.meta.url);
const pick = pickDistinct(ROWS, N);
const sync = () => execFileSync('sync');

function tagOk(buf, id) {
  const tag = `<ROW${id}>`.padEnd(16, '=');
  return buf && buf.length === SIZE && Buffer.from(buf.buffer, buf.byteOffset, 16).toString('latin1') === tag;
}

/** Runs every variant warm and cold; returns {name: {warmMs, coldMs, warmMBps, coldMBps, verified}}. */
async function measure(variants, ids) {
  const out = {};
  for (const [name, fn] of Object.entries(variants)) {
    const first = await fn();
    const verified = first.every((b, k) => tagOk(b, ids[k]));
    const warm = [];
    for (let r = 0; r < WARM; r++) warm.push((await timed(fn)).s * 1e3);
    const cold = [];
    for (let r = 0; r < COLD; r++) {
      sync();
      if (!dropCaches()) break;
      cold.push((await timed(fn)).s * 1e3);
    }
    const bytes = N * SIZE;
    out[name] = {
      warmMs: r1(median(warm)),
      coldMs: cold.length ? r1(median(cold)) : null,
      warmMBps: r1(bytes / MB / (median(warm) / 1e3)),
      coldMBps: cold.length ? r1(bytes / MB / (median(cold) / 1e3)) : null,
      verified,
    };
    log(NAME, name, JSON.stringify(out[name]));
  }
  return out;
}

if (process.argv.includes('--build-lancet')) {
  const { connect } = await import('../dist/dataset/index.js');
  await import('../dist/dataset/blob/table-blobs.js');
  const { blobField } = await import('../dist/format/blob/blob-field.js');
  const db = await connect(argOf('build-lancet'));
  await db.createTable('images', blobTableStream(arrow, blobTableFields(arrow, (n) => blobField(n)), ROWS, SIZE), { fileVersion: '2.2' });
  sync();
  report({ built: true });
  process.exit(0);
}

if (IS_PEER_CHILD) {
  const { lancedb, arrow: parrow } = peer();
  const dir = argOf('dir');
  const db = await lancedb.connect(dir);
  if (process.argv.includes('--build')) {
    const fields = blobTableFields(parrow, (n) => lancedb.blob(n));
    const batch = blobTableBatch(parrow, fields, 0, ROWS, SIZE, Buffer.allocUnsafe(ROWS * SIZE));
    await db.createTable('images', new parrow.Table([batch]), { storageOptions: { newTableDataStorageVersion: '2.2' } });
    sync();
    report({ built: true });
    process.exit(0);
  }
  const t = await db.openTable('images');
  const rowIdOf = new Map((await t.query().select(['id']).withRowId().toArray()).map((r) => [Number(r.id), r._rowid]));
  const rowIds = pick.map((i) => rowIdOf.get(i));
  const variants = {
    fetchBlobFiles_parallel_read: async () => Promise.all((await t.fetchBlobFiles('image', rowIds)).map((h) => h.read())),
    fetchBlobFiles_sequential_read: async () => {
      const out = [];
      for (const h of await t.fetchBlobFiles('image', rowIds)) out.push(await h.read());
      return out;
    },
    fetchBlobs: async () => t.fetchBlobs('image', rowIds),
  };
  const res = await measure(variants, pick);
  report({ variants: res, peakRssMB: Math.round(peakRssMB()) });
  process.exit(0);
}

// ---- parent: build both tables in children, read lancet's here, Lance 12's in a child
const dir = benchDir(NAME);
const built = runChild(SCRIPT, ['--build-lancet', dir]);
if (built.error) throw new Error(`lancet build failed: ${built.error}`);
const lanceDir = join(dir, 'lance');
const lanceBuilt = runPeerChild(SCRIPT, ['--build', '--dir', lanceDir]);

const { LocalStore } = await import('../dist/io/local-store.js');
const { connect } = await import('../dist/dataset/index.js');
await import('../dist/dataset/blob/table-blobs.js');
const store = new LocalStore(dir);
const db = await connect(dir, { store });
const t = await db.openTable('images');
const addrOf = new Map();
for await (const b of t.query().select(['id']).withRowAddress()) {
  const ids = b.getChild('id');
  const addrs = b.getChild('_rowaddr');
  for (let k = 0; k < b.numRows; k++) addrOf.set(Number(ids.get(k)), addrs.get(k));
}
const addrs = pick.map((i) => addrOf.get(i));

// The floor: pread of exactly the ranges lancet's handles point at, through node:fs.
const handles = await t.fetchBlobFiles('image', addrs);
const ranges = handles.map((h) => ({ file: store.resolve(h.source.path), start: h.source.start, size: h.size }));
const before = { ...store.counters };
const variants = {
  fetchBlobFiles_parallel_read: async () => Promise.all((await t.fetchBlobFiles('image', addrs)).map((h) => h.read())),
  fetchBlobFiles_sequential_read: async () => {
    const out = [];
    for (const h of await t.fetchBlobFiles('image', addrs)) out.push(await h.read());
    return out;
  },
  fetchBlobs: async () => t.fetchBlobs('image', addrs),
  raw_pread: async () => {
    const fds = new Map();
    const out = ranges.map((r) => {
      if (!fds.has(r.file)) fds.set(r.file, openSync(r.file, 'r'));
      const b = Buffer.allocUnsafe(r.size);
      readSync(fds.get(r.file), b, 0, r.size, r.start);
      return b;
    });
    for (const fd of fds.values()) closeSync(fd);
    return out;
  },
};
const lancet = await measure(variants, pick);
const runs = 3 * (1 + WARM + COLD); // three lancet variants use the store
const readRequestsPerRun = (store.counters.readRequests - before.readRequests) / runs;
const lancetPeak = Math.round(peakRssMB());

const lance = lanceBuilt.error ? lanceBuilt : runPeerChild(SCRIPT, ['--dir', lanceDir]);
rmSync(dir, { recursive: true, force: true });

const L = lancet.fetchBlobFiles_parallel_read;
const P = lance.variants?.fetchBlobFiles_parallel_read;
report({
  bench: NAME,
  rows: ROWS,
  reads: N,
  bytesPerRun: N * SIZE,
  lancet,
  lance: lance.variants ?? null,
  lancetVsRawWarm: r3(lancet.raw_pread.warmMs / L.warmMs),
  lancetVsRawCold: L.coldMs && r3(lancet.raw_pread.coldMs / L.coldMs),
  lancetVsLanceWarm: P ? r3(P.warmMs / L.warmMs) : null,
  lancetVsLanceCold: P?.coldMs && L.coldMs ? r3(P.coldMs / L.coldMs) : null,
  lancetFetchBlobsVsLanceWarm: lance.variants ? r3(lance.variants.fetchBlobs.warmMs / lancet.fetchBlobs.warmMs) : null,
  ratioNote: 'speed ratios = other time / lancet time (>1: lancet faster)',
  lancetStoreReadRequestsPerRun: r1(readRequestsPerRun),
  lancetPeakRssMB: lancetPeak,
  lancePeakRssMB: lance.peakRssMB ?? null,
  ...(lance.error ? { lanceError: lance.error } : {}),
});
