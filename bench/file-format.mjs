// Issue 2 benchmark: write and read ~1 GB of mixed columns (int64, float64, utf8, binary) with
// lancet's .lance writer/reader, next to a raw sequential write/read of the same byte count in
// the same run. Reports MB/s and the ratio lancet/raw.
import { rmSync } from 'node:fs';
import { LocalStore } from '../dist/io/local-store.js';
import { createFileWriter, openLanceFile } from '../dist/format/file/index.js';
import { lanceSchemaFromArrow } from '../dist/format/schema.js';
import { MB, SCALE, benchDir, dropCaches, peakRssMB, prng, rawSequential, report, timed, mixedBatch } from './lib.mjs';

const TARGET = Math.round(1e9 * SCALE);
const ROWS_PER_BATCH = 64 * 1024;
const rnd = prng(42);


const dir = benchDir('file-format');
const store = new LocalStore(dir);
const { batch, bytes: batchBytes } = await mixedBatch(ROWS_PER_BATCH, rnd);
const batches = Math.max(1, Math.round(TARGET / batchBytes));
const logical = batches * batchBytes;
const schema = lanceSchemaFromArrow(batch.schema);

const write = await timed(async () => {
  const w = await createFileWriter(store, 'bench.lance', schema);
  for (let i = 0; i < batches; i++) await w.write(batch);
  return w.finish();
});
dropCaches();
const read = await timed(async () => {
  const r = await openLanceFile(store, 'bench.lance');
  const columnOf = (id) => r.schema.fields.findIndex((f) => f.id === id);
  let rows = 0;
  const step = 256 * 1024;
  for (let s = 0; s < r.numRows; s += step) {
    const b = await r.read(r.schema.fields, columnOf, { ranges: [[s, Math.min(r.numRows, s + step)]] });
    rows += b.numRows;
  }
  return rows;
});
const raw = rawSequential(dir, write.result.fileSize);
rmSync(dir, { recursive: true, force: true });

const lancetWrite = logical / MB / write.s;
const lancetRead = logical / MB / read.s;
report({
  bench: 'file-format',
  logicalBytes: logical,
  fileBytes: write.result.fileSize,
  rows: read.result,
  lancetWriteMBps: +lancetWrite.toFixed(1),
  lancetReadMBps: +lancetRead.toFixed(1),
  rawWriteMBps: +raw.writeMBps.toFixed(1),
  rawReadMBps: +raw.readMBps.toFixed(1),
  writeRatio: +(lancetWrite / raw.writeMBps).toFixed(3),
  readRatio: +(lancetRead / raw.readMBps).toFixed(3),
  peakRssMB: Math.round(peakRssMB()),
});
