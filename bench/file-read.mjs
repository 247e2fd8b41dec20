// Reader micro-benchmark: writes one file of mixed columns (int64, float64, utf8 24 B,
// binary 64 B) once, then reads it back in 256 K-row ranges several times from a warm page
// cache, so the figure is the reader's CPU cost (decode + assembly), not the disk. Also reports
// CPU seconds, which a busy machine disturbs less than wall time.
import { rmSync } from 'node:fs';
import { LocalStore } from '../dist/io/local-store.js';
import { createFileWriter, openLanceFile } from '../dist/format/file/index.js';
import { lanceSchemaFromArrow } from '../dist/format/schema.js';
import { MB, SCALE, benchDir, median, peakRssMB, prng, report, timed, mixedBatch } from './lib.mjs';

const TARGET = Math.round(1e9 * SCALE);
const ROWS_PER_BATCH = 64 * 1024;
const REPEAT = Number(process.env.LANCET_BENCH_REPEAT ?? '5');
const rnd = prng(42);


const dir = benchDir('file-read');
const store = new LocalStore(dir);
const { batch, bytes: batchBytes } = await mixedBatch(ROWS_PER_BATCH, rnd);
const batches = Math.max(1, Math.round(TARGET / batchBytes));
const logical = batches * batchBytes;
const schema = lanceSchemaFromArrow(batch.schema);
const cpu0 = process.cpuUsage();
const write = await timed(async () => {
  const w = await createFileWriter(store, 'bench.lance', schema);
  for (let i = 0; i < batches; i++) await w.write(batch);
  return w.finish();
});
const writeCpu = process.cpuUsage(cpu0);
const readOnce = () =>
  timed(async () => {
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
const times = [];
const cpus = [];
let rows = 0;
for (let i = 0; i < REPEAT; i++) {
  const c0 = process.cpuUsage();
  const t = await readOnce();
  const c = process.cpuUsage(c0);
  cpus.push((c.user + c.system) / 1e6);
  times.push(t.s);
  rows = t.result;
}
rmSync(dir, { recursive: true, force: true });
const s = median(times);
report({
  bench: 'file-read',
  logicalBytes: logical,
  rows,
  writeMBps: +(logical / MB / write.s).toFixed(1),
  warmReadMBps: +(logical / MB / s).toFixed(1),
  warmReadS: +s.toFixed(3),
  /** CPU seconds (user + system) of the write and of one read: steadier than wall time on a busy machine. */
  writeCpuS: +((writeCpu.user + writeCpu.system) / 1e6).toFixed(3),
  readCpuS: +median(cpus).toFixed(3),
  repeats: REPEAT,
  peakRssMB: Math.round(peakRssMB()),
});
