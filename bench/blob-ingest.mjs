// Issue 4 benchmark: ingest ~1 GB of 500 KB blobs (2000 rows at scale 1) into a Blob V2 table.
// lancet: createTable from an async stream of 16-row batches (bounded memory), next to a raw
// sequential write of the same byte count (lib.rawSequential, fsync'd) and to Lance 12
// (createTable of one in-memory Arrow table with a lancedb.blob('image') field), the Lance side
// in a child process so that its peak RSS is its own. Times are wall clock; "+sync" adds a
// `sync` so the data is on disk as it is for the raw floor.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import {
  BLOB_ROWS, BLOB_SIZE, IS_PEER_CHILD, MB, benchDir, blobTableBatch, blobTableFields, dirSize, log, peakRssMB, peer,
  r1, r3, rawSequential, report, rssNowMB, runPeerChild, timed,
} from './lib.mjs';

const NAME = 'blob-ingest';
const ROWS = BLOB_ROWS;
const SIZE = BLOB_SIZE;
const BATCH_ROWS = 16;
const payloadBytes = ROWS * SIZE;
const sync = () => execFileSync('sync');
const rssMB = rssNowMB;

if (IS_PEER_CHILD) {
  // ---- Lance 12: the whole table must be one Arrow table in memory (the SDK serializes it to IPC).
  const { lancedb, arrow: parrow } = peer();
  const dir = benchDir(`${NAME}-lance`);
  const fields = blobTableFields(parrow, (n) => lancedb.blob(n));
  const backing = Buffer.allocUnsafe(payloadBytes);
  const batch = blobTableBatch(parrow, fields, 0, ROWS, SIZE, backing);
  const table = new parrow.Table([batch]);
  const rssBefore = rssMB();
  const db = await lancedb.connect(dir);
  sync();
  const create = await timed(() => db.createTable('images', table, { storageOptions: { newTableDataStorageVersion: '2.2' } }));
  const withSync = create.s + (await timed(async () => sync())).s;
  const onDisk = dirSize(join(dir, 'images.lance'));
  rmSync(dir, { recursive: true, force: true });
  report({ createS: create.s, withSyncS: withSync, onDisk, rssBeforeMB: rssBefore, peakRssMB: Math.round(peakRssMB()) });
  process.exit(0);
}

// ---- raw floor
const dir = benchDir(NAME);
// The disk is shared and noisy: the floor is the better of two raw runs (before and after lancet),
// each started after a `sync` so it does not pay for someone else's dirty pages.
sync();
const rawRuns = [rawSequential(dir, payloadBytes)];
log(NAME, `raw write ${r1(rawRuns[0].writeMBps)} MB/s`);

// ---- lancet: a stream of batches; payload buffers come from a small pool generated up front so
// that random-number generation is not timed (the writer never sees more than one batch at a time).
const { LocalStore } = await import('../dist/io/local-store.js');
const { connect } = await import('../dist/dataset/index.js');
await import('../dist/dataset/blob/table-blobs.js');
const { blobField } = await import('../dist/format/blob/blob-field.js');
const fields = blobTableFields(arrow, (n) => blobField(n));
const POOL = 4;
const pool = Array.from({ length: POOL }, (_, k) => blobTableBatch(arrow, fields, k * BATCH_ROWS, BATCH_ROWS, SIZE, Buffer.allocUnsafe(BATCH_ROWS * SIZE)));
async function* stream() {
  for (let s = 0, k = 0; s < ROWS; s += BATCH_ROWS, k++) {
    const b = pool[k % POOL];
    const n = Math.min(BATCH_ROWS, ROWS - s);
    // fresh id column per batch so rows stay distinct; payload bytes are the pooled ones
    const ids = arrow.makeData({ type: new arrow.Int64(), length: n, nullCount: 0, data: BigInt64Array.from({ length: n }, (_, j) => BigInt(s + j)) });
    const children = [ids, ...b.data.children.slice(1).map((c) => (n === BATCH_ROWS ? c : c.slice(0, n)))];
    yield new arrow.RecordBatch(b.schema, arrow.makeData({ type: b.data.type, length: n, nullCount: 0, children }));
  }
}
const store = new LocalStore(dir);
const db = await connect(dir, { store });
const rssBefore = rssMB();
sync();
const create = await timed(() => db.createTable('images', stream(), { fileVersion: '2.2' }));
const lancetWithSync = create.s + (await timed(async () => sync())).s;
const table = create.result;
const rows = await table.countRows();
const lancetOnDisk = dirSize(join(dir, 'images.lance'));
const lancetPeak = Math.round(peakRssMB());
rmSync(join(dir, 'images.lance'), { recursive: true, force: true });
sync();
rawRuns.push(rawSequential(dir, payloadBytes));
const raw = rawRuns.reduce((a, b) => (b.writeMBps > a.writeMBps ? b : a));
rmSync(dir, { recursive: true, force: true });
log(NAME, `lancet ${r1(payloadBytes / MB / create.s)} MB/s, rows ${rows}`);

// ---- Lance 12 in its own process
const lance = runPeerChild(fileURLToPath(import.meta.url));
log(NAME, `lance ${JSON.stringify(lance)}`);

const lancetMBps = payloadBytes / MB / create.s;
const lancetSyncMBps = payloadBytes / MB / lancetWithSync;
const lanceMBps = lance.createS ? payloadBytes / MB / lance.createS : null;
const lanceSyncMBps = lance.withSyncS ? payloadBytes / MB / lance.withSyncS : null;
report({
  bench: NAME,
  rows,
  payloadBytes,
  input: `lancet: async stream of ${BATCH_ROWS}-row batches; Lance 12: one in-memory Arrow table`,
  rawWriteMBps: r1(raw.writeMBps),
  rawWriteRunsMBps: rawRuns.map((r) => r1(r.writeMBps)),
  lancetMBps: r1(lancetMBps),
  lancetMBpsInclSync: r1(lancetSyncMBps),
  lanceMBps: lanceMBps && r1(lanceMBps),
  lanceMBpsInclSync: lanceSyncMBps && r1(lanceSyncMBps),
  lancetVsRaw: r3(lancetSyncMBps / raw.writeMBps),
  lanceVsRaw: lanceSyncMBps && r3(lanceSyncMBps / raw.writeMBps),
  lancetVsLance: lanceSyncMBps && r3(lancetSyncMBps / lanceSyncMBps),
  lancetBytesOnDisk: lancetOnDisk,
  lanceBytesOnDisk: lance.onDisk ?? null,
  lancetStoreBytesWritten: store.counters.bytesWritten,
  lancetRssBeforeMB: rssBefore,
  lancetPeakRssMB: lancetPeak,
  lanceRssBeforeMB: lance.rssBeforeMB ?? null,
  lancePeakRssMB: lance.peakRssMB ?? null,
  ...(lance.error ? { lanceError: lance.error } : {}),
});
